"""GET /domains (filters, pagination) and GET /billing/usage."""

from __future__ import annotations

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import ACCESS_DENIED, bearer

DOMAIN_FIELDS = {"id", "hostname", "port", "ssl_grade", "ssl_score", "certificate_expiry",
                 "days_until_expiry", "last_scan", "is_active", "monitoring_frequency", "created_at"}


@pytest.fixture
def domains(sb: Sandbox, clock) -> Sandbox:
    add = sb.store.add_domain
    add("example.com", ssl_grade="A+", ssl_score=98, certificate_expiry="2025-04-11",
        last_scan=clock() - 3600, created_at=clock() - 500)
    add("api.example.com", ssl_grade="A", ssl_score=92, certificate_expiry="2025-02-01",
        last_scan=clock() - 7200, created_at=clock() - 400)
    add("old.example.net", port=8443, ssl_grade="F", ssl_score=20, certificate_expiry="2025-01-10",
        last_scan=clock() - 7200, created_at=clock() - 300)
    add("paused.example.org", ssl_grade="a+", ssl_score=97, certificate_expiry="2025-06-01",
        last_scan=clock() - 7200, is_active=False, monitoring_frequency="weekly",
        created_at=clock() - 200)
    add("new.example.org", created_at=clock() - 100)  # never scanned
    return sb


def _hosts(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [d["hostname"] for d in response.json()["domains"]]


def test_without_seed_there_are_no_domains(admin: httpx.Client) -> None:
    assert admin.get("/domains").json() == {"domains": [], "pagination": {
        "page": 1, "per_page": 20, "total": 0, "pages": 1, "has_next": False, "has_prev": False}}


def test_the_domain_object(domains: Sandbox, admin: httpx.Client) -> None:
    listed = admin.get("/domains").json()["domains"]
    assert _hosts(admin.get("/domains")) == ["new.example.org", "paused.example.org",
                                             "old.example.net", "api.example.com", "example.com"]
    by_host = {d["hostname"]: d for d in listed}
    assert all(set(d) == DOMAIN_FIELDS for d in listed)
    assert by_host["example.com"] == {
        **by_host["example.com"], "port": 443, "ssl_grade": "A+", "ssl_score": 98,
        "certificate_expiry": "2025-04-11", "days_until_expiry": 86, "last_scan": "2025-01-15T09:30:00Z",
        "is_active": True, "monitoring_frequency": "daily"}
    assert by_host["old.example.net"]["days_until_expiry"] == -5
    assert by_host["new.example.org"]["ssl_grade"] is None
    assert by_host["new.example.org"]["days_until_expiry"] is None
    assert by_host["new.example.org"]["last_scan"] is None


def test_days_until_expiry_follows_the_clock(domains: Sandbox, admin: httpx.Client, clock) -> None:
    clock.advance(86_400)
    listed = {d["hostname"]: d for d in admin.get("/domains").json()["domains"]}
    assert listed["example.com"]["days_until_expiry"] == 85


@pytest.mark.parametrize(("params", "expected"), [
    ({"grade": "A+"}, ["paused.example.org", "example.com"]),
    ({"grade": "f"}, ["old.example.net"]),
    ({"status": "inactive"}, ["paused.example.org"]),
    ({"status": "active"}, ["new.example.org", "old.example.net", "api.example.com", "example.com"]),
    ({"status": "expired"}, ["old.example.net"]),
    ({"status": "expiring"}, ["api.example.com"]),
    ({"search": "EXAMPLE.ORG"}, ["new.example.org", "paused.example.org"]),
    ({"search": "api", "grade": "A"}, ["api.example.com"]),
    ({"search": "nothing"}, []),
])
def test_filters(domains: Sandbox, admin: httpx.Client, params: dict, expected: list[str]) -> None:
    response = admin.get("/domains", params=params)
    assert _hosts(response) == expected
    assert response.json()["pagination"]["total"] == len(expected)


def test_an_unknown_domain_status_is_400(admin: httpx.Client) -> None:
    response = admin.get("/domains", params={"status": "green"})
    assert response.status_code == 400 and "'status'" in response.json()["message"]


def test_domain_pagination(domains: Sandbox, admin: httpx.Client) -> None:
    first = admin.get("/domains", params={"per_page": 2}).json()
    last = admin.get("/domains", params={"per_page": 2, "page": 3}).json()
    assert first["pagination"] == {"page": 1, "per_page": 2, "total": 5, "pages": 3,
                                   "has_next": True, "has_prev": False}
    assert [d["hostname"] for d in last["domains"]] == ["example.com"]
    assert last["pagination"]["has_next"] is False and last["pagination"]["has_prev"] is True


def test_billing_usage(sb: Sandbox, admin: httpx.Client, anon: httpx.Client) -> None:
    _, other = sb.store.create_key("Other", ["domains:read"])
    for _ in range(3):
        anon.get("/domains", headers=bearer(other))
    response = admin.get("/billing/usage")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["tier"] == "enterprise"
    assert data["daily_limit"] == 1_000_000 and data["minute_limit"] == 3_000
    assert data["requests_today"] == 4  # all keys, this request included
    assert data["daily_limit"] - data["requests_today"] == int(response.headers["X-Daily-Remaining"])
    assert data["daily_remaining"] == int(response.headers["X-Daily-Remaining"])
    assert data["period_start"] == "2025-01-01" and data["period_end"] == "2025-01-31"
    assert data["max_active_keys"] == 25 and data["active_keys"] == 2


def test_billing_needs_billing_read(sb: Sandbox, anon: httpx.Client) -> None:
    _, secret = sb.store.create_key("No billing", ["domains:read", "keys:read", "keys:manage"])
    response = anon.get("/billing/usage", headers=bearer(secret))
    assert response.status_code == 403 and response.json() == ACCESS_DENIED
