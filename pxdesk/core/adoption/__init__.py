"""Adoption insight: each PX user's activity, kept by Company Person Sync, and the figures."""
