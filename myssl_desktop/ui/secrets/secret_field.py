"""A shown-once secret, masked, with Reveal and Copy (through the concealed clipboard) and
the clipboard's countdown. Used by the new-key dialog and the rotation wizard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from ...api.secret import Secret
    from ..common.context import CopiesSecrets


class SecretField(QWidget):
    """A shown-once secret, masked, with Reveal and Copy (through the concealed clipboard)
    and the clipboard's countdown. Used by the new-key dialog and the rotation wizard."""

    def __init__(self, secret: Secret, clipboard: CopiesSecrets, parent: QWidget | None = None, *,
                 accessible_name: str = "New API key secret") -> None:
        super().__init__(parent)
        self._secret = secret
        self._clipboard = clipboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit(secret.reveal())
        self.field.setReadOnly(True)
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName(accessible_name)
        layout.addWidget(self.field)
        row = QDialogButtonBox()
        self.reveal_button = QPushButton("&Reveal")
        self.reveal_button.setCheckable(True)
        self.reveal_button.toggled.connect(self.set_revealed)
        self.copy_button = QPushButton("&Copy")
        self.copy_button.clicked.connect(self.copy)
        row.addButton(self.reveal_button, QDialogButtonBox.ButtonRole.ActionRole)
        row.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout.addWidget(row)
        self.countdown = QLabel("")
        self.countdown.setAccessibleName("Clipboard clears in")
        layout.addWidget(self.countdown)
        clipboard.countdown.connect(self._show_countdown)

    def set_revealed(self, shown: bool) -> None:
        self.field.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal_button.setText("&Hide" if shown else "&Reveal")
        if self.reveal_button.isChecked() != shown:
            self.reveal_button.setChecked(shown)

    def hide_secret(self) -> None:
        """Idle or screen lock: mask the secret again."""
        self.set_revealed(False)

    def copy(self) -> None:
        self._clipboard.copy_secret(self._secret)

    def forget(self) -> None:
        """Drop the text from the widget (the dialog or page is done with it)."""
        self.set_revealed(False)
        self.field.clear()

    def _show_countdown(self, seconds: int) -> None:
        """Only what is true of this secret: another secret copied elsewhere is not "Copied"."""
        if seconds > 0 and self._clipboard.holds(self._secret):
            self.countdown.setText(f"Copied. The clipboard is cleared in {seconds} s.")
        elif seconds == 0 and self.countdown.text().startswith("Copied"):
            self.countdown.setText("The clipboard was cleared.")
        elif seconds > 0:
            self.countdown.setText("")  # the clipboard holds something else
