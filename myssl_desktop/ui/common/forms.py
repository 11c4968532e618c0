"""Enter and Escape in the app's dialogs, done one way.

Qt records a dialog's default button only if `setDefault` runs once the button is inside the
dialog, and otherwise lets Enter press whichever auto-default button follows the focus: in the
new-key dialog Enter closed it without creating anything, in the secret dialog it revealed
the secret. A `FormDialog` names its one accept button after building; Enter then presses it
when it is enabled and otherwise says why it is not (`explain`); Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractButton, QDialog, QPushButton, QWidget

ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class FormDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._accept_button: QPushButton | None = None
        self._explain: Callable[[], None] = lambda: None

    def set_accept_button(self, button: QPushButton | None, explain: Callable[[], None] | None = None) -> None:
        """Call when the dialog is built. `explain` says, visibly, why the button is disabled."""
        for other in self.findChildren(QPushButton):
            other.setAutoDefault(False)
            other.setDefault(False)
        self._accept_button = button
        if button is not None:
            button.setDefault(True)
        self._explain = explain or (lambda: None)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in ENTER_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            button = self._accept_button
            if button is not None and button.isVisible():
                if button.isEnabled():
                    button.click()
                else:
                    self._explain()
            event.accept()
            return
        super().keyPressEvent(event)


class _EnterActs(QObject):
    def __init__(self, field: QWidget, act: Callable[[], None]) -> None:
        super().__init__(field)
        self._act = act

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) and event.key() in ENTER_KEYS:
            self._act()
            return True  # consumed: the dialog's accept button is not pressed as well
        return False


def enter_acts(field: QWidget, act: Callable[[], None]) -> None:
    """Enter in `field` does `act` (add the typed file, show the key of a row, say) and nothing else."""
    field.installEventFilter(_EnterActs(field, act))


def not_default(*buttons: QAbstractButton) -> None:
    """Buttons Enter must never press (Reveal, Copy, Revoke now)."""
    for button in buttons:
        if isinstance(button, QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)


__all__ = ["FormDialog", "enter_acts", "not_default"]
