"""The confirmation of a destructive key action: what happens, when the key was last used,
and (for a key used in the last 24 hours) its name typed before the action is enabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ... import timefmt
from .forms import FormDialog
from .richtext import html

if TYPE_CHECKING:
    from ...api.models import ApiKey

RECENT_USE = timedelta(hours=24)


def last_use_sentence(key: ApiKey, now: datetime | None = None) -> str:
    """"Last used 2 min ago: something still uses it." or "Never used."."""
    now = now or datetime.now(UTC)
    if key.last_used_at is None:
        return "It has never been used."
    when = timefmt.relative(key.last_used_at, now)
    if now - key.last_used_at < RECENT_USE:
        return (f"<b>Used {when} ({key.requests_24h:,} requests in the last 24 h): something still uses "
                "it.</b>")
    return f"Last used {when}."


class TypedConfirmDialog(FormDialog):
    """A destructive action's dialog whose action may first need a word typed."""

    typed: QLineEdit
    typed_hint: QLabel
    buttons: QDialogButtonBox
    confirm_button: QPushButton
    needs_typing: bool

    def add_typed_confirmation(self, layout: QVBoxLayout, *, needs_typing: bool, expected: str, what: str,
                               hint: str, explain: str, action_label: str) -> None:
        """The dialog's end: where `needs_typing`, a field in which `expected` must be typed, then
        Cancel and the action's button, which Enter presses once it is enabled (and before that,
        Enter says `explain` in red)."""
        self.needs_typing = needs_typing
        self.typed = QLineEdit()
        self.typed.setAccessibleName(f"Type {what} to confirm")
        self.typed_hint = QLabel(hint)
        if needs_typing:
            layout.addWidget(self.typed_hint)
            layout.addWidget(self.typed)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.confirm_button = self.buttons.addButton(action_label, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

        def update() -> None:
            self.confirm_button.setEnabled(not needs_typing or self.typed.text().strip() == expected)

        def explain_typing() -> None:
            self.typed_hint.setText(f"<b style='color:#c62828'>{explain}</b>")
            self.typed.setFocus()

        self.typed.textChanged.connect(update)
        update()
        self.set_accept_button(self.confirm_button, explain_typing)
        if needs_typing:
            self.typed.setFocus()  # the one thing to do before the action


class ConfirmKeyAction(TypedConfirmDialog):
    """A destructive action's confirmation; a key used in the last 24 h needs its name typed."""

    def __init__(self, title: str, key: ApiKey, message: str, action_label: str, *,
                 extra: QWidget | None = None, parent: QWidget | None = None,
                 usage: str | None = None, needs_typing: bool | None = None) -> None:
        """`usage` replaces the key's last-use sentence and `needs_typing` the 24 h rule, for
        callers that know more (a rotation knows whether the key was used after delivery)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        layout = QVBoxLayout(self)
        text = QLabel(f"{message}<br><br>{last_use_sentence(key) if usage is None else usage}")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(text)
        self.text = text
        if extra is not None:
            layout.addWidget(extra)
        self.key_name = key.name
        if needs_typing is None:
            needs_typing = key.last_used_at is not None and datetime.now(UTC) - key.last_used_at < RECENT_USE
        self.add_typed_confirmation(layout, needs_typing=needs_typing, expected=key.name, what="the key's name",
                                    hint=f"Type <b>{html(key.name)}</b> to confirm:",
                                    explain=f"Type {html(key.name)} exactly, then press Enter:",
                                    action_label=action_label)

    def add_button(self, text: str, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        """Another way out of the dialog (for example "Rotate instead")."""
        button = self.buttons.addButton(text, role)
        button.setAutoDefault(False)
        return button


