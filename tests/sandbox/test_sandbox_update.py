"""PATCH, regenerate and revoke."""

from __future__ import annotations

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import INVALID_KEY, bearer, create, iso


@pytest.fixture
def key(admin: httpx.Client) -> dict:
    return create(admin, "Rotating", permissions=["domains:read", "billing:read"])


def _get(admin: httpx.Client, key_id: int) -> dict:
    return admin.get(f"/api-keys/{key_id}").json()["api_key"]


class TestPatch:
    def test_rename_trims_and_keeps_everything_else(self, admin: httpx.Client, key: dict) -> None:
        before = key["api_key"]
        response = admin.patch(f"/api-keys/{before['id']}", json={"name": "  Renamed  "})
        assert response.status_code == 200
        after = response.json()["api_key"]
        assert after == {**before, "name": "Renamed"}
        assert _get(admin, before["id"])["name"] == "Renamed"

    def test_expires_at_schedules_a_revoke(self, admin: httpx.Client, key: dict, clock) -> None:
        response = admin.patch(f"/api-keys/{key['api_key']['id']}", json={"expires_at": "2025-01-16T12:00:00Z"})
        assert response.status_code == 200
        after = response.json()["api_key"]
        assert after["status"] == "expiring"
        assert after["expires_at"] == iso(1_737_028_800)
        assert after["revoked_at"] is None

    def test_null_cancels_a_scheduled_revoke(self, admin: httpx.Client, key: dict, clock) -> None:
        key_id = key["api_key"]["id"]
        admin.patch(f"/api-keys/{key_id}", json={"expires_at": iso(clock() + 600)})
        response = admin.patch(f"/api-keys/{key_id}", json={"expires_at": None})
        assert response.status_code == 200
        assert response.json()["api_key"]["status"] == "active"
        assert response.json()["api_key"]["expires_at"] is None

    def test_name_and_expires_at_together(self, admin: httpx.Client, key: dict, clock) -> None:
        response = admin.patch(f"/api-keys/{key['api_key']['id']}",
                               json={"name": "Old (rotating)", "expires_at": iso(clock() + 86_400)})
        after = response.json()["api_key"]
        assert (after["name"], after["status"], after["expires_at"]) == (
            "Old (rotating)", "expiring", iso(clock() + 86_400))

    @pytest.mark.parametrize(("body", "field"), [
        ({}, "name"),
        ({"permissions": ["domains:read"]}, "permissions"),
        ({"name": "x", "status": "revoked"}, "status"),
        ({"name": ""}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"name": None}, "name"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"expires_at": 1_800_000_000}, "expires_at"),
        ({"expires_at": ""}, "expires_at"),
    ])
    def test_invalid_patches_are_400(self, admin: httpx.Client, key: dict, body: dict,
                                     field: str) -> None:
        response = admin.patch(f"/api-keys/{key['api_key']['id']}", json=body)
        assert response.status_code == 400
        assert response.json()["error"] == "Invalid request"
        assert field in response.json()["message"]
        assert _get(admin, key["api_key"]["id"]) == key["api_key"]  # nothing changed

    def test_expires_at_now_is_in_the_past(self, admin: httpx.Client, key: dict, clock) -> None:
        response = admin.patch(f"/api-keys/{key['api_key']['id']}", json={"expires_at": iso(clock())})
        assert response.status_code == 400
        assert admin.patch(f"/api-keys/{key['api_key']['id']}",
                           json={"expires_at": iso(clock() + 1)}).status_code == 200

    def test_a_body_that_is_not_json_is_400(self, admin: httpx.Client, key: dict) -> None:
        response = admin.patch(f"/api-keys/{key['api_key']['id']}", content=b"name=x")
        assert response.status_code == 400

    @pytest.mark.parametrize("body", [{"name": "New"}, {"expires_at": None},
                                      {"expires_at": "2030-01-01T00:00:00Z"}])
    def test_any_change_to_a_revoked_key_is_400(self, admin: httpx.Client, key: dict,
                                                body: dict) -> None:
        key_id = key["api_key"]["id"]
        revoked = admin.post(f"/api-keys/{key_id}/revoke").json()["api_key"]
        response = admin.patch(f"/api-keys/{key_id}", json=body)
        assert response.status_code == 400
        assert response.json()["error"] == "Invalid request"
        assert _get(admin, key_id) == revoked


