"""The OpenAPI document of the API layer (`myssl_desktop/api/openapi.json`).

Three things are checked:
- the document is valid OpenAPI 3.1 and every example in it matches its own schema;
- `validate_response()` checks any body against the schema the document gives for an
  operation and status;
- the local sandbox, over real HTTP, answers every documented operation with every documented
  status, in bodies and headers that match the document, and serves nothing undocumented.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_openapi
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOC_PATH = Path(__file__).resolve().parents[1] / "myssl_desktop" / "api" / "openapi.json"
DOC_URI = "urn:myssl-desktop:api:openapi"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
                      "X-Daily-Limit", "X-Daily-Remaining")
# Built in two halves so that this file never holds a string shaped like a real secret.
REAL_SECRET = re.compile("myssl_k_" + "[a-z0-9]{40}")


@functools.cache
def load_document() -> dict[str, Any]:
    return json.loads(DOC_PATH.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ document helpers


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _pointer(*tokens: str) -> str:
    return "".join("/" + _escape(t) for t in tokens)


def _at(doc: dict[str, Any], pointer: str) -> Any:
    node: Any = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def _follow(doc: dict[str, Any], pointer: str) -> tuple[str, Any]:
    """Follow OpenAPI `$ref`s (responses, headers, parameters, examples) to the real object."""
    node = _at(doc, pointer)
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        target = node["$ref"]
        if not target.startswith("#/") or target in seen:
            raise ValueError(f"unsupported or circular $ref {target!r} at {pointer}")
        seen.add(target)
        pointer = target[1:]
        node = _at(doc, pointer)
    return pointer, node


def _validator(doc: dict[str, Any], schema_pointer: str) -> Draft202012Validator:
    """A JSON Schema 2020-12 validator for the schema at `schema_pointer` in `doc`.

    The whole document is one resource of the registry, so the schema's `$ref`s
    (`#/components/schemas/...`) resolve against the document."""
    registry = Registry().with_resource(
        DOC_URI, Resource.from_contents(doc, default_specification=DRAFT202012))
    return Draft202012Validator(
        {"$ref": f"{DOC_URI}#{schema_pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _response_pointer(doc: dict[str, Any], path_template: str, method: str,
                      status: int | str) -> tuple[str, dict[str, Any]]:
    """The response object documented for this operation and status: the exact status,
    then its range (`4XX`), then `default`. Raises LookupError when none is documented."""
    method = method.lower()
    try:
        responses = doc["paths"][path_template][method]["responses"]
    except KeyError:
        raise LookupError(f"{method.upper()} {path_template} is not documented") from None
    code = str(status)
    for key in (code, code[0] + "XX", "default"):
        if key in responses:
            return _follow(doc, _pointer("paths", path_template, method, "responses", key))
    raise LookupError(f"{method.upper()} {path_template} documents no response for {code}")


def validate_response(doc: dict[str, Any], path_template: str, method: str, status: int | str,
                      body: Any, media_type: str = "application/json") -> None:
    """Validate a decoded response `body` against the schema `doc` documents for the operation
    `method path_template` and `status` (falling back to the status range, then `default`).

    Raises `jsonschema.ValidationError` on a mismatch and `LookupError` when the document has
    no such operation, response or media type."""
    pointer, response = _response_pointer(doc, path_template, method, status)
    content = response.get("content", {})
    if media_type not in content or "schema" not in content[media_type]:
        raise LookupError(f"{method.upper()} {path_template} {status}: no {media_type} schema")
    schema_pointer = pointer + _pointer("content", media_type, "schema")
    _validator(doc, schema_pointer).validate(body)


def validate_response_headers(doc: dict[str, Any], path_template: str, method: str,
                              status: int | str, headers: httpx.Headers) -> None:
    """Every header the response documents as required is present, and every documented
    header that is present matches its schema (headers are integers here)."""
    pointer, response = _response_pointer(doc, path_template, method, status)
    for name in response.get("headers", {}):
        header_pointer, header = _follow(doc, pointer + _pointer("headers", name))
        if name not in headers:
            assert not header.get("required"), f"required header {name} is missing"
            continue
        raw = headers[name]
        value: Any = raw
        if header["schema"].get("type") == "integer":
            assert re.fullmatch(r"-?[0-9]+", raw.strip()), f"{name}: {raw!r} is not an integer"
            value = int(raw)
        _validator(doc, header_pointer + "/schema").validate(value)


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (path template, method)."""
    found = {}
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found[item[method]["operationId"]] = (path, method)
    return found


# ------------------------------------------------------------------ the document itself


def test_document_is_valid_openapi_3_1() -> None:
    doc = load_document()
    assert doc["openapi"] == "3.1.0"
    validate_openapi(doc)


def test_document_is_json_with_two_space_indent() -> None:
    text = DOC_PATH.read_text(encoding="utf-8")
    canonical = json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert text == canonical, "write it with json.dumps(doc, indent=2, ensure_ascii=False)"


def test_document_holds_no_string_shaped_like_a_real_secret() -> None:
    assert not REAL_SECRET.search(DOC_PATH.read_text(encoding="utf-8"))


def test_server_and_security() -> None:
    doc = load_document()
    assert doc["servers"][0]["url"] == "https://myssl.info/api/v1"
    assert doc["security"] == [{"bearerAuth": []}]
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert scheme["bearerFormat"].startswith("myssl_k_")


