"""When and how long to wait before repeating a request that is safe to repeat."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

RETRY_STATUSES = frozenset({429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with full jitter, honouring the server's Retry-After.

    Only GETs are ever retried: a repeated create could make a second key.
    """

    attempts: int = 4  # in all, the first try included
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A Retry-After longer than this is handed to the caller (who can show a countdown)
    # instead of blocking a worker for it.
    max_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, retry_number: int) -> float:
        """Delay before retry `retry_number` (1-based): uniform in [0, min(cap, base·2ⁿ⁻¹)]."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry_number - 1))
        return float(ceiling * self.jitter())

    def delay(self, retry_number: int, retry_after: float | None) -> float | None:
        """Seconds to wait before the retry, or None when the caller should give up now."""
        if retry_number >= self.attempts:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        return self.backoff(retry_number)


NO_RETRY = RetryPolicy(attempts=1)
