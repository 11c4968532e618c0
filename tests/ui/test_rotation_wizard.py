"""The rotation wizard driven end to end against the sandbox and the real keychain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from myssl_desktop.api import MysslClient
from myssl_desktop.api.errors import InvalidApiKey
from myssl_desktop.api.transport import USER_AGENT
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.revoke_when import RevokeWhen
from myssl_desktop.rotation import JournalStore, State
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.session import Session
from myssl_desktop.ui.common.confirm import ConfirmKeyAction
from myssl_desktop.ui.rotation.wizard import RotationWizard
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import FakeClipboard, files_containing
from tests.ui.helpers import WAIT, open_window, select, session_for, shown_keys
from tests.ui.helpers import attach as attach_session

DIRS: dict[int, AppDirs] = {}  # each test window's folders, by id(window): its sessions' services use them


def make_window(qtbot, tmp_path: Path, dirs: AppDirs) -> MainWindow:
    window = open_window(qtbot, WindowSetup(state_dir=tmp_path / "state", clipboard_backend=FakeClipboard()))
    DIRS[id(window)] = dirs
    return window


@pytest.fixture
def window(qtbot, tmp_path: Path, app_dirs: AppDirs) -> MainWindow:
    return make_window(qtbot, tmp_path, app_dirs)


def settle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=WAIT)


def attach(qtbot, window: MainWindow, sb: Sandbox, keychain: Keychain, profile: Profile | None = None) -> Session:
    """Signed in as the app does: the key in the keychain, the profile stored in the window's folders."""
    return attach_session(qtbot, window, session_for(sb, keychain=keychain, profile=profile, dirs=DIRS[id(window)]))


def env_file(folder: Path, secret: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".env"
    path.write_bytes(f"# app settings\nDEBUG=0\nexport MYSSL_API_KEY=\"{secret}\"\n".encode())
    path.chmod(0o640)
    return path


def rotate(qtbot, window: MainWindow, name: str) -> RotationWizard:
    select(window, name)
    rotations = window.content.rotations
    assert window.content.key_commands.rotate_action.isEnabled()
    rotations.wizard = None
    window.content.key_commands.rotate_action.trigger()
    qtbot.waitUntil(lambda: rotations.wizard is not None and rotations.wizard.isVisible(), timeout=WAIT)
    return rotations.wizard


def idle(qtbot, wizard: RotationWizard) -> None:
    qtbot.waitUntil(lambda: not wizard.busy, timeout=WAIT)


def plan_and_create(qtbot, wizard: RotationWizard, *, env: Path | None = None, manual: tuple[str, ...] = (),
                    quiet_minutes: int = 10, commands: tuple[str, ...] = ()) -> None:
    """Fill in the plan and create the new key. A quiet period (10 min unless asked) keeps the
    rotation on the watch page, where the user decides; with 0 it revokes as soon as verified."""
    page = wizard.plan_page
    for style in commands:
        page.snippet_boxes[style].setChecked(True)
    if env is not None:
        page.env_path.setText(str(env))
        page.add_env_button.click()
        qtbot.waitUntil(lambda: "holds this key" in page.targets.item(0).text(), timeout=WAIT)
    for item in manual:
        page.manual_edit.setText(item)
        page.add_manual_button.click()
    page.quiet_spin.setValue(quiet_minutes)
    assert wizard.primary_button.text() == "Create the &new key"
    wizard.primary_button.click()
    qtbot.waitUntil(lambda: wizard.create_page.secret_field is not None, timeout=WAIT)
    idle(qtbot, wizard)


def to_deliver(qtbot, wizard: RotationWizard) -> None:
    wizard.primary_button.click()  # Continue: update the places
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is not wizard.create_page, timeout=WAIT)
    idle(qtbot, wizard)


def tick_all_and_verify(qtbot, wizard: RotationWizard) -> None:
    for row in wizard.deliver_page.rows:
        if row.check is not None:
            row.check.setChecked(True)
    wizard.primary_button.click()  # Continue
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy, timeout=WAIT)
    assert "works:</b> MySSL accepted it." in wizard.verify_page.status.text()


