"""Unknown paths, non-integer ids and wrong methods."""

from __future__ import annotations

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import AUTH_REQUIRED, RATE_HEADERS


@pytest.mark.parametrize("path", [
    "/nope",
    "/api-keys/abc",
    "/api-keys/1.5",
    "/api-keys/-1",
    "/api-keys/ 1",
    "/api-keys/abc/revoke",
    "/api-keys/abc/usage",
    "/api-keys/1/nope",
    "/api-keys/99999999999999999999999",
    "/api-keys/",
    "/domains/1",
])
def test_unknown_paths_and_non_integer_ids_are_not_found(admin: httpx.Client, path: str) -> None:
    response = admin.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "Not found"
    assert response.headers["content-type"] == "application/json"


def test_paths_outside_the_api_root_are_not_found(sb: Sandbox, admin: httpx.Client) -> None:
    root = sb.base_url.removesuffix("/api/v1")
    for url in (root + "/", root + "/api/v2/domains", root + "/domains"):
        response = admin.get(url)
        assert response.status_code == 404
        assert response.json()["error"] == "Not found"


def test_a_missing_key_is_not_found(admin: httpx.Client) -> None:
    for method, path in [("GET", "/api-keys/999"), ("GET", "/api-keys/999/usage"),
                         ("PATCH", "/api-keys/999"), ("POST", "/api-keys/999/regenerate"),
                         ("POST", "/api-keys/999/revoke")]:
        response = admin.request(method, path, json={"name": "x"})
        assert response.status_code == 404, (method, path)
        assert response.json() == {"error": "Not found",
                                   "message": "No API key with id 999 in this account"}


@pytest.mark.parametrize(("method", "path"), [
    ("DELETE", "/api-keys/1"),
    ("PUT", "/api-keys/1"),
    ("POST", "/api-keys/1"),
    ("PUT", "/api-keys"),
    ("DELETE", "/api-keys"),
    ("POST", "/domains"),
    ("PATCH", "/api-keys/current"),
    ("POST", "/api-keys/usage"),
    ("GET", "/api-keys/1/revoke"),
    ("GET", "/api-keys/1/regenerate"),
    ("POST", "/api-keys/1/usage"),
    ("POST", "/billing/usage"),
    ("OPTIONS", "/domains"),
])
def test_a_wrong_method_on_a_known_path_is_405(admin: httpx.Client, method: str, path: str) -> None:
    response = admin.request(method, path)
    assert response.status_code == 405
    body = response.json()
    assert body["error"] == "Method not allowed" and body["message"]
    assert "Allow" in response.headers


def test_head_is_405_without_a_body(admin: httpx.Client) -> None:
    response = admin.head("/domains")
    assert response.status_code == 405
    assert response.content == b""
    assert admin.get("/domains").status_code == 200  # the connection is still framed right


def test_api_keys_usage_is_the_batch_endpoint_not_an_id(sb: Sandbox, admin: httpx.Client) -> None:
    response = admin.get("/api-keys/usage")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body["usage"], list) and "pagination" in body
    assert response.json()["usage"][0]["api_key_id"] == admin.get("/api-keys/current").json()["api_key"]["id"]


def test_not_found_and_405_carry_the_rate_limit_headers(admin: httpx.Client) -> None:
    for response in (admin.get("/nope"), admin.delete("/api-keys"), admin.get("/api-keys/12345")):
        assert all(h in response.headers for h in RATE_HEADERS)


def test_authentication_comes_before_routing(anon: httpx.Client) -> None:
    for method, path in [("GET", "/nope"), ("DELETE", "/api-keys"), ("GET", "/api-keys/abc")]:
        response = anon.request(method, path)
        assert response.status_code == 401
        assert response.json() == AUTH_REQUIRED
