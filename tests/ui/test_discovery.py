"""Key ▸ Find where keys are used… driven through the app: real sandbox keys planted in files
and in the git history of throw-away repositories, the real keychain, the scan on its thread."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from myssl_desktop.api import MysslClient
from myssl_desktop.api.models import ApiKey
from myssl_desktop.keychain import Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.revoke_when import RevokeWhen
from myssl_desktop.rotation import EnvFileTarget, ManualTarget
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.scan import Hit, ScanProgress
from myssl_desktop.scan.store import FoundStore, ScannedFolder
from myssl_desktop.session import Session
from myssl_desktop.timefmt import short
from myssl_desktop.ui.discovery.dialog import ScanDialog
from myssl_desktop.ui.keys.found_in import FoundIn
from myssl_desktop.ui.keys.model import FLAGS_ROLE, Column
from myssl_desktop.ui.rotation.wizard import RotationWizard
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.scan.conftest import Git
from tests.scan.files import write
from tests.support import FakeClipboard, files_containing, random_secret
from tests.ui.helpers import WAIT, attach, open_window, select, session_for, shown_names


@dataclass
class Planted:
    """Keys of the sandbox account planted under `folder`, as the `planted` fixture says."""

    keys: dict[str, ApiKey]
    secrets: dict[str, str]
    folder: Path
    repo: Path
    leak: str  # the pushed commit that added "Leaked" to config.py


@pytest.fixture
def planted(tmp_path: Path, sandbox: Sandbox, git: Git) -> Planted:
    """projects/shop, a git repository with a remote:
         after a first commit, commit "add config" puts key "Leaked" in config.py:3 (and 40 other files), pushed;
         the next commit takes it out again.
       Not committed: .env (git-ignored) with "Web app"; deploy.env (git-ignored) exporting
       "Leaked"; ci.yml (YAML, no .env reader can edit it) with "Leaked" on line 3.
       "Quiet" is planted nowhere."""
    api = MysslClient(sandbox.base_url, sandbox.admin_key)
    created = {name: api.create_key(name, ["domains:read"]) for name in ("Web app", "Leaked", "Quiet")}
    secrets = {name: made.secret.reveal() for name, made in created.items()}
    folder, origin = tmp_path / "projects", tmp_path / "origin.git"
    repo = folder / "shop"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "remote", "add", "origin", str(origin))
    write(repo / ".gitignore", ".env\ndeploy.env\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    write(repo / "config.py", f"import os\n\nKEY = '{secrets['Leaked']}'\n")
    for n in range(40):  # enough file versions for the scan to look at its cancel event in the history
        write(repo / "src" / f"module{n}.py", f"VALUE = {n}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add config")
    leak = git(repo, "rev-parse", "HEAD")
    write(repo / "config.py", "import os\n\nKEY = os.environ['MYSSL_API_KEY']\n")
    git(repo, "commit", "-q", "-am", "read the key from the environment")
    git(repo, "push", "-q", "origin", "main")
    write(repo / ".env", f"DEBUG=0\nMYSSL_API_KEY={secrets['Web app']}\n")
    write(repo / "deploy.env", f"export MYSSL_API_KEY=\"{secrets['Leaked']}\"\n")
    write(repo / "ci.yml", f"deploy:\n  env:\n    MYSSL_API_KEY: {secrets['Leaked']}\n")
    return Planted({name: made.api_key for name, made in created.items()}, secrets, folder, repo, leak)


def open_app(qtbot, tmp_path: Path, sb: Sandbox, keychain: Keychain, dirs: AppDirs,  # noqa: ANN001
             profile: Profile | None = None) -> tuple[MainWindow, Session]:
    """A window signed in as the app does: the key in the keychain, the profile in `dirs`."""
    window = open_window(qtbot, WindowSetup(state_dir=tmp_path / "state", clipboard_backend=FakeClipboard()))
    session = attach(qtbot, window, session_for(sb, keychain=keychain, profile=profile, dirs=dirs))
    return window, session


def open_scan(window: MainWindow, *folders: Path, history: bool = True) -> ScanDialog:
    window.content.discovery.find_action.trigger()
    dialog = window.content.discovery.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.set_folders([])
    for folder in folders:
        QTest.keyClicks(dialog.path_edit, str(folder))
        QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # Enter in the field adds the folder
    dialog.history_check.setChecked(history)
    return dialog


def run_scan(qtbot, window: MainWindow, *folders: Path, history: bool = True) -> ScanDialog:  # noqa: ANN001
    dialog = open_scan(window, *folders, history=history)
    QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)  # Enter again, the field empty: start
    assert dialog.busy and dialog.bar.isVisible() and dialog.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)
    return dialog


def start_held_scan(qtbot, window: MainWindow, folder: Path) -> tuple[ScanDialog, threading.Event]:  # noqa: ANN001
    """Start a scan of `folder` that waits at its first progress until the event returned is set."""
    started, go_on = threading.Event(), threading.Event()

    def hold(progress: ScanProgress) -> None:  # on the scan's thread
        if not started.is_set():
            started.set()
            go_on.wait(WAIT / 1000)

    window.content.discovery.job.progressed.connect(hold, Qt.ConnectionType.DirectConnection)
    dialog = open_scan(window, folder)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(started.is_set, timeout=WAIT)
    return dialog, go_on


def flags_of(window: MainWindow, name: str) -> tuple[str, ...]:
    model = window.content.keys.model
    return model.index(shown_names(window).index(name), Column.FLAGS).data(FLAGS_ROLE)


def children() -> set[str]:
    """Process ids of this process's children (Linux): the scan's git processes among them."""
    return {pid for task in Path("/proc/self/task").iterdir() for pid in (task / "children").read_text().split()}


def test_a_scan_shows_where_each_key_is_and_flags_the_one_in_a_commit_exposed(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs, planted: Planted,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    keys, repo = window.content.keys, planted.repo

    dialog = run_scan(qtbot, window, planted.folder)

    assert dialog.progress.text().startswith("Found 2 secrets (in 4 places) in ")  # "Leaked" is in three
    assert "and the history of 1 repository" in dialog.progress.text()
    rows = {(dialog.results.topLevelItem(n).text(0), dialog.results.topLevelItem(n).text(1))
            for n in range(dialog.results.topLevelItemCount())}
    leaked = f"Leaked ({planted.keys['Leaked'].prefix}…)"
    assert rows == {(f"Web app ({planted.keys['Web app'].prefix}…)", f"{repo / '.env'}:2"),
                    (leaked, f"{repo / 'deploy.env'}:1"), (leaked, f"{repo / 'ci.yml'}:3"),
                    (leaked, f"{repo / 'config.py'}:3")}
    assert window.status.text().startswith("The scan found 2 secrets (in 4 places): 2 keys of this account. ")
    assert "1 key is exposed in a git commit" in window.status.text()
    assert flags_of(window, "Leaked") == ("exposed",) and flags_of(window, "Web app") == ()

    keys.attention_check.setChecked(True)  # "Needs attention" shows the exposed key
    assert "Leaked" in shown_names(window) and "Web app" not in shown_names(window)

    web = next(dialog.results.topLevelItem(n) for n in range(dialog.results.topLevelItemCount())
               if dialog.results.topLevelItem(n).text(0).startswith("Web app"))
    place = dialog.results.visualItemRect(web).center()
    qtbot.mouseClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=place)  # a double click is
    qtbot.mouseDClick(dialog.results.viewport(), Qt.MouseButton.LeftButton, pos=place)  # a press, then this
    assert keys.selected().name == "Web app" and not keys.attention_check.isChecked()
    found = keys.details.found_in
    assert found.isVisible() and not found.exposed.isVisible() and not found.rotate_now_button.isVisible()
    assert list(found.file_buttons) == [repo / ".env"] and not found.commits.isVisible()
    assert not window.content.discovery.rotate_now_action.isEnabled()

    select(window, "Leaked")
    when = short(window.content.discovery.findings.folders[0].scanned_at)  # "4 Dec, 23:10": a past scan's
    assert found.heading.text() == f"<b>Found by the scan of {when} in:</b>"  # files may have changed since
    assert found.exposed.isVisible() and "Exposed</b> in 1 commit, pushed" in found.exposed.text()
    assert set(found.file_buttons) == {repo / "deploy.env", repo / "ci.yml"}
    assert planted.leak[:12] in found.commits.text() and "<b>pushed</b>" in found.commits.text()
    assert "Exposed: found in a git commit" in keys.details.flags.text()
    row = shown_names(window).index("Leaked")
    keys.table.customContextMenuRequested.emit(keys.table.visualRect(keys.model.index(row, 0)).center())
    menu = [a.text().replace("&", "") for a in keys.context_menu.actions() if not a.isSeparator()]
    keys.context_menu.close()
    assert menu[0] == "Rotate exposed key now…"

    select(window, "Quiet")
    assert f"<b>Not found</b> in the 1 folder scanned on {when} " in found.heading.text() and not found.file_buttons

    records = FoundStore(app_dirs.data).path_for(window.session.profile.id)
    assert records.is_file()
    for secret in planted.secrets.values():  # kept: prefixes and digests, never a secret
        assert files_containing(app_dirs.config.parent, secret) == []
        assert files_containing(tmp_path / "state", secret) == []
        assert secret not in caplog.text


def test_a_secret_of_no_key_here_in_a_file_and_a_commit_counts_once(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs, planted: Planted,
        git: Git) -> None:
    stranger = random_secret()
    write(planted.repo / "stranger.env", f"MYSSL_API_KEY={stranger}\n")
    git(planted.repo, "add", "-f", "stranger.env")
    git(planted.repo, "commit", "-q", "-m", "another account's key")
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)

    dialog = run_scan(qtbot, window, planted.repo)

    assert dialog.results.topLevelItemCount() == 6  # a row a place: the stranger in the file and the commit
    assert dialog.progress.text().startswith("Found 3 secrets (in 6 places) in ")
    assert window.status.text().startswith(
        "The scan found 3 secrets (in 6 places): 2 keys of this account, 1 secret of no key here. ")


def test_enter_in_the_results_shows_the_key_of_the_selected_row_and_only_a_key_of_this_account(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs, planted: Planted) -> None:
    write(planted.repo / "stranger.env", f"MYSSL_API_KEY={random_secret()}\n")
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    keys = window.content.keys
    select(window, "Quiet")
    dialog = run_scan(qtbot, window, planted.repo, history=False)
    results = dialog.results
    rows = [results.topLevelItem(n) for n in range(results.topLevelItemCount())]
    stranger = next(item for item in rows if "not a key of this account" in item.text(0))
    web = next(item for item in rows if item.text(0).startswith("Web app"))

    assert results.currentItem() is rows[0] and results.selectedItems() == [rows[0]]  # the row Enter acts on shows
    assert "Double-click" not in stranger.toolTip(0) and "Double-click" in web.toolTip(0)

    results.setFocus()
    for _ in rows:  # the keyboard moves the visible selection
        if results.currentItem() is web:
            break
        QTest.keyClick(results, Qt.Key.Key_Down)
    assert results.selectedItems() == [web]
    QTest.keyClick(results, Qt.Key.Key_Return)
    assert keys.selected().name == "Web app"
    assert not dialog.busy and dialog.start_button.text() == "&Scan again"  # Enter did not start another scan

    select(window, "Quiet")
    results.setCurrentItem(stranger)
    QTest.keyClick(results, Qt.Key.Key_Return)
    assert keys.selected().name == "Quiet" and not dialog.busy  # no key of this account to show


def test_rotate_now_opens_a_quick_rotation_with_the_files_it_was_found_in(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs,
        planted: Planted) -> None:
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    run_scan(qtbot, window, planted.folder)
    select(window, "Leaked")
    rotations = window.content.rotations

    qtbot.mouseClick(window.content.keys.details.found_in.rotate_now_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rotations.wizard is not None and rotations.wizard.isVisible(), timeout=WAIT)

    wizard: RotationWizard = rotations.wizard
    page = wizard.plan_page
    assert wizard.key is not None and wizard.key.name == "Leaked"
    assert page.drafts == [EnvFileTarget(str(planted.repo / "deploy.env"), "MYSSL_API_KEY"),
                           ManualTarget(f"Replace the key in {planted.repo / 'ci.yml'} (line 3) by hand")]
    qtbot.waitUntil(lambda: "holds this key" in page.targets.item(0).text(), timeout=WAIT)
    assert page.quiet_spin.value() == 2 and page.revoke is RevokeWhen.NOW
    assert wizard.note.isVisible()
    assert "rewriting history" in wizard.note.text() and "does not take it back" in wizard.note.text()
    assert page.problems() == ""  # ready to create the new key


def test_a_file_found_is_a_rotation_target_in_one_click(qtbot, tmp_path: Path, sandbox: Sandbox,
                                                        real_keychain: Keychain, app_dirs: AppDirs,
                                                        planted: Planted) -> None:
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    run_scan(qtbot, window, planted.folder, history=False)
    assert flags_of(window, "Leaked") == ()  # in files only: found, not exposed
    select(window, "Web app")
    rotations = window.content.rotations

    button = window.content.keys.details.found_in.file_buttons[planted.repo / ".env"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rotations.wizard is not None and rotations.wizard.isVisible(), timeout=WAIT)

    page = rotations.wizard.plan_page
    assert page.drafts == [EnvFileTarget(str(planted.repo / ".env"), "MYSSL_API_KEY")]
    qtbot.waitUntil(lambda: "holds this key" in page.targets.item(0).text(), timeout=WAIT)
    assert page.quiet_spin.value() == 10 and page.revoke is RevokeWhen.NOW  # the usual plan otherwise
    assert "where the scan found this key" in rotations.wizard.note.text()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_cancel_stops_the_scan_and_its_git_processes_and_keeps_what_was_found_before(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs,
        planted: Planted) -> None:
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    run_scan(qtbot, window, planted.repo / ".env", history=False)
    assert list(window.content.keys.model.found_of(planted.keys["Web app"]))
    discovery = window.content.discovery
    in_history, go_on = threading.Event(), threading.Event()

    def hold(progress: ScanProgress) -> None:  # on the scan's thread: wait in the history until cancelled
        if progress.phase == "history" and not in_history.is_set():
            in_history.set()
            go_on.wait(WAIT / 1000)

    discovery.job.progressed.connect(hold, Qt.ConnectionType.DirectConnection)
    dialog = open_scan(window, planted.folder)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Reading git history…" in dialog.progress.text(), timeout=WAIT)
    assert in_history.is_set() and dialog.bar.isVisible()

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    go_on.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)

    assert dialog.progress.text().startswith("Cancelled after ") and not dialog.bar.isVisible()
    assert children() == set()  # its git processes ended with it
    assert window.status.text() == "The scan was cancelled."
    assert flags_of(window, "Leaked") == ()  # nothing of the cancelled scan was kept
    assert [h.path for h in window.content.keys.model.found_of(planted.keys["Web app"])] == [planted.repo / ".env"]
    assert [h.path for h in FoundStore(app_dirs.data).load(window.session.profile.id).hits] == [planted.repo / ".env"]


def test_findings_survive_a_restart_and_a_rescan_replaces_them(qtbot, tmp_path: Path, sandbox: Sandbox,
                                                               real_keychain: Keychain, app_dirs: AppDirs,
                                                               planted: Planted, git: Git) -> None:
    first, session = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    run_scan(qtbot, first, planted.folder)
    first.close()

    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs, profile=session.profile)
    assert flags_of(window, "Leaked") == ("exposed",)
    select(window, "Leaked")
    found = window.content.keys.details.found_in
    assert found.exposed.isVisible() and set(found.file_buttons) == {planted.repo / "deploy.env",
                                                                   planted.repo / "ci.yml"}
    window.content.discovery.find_action.trigger()
    assert window.content.discovery.dialog.folders() == [planted.folder]  # offered again

    (planted.repo / "deploy.env").unlink()  # the key is taken out of a file,
    git(planted.repo, "reset", "-q", "--hard", "HEAD~2")  # and the history rewritten (here, nobody fetched it)
    git(planted.repo, "push", "-q", "--force", "origin", "main")
    run_scan(qtbot, window, planted.folder)

    assert flags_of(window, "Leaked") == ()  # no commit holds it any more: no longer exposed
    assert set(found.file_buttons) == {planted.repo / "ci.yml"}
    assert not found.exposed.isVisible()


def test_findings_are_kept_per_profile(qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain,
                                       app_dirs: AppDirs, planted: Planted) -> None:
    window, first = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    dialog = run_scan(qtbot, window, planted.folder)
    assert flags_of(window, "Leaked") == ("exposed",)

    attach(qtbot, window, session_for(sandbox, keychain=real_keychain, dirs=app_dirs))  # another profile
    assert flags_of(window, "Leaked") == () and not dialog.isVisible()  # the last scan's results were not its
    window.content.discovery.find_action.trigger()
    assert dialog.folders() == [] and dialog.results.topLevelItemCount() == 0

    attach(qtbot, window, first)
    assert flags_of(window, "Leaked") == ("exposed",)


def test_closing_the_scan_window_stops_the_scan(qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain,
                                                app_dirs: AppDirs, planted: Planted) -> None:
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    discovery = window.content.discovery
    dialog, go_on = start_held_scan(qtbot, window, planted.folder)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    go_on.set()
    qtbot.waitUntil(lambda: not discovery.job.running, timeout=WAIT)

    assert not dialog.isVisible() and dialog.progress.text().startswith("Cancelled after ")
    assert flags_of(window, "Leaked") == () and not FoundStore(app_dirs.data).path_for(
        window.session.profile.id).exists()


def test_escape_cancels_a_running_scan_and_keeps_the_window_and_closes_it_when_idle(
        qtbot, tmp_path: Path, sandbox: Sandbox, real_keychain: Keychain, app_dirs: AppDirs,
        planted: Planted) -> None:
    window, _ = open_app(qtbot, tmp_path, sandbox, real_keychain, app_dirs)
    discovery = window.content.discovery
    dialog, go_on = start_held_scan(qtbot, window, planted.folder)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    go_on.set()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT)

    assert dialog.isVisible() and dialog.progress.text().startswith("Cancelled after ")
    assert window.status.text() == "The scan was cancelled." and not discovery.job.running
    assert dialog.folders() == [planted.folder]  # ready to scan again
    assert flags_of(window, "Leaked") == ()

    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # idle: Escape closes
    assert not dialog.isVisible()


def test_a_read_only_profile_is_told_why_it_cannot_rotate(qtbot, tmp_path: Path, sandbox: Sandbox,
                                                          real_keychain: Keychain, app_dirs: AppDirs,
                                                          planted: Planted) -> None:
    window = open_window(qtbot, WindowSetup(state_dir=tmp_path / "state", clipboard_backend=FakeClipboard()))
    attach(qtbot, window, session_for(sandbox, keychain=real_keychain, dirs=app_dirs, read_only=True))
    run_scan(qtbot, window, planted.folder)
    select(window, "Leaked")
    assert flags_of(window, "Leaked") == ("exposed",)
    assert not window.content.discovery.rotate_now_action.isEnabled()
    qtbot.mouseClick(window.content.keys.details.found_in.rotate_now_button, Qt.MouseButton.LeftButton)
    assert "cannot rotate keys" in window.status.text() and window.content.rotations.wizard is None


def scan_dialog(qtbot, *folders: Path) -> ScanDialog:  # noqa: ANN001
    """The scan window on its own, shown, with `folders` added as a user adds them (typed, Enter)."""
    dialog = ScanDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    for folder in folders:
        QTest.keyClicks(dialog.path_edit, str(folder))
        QTest.keyClick(dialog.path_edit, Qt.Key.Key_Return)
    return dialog


def test_remove_takes_the_selected_folder_and_only_when_one_is_selected(qtbot, tmp_path: Path) -> None:
    first, second, third = (tmp_path / name for name in ("first", "second", "third"))
    for folder in (first, second, third):
        folder.mkdir()
    dialog = scan_dialog(qtbot, first, second, third)
    folders = dialog.folder_list
    assert dialog.folders() == [first, second, third]

    folders.setFocus()  # focused, the list has a current row (the first) but nothing is selected
    qtbot.waitUntil(folders.hasFocus, timeout=WAIT)
    assert folders.selectedItems() == [] and not dialog.remove_button.isEnabled()

    place = folders.visualItemRect(folders.item(1)).center()
    qtbot.mouseClick(folders.viewport(), Qt.MouseButton.LeftButton, pos=place)
    assert [item.text() for item in folders.selectedItems()] == [str(second)] and dialog.remove_button.isEnabled()
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.folders() == [first, third]
    assert dialog.remove_button.isEnabled() == bool(folders.selectedItems())  # enabled only with a visible choice

    folders.setFocus()
    QTest.keyClick(folders, Qt.Key.Key_End)  # the keyboard selects as it moves
    assert [item.text() for item in folders.selectedItems()] == [str(third)] and dialog.remove_button.isEnabled()
    QTest.keyClick(dialog.remove_button, Qt.Key.Key_Space)
    assert dialog.folders() == [first]


def test_a_folder_that_does_not_exist_is_refused_when_added(qtbot, tmp_path: Path) -> None:
    there, missing = tmp_path / "there", tmp_path / "not-there"
    there.mkdir()
    dialog = scan_dialog(qtbot, there, missing)
    with qtbot.assertNotEmitted(dialog.start_requested):
        assert dialog.folders() == [there]
        assert dialog.message.isVisible() and dialog.message.text() == f"No folder or file at {missing}."
        assert dialog.path_edit.text() == str(missing)  # kept, to be corrected

        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)  # Start with it still typed: refused too
        assert dialog.message.text() == f"No folder or file at {missing}." and not dialog.busy

    dialog.set_folders([missing, there])  # remembered from an earlier scan, and gone since
    assert dialog.folders() == [there] and str(missing) in dialog.message.text()


FIT_SCRIPT = r"""
import json, sys
from pathlib import Path
from PySide6.QtWidgets import QApplication
from myssl_desktop.scan import Hit, ScanProgress, ScanReport
from myssl_desktop.ui.discovery.dialog import ScanDialog

