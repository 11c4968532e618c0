"""The rotation wizard's pages. They are views: the wizard (rotation_wizard.py) runs the
engine in the background and tells each page what to show; the pages never touch the
network, the keychain or the journal."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ... import timefmt
from ...api.secret import Secret
from ...rotation.targets import (
    DEFAULT_VARIABLE,
    EnvFileTarget,
    KeychainTarget,
    ManualTarget,
    SnippetTarget,
    read_value,
    snippets,
    target_from,
)
from ..common.richtext import html
from ..secrets.secret_field import SecretField

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...keychain import Keychain
    from ...rotation import DrainStatus, Rotation, Target
    from ..secrets.clipboard import SecretClipboard

STEPS = ("Plan", "Create", "Update", "Verify", "Watch", "Done")
REVOKE_WORDS = {"now": "revoke it at once", "1h": "schedule its revoke in 1 hour",
                "24h": "schedule its revoke in 24 hours", "3d": "schedule its revoke in 3 days",
                "7d": "schedule its revoke in 7 days", "later": "leave it to me (finish later)"}
SCHEDULES = (("1h", "In 1 hour"), ("24h", "In 24 hours"), ("3d", "In 3 days"), ("7d", "In 7 days"))
SNIPPET_STYLES = (("shell", "Shell export"), ("github", "GitHub Actions secret"), ("kubernetes", "Kubernetes secret"))
MASK = "••••••••••••"

# (light background, dark background)
_TONES = {"bad": ("#c62828", "#ff8a80"), "good": ("#2e7d32", "#81c784"), "wait": ("#8a5300", "#ffcc80"),
          "muted": ("#5f6368", "#a0a0a0")}


def tone(widget: QWidget, kind: str) -> str:
    """A text colour that reads well on the widget's background, light or dark."""
    dark = widget.palette().color(QPalette.ColorRole.Window).lightness() < 128
    return _TONES[kind][1 if dark else 0]


