"""Human wording for times: "3 min ago", "never", "in 2 days"."""

from __future__ import annotations

from datetime import UTC, datetime


def relative(moment: datetime | None, now: datetime | None = None, *, never: str = "never") -> str:
    """"just now", "3 min ago", "2 h ago", "5 days ago", "in 3 days"; `never` for None."""
    if moment is None:
        return never
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    future, seconds = seconds < 0, abs(seconds)
    if seconds < 45:
        return "in a moment" if future else "just now"
    if seconds < 3600:
        text = f"{max(1, int(seconds // 60))} min"
    elif seconds < 86400:
        text = f"{int(seconds // 3600)} h"
    else:
        days = int(seconds // 86400)
        if days < 60:
            text = f"{days} day{'s' if days != 1 else ''}"
        elif days < 730:
            text = f"{days // 30} months"
        else:
            text = f"{days // 365} years"
    return f"in {text}" if future else f"{text} ago"


def exact(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")


def short(moment: datetime, now: datetime | None = None) -> str:
    """A moment in local time, as a day and a time: "4 Dec, 23:10"; "4 Dec 2025, 23:10" in another year."""
    local, today = moment.astimezone(), (now or datetime.now(UTC)).astimezone()
    year = "" if local.year == today.year else f" {local.year}"
    return f"{local.day} {local.strftime('%b')}{year}, {local.strftime('%H:%M')}"


def since(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, in whole days or larger units: "today", "3 days ago", "4 months ago"."""
    text = age(moment, now)
    return text if text == "today" else f"{text} ago"


def age(moment: datetime, now: datetime | None = None) -> str:
    """How old something is, in whole days or larger units: "3 days", "4 months"."""
    now = now or datetime.now(UTC)
    days = (now - moment).days
    if days < 1:
        return "today"
    if days < 60:
        return f"{days} day{'s' if days != 1 else ''}"
    if days < 730:
        return f"{days // 30} months"
    return f"{days // 365} years"
