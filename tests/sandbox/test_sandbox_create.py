"""POST /api-keys: the answer, validation, permissions, the key limit, the order of checks."""

from __future__ import annotations

import re

import httpx
import pytest

from myssl_desktop.sandbox import PERMISSIONS, Sandbox

from .helpers import ACCESS_DENIED, AUTH_REQUIRED, bearer, create, iso

API_KEY_FIELDS = {"id", "name", "prefix", "permissions", "status", "created_at", "last_used_at",
                  "request_count", "requests_24h", "expires_at", "revoked_at"}


def test_create_answers_201_with_the_key_and_its_secret_once(sb: Sandbox, admin: httpx.Client,
                                                            clock) -> None:
    response = admin.post("/api-keys", json={"name": "Deploy bot", "permissions": ["domains:read"]})
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"api_key", "secret"}
    key, secret = body["api_key"], body["secret"]
    assert set(key) == API_KEY_FIELDS
    assert re.fullmatch(r"myssl_k_[a-z0-9]{40}", secret)
    assert key["prefix"] == secret[:12]
    assert key["name"] == "Deploy bot"
    assert key["permissions"] == ["domains:read"]
    assert key["status"] == "active"
    assert key["created_at"] == iso(clock())
    assert key["last_used_at"] is None
    assert key["request_count"] == key["requests_24h"] == 0
    assert key["expires_at"] is None and key["revoked_at"] is None
    # The secret works, and no later answer repeats it.
    me = admin.get("/api-keys/current", headers=bearer(secret)).json()["api_key"]
    assert me["id"] == key["id"]
    for path in (f"/api-keys/{key['id']}", "/api-keys"):
        text = admin.get(path).text
        assert secret not in text and '"secret"' not in text


def test_create_is_not_idempotent(admin: httpx.Client) -> None:
    first = create(admin, "Same name")["api_key"]
    second = create(admin, "Same name")["api_key"]
    assert first["id"] != second["id"]
    names = [k["name"] for k in admin.get("/api-keys").json()["api_keys"]]
    assert names.count("Same name") == 2


def test_permissions_default_to_the_callers(sb: Sandbox, anon: httpx.Client) -> None:
    _, secret = sb.store.create_key("Manager", ["keys:manage", "domains:read"])
    response = anon.post("/api-keys", headers=bearer(secret), json={"name": "Child"})
    assert response.status_code == 201
    assert response.json()["api_key"]["permissions"] == ["domains:read", "keys:manage"]


def test_permissions_are_listed_in_the_documented_order(admin: httpx.Client) -> None:
    given = ["keys:manage", "domains:read", "billing:read", "scans:write"]
    key = create(admin, permissions=given)["api_key"]
    assert key["permissions"] == ["domains:read", "scans:write", "billing:read", "keys:manage"]
    everything = create(admin, permissions=list(reversed(PERMISSIONS)))["api_key"]
    assert everything["permissions"] == list(PERMISSIONS)


@pytest.mark.parametrize(("given", "stored"), [
    ("  Deploy bot \n", "Deploy bot"),
    ("x", "x"),
    (" " + "n" * 100 + "\t", "n" * 100),
    ("Ünïcødé ключ 鍵", "Ünïcødé ключ 鍵"),
])
def test_names_are_trimmed_and_may_be_1_to_100_characters(admin: httpx.Client, given: str,
                                                          stored: str) -> None:
    assert create(admin, given)["api_key"]["name"] == stored


