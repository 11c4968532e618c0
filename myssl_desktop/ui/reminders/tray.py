"""The tray icon, where the desktop has a tray: the state at a glance (tooltip and the menu's
first line), the profiles, open the window, refresh, the rotations in progress, and quit.
It only emits what was asked; the resident app decides what that does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from ...profiles import Profile
from ...resource_files import APP_ICON_SIZES, read_app_icon_png

if TYPE_CHECKING:
    from ...reminders.check import CheckReport


def tray_available() -> bool:
    return QSystemTrayIcon.isSystemTrayAvailable()


def tray_icon() -> QIcon:
    """The app icon from its PNG renderings: a resident app without a window loads no SVG
    renderer (QtSvg, 3.5 MB; benchmarks/tray_memory.py)."""
    icon = QIcon()
    for size in APP_ICON_SIZES:
        pixmap = QPixmap()
        pixmap.loadFromData(read_app_icon_png(size), "PNG")
        icon.addPixmap(pixmap)
    return icon


class Tray(QObject):
    open_requested = Signal(str)  # "" (the window), "profile/<id>", "rotation/<id>"
    refresh_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(tray_icon(), self)
        self.menu = QMenu()
        self.status = QAction("Checking…", self.menu)
        self.status.setEnabled(False)
        self.open_window = QAction("&Open MySSL Desktop", self.menu)
        self.open_window.triggered.connect(lambda _=False: self.open_requested.emit(""))
        self.profiles_menu = QMenu("&Profiles", self.menu)
        self.refresh = QAction("&Refresh now", self.menu)
        self.refresh.triggered.connect(lambda _=False: self.refresh_requested.emit())
        self.rotations_menu = QMenu("Rotations in &progress", self.menu)
        self.quit = QAction("&Quit", self.menu)
        self.quit.triggered.connect(lambda _=False: self.quit_requested.emit())
        for entry in (self.status, None, self.open_window, self.profiles_menu, self.refresh, self.rotations_menu,
                      None, self.quit):
            if entry is None:
                self.menu.addSeparator()
            elif isinstance(entry, QMenu):
                self.menu.addMenu(entry)
            else:
                self.menu.addAction(entry)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.setToolTip("MySSL Desktop")
        self.show_profiles([])
        self.show_report(None)

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def show_profiles(self, profiles: Sequence[Profile]) -> None:
        self.profiles_menu.clear()
        for profile in profiles:
            entry = self.profiles_menu.addAction(f"{profile.name} ({profile.environment})")
            entry.triggered.connect(lambda _=False, pid=profile.id: self.open_requested.emit(f"profile/{pid}"))
        self.profiles_menu.setEnabled(bool(profiles))

    def show_report(self, report: CheckReport | None) -> None:
        """The last check: how many things need attention, and the rotations in progress."""
        if report is None:
            text = "Not checked yet"
        else:
            count = len(report.findings)
            text = (f"{count} thing{'s' if count != 1 else ''} need{'s' if count == 1 else ''} attention" if count
                    else "Nothing needs attention")
            if report.errors:
                text += f" ({len(report.errors)} not checked)"
        self.status.setText(text)
        self.icon.setToolTip(f"MySSL Desktop: {text.lower() if report is not None else text}")
        self.rotations_menu.clear()
        for line in (report.rotations if report is not None else ()):
            entry = self.rotations_menu.addAction(f"{line.key_name}: {line.state}")
            entry.setToolTip(line.now)
            entry.triggered.connect(lambda _=False, rid=line.id: self.open_requested.emit(f"rotation/{rid}"))
        self.rotations_menu.setEnabled(bool(report is not None and report.rotations))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_requested.emit("")


__all__ = ["Tray", "tray_available"]
