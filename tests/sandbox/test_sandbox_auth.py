"""Authentication and the endpoint permission: the documented 401 and 403 bodies."""

from __future__ import annotations

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import ACCESS_DENIED, AUTH_REQUIRED, INVALID_KEY, RATE_HEADERS, bearer, unknown_secret


def test_no_authorization_header_is_authentication_required(anon: httpx.Client) -> None:
    response = anon.get("/domains")
    assert response.status_code == 401
    assert response.json() == AUTH_REQUIRED
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("header", [
    "Bearer",
    "Bearer myssl_k_",
    "Bearer myssl_k_abc-def",
    "Bearer myssl_k_abc def",
    "Bearer other_k_abcdef",
    "Bearer MYSSL_K_abcdef",
    "Basic myssl_k_abcdef",
    "Token myssl_k_abcdef",
    "myssl_k_abcdef",
    "Bearer myssl_k_äbc",
])
def test_malformed_credentials_are_authentication_required(anon: httpx.Client, header: str) -> None:
    response = anon.get("/domains", headers={"Authorization": header.encode("utf-8")})
    assert response.status_code == 401
    assert response.json() == AUTH_REQUIRED


def test_a_well_formed_unknown_key_is_invalid(anon: httpx.Client) -> None:
    response = anon.get("/domains", headers=bearer(unknown_secret()))
    assert response.status_code == 401
    assert response.json() == INVALID_KEY
    # Short keys of the documented form are well formed too.
    assert anon.get("/domains", headers=bearer("myssl_k_A1")).json() == INVALID_KEY


def test_a_401_carries_no_rate_limit_headers(anon: httpx.Client) -> None:
    response = anon.get("/domains", headers=bearer(unknown_secret()))
    assert not any(h in response.headers for h in RATE_HEADERS)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_the_scheme_word_is_case_insensitive(sb: Sandbox, anon: httpx.Client, scheme: str) -> None:
    response = anon.get("/api-keys/current", headers={"Authorization": f"{scheme} {sb.admin_key}"})
    assert response.status_code == 200
    assert response.json()["api_key"]["name"] == "Sandbox admin"


def test_a_revoked_key_is_invalid_and_not_counted(sb: Sandbox, anon: httpx.Client,
                                                  admin: httpx.Client) -> None:
    key_id, secret = sb.store.create_key("Old", ["domains:read"])
    assert anon.get("/domains", headers=bearer(secret)).status_code == 200
    assert admin.post(f"/api-keys/{key_id}/revoke").status_code == 200
    before = admin.get(f"/api-keys/{key_id}").json()["api_key"]
    response = anon.get("/domains", headers=bearer(secret))
    assert response.status_code == 401
    assert response.json() == INVALID_KEY
    after = admin.get(f"/api-keys/{key_id}").json()["api_key"]
    assert after["request_count"] == before["request_count"] == 1


def test_missing_permission_is_access_denied(sb: Sandbox, anon: httpx.Client) -> None:
    _, secret = sb.store.create_key("Reader", ["domains:read"])
    for method, path in [("GET", "/api-keys"), ("GET", "/api-keys/1"), ("POST", "/api-keys"),
                         ("GET", "/api-keys/usage"), ("GET", "/api-keys/1/usage"),
                         ("PATCH", "/api-keys/1"), ("POST", "/api-keys/1/regenerate"),
                         ("POST", "/api-keys/1/revoke"), ("GET", "/billing/usage")]:
        response = anon.request(method, path, headers=bearer(secret), json={"name": "x"})
        assert response.status_code == 403, (method, path)
        assert response.json() == ACCESS_DENIED


def test_keys_read_does_not_allow_managing(sb: Sandbox, anon: httpx.Client) -> None:
    _, secret = sb.store.create_key("Viewer", ["keys:read"])
    assert anon.get("/api-keys", headers=bearer(secret)).status_code == 200
    assert anon.post("/api-keys", headers=bearer(secret), json={"name": "x"}).status_code == 403
    _, domains_only = sb.store.create_key("Domains", ["billing:read"])
    assert anon.get("/domains", headers=bearer(domains_only)).json() == ACCESS_DENIED


def test_current_needs_only_a_valid_key(sb: Sandbox, anon: httpx.Client) -> None:
    key_id, secret = sb.store.create_key("Billing only", ["billing:read"])
    response = anon.get("/api-keys/current", headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["api_key"]["id"] == key_id
    assert response.json()["api_key"]["permissions"] == ["billing:read"]
