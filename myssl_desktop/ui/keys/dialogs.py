"""Dialogs for key actions: create, revoke now or later, regenerate, and the shown-once secret."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ...api.models import PERMISSIONS
from ...revoke_when import RevokeWhen
from ..common.confirm import ConfirmKeyAction
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


class CreateKeyDialog(QDialog):
    """Name and permissions of a new key. Permissions the signed-in key lacks are disabled."""

    def __init__(self, caller_permissions: tuple[str, ...], existing_names: set[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New API key")
        self.setMinimumWidth(460)
        self._existing = {n.casefold() for n in existing_names}
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name_edit = QLineEdit()
        self.name_edit.setMaxLength(100)
        self.name_edit.setPlaceholderText("For example: Production server")
        self.name_edit.setAccessibleName("Key name")
        form.addRow("&Name:", self.name_edit)
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
        self.create_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self._validate)
        self._validate()

    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def permissions(self) -> list[str]:
        return [p for p, box in self.boxes.items() if box.isChecked()]

    def _validate(self) -> None:
        name = self.name
        if not name:
            hint, ok = "A name says where the key is used; 1 to 100 characters.", False
        elif name.casefold() in self._existing:
            hint, ok = "⚠ A key with this name exists already. Use it, or pick a name you can tell apart.", True
        else:
            hint, ok = " ", True
        if ok and not self.permissions:
            hint, ok = "Choose at least one permission.", False
        self.name_hint.setText(hint)
        self.create_button.setEnabled(ok)


class RevokeChoice(QWidget):
    """Now, or in 1 h / 24 h / 3 days / 7 days (a scheduled revoke)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Revoke:"))
        self.group = QButtonGroup(self)
        self.radios: dict[RevokeWhen, QRadioButton] = {}
        for value in RevokeWhen.for_keys():
            radio = QRadioButton(value.label)
            radio.setChecked(value is RevokeWhen.NOW)
            self.group.addButton(radio)
            self.radios[value] = radio
            layout.addWidget(radio)

    @property
    def choice(self) -> RevokeWhen:
        return next(value for value, radio in self.radios.items() if radio.isChecked())


def revoke_dialog(key: ApiKey, parent: QWidget | None = None) -> tuple[ConfirmKeyAction, RevokeChoice]:
    choice = RevokeChoice()
    message = (f"Revoke “{html(key.name)}” ({key.prefix}…)? Anything still using it will get “Invalid API "
               "key” from then on. A scheduled revoke gives your applications time to switch.")
    return ConfirmKeyAction("Revoke key", key, message, "Revoke", extra=choice, parent=parent), choice


def regenerate_dialog(key: ApiKey, parent: QWidget | None = None) -> ConfirmKeyAction:
    message = (f"Regenerate “{html(key.name)}”? MySSL makes a new secret and <b>the old secret stops "
               "working at once</b>. For no downtime, use <i>Rotate…</i> instead: it creates a second key, "
               "lets you update your applications, and revokes the old key only when nothing uses it.")
    return ConfirmKeyAction("Regenerate key", key, message, "Regenerate", parent=parent)


class SecretDialog(QDialog):
    """The shown-once secret: masked, with reveal and copy. It was written to the keychain
    before this dialog was built; if that failed, the user must confirm a copy first."""

    def __init__(self, new: NewSecret, clipboard: CopiesSecrets, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your new API key")
        self.setMinimumWidth(560)
        self.stored = new.stored
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{html(new.api_key.name)}</b> ({new.api_key.prefix}…) — "
                         f"{', '.join(new.api_key.permissions)}")
        heading.setWordWrap(True)
        layout.addWidget(heading)
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
        self.buttons.rejected.connect(self.reject)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.copied_check.toggled.connect(self._update_close)
        layout.addWidget(self.buttons)
        self._update_close()

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
