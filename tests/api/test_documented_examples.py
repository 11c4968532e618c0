"""The client parses every success example in the OpenAPI document, and maps every
documented error example to its exception."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from myssl_desktop.api import parse

DOCUMENT = json.loads(resources.files("myssl_desktop.api").joinpath("openapi.json").read_text())
BUILDERS = {
    "listApiKeys": parse.api_key_page, "createApiKey": parse.created_key_envelope,
    "getCurrentApiKey": parse.current_key_envelope, "listApiKeyUsage": parse.usage_page,
    "getApiKey": parse.api_key_envelope, "updateApiKey": parse.api_key_envelope,
    "getApiKeyUsage": parse.usage_envelope, "getApiKeyClients": parse.key_clients_envelope,
    "regenerateApiKey": parse.created_key_envelope,
    "revokeApiKey": parse.api_key_envelope, "listDomains": parse.domain_page,
    "getBillingUsage": parse.billing_envelope,
}


def _examples(success: bool) -> list[tuple[str, str, str, Any]]:
    found = []
    for operations in DOCUMENT["paths"].values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                if status.startswith("2") != success or "$ref" in response:
                    continue
                content = response.get("content", {}).get("application/json", {})
                for name, example in content.get("examples", {}).items():
                    found.append((operation["operationId"], status, name, example["value"]))
    return found


SUCCESS = _examples(success=True)


def test_every_operation_has_a_success_example_and_a_parser() -> None:
    assert {op for op, *_ in SUCCESS} == set(BUILDERS)


@pytest.mark.parametrize(("operation", "status", "name", "body"), SUCCESS,
                         ids=[f"{o}-{n}" for o, _, n, _ in SUCCESS])
def test_success_examples_parse(operation: str, status: str, name: str, body: Any) -> None:
    model = parse.parse_body(json.dumps(body).encode(), BUILDERS[operation])
    assert model is not None
    if operation in ("createApiKey", "regenerateApiKey"):
        assert model.secret.reveal() == body["secret"]
        assert body["secret"] not in repr(model)


def test_error_bodies_are_recognised() -> None:
    envelopes = []
    for component in DOCUMENT["components"].get("responses", {}).values():
        content = component.get("content", {}).get("application/json", {})
        for example in content.get("examples", {}).values():
            if isinstance(example.get("value"), dict) and "error" in example["value"]:
                envelopes.append(example["value"])
    assert len(envelopes) >= 5
    for body in envelopes:
        assert parse.error_envelope(json.dumps(body).encode()) == (body["error"], body["message"])
