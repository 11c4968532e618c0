"""View ▸ Rotations in progress: each unfinished rotation, where it stands, Resume and Cancel."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ... import timefmt
from ...revoke_when import RevokeWhen
from ...rotation import Rotation, State


def state_words(rotation: Rotation) -> str:
    """Where a rotation stands, in plain words."""
    state, total, done = rotation.state, len(rotation.targets), len(rotation.delivered)
    if rotation.attention:
        return f"needs you: {rotation.attention}"
    if rotation.cancelling:
        return "being cancelled"
    if state == State.PLANNED:
        return "planned: the new key is not created yet"
    if state == State.CREATED:
        return f"new key created, {done} of {total} place{'s' if total != 1 else ''} updated" if total else \
            "new key created"
    if state == State.DELIVERED:
        return "every place updated; the new key is not verified yet"
    if state in (State.VERIFIED, State.DRAINING):
        if rotation.revoke == RevokeWhen.LATER:
            return "new key in use; the old key still works (finish later)"
        return "new key in use; watching the old key fall silent"
    if state == State.REVOKED:
        return "old key revoked; finishing"
    if state == State.SCHEDULED:
        return "new key in use; the old key's revoke is scheduled"
    return "cancelled" if state == State.CANCELLED else "done"


class RotationsPanel(QDialog):
    """View ▸ Rotations in progress: what is unfinished, with Resume and Cancel."""

    def __init__(self, parent: QWidget, *, resume: Callable[[Rotation], object],
                 cancel: Callable[[Rotation], object]) -> None:
        super().__init__(parent)
        self._resume = resume
        self._cancel = cancel
        self.setWindowTitle("Rotations in progress")
        self.setModal(False)
        self.resize(720, 300)
        layout = QVBoxLayout(self)
        self.intro = QLabel("Rotations are saved at every step. Resume one where it stopped, or cancel it: "
                            "cancelling puts every file back and revokes the new key.")
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.list = QTreeWidget()
        self.list.setAccessibleName("Rotations in progress")
        self.list.setHeaderLabels(["Key", "Where it stands", "Started", "Places"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setColumnWidth(0, 180)
        self.list.setColumnWidth(1, 300)
        self.list.setColumnWidth(2, 100)
        self.list.header().setStretchLastSection(True)
        self.list.itemDoubleClicked.connect(lambda *_: self.resume_selected())
        self.list.currentItemChanged.connect(lambda *_: self._update())
        layout.addWidget(self.list, 1)
        self.empty = QLabel("No rotation in progress. Start one with Key ▸ Rotate… or the Rotate button.")
        layout.addWidget(self.empty)
        row = QHBoxLayout()
        self.resume_button = QPushButton("&Resume")
        self.resume_button.clicked.connect(self.resume_selected)
        self.cancel_button = QPushButton("&Cancel rotation…")
        self.cancel_button.clicked.connect(self.cancel_selected)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        row.addWidget(self.resume_button)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.shown: list[Rotation] = []
        self._update()

    def show_rotations(self, rotations: list[Rotation]) -> None:
        selected = self.selected()
        self.shown = list(rotations)
        self.list.clear()
        for rotation in self.shown:
            started = datetime.fromisoformat(rotation.created_at.replace("Z", "+00:00"))
            item = QTreeWidgetItem([rotation.old_key_name, state_words(rotation), timefmt.relative(started),
                                    str(len(rotation.targets))])
            item.setToolTip(0, f"{rotation.old_key_name} ({rotation.old_prefix}…), rotation {rotation.id}")
            item.setToolTip(1, state_words(rotation))
            item.setData(0, Qt.ItemDataRole.UserRole, rotation.id)
            self.list.addTopLevelItem(item)
            if selected is not None and rotation.id == selected.id:
                self.list.setCurrentItem(item)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self._update()

    def selected(self) -> Rotation | None:
        item = self.list.currentItem()
        if item is None:
            return None
        rotation_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((r for r in self.shown if r.id == rotation_id), None)

    def resume_selected(self) -> None:
        rotation = self.selected()
        if rotation is not None:
            self._resume(rotation)

    def cancel_selected(self) -> None:
        rotation = self.selected()
        if rotation is not None:
            self._cancel(rotation)

    def _update(self) -> None:
        chosen = self.selected()
        self.resume_button.setEnabled(chosen is not None)
        self.cancel_button.setEnabled(chosen is not None and chosen.cancellable)
        self.list.setVisible(bool(self.shown))
        self.empty.setVisible(not self.shown)
