"""(d) Verify: MySSL must accept the new key as itself, as your applications will use it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...common.richtext import html
from .widgets import busy_bar, label, tone

if TYPE_CHECKING:
    from ....rotation import Rotation


class VerifyPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.status = label(rich=True)
        self.status.setAccessibleName("Verify status")
        layout.addWidget(self.status)
        self.bar = busy_bar()
        layout.addWidget(self.bar)
        self.detail = label()
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
        self.status.setText(f"<b>✓ The new key ({rotation.new_prefix}…) works:</b> MySSL accepted it.")
        detail = "Next, watch the old key: once nothing uses it, it is revoked as planned. It keeps working until then."
        if rotation.self_rotation:
            detail = "This profile now signs in with the new key. " + detail
        self.detail.setText(detail)

    def show_failed(self, text: str) -> None:
        self.bar.hide()
        self.status.setStyleSheet(f"color: {tone(self, 'bad')};")
        self.status.setText(f"<b>✗ The new key did not work.</b> {html(text)}")
        self.detail.setText("Your applications still have a working old key only if you cancel: Cancel "
                            "rotation puts every file back and revokes the new key.")
