from __future__ import annotations

from datetime import UTC, datetime, timedelta

from myssl_desktop.api.models import ApiKey
from myssl_desktop.keyflags import DUE, EXPOSED, SPIKE, STALE, FlagRules, key_flags
from myssl_desktop.timefmt import age, relative, short

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_relative_times() -> None:
    cases = {timedelta(seconds=10): "just now", timedelta(minutes=3): "3 min ago",
             timedelta(hours=2, minutes=59): "2 h ago", timedelta(days=1): "1 day ago",
             timedelta(days=45): "45 days ago", timedelta(days=120): "4 months ago",
             timedelta(days=800): "2 years ago", timedelta(days=-3): "in 3 days"}
    for delta, text in cases.items():
        assert relative(NOW - delta, NOW) == text
    assert relative(None, NOW) == "never"
    assert age(NOW - timedelta(days=100), NOW) == "3 months" and age(NOW, NOW) == "today"


def key(**changes: object) -> ApiKey:
    base = dict(id=1, name="k", prefix="myssl_k_abcd", permissions=("domains:read",), status="active",
                created_at=NOW - timedelta(days=30), last_used_at=NOW - timedelta(hours=1),
                request_count=10, requests_24h=5, expires_at=None, revoked_at=None)
    base.update(changes)
    return ApiKey(**base)  # type: ignore[arg-type]


def test_flags() -> None:
    quiet = [10] * 30
    assert key_flags(key(), NOW, quiet) == ()
    assert key_flags(key(last_used_at=NOW - timedelta(days=91)), NOW, quiet) == (STALE,)
    assert key_flags(key(last_used_at=None, created_at=NOW - timedelta(days=8)), NOW) == (STALE,)
    assert key_flags(key(last_used_at=None, created_at=NOW - timedelta(days=6)), NOW) == ()
    assert key_flags(key(created_at=NOW - timedelta(days=91)), NOW, quiet) == (DUE,)
    assert key_flags(key(created_at=NOW - timedelta(days=40)), NOW, quiet, rotation_days=30) == (DUE,)
    assert key_flags(key(requests_24h=101), NOW, quiet) == (SPIKE,)
    assert key_flags(key(requests_24h=99), NOW, [1] * 30) == ()  # over 3x, but not over 100
    assert key_flags(key(requests_24h=300), NOW, [100] * 30) == ()  # over 100, but not over 3x
    assert key_flags(key(status="revoked", last_used_at=None, created_at=NOW - timedelta(days=400)),
                     NOW) == ()


def test_a_key_found_in_a_commit_is_exposed_first_unless_it_is_revoked() -> None:
    rules = FlagRules(NOW)
    assert rules.flags(key(), [10] * 30, exposed=True) == (EXPOSED,)
    assert rules.flags(key(requests_24h=101, created_at=NOW - timedelta(days=91)), [10] * 30,
                       exposed=True) == (EXPOSED, SPIKE, DUE)
    assert rules.flags(key(status="revoked"), exposed=True) == ()  # a revoked key is harmless wherever it is


def test_a_new_key_is_no_spike_for_the_days_before_it_existed() -> None:
    rotated_in = key(created_at=NOW - timedelta(days=1, hours=2), requests_24h=2_000)
    assert key_flags(rotated_in, NOW, [0] * 28 + [1_900, 100]) == ()  # one full day: no "usual" yet
    ten_days = key(created_at=NOW - timedelta(days=10), requests_24h=300)
    series = [0] * 20 + [150] * 9 + [40]  # 150 a day since it was created
    assert key_flags(ten_days, NOW, series) == ()  # 2× its usual: the zeros before it do not count
    assert key_flags(key(created_at=NOW - timedelta(days=10), requests_24h=500), NOW, series) == (SPIKE,)


def test_a_moment_in_short_local_words() -> None:
    moment = datetime(2026, 12, 4, 23, 10, tzinfo=UTC)
    local = moment.astimezone()
    assert short(moment, moment) == f"{local.day} {local:%b}, {local:%H:%M}"
    assert short(moment, moment + timedelta(days=400)) == f"{local.day} {local:%b} {local.year}, {local:%H:%M}"
