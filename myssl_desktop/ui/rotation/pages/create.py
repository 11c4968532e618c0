"""(b) Create: progress while MySSL creates the new key; then its secret, once (it is in the
keychain already); or the key limit, with the unused keys that could make room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QListWidget, QPushButton, QVBoxLayout, QWidget

from .... import timefmt
from ...common.richtext import html
from ...secrets.secret_field import SecretField
from .widgets import busy_bar, label, tone

if TYPE_CHECKING:
    from ....api.models import ApiKey
    from ....api.secret import Secret
    from ....rotation import Rotation
    from ...common.context import CopiesSecrets


class CreatePage(QWidget):
    """Progress while MySSL creates the key; then its secret, once; or the key limit."""

    revoke_stale_requested = Signal(object)  # an ApiKey

    def __init__(self, clipboard: CopiesSecrets, keychain_place: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = label(rich=True)
        self.status.setAccessibleName("Create status")
        layout.addWidget(self.status)
        self.bar = busy_bar()
        layout.addWidget(self.bar)
        self.secret_box = QWidget()
        box = QVBoxLayout(self.secret_box)
        box.setContentsMargins(0, 8, 0, 0)
        box.addWidget(label(f"MySSL shows this secret only once. It is already in {keychain_place}, and the "
                             "next step puts it in your files and keychain entries, so you do not need to copy "
                             "it unless you update something by hand."))
        self.secret_field: SecretField | None = None
        self._secret_slot = box
        layout.addWidget(self.secret_box)
        self.secret_box.hide()

        self.limit_box = QWidget()
        limit = QVBoxLayout(self.limit_box)
        limit.setContentsMargins(0, 8, 0, 0)
        limit.addWidget(label("Keys not used for over 90 days:"))
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

    def show_limit(self, text: str, stale: list[ApiKey] | tuple[ApiKey, ...]) -> None:
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
