"""Dialogs for key actions: create, revoke now or later, regenerate, and the shown-once secret."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QDir, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ... import timefmt
from ...api.models import PERMISSIONS
from ...api.secret import Secret
from ...revoke_when import EXPIRY_CHOICES, RevokeWhen, start_of_day
from ...rotation.targets import DEFAULT_VARIABLE as ENV_VARIABLE
from ..common.confirm import ConfirmKeyAction, TypedConfirmDialog, last_use_sentence
from ..common.forms import FormDialog
from ..common.richtext import html
from ..secrets.secret_field import SecretField

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...keyactions import NewSecret
    from ..common.context import CopiesSecrets

PERMISSION_WORDS = {
    "domains:read": "Read monitored domains", "domains:write": "Add and change domains",
    "scans:write": "Start scans", "billing:read": "Read billing and usage",
    "keys:read": "List API keys", "keys:manage": "Create, rotate and revoke API keys",
}
RECENT_USE = timedelta(hours=24)


# A preset ticks the permissions a typical use needs (and the signed-in key can give).
PRESETS = {
    "Read-only": ("domains:read", "billing:read", "keys:read"),
    "Deploy (CI)": ("domains:read", "domains:write", "scans:write"),
    "Full access": PERMISSIONS,
}


ON_DATE = "On date…"


class CreateKeyDialog(FormDialog):
    """Name, permissions and expiry of a new key. Permissions the signed-in key lacks are disabled."""

    def __init__(self, caller_permissions: tuple[str, ...], existing_names: set[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New API key")
        self.setMinimumWidth(460)
        self._existing = {n.casefold() for n in existing_names}
        self._caller = caller_permissions
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.name_edit.setPlaceholderText("For example: Production server")
        self.name_edit.setAccessibleName("Key name")
        form.addRow("&Name:", self.name_edit)
        self.preset_combo = QComboBox()
        self.preset_combo.setAccessibleName("Permission preset")
        self.preset_combo.addItem("Custom", None)
        for preset in PRESETS:
            self.preset_combo.addItem(preset, preset)
        self.preset_combo.currentIndexChanged.connect(lambda _: self._apply_preset())
        form.addRow("&Preset:", self.preset_combo)
        form.addRow("E&xpires:", self._build_expiry())
        layout.addLayout(form)
        self.name_hint = QLabel(" ")
        self.name_hint.setWordWrap(True)
        layout.addWidget(self.name_hint)
        layout.addWidget(QLabel("Permissions (give an application only what it needs):"))
        self.boxes: dict[str, QCheckBox] = {}
        for permission in PERMISSIONS:
            box = QCheckBox(f"{permission} — {PERMISSION_WORDS[permission]}")
            box.setAccessibleName(permission)
            box.setChecked(permission == "domains:read")
            if permission not in caller_permissions:
                box.setChecked(False)
                box.setEnabled(False)
                box.setToolTip(f"Your sign-in key lacks “{permission}”, so it cannot give it to a new key.")
                box.setText(box.text() + " (your key lacks it)")
            box.toggled.connect(self._validate)
            self.boxes[permission] = box
            layout.addWidget(box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.create_button = self.buttons.addButton("Create key", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate()
        self.set_accept_button(self.create_button, self._explain)
        self.name_edit.setFocus()

    def _build_expiry(self) -> QWidget:
        """Never, in 30 or 90 days or a year, or on a date (the revoke is scheduled from the start)."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.expiry_combo = QComboBox()
        self.expiry_combo.setAccessibleName("Expires")
        for label, span in EXPIRY_CHOICES:
            self.expiry_combo.addItem(label, span)
        self.expiry_combo.addItem(ON_DATE, ON_DATE)
        self.expiry_date = QDateEdit()
        self.expiry_date.setAccessibleName("Expiry date")
        self.expiry_date.setCalendarPopup(True)
        self.expiry_date.setDisplayFormat("yyyy-MM-dd")
        tomorrow = QDate.currentDate().addDays(1)
        self.expiry_date.setMinimumDate(tomorrow)  # an expiry must be in the future
        self.expiry_date.setDate(QDate.currentDate().addDays(30))
        self.expiry_date.hide()
        self.expiry_hint = QLabel("")
        self.expiry_hint.setAccessibleName("When the key is revoked")
        row.addWidget(self.expiry_combo)
        row.addWidget(self.expiry_date)
        row.addWidget(self.expiry_hint, 1)
        self.expiry_combo.currentIndexChanged.connect(lambda _: self._expiry_changed())
        self.expiry_date.dateChanged.connect(lambda _: self._expiry_changed())
        self._expiry_changed()
        return box

    def _expiry_changed(self) -> None:
        self.expiry_date.setVisible(self.expiry_combo.currentData() == ON_DATE)
        when = self.expires_at
        self.expiry_hint.setText("works until revoked" if when is None else
                                 f"revoked {timefmt.exact(when)} ({timefmt.relative(when)})")

    @property
    def expires_at(self) -> datetime | None:
        """When the new key's revoke takes effect (None: never), as of now, in whole seconds."""
        choice = self.expiry_combo.currentData()
        if choice == ON_DATE:
            day = self.expiry_date.date()
            return start_of_day(date(day.year(), day.month(), day.day()))
        if not isinstance(choice, timedelta):
            return None
        return (datetime.now(UTC) + choice).replace(microsecond=0)

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def permissions(self) -> list[str]:
        return [p for p, box in self.boxes.items() if box.isChecked()]

    def _apply_preset(self) -> None:
        preset = self.preset_combo.currentData()
        if preset is None:
            return
        wanted = set(PRESETS[preset])
        for permission, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(permission in wanted and permission in self._caller)
            box.blockSignals(False)
        self._validate()

    def _validate(self) -> None:
        preset = self.preset_combo.currentData()
        if preset is not None and set(self.permissions) != set(PRESETS[preset]) & set(self._caller):
            self.preset_combo.blockSignals(True)
            self.preset_combo.setCurrentIndex(0)  # the boxes were changed by hand: Custom
            self.preset_combo.blockSignals(False)
        name = self.name
        if not name:
            hint, ok = "A name says where the key is used; 1 to 100 characters.", False
        elif name.casefold() in self._existing:
            hint, ok = "⚠ A key with this name exists already. Use it, or pick a name you can tell apart.", True
        else:
            hint, ok = " ", True
        if ok and not self.permissions:
            hint, ok = "Choose at least one permission.", False
        self.name_hint.setStyleSheet("")
        self.name_hint.setText(hint)
        self.create_button.setEnabled(ok)

    def _explain(self) -> None:
        """Enter while the key cannot be created yet: say why, where the eye is."""
        self.name_hint.setStyleSheet("color: #c62828; font-weight: bold;")
        (self.name_edit if not self.name else self).setFocus()


