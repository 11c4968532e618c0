"""The app's notifier: the freedesktop service over D-Bus on Linux (clicks come back, and it
works without a tray), Qt's tray message elsewhere (a toast on Windows, Notification Center on
macOS; a click on it opens what the last message was about). Sending runs in the background."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from ...reminders.notify import Notice, Notifier


class ClickRelay(QObject):
    """Carries a click from the notifier's thread to the GUI thread."""

    clicked = Signal(str)


class TrayMessages:
    """Notifier over QSystemTrayIcon.showMessage; call `send` on the GUI thread."""

    def __init__(self, icon: QSystemTrayIcon, relay: ClickRelay) -> None:
        self._icon = icon
        self._last = ""
        icon.messageClicked.connect(lambda: relay.clicked.emit(self._last))

    def send(self, notice: Notice) -> None:
        self._last = notice.target
        kind = QSystemTrayIcon.MessageIcon.Warning if notice.urgent else QSystemTrayIcon.MessageIcon.Information
        self._icon.showMessage(notice.title, notice.body, kind, 10_000)

    def close(self) -> None:
        pass


def app_notifier(relay: ClickRelay, tray_icon: QSystemTrayIcon | None) -> tuple[Notifier | None, bool]:
    """(the notifier, whether it may be used off the GUI thread)."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        from ...reminders.notify.freedesktop import FreedesktopNotifier

        return FreedesktopNotifier(on_click=relay.clicked.emit), True
    if tray_icon is not None:
        return TrayMessages(tray_icon, relay), False
    return None, False


__all__ = ["ClickRelay", "TrayMessages", "app_notifier"]
