"""Command targets in the wizard: the Command tab's presets (Enter adds, never starts), its
preflight shown in the plan, the programs' output on the update page with every key cut to its
prefix, and a cancel that runs each command again with the old key. Against the sandbox, the
real keychain and recording stand-ins for gh and kubectl."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.rotation import CommandTarget, SnippetTarget, State
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.ui.shell.main_window import MainWindow
from tests.support import files_containing
from tests.ui.helpers import WAIT
from tests.ui.test_rotation_wizard import attach, env_file, idle, make_window, rotate, to_deliver

GITHUB = ("acme/app", "production")


@pytest.fixture
def window(qtbot, tmp_path: Path, app_dirs: AppDirs) -> MainWindow:
    return make_window(qtbot, tmp_path, app_dirs)


def add_github(qtbot, page) -> None:  # noqa: ANN001
    """Choose the GitHub preset and type its fields as a user would, Enter in the last one."""
    form = page.command_form
    form.preset.setCurrentIndex(form.preset.findData("github"))
    QTest.keyClicks(form.fields["repo"], GITHUB[0])
    QTest.keyClicks(form.fields["env"], GITHUB[1])
    QTest.keyClick(form.fields["env"], Qt.Key.Key_Return)


def test_the_command_tab_adds_a_checked_preset_and_replaces_the_github_snippet(
        qtbot, window: MainWindow, sb: Sandbox, real_keychain: Keychain, standins, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    _, old_secret = sb.demo_keys["Production Server"]
    wizard = rotate(qtbot, window, "Production Server")
    page = wizard.plan_page
    assert list(page.snippet_boxes) == ["shell"]  # no copyable `gh secret set` reading an unset variable
    add_github(qtbot, page)
    assert wizard.rotation is None and page.targets.count() == 1  # added; nothing started
    qtbot.waitUntil(lambda: "gh auth status" in page.targets.item(0).text(), timeout=WAIT)
    row = page.targets.item(0).text()
    assert row.startswith("GitHub Actions secret MYSSL_API_KEY of acme/app, environment production")
    assert "“gh auth status” passed" in row
    assert "cancel cannot put the old key back here" in row  # the demo key's secret is in no keychain
    assert [c.words for c in standins.calls()] == ["gh auth status"]  # preflight only: nothing was set

    # A failing check keeps the rotation from starting.
    standins.steer("fail", "kubectl auth can-i")
    form = page.command_form
    form.preset.setCurrentIndex(form.preset.findData("kubernetes"))
    QTest.keyClick(form.fields["name"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.targets.count() == 2 and "failed" in page.targets.item(1).text(), timeout=WAIT)
    assert "Remove or fix Kubernetes secret myssl-api-key" in page.problems()
    wizard.primary_button.click()
    assert wizard.rotation is None and "Remove or fix" in page.add_error.text()

    # A remembered GitHub snippet of an earlier version is named, not silently dropped.
    again = rotate(qtbot, window, "Staging")
    again.plan_page.prefill([SnippetTarget("github")])
    assert "GitHub Actions secret" in again.plan_page.hint.text() and "Command tab" in again.plan_page.hint.text()
    again.reject()
    wizard.reject()


def test_commands_run_in_the_update_step_and_a_cancel_runs_them_with_the_old_key(
        qtbot, window: MainWindow, sb: Sandbox, real_keychain: Keychain, app_dirs, standins, tmp_path: Path) -> None:
    attach(qtbot, window, sb, real_keychain)
    _, old_secret = sb.demo_keys["Production Server"]
    path = env_file(tmp_path / "project", old_secret)
    standins.steer("echo", "1")  # the tools print the key they read: the page must show its prefix only
    wizard = rotate(qtbot, window, "Production Server")
    page = wizard.plan_page
    page.env_path.setText(str(path))
    page.add_env_button.click()
    qtbot.waitUntil(lambda: "holds this key" in page.targets.item(0).text(), timeout=WAIT)
    add_github(qtbot, page)
    qtbot.waitUntil(lambda: "passed" in page.targets.item(1).text(), timeout=WAIT)
    assert "cancel cannot" not in page.targets.item(1).text()  # the .env file holds the old key: kept for cancel
    wizard.primary_button.click()
    qtbot.waitUntil(lambda: wizard.create_page.secret_field is not None, timeout=WAIT)
    idle(qtbot, wizard)
    to_deliver(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.busy and wizard.rotation.state == State.DELIVERED, timeout=WAIT)
    assert wizard.stack.currentWidget() is wizard.deliver_page  # it stays, showing what the commands printed
    assert "What each command printed is under it" in wizard.deliver_page.status.text()
    rotation = wizard.rotation
    new = real_keychain.load(Entry.rotation(rotation.id, "new"))
    assert standins.state("gh")["acme/app/production/:MYSSL_API_KEY"] == new.reveal()
    file_row, command_row = wizard.deliver_page.rows
    assert isinstance(command_row.target, CommandTarget)
    assert command_row.state.text().startswith("✓ Updated: the command ran with the new key")
    shown = command_row.output.toPlainText()
    assert "$ update: gh secret set MYSSL_API_KEY --repo acme/app --env production (exit 0" in shown
    assert f"read '{new.prefix}…'" in shown and new.reveal() not in shown
    assert wizard.primary_button.text() == "&Continue: verify the new key"
    wizard.primary_button.click()
    qtbot.waitUntil(lambda: wizard.stack.currentWidget() is wizard.verify_page and not wizard.busy, timeout=WAIT)

    wizard.cancel_button.click()
    box = wizard.confirmation
    assert "Run again with the old key" in box.text() and "GitHub Actions secret" in box.text()
    next(b for b in box.buttons() if b.text() == "Cancel rotation").click()
    qtbot.waitUntil(lambda: wizard.rotation.state == State.CANCELLED and not wizard.busy, timeout=WAIT)
    assert standins.state("gh")["acme/app/production/:MYSSL_API_KEY"] == old_secret  # ran again, old key
    printed = wizard.summary_page.runs.toPlainText()
    assert wizard.summary_page.runs.isVisibleTo(wizard) and "gh secret set" in printed
    assert old_secret not in printed and f"{old_secret[:12]}…" in printed
    assert "These hold the old key" in wizard.summary_page.body.text()
    window.close()
    for folder in (app_dirs.config.parent.parent, tmp_path / "state"):
        assert files_containing(folder, new.reveal()) == [] and files_containing(folder, old_secret) == []
