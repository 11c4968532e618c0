"""Per-key 60 s sliding windows, the account's daily budget, and the five headers."""

from __future__ import annotations

import math

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import RATE_HEADERS, START


@pytest.fixture
def free(make_sandbox) -> Sandbox:
    return make_sandbox(tier="free")  # 10 a minute, 1,000 a day


@pytest.fixture
def reader(free: Sandbox, make_client) -> httpx.Client:
    _, secret = free.store.create_key("Reader", ["domains:read"])
    return make_client(free, secret)


def _limits(response: httpx.Response) -> dict[str, int]:
    return {h: int(response.headers[h]) for h in RATE_HEADERS}


def test_every_answer_to_a_valid_key_carries_the_five_headers(reader: httpx.Client) -> None:
    answers = [reader.get("/domains"), reader.get("/api-keys"), reader.get("/nope"),
               reader.delete("/domains"), reader.get("/domains", params={"page": 0})]
    assert [r.status_code for r in answers] == [200, 403, 404, 405, 400]
    for response in answers:
        assert all(h in response.headers for h in RATE_HEADERS), response.status_code


def test_header_values_follow_the_window(reader: httpx.Client, clock) -> None:
    first = _limits(reader.get("/domains"))
    assert first == {"X-RateLimit-Limit": 10, "X-RateLimit-Remaining": 9,
                     "X-RateLimit-Reset": int(START) + 60, "X-Daily-Limit": 1000,
                     "X-Daily-Remaining": 999}
    clock.advance(20.5)
    second = _limits(reader.get("/domains"))
    # The reset is when the OLDEST request leaves the window, not the newest.
    assert second["X-RateLimit-Remaining"] == 8
    assert second["X-RateLimit-Reset"] == int(START) + 60
    assert second["X-Daily-Remaining"] == 998


def test_the_eleventh_request_in_a_minute_is_429(reader: httpx.Client, clock) -> None:
    for _ in range(10):
        assert reader.get("/domains").status_code == 200
        clock.advance(1)
    response = reader.get("/domains")  # 10 s after the first
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == "Rate limit exceeded" and body["message"]
    assert response.headers["content-type"] == "application/json"
    assert response.headers["Retry-After"] == "50"
    limits = _limits(response)
    assert limits["X-RateLimit-Remaining"] == 0
    assert limits["X-RateLimit-Reset"] == int(START) + 60
    assert limits["X-Daily-Remaining"] == 990  # the refused request took nothing


def test_the_window_slides(reader: httpx.Client, clock) -> None:
    reader.get("/domains")  # t = 0
    clock.advance(30)
    for _ in range(9):  # t = 30
        assert reader.get("/domains").status_code == 200
    clock.advance(29.5)  # t = 59.5: still full
    refused = reader.get("/domains")
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "1"  # never 0
    clock.advance(0.5)  # t = 60: the first request left the window
    assert reader.get("/domains").status_code == 200
    again = reader.get("/domains")
    assert again.status_code == 429
    assert again.headers["Retry-After"] == "30"  # the t = 30 batch leaves at t = 90
    assert int(again.headers["X-RateLimit-Reset"]) == int(START) + 90


def test_refused_requests_do_not_extend_the_window(reader: httpx.Client, clock) -> None:
    for _ in range(10):
        reader.get("/domains")
    for _ in range(20):
        clock.advance(2)
        assert reader.get("/domains").status_code == 429
    clock.advance(20)  # 60 s after the ten accepted ones
    assert [reader.get("/domains").status_code for _ in range(11)] == [200] * 10 + [429]


def test_windows_are_per_key(free: Sandbox, reader: httpx.Client, make_client) -> None:
    for _ in range(10):
        reader.get("/domains")
    assert reader.get("/domains").status_code == 429
    _, other_secret = free.store.create_key("Other", ["domains:read"])
    other = make_client(free, other_secret)
    response = other.get("/domains")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "9"
    assert response.headers["X-Daily-Remaining"] == str(1000 - 11)  # the daily budget is shared


def test_the_daily_budget_is_per_account_and_resets_at_midnight(free: Sandbox,
                                                                reader: httpx.Client,
                                                                clock) -> None:
    # 999 earlier requests of other keys (through the limiter the pipeline uses).
    for i in range(999):
        assert free.limiter.hit(10_000 + i % 100).allowed
    last = reader.get("/domains")
    assert last.status_code == 200 and last.headers["X-Daily-Remaining"] == "0"
    refused = reader.get("/domains")
    assert refused.status_code == 429
    assert refused.json()["error"] == "Rate limit exceeded"
    seconds_to_midnight = math.ceil((START // 86_400 + 1) * 86_400 - START)  # 13.5 h
    assert refused.headers["Retry-After"] == str(seconds_to_midnight)
    assert refused.headers["X-Daily-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Remaining"] == "9"  # the minute window is not the reason
    clock.advance(seconds_to_midnight)
    fresh = reader.get("/domains")
    assert fresh.status_code == 200
    assert fresh.headers["X-Daily-Remaining"] == "999"


@pytest.mark.parametrize(("tier", "daily", "minute"), [
    ("free", 1_000, 10), ("pro", 10_000, 60), ("business", 100_000, 300),
    ("enterprise", 1_000_000, 3_000),
])
def test_tiers(make_sandbox, make_client, tier: str, daily: int, minute: int) -> None:
    sb = make_sandbox(tier=tier)
    client = make_client(sb, sb.admin_key)
    response = client.get("/api-keys/current")
    assert response.json()["account"] == {"tier": tier, "daily_limit": daily,
                                          "minute_limit": minute, "max_active_keys": 25}
    assert response.headers["X-RateLimit-Limit"] == str(minute)
    assert response.headers["X-Daily-Limit"] == str(daily)
    billing = client.get("/billing/usage").json()["data"]
    assert (billing["tier"], billing["daily_limit"], billing["minute_limit"]) == (tier, daily, minute)
