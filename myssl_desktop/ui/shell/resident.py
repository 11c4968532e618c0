"""The resident app: the window while it is open, and what outlives it, the tray icon (where
the desktop has a tray), the reminder check and its notifications.

Closing the window keeps the app running where a tray exists (saying so the first time) or
where reminders are kept on (Reminders ▸ Keep running); otherwise it quits. A closed window is
deleted with everything it held (the table, its model, the chart caches, the features), and
the C library is asked to give the freed memory back; opening it again builds a new one.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from ..common.ops import Ops

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...profiles import Profile
    from ...reminders.preferences import ReminderPrefsStore
    from ...services import Services
    from ..account.controller import AccountController
    from ..reminders.scheduler import ReminderScheduler
    from ..reminders.tray import Tray
    from .main_window import MainWindow

log = logging.getLogger(__name__)
START_AFTER_MS = 1000  # after the window's first paint
TRAY_TOLD = ("MySSL Desktop is still running", "It stays in the tray to remind you of keys that need attention. "
             "Quit it from the tray icon's menu.")


class Resident(QObject):
    window_opened = Signal(object)  # MainWindow
    window_released = Signal()  # the closed window is gone, and with it all it held

    def __init__(self, app: QApplication, services: Callable[[], Services],
                 make_window: Callable[[], tuple[MainWindow, Callable[[], AccountController | None]]], *,
                 tray: bool | None = None, interval_s: float | None = None,
                 on_quit: Callable[[], None] | None = None, handover: Callable[[], bool] | None = None) -> None:
        """`make_window` builds and shows a window; it returns it with a function that gives its
        account controller once the window has made one. `tray`: None asks Qt whether there is one.
        `handover`: start a fresh app hidden in the tray (True when it started); this one then quits,
        since what the window imported (the table, charts, wizards) cannot be unloaded."""
        super().__init__(app)
        self.app = app
        self._services = services
        self._make_window = make_window
        self._tray_given = tray
        self._interval_s = interval_s
        self._on_quit = on_quit or app.quit
        self._handover = handover
        self.window: MainWindow | None = None
        self._controller: Callable[[], AccountController | None] = lambda: None
        self.tray: Tray | None = None
        self.scheduler: ReminderScheduler | None = None
        self.ops = Ops(self)
        self._quitting = False
        self._pending_target = ""
        app.setQuitOnLastWindowClosed(False)

    @property
    def prefs(self) -> ReminderPrefsStore:
        from ...reminders.preferences import ReminderPrefsStore  # after the first paint: it costs ~40 ms

        return ReminderPrefsStore(self._services().dirs.config)

    @property
    def has_tray(self) -> bool:
        """Asked each time: at login the app may start before the desktop's tray does."""
        if self._tray_given is not None:
            return self._tray_given
        from ..reminders.tray import tray_available

        return tray_available()

    def keeps_running(self) -> bool:
        return self.has_tray or self.prefs.load().resident

    # --- start ------------------------------------------------------------------------------

    def start(self) -> None:
        """The tray and the reminder check (once; after the window's first paint, or at once when
        the app starts hidden)."""
        if self.scheduler is not None:
            return
        from ..reminders.notices import ClickRelay, app_notifier
        from ..reminders.scheduler import INTERVAL_S, ReminderScheduler

        services = self._services()
        self._show_tray()
        self.relay = ClickRelay(self)
        self.relay.clicked.connect(self.open)
        self.notifier, threaded = app_notifier(self.relay, self.tray.icon if self.tray else None)
        self.scheduler = ReminderScheduler(services, self.ops, self.notifier, threaded_notifier=threaded,
                                           interval_s=self._interval_s or INTERVAL_S,
                                           held_rotations=self._held_rotations, parent=self)
        self.scheduler.checked.connect(self._checked)
        self.scheduler.start()

    def _show_tray(self) -> None:
        """The tray icon, once there is a tray to show it in."""
        if self.tray is not None or not self.has_tray:
            return
        from ..reminders.tray import Tray

        self.tray = Tray(self)
        self.tray.open_requested.connect(self.open)
        self.tray.refresh_requested.connect(self.refresh)
        self.tray.quit_requested.connect(self.quit)
        self.tray.show()
        self._show_profiles()

    def start_hidden(self) -> bool:
        """Start without the window (login): only where the app can stay; False when it cannot."""
        if not self.keeps_running():
            return False
        self.start()
        return True

    # --- the window ---------------------------------------------------------------------------

    def open(self, target: str = "") -> None:
        """Show the window (building it if closed), then what `target` names: "profile/<id>",
        "key/<profile id>/<key id>" or "rotation/<id>"."""
        if self.window is None:
            window, controller = self._make_window()
            window.delete_on_close()
            window.quit_handler = self.quit
            window.reminders_requested.connect(self.show_settings)
            window.reminders_available = True
            window.keys_exposed.connect(self._keys_exposed)
            window.destroyed.connect(self._window_gone)
            self.window, self._controller = window, controller
            # The tray and the reminder check can wait a moment: the window's first list comes first.
            window.first_painted.connect(lambda: QTimer.singleShot(START_AFTER_MS, self.start))
            self.window_opened.emit(window)
        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()
        if target:
            self._pending_target = target
            if self._controller() is None:  # a new window: it makes its controller at its first paint
                window.first_painted.connect(self._open_pending_target)
            else:
                self._open_pending_target()

    def _open_pending_target(self) -> None:
        controller = self._controller()
        if self.window is None or controller is None or not self._pending_target:
            return
        target, self._pending_target = self._pending_target, ""
        from .targets import open_target

        open_target(self.window, controller, self._services(), target)

    def _window_gone(self) -> None:
        self.window, self._controller = None, lambda: None
        gc.collect()
        release_freed_memory()
        self.window_released.emit()
        if self._quitting or not self.keeps_running():
            log.info("window closed: quitting (%s)", "asked to" if self._quitting else "no tray, reminders not kept on")
            self.quit()
            return
        if self._handover is not None and self._handover():
            log.info("window closed: a fresh hidden app takes over")
            self.quit()
            return
        log.info("window closed: staying resident")
        self.start()
        self._show_tray()  # a tray that appeared after the app started
        self.say_still_running()

    def say_still_running(self) -> None:
        """The first time the window closes to the tray, say so."""
        prefs = self.prefs
        if self.tray is not None and not prefs.load().told_about_tray:
            self.tray.icon.showMessage(*TRAY_TOLD)
            prefs.change(told_about_tray=True)

    def show_settings(self) -> None:
        from PySide6.QtCore import Qt

        from ..reminders.settings_dialog import ReminderSettings

        services = self._services()
        session = self.window.session if self.window is not None else None
        dialog = ReminderSettings(self.prefs, services.profiles.load().profiles, tray=self.has_tray,
                                  current_profile=session.profile.id if session else None, parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dialog
        dialog.open()

    # --- tray actions ---------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.scheduler is not None:
            self.scheduler.run_now()
        if self.window is not None:
            self.window.refresh()

    def quit(self) -> None:
        self._quitting = True
        if self.window is not None:
            self.window.close()  # saves its layout, shuts its features down, clears a copied secret
            return
        if self.scheduler is not None:
            self.scheduler.stop()
        if self.tray is not None:
            self.tray.hide()
        notifier = getattr(self, "notifier", None)
        if notifier is not None:
            notifier.close()
        self._on_quit()

    def _checked(self, report: object) -> None:
        if self.tray is not None:
            from ...reminders.check import CheckReport

            self.tray.show_report(report if isinstance(report, CheckReport) else None)
            self._show_profiles()

    def _show_profiles(self) -> None:
        if self.tray is None:
            return
        with contextlib.suppress(Exception):  # a damaged profiles file: the window says so
            self.tray.show_profiles(self._services().profiles.load().profiles)

    def _keys_exposed(self, profile: Profile, keys: list[ApiKey]) -> None:
        """A scan in the window found keys in a commit: tell it now, not at the next check."""
        from ...keyflags import EXPOSED

        if self.scheduler is not None:
            for key in keys:
                self.scheduler.flag_added(profile, key, EXPOSED)

    def _held_rotations(self) -> frozenset[str]:
        """Rotations a wizard of the open window drives step by step."""
        if self.window is None or self.window._content is None:
            return frozenset()
        return frozenset(self.window.content.rotations.wizards)


def release_freed_memory() -> None:
    """glibc keeps freed memory for reuse; a resident app gives it back after its window goes."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


__all__ = ["Resident", "release_freed_memory"]
