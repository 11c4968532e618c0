"""The OpenAPI document of the API layer, checked three ways:
- the document is valid OpenAPI 3.1 and every example in it matches its own schema;
- `validate_response()` (openapi_doc.py) checks any body against the document;
- the local sandbox, over real HTTP, answers every documented operation with every documented
  status, in bodies and headers that match the document, and serves nothing undocumented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from openapi_spec_validator import validate as validate_openapi

from tests.contract.openapi_doc import (
    DOC_PATH,
    HTTP_METHODS,
    RATE_LIMIT_HEADERS,
    REAL_SECRET,
    at_pointer,
    follow,
    json_pointer,
    load_document,
    operations,
    schema_validator,
    validate_response,
    validate_response_headers,
)
from tests.contract.sandbox_scenarios import (
    OPERATIONS,
    SANDBOX_MISMATCHES,
    SCENARIOS,
    Scenario,
    World,
    sandbox_class,
    send,
    utc_text,
    valid_request,
)

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
        media = at_pointer(doc, media_pointer)
        schema = media_pointer + "/schema"
        if "example" in media:
            yield media_pointer + "/example", schema, media["example"]
        for name in media.get("examples", {}):
            _, example = follow(doc, media_pointer + json_pointer("examples", name))
            if "value" in example:
                yield media_pointer + json_pointer("examples", name), schema, example["value"]

    def response_examples(response_pointer: str) -> Iterator[tuple[str, str, Any]]:
        pointer, response = follow(doc, response_pointer)
        for media_type in response.get("content", {}):
            yield from media_examples(pointer + json_pointer("content", media_type))
        for name in response.get("headers", {}):
            yield from schema_holder_examples(pointer + json_pointer("headers", name))

    def schema_holder_examples(holder_pointer: str) -> Iterator[tuple[str, str, Any]]:
        """A parameter or header: `schema` plus `example`/`examples`."""
        pointer, holder = follow(doc, holder_pointer)
        if "schema" not in holder:
            return
        if "example" in holder:
            yield pointer + "/example", pointer + "/schema", holder["example"]
        for name in holder.get("examples", {}):
            _, example = follow(doc, pointer + json_pointer("examples", name))
            yield pointer + json_pointer("examples", name), pointer + "/schema", example["value"]

    for path, item in doc["paths"].items():
        for index, _ in enumerate(item.get("parameters", [])):
            yield from schema_holder_examples(json_pointer("paths", path, "parameters", str(index)))
        for method in HTTP_METHODS:
            if method not in item:
                continue
            op_pointer = json_pointer("paths", path, method)
            operation = item[method]
            for index, _ in enumerate(operation.get("parameters", [])):
                yield from schema_holder_examples(op_pointer + json_pointer("parameters", str(index)))
            if "requestBody" in operation:
                body_pointer, body = follow(doc, op_pointer + "/requestBody")
                for media_type in body.get("content", {}):
                    yield from media_examples(body_pointer + json_pointer("content", media_type))
            for status in operation["responses"]:
                yield from response_examples(op_pointer + json_pointer("responses", status))
    components = doc.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        for index, value in enumerate(schema.get("examples", [])):
            pointer = json_pointer("components", "schemas", name)
            yield f"{pointer}/examples/{index}", pointer, value
    for kind in ("parameters", "headers"):
        for name in components.get(kind, {}):
            yield from schema_holder_examples(json_pointer("components", kind, name))


def _unique_examples() -> list[Any]:
    seen: dict[str, Any] = {}
    for label, schema, value in _collect_examples(load_document()):
        seen.setdefault(label, pytest.param(schema, value, id=label))
    return list(seen.values())


@pytest.mark.parametrize(("schema_pointer", "value"), _unique_examples())
def test_example_matches_its_schema(schema_pointer: str, value: Any) -> None:
    schema_validator(load_document(), schema_pointer).validate(value)


def test_examples_are_many_and_cover_every_operation() -> None:
    doc = load_document()
    labels = [label for label, _, _ in _collect_examples(doc)]
    assert len(labels) > 60
    for path, method in operations(doc).values():
        assert any(label.startswith(json_pointer("paths", path, method)) for label in labels)


def test_every_response_has_examples() -> None:
    doc = load_document()
    for op_id, (path, method) in operations(doc).items():
        for status in doc["paths"][path][method]["responses"]:
            _, response = follow(doc, json_pointer("paths", path, method, "responses", status))
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
            _, response = follow(doc, json_pointer("paths", path, method, "responses", status))
            assert set(RATE_LIMIT_HEADERS) <= set(response["headers"]), (op_id, status)
        _, too_many = follow(doc, json_pointer("paths", path, method, "responses", "429"))
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
    with sandbox_class()(tier="enterprise") as sandbox:
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
    with sandbox_class()(tier="enterprise", clock=clock) as sandbox:
        w = World(sandbox)
        try:
            key, secret = w.create_key(["domains:read"])
            when = utc_text(datetime.fromtimestamp(clock.now, UTC) + timedelta(hours=1))
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
            schema_validator(doc, "/components/schemas/Error").validate(body)
    for path in ("/", "/api-keys/", "/api-keys/1/unknown", f"/api-keys/{victim}/usage/extra",
                 "/keys", "/domains/1/scans", "/billing"):
        response = world.request("GET", path)
        assert response.status_code == 404, f"GET {path} -> {response.status_code}"
        assert all(name in response.headers for name in RATE_LIMIT_HEADERS)
        assert response.json()["error"] == "Not found"
