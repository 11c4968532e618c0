"""Key ▸ Find where keys are used…: the folders to search, the scan's progress, what it found.

A view: it asks for a scan (`start_requested`) or its end (`cancel_requested`) and shows what
the discovery controller tells it. It never reads a file itself; a folder added is only
looked up (that something is there), so a mistyped one is refused at once, not at Start.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...scan.scanner import DEFAULT_MAX_FILE_SIZE
from ...scan.words import count, progress_text, size, summary
from ..common.forms import FormDialog, enter_acts
from ..common.screen import FRAME_SLACK, fit_on_screen

if TYPE_CHECKING:
    from ...scan import ScanProgress, ScanReport

MB = 1024 * 1024
PREFIX_ROLE = Qt.ItemDataRole.UserRole
PHASES = {"files": "Reading files…", "history": "Reading git history…", "done": "Finishing…"}


class ScanDialog(FormDialog):
    start_requested = Signal(list, bool)  # the folders (Paths), and whether to read git history too
    cancel_requested = Signal()
    key_chosen = Signal(str)  # a result was double-clicked: the prefix of its key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Find where keys are used")
        self.busy = False  # a scan is running
        self.setModal(False)  # the keys window stays usable while a scan runs
        self.setMinimumSize(420, 320)  # at QT_SCALE_FACTOR=2 a 1400×900 screen is 700×450 (less its panels)
        self.resize(760, 600)
        fit_on_screen(self, slack=FRAME_SLACK)  # Start scan and Close stay on the screen
        layout = QVBoxLayout(self)
        intro = QLabel(f"Searches the folders you choose for MySSL key secrets (myssl_k_…): every file, git-ignored "
                       f"ones too; binary files and files over {DEFAULT_MAX_FILE_SIZE // MB} MB are skipped, and no "
                       "link is followed. Of each secret found, only the key's prefix, the file, the line and "
                       "the commit are kept, never the secret.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        layout.addWidget(QLabel("Folders to search:"))
        folders_row = QHBoxLayout()
        self.folder_list = QListWidget()
        self.folder_list.setAccessibleName("Folders to search")
        self.folder_list.setMaximumHeight(110)
        self.folder_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.folder_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._remove_selected)
        # a current row is not a choice (a focused list has one unselected): Remove acts on a selected one
        self.folder_list.itemSelectionChanged.connect(self._update_remove)
        folders_row.addWidget(self.folder_list, 1)
        folders_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(folders_row)
        add_row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("/path/to/a/project")
        self.path_edit.setAccessibleName("Folder to add")
        enter_acts(self.path_edit, self._enter_in_path)
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.clicked.connect(self.browse)
        self.add_button = QPushButton("&Add folder")
        self.add_button.clicked.connect(self.add_typed)
        add_row.addWidget(self.path_edit, 1)
        add_row.addWidget(self.browse_button)
        add_row.addWidget(self.add_button)
        layout.addLayout(add_row)
        self.history_check = QCheckBox("Also search every &commit of the git repositories found")  # fits narrow
        self.history_check.setToolTip("Slower; a key found in any commit is exposed: whoever can read that "
                                      "history has it")
        self.history_check.setChecked(True)
        layout.addWidget(self.history_check)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Scan message")
        layout.addWidget(self.message)

        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # how much there is to read is not known before it is read
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Scanning")
        self.bar.hide()
        layout.addWidget(self.bar)
        self.progress = QLabel("")
        self.progress.setAccessibleName("Scan progress")
        self.progress.setWordWrap(True)
        layout.addWidget(self.progress)
        self.results = QTreeWidget()
        self.results.setAccessibleName("Secrets found")
        self.results.setHeaderLabels(["Key", "Where", "Commit"])
        self.results.setRootIsDecorated(False)
        self.results.setAlternatingRowColors(True)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)  # the row Enter acts on
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.results.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.results.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.results.header().setStretchLastSection(False)
        self.results.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.results.itemActivated.connect(self._activated)
        enter_acts(self.results, self._enter_in_results)  # Enter shows the row's key; it does not scan again
        self.results.hide()
        layout.addWidget(self.results, 1)
        layout.addStretch(0)

        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("&Cancel scan")
        self.cancel_button.setToolTip("Stop reading; nothing of this scan is kept")
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.cancel_button.hide()
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("Close the window (a scan still running is cancelled)")
        self.close_button.clicked.connect(self.reject)
        self.start_button = QPushButton("&Start scan")
        self.start_button.clicked.connect(self.start)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.start_button)
        layout.addLayout(buttons)
        self.set_accept_button(self.start_button)  # Enter starts the scan (in the path field, see _enter_in_path)
        self.file_dialog: QFileDialog | None = None

    # --- the folders -----------------------------------------------------------------------

    def folders(self) -> list[Path]:
        return [Path(self.folder_list.item(row).text()) for row in range(self.folder_list.count())]

    def set_folders(self, folders: list[Path]) -> None:
        """The folders earlier scans read; one that is gone since is left out, and the message says so."""
        self.folder_list.clear()
        gone = [folder for folder in folders if not self.add_folder(folder)]
        if gone:
            self._say(f"No folder or file at {', '.join(map(str, gone))} any more: left out of the list.")
        (self.start_button if self.folders() else self.path_edit).setFocus()

    def add_folder(self, folder: str | Path) -> bool:
        path = Path(os.path.abspath(os.path.expanduser(str(folder))))
        if path in self.folders():
            self._say("That folder is in the list already.")
            return False
        if not os.path.exists(path):
            self._say(f"No folder or file at {path}.")
            return False
        self.folder_list.addItem(str(path))
        self._say("")
        return True

    def add_typed(self) -> None:
        text = self.path_edit.text().strip()
        if not text:
            self._say("Type or choose a folder first.")
        elif self.add_folder(text):
            self.path_edit.clear()

    def _enter_in_path(self) -> None:
        """Enter adds the folder typed; in the empty field (a folder just added), it starts."""
        if self.path_edit.text().strip() or not self.folders():
            self.add_typed()
        else:
            self.start()

    def browse(self) -> None:
        dialog = QFileDialog(self, "Choose a folder to search")
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.setFilter(dialog.filter() | QDir.Filter.Hidden)
        dialog.fileSelected.connect(self.add_folder)
        self.file_dialog = dialog
        dialog.open()

    def _selected_row(self) -> int:
        selected = self.folder_list.selectedItems()
        return self.folder_list.row(selected[0]) if selected else -1

    def _update_remove(self) -> None:
        self.remove_button.setEnabled(not self.busy and self._selected_row() >= 0)

    def _remove_selected(self) -> None:
        row = self._selected_row()
        if row >= 0:
            self.folder_list.takeItem(row)

    def _activated(self, item: QTreeWidgetItem) -> None:
        prefix = item.data(0, PREFIX_ROLE)
        if prefix:
            self.key_chosen.emit(prefix)

    def _enter_in_results(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self._activated(item)

    # --- the scan --------------------------------------------------------------------------

    def start(self) -> None:
        if self.busy:
            return
        if self.path_edit.text().strip():
            self.add_typed()  # typed but not added yet: the user means it
            if self.path_edit.text().strip():
                return  # not added: the message says why
        folders = self.folders()
        if not folders:
            self._say("Add a folder to search first.")
            return
        self.start_requested.emit(folders, self.history_check.isChecked())

    def clear_results(self) -> None:
        """Another profile is shown: the last scan's results were about its keys no more."""
        self.results.clear()
        self.results.hide()
        self.progress.setText("")
        self._say("")
        self.start_button.setText("&Start scan")

    def show_running(self) -> None:
        self._set_busy(True)
        self._say("")
        self.results.hide()
        self.results.clear()
        self.progress.setText("Starting…")

    def show_progress(self, progress: ScanProgress) -> None:
        if self.busy:
            self.progress.setText(f"{PHASES.get(progress.phase, 'Scanning…')} {progress_text(progress)}")

    def show_done(self, report: ScanReport, key_words: Callable[[str], str], is_key: Callable[[str], bool]) -> None:
        """The scan's summary, and a row a place a secret was found: `key_words(prefix)` names its key;
        a row of a key of this account (`is_key(prefix)`) shows that key when activated."""
        self._set_busy(False)
        self.progress.setText(summary(report))
        self._say(" ".join(report.problems[:3]) + (" …" if len(report.problems) > 3 else ""))
        for hit in report.hits:
            commit = "" if hit.commit is None else f"{hit.commit[:12]} ({'pushed' if hit.pushed else 'not pushed'})"
            item = QTreeWidgetItem([key_words(hit.prefix), f"{hit.path}:{hit.line}", commit])
            if is_key(hit.prefix):  # the others have no key to show
                item.setData(0, PREFIX_ROLE, hit.prefix)
                item.setToolTip(0, "Double-click or press Enter to show this key in the keys window")
            item.setToolTip(1, str(hit.path))
            self.results.addTopLevelItem(item)
        self.results.setVisible(bool(report.hits))
        first = self.results.topLevelItem(0)
        if first is not None:
            self.results.setCurrentItem(first)  # selected: the row Enter acts on
        self.start_button.setText("&Scan again")

    def show_cancelled(self, progress: ScanProgress) -> None:
        self._set_busy(False)
        self.progress.setText(f"Cancelled after {count(progress.files, 'file')} "
                              f"({size(progress.file_bytes)}). Nothing of this scan was kept; what earlier "
                              "scans found stays.")

    def show_failed(self, message: str) -> None:
        self._set_busy(False)
        self.progress.setText("")
        self._say(message)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        """Escape while a scan runs cancels the scan, as Cancel scan does, and keeps the window; idle, it closes."""
        if self.busy and event.key() == Qt.Key.Key_Escape and not event.modifiers():
            self.cancel_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.start_button.setEnabled(not busy)
        for widget in (self.folder_list, self.path_edit, self.browse_button, self.add_button, self.history_check):
            widget.setEnabled(not busy)
        self._update_remove()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))


__all__ = ["ScanDialog"]
