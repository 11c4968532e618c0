"""Key actions through the window's dialogs, against the sandbox and the real keychain."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

import myssl_desktop.ui.keys.commands as key_commands_module
from myssl_desktop.api import MysslClient
from myssl_desktop.api.models import PERMISSIONS
from myssl_desktop.api.secret import Secret
from myssl_desktop.api.transport import ConnectionPool
from myssl_desktop.keyactions import RevokeWhen
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.session import Session
from myssl_desktop.ui.common.confirm import ConfirmKeyAction
from myssl_desktop.ui.keys.dialogs import CreateKeyDialog, RevokeChoice, SecretDialog
from myssl_desktop.ui.keys.model import STORED
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import FakeClipboard, FaultOnce, add_settled_window, files_containing
from tests.ui.helpers import WAIT, select, session_for, shown_names, wait_idle
from tests.ui.helpers import attach as attach_session


def attach(qtbot, window: MainWindow, sb: Sandbox, keychain: Keychain, *, key: object = None,
           permissions: tuple[str, ...] = PERMISSIONS, read_only: bool = False) -> Session:
    return attach_session(qtbot, window, session_for(sb, key=key, keychain=keychain, permissions=permissions,
                                                     read_only=read_only))


def test_create_keeps_the_secret_then_shows_it_once(qtbot, window: MainWindow, sb: Sandbox,
                                                    real_keychain: Keychain) -> None:
    session = attach(qtbot, window, sb, real_keychain)
    window.content.key_commands.create_action.trigger()
    dialog = window.content.key_commands.dialog
    assert isinstance(dialog, CreateKeyDialog)
    assert dialog.permissions == ["domains:read"]  # the least a typical application needs
    dialog.name_edit.setText("Production Server")
    assert "exists already" in dialog.name_hint.text()
    dialog.name_edit.setText("Nightly export")
    dialog.boxes["billing:read"].setChecked(True)
    dialog.create_button.click()
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    shown = window.content.key_commands.dialog
    created = next(k for k in MysslClient(sb.base_url, sb.admin_key).all_keys() if k.name == "Nightly export")
    stored = real_keychain.load(Entry.created_key(session.profile.id, created.id))
    assert stored is not None and shown.field.text() == stored.reveal()
    assert "kept in your system keychain" in shown.findChild(QLabel, "placeNote").text()
    assert shown.field.echoMode() == QLineEdit.EchoMode.Password
    shown.reveal_button.click()
    assert shown.field.echoMode() == QLineEdit.EchoMode.Normal
    window.content.hygiene.hide_secrets.emit()  # idle or screen lock
    assert shown.field.echoMode() == QLineEdit.EchoMode.Password
    shown.copy_button.click()
    assert window.content.setup.clipboard_backend.text() == stored.reveal()
    assert "cleared in" in shown.countdown.text()
    assert created.permissions == ("domains:read", "billing:read")
    wait_idle(qtbot, window)
    select(window, "Nightly export")
    window.content.setup.clipboard_backend.clear()
    window.content.key_commands.copy_action.trigger()
    qtbot.waitUntil(lambda: window.content.setup.clipboard_backend.text() == stored.reveal(), timeout=WAIT)


def test_a_new_secret_is_called_copied_only_once_it_is(qtbot, window: MainWindow, sb: Sandbox,
                                                         real_keychain: Keychain, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    clipboard = window.content.ctx.clipboard
    old = Secret(sb.demo_keys["Analytics Export"][1])
    clipboard.copy_secret(old)  # the old secret is on the clipboard, counting down
    select(window, "Analytics Export")
    window.content.key_commands.regenerate_action.trigger()
    confirm = window.content.key_commands.dialog
    QTest.keyClick(confirm, Qt.Key.Key_Return)  # never used: no name to type
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    shown = window.content.key_commands.dialog
    with qtbot.waitSignal(clipboard.countdown, timeout=WAIT):
        pass  # a tick of the old secret's countdown
    assert "Copied" not in shown.countdown.text()  # the clipboard still holds the dead secret
    new = real_keychain.load(Entry.created_key(window.session.profile.id, sb.demo_keys["Analytics Export"][0]))
    shown.copy_line_button.click()
    backend = window.content.setup.clipboard_backend
    assert backend.text() == f"MYSSL_API_KEY={new.reveal()}" and "cleared in" in shown.written.text()
    assert "Copied" not in shown.countdown.text()  # the line was copied, not the bare secret
    shown.copy_button.click()
    assert backend.text() == new.reveal() and shown.countdown.text().startswith("Copied.")
    target = tmp_path / "app" / ".env"
    target.parent.mkdir()
    target.write_text("DEBUG=1\nMYSSL_API_KEY=" + old.reveal() + "\n")
    shown.write_env_requested.emit(target)
    qtbot.waitUntil(lambda: "Set MYSSL_API_KEY in" in shown.written.text(), timeout=WAIT)
    assert target.read_text() == f"DEBUG=1\nMYSSL_API_KEY={new.reveal()}\n"
    assert old.prefix in shown.written.text() and new.reveal() not in shown.written.text()
    fresh = tmp_path / "other" / ".env"
    fresh.parent.mkdir()
    shown.write_env_requested.emit(fresh)
    qtbot.waitUntil(lambda: "new file" in shown.written.text(), timeout=WAIT)
    assert fresh.read_text().strip() == f"MYSSL_API_KEY={new.reveal()}" and fresh.stat().st_mode & 0o077 == 0
    QTest.keyClick(shown.field, Qt.Key.Key_Return)
    assert not shown.isVisible() and shown.field.echoMode() == QLineEdit.EchoMode.Password  # Close, not Reveal


def test_a_cut_off_create_offers_to_regenerate_the_key_made(qtbot, window: MainWindow, sb: Sandbox,
                                                            real_keychain: Keychain) -> None:
    session = session_for(sb, keychain=real_keychain)
    cut = MysslClient(sb.base_url, sb.admin_key, pool=ConnectionPool(transport=FaultOnce(sb, "POST", "truncated")))
    session = attach_session(qtbot, window, replace(session, client=cut))
    window.content.key_commands.create_action.trigger()
    window.content.key_commands.dialog.name_edit.setText("Cut off")
    QTest.keyClick(window.content.key_commands.dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, QMessageBox), timeout=WAIT)
    box = window.content.key_commands.dialog
    assert "could not be read" in box.text() or "cut off" in box.text()
    regenerate = next(b for b in box.buttons() if b.text() == "Regenerate “Cut off”")
    regenerate.click()
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    made = [k for k in MysslClient(sb.base_url, sb.admin_key).all_keys() if k.name == "Cut off"]
    assert len(made) == 1  # reconciled, never created twice
    kept = real_keychain.load(Entry.created_key(session.profile.id, made[0].id))
    assert kept is not None and kept.prefix == made[0].prefix  # the regenerated secret works and is kept
    assert MysslClient(sb.base_url, kept).current().api_key.id == made[0].id


def test_the_secret_is_kept_even_if_showing_it_fails(qtbot, window: MainWindow, sb: Sandbox,
                                                     real_keychain: Keychain,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    session = attach(qtbot, window, sb, real_keychain)

    def broken_display(*args: object, **kwargs: object) -> None:
        raise RuntimeError("display failed")

    monkeypatch.setattr(key_commands_module, "SecretDialog", broken_display)
    window.content.key_commands.create_action.trigger()
    window.content.key_commands.dialog.name_edit.setText("Kept anyway")
    with qtbot.captureExceptions() as raised:
        window.content.key_commands.dialog.create_button.click()
        qtbot.waitUntil(lambda: len(raised) > 0, timeout=WAIT)
    created = next(k for k in MysslClient(sb.base_url, sb.admin_key).all_keys() if k.name == "Kept anyway")
    assert real_keychain.load(Entry.created_key(session.profile.id, created.id)) is not None


def test_permissions_the_sign_in_key_lacks_are_disabled(qtbot, window: MainWindow, sb: Sandbox,
                                                        real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain, permissions=("domains:read", "keys:read", "keys:manage"))
    window.content.key_commands.create_action.trigger()
    dialog = window.content.key_commands.dialog
    assert not dialog.boxes["billing:read"].isEnabled() and "lacks" in dialog.boxes["billing:read"].toolTip()
    assert dialog.boxes["keys:read"].isEnabled()
    dialog.reject()


def test_read_only_profiles_cannot_change_keys(qtbot, window: MainWindow, sb: Sandbox,
                                               real_keychain: Keychain) -> None:
    session = attach(qtbot, window, sb, real_keychain, read_only=True)
    staging = next(k for k in MysslClient(sb.base_url, sb.admin_key).all_keys() if k.name == "Staging")
    select(window, "Staging")
    commands = window.content.key_commands
    assert not any(a.isEnabled() for a in (commands.create_action, commands.rename_action,
                                           commands.regenerate_action, commands.revoke_action))
    assert not commands.copy_action.isEnabled()  # no secret of it is kept
    real_keychain.store(Entry.created_key(session.profile.id, staging.id), Secret("myssl_k_" + "s" * 32))
    window.refresh()
    wait_idle(qtbot, window)
    select(window, "Staging")
    assert commands.copy_action.isEnabled()  # a kept secret can be copied with a read-only key too
    assert STORED in window.content.keys.model.marks_of(staging)


def test_regenerate_needs_the_typed_name_for_a_key_in_use(qtbot, window: MainWindow, sb: Sandbox,
                                                          real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    select(window, "Production Server")  # used minutes ago in the demo data
    window.content.key_commands.regenerate_action.trigger()
    dialog = window.content.key_commands.dialog
    assert isinstance(dialog, ConfirmKeyAction) and dialog.needs_typing
    assert not dialog.confirm_button.isEnabled()
    dialog.typed.setText("Production Server")
    assert dialog.confirm_button.isEnabled()
    old_prefix = window.content.keys.model.key_at(window.content.keys.table.currentIndex().row()).prefix
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    wait_idle(qtbot, window)
    select(window, "Production Server")
    assert window.content.keys.model.key_at(window.content.keys.table.currentIndex().row()).prefix != old_prefix


def test_revoke_later_then_cancel_then_now(qtbot, window: MainWindow, sb: Sandbox,
                                           real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    client = MysslClient(sb.base_url, sb.admin_key)
    key = next(k for k in client.all_keys() if k.name == "Production Server")  # used minutes ago
    select(window, "Production Server")
    window.content.key_commands.revoke_action.trigger()
    dialog = window.content.key_commands.dialog
    choice = dialog.findChild(RevokeChoice)
    assert choice.choice is RevokeWhen.IN_24H  # a key in use gets time to be replaced
    assert dialog.focusWidget() is dialog.typed  # the confirmation is typed at once
    QTest.keyClicks(dialog.typed, "Production Server")
    QTest.keyClick(dialog.typed, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert client.get_key(key.id).status == "expiring"
    assert "will be revoked at" in window.status.text() and "until then it works" in window.status.text()
    select(window, "Production Server")
    window.content.key_commands.cancel_revoke_action.trigger()
    wait_idle(qtbot, window)
    assert client.get_key(key.id).status == "active"
    assert "stays active" in window.status.text()
    select(window, "Production Server")
    window.content.key_commands.revoke_action.trigger()
    dialog = window.content.key_commands.dialog
    dialog.findChild(RevokeChoice).radios[RevokeWhen.NOW].setChecked(True)
    QTest.keyClicks(dialog.typed, "Production Server")
    QTest.keyClick(dialog.typed, Qt.Key.Key_Return)
    wait_idle(qtbot, window)
    assert client.get_key(key.id).status == "revoked"
    assert window.status.text().startswith("Revoked “Production Server”")


def test_enter_before_the_name_is_typed_explains_and_revokes_nothing(qtbot, window: MainWindow, sb: Sandbox,
                                                                     real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    select(window, "Production Server")
    window.content.key_commands.revoke_action.trigger()
    dialog = window.content.key_commands.dialog
    QTest.keyClicks(dialog.typed, "Production")
    QTest.keyClick(dialog.typed, Qt.Key.Key_Return)
    assert dialog.isVisible() and "exactly, then press Enter" in dialog.typed_hint.text()
    QTest.keyClick(dialog.typed, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    wait_idle(qtbot, window)
    assert next(k for k in MysslClient(sb.base_url, sb.admin_key).all_keys()
                if k.name == "Production Server").status == "active"


def test_the_sign_in_key_cannot_be_revoked(qtbot, window: MainWindow, sb: Sandbox, real_keychain: Keychain,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    attach(qtbot, window, sb, real_keychain)
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text: said.append(text))
    select(window, "Sandbox admin")
    window.content.key_commands.revoke_action.trigger()
    assert said and "Rotate it instead" in said[0]
    assert MysslClient(sb.base_url, sb.admin_key).current().api_key.status == "active"


def test_key_limit_offers_the_keys_that_need_attention(qtbot, window: MainWindow, sb: Sandbox,
                                                       real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    client = MysslClient(sb.base_url, sb.admin_key)
    active = [k for k in client.all_keys() if k.status in ("active", "expiring")]
    for n in range(25 - len(active)):
        client.create_key(f"Filler {n}", ["domains:read"])
    window.content.key_commands.create_action.trigger()
    window.content.key_commands.dialog.name_edit.setText("One too many")
    window.content.key_commands.dialog.create_button.click()
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, QMessageBox), timeout=WAIT)
    box = window.content.key_commands.dialog
    assert "25 active keys" in box.text()
    show = next(b for b in box.buttons() if b.text().startswith("Show keys"))
    show.click()
    qtbot.waitUntil(lambda: window.content.keys.attention_check.isChecked(), timeout=WAIT)


def test_a_key_removed_elsewhere_says_so_and_refreshes(qtbot, window: MainWindow, sb: Sandbox,
                                                       real_keychain: Keychain) -> None:
    session = attach(qtbot, window, sb, real_keychain)
    key = window.content.keys.model.key_at(0)
    ghost = key.__class__(**{**key.__dict__, "id": 987654})
    window.content.key_commands._change(lambda: session.actions.rename(ghost, "x"), lambda _: None, "Renaming…")
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, QMessageBox), timeout=WAIT)
    assert "Refresh" in window.content.key_commands.dialog.text()


def test_secrets_never_reach_files(qtbot, tmp_path: Path, sb: Sandbox, real_keychain: Keychain,
                                   app_dirs) -> None:
    from myssl_desktop.keycache import KeyCache

    window = MainWindow(WindowSetup(state_dir=tmp_path, key_cache=KeyCache(app_dirs.cache),
                                    clipboard_backend=FakeClipboard()))
    add_settled_window(qtbot, window, lambda w: w.content.schedule.stop())
    window.show()
    session = attach(qtbot, window, sb, real_keychain)
    new = session.actions.create("Leak check", ["domains:read"])
    window.refresh()
    wait_idle(qtbot, window)
    window.close()
    root = app_dirs.config.parent.parent
    assert files_containing(root, new.secret.reveal()) == []
    assert files_containing(tmp_path, new.secret.reveal()) == []


def test_the_offline_copy_marks_the_keys_whose_secret_is_kept(qtbot, tmp_path: Path, sb: Sandbox,
                                                             real_keychain: Keychain, app_dirs) -> None:
    # The mark came only with the fresh list, a moment after every start.
    from myssl_desktop.keycache import KeyCache

    setup = WindowSetup(state_dir=tmp_path, key_cache=KeyCache(app_dirs.cache), clipboard_backend=FakeClipboard())
    window = MainWindow(setup)
    add_settled_window(qtbot, window, lambda w: w.content.schedule.stop())
    window.show()
    session = attach(qtbot, window, sb, real_keychain)
    new = session.actions.create("Kept", ["domains:read"])
    window.refresh()
    wait_idle(qtbot, window)
    assert STORED in window.content.keys.model.marks_of(new.api_key)
    window.close()

    later = MainWindow(setup)
    add_settled_window(qtbot, later, lambda w: w.content.schedule.stop())
    later.show()
    later.show_opening(session.profile)  # its offline copy, before any refresh
    qtbot.waitUntil(lambda: later.content.keys.model.total_count > 0, timeout=WAIT)
    assert later.session is None and STORED in later.content.keys.model.marks_of(new.api_key)
    assert files_containing(app_dirs.cache, new.secret.reveal()) == []


def test_a_failed_keychain_write_is_loud_and_needs_confirmation(qtbot, window: MainWindow, sb: Sandbox) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    attach(qtbot, window, sb, Keychain(NoKeyring()))
    window.content.key_commands.create_action.trigger()
    window.content.key_commands.dialog.name_edit.setText("Unsaved")
    window.content.key_commands.dialog.create_button.click()
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    shown = window.content.key_commands.dialog
    assert not shown.stored and not shown.close_button.isEnabled()
    shown.reject()  # Escape: refused, the secret would be lost
    assert shown.isVisible()
    shown.copied_check.setChecked(True)
    assert shown.close_button.isEnabled()
    shown.reject()
    assert not shown.isVisible()


def test_rename(qtbot, window: MainWindow, sb: Sandbox, real_keychain: Keychain,
                monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    attach(qtbot, window, sb, real_keychain)
    select(window, "Staging")
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("Staging (EU)", True))
    window.content.key_commands.rename_action.trigger()
    wait_idle(qtbot, window)
    assert "Staging (EU)" in shown_names(window)


def test_the_clipboard_timeout_is_a_remembered_setting(qtbot, tmp_path: Path) -> None:
    from myssl_desktop.settings import SettingsStore

    first = MainWindow(WindowSetup(state_dir=tmp_path, clipboard_backend=FakeClipboard()))
    qtbot.addWidget(first)
    assert first.content.hygiene.clipboard.timeout_s == 30
    sixty = next(a for a in first.content.actions.clipboard_menu.actions() if a.text() == "60 seconds")
    sixty.trigger()
    assert first.content.hygiene.clipboard.timeout_s == 60 and SettingsStore(tmp_path).load().clipboard_clear_s == 60
    second = MainWindow(WindowSetup(state_dir=tmp_path, clipboard_backend=FakeClipboard()))
    qtbot.addWidget(second)
    assert second.content.hygiene.clipboard.timeout_s == 60


def _new_key_dialog(window: MainWindow, name: str) -> CreateKeyDialog:
    window.content.key_commands.create_action.trigger()
    dialog = window.content.key_commands.dialog
    assert isinstance(dialog, CreateKeyDialog)
    dialog.name_edit.setText(name)
    return dialog


def _created(qtbot, window: MainWindow, sb: Sandbox, name: str):  # noqa: ANN202
    qtbot.waitUntil(lambda: isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
    return next(k for k in MysslClient(sb.base_url, sb.admin_key).all_keys() if k.name == name)


def test_a_new_key_never_expires_unless_asked(qtbot, window: MainWindow, sb: Sandbox,
                                               real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    dialog = _new_key_dialog(window, "Forever")
    assert dialog.expiry_combo.currentText() == "Never" and dialog.expires_at is None
    assert dialog.expiry_hint.text() == "works until revoked" and dialog.expiry_date.isHidden()
    dialog.create_button.click()
    assert _created(qtbot, window, sb, "Forever").expires_at is None


def test_a_new_key_can_expire_in_90_days_and_enter_creates_it(qtbot, window: MainWindow, sb: Sandbox,
                                                               real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    dialog = _new_key_dialog(window, "Contractor")
    before = datetime.now(UTC)
    dialog.expiry_combo.setCurrentText("In 90 days")
    expected = (before + timedelta(days=90)).astimezone().strftime("%Y-%m-%d")
    assert dialog.expiry_hint.text().startswith(f"revoked {expected} ")
    dialog.expiry_combo.setFocus()
    QTest.keyClick(dialog.expiry_combo, Qt.Key.Key_Return)  # a FormDialog: Enter creates when the form is valid
    key = _created(qtbot, window, sb, "Contractor")
    assert key.status == "expiring" and key.expires_at is not None
    span = timedelta(days=90)
    assert before + span - timedelta(seconds=1) <= key.expires_at <= datetime.now(UTC) + span
    shown = window.content.key_commands.dialog
    assert f"Revoked {key.expires_at.astimezone().strftime('%Y-%m-%d %H:%M:%S')}" in shown.heading.text()


def test_a_new_key_can_expire_on_a_date_chosen_in_the_future_only(qtbot, window: MainWindow, sb: Sandbox,
                                                                  real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    dialog = _new_key_dialog(window, "Audit")
    dialog.expiry_combo.setCurrentText("On date…")
    assert dialog.expiry_date.isVisible()
    dialog.expiry_date.setDate(QDate.currentDate().addDays(-3))  # the past is not offered
    assert dialog.expiry_date.date() == QDate.currentDate().addDays(1)
    dialog.expiry_date.setDate(QDate(2099, 3, 1))
    start = datetime(2099, 3, 1).astimezone()  # 00:00 local time: it stops working that morning
    assert dialog.expires_at == start.astimezone(UTC)
    dialog.expiry_date.setFocus()
    QTest.keyClick(dialog.expiry_date, Qt.Key.Key_Return)
    assert _created(qtbot, window, sb, "Audit").expires_at == start.astimezone(UTC)


def test_a_new_key_with_an_expiry_on_a_server_before_v1_1(qtbot, window: MainWindow, real_keychain: Keychain) -> None:
    with Sandbox(tier="enterprise", api_version="1.0") as old:
        old.store.create_key("Worker", ["domains:read"])
        attach(qtbot, window, old, real_keychain)
        dialog = _new_key_dialog(window, "Contractor")
        dialog.expiry_combo.setCurrentText("In 30 days")
        dialog.create_button.click()
        key = _created(qtbot, window, old, "Contractor")
        assert key.status == "expiring"  # scheduled after the create, which the old server made active
        assert window.content.key_commands.dialog.findChild(QLabel, "expiryNote") is None
        plain = _new_key_dialog(window, "Plain")
        plain.create_button.click()
        qtbot.waitUntil(lambda: window.content.key_commands.dialog is not plain
                        and isinstance(window.content.key_commands.dialog, SecretDialog), timeout=WAIT)
        assert _created(qtbot, window, old, "Plain").expires_at is None
        wait_idle(qtbot, window)