def to_drain(qtbot, wizard: RotationWizard) -> None:
    wizard.primary_button.click()  # Continue: watch the old key
    qtbot.waitUntil(lambda: wizard.drain_page.status is not None, timeout=WAIT)


def confirm(qtbot, wizard: RotationWizard) -> None:
    dialog = wizard.confirmation
    assert isinstance(dialog, ConfirmKeyAction)
    if dialog.needs_typing:
        dialog.typed.setText(dialog.key_name)
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.summary_page and not wizard.busy, timeout=WAIT)


def labels(targets) -> list[str]:  # noqa: ANN001
    return [t.label for t in targets]


def test_enter_in_a_plan_field_adds_it_and_enter_after_starts(qtbot, window: MainWindow, sb: Sandbox,
                                                                real_keychain: Keychain, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    _, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    wizard = rotate(qtbot, window, "Production Server")
    page = wizard.plan_page
    QTest.keyClicks(page.env_path, str(path))
    QTest.keyClick(page.env_path, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.targets.count() == 1 and "holds this key" in page.targets.item(0).text(),
                    timeout=WAIT)
    QTest.keyClicks(page.manual_edit, "CI pipeline")
    QTest.keyClick(page.manual_edit, Qt.Key.Key_Return)
    assert page.targets.count() == 2 and wizard.rotation is None  # added, nothing started
    assert wizard.stack.currentWidget() is page
    page.quiet_spin.setValue(10)
    QTest.keyClick(page.quiet_spin, Qt.Key.Key_Return)  # anywhere else: the step's own button
    qtbot.waitUntil(lambda: wizard.create_page.secret_field is not None, timeout=WAIT)
    idle(qtbot, wizard)
    names = {k.name for k in MysslClient(sb.base_url, sb.admin_key).all_keys()}
    assert "Production Server (new)" in names
    QTest.keyClick(wizard.create_page.secret_field.field, Qt.Key.Key_Escape)  # closes, the rotation is kept
    assert not wizard.isVisible() and wizard.rotation is not None and not wizard.rotation.state.finished


def test_a_full_rotation_through_the_wizard(qtbot, window: MainWindow, sb: Sandbox, real_keychain: Keychain,
                                            app_dirs: AppDirs, tmp_path: Path) -> None:
    session = attach(qtbot, window, sb, real_keychain)
    old_id, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    wizard = rotate(qtbot, window, "Production Server")
    assert "Production Server" in wizard.plan_page.key_label.text()
    assert "last used" in wizard.plan_page.key_label.text()
    plan_and_create(qtbot, wizard, env=path, manual=("CI pipeline",), commands=("shell",))

    # (b) the secret is in the keychain before it is shown, masked, copied through the concealed clipboard
    rotation = wizard.rotation
    assert rotation.new_key_name == "Production Server (new)"
    stored = real_keychain.load(Entry.rotation(rotation.id, "new"))
    field = wizard.create_page.secret_field
    assert stored is not None and field.field.text() == stored.reveal()
    assert field.field.echoMode() == QLineEdit.EchoMode.Password
    field.reveal_button.click()
    assert field.field.echoMode() == QLineEdit.EchoMode.Normal
    window.content.hygiene.hide_secrets.emit()  # idle or screen lock
    assert field.field.echoMode() == QLineEdit.EchoMode.Password
    field.copy_button.click()
    clipboard = window.content.setup.clipboard_backend
    assert clipboard.text() == stored.reveal() and clipboard.data.hasFormat("x-kde-passwordManagerHint")

    # (c) the file is updated at once; the checklist item waits for its tick
    to_deliver(qtbot, wizard)
    assert wizard.stack.currentWidget() is wizard.deliver_page and wizard.rotation.state == State.CREATED
    file_row, shell_row, manual_row = wizard.deliver_page.rows
    assert file_row.state.text().startswith("✓ Updated") and "Waiting for you" in manual_row.state.text()
    assert stored.reveal() not in shell_row.command.text() and "export MYSSL_API_KEY=" in shell_row.command.text()
    clipboard.clear()
    shell_row.copy_button.click()  # the command holds the secret: through the concealed clipboard
    assert clipboard.text() == f" export MYSSL_API_KEY={stored.reveal()}"
    assert clipboard.data.hasFormat("x-kde-passwordManagerHint")
    assert f'export MYSSL_API_KEY="{stored.reveal()}"\n' in path.read_text()
    assert path.read_text().startswith("# app settings\nDEBUG=0\n") and oct(path.stat().st_mode & 0o777) == "0o640"

    # (d) verify, (e) the old key has not been used, but the quiet period (10 min) has not passed
    tick_all_and_verify(qtbot, wizard)
    to_drain(qtbot, wizard)
    drain = wizard.drain_page
    assert "waiting" in drain.summary.text() and "As planned" in drain.targets_label.text()
    assert drain.cells[("old", "name")].text() == "Production Server"
    assert drain.cells[("new", "prefix")].text() == f"{stored.prefix}…"
    drain.revoke_button.click()  # the user decides earlier
    dialog = wizard.confirmation
    assert isinstance(dialog, ConfirmKeyAction)
    assert all(place in dialog.text.text() for place in (str(path), "CI pipeline", "Shell environment"))
    assert not dialog.needs_typing  # not used since delivery: no typed name needed
    confirm(qtbot, wizard)

    # (f) the summary, and the world as promised
    summary = wizard.summary_page.body.text()
    assert "Rotation complete" in wizard.summary_page.title.text()
    assert str(path) in summary and "CI pipeline" in summary and "is revoked" in summary
    assert "kept in your system keychain" in summary
    admin = MysslClient(sb.base_url, sb.admin_key)
    assert admin.get_key(old_id).status == "revoked"
    new = admin.get_key(wizard.rotation.new_key_id)
    assert new.status == "active" and new.name == "Production Server"  # the name is kept
    assert JournalStore(app_dirs.data).load(rotation.id).state == State.DONE
    assert not list(path.parent.glob(".env.myssl-backup-*"))
    assert real_keychain.load(Entry.created_key(session.profile.id, wizard.rotation.new_key_id)) == stored
    assert not wizard.cancel_button.isVisible()
    wizard.primary_button.click()  # Done
    assert not wizard.isVisible()
    settle(qtbot, window)
    assert window.content.banner.isHidden()  # nothing left in progress

    # the new key's next rotation starts where this one delivered (remembered for the new key)
    qtbot.waitUntil(lambda: window.is_idle and "Production Server" in [k.name for k in shown_keys(window)],
                    timeout=WAIT)
    following = rotate(qtbot, window, "Production Server")
    assert labels(following.plan_page.chosen_targets()) == [f"MYSSL_API_KEY in {path}",
                                                           "Shell environment (a command you run)",
                                                           "CI pipeline (a checklist item you tick off)"]
    assert following.plan_page.quiet_spin.value() == 10
    following.reject()

    # no secret in any file of the app (journals, settings, caches, logs, window state)
    window.close()
    for folder in (app_dirs.config.parent.parent, tmp_path / "state"):
        assert files_containing(folder, stored.reveal()) == []
        assert files_containing(folder, old_secret) == []


def test_with_the_wizard_closed_the_rotation_finishes_as_planned(qtbot, window: MainWindow, sb: Sandbox,
                                                                 real_keychain: Keychain, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    old_id, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    wizard = rotate(qtbot, window, "Production Server")
    plan_and_create(qtbot, wizard, env=path, quiet_minutes=10)
    to_deliver(qtbot, wizard)
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy, timeout=WAIT)
    to_drain(qtbot, wizard)
    rotation = wizard.rotation
    wizard.close_button.click()  # the user walks away; the app stays open
    assert not wizard.isVisible() and "goes on by itself" in window.status.text()
    rotations = window.content.rotations
    machine = rotations.machine()
    later = machine.clock() + timedelta(minutes=10, seconds=1)
    machine.clock = lambda: later  # ten quiet minutes pass (the clock is the one thing a test may fake)
    rotations.runner.interval_cap_s = 1  # and the runner looks again within seconds, not a minute
    admin = MysslClient(sb.base_url, sb.admin_key)
    qtbot.waitUntil(lambda: admin.get_key(old_id).status == "revoked", timeout=WAIT)
    qtbot.waitUntil(lambda: machine.load(rotation.id).state == State.DONE, timeout=WAIT)
    assert admin.get_key(rotation.new_key_id).name == "Production Server"
    qtbot.waitUntil(lambda: window.content.banner.isHidden(), timeout=WAIT)


def test_use_of_the_old_key_after_delivery_is_shown_prominently(qtbot, window: MainWindow, sb: Sandbox,
                                                                real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    _, old_secret = sb.demo_keys["Staging"]
    wizard = rotate(qtbot, window, "Staging")
    plan_and_create(qtbot, wizard, manual=("Staging server",), quiet_minutes=10)
    to_deliver(qtbot, wizard)
    tick_all_and_verify(qtbot, wizard)
    to_drain(qtbot, wizard)
    drain = wizard.drain_page
    assert "waiting" in drain.summary.text() and not drain.status.used_after_delivery
    MysslClient(sb.base_url, old_secret).list_domains()  # something still uses the old key
    drain.check_button.click()
    qtbot.waitUntil(lambda: drain.status.used_after_delivery, timeout=WAIT)
    assert "Something still uses the old key" in drain.summary.text()
    assert drain.summary.font().bold() and "#c62828" in drain.summary.styleSheet()
    who = f"Used since delivery by 127.0.0.1 {USER_AGENT}, last seen "  # which app has not switched
    assert drain.clients_label.isVisible() and drain.clients_label.text().startswith(who)
    drain.schedule_actions[RevokeWhen.IN_24H].trigger()
    dialog = wizard.confirmation
    assert dialog.needs_typing and not dialog.confirm_button.isEnabled()  # used after delivery: type the name
    assert who in dialog.text.text()
    dialog.reject()
    drain.later_button.click()  # finish later: the old key keeps working, the rotation stays listed
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.summary_page and not wizard.busy, timeout=WAIT)
    assert "still works" in wizard.summary_page.body.text()
    assert wizard.rotation.state == State.DRAINING and wizard.rotation.revoke == RevokeWhen.LATER


def test_cancel_from_the_update_page_restores_the_file(qtbot, window: MainWindow, sb: Sandbox,
                                                       real_keychain: Keychain, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    old_id, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    before = path.read_bytes()
    wizard = rotate(qtbot, window, "Production Server")
    plan_and_create(qtbot, wizard, env=path, manual=("CI pipeline",))
    to_deliver(qtbot, wizard)
    assert path.read_bytes() != before
    new_id = wizard.rotation.new_key_id
    wizard.cancel_button.click()
    box = wizard.confirmation
    assert str(path) in box.text() and "is revoked" in box.text() and "CI pipeline" not in box.text()
    next(b for b in box.buttons() if b.text() == "Cancel rotation").click()
    qtbot.waitUntil(lambda: wizard.rotation.state == State.CANCELLED and not wizard.busy, timeout=WAIT)
    assert "Rotation cancelled" in wizard.summary_page.title.text()
    assert path.read_bytes() == before
    admin = MysslClient(sb.base_url, sb.admin_key)
    assert admin.get_key(new_id).status == "revoked" and admin.get_key(old_id).status == "active"
    assert real_keychain.load(Entry.rotation(wizard.rotation.id, "new")) is None
    assert wizard.primary_button.text() == "&Start again…"
    wizard.primary_button.click()  # a new plan for the same key, with the same places
    rotations = window.content.rotations
    qtbot.waitUntil(lambda: rotations.wizard is not wizard and rotations.wizard is not None, timeout=WAIT)
    again = window.content.rotations.wizard
    qtbot.waitUntil(lambda: "holds this key" in again.plan_page.targets.item(0).text(), timeout=WAIT)
    assert labels(again.plan_page.chosen_targets()) == [f"MYSSL_API_KEY in {path}",
                                                       "CI pipeline (a checklist item you tick off)"]
    again.reject()


def test_close_mid_way_then_resume_after_a_restart(qtbot, window: MainWindow, sb: Sandbox,
                                                   real_keychain: Keychain, app_dirs: AppDirs,
                                                   tmp_path: Path) -> None:
    session = attach(qtbot, window, sb, real_keychain)
    old_id, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    wizard = rotate(qtbot, window, "Production Server")
    plan_and_create(qtbot, wizard, env=path, manual=("CI pipeline",))
    to_deliver(qtbot, wizard)
    rotation_id = wizard.rotation.id
    wizard.close_button.click()  # keep the rotation
    assert not wizard.isVisible()
    qtbot.waitUntil(lambda: not window.content.banner.isHidden(), timeout=WAIT)
    assert "1 rotation in progress: Production Server" in window.content.banner.label.text()
    window.content.rotations.open_panel()
    panel = window.content.rotations.panel
    qtbot.waitUntil(lambda: len(panel.shown) == 1, timeout=WAIT)
    assert "1 of 2 places updated" in panel.list.topLevelItem(0).text(1)
    panel.close()
    settle(qtbot, window)

    # The app restarts: a new window on the same data folder offers to resume.
    second = make_window(qtbot, tmp_path / "again", app_dirs)
    attach(qtbot, second, sb, real_keychain, profile=session.profile)
    qtbot.waitUntil(lambda: "1 rotation in progress" in second.content.banner.label.text(), timeout=WAIT)
    second.content.banner.button.click()  # Resume
    qtbot.waitUntil(lambda: second.content.rotations.wizard is not None, timeout=WAIT)
    resumed = second.content.rotations.wizard
    qtbot.waitUntil(lambda: resumed.stack.currentWidget() is resumed.deliver_page and not resumed.busy,
                    timeout=WAIT)
    assert resumed.rotation.id == rotation_id and resumed.rotation.delivered == (0,)
    assert resumed.deliver_page.rows[0].state.text().startswith("✓ Updated")
    tick_all_and_verify(qtbot, resumed)
    to_drain(qtbot, resumed)
    resumed.drain_page.revoke_button.click()
    confirm(qtbot, resumed)
    assert resumed.rotation.state == State.DONE
    assert MysslClient(sb.base_url, sb.admin_key).get_key(old_id).status == "revoked"
    settle(qtbot, second)
    qtbot.waitUntil(lambda: second.content.banner.isHidden(), timeout=WAIT)


def test_self_rotation_keeps_the_window_working(qtbot, window: MainWindow, sb: Sandbox,
                                                real_keychain: Keychain) -> None:
    session = attach(qtbot, window, sb, real_keychain)
    rejected: list[str] = []
    window.session_rejected.connect(rejected.append)
    wizard = rotate(qtbot, window, "Sandbox admin")
    qtbot.waitUntil(lambda: not wizard.plan_page.self_note.isHidden(), timeout=WAIT)
    plan_and_create(qtbot, wizard)
    assert wizard.rotation.self_rotation
    wizard.primary_button.click()  # no places: straight through update to verify
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy, timeout=WAIT)
    new_prefix = wizard.rotation.new_prefix
    qtbot.waitUntil(lambda: window.session.client.key_prefix == new_prefix, timeout=WAIT)  # switched at once
    assert "signs in with the new key" in wizard.verify_page.detail.text()
    to_drain(qtbot, wizard)
    assert not wizard.drain_page.status.used_after_delivery  # the window's own calls use the new key
    wizard.drain_page.revoke_button.click()
    confirm(qtbot, wizard)
    assert wizard.rotation.state == State.DONE
    with pytest.raises(InvalidApiKey):
        MysslClient(sb.base_url, sb.admin_key).current()
    settle(qtbot, window)
    window.refresh()
    qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)
    assert not rejected and window.content.banner.isHidden()
    assert window.session.profile.key_prefix == new_prefix
    assert window.session.client.current().api_key.id == wizard.rotation.new_key_id
    assert real_keychain.load(Entry.sign_in(session.profile.id)).prefix == new_prefix
    assert session.services.profiles.load().find(session.profile.id).key_prefix == new_prefix
    names = {key.name: key.status for key in shown_keys(window)}
    assert names["Sandbox admin"] == "active"  # the new key, with the old key's name


