"""The OpenAPI document of the API layer (`myssl_desktop/api/openapi.json`) and a validator
for bodies and headers against it: `validate_response()` checks a body against the schema the
document gives for an operation and status."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

DOC_PATH = Path(__file__).resolve().parents[2] / "myssl_desktop" / "api" / "openapi.json"
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


def escape_token(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def json_pointer(*tokens: str) -> str:
    return "".join("/" + escape_token(t) for t in tokens)


def at_pointer(doc: dict[str, Any], pointer: str) -> Any:
    node: Any = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


def follow(doc: dict[str, Any], pointer: str) -> tuple[str, Any]:
    """Follow OpenAPI `$ref`s (responses, headers, parameters, examples) to the real object."""
    node = at_pointer(doc, pointer)
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        target = node["$ref"]
        if not target.startswith("#/") or target in seen:
            raise ValueError(f"unsupported or circular $ref {target!r} at {pointer}")
        seen.add(target)
        pointer = target[1:]
        node = at_pointer(doc, pointer)
    return pointer, node


def schema_validator(doc: dict[str, Any], schema_pointer: str) -> Draft202012Validator:
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
            return follow(doc, json_pointer("paths", path_template, method, "responses", key))
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
    schema_pointer = pointer + json_pointer("content", media_type, "schema")
    schema_validator(doc, schema_pointer).validate(body)


def validate_response_headers(doc: dict[str, Any], path_template: str, method: str,
                              status: int | str, headers: httpx.Headers) -> None:
    """Every header the response documents as required is present, and every documented
    header that is present matches its schema (headers are integers here)."""
    pointer, response = _response_pointer(doc, path_template, method, status)
    for name in response.get("headers", {}):
        header_pointer, header = follow(doc, pointer + json_pointer("headers", name))
        if name not in headers:
            assert not header.get("required"), f"required header {name} is missing"
            continue
        raw = headers[name]
        value: Any = raw
        if header["schema"].get("type") == "integer":
            assert re.fullmatch(r"-?[0-9]+", raw.strip()), f"{name}: {raw!r} is not an integer"
            value = int(raw)
        schema_validator(doc, header_pointer + "/schema").validate(value)


def operations(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """operationId -> (path template, method)."""
    found = {}
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                found[item[method]["operationId"]] = (path, method)
    return found

