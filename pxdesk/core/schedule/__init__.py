"""Scheduling: the rules of a schedule, the clock that fires them, and what a fire starts."""
