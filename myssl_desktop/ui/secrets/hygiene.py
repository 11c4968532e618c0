"""Hide revealed secrets and clear the clipboard when the user walks away: on idle and on screen lock."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal, Slot

from myssl_desktop.ui.secrets.clipboard import SecretClipboard

log = logging.getLogger(__name__)

DEFAULT_IDLE_TIMEOUT_S = 120.0

_INPUT_EVENTS = frozenset({
    QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.KeyPress, QEvent.Type.Wheel,
    QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate,
})


class IdleWatcher(QObject):
    """Emits `idle` once after `timeout_s` seconds without mouse, keyboard or touch input in the app."""

    idle = Signal()

    def __init__(self, timeout_s: float = DEFAULT_IDLE_TIMEOUT_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.idle)
        self.timeout_s = timeout_s

    @property
    def timeout_s(self) -> float:
        return self._timer.interval() / 1000

    @timeout_s.setter
    def timeout_s(self, value: float) -> None:
        if value <= 0:
            raise ValueError(f"the idle timeout must be positive, got {value}")
        self._timer.setInterval(max(1, round(value * 1000)))
        if self._running:
            self._timer.start()

    @property
    def running(self) -> bool:
        return self._running

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is None:
            raise RuntimeError("IdleWatcher needs a QApplication: create it first")
        if not self._running:
            app.installEventFilter(self)  # sees every event of every window, before its receiver
            self._running = True
        self._timer.start()

    def stop(self) -> None:
        app = QCoreApplication.instance()
        if self._running and app is not None:
            app.removeEventFilter(self)
        self._running = False
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Called for every event in the app, so it stays this small. Input after `idle` starts a
        # new idle period. Never swallow the event.
        if event.type() in _INPUT_EVENTS:
            self._timer.start()
        return False


_SCREENSAVER_SIGNALS = (
    # (path, interface) of ActiveChanged(bool): KDE, the freedesktop spec (Xfce, LXQt...), GNOME.
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)
# What Qt's SLOT() macro makes: "1" + signature. PySide6's stubs say bytes, but it takes only a
# str at run time (bytes raise "called with wrong argument values"): hence the ignores below.
_ACTIVE_CHANGED_SLOT = "1_on_active_changed(bool)"


class ScreenLockWatcher(QObject):
    """Emits `locked` when the screen locks.

    Linux: listens on the D-Bus session bus for `ActiveChanged(true)` of org.freedesktop.ScreenSaver
    and org.gnome.ScreenSaver, through QtDBus (`QDBusConnection.connect` with a receiver QObject
    and a slot signature string; the slot is a `@Slot(bool)` method). Any sender is accepted, so the
    signal is heard whichever process owns the service; a forged one only locks early.

    Windows (WTS session notifications) and macOS ("com.apple.screenIsLocked") are watched by
    screenlock_native.py. Code that learns of a lock another way calls `lock_detected()`.
    """

    locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._screensaver_active = False
        self._connected: list[tuple[str, str]] = []
        self._native: object | None = None

    def start(self) -> None:
        """Start listening (once). Not in the constructor: the session bus costs the window's
        first list ~10 ms, so the window starts it after that list is on screen."""
        if self._connected or self._native is not None:
            return
        if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            self._connect()
        else:
            from .screenlock_native import watch_native

            self._native = watch_native(self.lock_detected)

    @property
    def available(self) -> bool:
        """True when a lock will be noticed without anybody calling `lock_detected()`."""
        return bool(self._connected) or self._native is not None

    def lock_detected(self) -> None:
        """The screen was locked: tell everybody. Also the hook for platforms we cannot watch."""
        self.locked.emit()

    def stop(self) -> None:
        if not self._connected:
            return
        from PySide6.QtDBus import QDBusConnection

        bus = QDBusConnection.sessionBus()
        for path, interface in self._connected:
            bus.disconnect("", path, interface, "ActiveChanged", self, _ACTIVE_CHANGED_SLOT)  # type: ignore[call-overload]
        self._connected.clear()

    def _connect(self) -> None:
        from PySide6.QtDBus import QDBusConnection  # only here: the Windows and macOS paths never need it

        # Without a bus (none running, a stale address) this fails at once; it never blocks.
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            log.info("screen lock is not watched: no D-Bus session bus (%s)", bus.lastError().message())
            return
        for path, interface in _SCREENSAVER_SIGNALS:
            if bus.connect("", path, interface, "ActiveChanged", self,  # type: ignore[call-overload]
                           _ACTIVE_CHANGED_SLOT):
                self._connected.append((path, interface))
            else:
                log.warning("could not listen to %s.ActiveChanged on %s", interface, path)

    @Slot(bool)
    def _on_active_changed(self, active: bool) -> None:
        # KDE announces one lock on both of its paths: report the change, not every signal.
        if active and not self._screensaver_active:
            self._screensaver_active = True
            self.lock_detected()
        elif not active:
            self._screensaver_active = False


class SecretHygiene(QObject):
    """On idle and on screen lock: clear our secret from the clipboard, then ask views to hide secrets.

    Dialogs that show a revealed secret connect to `hide_secrets` and mask it again. The app calls
    `start()` once its window is up and `shutdown()` when it quits (QCoreApplication.aboutToQuit).
    """

    hide_secrets = Signal()

    def __init__(self, clipboard: SecretClipboard, parent: QObject | None = None, *,
                 idle_timeout_s: float = DEFAULT_IDLE_TIMEOUT_S, idle_watcher: IdleWatcher | None = None,
                 lock_watcher: ScreenLockWatcher | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard
        self.idle_watcher = idle_watcher if idle_watcher is not None else IdleWatcher(idle_timeout_s, self)
        self.lock_watcher = lock_watcher if lock_watcher is not None else ScreenLockWatcher(self)
        self.idle_watcher.idle.connect(self._walked_away)
        self.lock_watcher.locked.connect(self._walked_away)
        self._shut_down = False

    def start(self) -> None:
        """Watch for idle and a screen lock, until `shutdown()`. The window starts it with the
        features that can show a secret, after its key list: an app-wide event filter and the
        D-Bus session bus would hold that list up."""
        if self._shut_down:
            return  # a window closed before its features were built, then built them
        self.idle_watcher.start()
        self.lock_watcher.start()

    def shutdown(self) -> None:
        """At quit: leave no secret of ours on the clipboard and stop watching."""
        self._shut_down = True
        self.clipboard.clear_if_ours()
        self.idle_watcher.stop()
        self.lock_watcher.stop()

    @Slot()
    def _walked_away(self) -> None:
        self.clipboard.clear_if_ours()
        self.hide_secrets.emit()
