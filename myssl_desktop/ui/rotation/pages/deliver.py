"""(c) Update: each place the key lives, updated for you (files, keychain entries) or waiting
for your tick (commands you run, checklist items)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ....api.secret import Secret
from ....rotation.targets import DEFAULT_VARIABLE, CommandTarget, ManualTarget, SnippetTarget, snippets
from ...common.richtext import html
from .widgets import MASK, busy_bar, command_output, label, runs_text, tone

if TYPE_CHECKING:
    from ....rotation import Rotation, Target
    from ....rotation.commands import Ran
    from ...common.context import CopiesSecrets


class TargetRow(QFrame):
    """One target on the update page: what it is, its state, and what the user can do."""

    def __init__(self, index: int, target: Target, clipboard: CopiesSecrets,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.target = target
        self._clipboard = clipboard
        self._text = ""
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QGridLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setHorizontalSpacing(10)
        self.title = label(rich=True)
        self.title.setText(f"<b>{html(target.label)}</b>")
        layout.addWidget(self.title, 0, 0, 1, 2)
        self.state = label()
        self.state.setAccessibleName(f"State of {target.label}")
        layout.addWidget(self.state, 1, 0, 1, 2)
        self.command: QLabel | None = None
        self.copy_button: QPushButton | None = None
        if isinstance(target, SnippetTarget):
            self.command = QLabel()
            self.command.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            self.command.setWordWrap(True)
            self.command.setTextFormat(Qt.TextFormat.PlainText)
            self.command.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            self.command.setAccessibleName(f"Command for {target.label}")
            layout.addWidget(self.command, 2, 0)
            self.copy_button = QPushButton("Copy")
            self.copy_button.setAccessibleName(f"Copy the command for {target.label}")
            self.copy_button.clicked.connect(self.copy)
            self.copy_button.setEnabled(False)
            layout.addWidget(self.copy_button, 2, 1, Qt.AlignmentFlag.AlignTop)
        self.output: QPlainTextEdit | None = None
        if isinstance(target, CommandTarget):
            self.output = command_output()
            self.output.setAccessibleName(f"What {target.label} printed")
            self.output.hide()
            layout.addWidget(self.output, 2, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        self.check: QCheckBox | None = None
        if isinstance(target, SnippetTarget | ManualTarget):
            what = "I have run it" if isinstance(target, SnippetTarget) else "Done: it has the new key"
            self.check = QCheckBox(what)
            self.check.setAccessibleName(f"{target.label}: done")
            layout.addWidget(self.check, 3, 0, 1, 2)

    def set_secret(self, secret: Secret | None) -> None:
        if self.command is None or not isinstance(self.target, SnippetTarget):
            return
        if secret is None:
            self.command.setText("(the command appears once the new key's secret is read from the keychain)")
            return
        self._text = snippets(secret)[self.target.style]
        self.command.setText(self._text.replace(secret.reveal(), MASK).strip())
        if self.copy_button is not None:
            self.copy_button.setEnabled(True)

    def show_runs(self, runs: list[Ran]) -> None:
        """What the target's programs printed last (every key cut to its prefix)."""
        if self.output is not None and runs:
            self.output.setPlainText(runs_text(runs))
            self.output.show()

    def copy(self) -> None:
        if self._text:
            # Through the concealed clipboard: marked secret, cleared after the countdown.
            self._clipboard.copy_secret(Secret(self._text))

    def show_state(self, delivered: bool, failure: str) -> None:
        if delivered:
            words = {"env-file": "✓ Updated: it holds the new key (its old value is kept for a cancel).",
                     "keychain": "✓ Updated: the entry holds the new key (its old value is kept for a cancel).",
                     "command": "✓ Updated: the command ran with the new key (a cancel runs it again with the old "
                                "key)."}
            text, kind = words.get(self.target.kind, "✓ Done."), "good"
            if self.check is not None:
                self.check.setChecked(True)
                self.check.setEnabled(False)
        elif failure:
            text, kind = f"✗ Not updated: {failure}", "bad"
        elif isinstance(self.target, SnippetTarget):
            text, kind = "Waiting for you: copy the command, run it, then tick it off.", "wait"
            if self.target.style != "shell":
                text = (f"Waiting for you: run it where you ran the shell export (it reads ${DEFAULT_VARIABLE}), "
                        "then tick it off.")
        elif self.check is not None:
            text, kind = "Waiting for you: put the new key there (Copy the new key, above), then tick it off.", "wait"
        else:
            text, kind = "Not updated yet.", "muted"
        self.state.setText(text)
        self.state.setStyleSheet(f"color: {tone(self, kind)};")

    @property
    def ticked(self) -> bool:
        return self.check is not None and self.check.isChecked()


