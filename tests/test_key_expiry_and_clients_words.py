"""The words of v1.1: an expiry typed on the command line, and a key's clients made safe to print."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from myssl_desktop.api.models import KeyClient
from myssl_desktop.keyclients import client_line, printable, seen_ago
from myssl_desktop.revoke_when import parse_expiry, start_of_day

NOW = datetime(2025, 1, 15, 10, 30, 0, 400_000, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("never", None),
    (" Never ", None),
    ("30d", datetime(2025, 2, 14, 10, 30, tzinfo=UTC)),
    ("90d", datetime(2025, 4, 15, 10, 30, tzinfo=UTC)),
    ("1y", datetime(2026, 1, 15, 10, 30, tzinfo=UTC)),
    ("12h", datetime(2025, 1, 15, 22, 30, tzinfo=UTC)),
    ("2w", datetime(2025, 1, 29, 10, 30, tzinfo=UTC)),
    ("2025-03-01T08:00:00Z", datetime(2025, 3, 1, 8, tzinfo=UTC)),
])
def test_an_expiry_is_a_whole_second_in_the_future(text: str, expected: datetime | None) -> None:
    assert parse_expiry(text, NOW) == expected


def test_a_date_means_its_start_in_local_time() -> None:
    expected = datetime(2025, 3, 1).astimezone().astimezone(UTC)
    assert parse_expiry("2025-03-01", NOW) == expected == start_of_day(expected.astimezone().date())


@pytest.mark.parametrize(("text", "words"), [
    ("2025-01-15T10:30:00Z", "not in the future"),  # the same second: not after now
    ("2025-01-14", "not in the future"),
    ("2025-02-30", "no such day"),
    ("2025-03-01T25:00:00Z", "no such day"),
    ("2025-03-01T08:00:00+00:00", "not an expiry"),
    ("2025-03-01T08:00:00.000Z", "not an expiry"),
    ("0d", "not an expiry"),
    ("-3d", "not an expiry"),
    ("30 days", "not an expiry"),
    ("999999y", "no such day"),
    ("", "not an expiry"),
])
def test_anything_else_is_refused_with_the_forms_it_takes(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_expiry(text, NOW)


@pytest.mark.parametrize(("text", "shown"), [
    ("python-requests/2.32.3", "python-requests/2.32.3"),
    ("evil\x1b[2J\x07", "evil\\x1b[2J\\x07"),  # an escape sequence and a bell
    ("a\rb\nc\td", "a\\x0db\\x0ac\\x09d"),  # a carriage return would overwrite the line
    ("csi\x9b2J", "csi\\x9b2J"),  # C1 controls act on some terminals
    ("admin\u202egnp.exe", "admin\\u202egnp.exe"),  # a right-to-left override disguises text
    ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
    ("line\u2028sep", "line\\u2028sep"),
    ("lone\ud800surrogate", "lone\\ud800surrogate"),  # JSON allows it; printing it would raise
    ("Go-http-client/2.0 (ünïcödé, 日本)", "Go-http-client/2.0 (ünïcödé, 日本)"),
])
def test_printable_shows_control_and_format_characters_as_escapes(text: str, shown: str) -> None:
    assert printable(text) == shown
    printable(text).encode("utf-8")  # always printable


def test_printable_cuts_long_text() -> None:
    assert printable("x" * 500) == "x" * 119 + "…"
    assert len(printable("\x1b" * 100)) == 120


def test_a_client_line() -> None:
    seen = NOW - timedelta(seconds=40)
    client = KeyClient("203.0.113.7", "python-requests/2.32.3", NOW - timedelta(hours=2), seen, 1)
    assert client_line(client, NOW) == "203.0.113.7 python-requests/2.32.3, last seen 40 s ago"
    assert client_line(client, NOW, requests=True).endswith("last seen 40 s ago, 1 request")
    bare = KeyClient("2001:db8::1", "", NOW, NOW, 1200)
    assert client_line(bare, NOW, requests=True) == "2001:db8::1 (no user agent), last seen just now, 1,200 requests"
    assert seen_ago(NOW - timedelta(minutes=5), NOW) == "5 min ago"
