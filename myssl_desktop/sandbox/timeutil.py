"""Time helpers. Everything takes Unix seconds from the sandbox's clock, never time.time(),
so that tests can drive the whole server with a fake clock."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], float]

DAY = 86_400


def iso(ts: float | None) -> str | None:
    """ISO-8601 UTC with Z and whole seconds, as the API writes every timestamp."""
    if ts is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(math.floor(ts)))


def day_of(ts: float) -> str:
    """The UTC calendar day (YYYY-MM-DD) holding this instant."""
    return time.strftime("%Y-%m-%d", time.gmtime(math.floor(ts)))


def day_start(ts: float) -> int:
    """Unix second of 00:00 UTC on the day holding this instant."""
    return int(ts // DAY * DAY)


def day_to_ts(day: str) -> int:
    """Unix second of 00:00 UTC on a YYYY-MM-DD day."""
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())


def next_midnight(ts: float) -> int:
    """Unix second of the next 00:00 UTC (when the daily limit resets)."""
    return day_start(ts) + DAY


def shift_day(day: str, days: int) -> str:
    """The day `days` after (or before, if negative) a YYYY-MM-DD day."""
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()


def to_seconds(value: float | int | str | datetime | None) -> int | None:
    """Normalise the timestamp forms the store accepts to whole Unix seconds."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return math.floor(value.timestamp())
    if isinstance(value, str):
        return parse_timestamp(value)
    return math.floor(value)


def parse_timestamp(text: str) -> int:
    """Parse an incoming timestamp: Z, an offset, or naive (taken as UTC).

    Raises ValueError for anything else, so callers can answer 400.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError("not a timestamp")
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError("not an ISO-8601 timestamp") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return math.floor(parsed.timestamp())
    except (OverflowError, OSError) as exc:
        raise ValueError("timestamp out of range") from exc
