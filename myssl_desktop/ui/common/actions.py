"""One way to make a menu or toolbar action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from .icons import icon


def make_action(parent: QObject, text: str, slot: Callable[[], Any], shortcut: Any = None,
                icon_name: str = "") -> QAction:
    """`text` with its & accelerator; `shortcut` a StandardKey or a string like "F2"."""
    action = QAction(icon(icon_name), text, parent) if icon_name else QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: slot())
    return action