@pytest.mark.parametrize("body", [
    {"name": ""},
    {"name": "   "},
    {"name": "n" * 101},
    {"name": None},
    {"name": 123},
    {"name": ["x"]},
    {"permissions": ["domains:read"]},
])
def test_a_bad_or_missing_name_is_invalid(admin: httpx.Client, body: dict) -> None:
    response = admin.post("/api-keys", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert "name" in response.json()["message"]


@pytest.mark.parametrize("permissions", [[], "domains:read", ["domains:read", "nope"], [1], None,
                                         {"domains:read": True}, ["DOMAINS:READ"]])
def test_bad_permissions_are_invalid(admin: httpx.Client, permissions: object) -> None:
    response = admin.post("/api-keys", json={"name": "x", "permissions": permissions})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert "permissions" in response.json()["message"]


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'"name"', b"\xff\xfe", b"{"])
def test_a_body_that_is_not_a_json_object_is_invalid(admin: httpx.Client, content: bytes) -> None:
    response = admin.post("/api-keys", content=content,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert "body" in response.json()["message"]


def test_a_chunked_body_is_read(admin: httpx.Client) -> None:
    def chunks():
        yield b'{"name": '
        yield b'"Chunked"}'

    response = admin.post("/api-keys", content=chunks())
    assert response.status_code == 201
    assert response.json()["api_key"]["name"] == "Chunked"


def test_granting_a_permission_the_caller_lacks_is_access_denied(sb: Sandbox,
                                                                anon: httpx.Client) -> None:
    _, secret = sb.store.create_key("Manager", ["domains:read", "keys:manage"])
    response = anon.post("/api-keys", headers=bearer(secret),
                         json={"name": "Escalation", "permissions": ["domains:read", "billing:read"]})
    assert response.status_code == 403
    assert response.json() == ACCESS_DENIED
    assert sb.store.list_keys(search="Escalation")[1] == 0


def _fill_to_limit(sb: Sandbox) -> None:
    """The admin key plus 24 more: 25 active keys."""
    for i in range(24):
        sb.store.create_key(f"Filler {i}", ["domains:read"])


def test_the_26th_active_key_is_refused_with_409(sb: Sandbox, admin: httpx.Client) -> None:
    for i in range(23):
        sb.store.create_key(f"Filler {i}", ["domains:read"])
    create(admin, "Twenty-fifth")  # over HTTP, the last that fits
    response = admin.post("/api-keys", json={"name": "Twenty-sixth"})
    assert response.status_code == 409
    assert response.json()["error"] == "Key limit reached"
    assert response.json()["message"]
    assert sb.store.count_active_keys() == 25


def test_revoked_keys_do_not_count_toward_the_limit_but_expiring_ones_do(
        sb: Sandbox, admin: httpx.Client, clock) -> None:
    _fill_to_limit(sb)
    victims = [k["id"] for k in admin.get("/api-keys", params={"search": "Filler"}).json()["api_keys"]]
    # Scheduling a revoke keeps the key active for the limit.
    assert admin.patch(f"/api-keys/{victims[0]}",
                       json={"expires_at": iso(clock() + 3600)}).status_code == 200
    assert admin.post("/api-keys", json={"name": "No room"}).status_code == 409
    assert admin.post(f"/api-keys/{victims[1]}/revoke").status_code == 200
    create(admin, "Room again")
    assert admin.post("/api-keys", json={"name": "Full again"}).status_code == 409


def test_regenerate_and_revoke_work_at_the_limit(sb: Sandbox, admin: httpx.Client) -> None:
    _fill_to_limit(sb)
    some = admin.get("/api-keys", params={"search": "Filler 3"}).json()["api_keys"][0]
    assert admin.post(f"/api-keys/{some['id']}/regenerate").status_code == 200
    assert admin.patch(f"/api-keys/{some['id']}", json={"name": "Renamed"}).status_code == 200
    assert sb.store.count_active_keys() == 25


class TestOrderOfChecks:
    """401, then the endpoint permission (403), then 404, then validation (400), then a
    create beyond the caller's permissions (403), then the key limit (409)."""

    def test_401_before_everything(self, anon: httpx.Client) -> None:
        response = anon.post("/api-keys", content=b"not json")
        assert response.status_code == 401 and response.json() == AUTH_REQUIRED

    def test_endpoint_permission_before_404_and_400(self, sb: Sandbox, anon: httpx.Client) -> None:
        _, secret = sb.store.create_key("Reader", ["domains:read", "keys:read"])
        for method, path in [("POST", "/api-keys"), ("PATCH", "/api-keys/999"),
                             ("POST", "/api-keys/999/revoke")]:
            response = anon.request(method, path, headers=bearer(secret), content=b"not json")
            assert response.status_code == 403, (method, path)
        assert anon.get("/api-keys/999/usage", headers={**bearer(sb.store.create_key(
            "Billing", ["billing:read"])[1])}, params={"days": 0}).status_code == 403

    def test_404_before_400(self, admin: httpx.Client) -> None:
        assert admin.patch("/api-keys/999", content=b"not json").status_code == 404
        assert admin.get("/api-keys/999/usage", params={"days": 0}).status_code == 404

    def test_400_before_the_permission_escalation_403(self, sb: Sandbox, anon: httpx.Client) -> None:
        _, secret = sb.store.create_key("Manager", ["keys:manage"])
        response = anon.post("/api-keys", headers=bearer(secret),
                             json={"name": "", "permissions": ["billing:read"]})
        assert response.status_code == 400

    def test_escalation_403_before_409(self, sb: Sandbox, anon: httpx.Client) -> None:
        _, secret = sb.store.create_key("Manager", ["keys:manage"])
        _fill_to_limit(sb)  # now 26 active: over the limit already
        response = anon.post("/api-keys", headers=bearer(secret),
                             json={"name": "x", "permissions": ["billing:read"]})
        assert response.status_code == 403 and response.json() == ACCESS_DENIED
        assert anon.post("/api-keys", headers=bearer(secret), json={"name": ""}).status_code == 400
        assert anon.post("/api-keys", headers=bearer(secret), json={"name": "x"}).status_code == 409
