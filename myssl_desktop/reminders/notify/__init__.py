"""Desktop notifications: one small interface, one implementation per system.

- Linux and the BSDs: the freedesktop notification service over D-Bus (`freedesktop.py`,
  with jeepney, which keyring's Secret Service backend already brings and the frozen app
  already bundles). Clicks come back as `ActionInvoked` signals.
- macOS: Notification Center through `osascript` (the command line); the app itself uses
  Qt's tray `showMessage`, which also goes to Notification Center and reports clicks.
- Windows: a toast through PowerShell's Windows.UI.Notifications (the command line); the app
  uses Qt's tray `showMessage` (a toast on Windows 10 and 11).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Protocol

from ...errors import AppError


class NotifyError(AppError):
    """A notification could not be shown; the message says why."""


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    target: str = ""  # what a click opens (empty: nothing)
    urgent: bool = False


class Notifier(Protocol):
    def send(self, notice: Notice) -> None:
        """Show `notice` or raise NotifyError."""

    def close(self) -> None: ...


def system_notifier() -> Notifier:
    """The command line's notifier for this system."""
    if sys.platform == "darwin":
        from .commands import OsascriptNotifier

        return OsascriptNotifier()
    if sys.platform == "win32":
        from .commands import ToastNotifier

        return ToastNotifier()
    from .freedesktop import FreedesktopNotifier

    return FreedesktopNotifier()


__all__ = ["Notice", "NotifyError", "Notifier", "system_notifier"]
