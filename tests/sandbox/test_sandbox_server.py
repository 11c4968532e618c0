"""The Sandbox object: lifecycle, keep-alive, counters, persistence in a data dir."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import INVALID_KEY, bearer, create


def test_base_url_and_admin_key(sb: Sandbox) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/v1", sb.base_url)
    assert sb.port > 0
    assert re.fullmatch(r"myssl_k_[a-z0-9]{40}", sb.admin_key)


def test_the_admin_key_holds_every_permission(admin: httpx.Client) -> None:
    key = admin.get("/api-keys/current").json()["api_key"]
    assert key["name"] == "Sandbox admin"
    assert key["permissions"] == ["domains:read", "domains:write", "scans:write", "billing:read",
                                  "keys:read", "keys:manage"]
    assert admin.get("/api-keys").json()["pagination"]["total"] == 1  # nothing else without seed


def test_keep_alive_reuses_one_connection(sb: Sandbox, admin: httpx.Client) -> None:
    responses = [admin.get("/domains"), admin.post("/api-keys", json={"name": "k"}),
                 admin.get("/nope"), admin.patch("/api-keys/999", json={"name": "x"}),
                 admin.get("/api-keys")]
    assert [r.status_code for r in responses] == [200, 201, 404, 404, 200]
    assert all(r.http_version == "HTTP/1.1" for r in responses)
    assert sb.connections_opened == 1
    assert sb.requests_served == 5


def test_separate_clients_open_separate_connections(sb: Sandbox, make_client) -> None:
    for _ in range(3):
        make_client(sb, sb.admin_key).get("/domains")
    assert sb.connections_opened == 3 and sb.requests_served == 3


def test_stop_closes_the_port_and_the_database_even_with_idle_connections(make_client,
                                                                          clock) -> None:
    sb = Sandbox(clock=clock).start()
    client = make_client(sb, sb.admin_key)
    assert client.get("/domains").status_code == 200  # leaves an idle keep-alive connection
    started = time.monotonic()
    sb.stop()
    assert time.monotonic() - started < 2
    assert sb.store.closed
    with pytest.raises(httpx.TransportError):
        httpx.get(sb.base_url + "/domains", headers=bearer(sb.admin_key), timeout=2)
    sb.stop()  # twice is fine
    with pytest.raises(RuntimeError):
        sb.start()


def test_context_manager(clock) -> None:
    with Sandbox(clock=clock) as sb:
        url = sb.base_url
        assert httpx.get(url + "/domains", headers=bearer(sb.admin_key)).status_code == 200
    assert sb.store.closed


def test_unknown_tier_or_seed_is_refused() -> None:
    with pytest.raises(ValueError):
        Sandbox(tier="gold")
    with pytest.raises(ValueError):
        Sandbox(seed="lots")


def test_a_data_dir_survives_a_restart(tmp_path: Path, clock, make_client) -> None:
    first = Sandbox(data_dir=tmp_path, clock=clock).start()
    old_admin = first.admin_key
    made = create(make_client(first, first.admin_key), "Persistent", permissions=["domains:read"])
    first.stop()
    assert (tmp_path / "sandbox.sqlite3").is_file()

    second = Sandbox(data_dir=tmp_path, clock=clock).start()
    try:
        client = make_client(second, second.admin_key)
        keys = client.get("/api-keys").json()["api_keys"]
        assert [k["name"] for k in keys] == ["Persistent", "Sandbox admin"]
        persistent = keys[0]
        assert persistent == made["api_key"]  # unchanged, timestamps included
        # The old secrets: the created key's still works, the old admin secret was replaced.
        assert client.get("/domains", headers=bearer(made["secret"])).status_code == 200
        assert client.get("/domains", headers=bearer(old_admin)).json() == INVALID_KEY
        assert second.admin_key != old_admin
        admin_key = client.get("/api-keys/current").json()["api_key"]
        assert admin_key["name"] == "Sandbox admin" and admin_key["id"] == keys[1]["id"]
    finally:
        second.stop()


def test_only_hashes_are_stored(tmp_path: Path, clock, make_client) -> None:
    sb = Sandbox(data_dir=tmp_path, clock=clock).start()
    made = create(make_client(sb, sb.admin_key), "Secretive")
    sb.stop()
    db = sqlite3.connect(tmp_path / "sandbox.sqlite3")
    dump = "\n".join(db.iterdump())
    db.close()
    assert made["secret"] not in dump and sb.admin_key not in dump
    assert made["secret"][:12] in dump  # the prefix is kept


def test_a_revoked_admin_key_is_replaced_on_restart(tmp_path: Path, clock, make_client) -> None:
    first = Sandbox(data_dir=tmp_path, clock=clock).start()
    client = make_client(first, first.admin_key)
    me = client.get("/api-keys/current").json()["api_key"]["id"]
    client.post(f"/api-keys/{me}/revoke")
    first.stop()
    with Sandbox(data_dir=tmp_path, clock=clock) as second:
        response = httpx.get(second.base_url + "/api-keys/current", headers=bearer(second.admin_key))
        assert response.status_code == 200 and response.json()["api_key"]["id"] != me


def test_the_demo_seed_is_not_repeated_on_restart(tmp_path: Path, clock) -> None:
    with Sandbox(data_dir=tmp_path, seed="demo", clock=clock) as first:
        count = first.store.list_keys()[1]
        domains = first.store.list_domains()[1]
    with Sandbox(data_dir=tmp_path, seed="demo", clock=clock) as second:
        assert second.store.list_keys()[1] == count
        assert second.store.list_domains()[1] == domains
