"""What needs attention about a key: exposed, spiking, stale or due for rotation (no Qt)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from .api.models import ApiKey

STALE = "stale"
DUE = "due"
SPIKE = "spike"
EXPOSED = "exposed"  # a scan found the key in a git commit
FLAG_ORDER = (EXPOSED, SPIKE, STALE, DUE)  # most urgent first

STALE_AFTER = timedelta(days=90)
NEVER_USED_GRACE = timedelta(days=7)
SPIKE_FACTOR = 3
SPIKE_MINIMUM = 100
SPIKE_HISTORY_DAYS = 3  # full days a key must have lived before its "usual" count means anything

DESCRIPTIONS = {
    EXPOSED: "Exposed: found in a git commit. Whoever can read that history has the key, and rewriting "
             "history does not take it back: rotate it now.",
    STALE: "Stale: not used for more than 90 days (or never used since it was created over "
           "7 days ago). Revoke it if nothing needs it.",
    DUE: "Due for rotation: older than this profile's rotation policy.",
    SPIKE: "Spike: more requests in the last 24 h than 3× its usual daily count (over the full days "
           "since it was created, once it has 3).",
}


def key_flags(key: ApiKey, now: datetime, daily_requests: Sequence[int] = (),
              rotation_days: int = 90) -> tuple[str, ...]:
    """The flags of `key`, most urgent first. Revoked keys need no attention.

    `daily_requests` is the 30-day series (oldest first, today last and partial); its
    full days give the median a spike is measured against.
    """
    return FlagRules(now, rotation_days).flags(key, daily_requests)


class FlagRules:
    """The flag rules with their cut-off times worked out once, for many keys at a time."""

    def __init__(self, now: datetime, rotation_days: int = 90) -> None:
        self.today = now.astimezone(UTC).date()
        self.stale_before = now - STALE_AFTER
        self.never_used_before = now - NEVER_USED_GRACE
        self.due_before = now - timedelta(days=rotation_days)

    def flags(self, key: ApiKey, daily_requests: Sequence[int] = (), exposed: bool = False) -> tuple[str, ...]:
        """`exposed`: a scan found the key in a git commit."""
        if key.status == "revoked":
            return ()
        flags = [EXPOSED] if exposed else []
        lived = (self.today - key.created_at.astimezone(UTC).date()).days - 1  # full days, not today or the first
        if is_spiking(key.requests_24h, daily_requests, lived):
            flags.append(SPIKE)
        if (key.created_at < self.never_used_before if key.last_used_at is None
                else key.last_used_at < self.stale_before):
            flags.append(STALE)
        if key.created_at < self.due_before:
            flags.append(DUE)
        return tuple(flags)


def is_stale(key: ApiKey, now: datetime) -> bool:
    return STALE in FlagRules(now).flags(key)


def is_spiking(requests_24h: int, daily_requests: Sequence[int], full_days_lived: int | None = None) -> bool:
    """Over 3× the median of the full days in the series; only the days the key lived count
    (a key rotated in yesterday has zeros before it: every request would look like a spike)."""
    full_days = list(daily_requests[:-1])  # today is partial
    if full_days_lived is not None:
        if full_days_lived < SPIKE_HISTORY_DAYS:
            return False
        full_days = full_days[-full_days_lived:]
    if requests_24h <= SPIKE_MINIMUM or not full_days:
        return False
    full_days.sort()
    middle = len(full_days) // 2
    median = full_days[middle] if len(full_days) % 2 else (full_days[middle - 1] + full_days[middle]) / 2
    return requests_24h > SPIKE_FACTOR * median