app = QApplication(sys.argv[:1])
dialog = ScanDialog()
dialog.show()
app.processEvents()

def where():
    room = dialog.screen().availableGeometry()
    rects = [dialog.frameGeometry()] + [b.rect().translated(b.mapToGlobal(b.rect().topLeft()))
                                        for b in (dialog.start_button, dialog.close_button)]
    return {"room": [room.x(), room.y(), room.width(), room.height()],
            "rects": [[r.x(), r.y(), r.width(), r.height()] for r in rects]}

before = where()
hits = tuple(Hit("myssl_k_abcd", "a" * 64, Path(f"/r/f{n}.env"), 1) for n in range(30))
dialog.show_done(ScanReport(hits, ScanProgress(files=30), (), ("A folder could not be read.",)),
                 lambda prefix: prefix + "…", lambda prefix: False)
app.processEvents()
print(json.dumps([before, where()]))
"""


@pytest.mark.xserver
def test_at_twice_the_scale_the_scan_window_and_its_buttons_fit_on_the_screen() -> None:
    """run-tests.sh's Xvfb is 1280×800: at QT_SCALE_FACTOR=2, 640×400, less than the 700×450 of a
    1400×900 screen on which Start scan and Close were off-screen."""
    assert os.environ.get("DISPLAY"), "needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)"
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", QT_SCALE_FACTOR="2")
    out = subprocess.run([sys.executable, "-c", FIT_SCRIPT], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    for shown in json.loads(out.strip().splitlines()[-1]):  # as opened, and with results
        x, y, width, height = shown["room"]
        assert width <= 640, shown
        for left, top, w, h in shown["rects"]:  # the window, Start scan, Close
            assert x <= left and y <= top and left + w <= x + width and top + h <= y + height, shown


def test_found_in_says_which_scan_found_the_key_and_when(qtbot) -> None:  # noqa: ANN001
    key = ApiKey(id=1, name="Web app", prefix="myssl_k_abcd", permissions=("domains:read",), status="active",
                 created_at=datetime(2026, 11, 1, tzinfo=UTC), last_used_at=None, request_count=0, requests_24h=0,
                 expires_at=None, revoked_at=None)
    early, late = datetime(2026, 12, 1, 9, 5, tzinfo=UTC), datetime(2026, 12, 4, 23, 10, tzinfo=UTC)
    folders = (ScannedFolder(Path("/work/b"), late), ScannedFolder(Path("/work/a"), early))
    found = FoundIn()
    qtbot.addWidget(found)

    found.show_hits(key, (Hit(key.prefix, "a" * 64, Path("/work/a/.env"), 2),), folders)
    assert found.heading.text() == f"<b>Found by the scan of {short(early)} in:</b>"  # /work/a's, not the latest

    found.show_hits(key, (), folders)
    assert found.heading.text().startswith(f"<b>Not found</b> in the 2 folders last scanned on {short(late)} ")
    found.show_hits(key, (), folders[:1])
    assert found.heading.text().startswith(f"<b>Not found</b> in the 1 folder scanned on {short(late)} ")
