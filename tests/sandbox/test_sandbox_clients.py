"""Contract v1.1: who uses a key (`GET /api-keys/{id}/clients`) and expiry at creation, and a
sandbox that serves the contract as it was before them (`api_version="1.0"`)."""

from __future__ import annotations

import ipaddress
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import bearer, create, iso

REPO = Path(__file__).resolve().parents[2]
DOCUMENTATION_NETS = (ipaddress.ip_network("203.0.113.0/24"), ipaddress.ip_network("198.51.100.0/24"))


def _clients(admin: httpx.Client, key_id: int, **query: object) -> list[dict]:
    response = admin.get(f"/api-keys/{key_id}/clients", params=query)
    assert response.status_code == 200, response.text
    return response.json()["clients"]


def test_each_authenticated_request_records_its_address_and_user_agent(sb: Sandbox, admin: httpx.Client,
                                                                      anon: httpx.Client, clock) -> None:
    created = create(admin, "Used by two apps", permissions=["domains:read"])
    key_id, secret = created["api_key"]["id"], created["secret"]
    first = clock()
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "python-requests/2.32.3"})
    clock.advance(40)
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "python-requests/2.32.3"})
    clock.advance(20)
    anon.get("/api-keys", headers={**bearer(secret), "User-Agent": "curl/8.5.0"})  # a 403 counts too
    anon.get("/domains", headers={"Authorization": "Bearer myssl_k_unknown", "User-Agent": "evil/1"})

    body = admin.get(f"/api-keys/{key_id}/clients").json()
    assert body["hours"] == 24
    assert body["clients"] == [
        {"address": "127.0.0.1", "user_agent": "curl/8.5.0", "first_seen": iso(first + 60),
         "last_seen": iso(first + 60), "requests": 1},
        {"address": "127.0.0.1", "user_agent": "python-requests/2.32.3", "first_seen": iso(first),
         "last_seen": iso(first + 40), "requests": 2},
    ]


def test_a_request_without_a_user_agent_is_recorded_with_an_empty_one(sb: Sandbox, admin: httpx.Client) -> None:
    created = create(admin, "Bare", permissions=["domains:read"])
    with httpx.Client(base_url=sb.base_url, headers=bearer(created["secret"])) as bare:
        request = bare.build_request("GET", "/domains")
        del request.headers["User-Agent"]
        assert bare.send(request).status_code == 200
    assert [c["user_agent"] for c in _clients(admin, created["api_key"]["id"])] == [""]


def test_the_window_counts_only_its_hours(sb: Sandbox, admin: httpx.Client, anon: httpx.Client, clock) -> None:
    created = create(admin, "Old and new", permissions=["domains:read"])
    key_id, secret = created["api_key"]["id"], created["secret"]
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "old-app/1"})
    clock.advance(5 * 3600)
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "new-app/2"})
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "old-app/1"})

    recent = _clients(admin, key_id, hours=1)
    assert [(c["user_agent"], c["requests"]) for c in recent] == [("new-app/2", 1), ("old-app/1", 1)]
    assert recent[1]["first_seen"] == iso(clock())  # first use within the window, not ever
    assert [(c["user_agent"], c["requests"]) for c in _clients(admin, key_id, hours=6)] == \
        [("new-app/2", 1), ("old-app/1", 2)]
    clock.advance(720 * 3600)
    assert _clients(admin, key_id, hours=720) == []


def test_a_revoked_keys_clients_stay_readable(sb: Sandbox, admin: httpx.Client, anon: httpx.Client) -> None:
    created = create(admin, "Soon gone", permissions=["domains:read"])
    key_id, secret = created["api_key"]["id"], created["secret"]
    anon.get("/domains", headers={**bearer(secret), "User-Agent": "laptop/1"})
    assert admin.post(f"/api-keys/{key_id}/revoke").status_code == 200
    assert [c["user_agent"] for c in _clients(admin, key_id)] == ["laptop/1"]


