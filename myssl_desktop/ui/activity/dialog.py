"""View ▸ Activity log: what this app did to which key, when, and how it ended (newest first),
read from the local log off the GUI thread, with an export to CSV or JSON."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...activity import COLUMNS, Activity, ActivityLog, activity_rows
from ...errors import describe
from ..common.export_file import export_rows
from ..common.forms import FormDialog
from ..common.screen import FRAME_SLACK, fit_on_screen

if TYPE_CHECKING:
    from ..common.ops import Ops

HEADINGS = ("When", "Profile", "Action", "Key", "Outcome", "Detail")
FAILED = QColor("#c62828")


def local_time(at: str) -> str:
    try:
        return datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone().strftime(
            "%Y-%m-%d %H:%M:%S") if at else ""
    except ValueError:
        return at


class ActivityDialog(FormDialog):
    def __init__(self, log: ActivityLog, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Activity log")
        self.resize(900, 460)
        fit_on_screen(self, slack=FRAME_SLACK)  # at scale 2 that is more than many screens: Export and Close stay in
        self._log, self._ops = log, ops
        self.entries: list[Activity] = []
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading the activity log…")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(HEADINGS))
        self.table.setHorizontalHeaderLabels(HEADINGS)
        self.table.setAccessibleName("Activity")
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.export_result = QLabel()  # what an export did: apart, so the summary above stays
        self.export_result.setWordWrap(True)
        self.export_result.setAccessibleName("Export")
        self.export_result.hide()
        layout.addWidget(self.export_result)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("&Export…", QDialogButtonBox.ButtonRole.ActionRole)
        self.export_button.clicked.connect(self.export)
        self.export_button.setEnabled(False)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.set_accept_button(self.buttons.button(QDialogButtonBox.StandardButton.Close))
        self.buttons.button(QDialogButtonBox.StandardButton.Close).clicked.connect(self.accept)
        self.reload()

    def reload(self) -> None:
        log = self._log
        self._ops(log.entries).any_session().success(self._show).failure(
            lambda error: self.summary.setText(describe(error, f"read {log.path}"))).run()

    def _show(self, entries: list[Activity]) -> None:
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(reversed(entries)):  # newest first
            key = entry.key_name + (f" ({entry.key_prefix}…)" if entry.key_prefix else "")
            for column, text in enumerate((local_time(entry.at), entry.profile, entry.action, key, entry.outcome,
                                           entry.detail)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if column == 4 and not entry.succeeded:
                    item.setForeground(FAILED)
                self.table.setItem(row, column, item)
        failed = sum(not e.succeeded for e in entries)
        self.summary.setText(
            f"{len(entries)} action{'s' if len(entries) != 1 else ''} of this app on this computer"
            + (f", {failed} of them failed" if failed else "") + ". Kept locally; no secret is ever written here."
            if entries else "Nothing yet: creating, regenerating, revoking and rotating keys are noted here.")
        self.export_button.setEnabled(bool(entries))

    def export(self) -> None:
        entries = self.entries
        self.export_dialog = export_rows(self, self._ops, "Export the activity log", "myssl-activity.csv",
                                         lambda: activity_rows(entries), COLUMNS, self._exported,
                                         lambda rows: f"{len(rows)} entr{'ies' if len(rows) != 1 else 'y'}")

    def _exported(self, words: str) -> None:
        self.export_result.setText(words)
        self.export_result.show()


__all__ = ["ActivityDialog"]
