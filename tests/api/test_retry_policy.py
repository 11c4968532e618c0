from __future__ import annotations

from myssl_desktop.api import RetryPolicy


def test_backoff_grows_and_is_capped() -> None:
    top = RetryPolicy(jitter=lambda: 1.0)
    assert [top.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    assert RetryPolicy(jitter=lambda: 0.0).backoff(3) == 0.0


def test_retry_after_wins_unless_too_long() -> None:
    policy = RetryPolicy(max_wait=30)
    assert policy.delay(1, retry_after=12) == 12
    assert policy.delay(1, retry_after=31) is None


def test_gives_up_after_the_last_attempt() -> None:
    policy = RetryPolicy(attempts=3, jitter=lambda: 1.0)
    assert policy.delay(1, None) == 0.5 and policy.delay(2, None) == 1.0
    assert policy.delay(3, None) is None
