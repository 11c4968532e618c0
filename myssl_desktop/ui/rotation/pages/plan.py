"""(a) Plan: the key, where it lives (targets, with what each holds now), the quiet period and
what to do with the old key once it is quiet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ....revoke_when import RevokeWhen
from ....rotation.targets import DEFAULT_VARIABLE, EnvFileTarget, KeychainTarget, ManualTarget, SnippetTarget
from ...common.forms import enter_acts
from .commandform import CommandForm
from .widgets import SNIPPET_STYLES, key_line, label, tone

if TYPE_CHECKING:
    from ....api.models import ApiKey
    from ....rotation.targets import Contents, Target


class PlanPage(QWidget):
    """The key, where it lives (targets), the quiet period and what to do with the old key."""

    check_requested = Signal(int, object)  # row, a Target to inspect in the background

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key_label = label(rich=True)
        self.key_label.setAccessibleName("Key being rotated")
        layout.addWidget(self.key_label)
        self.self_note = label("This is the key this profile signs in with. Once the new key is verified, the "
                                "profile switches to it, before the old one is revoked.")
        self.self_note.hide()
        layout.addWidget(self.self_note)

        where = QGroupBox("Where this key lives")
        where_layout = QVBoxLayout(where)
        where_layout.addWidget(label("Files, keychain entries and commands are updated for you: only the key's "
                                     "variable changes, a command gets the key on its standard input (never in its "
                                     "command line), and cancelling puts the old value back. Checklist items are "
                                     "yours to do; you tick them off."))
        row = QHBoxLayout()
        self.targets = QListWidget()
        self.targets.setAccessibleName("Targets")
        self.targets.setMinimumHeight(70)
        self.targets.setAlternatingRowColors(True)
        self.targets.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.targets.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        row.addWidget(self.targets, 1)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self.remove_selected)
        self.targets.currentRowChanged.connect(lambda r: self.remove_button.setEnabled(r >= 0))
        side = QVBoxLayout()
        side.addWidget(self.remove_button)
        side.addStretch(1)
        row.addLayout(side)
        where_layout.addLayout(row, 1)

        self.adders = QTabWidget()
        self.adders.setDocumentMode(True)
        self.adders.addTab(self._env_form(), ".env file")
        self.adders.addTab(self._keychain_form(), "Keychain entry")
        self.command_form = CommandForm()
        self.command_form.add_requested.connect(self.add_command)
        self.adders.addTab(self.command_form, "Command")
        self.adders.addTab(self._manual_form(), "Checklist item")
        where_layout.addWidget(self.adders)
        self.add_error = label()
        self.add_error.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.add_error.hide()
        where_layout.addWidget(self.add_error)
        snippet_row = QHBoxLayout()
        snippet_row.addWidget(QLabel("Copyable commands:"))
        self.snippet_boxes: dict[str, QCheckBox] = {}
        for style, text in SNIPPET_STYLES:
            box = QCheckBox(text)
            box.setAccessibleName(f"Command: {text}")
            self.snippet_boxes[style] = box
            snippet_row.addWidget(box)
        snippet_row.addStretch(1)
        where_layout.addLayout(snippet_row)
        layout.addWidget(where, 1)

        when = QGroupBox("The old key")
        form = QHBoxLayout(when)
        self.quiet_spin = QSpinBox()
        self.quiet_spin.setRange(0, 24 * 60)
        self.quiet_spin.setValue(10)
        self.quiet_spin.setSuffix(" min")
        self.quiet_spin.setAccessibleName("Quiet period in minutes")
        self.quiet_spin.setToolTip("Revoking is recommended once nothing has used the old key for this long "
                                   "after every target has the new one.")
        quiet_label = QLabel("Revoke it once &quiet for")
        quiet_label.setBuddy(self.quiet_spin)
        form.addWidget(quiet_label)
        form.addWidget(self.quiet_spin)
        self.revoke_combo = QComboBox()
        self.revoke_combo.setAccessibleName("When the old key is quiet")
        for choice in RevokeWhen:
            words = choice.plan_words
            self.revoke_combo.addItem(words[:1].upper() + words[1:], choice)
        then = QLabel(", &then:")
        then.setBuddy(self.revoke_combo)
        form.addWidget(then)
        form.addWidget(self.revoke_combo, 1)
        layout.addWidget(when)
        self.hint = label()
        layout.addWidget(self.hint)
        self.drafts: list[Target] = []
        self.contents: list[Contents | None] = []  # None: not looked at yet

    def _env_form(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 6, 4, 2)
        self.env_path = QLineEdit()
        self.env_path.setPlaceholderText("/path/to/app/.env")
        self.env_path.setAccessibleName(".env file path")
        self.env_browse = QPushButton("&Browse…")
        self.env_browse.clicked.connect(self.browse)
        self.env_variable = QLineEdit(DEFAULT_VARIABLE)
        self.env_variable.setAccessibleName("Variable name")
        self.env_variable.setMaximumWidth(170)
        self.add_env_button = QPushButton("Add &file")
        self.add_env_button.clicked.connect(self.add_env)
        for field in (self.env_path, self.env_variable):
            enter_acts(field, self.add_env)  # Enter adds the file; it never starts the rotation
        row.addWidget(self.env_path, 1)
        row.addWidget(self.env_browse)
        row.addWidget(QLabel("Variable:"))
        row.addWidget(self.env_variable)
        row.addWidget(self.add_env_button)
        return box

    def _keychain_form(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 6, 4, 2)
        self.keychain_service = QLineEdit()
        self.keychain_service.setPlaceholderText("Service, e.g. my-app")
        self.keychain_service.setAccessibleName("Keychain service")
        self.keychain_user = QLineEdit()
        self.keychain_user.setPlaceholderText("User name, e.g. api")
        self.keychain_user.setAccessibleName("Keychain user name")
        self.add_keychain_button = QPushButton("Add &entry")
        self.add_keychain_button.clicked.connect(self.add_keychain)
        for field in (self.keychain_service, self.keychain_user):
            enter_acts(field, self.add_keychain)
        row.addWidget(self.keychain_service, 1)
        row.addWidget(self.keychain_user, 1)
        row.addWidget(self.add_keychain_button)
        return box

    def _manual_form(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(4, 6, 4, 2)
        self.manual_edit = QLineEdit()
        self.manual_edit.setPlaceholderText("Somewhere you update by hand, e.g. Production server")
        self.manual_edit.setAccessibleName("Checklist item")
        enter_acts(self.manual_edit, self.add_manual)
        self.add_manual_button = QPushButton("Add &item")
        self.add_manual_button.clicked.connect(self.add_manual)
        row.addWidget(self.manual_edit, 1)
        row.addWidget(self.add_manual_button)
        return box

    # --- filling in ------------------------------------------------------------------------

    def show_key(self, key: ApiKey, own: bool, others: list[str] | tuple[str, ...] = ()) -> None:
        """`own`: the profile signs in with this key; `others`: names of other profiles that do."""
        self.key_label.setText(f"Rotating {key_line(key)}<br>Permissions: {', '.join(key.permissions)}")
        notes = []
        if own:
            notes.append("This is the key this profile signs in with. Once the new key is verified, the profile "
                         "switches to it, before the old one is revoked.")
        if others:
            names = ", ".join(f"“{n}”" for n in others)
            notes.append(f"Profile{'s' if len(others) > 1 else ''} {names} sign{'' if len(others) > 1 else 's'} in "
                         "with this key too, and switch to the new key with this one.")
        self.self_note.setText(" ".join(notes))
        self.self_note.setVisible(bool(notes))

    def prefill(self, targets: list[Target], quiet_period_s: int | None = None,
                revoke: RevokeWhen | None = None) -> None:
        """Targets of this key's last rotation (the key lives where its predecessor did)."""
        retired = []
        for target in targets:
            if isinstance(target, SnippetTarget):
                if target.style in self.snippet_boxes:
                    self.snippet_boxes[target.style].setChecked(True)
                else:
                    retired.append(target.label.removesuffix(" (a command you run)"))
            else:
                self.add(target)
        if quiet_period_s is not None:
            self.quiet_spin.setValue(quiet_period_s // 60)
        if revoke is not None and (index := self.revoke_combo.findData(revoke)) >= 0:
            self.revoke_combo.setCurrentIndex(index)
        if targets:
            self.hint.setText("The places from this key's last rotation are filled in. Check they are still right.")
        if retired:
            self.hint.setText(self.hint.text() + " The last rotation had a copyable command for: "
                              + ", ".join(retired) + ". That is now run for you: add it on the Command tab.")

    def browse(self) -> None:
        dialog = QFileDialog(self, "Choose the .env file that holds this key")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setFilter(dialog.filter() | QDir.Filter.Hidden)  # .env files are hidden files
        if self.env_path.text().strip():
            dialog.setDirectory(str(Path(self.env_path.text().strip()).expanduser().parent))
        dialog.fileSelected.connect(self.env_path.setText)
        dialog.open()
        self.file_dialog = dialog

    def add_env(self) -> None:
        path, variable = self.env_path.text().strip(), self.env_variable.text().strip() or DEFAULT_VARIABLE
        if not path:
            self.show_add_error("Type or choose the path of a .env file first.")
            return
        if not variable.replace("_", "").isalnum():
            self.show_add_error("A variable name has letters, digits and underscores only.")
            return
        if self.add(EnvFileTarget.at(path, variable)):
            self.env_path.clear()

    def add_keychain(self) -> None:
        service, user = self.keychain_service.text().strip(), self.keychain_user.text().strip()
        if not service or not user:
            self.show_add_error("A keychain entry needs both a service and a user name.")
            return
        if self.add(KeychainTarget(service, user)):
            self.keychain_service.clear()
            self.keychain_user.clear()

    def add_command(self) -> None:
        try:
            target = self.command_form.target()
        except ValueError as error:
            self.show_add_error(str(error))
            return
        if self.add(target):
            self.command_form.clear()

    def add_manual(self) -> None:
        text = self.manual_edit.text().strip()
        if not text:
            self.show_add_error("Describe the place, for example “Production server” or “CI pipeline”.")
            return
        if self.add(ManualTarget(text)):
            self.manual_edit.clear()

    def add(self, target: Target) -> bool:
        if target in self.drafts:
            self.show_add_error("That one is in the list already.")
            return False
        self.add_error.hide()
        self.drafts.append(target)
        self.contents.append(None)
        self.targets.addItem(QListWidgetItem(""))
        row = len(self.drafts) - 1
        self._show_row(row)
        if target.automatic:
            self.check_requested.emit(row, target)
        return True

    def set_contents(self, target: Target, contents: Contents) -> None:
        """What the background look found in `target`."""
        if target not in self.drafts:
            return  # removed meanwhile
        row = self.drafts.index(target)
        self.contents[row] = contents
        self._show_row(row)

    def _show_row(self, row: int) -> None:
        target, contents = self.drafts[row], self.contents[row]
        item = self.targets.item(row)
        note = "checking…" if contents is None and target.automatic else contents.note(target) if contents else ""
        if contents is not None and contents.needs_force:
            note += " Tick to replace it anyway."
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            if item.data(Qt.ItemDataRole.CheckStateRole) is None:
                item.setCheckState(Qt.CheckState.Unchecked)
        text = target.label + (f" — {note}" if note else "")
        item.setText(text)
        item.setToolTip(text)
        if contents is not None and (not contents.usable or "⚠" in note):
            item.setForeground(QColor(tone(self, "bad" if not contents.usable else "wait")))

    def remove_selected(self) -> None:
        row = self.targets.currentRow()
        if row < 0:
            return
        self.targets.takeItem(row)
        del self.drafts[row], self.contents[row]

    def show_add_error(self, text: str) -> None:
        self.add_error.setText(text)
        self.add_error.setVisible(bool(text))

    # --- reading back ----------------------------------------------------------------------

    def chosen_targets(self) -> list[Target]:
        """Files and keychain entries first, then commands, then checklist items."""
        automatic = [t for t in self.drafts if t.automatic]
        manual = [t for t in self.drafts if isinstance(t, ManualTarget)]
        commands = [SnippetTarget(style) for style, box in self.snippet_boxes.items() if box.isChecked()]
        return [*automatic, *commands, *manual]

    def forced(self) -> list[int]:
        """Indexes (in `chosen_targets`) of places the user ticked to be replaced anyway."""
        ticked = {self.drafts[row] for row in range(len(self.drafts))
                  if self.targets.item(row).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked}
        return [i for i, target in enumerate(self.chosen_targets()) if target in ticked]

    def problems(self) -> str:
        """Why the plan cannot start yet ("" when it can)."""
        for row, target in enumerate(self.drafts):
            contents = self.contents[row]
            if contents is None and target.automatic:
                return f"Still looking at {target.label}; a moment."
            if contents is not None and not contents.usable:
                return f"Remove or fix {target.label}: {contents.problem}"
        forced = set(self.forced())
        for index, target in enumerate(self.chosen_targets()):
            contents = self.contents[self.drafts.index(target)] if target in self.drafts else None
            if contents is not None and contents.needs_force and index not in forced:
                return (f"{target.label} {contents.note(target).lstrip('⚠ ')}: tick it to replace it anyway, or "
                        "remove it.")
        return ""

    @property
    def quiet_period_s(self) -> int:
        return self.quiet_spin.value() * 60

    @property
    def revoke(self) -> RevokeWhen:
        return RevokeWhen(self.revoke_combo.currentData())
