"""Human wording for times: "3 min ago", "never", "in 2 days"."""

from __future__ import annotations

from datetime import UTC, datetime


def relative(moment: datetime | None, now: datetime | None = None, *, never: str = "never") -> str:
    if moment is None:
        return never
    now = now or datetime.now(UTC)
    seconds = int((now - moment).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        text = "just now" if not future else "in a moment"
        return text
    for unit_seconds, unit in ((86400 * 365, "year"), (86400 * 30, "month"), (86400, "day"),
                               (3600, "h"), (60, "min")):
        if seconds >= unit_seconds:
            count = round(seconds / unit_seconds) if unit in ("min", "h") else seconds // unit_seconds
            label = unit if unit in ("min", "h") else unit + ("s" if count != 1 else "")
            return f"in {count} {label}" if future else f"{count} {label} ago"
    return "in 1 min" if future else "1 min ago"


def exact(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
