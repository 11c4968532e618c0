"""The response parser meets garbage: it ends in BadResponse, never a crash or a hang."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myssl_desktop.api import BadResponse, parse_rate_limit
from myssl_desktop.api import parse as p

VALID_KEY = {
    "id": 7, "name": "Production Server", "prefix": "myssl_k_a1b2",
    "permissions": ["domains:read", "keys:read"], "status": "active",
    "created_at": "2025-01-12T10:30:00Z", "last_used_at": None, "request_count": 10,
    "requests_24h": 2, "expires_at": None, "revoked_at": "2025-01-12T10:30:00",
}
PAGINATION = {"page": 1, "per_page": 20, "total": 1, "pages": 1, "has_next": False, "has_prev": False}
BUILDERS = [p.api_key_envelope, p.created_key_envelope, p.current_key_envelope, p.usage_envelope,
            p.api_key_page, p.usage_page, p.domain_page, p.billing_envelope, p.key_clients_envelope]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children,
                                                                       max_size=6),
    max_leaves=30)


def _parse_or_bad(body: bytes, build: Any) -> None:
    try:
        p.parse_body(body, build)
    except BadResponse as error:
        assert str(error)


@settings(max_examples=300, deadline=None)
@given(body=st.binary(max_size=300), build=st.sampled_from(BUILDERS))
def test_random_bytes(body: bytes, build: Any) -> None:
    _parse_or_bad(body, build)


@settings(max_examples=300, deadline=None)
@given(value=json_values, build=st.sampled_from(BUILDERS))
def test_random_json(value: Any, build: Any) -> None:
    _parse_or_bad(json.dumps(value).encode(), build)


@settings(max_examples=300, deadline=None)
@given(field=st.sampled_from(sorted(VALID_KEY)), replacement=json_values | st.just("__missing__"))
def test_one_field_of_a_key_broken(field: str, replacement: Any) -> None:
    key = dict(VALID_KEY)
    if replacement == "__missing__":
        del key[field]
    else:
        key[field] = replacement
    body = json.dumps({"api_keys": [key], "pagination": PAGINATION}).encode()
    _parse_or_bad(body, p.api_key_page)


def test_a_valid_page_parses() -> None:
    body = json.dumps({"api_keys": [VALID_KEY], "pagination": PAGINATION}).encode()
    page = p.parse_body(body, p.api_key_page)
    assert page.items[0].name == "Production Server"
    assert page.items[0].revoked_at is not None and page.items[0].revoked_at.tzinfo is not None


@pytest.mark.parametrize("body", [
    b"[" * 200_000 + b"]" * 200_000,
    b'{"api_keys": [' + b'{"a": 1},' * 100 + b"",
    b" " * (p.MAX_BODY_BYTES + 1),
    json.dumps({"api_keys": [VALID_KEY] * 50_000, "pagination": 5}).encode(),
])
def test_huge_deep_and_cut_bodies(body: bytes) -> None:
    with pytest.raises(BadResponse):
        p.parse_body(body, p.api_key_page)


def test_a_secret_that_is_not_a_key_is_refused() -> None:
    body = json.dumps({"api_key": VALID_KEY, "secret": "<html>"}).encode()
    with pytest.raises(BadResponse):
        p.parse_body(body, p.created_key_envelope)


@given(headers=st.dictionaries(st.sampled_from(["x-ratelimit-limit", "x-ratelimit-remaining",
                                                "x-ratelimit-reset", "x-daily-limit",
                                                "x-daily-remaining"]), st.text(max_size=8)))
def test_rate_limit_headers_never_crash(headers: dict[str, str]) -> None:
    result = parse_rate_limit(headers)
    assert result is None or isinstance(result.minute_limit, int)