def test_a_file_holding_another_key_waits_for_the_users_word(qtbot, window: MainWindow, sb: Sandbox,
                                                             real_keychain: Keychain, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    _, old_secret = sb.demo_keys["Production Server"]
    _, other_secret = sb.demo_keys["Staging"]
    path = env_file(tmp_path / "project", old_secret)
    wizard = rotate(qtbot, window, "Production Server")
    plan_and_create(qtbot, wizard, env=path, manual=("CI pipeline",))
    edited = path.read_text().replace(old_secret, other_secret).encode()
    path.write_bytes(edited)  # someone puts another key there meanwhile
    to_deliver(qtbot, wizard)
    page = wizard.deliver_page
    assert "holds another key" in page.rows[0].state.text()
    assert not page.replace_button.isHidden() and wizard.rotation.delivered == ()
    assert path.read_bytes() == edited  # left alone
    page.replace_button.click()  # it is right to replace it
    qtbot.waitUntil(lambda: wizard.rotation.delivered == (0,) and not wizard.busy, timeout=WAIT)
    secret = wizard.create_page.secret_field.field.text()
    assert secret in path.read_text() and page.replace_button.isHidden()
    assert page.rows[0].state.text().startswith("✓ Updated")
    wizard.cancel_button.click()
    next(b for b in wizard.confirmation.buttons() if b.text() == "Cancel rotation").click()
    qtbot.waitUntil(lambda: wizard.rotation.state == State.CANCELLED and not wizard.busy, timeout=WAIT)
    assert path.read_bytes() == edited  # put back as it was when the rotation updated it


def test_the_key_limit_offers_to_revoke_a_stale_key_first(qtbot, window: MainWindow, sb: Sandbox,
                                                          real_keychain: Keychain) -> None:
    attach(qtbot, window, sb, real_keychain)
    admin = MysslClient(sb.base_url, sb.admin_key)
    active = [k for k in admin.all_keys() if k.status in ("active", "expiring")]
    for n in range(25 - len(active)):
        admin.create_key(f"Filler {n}", ["domains:read"])
    wizard = rotate(qtbot, window, "Production Server")
    wizard.plan_page.quiet_spin.setValue(0)
    wizard.primary_button.click()
    page = wizard.create_page
    qtbot.waitUntil(lambda: not page.limit_box.isHidden() and not wizard.busy, timeout=WAIT)
    assert "25 active keys" in page.status.text() and wizard.primary_button.text() == "&Try again"
    assert "Legacy Integration" in page.stale_list.item(0).text()
    page.stale_list.setCurrentRow(0)
    page.revoke_stale_button.click()
    dialog = wizard.confirmation
    assert isinstance(dialog, ConfirmKeyAction) and "make room" in dialog.text.text()
    dialog.confirm_button.click()
    qtbot.waitUntil(lambda: page.secret_field is not None and not wizard.busy, timeout=WAIT)
    legacy = next(k for k in admin.all_keys() if k.name == "Legacy Integration")
    assert legacy.status == "revoked" and wizard.rotation.state == State.CREATED


XSERVER_SCRIPT = r"""
import json, sys, tempfile, time
from pathlib import Path
from PySide6.QtWidgets import QApplication
from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.keychain import DemoKeyring, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.services import Services
from myssl_desktop.session import Session
from myssl_desktop.ui.shell.main_window import MainWindow

app = QApplication(sys.argv[:1])
root = Path(tempfile.mkdtemp())
sb = Sandbox(tier="enterprise", seed="demo").start()
old_id, old_secret = sb.demo_keys["Production Server"]
env = root / ".env"
env.write_text(f"MYSSL_API_KEY={old_secret}\n")

def wait(condition, seconds=30):
    end = time.time() + seconds
    while not condition() and time.time() < end:
        app.processEvents()
        time.sleep(0.01)
    assert condition(), "timed out"

window = MainWindow()
window.show()
services = Services.build(AppDirs.under(root / "app"), Keychain(DemoKeyring()))
profile, _ = services.signin.sign_in(Profile(id="x", name="Demo", base_url=sb.base_url), Secret(sb.admin_key))
window.attach(Session.verified(services, profile))
wait(lambda: window.content.keys.model.total_count > 0 and window.is_idle)
row = next(r for r in range(window.content.keys.model.rowCount())
           if window.content.keys.model.key_at(r).name == "Production Server")
window.content.keys.table.selectRow(row)
window.content.key_commands.rotate_action.trigger()
wait(lambda: window.content.rotations.wizard is not None and window.content.rotations.wizard.isVisible())
wizard = window.content.rotations.wizard
pages = []
wizard.plan_page.env_path.setText(str(env))
wizard.plan_page.add_env_button.click()
wait(lambda: "holds this key" in wizard.plan_page.targets.item(0).text())
wizard.plan_page.quiet_spin.setValue(10)  # watched: the user revokes by hand
wizard.primary_button.click()
wait(lambda: wizard.create_page.secret_field is not None and not wizard.busy)
wait(lambda: wizard.create_page.secret_field.isVisible())
image = wizard.grab().toImage()
colours = {image.pixel(x, y) for x in range(0, image.width(), 17) for y in range(0, image.height(), 13)}
pages.append(wizard.header.step)
wizard.primary_button.click()
wait(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy)
pages.append(wizard.header.step)
wizard.primary_button.click()
wait(lambda: wizard.drain_page.status is not None)
pages.append(wizard.header.step)
wizard.drain_page.revoke_button.click()
wizard.confirmation.confirm_button.click()
wait(lambda: wizard.stack.currentWidget() is wizard.summary_page and not wizard.busy)
pages.append(wizard.header.step)
new_secret_in_env = env.read_text().strip().split("=", 1)[1]
admin = MysslClient(sb.base_url, sb.admin_key)
print(json.dumps({"platform": app.platformName(), "visible": wizard.isVisible(),
                  "modal": wizard.isModal(), "pages": pages, "summary": wizard.summary_page.body.text(),
                  "state": wizard.rotation.state.value,
                  "old": admin.get_key(old_id).status, "env_prefix": new_secret_in_env[:12],
                  "new_prefix": wizard.rotation.new_prefix, "colours": len(colours),
                  "backups": len(list(root.glob(".env.myssl-backup-*")))}))
window.content.rotations.shutdown()
sb.stop()
"""


@pytest.mark.xserver
def test_the_wizard_on_a_real_x_server() -> None:
    assert os.environ.get("DISPLAY"), "needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    out = subprocess.run([sys.executable, "-c", XSERVER_SCRIPT], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    report = json.loads(out.strip().splitlines()[-1])
    assert report["platform"] == "xcb" and report["visible"] and not report["modal"]
    assert report["pages"] == [1, 3, 4, 5]
    assert report["state"] == "done" and report["old"] == "revoked"
    assert report["env_prefix"] == report["new_prefix"] and report["backups"] == 0  # edited in place
    assert report["colours"] > 10  # really painted
    assert "sandbox’s in-memory keychain" in report["summary"]  # not "your system keychain": it is not


def test_the_wizard_with_live_traffic_sees_the_old_key_still_used(qtbot, tmp_path: Path, app_dirs: AppDirs,
                                                                   real_keychain: Keychain) -> None:
    with Sandbox(tier="enterprise", seed="demo", traffic=True) as live:  # the --traffic simulator runs
        window = make_window(qtbot, tmp_path, app_dirs)
        attach(qtbot, window, live, real_keychain)
        wizard = rotate(qtbot, window, "Production Server")
        plan_and_create(qtbot, wizard, quiet_minutes=10)
        wizard.primary_button.click()  # no places: straight through update to verify
        qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy,
                        timeout=WAIT)
        to_drain(qtbot, wizard)
        old_id = live.demo_keys["Production Server"][0]
        for _ in range(200):  # bursts of the simulator until one of them uses the old key
            if old_id in live.traffic.tick():
                break
        else:
            pytest.fail("the traffic simulator never used the old key")
        wizard.drain_page.check_button.click()
        qtbot.waitUntil(lambda: wizard.drain_page.status is not None
                        and wizard.drain_page.status.used_after_delivery, timeout=WAIT)
        assert "still uses the old key" in wizard.drain_page.summary.text()
        made_up = "by 203.0.113." in wizard.drain_page.clients_label.text() or \
            "by 198.51.100." in wizard.drain_page.clients_label.text()
        assert made_up, wizard.drain_page.clients_label.text()  # the simulator's clients, by name
        wizard.drain_page.later_button.click()
        idle(qtbot, wizard)
        running = JournalStore(app_dirs.data).in_progress()[0]
        assert running.state == State.DRAINING and running.revoke == RevokeWhen.LATER
        settle(qtbot, window)
        window.content.rotations.shutdown()
        window.content.schedule.stop()
