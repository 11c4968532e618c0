"""Contract v1.1 through `MysslClient`: a key's clients and an expiry chosen at creation,
against the sandbox over HTTP, and against a sandbox serving v1.0 (an older server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from myssl_desktop.api import (
    BadResponse,
    ClientsNotReported,
    ConnectionPool,
    InvalidRequest,
    KeyClient,
    MysslClient,
    NotFound,
    RetryPolicy,
)
from myssl_desktop.api import parse as p
from myssl_desktop.api.transport import USER_AGENT
from myssl_desktop.sandbox import Sandbox


@pytest.fixture
def old_sandbox() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise", api_version="1.0") as sb:
        yield sb


def test_a_keys_clients_name_the_address_and_user_agent_that_used_it(client: MysslClient, sandbox: Sandbox,
                                                                    pool: ConnectionPool) -> None:
    created = client.create_key("Used twice", ["domains:read"])
    with httpx.Client(base_url=sandbox.base_url, headers={"User-Agent": "python-requests/2.32.3"}) as other:
        other.get("/domains", headers={"Authorization": f"Bearer {created.secret.reveal()}"})
    MysslClient(sandbox.base_url, created.secret, pool=pool).list_domains(per_page=1)

    seen = client.key_clients(created.api_key.id, hours=2)
    assert seen.hours == 2
    assert {(c.address, c.user_agent, c.requests) for c in seen.clients} == {
        ("127.0.0.1", "python-requests/2.32.3", 1), ("127.0.0.1", USER_AGENT, 1)}
    assert seen.clients[0].user_agent == USER_AGENT, "most recent first"
    assert all(isinstance(c, KeyClient) and c.first_seen <= c.last_seen for c in seen.clients)
    assert client.key_clients(created.api_key.id).hours == 24


def test_clients_of_an_unknown_key_or_out_of_range_hours(client: MysslClient) -> None:
    with pytest.raises(NotFound):
        client.key_clients(987654)
    own = client.current().api_key.id
    with pytest.raises(InvalidRequest, match="hours"):
        client.key_clients(own, hours=721)


def test_a_server_before_v1_1_does_not_report_clients(old_sandbox: Sandbox, pool: ConnectionPool) -> None:
    client = MysslClient(old_sandbox.base_url, old_sandbox.admin_key, pool=pool, retry=RetryPolicy(attempts=1))
    own = client.current().api_key.id
    with pytest.raises(NotFound):
        client.key_clients(987654)  # an unknown key is still that
    with pytest.raises(ClientsNotReported) as caught:
        client.key_clients(own)
    assert "does not report clients" in str(caught.value)
    assert not isinstance(caught.value, NotFound), "callers treat NotFound as a key gone"
    served = old_sandbox.requests_served
    with pytest.raises(ClientsNotReported):
        client.key_clients(own)
    assert old_sandbox.requests_served == served, "known by now: no second probe"


def test_a_key_created_with_an_expiry(client: MysslClient) -> None:
    when = datetime.now(UTC) + timedelta(days=30, microseconds=250_000)
    created = client.create_key("Contractor", ["domains:read"], expires_at=when)
    assert created.api_key.status == "expiring"
    assert created.api_key.expires_at == when.replace(microsecond=0)
    with pytest.raises(InvalidRequest, match="future"):
        client.create_key("Too late", ["domains:read"], expires_at=datetime.now(UTC) - timedelta(minutes=1))


def test_create_against_a_server_before_v1_1(old_sandbox: Sandbox, pool: ConnectionPool) -> None:
    client = MysslClient(old_sandbox.base_url, old_sandbox.admin_key, pool=pool)
    plain = client.create_key("Plain", ["domains:read"])
    assert (plain.api_key.status, plain.api_key.expires_at) == ("active", None)
    asked = client.create_key("Asked for an expiry", ["domains:read"],
                              expires_at=datetime.now(UTC) + timedelta(days=1))
    assert asked.api_key.expires_at is None, "an old server ignores it: the caller must look"


# --- parsing, as strict as the rest ------------------------------------------------------------

CLIENT = {"address": "203.0.113.7", "user_agent": "curl/8.5.0", "first_seen": "2025-01-13T09:12:40Z",
          "last_seen": "2025-01-14T08:02:11Z", "requests": 3}


def _parse(body: Any) -> Any:
    return p.parse_body(json.dumps(body).encode(), p.key_clients_envelope)


def test_a_documented_answer_parses() -> None:
    parsed = _parse({"clients": [CLIENT, {**CLIENT, "address": "2001:db8::1", "user_agent": ""}], "hours": 24})
    assert parsed.hours == 24
    assert parsed.clients[0] == KeyClient("203.0.113.7", "curl/8.5.0", datetime(2025, 1, 13, 9, 12, 40, tzinfo=UTC),
                                          datetime(2025, 1, 14, 8, 2, 11, tzinfo=UTC), 3)
    assert parsed.clients[1].user_agent == ""


@pytest.mark.parametrize("body", [
    {"clients": [{**CLIENT, "address": "not an address\x1b[2J"}], "hours": 24},
    {"clients": [{**CLIENT, "address": 2130706433}], "hours": 24},
    {"clients": [{**CLIENT, "user_agent": None}], "hours": 24},
    {"clients": [{**CLIENT, "requests": 0}], "hours": 24},
    {"clients": [{**CLIENT, "requests": True}], "hours": 24},
    {"clients": [{**CLIENT, "last_seen": "yesterday"}], "hours": 24},
    {"clients": [{k: v for k, v in CLIENT.items() if k != "first_seen"}], "hours": 24},
    {"clients": [CLIENT], "hours": 0},
    {"clients": [CLIENT]},
    {"clients": {"0": CLIENT}, "hours": 24},
    {"usage": []},
    [CLIENT],
])
def test_anything_off_the_shape_is_a_bad_response(body: Any) -> None:
    with pytest.raises(BadResponse):
        _parse(body)
