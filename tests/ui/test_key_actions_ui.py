"""Key actions through the window's dialogs, against the sandbox and the real keychain."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox

import myssl_desktop.ui.keys.commands as key_commands_module
from myssl_desktop.api import MysslClient
from myssl_desktop.api.models import PERMISSIONS
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.session import Session
from myssl_desktop.ui.common.confirm import ConfirmKeyAction
from myssl_desktop.ui.keys.dialogs import CreateKeyDialog, SecretDialog
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import FakeClipboard, add_settled_window, files_containing
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
    attach(qtbot, window, sb, real_keychain, read_only=True)
    select(window, "Staging")
    commands = window.content.key_commands
    assert not any(a.isEnabled() for a in (commands.create_action, commands.rename_action,
                                           commands.regenerate_action, commands.revoke_action))
    assert commands.copy_action.isEnabled()


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
    select(window, "Backup Script")
    window.content.key_commands.revoke_action.trigger()
    dialog = window.content.key_commands.dialog
    dialog.findChild(type(dialog.typed))  # the dialog is built
    choice = [w for w in dialog.children() if w.__class__.__name__ == "RevokeChoice"][0]
    choice.radios["24h"].setChecked(True)
    dialog.typed.setText("Backup Script")
    dialog.confirm_button.click()
    wait_idle(qtbot, window)
    client = MysslClient(sb.base_url, sb.admin_key)
    key = next(k for k in client.all_keys() if k.name == "Backup Script")
    assert key.status == "expiring" and key.expires_at is not None
    select(window, "Backup Script")
    window.content.key_commands.cancel_revoke_action.trigger()
    wait_idle(qtbot, window)
    assert client.get_key(key.id).status == "active"
    select(window, "Backup Script")
    window.content.key_commands.revoke_action.trigger()
    window.content.key_commands.dialog.typed.setText("Backup Script")
    window.content.key_commands.dialog.confirm_button.click()
    wait_idle(qtbot, window)
    assert client.get_key(key.id).status == "revoked"


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
