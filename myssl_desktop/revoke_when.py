"""When to revoke a key: now, after a delay, or later (the user finishes it), with the words
every surface uses for each choice; and the expiry a new key may be created with."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TypeVar

_T = TypeVar("_T")


class RevokeWhen(StrEnum):
    NOW = "now"
    IN_1H = "1h"
    IN_24H = "24h"
    IN_3D = "3d"
    IN_7D = "7d"
    LATER = "later"  # a rotation leaves the old key working until the user decides

    @property
    def delay(self) -> timedelta | None:
        """How far ahead a scheduled revoke takes effect; None for now and later."""
        return _DELAYS.get(self)

    @property
    def is_scheduled(self) -> bool:
        return self in _DELAYS

    @property
    def span(self) -> str:
        """"1 hour", "3 days" (scheduled choices only)."""
        return _SPANS.get(self, "")

    @property
    def label(self) -> str:
        """For a list of choices: "Now", "In 1 hour", "Later"."""
        return "Now" if self is RevokeWhen.NOW else "Later" if self is RevokeWhen.LATER else f"In {self.span}"

    @property
    def plan_words(self) -> str:
        """What a rotation does with the old key once it is quiet."""
        if self is RevokeWhen.NOW:
            return "revoke it at once"
        if self is RevokeWhen.LATER:
            return "leave it to me (finish later)"
        return f"schedule its revoke in {self.span}"

    @classmethod
    def scheduled(cls) -> tuple[RevokeWhen, ...]:
        return tuple(_DELAYS)

    @classmethod
    def for_keys(cls) -> tuple[RevokeWhen, ...]:
        """The choices of a plain revoke: now or scheduled (later belongs to rotations)."""
        return (cls.NOW, *_DELAYS)


_DELAYS = {RevokeWhen.IN_1H: timedelta(hours=1), RevokeWhen.IN_24H: timedelta(hours=24),
           RevokeWhen.IN_3D: timedelta(days=3), RevokeWhen.IN_7D: timedelta(days=7)}
_SPANS = {RevokeWhen.IN_1H: "1 hour", RevokeWhen.IN_24H: "24 hours", RevokeWhen.IN_3D: "3 days",
          RevokeWhen.IN_7D: "7 days"}



# --- an expiry chosen when a key is created (contract v1.1) -------------------------------

EXPIRY_FORMS = "never, a span such as 30d, 90d, 1y or 12h, a date (2025-03-01: its start, local time) or a UTC " \
               "time (2025-03-01T08:00:00Z)"
_SPAN_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1), "y": timedelta(days=365)}
_SPAN = re.compile(r"([1-9][0-9]{0,5})([hdwy])")
_UTC_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# The choices the New key dialog offers besides a date: label and span (None: never).
EXPIRY_CHOICES: tuple[tuple[str, timedelta | None], ...] = (
    ("Never", None), ("In 30 days", timedelta(days=30)), ("In 90 days", timedelta(days=90)),
    ("In 1 year", timedelta(days=365)),
)


def start_of_day(day: date) -> datetime:
    """00:00 local time on `day`, as an aware UTC time: a key "expiring on" a date stops that morning."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """When a new key's revoke is to take effect, from `myssl-keys keys create --expires TEXT`:
    None for never. Whole seconds, in the future; ValueError (with the forms it takes) otherwise."""
    value = text.strip()
    when: datetime | None
    if value.lower() == "never":
        return None
    if match := _SPAN.fullmatch(value.lower()):
        span = int(match.group(1)) * _SPAN_UNITS[match.group(2)]
        when = _strict(lambda: now + span, value)
    elif _UTC_TIME.fullmatch(value):
        when = _strict(lambda: datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), value)
    elif _DATE.fullmatch(value):
        when = start_of_day(_strict(lambda: date.fromisoformat(value), value))
    else:
        raise ValueError(f"“{text}” is not an expiry: use {EXPIRY_FORMS}")
    when = when.replace(microsecond=0)
    if when <= now:
        raise ValueError(f"“{text}” is not in the future: a key's expiry must be")
    return when


def _strict(read: Callable[[], _T], text: str) -> _T:
    try:
        return read()
    except (ValueError, OverflowError):
        raise ValueError(f"“{text}” is no such day or time") from None


__all__ = ["EXPIRY_CHOICES", "EXPIRY_FORMS", "RevokeWhen", "parse_expiry", "start_of_day"]
