"""When something happened, as the tray and the jobs table say it: "3 min ago", with the
exact time for a tooltip."""

from __future__ import annotations

from datetime import datetime


def relative_time(when: datetime, now: datetime) -> str:
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86_400:
        return f"{seconds // 3600} h ago"
    days = seconds // 86_400
    return "yesterday" if days == 1 else f"{days} days ago"


def date_time_text(when: datetime) -> str:
    return f"{when:%a %Y-%m-%d %H:%M}"


def exact_time_text(when: datetime) -> str:
    """The full local date and time, for the tooltip of a relative time."""
    return f"{when:%Y-%m-%d %H:%M:%S}"
