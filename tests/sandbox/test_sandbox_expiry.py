"""A scheduled revoke takes effect when the clock passes expires_at."""

from __future__ import annotations

import httpx

from myssl_desktop.sandbox import Sandbox

from .helpers import INVALID_KEY, bearer, create, iso


def test_a_key_is_revoked_when_expires_at_passes(admin: httpx.Client, anon: httpx.Client,
                                                 clock) -> None:
    created = create(admin, "Grace period", permissions=["domains:read"])
    key_id, secret = created["api_key"]["id"], created["secret"]
    expires_at = iso(clock() + 3600)
    assert admin.patch(f"/api-keys/{key_id}", json={"expires_at": expires_at}).status_code == 200

    clock.advance(3599)
    assert anon.get("/domains", headers=bearer(secret)).status_code == 200
    assert admin.get(f"/api-keys/{key_id}").json()["api_key"]["status"] == "expiring"

    clock.advance(2)
    response = anon.get("/domains", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json() == INVALID_KEY
    key = admin.get(f"/api-keys/{key_id}").json()["api_key"]
    assert key["status"] == "revoked"
    assert key["revoked_at"] == expires_at  # not the moment somebody noticed


def test_expiry_shows_in_lists_without_any_request_by_that_key(sb: Sandbox, admin: httpx.Client,
                                                               clock) -> None:
    key_id, _ = sb.store.create_key("Scheduled", ["domains:read"], status="expiring",
                                    expires_at=clock() + 60)
    expiring = admin.get("/api-keys", params={"status": "expiring"}).json()["api_keys"]
    assert [k["id"] for k in expiring] == [key_id]
    clock.advance(61)
    assert admin.get("/api-keys", params={"status": "expiring"}).json()["api_keys"] == []
    revoked = admin.get("/api-keys", params={"status": "revoked"}).json()["api_keys"]
    assert [k["id"] for k in revoked] == [key_id]
    assert revoked[0]["revoked_at"] == iso(clock() - 61 + 60)
    assert sb.store.count_active_keys() == 1  # only the admin key


def test_an_expired_key_cannot_be_changed_or_regenerated(sb: Sandbox, admin: httpx.Client,
                                                         clock) -> None:
    key_id, _ = sb.store.create_key("Gone", ["domains:read"], status="expiring",
                                    expires_at=clock() + 5)
    clock.advance(6)
    assert admin.patch(f"/api-keys/{key_id}", json={"expires_at": None}).status_code == 400
    assert admin.post(f"/api-keys/{key_id}/regenerate").status_code == 400
    revoke = admin.post(f"/api-keys/{key_id}/revoke")
    assert revoke.status_code == 200
    assert revoke.json()["api_key"]["revoked_at"] == iso(clock() - 1)  # kept, not re-set


def test_a_caller_whose_own_key_expires_is_cut_off(sb: Sandbox, anon: httpx.Client, clock) -> None:
    key_id, secret = sb.store.create_key("Self-expiring", ["keys:manage", "keys:read"])
    response = anon.patch(f"/api-keys/{key_id}", headers=bearer(secret),
                          json={"expires_at": iso(clock() + 10)})
    assert response.json()["api_key"]["status"] == "expiring"
    clock.advance(10)  # expires_at has arrived: the revoke takes effect
    assert anon.get("/api-keys/current", headers=bearer(secret)).json() == INVALID_KEY