class RevokeChoice(QWidget):
    """Now, or in 1 h / 24 h / 3 days / 7 days (a scheduled revoke)."""

    def __init__(self, default: RevokeWhen = RevokeWhen.NOW, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Revoke:"))
        self.group = QButtonGroup(self)
        self.radios: dict[RevokeWhen, QRadioButton] = {}
        for value in RevokeWhen.for_keys():
            radio = QRadioButton(value.label)
            radio.setChecked(value is default)
            self.group.addButton(radio)
            self.radios[value] = radio
            layout.addWidget(radio)

    @property
    def choice(self) -> RevokeWhen:
        return next(value for value, radio in self.radios.items() if radio.isChecked())


def revoke_dialog(key: ApiKey, parent: QWidget | None = None) -> tuple[ConfirmKeyAction, RevokeChoice]:
    """For a key in use, the revoke is scheduled unless the user picks "Now"."""
    in_use = key.last_used_at is not None and datetime.now(UTC) - key.last_used_at < RECENT_USE
    choice = RevokeChoice(RevokeWhen.IN_24H if in_use else RevokeWhen.NOW)
    message = (f"Revoke “{html(key.name)}” ({key.prefix}…)? Anything still using it will get “Invalid API "
               "key” from then on. A scheduled revoke gives your applications time to switch; "
               "<i>Rotate instead</i> replaces the key without downtime.")
    return ConfirmKeyAction("Revoke key", key, message, "Revoke", extra=choice, parent=parent), choice


class BulkRevokeDialog(TypedConfirmDialog):
    """Revoke (or schedule the revoke of) several keys at once. If any was used in the last
    24 hours, the number of keys must be typed to confirm; the revoke is then scheduled unless
    the user picks "Now"."""

    def __init__(self, keys: list[ApiKey], skipped: list[ApiKey], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Revoke keys")
        self.setMinimumWidth(520)
        now = datetime.now(UTC)
        in_use = [k for k in keys if k.last_used_at is not None and now - k.last_used_at < RECENT_USE]
        layout = QVBoxLayout(self)
        names = "".join(f"<li><b>{html(k.name)}</b> ({k.prefix}…): {last_use_sentence(k, now)}</li>"
                        for k in keys)
        text = QLabel(f"Revoke these {len(keys)} keys? Anything still using them gets “Invalid API key” from then "
                      f"on.<ul>{names}</ul>")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.text = text
        if skipped:
            layout.addWidget(QLabel("Left out: " + ", ".join(f"“{html(k.name)}”" for k in skipped)
                                    + " (the key this profile signs in with: rotate it instead)."))
        self.choice = RevokeChoice(RevokeWhen.IN_24H if in_use else RevokeWhen.NOW)
        layout.addWidget(self.choice)
        count = str(len(keys))
        self.add_typed_confirmation(layout, needs_typing=bool(in_use), expected=count, what="the number of keys",
                                    hint=f"{len(in_use)} of them were used in the last 24 hours. Type <b>{count}</b> "
                                         "to confirm:",
                                    explain=f"Type {count}, the number of keys, then press Enter:",
                                    action_label=f"Revoke {len(keys)} keys")


def regenerate_dialog(key: ApiKey, parent: QWidget | None = None) -> ConfirmKeyAction:
    message = (f"Regenerate “{html(key.name)}”? MySSL makes a new secret and <b>the old secret stops "
               "working at once</b>. For no downtime, rotate instead: it creates a second key, lets you "
               "update your applications, and revokes the old key only when nothing uses it.")
    return ConfirmKeyAction("Regenerate key", key, message, "Regenerate", parent=parent)


class SecretDialog(FormDialog):
    """The shown-once secret: masked, with reveal and copy. It was written to the keychain
    before this dialog was built; if that failed, the user must confirm a copy first."""

    write_env_requested = Signal(object)  # a Path the user chose: put the key's variable in it

    def __init__(self, new: NewSecret, clipboard: CopiesSecrets, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your new API key")
        self.setMinimumWidth(560)
        self.stored = new.stored
        layout = QVBoxLayout(self)
        expires = new.api_key.expires_at
        heading = QLabel(f"<b>{html(new.api_key.name)}</b> ({new.api_key.prefix}…) — "
                         f"{', '.join(new.api_key.permissions)}"
                         + ("" if expires is None else f"<br>Revoked {timefmt.exact(expires)} "
                                                       f"({timefmt.relative(expires)})."))
        heading.setWordWrap(True)
        heading.setAccessibleName("New key")
        layout.addWidget(heading)
        self.heading = heading
        if new.expiry_problem:  # an older server ignored the expiry, and scheduling it failed
            expiry = QLabel(f"<b>⚠ The key has no expiry:</b> {html(new.expiry_problem)} Schedule its revoke "
                            "with Key ▸ Revoke…")
            expiry.setWordWrap(True)
            expiry.setObjectName("expiryNote")
            expiry.setStyleSheet("color: #d32f2f;")
            layout.addWidget(expiry)
        if new.stored:
            note = QLabel(f"MySSL shows this secret only once. A copy is kept in {new.place}, so "
                          "“Copy stored secret” stays available for this key.")
        else:
            note = QLabel("<b>⚠ The secret could not be saved in your keychain.</b> "
                          f"{html(new.problem)}<br><b>This is the only time it can be seen: copy it now and "
                          "store it somewhere safe.</b>")
            note.setStyleSheet("color: #d32f2f;")
        note.setObjectName("placeNote")
        note.setWordWrap(True)
        layout.addWidget(note)
        self.secret_field = SecretField(new.secret, clipboard)
        layout.addWidget(self.secret_field)
        self.field = self.secret_field.field
        self.reveal_button = self.secret_field.reveal_button
        self.copy_button = self.secret_field.copy_button
        self.countdown = self.secret_field.countdown
        self.copied_check = QCheckBox("I have copied the secret and stored it safely")
        self.copied_check.setVisible(not new.stored)
        layout.addWidget(self.copied_check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_line_button = self.buttons.addButton(f"Copy as {ENV_VARIABLE}=…",
                                                       QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_line_button.clicked.connect(self.copy_env_line)
        self.write_env_button = self.buttons.addButton("Write to a .env file…", QDialogButtonBox.ButtonRole.ActionRole)
        self.write_env_button.clicked.connect(self._choose_env_file)
        self.buttons.rejected.connect(self.reject)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.copied_check.toggled.connect(self._update_close)
        layout.addWidget(self.buttons)
        self.written = QLabel("")
        self.written.setWordWrap(True)
        self.written.setAccessibleName("Written to")
        layout.addWidget(self.written)
        self._secret = new.secret
        self._clipboard = clipboard
        self._update_close()
        self.set_accept_button(self.close_button, self._explain)

    def copy_env_line(self) -> None:
        """`MYSSL_API_KEY=…` on the clipboard, marked secret and cleared like the secret itself."""
        line = Secret(f"{ENV_VARIABLE}={self._secret.reveal()}")
        self._clipboard.copy_secret(line)
        self.written.setText(f"Copied {ENV_VARIABLE}=… to the clipboard; it is cleared in "
                             f"{self._clipboard.timeout_s} s." if self._clipboard.holds(line)
                             else "The clipboard could not be set: copy the secret with Copy instead.")

    def _choose_env_file(self) -> None:
        dialog = QFileDialog(self, "Write the key to a .env file")
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)  # only the variable changes, not the file
        dialog.setFilter(dialog.filter() | QDir.Filter.Hidden)
        dialog.selectFile(".env")
        dialog.fileSelected.connect(lambda path: self.write_env_requested.emit(Path(path)))
        dialog.open()
        self.file_dialog = dialog

    def show_written(self, text: str) -> None:
        """What became of a write to a .env file (the caller did it, off the GUI thread)."""
        self.written.setText(text)

    def _explain(self) -> None:
        self.copied_check.setStyleSheet("color: #c62828; font-weight: bold;")
        self.copied_check.setFocus()

    def set_revealed(self, shown: bool) -> None:
        self.secret_field.set_revealed(shown)

    def hide_secret(self) -> None:
        """Idle or screen lock: mask the secret again."""
        self.secret_field.hide_secret()

    def copy(self) -> None:
        self.secret_field.copy()

    def _update_close(self) -> None:
        self.close_button.setEnabled(self.stored or self.copied_check.isChecked())

    def reject(self) -> None:
        if not self.stored and not self.copied_check.isChecked():
            return  # the only copy: Escape or the window's close button must not lose it
        self.secret_field.forget()
        super().reject()