def test_at_most_100_clients_most_recent_first(sb: Sandbox, admin: httpx.Client, anon: httpx.Client,
                                               clock) -> None:
    created = create(admin, "Popular", permissions=["domains:read"])
    for n in range(101):
        anon.get("/domains", headers={**bearer(created["secret"]), "User-Agent": f"app/{n}"})
        clock.advance(1)
    listed = _clients(admin, created["api_key"]["id"])
    assert len(listed) == 100
    assert [c["user_agent"] for c in listed] == [f"app/{n}" for n in range(100, 0, -1)]


@pytest.mark.parametrize("hours", ["0", "721", "-1", "day", ""])
def test_hours_out_of_range_is_invalid(admin: httpx.Client, hours: str) -> None:
    key_id = admin.get("/api-keys/current").json()["api_key"]["id"]
    response = admin.get(f"/api-keys/{key_id}/clients", params={"hours": hours})
    assert response.status_code == 400
    assert response.json()["error"] == "Invalid request"
    assert "hours" in response.json()["message"]


def test_an_unknown_key_is_404_before_a_bad_hours_and_keys_read_is_needed(sb: Sandbox, admin: httpx.Client,
                                                                         anon: httpx.Client) -> None:
    response = admin.get("/api-keys/987654/clients", params={"hours": 0})
    assert (response.status_code, response.json()["error"]) == (404, "Not found")
    reader = create(admin, "No keys:read", permissions=["domains:read"])["secret"]
    key_id = admin.get("/api-keys/current").json()["api_key"]["id"]
    denied = anon.get(f"/api-keys/{key_id}/clients", headers=bearer(reader))
    assert (denied.status_code, denied.json()["error"]) == (403, "Access denied")


def test_demo_keys_have_one_or_two_made_up_clients(make_sandbox, make_client) -> None:
    sb = make_sandbox(seed="demo")
    admin = make_client(sb, sb.admin_key)
    keys = {k["name"]: k for k in admin.get("/api-keys", params={"per_page": 100}).json()["api_keys"]}
    for name, key in keys.items():
        if name == "Sandbox admin":
            continue
        clients = _clients(admin, key["id"], hours=720)
        if name in ("Legacy Integration", "Analytics Export"):  # not used for months, never used
            assert clients == [], name
            continue
        assert 1 <= len(clients) <= 2, name
        for client in clients:
            assert any(ipaddress.ip_address(client["address"]) in net for net in DOCUMENTATION_NETS)
            assert client["user_agent"]
        if key["requests_24h"]:
            assert _clients(admin, key["id"]), f"{name} was used today, by someone"
    revoked = _clients(admin, keys["Dev Laptop"]["id"], hours=720)
    assert revoked and _clients(admin, keys["Dev Laptop"]["id"]) == []  # 20 days ago, not today


def test_traffic_comes_from_the_keys_made_up_clients(make_sandbox, make_client, clock) -> None:
    sb = make_sandbox(seed="demo", traffic=True)
    admin = make_client(sb, sb.admin_key)
    assert sb.traffic is not None
    before = {k: {(c["address"], c["user_agent"]) for c in _clients(admin, k, hours=720)}
              for k in sb._traffic_key_ids()}
    clock.advance(3600)
    moved: set[int] = set()
    for _ in range(10):
        moved |= set(sb.traffic.tick())
    assert moved
    for key_id in moved:
        now = _clients(admin, key_id, hours=1)
        assert now and {(c["address"], c["user_agent"]) for c in now} <= before[key_id]
        assert all(c["last_seen"] == iso(clock()) for c in now[:1])


# --- expiry at creation ------------------------------------------------------------------