class TestRegenerate:
    def test_new_secret_same_key(self, sb: Sandbox, admin: httpx.Client, anon: httpx.Client,
                                 key: dict, clock) -> None:
        key_id, old_secret = key["api_key"]["id"], key["secret"]
        for _ in range(3):
            assert anon.get("/domains", headers=bearer(old_secret)).status_code == 200
        admin.patch(f"/api-keys/{key_id}", json={"expires_at": iso(clock() + 7200)})
        clock.advance(30)
        before = _get(admin, key_id)
        response = admin.post(f"/api-keys/{key_id}/regenerate")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"api_key", "secret"}
        new_secret, after = body["secret"], body["api_key"]
        assert new_secret != old_secret and new_secret.startswith("myssl_k_") and len(new_secret) == 48
        assert after["prefix"] == new_secret[:12]
        for field in ("id", "name", "permissions", "created_at", "request_count", "requests_24h",
                      "last_used_at", "expires_at", "status", "revoked_at"):
            assert after[field] == before[field], field
        assert after["request_count"] == 3
        # The old secret stops working at once; the new one works.
        old = anon.get("/domains", headers=bearer(old_secret))
        assert old.status_code == 401 and old.json() == INVALID_KEY
        assert anon.get("/api-keys/current", headers=bearer(new_secret)).json()["api_key"]["id"] == key_id

    def test_a_revoked_key_cannot_be_regenerated(self, admin: httpx.Client, key: dict) -> None:
        key_id = key["api_key"]["id"]
        admin.post(f"/api-keys/{key_id}/revoke")
        response = admin.post(f"/api-keys/{key_id}/regenerate")
        assert response.status_code == 400
        assert response.json()["error"] == "Invalid request"
        assert _get(admin, key_id)["prefix"] == key["api_key"]["prefix"]

    def test_a_key_may_regenerate_itself(self, sb: Sandbox, anon: httpx.Client) -> None:
        key_id, secret = sb.store.create_key("Self", ["keys:manage"])
        response = anon.post(f"/api-keys/{key_id}/regenerate", headers=bearer(secret))
        assert response.status_code == 200
        assert anon.get("/api-keys/current", headers=bearer(secret)).status_code == 401
        assert anon.get("/api-keys/current",
                        headers=bearer(response.json()["secret"])).status_code == 200


class TestRevoke:
    def test_revoke_takes_effect_at_once(self, admin: httpx.Client, anon: httpx.Client,
                                         key: dict, clock) -> None:
        key_id = key["api_key"]["id"]
        response = admin.post(f"/api-keys/{key_id}/revoke")
        assert response.status_code == 200
        after = response.json()["api_key"]
        assert set(response.json()) == {"api_key"}
        assert after["status"] == "revoked"
        assert after["revoked_at"] == iso(clock())
        failed = anon.get("/domains", headers=bearer(key["secret"]))
        assert failed.status_code == 401 and failed.json() == INVALID_KEY

    def test_revoke_is_idempotent_and_sets_revoked_at_once(self, admin: httpx.Client, key: dict,
                                                           clock) -> None:
        key_id = key["api_key"]["id"]
        first = admin.post(f"/api-keys/{key_id}/revoke").json()["api_key"]
        clock.advance(3600)
        second = admin.post(f"/api-keys/{key_id}/revoke")
        assert second.status_code == 200
        assert second.json()["api_key"] == first

    def test_revoke_clears_a_scheduled_revoke(self, admin: httpx.Client, key: dict, clock) -> None:
        key_id = key["api_key"]["id"]
        admin.patch(f"/api-keys/{key_id}", json={"expires_at": iso(clock() + 86_400)})
        clock.advance(10)
        after = admin.post(f"/api-keys/{key_id}/revoke").json()["api_key"]
        assert after["status"] == "revoked"
        assert after["expires_at"] is None
        assert after["revoked_at"] == iso(clock())

    def test_a_key_may_revoke_itself(self, sb: Sandbox, anon: httpx.Client) -> None:
        key_id, secret = sb.store.create_key("Self", ["keys:manage"])
        response = anon.post(f"/api-keys/{key_id}/revoke", headers=bearer(secret))
        assert response.status_code == 200
        assert response.json()["api_key"]["status"] == "revoked"
        assert anon.get("/api-keys/current", headers=bearer(secret)).json() == INVALID_KEY
