"""The sign-in dialog against the sandbox and the real keychain, driven with pytest-qt."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from myssl_desktop.api import MysslClient
from myssl_desktop.keychain import Entry
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.services import Services
from myssl_desktop.ui.account.signin_dialog import SignInDialog
from myssl_desktop.ui.common.ops import Ops
from tests.support import (
    FakeClock,
    answering,
    closed_port_url,
    files_containing,
    random_secret,
    self_signed_context,
    serve_http,
)


@pytest.fixture
def make_dialog(qtbot, services: Services):
    windows: list[QWidget] = []  # strong references: qtbot.addWidget keeps only weak ones

    def make(base_url: str = "", **kw) -> SignInDialog:
        window = QWidget()  # stands in for the main window, which owns the tasks and the dialog
        qtbot.addWidget(window)
        windows.append(window)
        tasks = Ops(window)
        dialog = SignInDialog(services.signin, tasks, parent=window, **kw)
        if base_url:
            dialog.url_edit.setText(base_url)
        dialog.tasks_for_test = tasks
        return dialog
    yield make
    for window in windows:  # let running tasks finish before their receivers go away
        qtbot.waitUntil(lambda w=window: w.findChild(Ops).pending == 0, timeout=20_000)


def submit(qtbot, dialog: SignInDialog, key: str) -> None:
    dialog.key_edit.setText(key)
    assert dialog.sign_in_button.isEnabled()
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.progress.isHidden(), timeout=20_000)


def test_format_is_checked_as_you_type(make_dialog) -> None:
    dialog = make_dialog()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password
    for text, words, enabled in [("", "followed by 40", False), ("sk_live_1", "not a MySSL key", False),
                                 ("myssl_k_ab cd", "only letters and digits", False),
                                 ("myssl_k_abc", "has 3 characters after", True),  # MySSL decides
                                 (random_secret(), "✓ A complete MySSL key", True)]:
        dialog.key_edit.setText(text)
        assert words in dialog.format_hint.text()
        assert dialog.sign_in_button.isEnabled() is enabled
    dialog.reveal_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Normal
    dialog.reveal_action.trigger()
    assert dialog.key_edit.echoMode() == QLineEdit.EchoMode.Password


def test_sign_in_shows_what_the_key_grants_then_keeps_it(qtbot, make_dialog, sandbox,
                                                          services: Services) -> None:
    dialog = make_dialog(sandbox.base_url)
    dialog.name_edit.setText("Work")
    dialog.env_combo.setCurrentIndex(1)
    submit(qtbot, dialog, sandbox.admin_key)
    summary = dialog.status.text()
    assert "Sandbox admin" in summary and "enterprise" in summary and "keys:manage" in summary
    assert dialog.sign_in_button.text() == "Save and continue"
    assert services.profiles.load().profiles == ()  # nothing kept before the user agrees
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.profile is not None and dialog.profile.environment == "staging"
    assert services.profiles.load().last == dialog.profile
    assert services.keychain.load(Entry.sign_in(dialog.profile.id)).reveal() == sandbox.admin_key


def test_enter_checks_the_key_then_saves_it(qtbot, make_dialog, sandbox, services: Services) -> None:
    dialog = make_dialog(sandbox.base_url, first_run=True)  # with the sandbox button on show
    dialog.show()
    QTest.keyClick(dialog.key_edit, Qt.Key.Key_Return)  # nothing typed: said, not done
    assert "Paste a whole MySSL key first" in dialog.status.text() and not dialog.wants_sandbox
    QTest.keyClicks(dialog.key_edit, sandbox.admin_key)
    assert dialog.status.text() == ""  # the stale advice goes with the edit
    height = dialog.height()
    QTest.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    assert dialog.progress.isVisible()
    qtbot.waitUntil(lambda: dialog.sign_in_button.text() == "Save and continue", timeout=20_000)
    assert dialog.height() == height  # room was kept for the result: nothing squeezes or jumps
    assert services.profiles.load().profiles == ()
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        QTest.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    assert not dialog.wants_sandbox and dialog.profile is not None
    assert services.keychain.load(Entry.sign_in(dialog.profile.id)).reveal() == sandbox.admin_key


def test_escape_cancels(qtbot, make_dialog) -> None:
    dialog = make_dialog()
    dialog.show()
    QTest.keyClick(dialog.key_edit, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == 0


def test_an_error_goes_when_the_address_changes(qtbot, make_dialog, sandbox) -> None:
    dialog = make_dialog(closed_port_url())
    submit(qtbot, dialog, sandbox.admin_key)
    assert "Could not connect" in dialog.status.text()
    dialog.url_edit.setText(sandbox.base_url)
    assert dialog.status.text() == ""


def test_where_to_get_a_key_is_one_click_away(make_dialog) -> None:
    dialog = make_dialog()
    assert dialog.where_help.isHidden()
    intro = next(label for label in dialog.findChildren(QLabel) if "Where do I get a key?" in label.text())
    intro.linkActivated.emit("#where")
    assert not dialog.where_help.isHidden() and "myssl.info" in dialog.where_help.text()


def test_read_only_key_is_explained(qtbot, make_dialog, sandbox) -> None:
    reader = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Reader", ["keys:read"])
    dialog = make_dialog(sandbox.base_url)
    submit(qtbot, dialog, reader.secret.reveal())
    assert "Read-only" in dialog.status.text()


def test_key_without_keys_read_is_refused_with_the_reason(qtbot, make_dialog, sandbox) -> None:
    narrow = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Narrow", ["domains:read"])
    dialog = make_dialog(sandbox.base_url)
    submit(qtbot, dialog, narrow.secret.reveal())
    assert "keys:read" in dialog.status.text() and dialog.sign_in_button.text() == "Sign in"


def test_revoked_key(qtbot, make_dialog, sandbox) -> None:
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    created = admin.create_key("Gone")
    admin.revoke_key(created.api_key.id)
    dialog = make_dialog(sandbox.base_url)
    submit(qtbot, dialog, created.secret.reveal())
    assert "revoked" in dialog.status.text()


def test_rate_limited(qtbot, make_dialog) -> None:
    with Sandbox(tier="free", clock=FakeClock()) as sb:
        client = MysslClient(sb.base_url, sb.admin_key)
        for _ in range(10):
            client.current()
        dialog = make_dialog(sb.base_url)
        submit(qtbot, dialog, sb.admin_key)
        assert "rate limiting" in dialog.status.text() and " s." in dialog.status.text()


def test_network_down(qtbot, make_dialog) -> None:
    dialog = make_dialog(closed_port_url())
    submit(qtbot, dialog, random_secret())
    assert "Could not connect" in dialog.status.text()


def test_tls_failure(qtbot, make_dialog, tmp_path: Path) -> None:
    with serve_http(answering(), self_signed_context(tmp_path)) as base_url:
        dialog = make_dialog(base_url)
        submit(qtbot, dialog, random_secret())
        assert "certificate" in dialog.status.text()


def test_not_a_myssl_server(qtbot, make_dialog) -> None:
    with serve_http(answering()) as base_url:
        dialog = make_dialog(base_url)
        submit(qtbot, dialog, random_secret())
        assert "web page instead of MySSL data" in dialog.status.text()


def test_plain_http_elsewhere_is_refused(qtbot, make_dialog) -> None:
    dialog = make_dialog("http://myssl.example/api/v1")
    submit(qtbot, dialog, random_secret())
    assert "https" in dialog.status.text()


def test_cancel_drops_the_late_result(qtbot, make_dialog, sandbox) -> None:
    sandbox.set_faults(latency_ms=800)
    dialog = make_dialog(sandbox.base_url)
    dialog.key_edit.setText(sandbox.admin_key)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.progress.isVisible() or not dialog.isVisible()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "Cancelled." and dialog.result() == 0
    qtbot.waitUntil(lambda: dialog.tasks_for_test.pending == 0, timeout=20_000)
    assert dialog.sign_in_button.text() == "Sign in"  # the late success was not applied
    assert dialog.status.text() == "Cancelled."


def test_offers_the_key_from_the_environment(make_dialog, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = random_secret()
    monkeypatch.setenv("MYSSL_API_KEY", secret)
    dialog = make_dialog()
    assert not dialog.import_button.isHidden()
    dialog.import_button.click()
    assert dialog.key_edit.text() == secret
    monkeypatch.delenv("MYSSL_API_KEY")
    assert make_dialog().import_button.isHidden()


def test_first_run_offers_the_sandbox(make_dialog) -> None:
    assert make_dialog().sandbox_button.isHidden()
    dialog = make_dialog(first_run=True)
    assert not dialog.sandbox_button.isHidden()
    dialog.sandbox_button.click()
    assert dialog.wants_sandbox and dialog.result() == 1


def test_nothing_leaks_to_files(qtbot, make_dialog, sandbox, services: Services) -> None:
    dialog = make_dialog(sandbox.base_url, profile=Profile.new("Leak", sandbox.base_url))
    submit(qtbot, dialog, sandbox.admin_key)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.sign_in_button.click()
    services.signin.sign_out(dialog.profile)
    root = services.dirs.config.parent.parent
    assert files_containing(root, sandbox.admin_key) == []


def test_a_new_process_finds_the_profile_signed_in_through_the_dialog(qtbot, make_dialog, sandbox) -> None:
    dialog = make_dialog(sandbox.base_url)
    dialog.name_edit.setText("From the dialog")
    submit(qtbot, dialog, sandbox.admin_key)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.sign_in_button.click()
    result = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "whoami", "--json"],
                            capture_output=True, text=True, timeout=60, env=dict(os.environ))
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["profile"] == "From the dialog" and info["key"]["name"] == "Sandbox admin"
    assert sandbox.admin_key not in result.stdout + result.stderr