class DeliverPage(QWidget):
    """Each place: updated for you (files, keychain entries) or waiting for your tick."""

    replace_requested = Signal(int)  # "Replace it anyway": the place holds something other than the old key

    def __init__(self, clipboard: CopiesSecrets, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.status = label()
        self.status.setAccessibleName("Update status")
        top.addWidget(self.status, 1)
        self.copy_secret_button = QPushButton("Copy the &new key")
        self.copy_secret_button.setToolTip("For places you update by hand; the clipboard is cleared after a while.")
        self.copy_secret_button.setAutoDefault(False)
        self.copy_secret_button.clicked.connect(self.copy_secret)
        self.copy_secret_button.hide()
        top.addWidget(self.copy_secret_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.bar = busy_bar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.scroll_area = QScrollArea()  # not `scroll`: that would hide QWidget.scroll()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        self.rows_layout = QVBoxLayout(holder)
        self.rows_layout.setContentsMargins(0, 0, 4, 0)
        self.rows_layout.addStretch(1)
        self.scroll_area.setWidget(holder)
        layout.addWidget(self.scroll_area, 1)
        problem = QHBoxLayout()
        self.message = label()
        self.message.setAccessibleName("Update problem")
        problem.addWidget(self.message, 1)
        self._replace_index = -1
        self.replace_button = QPushButton("&Replace it anyway")
        self.replace_button.setAutoDefault(False)
        self.replace_button.clicked.connect(lambda: self.replace_requested.emit(self._replace_index))
        self.replace_button.hide()
        problem.addWidget(self.replace_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(problem)
        self.rows: list[TargetRow] = []
        self._rotation_id = ""
        self._secret: Secret | None = None

    def copy_secret(self) -> None:
        if self._secret is not None:
            self.clipboard.copy_secret(self._secret)

    def show_rotation(self, rotation: Rotation, secret: Secret | None, failures: dict[int, str],
                      runs: dict[int, list[Ran]] | None = None) -> None:
        if rotation.id != self._rotation_id or len(self.rows) != len(rotation.targets):
            for row in self.rows:
                row.deleteLater()
            self.rows = [TargetRow(i, target, self.clipboard) for i, target in enumerate(rotation.targets)]
            for row in self.rows:
                self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self._rotation_id = rotation.id
        self._secret = secret
        self.copy_secret_button.setVisible(secret is not None and any(
            isinstance(row.target, ManualTarget) and row.index not in rotation.delivered for row in self.rows))
        for row in self.rows:
            row.set_secret(secret)
            row.show_state(row.index in rotation.delivered, failures.get(row.index, ""))
            row.show_runs((runs or {}).get(row.index, []))
        done, total = len(rotation.delivered), len(rotation.targets)
        if not total:
            self.status.setText("No places to update: the new key is in your keychain only.")
        elif done == total:
            self.status.setText(f"All {total} updated.")
        else:
            waiting = sum(1 for r in self.rows if r.check is not None and r.index not in rotation.delivered)
            text = f"{done} of {total} updated."
            if waiting:
                text += " Do the rest, tick each one off, then press Continue."
            self.status.setText(text)
        self.message.setText("")

    def show_working(self, text: str) -> None:
        self.bar.show()
        self.replace_button.hide()
        self.message.setStyleSheet("")
        self.message.setText(text)

    def done_working(self) -> None:
        self.bar.hide()

    def show_problem(self, text: str, *, replaceable: int = -1) -> None:
        """A place could not be updated; `replaceable`: the place the user may choose to overwrite."""
        self.bar.hide()
        self.message.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.message.setText(text)
        self._replace_index = replaceable
        self.replace_button.setVisible(replaceable >= 0)

    def confirmed(self) -> set[int]:
        return {row.index for row in self.rows if row.ticked}
