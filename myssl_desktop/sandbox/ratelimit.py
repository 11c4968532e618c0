"""Per-tier limits: a 60 s sliding window per key and a daily budget per account.

The windows live in memory: they are about the last minute and today, and a restarted
sandbox starting with a fresh budget is what a developer expects.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass

from .timeutil import Clock, day_of, next_midnight

WINDOW_SECONDS = 60
MAX_ACTIVE_KEYS = 25


@dataclass(frozen=True)
class TierLimits:
    daily_limit: int
    minute_limit: int


# Part 1 of the contract; enterprise is "custom" there, the sandbox uses these numbers.
TIERS: dict[str, TierLimits] = {
    "free": TierLimits(daily_limit=1_000, minute_limit=10),
    "pro": TierLimits(daily_limit=10_000, minute_limit=60),
    "business": TierLimits(daily_limit=100_000, minute_limit=300),
    "enterprise": TierLimits(daily_limit=1_000_000, minute_limit=3_000),
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    headers: dict[str, str]
    retry_after: int = 0  # whole seconds, >= 1 when not allowed
    reason: str = ""  # "minute" or "daily" when not allowed


class RateLimiter:
    def __init__(self, limits: TierLimits, clock: Clock) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[int, deque[float]] = {}
        self._day = ""
        self._daily_count = 0

    def hit(self, key_id: int) -> Decision:
        """Account for one request made with `key_id`; a refused request is not counted."""
        with self._lock:
            now = self._clock()
            window = self._window(key_id, now)
            self._roll_day(now)
            refusals: list[tuple[int, str]] = []
            if len(window) >= self.limits.minute_limit:
                refusals.append((max(1, math.ceil(window[0] + WINDOW_SECONDS - now)), "minute"))
            if self._daily_count >= self.limits.daily_limit:
                refusals.append((max(1, math.ceil(next_midnight(now) - now)), "daily"))
            if not refusals:
                window.append(now)
                self._daily_count += 1
            headers = self._headers(window, now)
            if refusals:
                retry_after, reason = max(refusals)
                return Decision(False, headers, retry_after, reason)
            return Decision(True, headers)

    def requests_today(self) -> int:
        """Requests counted toward today's account budget."""
        with self._lock:
            self._roll_day(self._clock())
            return self._daily_count

    def _window(self, key_id: int, now: float) -> deque[float]:
        window = self._windows.setdefault(key_id, deque())
        # A request leaves the window WINDOW_SECONDS after it was made.
        while window and window[0] + WINDOW_SECONDS <= now:
            window.popleft()
        return window

    def _roll_day(self, now: float) -> None:
        today = day_of(now)
        if today != self._day:
            self._day = today
            self._daily_count = 0

    def _headers(self, window: deque[float], now: float) -> dict[str, str]:
        limits = self.limits
        # The Unix second when the oldest request leaves the window; an empty window
        # would be fully available a minute from now.
        oldest = window[0] if window else now
        return {
            "X-RateLimit-Limit": str(limits.minute_limit),
            "X-RateLimit-Remaining": str(max(0, limits.minute_limit - len(window))),
            "X-RateLimit-Reset": str(math.ceil(oldest + WINDOW_SECONDS)),
            "X-Daily-Limit": str(limits.daily_limit),
            "X-Daily-Remaining": str(max(0, limits.daily_limit - self._daily_count)),
        }
