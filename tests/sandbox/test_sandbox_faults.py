"""Fault injection: status faults do not apply the request; resets and truncated answers
apply it and lose the answer; latency is slept after the action."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from myssl_desktop.sandbox import FAULT_KINDS, Sandbox
from myssl_desktop.sandbox.faults import FaultInjector


def _names(sb: Sandbox) -> list[str]:
    return [k.name for k in sb.store.list_keys()[0]]


def _admin_count(sb: Sandbox) -> int:
    key = sb.store.find_by_secret(sb.admin_key)
    assert key is not None
    return key.request_count


@pytest.mark.parametrize("kind", ["500", "503"])
def test_json_status_faults_do_not_apply_the_request(sb: Sandbox, admin: httpx.Client,
                                                     kind: str) -> None:
    sb.set_faults(fail_rate=1.0, kinds=[kind])
    response = admin.post("/api-keys", json={"name": "Never made"})
    assert response.status_code == int(kind)
    assert response.headers["content-type"] == "application/json"
    assert set(response.json()) == {"error", "message"}
    assert "Never made" not in _names(sb)
    assert _admin_count(sb) == 0  # not even counted: the request never reached the service


def test_a_502_is_a_proxy_html_page(sb: Sandbox, admin: httpx.Client) -> None:
    sb.set_faults(fail_rate=1.0, kinds=["502"])
    response = admin.post("/api-keys", json={"name": "Never made"})
    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert response.text.lstrip().startswith("<html>") and "Bad Gateway" in response.text
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert "Never made" not in _names(sb)


def test_a_reset_applies_the_request_and_loses_the_answer(sb: Sandbox, admin: httpx.Client) -> None:
    sb.set_faults(fail_rate=1.0, kinds=["reset"])
    with pytest.raises(httpx.TransportError):
        admin.post("/api-keys", json={"name": "Made in the dark"})
    assert "Made in the dark" in _names(sb)
    sb.set_faults(fail_rate=0.0)
    # The client recovers on a new connection.
    assert admin.get("/api-keys", params={"search": "dark"}).json()["pagination"]["total"] == 1


def test_a_truncated_answer_applies_the_request(sb: Sandbox, admin: httpx.Client) -> None:
    sb.set_faults(fail_rate=1.0, kinds=["truncated"])
    response = admin.post("/api-keys", json={"name": "Half an answer"})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    assert response.content.startswith(b'{"api_key": {')
    with pytest.raises(json.JSONDecodeError):
        response.json()
    assert "Half an answer" in _names(sb)
    sb.set_faults(fail_rate=0.0)
    assert admin.get("/domains").status_code == 200  # the connection stayed framed


def test_faults_set_in_the_constructor(make_sandbox, make_client) -> None:
    sb = make_sandbox(fail_rate=1.0, fault_seed=7)
    sb.set_faults(kinds=["503"])  # keeps the rate
    assert make_client(sb, sb.admin_key).get("/domains").status_code == 503


def test_no_faults_at_rate_zero(sb: Sandbox, admin: httpx.Client) -> None:
    sb.set_faults(fail_rate=0.0, kinds=FAULT_KINDS)
    assert {admin.get("/domains").status_code for _ in range(50)} == {200}


def test_seeded_faults_replay(make_sandbox, make_client) -> None:
    runs = []
    for _ in range(2):
        sb = make_sandbox(fail_rate=0.5, fault_seed=1234)
        sb.set_faults(kinds=["500", "502", "503"])
        client = make_client(sb, sb.admin_key)
        runs.append([client.get("/domains").status_code for _ in range(30)])
    assert runs[0] == runs[1]
    assert {200, 500, 502, 503} == set(runs[0])


def test_fail_rate_is_a_probability_over_the_allowed_kinds() -> None:
    injector = FaultInjector(fail_rate=0.3, seed=99)
    rolls = [injector.roll() for _ in range(10_000)]
    failures = [r for r in rolls if r is not None]
    assert 2_700 < len(failures) < 3_300
    assert set(failures) == set(FAULT_KINDS)
    injector.configure(kinds=["reset"])
    assert {injector.roll() for _ in range(1_000)} == {None, "reset"}


def test_bad_fault_settings_are_refused(sb: Sandbox) -> None:
    for kwargs in ({"kinds": ["404"]}, {"kinds": []}, {"fail_rate": 1.5}, {"latency_ms": -1}):
        with pytest.raises(ValueError):
            sb.set_faults(**kwargs)


def test_latency_is_slept_after_the_action(sb: Sandbox, make_client) -> None:
    sb.set_faults(latency_ms=5_000)
    impatient = make_client(sb, sb.admin_key, timeout=0.3)
    with pytest.raises(httpx.ReadTimeout):
        impatient.post("/api-keys", json={"name": "Slow create"})
    # The key exists although the answer never arrived: a client must reconcile.
    assert "Slow create" in _names(sb)


def test_latency_delays_the_answer(sb: Sandbox, admin: httpx.Client) -> None:
    sb.set_faults(latency_ms=120)
    started = time.monotonic()
    assert admin.get("/domains").status_code == 200
    assert time.monotonic() - started >= 0.12
    sb.set_faults(latency_ms=0)
