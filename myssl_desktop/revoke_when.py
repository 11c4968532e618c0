"""When to revoke a key: now, after a delay, or later (the user finishes it), with the words
every surface uses for each choice."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


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

__all__ = ["RevokeWhen"]
