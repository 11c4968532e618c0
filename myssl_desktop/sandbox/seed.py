"""`--seed demo`: an account that looks lived in, with one key for each story the app
tells (stale, revoked, spiking, never used, expiring) and a few monitored domains.

Deterministic for a given clock: the random numbers come from a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .clients import Client, made_up_clients, shares
from .store import CLIENT_HOURS, Store
from .timeutil import DAY, day_of, day_start, day_to_ts, shift_day

HOUR = 3_600
HISTORY_DAYS = 90


@dataclass(frozen=True)
class DemoKey:
    name: str
    permissions: tuple[str, ...]
    age_days: float
    daily: int = 0  # typical weekday requests
    weekend: float = 1.0  # weekend days get daily * weekend
    story: str = "busy"  # busy | spike | stale | never_used | revoked | expiring
    traffic: bool = False  # the traffic simulator keeps using it


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("Production Server", ("domains:read", "domains:write", "scans:write"), 380,
            1400, 0.45, traffic=True),
    DemoKey("CI/CD Pipeline", ("domains:read", "scans:write", "keys:read"), 210, 520, 0.1,
            traffic=True),
    DemoKey("Staging", ("domains:read", "domains:write", "scans:write"), 150, 180, 0.2,
            traffic=True),
    DemoKey("Monitoring Dashboard", ("domains:read", "billing:read"), 300, 288, 0.9,
            traffic=True),
    DemoKey("Backup Script", ("domains:read",), 95, 24, 1.0),
    DemoKey("Mobile App Backend", ("domains:read", "scans:write"), 60, 70, 1.1, story="spike",
            traffic=True),
    DemoKey("Legacy Integration", ("domains:read",), 400, story="stale"),
    DemoKey("Analytics Export", ("domains:read", "billing:read"), 14, story="never_used"),
    DemoKey("Dev Laptop", ("domains:read", "domains:write", "scans:write", "keys:read"), 45,
            60, 0.05, story="revoked"),
    DemoKey("Partner Webhook", ("domains:read",), 120, 150, 0.7, story="expiring",
            traffic=True),
    DemoKey("Status Page", ("domains:read",), 250, 144, 1.0, traffic=True),
    DemoKey("Terraform Provisioner", ("domains:read", "domains:write"), 30, 35, 0.1),
    DemoKey("Billing Reports", ("billing:read",), 180, 4, 0.0),
)

STALE_DAYS = 120  # the stale key was last used this long ago
REVOKED_DAYS_AGO = 20
EXPIRING_IN_DAYS = 5
SPIKE_PER_HOUR = 900  # on top of the usual, for the last SPIKE_HOURS
SPIKE_HOURS = 3

# hostname, port, grade, score, certificate days left, active, frequency, age in days.
# A domain added minutes ago has not been scanned yet: its scan fields are null.
DEMO_DOMAINS: tuple[tuple[str, int, str | None, int | None, int | None, bool, str, float], ...] = (
    ("example.com", 443, "A+", 98, 87, True, "daily", 300),
    ("www.example.com", 443, "A+", 97, 87, True, "daily", 300),
    ("api.example.com", 443, "A", 92, 41, True, "hourly", 210),
    ("shop.example.net", 443, "B", 78, 12, True, "daily", 150),
    ("mail.example.org", 465, "A-", 88, 163, True, "weekly", 120),
    ("legacy.example.net", 8443, "F", 25, -3, True, "daily", 400),
    ("staging.example.com", 443, "A", 90, 55, False, "weekly", 60),
    ("status.example.org", 443, None, None, None, True, "daily", 0.01),
)


@dataclass
class SeedResult:
    keys: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (id, secret)
    traffic_key_ids: list[int] = field(default_factory=list)
    domain_ids: list[int] = field(default_factory=list)


def seed_demo(store: Store, rng_seed: int = 2025) -> SeedResult:
    rng = random.Random(rng_seed)
    now = store.now()
    result = SeedResult()
    with store.transaction():  # one commit for the whole account
        for spec in DEMO_KEYS:
            key_id, secret = _seed_key(store, spec, now, rng)
            result.keys[spec.name] = (key_id, secret)
            if spec.traffic:
                result.traffic_key_ids.append(key_id)
        for domain in DEMO_DOMAINS:
            result.domain_ids.append(_seed_domain(store, domain, now, rng))
    return result


def _day_volume(spec: DemoKey, day: str, rng: random.Random) -> float:
    weekend = date.fromisoformat(day).weekday() >= 5
    return spec.daily * (spec.weekend if weekend else 1.0) * rng.uniform(0.8, 1.2)


def _seed_key(store: Store, spec: DemoKey, now: float, rng: random.Random) -> tuple[int, str]:
    created = now - spec.age_days * DAY - rng.uniform(0, 6 * HOUR)
    # Requests before the 90 days of history still count toward request_count.
    older_days = max(0.0, spec.age_days - HISTORY_DAYS)
    before_history = int(older_days * spec.daily * 0.8)

    if spec.story == "never_used":
        return store.create_key(spec.name, spec.permissions, created_at=created)
    if spec.story == "stale":
        return store.create_key(spec.name, spec.permissions, created_at=created,
                                last_used_at=now - STALE_DAYS * DAY - rng.uniform(0, HOUR),
                                request_count=48_213)

    revoked_at = expires_at = None
    status = "active"
    end = now  # requests happen up to here
    if spec.story == "revoked":
        status = "revoked"
        revoked_at = now - REVOKED_DAYS_AGO * DAY + rng.uniform(0, 4 * HOUR)
        end = revoked_at - 2 * HOUR
    elif spec.story == "expiring":
        status = "expiring"
        expires_at = int(now + EXPIRING_IN_DAYS * DAY)

    key_id, secret = store.create_key(
        spec.name, spec.permissions, created_at=created, status=status,
        expires_at=expires_at, revoked_at=revoked_at, request_count=before_history,
    )
    last_used = _seed_usage(store, key_id, spec, created, end, now, rng)
    if last_used is not None:
        store.set_last_used(key_id, last_used)
    return key_id, secret


def _seed_usage(store: Store, key_id: int, spec: DemoKey, created: float, end: float,
                now: float, rng: random.Random) -> float | None:
    """Whole-day rows up to yesterday, then hour by hour for yesterday and today, so that
    the rolling 24 h count (events) and the daily rows describe the same requests. The
    requests of the last CLIENT_HOURS come from the key's one or two made-up clients.

    Returns the last use."""
    clients = made_up_clients(key_id)
    last_used: float | None = None
    hourly_from = max(day_start(now) - DAY, created)
    whole_days_end = min(end, hourly_from)
    day = max(day_of(created), shift_day(day_of(now), -(HISTORY_DAYS - 1)))
    while day_to_ts(day) < whole_days_end:
        share = min(1.0, (whole_days_end - day_to_ts(day)) / DAY)  # a revoked key's last day
        requests = round(_day_volume(spec, day, rng) * share)
        if requests > 0:
            store.add_usage(key_id, day, requests)
            last_used = min(whole_days_end, day_to_ts(day) + 18 * HOUR)
            _add_clients(store, key_id, clients, last_used, requests, now)
        day = shift_day(day, 1)

    per_day: dict[str, int] = {}
    hour = hourly_from
    while hour < end:
        span = min(HOUR, end - hour)
        requests = round(_day_volume(spec, day_of(hour), rng) / 24 * (span / HOUR)
                         * rng.uniform(0.6, 1.4))
        if spec.story == "spike" and hour >= end - SPIKE_HOURS * HOUR:
            requests += round(SPIKE_PER_HOUR * (span / HOUR))
        if requests > 0:
            ts = hour + rng.uniform(0, span)
            per_day[day_of(ts)] = per_day.get(day_of(ts), 0) + requests
            if ts > now - DAY:
                store.add_events(key_id, ts, requests)
            _add_clients(store, key_id, clients, ts, requests, now)
            last_used = ts if last_used is None else max(last_used, ts)
        hour += HOUR
    for day, requests in per_day.items():
        store.add_usage(key_id, day, requests)
    return last_used


def _add_clients(store: Store, key_id: int, clients: tuple[Client, ...], ts: float, requests: int,
                 now: float) -> None:
    if ts > now - CLIENT_HOURS * 3600:
        for client, n in shares(requests, clients):
            store.add_client_use(key_id, ts, n, client)


def _seed_domain(store: Store, domain: tuple[Any, ...], now: float, rng: random.Random) -> int:
    hostname, port, grade, score, days_left, active, frequency, age_days = domain
    scanned = grade is not None
    return store.add_domain(
        hostname,
        port=port,
        ssl_grade=grade,
        ssl_score=score,
        certificate_expiry=day_of(now + days_left * DAY) if days_left is not None else None,
        last_scan=now - rng.uniform(1, 20) * HOUR if scanned else None,
        is_active=active,
        monitoring_frequency=frequency,
        created_at=now - age_days * DAY,
    )
