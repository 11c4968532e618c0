"""What a user looks for and should find: an empty state with the next step, a context menu,
multi-select with one revoke, a way out of a filter that hides everything, the Help menu,
marks for stored and sign-in keys, and the chart after a refresh."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QToolBar

from myssl_desktop import __version__
from myssl_desktop.api import MysslClient
from myssl_desktop.api.models import RateLimit
from myssl_desktop.keychain import Keychain
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.ui.keys.dialogs import BulkRevokeDialog
from myssl_desktop.ui.keys.model import SIGNS_IN, Column
from myssl_desktop.ui.rotation.wizard import RotationWizard
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.ui.helpers import WAIT, attach, open_window, select, session_for, shown_names, wait_idle


def test_the_signed_out_window_offers_the_next_step(qtbot, window: MainWindow) -> None:
    window.detach("Not signed in.")
    keys = window.content.keys
    assert keys.signed_out.isVisible() and not keys.table.isVisible()
    with qtbot.waitSignal(window.sign_in_requested, timeout=WAIT):
        qtbot.mouseClick(keys.sign_in_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.sandbox_requested, timeout=WAIT):
        qtbot.mouseClick(keys.sandbox_button, Qt.MouseButton.LeftButton)


def test_a_row_has_a_context_menu_of_what_can_be_done_to_it(qtbot, window: MainWindow, sb: Sandbox,
                                                             real_keychain: Keychain) -> None:
    attach(qtbot, window, session_for(sb, keychain=real_keychain))
    keys = window.content.keys
    row = shown_names(window).index("Staging")
    place = keys.table.visualRect(keys.model.index(row, 0)).center()
    keys.table.customContextMenuRequested.emit(place)  # what a right click sends
    menu_texts = [a.text().replace("&", "") for a in keys.context_menu.actions() if not a.isSeparator()]
    assert keys.selected().name == "Staging"
    assert menu_texts[:2] == ["Rotate…", "Rename…"] and "Revoke…" in menu_texts
    assert "Copy stored secret" not in menu_texts  # nothing stored for it: not offered
    keys.context_menu.close()


def test_several_keys_are_revoked_with_one_confirmation(qtbot, window: MainWindow, sb: Sandbox,
                                                        real_keychain: Keychain) -> None:
    attach(qtbot, window, session_for(sb, keychain=real_keychain))
    keys, commands = window.content.keys, window.content.key_commands
    chosen = ["Analytics Export", "Legacy Integration", "Billing Reports"]
    selection = keys.table.selectionModel()
    for name in chosen:
        index = keys.model.index(shown_names(window).index(name), 0)
        selection.select(index, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert sorted(k.name for k in keys.selected_keys()) == sorted(chosen)
    assert commands.revoke_action.text() == "&Revoke selected keys…"
    commands.revoke_action.trigger()
    dialog = commands.dialog
    assert isinstance(dialog, BulkRevokeDialog)
    QTest.keyClick(dialog, Qt.Key.Key_Return)  # none used in the last day: Enter confirms
    wait_idle(qtbot, window)
    by_name = {k.name: k for k in MysslClient(sb.base_url, sb.admin_key).all_keys()}
    assert all(by_name[name].status == "revoked" for name in chosen)
    assert by_name["Staging"].status == "active"
    assert window.status.text() == "Revoked 3 keys."


def test_a_filter_that_hides_everything_says_so_and_leads_back(qtbot, window: MainWindow, sb: Sandbox) -> None:
    attach(qtbot, window, session_for(sb))
    keys = window.content.keys
    total = keys.model.rowCount()
    QTest.keyClicks(keys.filter_edit, "no such key")
    assert keys.model.rowCount() == 0 and keys.no_match.isVisible()
    assert "No keys match “no such key”" in keys.no_match.text()
    keys.no_match.linkActivated.emit("clear")
    assert keys.model.rowCount() == total and not keys.no_match.isVisible() and keys.filter_edit.text() == ""
    QTest.keyClicks(keys.filter_edit, "Stag")
    keys.filter_edit.setFocus()
    QTest.keyClick(keys.filter_edit, Qt.Key.Key_Down)  # from the filter into the results
    assert keys.table.hasFocus() and keys.selected().name == "Staging"


def test_marks_say_which_key_signs_in(qtbot, window: MainWindow, sb: Sandbox) -> None:
    attach(qtbot, window, session_for(sb))
    model = window.content.keys.model
    admin = next(model.key_at(r) for r in range(model.rowCount()) if model.key_at(r).name == "Sandbox admin")
    assert model.marks_of(admin) == (SIGNS_IN,)
    row = shown_names(window).index("Sandbox admin")
    assert "This profile signs in with this key." in model.index(row, Column.FLAGS).data(Qt.ItemDataRole.ToolTipRole)


def test_the_chart_follows_a_refresh(qtbot, window: MainWindow, sb: Sandbox) -> None:
    attach(qtbot, window, session_for(sb))
    select(window, "Analytics Export")  # never used: an empty chart
    chart = window.content.keys.details.chart
    assert chart.summary() == "30 days, no requests"
    _, secret = sb.demo_keys["Analytics Export"]
    user = MysslClient(sb.base_url, secret)
    for _ in range(3):
        user.current()
    window.refresh()
    wait_idle(qtbot, window)
    assert "3 requests" in chart.summary()


def test_rotate_is_in_the_toolbar_and_the_details(qtbot, window: MainWindow, sb: Sandbox,
                                                  real_keychain: Keychain, app_dirs) -> None:  # noqa: ANN001
    attach(qtbot, window, session_for(sb, keychain=real_keychain, dirs=app_dirs))
    select(window, "Staging")
    toolbar_texts = [a.text() for a in window.findChild(QToolBar, "main-toolbar").actions()]
    assert window.content.key_commands.rotate_action.text() in toolbar_texts
    details = window.content.keys.details
    assert details.rotate_button.isVisible()
    qtbot.mouseClick(details.rotate_button, Qt.MouseButton.LeftButton)
    rotations = window.content.rotations
    qtbot.waitUntil(lambda: isinstance(rotations.wizard, RotationWizard) and rotations.wizard.isVisible(),
                    timeout=WAIT)
    assert "Staging" in rotations.wizard.windowTitle()
    rotations.wizard.reject()


def test_the_help_menu(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = open_window(qtbot, WindowSetup(log_dir=tmp_path / "log"))
    qtbot.waitUntil(lambda: window._content is not None, timeout=WAIT)
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    entries = {a.text(): a for a in help_menu.actions() if not a.isSeparator()}
    assert set(entries) == {"&Keyboard shortcuts", "Open &log folder", "&About MySSL Desktop"}
    entries["&Keyboard shortcuts"].trigger()
    assert "Ctrl+Shift+C" in window.shortcuts_box.text() and "Escape" in window.shortcuts_box.text()
    window.shortcuts_box.close()
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toLocalFile()) or False)
    entries["Open &log folder"].trigger()
    assert opened == [str(tmp_path / "log")] and (tmp_path / "log").is_dir()
    assert str(tmp_path / "log") in window.status.text()  # no file manager here: the path is said instead
    about: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.about", lambda parent, title, text: about.append(text))
    entries["&About MySSL Desktop"].trigger()
    assert __version__ in about[0]


def test_both_quota_counters_say_what_is_left(qtbot, window: MainWindow) -> None:
    bar = window.content.account_bar
    bar.show_rate_limit(RateLimit(minute_limit=60, minute_remaining=58, reset_at=0, daily_limit=10_000,
                                  daily_remaining=9_998, observed_at=0.0))
    assert bar.quota_words.text() == "9,998 of 10,000 left today"
    assert bar.minute_label.text() == "58 of 60 left this minute"
    assert bar.quota_gauge.value() == 9_998 and not bar.quota_gauge.isTextVisible()


def test_the_activity_log_shows_what_the_window_did_and_exports_it(qtbot, window: MainWindow, sb: Sandbox,
                                                                   real_keychain: Keychain, app_dirs,  # noqa: ANN001
                                                                   tmp_path: Path) -> None:
    attach(qtbot, window, session_for(sb, keychain=real_keychain, dirs=app_dirs))
    select(window, "Analytics Export")
    window.content.key_commands.revoke_action.trigger()
    QTest.keyClick(window.content.key_commands.dialog, Qt.Key.Key_Return)  # never used: no name to type
    wait_idle(qtbot, window)
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    next(a for a in view.actions() if a.text() == "&Activity log…").trigger()
    dialog = window.activity_dialog
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT)
    cells = [dialog.table.item(0, column).text() for column in range(dialog.table.columnCount())]
    assert cells[1:5] == ["Demo", "revoke", f"Analytics Export ({sb_prefix(sb, 'Analytics Export')}…)", "done"]
    dialog.export()
    target = tmp_path / "activity.csv"
    dialog.export_dialog.fileSelected.emit(str(target))
    qtbot.waitUntil(lambda: dialog.export_result.text() == f"Exported 1 entry to {target}.", timeout=WAIT)
    assert not dialog.export_result.isHidden()
    assert dialog.summary.text().startswith("1 action of this app")  # the summary stays
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert rows[0]["action"] == "revoke" and rows[0]["key_name"] == "Analytics Export"
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_key_list_exports_as_json(qtbot, window: MainWindow, sb: Sandbox, tmp_path: Path) -> None:
    attach(qtbot, window, session_for(sb))
    keys = window.content.keys
    QTest.keyClicks(keys.filter_edit, "Staging")  # a filter does not shorten the export
    keys.export_list()
    target = tmp_path / "keys.json"
    keys.export_dialog.fileSelected.emit(str(target))
    qtbot.waitUntil(lambda: "Exported" in window.status.text(), timeout=WAIT)
    exported = json.loads(target.read_text())
    assert len(exported) == keys.model.total_count > 1
    revoked = sum(row["status"] == "revoked" for row in exported)
    assert revoked  # the view hides them; the export has them, and says so
    shown = keys.model.rowCount()
    assert window.status.text() == (f"Exported all {len(exported)} keys, the {revoked} revoked "
                                    f"one{'s' if revoked != 1 else ''} too (not only the {shown} shown) to {target}.")
    staging = next(row for row in exported if row["name"] == "Staging")
    assert staging["prefix"].startswith("myssl_k_") and len(staging["prefix"]) == 12
    assert all(sb.demo_keys[name][1] not in target.read_text() for name in sb.demo_keys)


def sb_prefix(sb: Sandbox, name: str) -> str:
    return sb.demo_keys[name][1][:12]