def _collect_examples(doc: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(label, schema pointer, example value) for every example in the document."""

    def media_examples(media_pointer: str) -> Iterator[tuple[str, str, Any]]:
        media = _at(doc, media_pointer)
        schema = media_pointer + "/schema"
        if "example" in media:
            yield media_pointer + "/example", schema, media["example"]
        for name in media.get("examples", {}):
            _, example = _follow(doc, media_pointer + _pointer("examples", name))
            if "value" in example:
                yield media_pointer + _pointer("examples", name), schema, example["value"]

    def response_examples(response_pointer: str) -> Iterator[tuple[str, str, Any]]:
        pointer, response = _follow(doc, response_pointer)
        for media_type in response.get("content", {}):
            yield from media_examples(pointer + _pointer("content", media_type))
        for name in response.get("headers", {}):
            yield from schema_holder_examples(pointer + _pointer("headers", name))

    def schema_holder_examples(holder_pointer: str) -> Iterator[tuple[str, str, Any]]:
        """A parameter or header: `schema` plus `example`/`examples`."""
        pointer, holder = _follow(doc, holder_pointer)
        if "schema" not in holder:
            return
        if "example" in holder:
            yield pointer + "/example", pointer + "/schema", holder["example"]
        for name in holder.get("examples", {}):
            _, example = _follow(doc, pointer + _pointer("examples", name))
            yield pointer + _pointer("examples", name), pointer + "/schema", example["value"]

    for path, item in doc["paths"].items():
        for index, _ in enumerate(item.get("parameters", [])):
            yield from schema_holder_examples(_pointer("paths", path, "parameters", str(index)))
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_pointer = _pointer("paths", path, method)
            operation = item[method]
            for index, _ in enumerate(operation.get("parameters", [])):
                yield from schema_holder_examples(op_pointer + _pointer("parameters", str(index)))
            if "requestBody" in operation:
                body_pointer, body = _follow(doc, op_pointer + "/requestBody")
                for media_type in body.get("content", {}):
                    yield from media_examples(body_pointer + _pointer("content", media_type))
            for status in operation["responses"]:
                yield from response_examples(op_pointer + _pointer("responses", status))
    components = doc.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        for index, value in enumerate(schema.get("examples", [])):
            pointer = _pointer("components", "schemas", name)
            yield f"{pointer}/examples/{index}", pointer, value
    for kind in ("parameters", "headers"):
        for name in components.get(kind, {}):
            yield from schema_holder_examples(_pointer("components", kind, name))


def _unique_examples() -> list[Any]:
    seen: dict[str, Any] = {}
    for label, schema, value in _collect_examples(load_document()):
        seen.setdefault(label, pytest.param(schema, value, id=label))
    return list(seen.values())


@pytest.mark.parametrize(("schema_pointer", "value"), _unique_examples())
def test_example_matches_its_schema(schema_pointer: str, value: Any) -> None:
    _validator(load_document(), schema_pointer).validate(value)


def test_examples_are_many_and_cover_every_operation() -> None:
    doc = load_document()
    labels = [label for label, _, _ in _collect_examples(doc)]
    assert len(labels) > 60
    for path, method in operations(doc).values():
        assert any(label.startswith(_pointer("paths", path, method)) for label in labels)


def test_every_response_has_examples() -> None:
    doc = load_document()
    for op_id, (path, method) in operations(doc).items():
        for status in doc["paths"][path][method]["responses"]:
            _, response = _follow(doc, _pointer("paths", path, method, "responses", status))
            assert response.get("content"), f"{op_id} {status} has no content"
            for media_type, media in response["content"].items():
                assert media.get("examples") or "example" in media, \
                    f"{op_id} {status} {media_type} has no example"


def test_every_operation_documents_its_errors() -> None:
    doc = load_document()
    for op_id, (path, method) in operations(doc).items():
        statuses = set(doc["paths"][path][method]["responses"])
        assert {"401", "429", "default"} <= statuses, op_id
        assert statuses & {"200", "201"}, op_id
        permission = doc["paths"][path][method]["x-required-permission"]
        assert ("403" in statuses) == (permission is not None), op_id
        assert ("404" in statuses) == ("{id}" in path), op_id
        assert ("409" in statuses) == (op_id == "createApiKey"), op_id
        for status in statuses - {"default", "401"}:
            _, response = _follow(doc, _pointer("paths", path, method, "responses", status))
            assert set(RATE_LIMIT_HEADERS) <= set(response["headers"]), (op_id, status)
        _, too_many = _follow(doc, _pointer("paths", path, method, "responses", "429"))
        assert "Retry-After" in too_many["headers"]


def test_401_documents_both_bodies_as_named_examples() -> None:
    doc = load_document()
    examples = doc["components"]["responses"]["Unauthorized"]["content"][
        "application/json"]["examples"]
    errors = {example["value"]["error"] for example in examples.values()}
    assert errors == {"Authentication required", "Invalid API key"}


# ------------------------------------------------------------------ validate_response


API_KEY = {
    "id": 1, "name": "k", "prefix": "myssl_k_ab12", "permissions": ["domains:read"],
    "status": "active", "created_at": "2025-01-12T10:30:00Z", "last_used_at": None,
    "request_count": 0, "requests_24h": 0, "expires_at": None, "revoked_at": None,
}


def test_validate_response_accepts_a_documented_body() -> None:
    validate_response(load_document(), "/api-keys/{id}", "GET", 200, {"api_key": API_KEY})


@pytest.mark.parametrize("body", [
    {"api_key": {**API_KEY, "status": "disabled"}},
    {"api_key": {**API_KEY, "created_at": "2025-01-12 10:30:00"}},
    {"api_key": {**API_KEY, "prefix": "myssl_k_ab123"}},
    {"api_key": {**API_KEY, "permissions": ["domains:delete"]}},
    {"api_key": {**API_KEY, "extra": 1}},
    {"api_key": {k: v for k, v in API_KEY.items() if k != "revoked_at"}},
    {"api_key": API_KEY, "secret": "myssl_k_Abc"},  # only create and regenerate carry it
])
def test_validate_response_rejects_a_body_off_the_schema(body: dict[str, Any]) -> None:
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        validate_response(load_document(), "/api-keys/{id}", "GET", 200, body)


def test_validate_response_falls_back_to_default() -> None:
    doc = load_document()
    validate_response(doc, "/api-keys", "get", 503, {"anything": ["goes"]})
    validate_response(doc, "/api-keys", "get", 502, "<html>bad gateway</html>",
                      media_type="text/html")


def test_validate_response_raises_lookup_error_for_undocumented_operations() -> None:
    with pytest.raises(LookupError):
        validate_response(load_document(), "/api-keys", "delete", 200, {})
    with pytest.raises(LookupError):
        validate_response(load_document(), "/nowhere", "get", 200, {})


def test_validate_response_pins_error_titles() -> None:
    from jsonschema import ValidationError

    doc = load_document()
    validate_response(doc, "/api-keys/{id}", "get", 404,
                      {"error": "Not found", "message": "No such key"})
    with pytest.raises(ValidationError):
        validate_response(doc, "/api-keys/{id}", "get", 404,
                          {"error": "Invalid request", "message": "No such key"})
    with pytest.raises(ValidationError):
        validate_response(doc, "/api-keys/{id}", "get", 401,
                          {"error": "Invalid API key", "message": "nope"})


# ------------------------------------------------------------------ against the sandbox

# Every operation the tests exercise: it must be exactly the document's operations.
OPERATIONS: dict[str, tuple[str, str]] = {
    "listApiKeys": ("/api-keys", "get"),
    "createApiKey": ("/api-keys", "post"),
    "getCurrentApiKey": ("/api-keys/current", "get"),
    "listApiKeyUsage": ("/api-keys/usage", "get"),
    "getApiKey": ("/api-keys/{id}", "get"),
    "updateApiKey": ("/api-keys/{id}", "patch"),
    "getApiKeyUsage": ("/api-keys/{id}/usage", "get"),
    "regenerateApiKey": ("/api-keys/{id}/regenerate", "post"),
    "revokeApiKey": ("/api-keys/{id}/revoke", "post"),
    "listDomains": ("/domains", "get"),
    "getBillingUsage": ("/billing/usage", "get"),
}

ALL_PERMISSIONS = ["domains:read", "domains:write", "scans:write", "billing:read", "keys:read",
                   "keys:manage"]
_names = itertools.count(1)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fake_key(body: str) -> str:
    return "myssl_k_" + body


class World:
    """One sandbox, an HTTP client, and keys made on demand through the API itself."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin: str = sandbox.admin_key
        self.http = httpx.Client(base_url=sandbox.base_url, timeout=15)
        self._keys: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {}
        self._victim: dict[str, Any] | None = None
        self.notes: dict[str, Any] = {}  # what a scenario's run leaves for its check

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, key: str | None = "admin", *,
                authorization: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if authorization is not None:
            headers["Authorization"] = authorization
        elif key is not None:
            headers["Authorization"] = "Bearer " + (self.admin if key == "admin" else key)
        return self.http.request(method.upper(), path, headers=headers, **kwargs)

    def create_key(self, permissions: list[str] | None = None,
                   name: str | None = None) -> tuple[dict[str, Any], str]:
        body: dict[str, Any] = {"name": name or f"test key {next(_names)}"}
        if permissions is not None:
            body["permissions"] = permissions
        response = self.request("POST", "/api-keys", json=body)
        assert response.status_code == 201, response.text
        return response.json()["api_key"], response.json()["secret"]

    def key_with(self, *permissions: str) -> str:
        """The secret of a key holding exactly `permissions` (made once per world)."""
        if permissions not in self._keys:
            self._keys[permissions] = self.create_key(list(permissions))
        return self._keys[permissions][1]

    def key_lacking(self, permission: str) -> str:
        """A key without `permission`: domains:read only, or keys:read only for domains."""
        return self.key_with("keys:read" if permission == "domains:read" else "domains:read")

    def victim(self) -> dict[str, Any]:
        """A spare key for requests that would change the key they name."""
        if self._victim is None:
            self._victim = self.create_key(["domains:read"], name="victim")[0]
        return self._victim

    def revoked(self) -> dict[str, Any]:
        key = self.create_key(["domains:read"])[0]
        response = self.request("POST", f"/api-keys/{key['id']}/revoke")
        assert response.status_code == 200, response.text
        return response.json()["api_key"]


def _sandbox_class() -> Any:
    from myssl_desktop.sandbox import Sandbox

    return Sandbox


@pytest.fixture
def world() -> Iterator[World]:
    """A fresh enterprise sandbox seeded with the demo data."""
    with _sandbox_class()(tier="enterprise", seed="demo") as sandbox:
        w = World(sandbox)
        try:
            yield w
        finally:
            w.close()


@pytest.fixture
def full_world(world: World) -> World:
    """An enterprise sandbox whose account holds `max_active_keys` active keys."""
    world.notes["escalator"] = world.key_with("domains:read", "keys:manage")
    made = 0
    while made < 30:
        response = world.request("POST", "/api-keys",
                                 json={"name": f"filler {made}", "permissions": ["domains:read"]})
        if response.status_code == 409:
            break
        assert response.status_code == 201, response.text
        made += 1
    listing = world.request("GET", "/api-keys", params={"per_page": 100}).json()
    active = [k for k in listing["api_keys"] if k["status"] in ("active", "expiring")]
    limit = world.request("GET", "/api-keys/current").json()["account"]["max_active_keys"]
    assert limit == 25
    assert len(active) == limit
    return world


@pytest.fixture
def limited_world() -> Iterator[World]:
    """A free-tier sandbox whose admin key has used its 10 requests of this minute."""
    with _sandbox_class()(tier="free", seed="demo") as sandbox:
        w = World(sandbox)
        try:
            w.victim()  # one request with the admin key
            w.notes["observer"] = w.key_with("keys:read")  # a second admin request
            answered = 2
            while answered < 12:
                response = w.request("GET", "/api-keys/current")
                if response.status_code == 429:
                    break
                assert response.status_code == 200, response.text
                answered += 1
            assert answered == 10, f"the free tier allowed {answered} requests in a minute"
            yield w
        finally:
            w.close()


Request = tuple[str, str, dict[str, Any]]


# The body or query that makes each operation's request valid (beyond the path).
VALID_REQUEST_OPTIONS: dict[str, dict[str, Any]] = {
    "createApiKey": {"json": {"name": "probe", "permissions": ["domains:read"]}},
    "listApiKeyUsage": {"params": {"days": 7}},
    "updateApiKey": {"json": {"name": "renamed"}},
    "getApiKeyUsage": {"params": {"days": 7}},
}


def valid_request(op_id: str, w: World, key_id: int | str | None = None) -> Request:
    """A request a key with every permission would have answered with success; `{id}` is
    `key_id` or else the world's victim key."""
    path, method = OPERATIONS[op_id]
    if "{id}" in path:
        path = path.replace("{id}", str(w.victim()["id"] if key_id is None else key_id))
    return method.upper(), path, VALID_REQUEST_OPTIONS.get(op_id, {})


def send(w: World, request: Request, key: str | None = "admin", **extra: Any) -> httpx.Response:
    method, path, kwargs = request
    return w.request(method, path, key, **{**kwargs, **extra})


@dataclass(frozen=True)
class Scenario:
    op_id: str
    status: int
    variant: str
    run: Callable[[World], httpx.Response]
    check: Callable[[World, httpx.Response], None] | None = None
    world: str = "world"  # the fixture the scenario runs in
    valid_key: bool = True  # a valid key made the request: rate-limit headers are owed

    @property
    def id(self) -> str:
        return f"{self.op_id}-{self.status}-{self.variant}"


# --- checks of what the contract promises beyond the schema


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def check_list_order(w: World, r: httpx.Response) -> None:
    keys = r.json()["api_keys"]
    order = [(k["created_at"], k["id"]) for k in keys]
    assert order == sorted(order, reverse=True), "lists are newest first"
    assert r.json()["pagination"]["pages"] >= 1


def check_per_page_clamped(w: World, r: httpx.Response) -> None:
    assert r.json()["pagination"]["per_page"] == 100


def check_status_filter(w: World, r: httpx.Response) -> None:
    keys = r.json()["api_keys"]
    assert keys and all(k["status"] == "revoked" for k in keys)


def check_search(w: World, r: httpx.Response) -> None:
    names = [k["name"] for k in r.json()["api_keys"]]
    assert names and all("needle" in n.lower() for n in names)


def check_current(w: World, r: httpx.Response) -> None:
    body = r.json()
    assert body["account"] == {"tier": "enterprise", "daily_limit": 1_000_000,
                               "minute_limit": 3000, "max_active_keys": 25}
    assert body["api_key"]["permissions"] == ALL_PERMISSIONS
    assert body["api_key"]["last_used_at"] is not None, "the current request counts"
    assert body["api_key"]["request_count"] >= 1


def check_usage(w: World, r: httpx.Response) -> None:
    usage = r.json()["usage"]
    assert usage["api_key_id"] == w.victim()["id"]
    dates = [d["date"] for d in usage["days"]]
    assert len(dates) == 7 and dates == sorted(dates) and dates[-1] == _today()
    assert len(set(dates)) == 7
    assert usage["total"] == sum(d["requests"] for d in usage["days"])


def check_usage_list(w: World, r: httpx.Response) -> None:
    listing = w.request("GET", "/api-keys", params={"per_page": 5}).json()
    usage = r.json()["usage"]
    assert [u["api_key_id"] for u in usage] == [k["id"] for k in listing["api_keys"]]
    assert r.json()["pagination"] == listing["pagination"]
    assert all(len(u["days"]) == 3 and u["days"][-1]["date"] == _today() for u in usage)


def check_created(w: World, r: httpx.Response) -> None:
    body = r.json()
    secret, key = body["secret"], body["api_key"]
    assert REAL_SECRET.fullmatch(secret), "a real secret is myssl_k_ + 40 of [a-z0-9]"
    assert key["prefix"] == secret[:12]
    assert key["name"] == "Staging monitor", "names are trimmed"
    assert key["permissions"] == ["domains:read", "keys:read"], "listed in the table's order"
    assert (key["status"], key["request_count"], key["last_used_at"]) == ("active", 0, None)
    current = w.request("GET", "/api-keys/current", secret)
    assert current.status_code == 200 and current.json()["api_key"]["id"] == key["id"]


def check_created_with_callers_permissions(w: World, r: httpx.Response) -> None:
    assert r.json()["api_key"]["permissions"] == ["billing:read", "keys:manage"]


def check_renamed(w: World, r: httpx.Response) -> None:
    assert r.json()["api_key"]["name"] == "renamed victim"


def check_scheduled(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "expiring" and key["expires_at"] is not None


def check_cancelled(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "active" and key["expires_at"] is None


def check_regenerated(w: World, r: httpx.Response) -> None:
    before, (key, secret) = w.notes["regenerate_before"], (r.json()["api_key"], r.json()["secret"])
    old_key, old_secret = before
    assert REAL_SECRET.fullmatch(secret) and secret != old_secret
    assert key["prefix"] == secret[:12]
    for field in ("id", "name", "permissions", "created_at", "expires_at", "status",
                  "last_used_at", "request_count", "requests_24h"):
        assert key[field] == old_key[field], field
    assert w.request("GET", "/api-keys/current", secret).status_code == 200
    old = w.request("GET", "/api-keys/current", old_secret)
    assert old.status_code == 401 and old.json()["error"] == "Invalid API key"


def run_regenerate(w: World) -> httpx.Response:
    key, secret = w.create_key(["domains:read", "keys:read"])
    assert w.request("GET", "/api-keys/current", secret).status_code == 200  # counters move
    schedule = _utc(datetime.now(UTC) + timedelta(days=3))
    patched = w.request("PATCH", f"/api-keys/{key['id']}", json={"expires_at": schedule})
    w.notes["regenerate_before"] = (patched.json()["api_key"], secret)
    return w.request("POST", f"/api-keys/{key['id']}/regenerate")


def run_revoke(w: World) -> httpx.Response:
    key, secret = w.create_key(["domains:read"])
    schedule = _utc(datetime.now(UTC) + timedelta(days=3))
    w.request("PATCH", f"/api-keys/{key['id']}", json={"expires_at": schedule})
    w.notes["revoked_secret"] = secret
    return w.request("POST", f"/api-keys/{key['id']}/revoke")


def check_revoked(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "revoked" and key["revoked_at"] is not None
    assert key["expires_at"] is None, "revoke clears expires_at"
    again = w.request("POST", f"/api-keys/{key['id']}/revoke")
    assert again.status_code == 200 and again.json() == r.json(), "revoke is idempotent"
    denied = w.request("GET", "/api-keys/current", w.notes["revoked_secret"])
    assert denied.status_code == 401 and denied.json()["error"] == "Invalid API key"


def check_domains(w: World, r: httpx.Response) -> None:
    assert r.json()["domains"], "the demo seed creates a handful of domains"


def check_billing(w: World, r: httpx.Response) -> None:
    data = r.json()["data"]
    assert data["tier"] == "enterprise"
    assert (data["daily_limit"], data["minute_limit"]) == (1_000_000, 3000)


def check_error(title: str) -> Callable[[World, httpx.Response], None]:
    def check(w: World, r: httpx.Response) -> None:
        assert r.json()["error"] == title

    return check


def check_still_counted(permission_key: Callable[[World], str]) -> Callable[..., None]:
    """A 403 still counts as a use of the key: its counters moved before the answer."""

    def check(w: World, r: httpx.Response) -> None:
        me = w.request("GET", "/api-keys/current", permission_key(w)).json()["api_key"]
        assert me["request_count"] >= 2 and me["last_used_at"] is not None

    return check


# --- the scenario table


def _success_scenarios() -> list[Scenario]:
    def get(path: str, **kw: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("GET", path, **kw)

    def on_victim(method: str, suffix: str = "", **kw: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request(method, f"/api-keys/{w.victim()['id']}{suffix}", **kw)

    def revoked_then(w: World) -> httpx.Response:
        w.revoked()
        return w.request("GET", "/api-keys", params={"status": "revoked"})

    def search(w: World) -> httpx.Response:
        w.create_key(["domains:read"], name="A NeEdLe in a haystack")
        return w.request("GET", "/api-keys", params={"search": "needle"})

    def schedule(w: World) -> httpx.Response:
        when = _utc(datetime.now(UTC) + timedelta(days=7))
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", json={"expires_at": when})

    def cancel(w: World) -> httpx.Response:
        assert schedule(w).status_code == 200
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", json={"expires_at": None})

    def create_default(w: World) -> httpx.Response:
        caller = w.key_with("billing:read", "keys:manage")
        return w.request("POST", "/api-keys", caller, json={"name": "inherits"})

    def search_prefix(w: World) -> httpx.Response:
        key, _ = w.create_key(["domains:read"])
        w.notes["searched"] = key
        return w.request("GET", "/api-keys", params={"search": key["prefix"].upper()})

    def check_search_prefix(w: World, r: httpx.Response) -> None:
        ids = [k["id"] for k in r.json()["api_keys"]]
        assert w.notes["searched"]["id"] in ids

    def check_empty(w: World, r: httpx.Response) -> None:
        assert r.json()["api_keys"] == []
        assert r.json()["pagination"] == {"page": 1, "per_page": 20, "total": 0, "pages": 1,
                                          "has_next": False, "has_prev": False}

    def check_default_days(w: World, r: httpx.Response) -> None:
        days = r.json()["usage"]["days"]
        assert len(days) == 30 and days[-1]["date"] == _today()

    def revoke_self(w: World) -> httpx.Response:
        key, secret = w.create_key(["keys:manage"])
        w.notes["revoked_secret"] = secret
        return w.request("POST", f"/api-keys/{key['id']}/revoke", secret)

    def check_self_revoked(w: World, r: httpx.Response) -> None:
        assert r.json()["api_key"]["status"] == "revoked"
        denied = w.request("GET", "/api-keys/current", w.notes["revoked_secret"])
        assert denied.status_code == 401 and denied.json()["error"] == "Invalid API key"

    def usage_list(w: World) -> httpx.Response:
        w.victim()
        return w.request("GET", "/api-keys/usage", params={"days": 3, "per_page": 5})

    return [
        Scenario("listApiKeys", 200, "plain", get("/api-keys"), check_list_order),
        Scenario("listApiKeys", 200, "per_page-over-100",
                 get("/api-keys", params={"per_page": 500}), check_per_page_clamped),
        Scenario("listApiKeys", 200, "status-filter", revoked_then, check_status_filter),
        Scenario("listApiKeys", 200, "search", search, check_search),
        Scenario("listApiKeys", 200, "search-prefix", search_prefix, check_search_prefix),
        Scenario("listApiKeys", 200, "nothing-matches",
                 get("/api-keys", params={"search": "no key is called this"}), check_empty),
        Scenario("getCurrentApiKey", 200, "admin", get("/api-keys/current"), check_current),
        Scenario("getCurrentApiKey", 200, "lowercase-bearer",
                 lambda w: w.request("GET", "/api-keys/current",
                                     authorization="bearer " + w.admin)),
        Scenario("listApiKeyUsage", 200, "page", usage_list, check_usage_list),
        Scenario("getApiKey", 200, "victim", on_victim("GET")),
        Scenario("getApiKey", 200, "revoked",
                 lambda w: w.request("GET", f"/api-keys/{w.revoked()['id']}")),
        Scenario("getApiKeyUsage", 200, "week", on_victim("GET", "/usage", params={"days": 7}),
                 check_usage),
        Scenario("getApiKeyUsage", 200, "default-30-days", on_victim("GET", "/usage"),
                 check_default_days),
        Scenario("createApiKey", 201, "explicit-permissions",
                 lambda w: w.request("POST", "/api-keys", json={
                     "name": "  Staging monitor ", "permissions": ["keys:read", "domains:read"]}),
                 check_created),
        Scenario("createApiKey", 201, "caller-permissions", create_default,
                 check_created_with_callers_permissions),
        Scenario("updateApiKey", 200, "rename",
                 on_victim("PATCH", json={"name": "renamed victim"}), check_renamed),
        Scenario("updateApiKey", 200, "schedule-revoke", schedule, check_scheduled),
        Scenario("updateApiKey", 200, "cancel-revoke", cancel, check_cancelled),
        Scenario("regenerateApiKey", 200, "keeps-fields", run_regenerate, check_regenerated),
        Scenario("revokeApiKey", 200, "idempotent", run_revoke, check_revoked),
        Scenario("revokeApiKey", 200, "itself", revoke_self, check_self_revoked),
        Scenario("listDomains", 200, "demo-seed", get("/domains"), check_domains),
        Scenario("getBillingUsage", 200, "enterprise", get("/billing/usage"), check_billing),
    ]


def _auth_scenarios() -> list[Scenario]:
    out = []
    malformed = {
        "no-header": None,
        "not-a-myssl-key": "Bearer sk_live_abc123",
        "empty-body": "Bearer " + _fake_key(""),
        "bad-characters": "Bearer " + _fake_key("abc-def"),
        "basic-scheme": "Basic dXNlcjpwYXNz",
    }
    for op_id in OPERATIONS:
        for variant, header in malformed.items():
            def run(w: World, op_id: str = op_id, header: str | None = header) -> httpx.Response:
                request = valid_request(op_id, w)
                if header is None:
                    return send(w, request, key=None)
                return send(w, request, authorization=header)

            out.append(Scenario(op_id, 401, "malformed-" + variant, run,
                                check_error("Authentication required"), valid_key=False))

        def unknown(w: World, op_id: str = op_id) -> httpx.Response:
            return send(w, valid_request(op_id, w), key=_fake_key("x" * 40))

        def revoked(w: World, op_id: str = op_id) -> httpx.Response:
            key, secret = w.create_key(ALL_PERMISSIONS)
            assert w.request("POST", f"/api-keys/{key['id']}/revoke").status_code == 200
            return send(w, valid_request(op_id, w), key=secret)

        out.append(Scenario(op_id, 401, "invalid-unknown", unknown,
                            check_error("Invalid API key"), valid_key=False))
        out.append(Scenario(op_id, 401, "invalid-revoked", revoked,
                            check_error("Invalid API key"), valid_key=False))
    return out


def _permission_scenarios() -> list[Scenario]:
    doc = load_document()
    out = []
    for op_id, (path, method) in OPERATIONS.items():
        permission = doc["paths"][path][method].get("x-required-permission")
        if permission is None:
            continue

        def run(w: World, op_id: str = op_id, permission: str = permission) -> httpx.Response:
            return send(w, valid_request(op_id, w), key=w.key_lacking(permission))

        def lacking(w: World, permission: str = permission) -> str:
            return w.key_lacking(permission)

        out.append(Scenario(op_id, 403, "lacks-" + permission, run,
                            check_still_counted(lacking)))

    def before_not_found(w: World) -> httpx.Response:
        return w.request("GET", "/api-keys/987654", w.key_lacking("keys:read"))

    out.append(Scenario("getApiKey", 403, "before-404", before_not_found,
                        check_error("Access denied")))

    def beyond(w: World) -> httpx.Response:
        caller = w.key_with("domains:read", "keys:manage")
        return w.request("POST", "/api-keys", caller,
                         json={"name": "escalate", "permissions": ["billing:read"]})

    out.append(Scenario("createApiKey", 403, "beyond-callers-permissions", beyond,
                        check_error("Access denied")))
    return out


def _not_found_scenarios() -> list[Scenario]:
    out = []
    for op_id, (path, _) in OPERATIONS.items():
        if "{id}" not in path:
            continue
        for variant, key_id in (("unknown-id", "987654"), ("non-integer-id", "abc")):
            def run(w: World, op_id: str = op_id, key_id: str = key_id) -> httpx.Response:
                return send(w, valid_request(op_id, w, key_id))

            out.append(Scenario(op_id, 404, variant, run, check_error("Not found")))
    out.append(Scenario("updateApiKey", 404, "before-400",
                        lambda w: w.request("PATCH", "/api-keys/987654", json={}),
                        check_error("Not found")))
    out.append(Scenario("getApiKeyUsage", 404, "before-400",
                        lambda w: w.request("GET", "/api-keys/987654/usage",
                                            params={"days": 0}),
                        check_error("Not found")))
    return out


def _bad_request_scenarios() -> list[Scenario]:
    def post_raw(content: bytes) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("POST", "/api-keys", content=content,
                                   headers={"Content-Type": "application/json"})

    def create(body: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("POST", "/api-keys", json=body)

    def patch(body: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("PATCH", f"/api-keys/{w.victim()['id']}", json=body)

    def patch_revoked(w: World) -> httpx.Response:
        return w.request("PATCH", f"/api-keys/{w.revoked()['id']}", json={"name": "again"})

    def patch_raw(w: World) -> httpx.Response:
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", content=b"name=x",
                         headers={"Content-Type": "application/json"})

    def regenerate_revoked(w: World) -> httpx.Response:
        return w.request("POST", f"/api-keys/{w.revoked()['id']}/regenerate")

    def key_usage(days: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("GET", f"/api-keys/{w.victim()['id']}/usage",
                                   params={"days": days})

    past = _utc(datetime.now(UTC) - timedelta(days=1))
    invalid = check_error("Invalid request")
    scenarios = [
        ("createApiKey", "not-json", post_raw(b"{name: nope")),
        ("createApiKey", "not-an-object", create(["name"])),
        ("createApiKey", "no-name", create({"permissions": ["domains:read"]})),
        ("createApiKey", "empty-name", create({"name": ""})),
        ("createApiKey", "blank-name", create({"name": "   "})),
        ("createApiKey", "name-101-chars", create({"name": "n" * 101})),
        ("createApiKey", "name-not-string", create({"name": 42})),
        ("createApiKey", "unknown-permission", create({"name": "x",
                                                       "permissions": ["domains:delete"]})),
        ("createApiKey", "empty-permissions", create({"name": "x", "permissions": []})),
        ("createApiKey", "before-escalation-403",
         lambda w: w.request("POST", "/api-keys", w.key_with("domains:read", "keys:manage"),
                             json={"name": "", "permissions": ["billing:read"]})),
        ("updateApiKey", "not-json", patch_raw),
        ("updateApiKey", "empty-body", patch({})),
        ("updateApiKey", "unknown-field", patch({"name": "x", "permissions": ["keys:read"]})),
        ("updateApiKey", "empty-name", patch({"name": ""})),
        ("updateApiKey", "name-101-chars", patch({"name": "n" * 101})),
        ("updateApiKey", "expires-in-past", patch({"expires_at": past})),
        ("updateApiKey", "expires-not-timestamp", patch({"expires_at": "tomorrow"})),
        ("updateApiKey", "revoked-key", patch_revoked),
        ("regenerateApiKey", "revoked-key", regenerate_revoked),
        ("getApiKeyUsage", "days-0", key_usage(0)),
        ("getApiKeyUsage", "days-91", key_usage(91)),
        ("getApiKeyUsage", "days-not-integer", key_usage("week")),
        ("listApiKeyUsage", "days-0",
         lambda w: w.request("GET", "/api-keys/usage", params={"days": 0})),
        ("listApiKeyUsage", "days-91",
         lambda w: w.request("GET", "/api-keys/usage", params={"days": 91})),
        ("listApiKeys", "page-0", lambda w: w.request("GET", "/api-keys", params={"page": 0})),
        ("listApiKeys", "unknown-status",
         lambda w: w.request("GET", "/api-keys", params={"status": "deleted"})),
        ("listApiKeys", "per-page-0",
         lambda w: w.request("GET", "/api-keys", params={"per_page": 0})),
        ("listApiKeyUsage", "unknown-status",
         lambda w: w.request("GET", "/api-keys/usage", params={"status": "deleted"})),
        ("listDomains", "unknown-status",
         lambda w: w.request("GET", "/domains", params={"status": "broken"})),
        ("listDomains", "page-not-integer",
         lambda w: w.request("GET", "/domains", params={"page": "two"})),
    ]
    return [Scenario(op_id, 400, variant, run, invalid) for op_id, variant, run in scenarios]


def _key_limit_scenarios() -> list[Scenario]:
    def create(w: World) -> httpx.Response:
        return w.request("POST", "/api-keys", json={"name": "one too many"})

    def regenerate_at_limit(w: World) -> httpx.Response:
        # regenerate never changes the count: it still succeeds when the account is full
        listing = w.request("GET", "/api-keys", params={"status": "active"}).json()
        target = listing["api_keys"][0]["id"]
        return w.request("POST", f"/api-keys/{target}/regenerate")

    def escalate_at_limit(w: World) -> httpx.Response:
        # the caller's own key is made before the account is full (see full_world)
        return w.request("POST", "/api-keys", w.notes["escalator"],
                         json={"name": "escalate", "permissions": ["billing:read"]})

    return [
        Scenario("createApiKey", 409, "25-active-keys", create,
                 check_error("Key limit reached"), world="full_world"),
        Scenario("createApiKey", 400, "before-409",
                 lambda w: w.request("POST", "/api-keys", json={"name": " "}),
                 check_error("Invalid request"), world="full_world"),
        Scenario("createApiKey", 403, "escalation-before-409", escalate_at_limit,
                 check_error("Access denied"), world="full_world"),
        Scenario("regenerateApiKey", 200, "at-key-limit", regenerate_at_limit,
                 world="full_world"),
    ]


def _admin_row(w: World, observer: str) -> dict[str, Any]:
    listing = w.request("GET", "/api-keys", observer, params={"per_page": 100}).json()
    (row,) = [k for k in listing["api_keys"] if k["prefix"] == w.admin[:12]]
    return row


def _rate_limit_scenarios() -> list[Scenario]:
    def run(w: World, op_id: str) -> httpx.Response:
        return send(w, valid_request(op_id, w))

    def check(w: World, r: httpx.Response) -> None:
        assert r.json()["error"] == "Rate limit exceeded"
        assert int(r.headers["X-RateLimit-Remaining"]) == 0
        assert int(r.headers["X-RateLimit-Limit"]) == 10
        retry_after = int(r.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        now = datetime.now(UTC).timestamp()
        assert abs(int(r.headers["X-RateLimit-Reset"]) - (now + retry_after)) <= 2
        # a 429 counts as a use of the key (not toward the window)
        observer = w.notes["observer"]
        before = _admin_row(w, observer)["request_count"]
        assert send(w, valid_request("getCurrentApiKey", w)).status_code == 429
        assert _admin_row(w, observer)["request_count"] == before + 1

    return [Scenario(op_id, 429, "free-tier-minute", functools.partial(run, op_id=op_id), check,
                     world="limited_world")
            for op_id in OPERATIONS]


SCENARIOS: list[Scenario] = [
    *_success_scenarios(),
    *_auth_scenarios(),
    *_permission_scenarios(),
    *_not_found_scenarios(),
    *_bad_request_scenarios(),
    *_key_limit_scenarios(),
    *_rate_limit_scenarios(),
]

# Scenarios where the sandbox departs from the contract (myssl-api.md): the contract wins,
# so the scenario is expected to fail until the sandbox is fixed. id -> what differs.
SANDBOX_MISMATCHES: dict[str, str] = {}


def _documented_statuses(doc: dict[str, Any]) -> set[tuple[str, int]]:
    return {(op_id, int(status))
            for op_id, (path, method) in operations(doc).items()
            for status in doc["paths"][path][method]["responses"] if status != "default"}


def test_operation_table_is_the_documents() -> None:
    assert operations(load_document()) == OPERATIONS


def test_scenarios_cover_every_documented_status_and_nothing_else() -> None:
    exercised = {(s.op_id, s.status) for s in SCENARIOS}
    assert exercised == _documented_statuses(load_document())
    ids = [s.id for s in SCENARIOS]
    assert len(ids) == len(set(ids))
    assert set(SANDBOX_MISMATCHES) <= set(ids)


def _scenario_params() -> list[Any]:
    params = []
    for s in SCENARIOS:
        marks = []
        if s.id in SANDBOX_MISMATCHES:
            marks.append(pytest.mark.xfail(reason=SANDBOX_MISMATCHES[s.id], strict=True))
        params.append(pytest.param(s, id=s.id, marks=marks))
    return params


@pytest.mark.parametrize("scenario", _scenario_params())
def test_sandbox_answers_as_documented(scenario: Scenario, request: pytest.FixtureRequest) -> None:
    w: World = request.getfixturevalue(scenario.world)
    doc = load_document()
    path, method = OPERATIONS[scenario.op_id]
    response = scenario.run(w)
    assert response.status_code == scenario.status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    validate_response(doc, path, method, response.status_code, body)
    validate_response_headers(doc, path, method, response.status_code, response.headers)
    if scenario.valid_key:
        for name in RATE_LIMIT_HEADERS:
            assert re.fullmatch(r"[0-9]+", response.headers.get(name, "")), name
    if scenario.check is not None:
        scenario.check(w, response)


@pytest.mark.parametrize("fault", ["500", "502", "503"])
@pytest.mark.parametrize("op_id", list(OPERATIONS))
def test_server_faults_match_the_default_response(op_id: str, fault: str) -> None:
    doc = load_document()
    path, method = OPERATIONS[op_id]
    with _sandbox_class()(tier="enterprise") as sandbox:
        w = World(sandbox)
        try:
            request = valid_request(op_id, w)
            sandbox.set_faults(fail_rate=1.0, kinds=[fault])
            response = send(w, request)
        finally:
            w.close()
    assert response.status_code == int(fault)
    media_type = response.headers["content-type"].split(";")[0].strip()
    body = response.json() if media_type == "application/json" else response.text
    validate_response(doc, path, method, response.status_code, body, media_type=media_type)
    validate_response_headers(doc, path, method, response.status_code, response.headers)


class _Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC).timestamp()

    def __call__(self) -> float:
        return self.now


def test_a_scheduled_revoke_takes_effect_as_documented() -> None:
    """When `expires_at` passes, the key is `revoked` with `revoked_at` equal to
    `expires_at`, and using it is `401 Invalid API key` (a fake clock moves time)."""
    doc = load_document()
    clock = _Clock()
    with _sandbox_class()(tier="enterprise", clock=clock) as sandbox:
        w = World(sandbox)
        try:
            key, secret = w.create_key(["domains:read"])
            when = _utc(datetime.fromtimestamp(clock.now, UTC) + timedelta(hours=1))
            scheduled = w.request("PATCH", f"/api-keys/{key['id']}", json={"expires_at": when})
            validate_response(doc, "/api-keys/{id}", "patch", 200, scheduled.json())
            assert scheduled.json()["api_key"]["status"] == "expiring"
            assert w.request("GET", "/domains", secret).status_code == 200
            clock.now += 2 * 3600
            denied = w.request("GET", "/domains", secret)
            assert denied.status_code == 401
            validate_response(doc, "/domains", "get", 401, denied.json())
            assert denied.json()["error"] == "Invalid API key"
            after = w.request("GET", f"/api-keys/{key['id']}")
            validate_response(doc, "/api-keys/{id}", "get", 200, after.json())
            expired = after.json()["api_key"]
            assert expired["status"] == "revoked"
            assert expired["revoked_at"] == expired["expires_at"] == when
        finally:
            w.close()


def test_rate_limit_headers_follow_the_window(world: World) -> None:
    first = world.request("GET", "/api-keys/current")
    second = world.request("GET", "/api-keys/current")
    assert int(first.headers["X-RateLimit-Limit"]) == 3000
    assert int(first.headers["X-Daily-Limit"]) == 1_000_000
    assert int(second.headers["X-RateLimit-Remaining"]) == \
        int(first.headers["X-RateLimit-Remaining"]) - 1
    assert int(second.headers["X-Daily-Remaining"]) == \
        int(first.headers["X-Daily-Remaining"]) - 1
    now = datetime.now(UTC).timestamp()
    assert now - 5 <= int(first.headers["X-RateLimit-Reset"]) <= now + 61


def _concrete(path_template: str, key_id: int) -> str:
    return path_template.replace("{id}", str(key_id))


def test_sandbox_serves_exactly_the_documented_routes(world: World) -> None:
    """Every documented path and method is served (not 404 or 405); every other method on a
    documented path answers 405 Method not allowed (404 where the path also reads as
    `/api-keys/{id}` with a non-integer id); paths the document lacks answer 404."""
    doc = load_document()
    victim = world.victim()["id"]
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    documented = {(path, method.upper()) for path, method in operations(doc).values()}
    # the revoke goes last: it changes the key the other requests name
    ordered = sorted(doc["paths"], key=lambda p: p.endswith("/revoke"))
    for path in ordered:
        concrete = _concrete(path, victim)
        ambiguous = path in ("/api-keys/current", "/api-keys/usage")
        for method in methods:
            kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
            response = world.request(method, concrete, **kwargs)
            label = f"{method} {concrete} -> {response.status_code} {response.text[:200]}"
            for name in RATE_LIMIT_HEADERS:
                assert re.fullmatch(r"[0-9]+", response.headers.get(name, "")), (name, label)
            if (path, method) in documented:
                assert response.status_code not in (404, 405), label
                continue
            allowed = (404, 405) if ambiguous else (405,)
            assert response.status_code in allowed, label
            body = response.json()
            if response.status_code == 405:
                assert body["error"] == "Method not allowed", label
            _validator(doc, "/components/schemas/Error").validate(body)
    for path in ("/", "/api-keys/", "/api-keys/1/unknown", f"/api-keys/{victim}/usage/extra",
                 "/keys", "/domains/1/scans", "/billing"):
        response = world.request("GET", path)
        assert response.status_code == 404, f"GET {path} -> {response.status_code}"
        assert all(name in response.headers for name in RATE_LIMIT_HEADERS)
        assert response.json()["error"] == "Not found"
