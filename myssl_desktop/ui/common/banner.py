"""A coloured strip above the table for problems the user should see (and can act on)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

_STYLES = {
    "error": "background: #fdecea; color: #611a15; border: 1px solid #f5c6cb;",
    "warning": "background: #fff4e5; color: #663c00; border: 1px solid #ffd599;",
    "info": "background: #e8f4fd; color: #0d3c61; border: 1px solid #b6dcf7;",
}


class Banner(QFrame):
    action_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice")
        layout.addWidget(self.label, 1)
        self.button = QPushButton()
        self.button.clicked.connect(lambda: self.action_clicked.emit(self._action))
        layout.addWidget(self.button)
        self._action = ""
        self.kind = ""
        self.hide()

    def show_message(self, text: str, *, kind: str = "error", action: str = "",
                     action_label: str = "") -> None:
        self.kind = kind
        self.setStyleSheet(f"QFrame#banner {{ {_STYLES[kind]} border-radius: 4px; }}"
                           " QLabel { border: none; background: transparent; }")
        self.label.setText(text)
        self._action = action
        self.button.setText(action_label)
        self.button.setAccessibleName(action_label)
        self.button.setVisible(bool(action))
        self.show()

    def clear(self) -> None:
        self.kind = ""
        self.label.clear()
        self.hide()