def test_a_key_created_with_an_expiry_is_expiring_from_the_start(admin: httpx.Client, anon: httpx.Client,
                                                                 clock) -> None:
    when = iso(clock() + 30 * 86_400)
    created = create(admin, "Contractor", permissions=["domains:read"], expires_at=when)
    key = created["api_key"]
    assert (key["status"], key["expires_at"], key["revoked_at"]) == ("expiring", when, None)
    clock.advance(30 * 86_400)
    response = anon.get("/domains", headers=bearer(created["secret"]))
    assert response.status_code == 401 and response.json()["error"] == "Invalid API key"
    gone = admin.get(f"/api-keys/{key['id']}").json()["api_key"]
    assert (gone["status"], gone["revoked_at"]) == ("revoked", when)


@pytest.mark.parametrize(("offset", "text"), [
    (0, None),  # now is not in the future
    (-1, None),
    (3600, "{date}T{time}+00:00"),  # the one request form is ...Z
    (3600, "{date}T{time}.000Z"),
    (3600, "{date} {time}Z"),
    (3600, "{date}"),
])
def test_an_expiry_not_in_the_future_or_not_in_the_form_is_invalid(admin: httpx.Client, clock, offset: int,
                                                                   text: str | None) -> None:
    stamp = iso(clock() + offset)
    date, time = stamp[:10], stamp[11:19]
    value = stamp if text is None else text.format(date=date, time=time)
    response = admin.post("/api-keys", json={"name": "Bad expiry", "expires_at": value})
    assert response.status_code == 400, value
    assert response.json()["error"] == "Invalid request"
    assert "expires_at" in response.json()["message"]


@pytest.mark.parametrize("value", [None, 1_900_000_000, "", ["2030-01-01T00:00:00Z"]])
def test_an_expiry_that_is_not_a_timestamp_is_invalid(admin: httpx.Client, value: object) -> None:
    response = admin.post("/api-keys", json={"name": "Bad expiry", "expires_at": value})
    assert response.status_code == 400
    assert "expires_at" in response.json()["message"]


def test_a_bad_expiry_is_400_before_the_key_limit(sb: Sandbox, admin: httpx.Client, clock) -> None:
    for n in range(24):  # with the admin key: 25 active
        sb.store.create_key(f"filler {n}", ["domains:read"])
    assert admin.post("/api-keys", json={"name": "x"}).status_code == 409
    response = admin.post("/api-keys", json={"name": "x", "expires_at": iso(clock() - 1)})
    assert response.status_code == 400


# --- a server without the v1.1 additions ---------------------------------------------------


def test_a_v1_0_sandbox_has_no_clients_and_ignores_expiry_at_creation(make_sandbox, make_client, clock) -> None:
    sb = make_sandbox(tier="enterprise", api_version="1.0")
    admin = make_client(sb, sb.admin_key)
    key_id = admin.get("/api-keys/current").json()["api_key"]["id"]
    response = admin.get(f"/api-keys/{key_id}/clients")
    assert (response.status_code, response.json()["error"]) == (404, "Not found")
    assert "X-RateLimit-Limit" in response.headers
    created = create(admin, "Old server", expires_at=iso(clock() + 3600))
    assert (created["api_key"]["status"], created["api_key"]["expires_at"]) == ("active", None)
    assert admin.post("/api-keys", json={"name": "x", "expires_at": "yesterday"}).status_code == 201


def test_an_unknown_api_version_is_refused() -> None:
    with pytest.raises(ValueError, match="api_version"):
        Sandbox(api_version="2.0")


def test_the_command_line_serves_the_contract_version_asked_for() -> None:
    process = subprocess.Popen([sys.executable, "-m", "myssl_desktop.sandbox", "--api-version", "1.0"],
                               cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        with httpx.Client(base_url=info["base_url"], headers=bearer(info["admin_key"])) as admin:
            key_id = admin.get("/api-keys/current").json()["api_key"]["id"]
            assert admin.get(f"/api-keys/{key_id}/clients").status_code == 404
    finally:
        process.terminate()
        process.communicate(timeout=30)
    assert process.returncode == 0
