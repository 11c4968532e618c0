"""Who uses a key, in the window: the key's details load its clients in the background, an older
server is said not to report them, and the server's text is shown escaped (details, drain page)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from myssl_desktop.api.models import ApiKey, KeyClient
from myssl_desktop.rotation import DrainStatus
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.sandbox.clients import Client
from myssl_desktop.ui.keys.details import KeyDetails
from myssl_desktop.ui.rotation.pages.drain import DrainPage
from myssl_desktop.ui.shell.main_window import MainWindow
from tests.ui.helpers import WAIT, attach, select, session_for

HOSTILE = "evil/1.0 <b>bold</b> <a href='x'>link</a>\x1b[2J\u202e"


def used_by(window: MainWindow) -> str:
    return window.content.keys.details.fields["Used by"].text()


def test_a_selected_keys_clients_load_in_the_background(qtbot, window: MainWindow, sb: Sandbox) -> None:
    attach(qtbot, window, session_for(sb))
    key_id, _ = sb.demo_keys["Production Server"]
    seen = sb.store.key_clients(key_id, 24)
    assert 1 <= len(seen) <= 2  # the demo seed's made-up clients
    with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
        select(window, "Production Server")
        assert used_by(window) == "Loading…"  # the answer comes later, from the pool
    text = used_by(window)
    for client in seen:
        assert f"{client.address} {client.user_agent}, last seen " in text
    assert f"{seen[0].requests:,} requests" in text
    select(window, "Analytics Export")  # never used
    qtbot.waitUntil(lambda: used_by(window) == "nothing in the last 24 h", timeout=WAIT)


def test_an_answer_for_a_key_no_longer_selected_is_dropped(qtbot, window: MainWindow, sb: Sandbox) -> None:
    attach(qtbot, window, session_for(sb))
    with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
        select(window, "Production Server")
        select(window, "Analytics Export")  # before the first answer arrived
    assert used_by(window) == "nothing in the last 24 h"


def test_an_older_server_is_said_not_to_report_clients(qtbot, window: MainWindow) -> None:
    with Sandbox(tier="enterprise", api_version="1.0") as old:
        old.store.create_key("Worker", ["domains:read"])
        attach(qtbot, window, session_for(old))
        with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
            select(window, "Worker")
        assert used_by(window) == "<i>This server does not report clients.</i>"
        assert window.content.banner.isHidden(), "not an error"
        with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
            select(window, "Sandbox admin")  # known by now: no second probe, the same words
        assert "does not report clients" in used_by(window)


def test_a_user_agent_is_shown_as_text_not_as_markup(qtbot, window: MainWindow, sb: Sandbox) -> None:
    key_id, _ = sb.demo_keys["Backup Script"]
    sb.store.record_request(key_id, client=Client("198.51.100.9", HOSTILE))
    attach(qtbot, window, session_for(sb))
    with qtbot.waitSignal(window.ops.idle, timeout=WAIT):
        select(window, "Backup Script")
    label = window.content.keys.details.fields["Used by"]
    assert label.textFormat() == Qt.TextFormat.RichText
    line = label.text().split("<br>")[0]  # the most recent client first
    assert re.fullmatch(r"198\.51\.100\.9 evil/1\.0 &lt;b&gt;bold&lt;/b&gt; &lt;a href='x'&gt;link&lt;/a&gt;"
                        r"\\x1b\[2J\\u202e, last seen (just now|\d+ s ago), 1 request", line), line
    assert "<b>" not in label.text() and "\x1b" not in label.text() and "\u202e" not in label.text()


def _key(**changes: object) -> ApiKey:
    now = datetime.now(UTC)
    values: dict[str, object] = dict(id=7, name="Old", prefix="myssl_k_ab12", permissions=("domains:read",),
                                     status="active", created_at=now - timedelta(days=90),
                                     last_used_at=now - timedelta(seconds=40), request_count=10, requests_24h=3,
                                     expires_at=None, revoked_at=None)
    values.update(changes)
    return ApiKey(**values)  # type: ignore[arg-type]


def test_the_drain_page_lists_the_clients_as_plain_text(qtbot) -> None:
    page = DrainPage()
    qtbot.addWidget(page)
    now = datetime.now(UTC)
    client = KeyClient("203.0.113.7", HOSTILE, now - timedelta(minutes=5), now - timedelta(seconds=40), 12)
    status = DrainStatus(_key(), _key(id=8, name="Old (new)"), True, timedelta(seconds=40), 600, (client,))
    page.show_status(status, now)
    assert page.clients_label.textFormat() == Qt.TextFormat.PlainText
    assert page.clients_label.text() == (
        "Used since delivery by 203.0.113.7 evil/1.0 <b>bold</b> <a href='x'>link</a>\\x1b[2J\\u202e, "
        "last seen 40 s ago.")
    page.show_status(DrainStatus(_key(), _key(id=8), True, timedelta(seconds=40), 600, None,
                                 "This server does not report clients."), now)
    assert page.clients_label.text() == "This server does not report clients."
    page.show_status(DrainStatus(_key(), _key(id=8), False, timedelta(seconds=40), 600), now)
    assert page.clients_label.isHidden()


def test_the_details_drop_clients_of_another_key(qtbot) -> None:
    details = KeyDetails()
    qtbot.addWidget(details)
    details.key_id = 7
    now = datetime.now(UTC)
    details.show_clients(8, (KeyClient("203.0.113.7", "curl/8.5.0", now, now, 1),), now)
    assert details.fields["Used by"].text() == ""
    details.show_clients(7, tuple(KeyClient(f"203.0.113.{n}", "curl/8.5.0", now, now, 1) for n in range(12)), now)
    assert details.fields["Used by"].text().count("<br>") == 10 and details.fields["Used by"].text().endswith(
        "and 2 more")
