"""Where Schemathesis (tests/contract/test_schemathesis.py) found the sandbox and the OpenAPI
document disagreeing; one regression test for each, over real HTTP."""

from __future__ import annotations

import http.client
import json
import re
import unicodedata
from importlib import resources
from urllib.parse import urlsplit

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox
from myssl_desktop.sandbox.params import WHITE_SPACE

from .helpers import RATE_HEADERS, create

DOCUMENT = json.loads(resources.files("myssl_desktop.api").joinpath("openapi.json").read_text(encoding="utf-8"))
SCHEMAS = DOCUMENT["components"]["schemas"]


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "CONNECT", "BREW", "DELETE"])
def test_any_other_method_on_a_known_path_answers_the_documented_405(sb: Sandbox, method: str) -> None:
    url = urlsplit(sb.base_url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request(method, url.path + "/api-keys", headers={"Authorization": f"Bearer {sb.admin_key}"})
    response = connection.getresponse()
    body = json.loads(response.read())
    connection.close()
    assert response.status == 405
    assert response.getheader("Content-Type", "").startswith("application/json")
    assert body["error"] == "Method not allowed"
    assert response.getheader("Allow") == "GET, POST"
    assert all(response.getheader(name) for name in RATE_HEADERS)


@pytest.mark.parametrize("digits", [13, 19, 30])
def test_page_and_per_page_take_integers_of_any_length(admin: httpx.Client, digits: int) -> None:
    huge = 10 ** (digits - 1)
    page = admin.get("/api-keys", params={"page": huge})
    assert page.status_code == 200, page.text
    assert page.json()["api_keys"] == [] and page.json()["pagination"]["page"] == huge
    per_page = admin.get("/api-keys/usage", params={"per_page": huge})
    assert per_page.status_code == 200, per_page.text
    assert per_page.json()["pagination"]["per_page"] == 100  # above 100 is treated as 100


def test_days_beyond_the_documented_maximum_is_400_whatever_its_length(admin: httpx.Client) -> None:
    key_id = admin.get("/api-keys/current").json()["api_key"]["id"]
    for days in (91, 10**12, 10**13, 10**30):
        response = admin.get(f"/api-keys/{key_id}/usage", params={"days": days})
        assert response.status_code == 400 and "between 1 and 90" in response.json()["message"]


@pytest.mark.parametrize("path", ["/api-keys", "/api-keys/usage"])
def test_an_empty_status_is_none_of_the_statuses(admin: httpx.Client, path: str) -> None:
    assert SCHEMAS["KeyStatus"]["enum"] == ["active", "expiring", "revoked"]
    response = admin.get(path, params={"status": ""})
    assert response.status_code == 400
    assert "status" in response.json()["message"]
    assert admin.get(path, params={"status": "active"}).status_code == 200


def test_a_permission_listed_twice_is_400(admin: httpx.Client) -> None:
    assert SCHEMAS["CreateApiKeyRequest"]["properties"]["permissions"]["uniqueItems"] is True
    before = admin.get("/api-keys").json()["pagination"]["total"]
    response = admin.post("/api-keys", json={"name": "Twice", "permissions": ["domains:read", "domains:read"]})
    assert response.status_code == 400
    assert "permissions" in response.json()["message"]
    assert admin.get("/api-keys").json()["pagination"]["total"] == before  # nothing created


@pytest.mark.parametrize("form", ["2025-01-16T12:00:00+05:00", "2025-01-16T12:00:00+00:00",
                                  "2025-01-16T12:00:00.5Z", "2025-01-16", "2025-01-16T12:00:00",
                                  "2025-01-16T12:00Z", "2025-01-16 12:00:00Z", "2025-01-16t12:00:00z"])
def test_expires_at_takes_only_the_documented_form(admin: httpx.Client, clock, form: str) -> None:
    pattern = SCHEMAS["UpdateApiKeyRequest"]["properties"]["expires_at"]["pattern"]
    assert not re.search(pattern, form)
    key = create(admin, "Expiring")["api_key"]
    response = admin.patch(f"/api-keys/{key['id']}", json={"expires_at": form})
    assert response.status_code == 400
    assert "2025-01-12T10:30:00Z" in response.json()["message"]
    assert admin.get(f"/api-keys/{key['id']}").json()["api_key"]["status"] == "active"
    assert re.search(pattern, "2025-01-16T12:00:00Z")
    assert admin.patch(f"/api-keys/{key['id']}", json={"expires_at": "2025-01-16T12:00:00Z"}).status_code == 200


def _white_space_to_python_or_ecmascript() -> set[str]:
    python = {chr(c) for c in range(0x110000) if chr(c).isspace()}
    # ECMAScript's \s: WhiteSpace (TAB, VT, FF, ZWNBSP, any Zs) and LineTerminator (LF, CR, LS, PS).
    ecmascript = set("\t\v\f\ufeff\n\r\u2028\u2029") | {chr(c) for c in range(0x110000)
                                                       if unicodedata.category(chr(c)) == "Zs"}
    return python | ecmascript


def test_the_sandbox_and_the_document_agree_on_white_space() -> None:
    assert set(WHITE_SPACE) == _white_space_to_python_or_ecmascript()
    for schema in ("CreateApiKeyRequest", "UpdateApiKeyRequest"):
        pattern = re.compile(SCHEMAS[schema]["properties"]["name"]["pattern"])
        blank = [c for c in WHITE_SPACE if pattern.search(c * 3)]
        assert blank == [], f"{schema}'s name pattern takes {blank!r} for a name"
        for name in ("x", "\u200b", "\x1b", "\u180e", " a "):  # not white space to either
            assert pattern.search(name), name


@pytest.mark.parametrize("name", ["\ufeff", "\x1c", "\x1f\x1e", "\x85", "\u3000", "\u2029", "\t \n"])
def test_a_name_of_white_space_only_is_400(admin: httpx.Client, name: str) -> None:
    response = admin.post("/api-keys", json={"name": name})
    assert response.status_code == 400
    assert "name" in response.json()["message"]


@pytest.mark.parametrize(("name", "stored"), [("\ufeffBuild\x1c", "Build"), ("\u200b", "\u200b"),
                                              ("\u3000Tokyo key\u3000", "Tokyo key")])
def test_names_are_trimmed_of_that_white_space_only(admin: httpx.Client, name: str, stored: str) -> None:
    assert create(admin, name)["api_key"]["name"] == stored
