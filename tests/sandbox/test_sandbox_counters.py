"""last_used_at, request_count, requests_24h and daily usage move with every request made
with a valid key, before it is answered, whatever the answer."""

from __future__ import annotations

import httpx

from myssl_desktop.sandbox import Sandbox

from .helpers import TODAY, bearer, iso


def _key(admin: httpx.Client, key_id: int) -> dict:
    return admin.get(f"/api-keys/{key_id}").json()["api_key"]


def test_current_counts_itself_before_answering(admin: httpx.Client, clock) -> None:
    first = admin.get("/api-keys/current").json()["api_key"]
    assert first["request_count"] == 1 and first["requests_24h"] == 1
    assert first["last_used_at"] == iso(clock())
    clock.advance(90)
    second = admin.get("/api-keys/current").json()["api_key"]
    assert second["request_count"] == 2 and second["requests_24h"] == 2
    assert second["last_used_at"] == iso(clock())


def test_every_answer_counts_403_404_405_400_included(sb: Sandbox, admin: httpx.Client,
                                                      anon: httpx.Client, clock) -> None:
    key_id, secret = sb.store.create_key("Reader", ["domains:read"])
    auth = bearer(secret)
    statuses = []
    for method, path, params in [("GET", "/domains", None), ("GET", "/api-keys", None),
                                 ("GET", "/nope", None), ("DELETE", "/domains", None),
                                 ("GET", "/domains", {"page": "x"})]:
        clock.advance(1)
        statuses.append(anon.request(method, path, headers=auth, params=params).status_code)
    assert statuses == [200, 403, 404, 405, 400]
    key = _key(admin, key_id)
    assert key["request_count"] == 5
    assert key["requests_24h"] == 5
    assert key["last_used_at"] == iso(clock())
    usage = admin.get(f"/api-keys/{key_id}/usage", params={"days": 1}).json()["usage"]
    assert usage["days"] == [{"date": TODAY, "requests": 5}]


def test_429s_count_for_the_key(make_sandbox, make_client) -> None:
    sb = make_sandbox(tier="free")
    key_id, secret = sb.store.create_key("Busy", ["domains:read"])
    client = make_client(sb, secret)
    statuses = [client.get("/domains").status_code for _ in range(13)]
    assert statuses == [200] * 10 + [429] * 3
    key = sb.store.get_key(key_id)
    assert key is not None and key.request_count == 13 and key.requests_24h == 13


def test_requests_24h_is_a_rolling_24_hours(sb: Sandbox, admin: httpx.Client, anon: httpx.Client,
                                            clock) -> None:
    key_id, secret = sb.store.create_key("Rolling", ["domains:read"])
    for _ in range(2):
        anon.get("/domains", headers=bearer(secret))
    clock.advance(12 * 3600)
    for _ in range(3):
        anon.get("/domains", headers=bearer(secret))

    clock.advance(12 * 3600 - 1)  # the first two are 24 h minus 1 s old
    assert _key(admin, key_id)["requests_24h"] == 5
    clock.advance(2)  # now they are older than 24 h
    assert _key(admin, key_id)["requests_24h"] == 3
    clock.advance(12 * 3600)
    key = _key(admin, key_id)
    assert key["requests_24h"] == 0
    assert key["request_count"] == 5  # all-time is kept


def test_daily_usage_moves_to_yesterday_at_midnight(sb: Sandbox, admin: httpx.Client,
                                                    anon: httpx.Client, clock) -> None:
    key_id, secret = sb.store.create_key("Daily", ["domains:read"])
    for _ in range(4):
        anon.get("/domains", headers=bearer(secret))
    clock.advance(86_400)
    anon.get("/domains", headers=bearer(secret))
    usage = admin.get(f"/api-keys/{key_id}/usage", params={"days": 3}).json()["usage"]
    assert usage["days"] == [{"date": "2025-01-14", "requests": 0},
                             {"date": "2025-01-15", "requests": 4},
                             {"date": "2025-01-16", "requests": 1}]
    assert usage["total"] == 5


def test_requests_of_one_key_do_not_move_another(sb: Sandbox, admin: httpx.Client,
                                                 anon: httpx.Client) -> None:
    a_id, a_secret = sb.store.create_key("A", ["domains:read"])
    b_id, _ = sb.store.create_key("B", ["domains:read"])
    anon.get("/domains", headers=bearer(a_secret))
    assert _key(admin, a_id)["request_count"] == 1
    b = _key(admin, b_id)
    assert b["request_count"] == 0 and b["last_used_at"] is None and b["requests_24h"] == 0
