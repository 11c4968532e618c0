"""`seed="demo"` tells the stories the app shows, and `traffic=True` keeps keys busy."""

from __future__ import annotations

import statistics
from datetime import date

import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import START, TODAY, bearer, iso

DAY = 86_400


@pytest.fixture
def demo(make_sandbox) -> Sandbox:
    return make_sandbox(seed="demo", tier="pro")


@pytest.fixture
def seen(demo: Sandbox, make_client) -> dict:
    """Every key by name, with its 90 days of usage, as the app would read them."""
    client = make_client(demo, demo.admin_key)
    keys = client.get("/api-keys", params={"per_page": 100}).json()["api_keys"]
    usage = client.get("/api-keys/usage", params={"per_page": 100, "days": 90}).json()["usage"]
    days = {u["api_key_id"]: [d["requests"] for d in u["days"]] for u in usage}
    return {k["name"]: {**k, "usage": days[k["id"]]} for k in keys}


def _ts(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_about_a_dozen_realistic_keys_and_the_admin_key(seen: dict) -> None:
    for name in ("Production Server", "CI/CD Pipeline", "Staging", "Monitoring Dashboard",
                 "Backup Script", "Mobile App Backend", "Legacy Integration", "Analytics Export",
                 "Dev Laptop", "Partner Webhook", "Sandbox admin"):
        assert name in seen
    assert 11 <= len(seen) <= 16
    assert len({tuple(k["permissions"]) for k in seen.values()}) >= 5
    ages = [(START - _ts(k["created_at"])) / DAY for k in seen.values()]
    assert max(ages) > 300 and sum(a > 90 for a in ages) >= 4
    assert sum(k["status"] != "revoked" for k in seen.values()) <= 25


def test_the_stale_key(seen: dict) -> None:
    stale = [k for k in seen.values()
             if k["last_used_at"] and START - _ts(k["last_used_at"]) > 90 * DAY]
    assert len(stale) == 1
    key = stale[0]
    assert key["status"] == "active"
    assert 119 * DAY < START - _ts(key["last_used_at"]) < 122 * DAY
    assert sum(key["usage"]) == 0 and key["requests_24h"] == 0 and key["request_count"] > 0


def test_the_revoked_key(seen: dict) -> None:
    revoked = [k for k in seen.values() if k["status"] == "revoked"]
    assert len(revoked) == 1
    key = revoked[0]
    assert key["revoked_at"] is not None and key["expires_at"] is None
    assert _ts(key["last_used_at"]) <= _ts(key["revoked_at"]) < START
    assert sum(key["usage"]) > 0 and key["usage"][-10:] == [0] * 10


def test_exactly_one_key_spikes_today(seen: dict) -> None:
    def spiking(key: dict) -> bool:
        median = statistics.median(key["usage"][-30:])
        return key["requests_24h"] > 100 and key["requests_24h"] > 3 * median

    spikes = [name for name, key in seen.items() if spiking(key)]
    assert spikes == ["Mobile App Backend"]
    key = seen["Mobile App Backend"]
    assert key["requests_24h"] > 10 * statistics.median(key["usage"][-30:])


def test_the_never_used_key_is_older_than_a_week(seen: dict) -> None:
    never = [k for k in seen.values() if k["last_used_at"] is None]
    assert len(never) == 1
    key = never[0]
    assert key["request_count"] == 0 and sum(key["usage"]) == 0
    assert START - _ts(key["created_at"]) > 7 * DAY


def test_the_key_with_a_scheduled_revoke(seen: dict) -> None:
    expiring = [k for k in seen.values() if k["status"] == "expiring"]
    assert len(expiring) == 1
    key = expiring[0]
    assert START + DAY < _ts(key["expires_at"]) < START + 14 * DAY
    assert key["requests_24h"] > 0


def test_usage_has_a_weekly_rhythm_and_agrees_with_the_counters(seen: dict) -> None:
    production = seen["Production Server"]["usage"]
    first = date.fromisoformat(TODAY).toordinal() - 89
    weekdays = [n for i, n in enumerate(production[:-1]) if date.fromordinal(first + i).weekday() < 5]
    weekends = [n for i, n in enumerate(production[:-1]) if date.fromordinal(first + i).weekday() >= 5]
    assert statistics.mean(weekends) < 0.7 * statistics.mean(weekdays)
    for name, key in seen.items():
        if name == "Sandbox admin":
            continue  # it made the requests that read all this
        assert key["request_count"] >= sum(key["usage"]), name
        if key["status"] != "revoked" and key["requests_24h"]:
            # Today's partial day lies inside the last 24 hours.
            assert key["usage"][-1] <= key["requests_24h"], name
            assert START - _ts(key["last_used_at"]) < 2 * 3600, name


def test_demo_domains(demo: Sandbox, make_client) -> None:
    client = make_client(demo, demo.admin_key)
    domains = client.get("/domains").json()["domains"]
    assert 5 <= len(domains) <= 8
    assert len({d["ssl_grade"] for d in domains}) >= 4
    assert any(d["days_until_expiry"] is not None and d["days_until_expiry"] < 0 for d in domains)
    assert any(d["days_until_expiry"] is not None and 0 <= d["days_until_expiry"] <= 30
               for d in domains)
    assert all("." in d["hostname"] for d in domains)


def test_the_demo_secrets_are_known_to_the_seeding_run(demo: Sandbox, make_client) -> None:
    key_id, secret = demo.demo_keys["Production Server"]
    me = make_client(demo, secret).get("/api-keys/current").json()["api_key"]
    assert me["id"] == key_id and me["name"] == "Production Server"


def test_traffic_moves_the_busy_keys_only(make_sandbox, clock) -> None:
    sb = make_sandbox(seed="demo", traffic=True)
    assert sb.traffic is not None and sb.traffic.running
    before = {k.name: k for k in sb.store.list_keys()[0]}
    clock.advance(30)
    moved: dict[int, int] = {}
    for _ in range(20):
        for key_id, n in sb.traffic.tick().items():
            moved[key_id] = moved.get(key_id, 0) + n
    after = {k.name: k for k in sb.store.list_keys()[0]}
    assert moved
    for key_id, n in moved.items():
        name = next(k.name for k in after.values() if k.id == key_id)
        assert after[name].request_count >= before[name].request_count + n
        assert after[name].last_used_at == int(clock())
    for name in ("Legacy Integration", "Analytics Export", "Dev Laptop", "Sandbox admin"):
        assert after[name] == before[name], name
    sb.stop()
    assert not sb.traffic.running


def test_traffic_does_not_use_the_accounts_rate_budget(make_sandbox, make_client) -> None:
    sb = make_sandbox(seed="demo", traffic=True, tier="free")
    for _ in range(50):
        sb.traffic.tick()  # type: ignore[union-attr]
    response = make_client(sb, sb.admin_key).get("/domains")
    assert response.status_code == 200
    assert response.headers["X-Daily-Remaining"] == "999"


def test_without_seed_the_account_is_empty_but_for_the_admin_key(sb: Sandbox) -> None:
    keys, total = sb.store.list_keys()
    assert total == 1 and keys[0].name == "Sandbox admin"
    assert sb.store.list_domains()[1] == 0
    assert sb.demo_keys == {}
    assert sb.traffic is None


def test_the_seed_is_reproducible(make_sandbox) -> None:
    def shape(sb: Sandbox) -> list[tuple]:
        return [(k.name, k.permissions, k.created_at, k.request_count, k.requests_24h,
                 k.last_used_at, k.status) for k in sb.store.list_keys()[0][1:]]

    assert shape(make_sandbox(seed="demo")) == shape(make_sandbox(seed="demo"))


def test_a_demo_key_works_over_http(demo: Sandbox, make_client) -> None:
    _, secret = demo.demo_keys["Monitoring Dashboard"]
    client = make_client(demo)
    assert client.get("/domains", headers=bearer(secret)).status_code == 200
    assert client.get("/api-keys", headers=bearer(secret)).status_code == 403
    assert iso(START)  # the fake clock drives the seed too


@pytest.mark.parametrize("start", [
    1_736_726_400.0 + 1_800,   # Monday 2025-01-13 00:30 UTC
    1_737_158_400.0 - 600,     # Friday 2025-01-17 23:50 UTC
    1_737_244_800.0 + 43_200,  # Sunday 2025-01-19 12:00 UTC
])
def test_the_stories_hold_at_any_time_of_day(start: float) -> None:
    from .helpers import FakeClock

    sb = Sandbox(seed="demo", clock=FakeClock(start))
    try:
        keys = [k for k in sb.store.list_keys()[0] if k.name != "Sandbox admin"]
        usage = sb.store.usage([k.id for k in keys], 30)
        medians = {k.id: statistics.median(n for _, n in usage[k.id]) for k in keys}
        spikes = [k.name for k in keys if k.requests_24h > max(100, 3 * medians[k.id])]
        assert spikes == ["Mobile App Backend"]
        assert [k.name for k in keys if k.status == "revoked"] == ["Dev Laptop"]
        assert [k.name for k in keys if k.status == "expiring"] == ["Partner Webhook"]
        assert [k.name for k in keys if k.last_used_at is None] == ["Analytics Export"]
        assert [k.name for k in keys if k.last_used_at and start - k.last_used_at > 90 * DAY] == [
            "Legacy Integration"]
    finally:
        sb.stop()
