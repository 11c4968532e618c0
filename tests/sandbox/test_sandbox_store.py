"""The store's helpers for fixtures and benchmarks."""

from __future__ import annotations

import time

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import iso


def test_bulk_insert_of_10000_keys_is_fast_and_listable(sb: Sandbox, admin: httpx.Client) -> None:
    started = time.monotonic()
    sb.store.bulk_insert_keys(10_000)
    assert time.monotonic() - started < 3
    first = admin.get("/api-keys", params={"per_page": 100})
    assert first.json()["pagination"]["total"] == 10_001
    assert first.json()["pagination"]["pages"] == 101
    names = [k["name"] for k in first.json()["api_keys"]]
    assert names[:3] == ["Sandbox admin", "Bulk key 10000", "Bulk key 9999"]
    last = admin.get("/api-keys", params={"per_page": 100, "page": 101}).json()["api_keys"]
    assert [k["name"] for k in last] == ["Bulk key 1"]
    assert len({k["prefix"] for k in first.json()["api_keys"]}) == 100
    found = admin.get("/api-keys", params={"search": "key 4242"}).json()
    assert [k["name"] for k in found["api_keys"]] == ["Bulk key 4242"]
    assert admin.get("/api-keys/usage", params={"per_page": 100}).json()["pagination"]["total"] == 10_001


def test_bulk_insert_with_a_prefix_and_permissions(sb: Sandbox) -> None:
    sb.store.bulk_insert_keys(3, name_prefix="Load", permissions=["billing:read", "domains:read"])
    keys, total = sb.store.list_keys(search="Load")
    assert total == 3
    assert all(k.permissions == ["domains:read", "billing:read"] and k.status == "active"
               for k in keys)


def test_create_key_accepts_every_status_and_timestamp_form(sb: Sandbox, admin: httpx.Client,
                                                            clock) -> None:
    active_id, secret = sb.store.create_key("Made", ["keys:read"], created_at="2024-06-01T08:00:00Z",
                                            last_used_at=clock() - 60, request_count=12)
    assert secret.startswith("myssl_k_") and len(secret) == 48
    key = admin.get(f"/api-keys/{active_id}").json()["api_key"]
    assert (key["created_at"], key["last_used_at"], key["request_count"]) == (
        "2024-06-01T08:00:00Z", iso(clock() - 60), 12)
    revoked_id, _ = sb.store.create_key("Gone", ["keys:read"], status="revoked")
    assert admin.get(f"/api-keys/{revoked_id}").json()["api_key"]["revoked_at"] == iso(clock())
    expiring_id, _ = sb.store.create_key("Soon", ["keys:read"], status="expiring")
    assert admin.get(f"/api-keys/{expiring_id}").json()["api_key"]["expires_at"] == iso(
        clock() + 7 * 86_400)
    with pytest.raises(ValueError):
        sb.store.create_key("Bad", ["keys:read"], status="paused")
    with pytest.raises(ValueError):
        sb.store.create_key("Bad", ["keys:fly"])


def test_add_usage_feeds_history_and_the_all_time_count(sb: Sandbox, admin: httpx.Client) -> None:
    key_id, _ = sb.store.create_key("History", ["domains:read"])
    sb.store.add_usage(key_id, "2025-01-14", 30)
    sb.store.add_usage(key_id, "2025-01-14", 5)  # adds up
    key = admin.get(f"/api-keys/{key_id}").json()["api_key"]
    assert key["request_count"] == 35
    assert key["requests_24h"] == 0  # history is not the last 24 h
    usage = admin.get(f"/api-keys/{key_id}/usage", params={"days": 2}).json()["usage"]
    assert usage["days"][0] == {"date": "2025-01-14", "requests": 35}
    with pytest.raises(ValueError):
        sb.store.add_usage(key_id, "14/01/2025", 1)


def test_create_key_status_follows_the_timestamps(sb: Sandbox, clock) -> None:
    expiring_id, _ = sb.store.create_key("Later", ["keys:read"], expires_at=clock() + 60)
    revoked_id, _ = sb.store.create_key("Earlier", ["keys:read"], revoked_at=clock() - 60)
    lapsed_id, _ = sb.store.create_key("Lapsed", ["keys:read"], expires_at=clock() - 30)
    statuses = {k.id: (k.status, k.revoked_at) for k in sb.store.list_keys()[0]}
    assert statuses[expiring_id] == ("expiring", None)
    assert statuses[revoked_id] == ("revoked", int(clock()) - 60)
    assert statuses[lapsed_id] == ("revoked", int(clock()) - 30)