def _label(text: str = "", *, wrap: bool = True, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return label


def _scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area: long lists of places stay reachable in a small window."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


def _busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate
    bar.setTextVisible(False)
    bar.setMaximumHeight(10)
    bar.setAccessibleName("Working")
    return bar


def target_line(target: Target) -> str:
    """One line naming a target, for lists, confirmations and the summary."""
    if isinstance(target, EnvFileTarget):
        return f"{target.variable} in {target.path}"
    if isinstance(target, KeychainTarget):
        return f"Keychain entry “{target.service}” / “{target.user}”"
    if isinstance(target, SnippetTarget):
        return f"{target.label[:1].upper()}{target.label[1:]} (a command you run)"
    return f"{target.label} (a checklist item you tick off)"


def key_line(key: ApiKey, now: datetime | None = None) -> str:
    """"<b>Name</b> (myssl_k_ab12…) · last used 3 min ago · 1,234 requests in 24 h" (HTML)."""
    used = timefmt.relative(key.last_used_at, now or datetime.now(UTC), never="never used")
    used = used if key.last_used_at is None else f"last used {used}"
    return (f"<b>{html(key.name)}</b> ({key.prefix}…) · {used} · {key.requests_24h:,} requests in the last "
            f"24 h · {key.request_count:,} in all")


def inspect_target(target: Target, old_prefix: str, keychain: Keychain) -> tuple[bool, str]:
    """(usable, a note for the plan list). Runs on a worker: it reads files and the keychain.
    The note names at most a key's 12-character prefix, never a secret."""

    def about(value: str | None, what: str, missing: str) -> str:
        if value is None:
            return missing
        if old_prefix and value.startswith(old_prefix):
            return "holds this key"
        if value.startswith("myssl_k_"):
            return f"⚠ holds another key ({value[:12]}…): is it the right {what}?"
        return "⚠ holds something that is not a MySSL key: it will be replaced"

    if isinstance(target, EnvFileTarget):
        path = Path(target.path).expanduser()
        try:
            content = path.read_bytes()
        except OSError as error:
            return False, f"Cannot read {path}: {error.strerror or error}."
        note = about(read_value(content, target.variable), "variable",
                     f"no {target.variable} in it yet: it will be added")
        if not os.access(path, os.W_OK):
            note += " ⚠ read-only for you: make it writable before the update step"
        return True, note
    if isinstance(target, KeychainTarget):
        value = keychain.load_external(target.service, target.user)
        return True, about(None if value is None else value.reveal(), "entry",
                           "no such entry yet: it will be created")
    return True, ""


class StepHeader(QLabel):
    """Plan › Create › Update › Verify › Watch › Done, the current step in bold."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAccessibleName("Rotation step")
        self.step = 0
        self.set_step(0)

    def set_step(self, index: int) -> None:
        self.step = index
        muted = tone(self, "muted")
        parts = []
        for n, name in enumerate(STEPS):
            if n == index:
                parts.append(f"<b>{n + 1}. {name}</b>")
            elif n < index:
                parts.append(f"{n + 1}. {name}")
            else:
                parts.append(f"<span style='color:{muted}'>{n + 1}. {name}</span>")
        self.setText(" &nbsp;›&nbsp; ".join(parts))


# --- (a) plan ---------------------------------------------------------------------------


class PlanPage(QWidget):
    """The key, where it lives (targets), the quiet period and what to do with the old key."""

    check_requested = Signal(int, object)  # row, a Target to inspect in the background

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.key_label = _label(rich=True)
        self.key_label.setAccessibleName("Key being rotated")
        layout.addWidget(self.key_label)
        self.self_note = _label("This is the key this profile signs in with. Once the new key is verified, the "
                                "profile switches to it, before the old one is revoked.")
        self.self_note.hide()
        layout.addWidget(self.self_note)

        where = QGroupBox("Where this key lives")
        where_layout = QVBoxLayout(where)
        where_layout.addWidget(_label("Files and keychain entries are updated for you, with a backup until the "
                                      "rotation ends. Commands and checklist items are yours to do; you tick "
                                      "them off."))
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
        self.adders.addTab(self._manual_form(), "Checklist item")
        where_layout.addWidget(self.adders)
        self.add_error = _label()
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
        for value, words in REVOKE_WORDS.items():
            self.revoke_combo.addItem(words[:1].upper() + words[1:], value)
        then = QLabel(", &then:")
        then.setBuddy(self.revoke_combo)
        form.addWidget(then)
        form.addWidget(self.revoke_combo, 1)
        layout.addWidget(when)
        self.hint = _label()
        layout.addWidget(self.hint)
        self.drafts: list[Target] = []
        self.notes: list[str] = []
        self.usable: list[bool] = []

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
        self.env_path.returnPressed.connect(self.add_env)
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
        self.manual_edit.returnPressed.connect(self.add_manual)
        self.add_manual_button = QPushButton("Add &item")
        self.add_manual_button.clicked.connect(self.add_manual)
        row.addWidget(self.manual_edit, 1)
        row.addWidget(self.add_manual_button)
        return box

    # --- filling in ------------------------------------------------------------------------

    def show_key(self, key: ApiKey, own: bool) -> None:
        self.key_label.setText(f"Rotating {key_line(key)}<br>Permissions: {', '.join(key.permissions)}")
        self.self_note.setVisible(own)

    def prefill(self, targets: list[Target], quiet_period_s: int | None = None, revoke: str | None = None) -> None:
        """Targets of this key's last rotation (the key lives where its predecessor did)."""
        for target in targets:
            if isinstance(target, SnippetTarget):
                if target.style in self.snippet_boxes:
                    self.snippet_boxes[target.style].setChecked(True)
            else:
                self.add(target)
        if quiet_period_s is not None:
            self.quiet_spin.setValue(quiet_period_s // 60)
        if revoke is not None and (index := self.revoke_combo.findData(revoke)) >= 0:
            self.revoke_combo.setCurrentIndex(index)
        if targets:
            self.hint.setText("The places from this key's last rotation are filled in. Check they are still right.")

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
        if self.add(EnvFileTarget(str(Path(path).expanduser()), variable)):
            self.env_path.clear()

    def add_keychain(self) -> None:
        service, user = self.keychain_service.text().strip(), self.keychain_user.text().strip()
        if not service or not user:
            self.show_add_error("A keychain entry needs both a service and a user name.")
            return
        if self.add(KeychainTarget(service, user)):
            self.keychain_service.clear()
            self.keychain_user.clear()

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
        self.notes.append("checking…" if isinstance(target, EnvFileTarget | KeychainTarget) else "")
        self.usable.append(True)
        self.targets.addItem(QListWidgetItem(""))
        row = len(self.drafts) - 1
        self._show_row(row)
        if self.notes[row]:
            self.check_requested.emit(row, target)
        return True

    def set_note(self, target: Target, usable: bool, note: str) -> None:
        if target not in self.drafts:
            return  # removed meanwhile
        row = self.drafts.index(target)
        self.notes[row], self.usable[row] = note, usable
        self._show_row(row)

    def _show_row(self, row: int) -> None:
        target, note = self.drafts[row], self.notes[row]
        item = self.targets.item(row)
        text = target_line(target) + (f" — {note}" if note else "")
        item.setText(text)
        item.setToolTip(text)
        if not self.usable[row] or "⚠" in note:
            item.setForeground(QColor(tone(self, "bad" if not self.usable[row] else "wait")))

    def remove_selected(self) -> None:
        row = self.targets.currentRow()
        if row < 0:
            return
        self.targets.takeItem(row)
        del self.drafts[row], self.notes[row], self.usable[row]

    def show_add_error(self, text: str) -> None:
        self.add_error.setText(text)
        self.add_error.setVisible(bool(text))

    # --- reading back ----------------------------------------------------------------------

    def chosen_targets(self) -> list[Target]:
        """Files and keychain entries first, then commands, then checklist items."""
        automatic = [t for t in self.drafts if isinstance(t, EnvFileTarget | KeychainTarget)]
        manual = [t for t in self.drafts if isinstance(t, ManualTarget)]
        commands = [SnippetTarget(style) for style, box in self.snippet_boxes.items() if box.isChecked()]
        return [*automatic, *commands, *manual]

    def problems(self) -> str:
        bad = [self.drafts[r] for r, ok in enumerate(self.usable) if not ok]
        if bad:
            return f"Remove or fix {target_line(bad[0])}: {self.notes[self.drafts.index(bad[0])]}"
        return ""

    @property
    def quiet_period_s(self) -> int:
        return self.quiet_spin.value() * 60

    @property
    def revoke(self) -> str:
        return str(self.revoke_combo.currentData())


# --- (b) create -------------------------------------------------------------------------


class CreatePage(QWidget):
    """Progress while MySSL creates the key; then its secret, once; or the key limit."""

    revoke_stale_requested = Signal(object)  # an ApiKey

    def __init__(self, clipboard: SecretClipboard, keychain_place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = _label(rich=True)
        self.status.setAccessibleName("Create status")
        layout.addWidget(self.status)
        self.bar = _busy_bar()
        layout.addWidget(self.bar)
        self.secret_box = QWidget()
        box = QVBoxLayout(self.secret_box)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(_label(f"MySSL shows this secret only once. It is already in {keychain_place}, and the "
                             "next step puts it in your files and keychain entries, so you do not need to copy "
                             "it unless you update something by hand."))
        self.secret_field: SecretField | None = None
        self._secret_slot = box
        layout.addWidget(self.secret_box)
        self.secret_box.hide()

        self.limit_box = QWidget()
        limit = QVBoxLayout(self.limit_box)
        limit.setContentsMargins(0, 8, 0, 0)
        limit.addWidget(_label("Keys not used for over 90 days:"))
        self.stale_list = QListWidget()
        self.stale_list.setAccessibleName("Keys not used for over 90 days")
        limit.addWidget(self.stale_list, 1)
        row = QHBoxLayout()
        self.revoke_stale_button = QPushButton("&Revoke the selected key…")
        self.revoke_stale_button.setEnabled(False)
        self.stale_list.currentRowChanged.connect(lambda r: self.revoke_stale_button.setEnabled(r >= 0))
        self.revoke_stale_button.clicked.connect(self._revoke_stale)
        row.addWidget(self.revoke_stale_button)
        row.addStretch(1)
        limit.addLayout(row)
        layout.addWidget(self.limit_box, 1)
        self.limit_box.hide()
        layout.addStretch(1)
        self._stale: list[ApiKey] = []

    def show_working(self, text: str) -> None:
        self.status.setText(html(text))
        self.status.setStyleSheet("")
        self.bar.show()
        self.limit_box.hide()

    def show_secret(self, rotation: Rotation, secret: Secret) -> None:
        self.bar.hide()
        self.limit_box.hide()
        self.status.setStyleSheet("")
        self.status.setText(f"✓ MySSL created <b>{html(rotation.new_key_name)}</b> ({rotation.new_prefix}…) "
                            f"with the same permissions: {', '.join(rotation.permissions) or 'none'}.")
        if self.secret_field is not None:
            self.secret_field.forget()
            self.secret_field.deleteLater()
        self.secret_field = SecretField(secret, self.clipboard)
        self._secret_slot.addWidget(self.secret_field)
        self.secret_box.show()

    def show_error(self, text: str) -> None:
        self.bar.hide()
        self.status.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.status.setText(html(text))

    def show_limit(self, text: str, stale: list[ApiKey]) -> None:
        self.show_error(text)
        self._stale = list(stale)
        self.stale_list.clear()
        for key in self._stale:
            self.stale_list.addItem(f"{key.name} ({key.prefix}…) — last used "
                                    f"{timefmt.relative(key.last_used_at)}")
        self.limit_box.setVisible(bool(self._stale))

    def _revoke_stale(self) -> None:
        row = self.stale_list.currentRow()
        if 0 <= row < len(self._stale):
            self.revoke_stale_requested.emit(self._stale[row])

    def hide_secret(self) -> None:
        if self.secret_field is not None:
            self.secret_field.hide_secret()


# --- (c) deliver ------------------------------------------------------------------------


class TargetRow(QFrame):
    """One target on the update page: what it is, its state, and what the user can do."""

    def __init__(self, index: int, target: Target, clipboard: SecretClipboard,
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
        self.title = _label(rich=True)
        self.title.setText(f"<b>{html(target_line(target))}</b>")
        layout.addWidget(self.title, 0, 0, 1, 2)
        self.state = _label()
        self.state.setAccessibleName(f"State of {target_line(target)}")
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

    def copy(self) -> None:
        if self._text:
            # Through the concealed clipboard: marked secret, cleared after the countdown.
            self._clipboard.copy_secret(Secret(self._text))

    def show_state(self, delivered: bool, failure: str) -> None:
        if delivered:
            words = {"env-file": "✓ Updated: it holds the new key (a backup is kept until the rotation ends).",
                     "keychain": "✓ Updated: the entry holds the new key (its old value is kept for cancel)."}
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
    accept_changed_requested = Signal()  # "Use the file as it is now"

    def __init__(self, clipboard: SecretClipboard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.status = _label()
        self.status.setAccessibleName("Update status")
        top.addWidget(self.status, 1)
        self.copy_secret_button = QPushButton("Copy the &new key")
        self.copy_secret_button.setToolTip("For places you update by hand; the clipboard is cleared after a while.")
        self.copy_secret_button.setAutoDefault(False)
        self.copy_secret_button.clicked.connect(self.copy_secret)
        self.copy_secret_button.hide()
        top.addWidget(self.copy_secret_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.bar = _busy_bar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        self.rows_layout = QVBoxLayout(holder)
        self.rows_layout.setContentsMargins(0, 0, 4, 0)
        self.rows_layout.addStretch(1)
        self.scroll.setWidget(holder)
        layout.addWidget(self.scroll, 1)
        problem = QHBoxLayout()
        self.message = _label()
        self.message.setAccessibleName("Update problem")
        problem.addWidget(self.message, 1)
        self.accept_changed_button = QPushButton("&Use the file as it is now")
        self.accept_changed_button.setAutoDefault(False)
        self.accept_changed_button.clicked.connect(self.accept_changed_requested.emit)
        self.accept_changed_button.hide()
        problem.addWidget(self.accept_changed_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(problem)
        self.rows: list[TargetRow] = []
        self._rotation_id = ""
        self._secret: Secret | None = None

    def copy_secret(self) -> None:
        if self._secret is not None:
            self.clipboard.copy_secret(self._secret)

    def show_rotation(self, rotation: Rotation, secret: Secret | None, failures: dict[int, str]) -> None:
        if rotation.id != self._rotation_id or len(self.rows) != len(rotation.targets):
            for row in self.rows:
                row.deleteLater()
            self.rows = [TargetRow(i, target_from(spec), self.clipboard) for i, spec in enumerate(rotation.targets)]
            for row in self.rows:
                self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
            self._rotation_id = rotation.id
        self._secret = secret
        self.copy_secret_button.setVisible(secret is not None and any(
            isinstance(row.target, ManualTarget) and row.index not in rotation.delivered for row in self.rows))
        for row in self.rows:
            row.set_secret(secret)
            row.show_state(row.index in rotation.delivered, failures.get(row.index, ""))
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
        self.accept_changed_button.hide()
        self.message.setStyleSheet("")
        self.message.setText(text)

    def done_working(self) -> None:
        self.bar.hide()

    def show_problem(self, text: str, *, changed_file: bool = False) -> None:
        self.bar.hide()
        self.message.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.message.setText(text)
        self.accept_changed_button.setVisible(changed_file)

    def confirmed(self) -> set[int]:
        return {row.index for row in self.rows if row.ticked}


# --- (d) verify -------------------------------------------------------------------------


class VerifyPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = _label(rich=True)
        self.status.setAccessibleName("Verify status")
        layout.addWidget(self.status)
        self.bar = _busy_bar()
        layout.addWidget(self.bar)
        self.detail = _label()
        layout.addWidget(self.detail)
        layout.addStretch(1)

    def show_working(self) -> None:
        self.bar.show()
        self.status.setStyleSheet("")
        self.status.setText("Checking that MySSL accepts the new key (it lists one domain and reads the key "
                            "itself, as your applications would)…")
        self.detail.setText("")

    def show_ok(self, rotation: Rotation) -> None:
        self.bar.hide()
        self.status.setStyleSheet(f"color: {tone(self, 'good')};")
        self.status.setText(f"<b>✓ The new key works.</b> MySSL answered to {rotation.new_prefix}….")
        detail = ("Next, watch the old key: once nothing uses it, revoke it. The old key keeps working until then.")
        if rotation.self_rotation:
            detail = "This profile now signs in with the new key. " + detail
        self.detail.setText(detail)

    def show_failed(self, text: str) -> None:
        self.bar.hide()
        self.status.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.status.setText(f"<b>✗ The new key did not work.</b> {html(text)}")
        self.detail.setText("Your applications still have a working old key only if you cancel: Cancel "
                            "rotation puts every file back and revokes the new key.")


# --- (e) drain --------------------------------------------------------------------------


class DrainPage(QWidget):
    """Old and new key side by side, the verdict in one sentence, and the three choices."""

    revoke_now_requested = Signal()
    schedule_requested = Signal(str)  # 1h, 24h, 3d, 7d
    later_requested = Signal()
    check_requested = Signal()

    ROWS = (("name", "Name"), ("prefix", "Prefix"), ("status", "Status"), ("last_used", "Last used"),
            ("requests_24h", "Requests, last 24 h"), ("request_count", "Requests in all"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = _label()
        self.summary.setAccessibleName("Old key verdict")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setText("Checking the old key's use…")
        layout.addWidget(self.summary)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for column, title in ((1, "Old key"), (2, "New key")):
            heading = QLabel(f"<b>{title}</b>")
            grid.addWidget(heading, 0, column)
        self.cells: dict[tuple[str, str], QLabel] = {}
        for row, (field, title) in enumerate(self.ROWS, start=1):
            grid.addWidget(QLabel(title + ":"), row, 0)
            for column, side in ((1, "old"), (2, "new")):
                cell = QLabel("…")
                cell.setWordWrap(True)
                cell.setAccessibleName(f"{title} of the {side} key")
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                cell.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                grid.addWidget(cell, row, column)
                self.cells[(side, field)] = cell
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)
        check_row = QHBoxLayout()
        self.checked = _label()
        self.checked.setAccessibleName("Last check")
        self.checked.setStyleSheet(f"color: {tone(self, 'muted')};")
        check_row.addWidget(self.checked, 1)
        self.check_button = QPushButton("Check &now")
        self.check_button.clicked.connect(self.check_requested.emit)
        check_row.addWidget(self.check_button)
        layout.addLayout(check_row)
        self.targets_label = _label(rich=True)
        self.targets_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(_scrolling(self.targets_label), 1)
        buttons = QHBoxLayout()
        self.revoke_button = QPushButton("&Revoke old key now…")
        self.revoke_button.clicked.connect(self.revoke_now_requested.emit)
        self.schedule_button = QPushButton("&Schedule revoke")
        menu = QMenu(self.schedule_button)
        self.schedule_actions = {}
        for value, text in SCHEDULES:
            action = menu.addAction(text + "…")
            action.triggered.connect(lambda _=False, v=value: self.schedule_requested.emit(v))
            self.schedule_actions[value] = action
        self.schedule_button.setMenu(menu)
        self.later_button = QPushButton("Finish &later")
        self.later_button.setToolTip("Close the wizard and leave the old key working; resume from "
                                     "View ▸ Rotations in progress.")
        self.later_button.clicked.connect(self.later_requested.emit)
        for button in (self.revoke_button, self.schedule_button, self.later_button, self.check_button):
            button.setAutoDefault(False)  # Enter must never revoke
        for button in (self.revoke_button, self.schedule_button, self.later_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status: DrainStatus | None = None

    def show_rotation(self, rotation: Rotation) -> None:
        lines = "".join(f"<li>{html(target_line(target_from(spec)))}</li>" for spec in rotation.targets)
        self.targets_label.setText(f"The new key is in: <ul style='margin-top:2px'>{lines}<li>your keychain</li></ul>"
                                   if lines else "The new key is in your keychain only.")
        default = rotation.revoke
        self.revoke_button.setDefault(default == "now")
        self.later_button.setDefault(default == "later")
        self.schedule_button.setDefault(default in self.schedule_actions)

    def show_status(self, status: DrainStatus, quiet_period_s: int, now: datetime | None = None) -> None:
        self.status = status
        now = now or datetime.now(UTC)
        for side, key in (("old", status.old), ("new", status.new)):
            values = {"name": key.name, "prefix": f"{key.prefix}…", "status": _status_words(key, now),
                      "last_used": _last_used(key, now), "requests_24h": f"{key.requests_24h:,}",
                      "request_count": f"{key.request_count:,}"}
            for field, value in values.items():
                self.cells[(side, field)].setText(value)
                self.cells[(side, field)].setToolTip(value)
        self.summary.setText(status.summary(quiet_period_s))
        kind = "bad" if status.used_after_delivery else "good" if status.recommend_revoke else "wait"
        self.summary.setStyleSheet(f"color: {tone(self, kind)};")
        self.checked.setText(f"Checked at {now.astimezone().strftime('%H:%M:%S')}.")

    def show_check_problem(self, text: str) -> None:
        self.checked.setText(text)

    def set_next_check(self, seconds: int | None) -> None:
        base = self.checked.text().split(" Next check")[0]
        self.checked.setText(base + (f" Next check in {seconds} s." if seconds else ""))

    def set_enabled_actions(self, enabled: bool) -> None:
        for button in (self.revoke_button, self.schedule_button, self.later_button):
            button.setEnabled(enabled)


def _status_words(key: ApiKey, now: datetime) -> str:
    if key.status == "expiring" and key.expires_at is not None:
        return f"revoke scheduled {timefmt.relative(key.expires_at, now)}"
    return key.status


def _last_used(key: ApiKey, now: datetime) -> str:
    if key.last_used_at is None:
        return "never"
    return f"{timefmt.relative(key.last_used_at, now)} ({key.last_used_at.astimezone().strftime('%H:%M:%S')})"


# --- (f) summary ------------------------------------------------------------------------


class SummaryPage(QWidget):
    def __init__(self, keychain_place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.keychain_place = keychain_place
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.title = _label(rich=True)
        self.title.setAccessibleName("Rotation result")
        layout.addWidget(self.title)
        self.bar = _busy_bar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.body = _label(rich=True)
        self.body.setAccessibleName("What was done")
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(_scrolling(self.body), 1)

    def show_working(self, text: str) -> None:
        self.bar.show()
        self.title.setStyleSheet("")
        self.title.setText(html(text))
        self.body.setText("")

    def show_rotation(self, rotation: Rotation, old_key_expires: datetime | None = None) -> None:
        from ...rotation import State

        self.bar.hide()
        targets = [target_from(spec) for spec in rotation.targets]
        old = f"<b>{html(rotation.old_key_name)}</b> ({rotation.old_prefix}…)"
        new = f"<b>{html(rotation.new_key_name)}</b> ({rotation.new_prefix}…)"
        if rotation.state == State.CANCELLED:
            self.title.setStyleSheet(f"color: {tone(self, 'wait')};")
            self.title.setText("<b>Rotation cancelled.</b>")
            lines = [f"The old key {old} still works and nothing was changed for it."]
            undo = [t for i, t in enumerate(targets) if i in rotation.delivered]
            files = [t for t in undo if isinstance(t, EnvFileTarget | KeychainTarget)]
            by_hand = [t for t in undo if isinstance(t, SnippetTarget | ManualTarget)]
            if files:
                lines.append("Put back as they were: " + "; ".join(html(target_line(t)) for t in files) + ".")
            if by_hand:
                lines.append("<b>Put the old key back by hand in:</b> "
                             + "; ".join(html(target_line(t)) for t in by_hand) + ".")
            if rotation.new_prefix:
                lines.append(f"The new key ({rotation.new_prefix}…) was revoked.")
            self.body.setText("<p>" + "</p><p>".join(lines) + "</p>")
            return
        finished = rotation.state == State.DONE
        self.title.setStyleSheet(f"color: {tone(self, 'good' if finished else 'wait')};")
        if finished:
            self.title.setText("<b>✓ Rotation complete.</b>")
        else:
            self.title.setText("<b>The new key is in place; the old key still works.</b>")
        items = "".join(f"<li>{html(target_line(t))}</li>" for t in targets)
        if rotation.state == State.DONE and rotation.revoke == "now":
            fate = f"The old key {old} is revoked."
        elif rotation.state == State.DONE:
            when = f" ({timefmt.exact(old_key_expires)})" if old_key_expires else ""
            fate = f"The old key {old} will be revoked {_schedule_words(rotation.revoke)}{when}."
        else:
            fate = (f"The old key {old} still works. Revoke it once nothing uses it: View ▸ Rotations in "
                    "progress, Resume.")
        own = "<p>This profile signs in with the new key.</p>" if rotation.self_rotation else ""
        places = f"<p>The new key is in:</p><ul>{items}</ul>" if items else "<p>No places were listed.</p>"
        backups = (" The files' backups (which held the old key) were removed." if finished and any(
            isinstance(t, EnvFileTarget) for t in targets) else "")
        self.body.setText(f"<p>New key: {new}, with {', '.join(rotation.permissions) or 'no permissions'}. "
                          f"Its secret is kept in {self.keychain_place}.</p>{places}<p>{fate}{backups}</p>{own}")


def _schedule_words(choice: str) -> str:
    return {"1h": "1 hour after the rotation ended", "24h": "24 hours after the rotation ended",
            "3d": "3 days after the rotation ended", "7d": "7 days after the rotation ended"}.get(choice, "later")
