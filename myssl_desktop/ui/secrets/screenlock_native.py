"""Screen-lock notifications on Windows and macOS (Linux uses D-Bus, in hygiene.py).

Windows: a window registered with WTSRegisterSessionNotification receives
WM_WTSSESSION_CHANGE with WTS_SESSION_LOCK; Qt hands native messages to a
QAbstractNativeEventFilter. macOS: the distributed notification "com.apple.screenIsLocked",
observed through PyObjC (a dependency on macOS only). Both are exercised by the release
workflow's Windows and macOS test legs; here only the message decoding is testable.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter

log = logging.getLogger(__name__)

WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
NOTIFY_FOR_THIS_SESSION = 0


def is_session_lock(message: int, wparam: int) -> bool:
    return message == WM_WTSSESSION_CHANGE and wparam == WTS_SESSION_LOCK


class WindowsLockFilter(QAbstractNativeEventFilter):
    """Calls `on_lock` when Windows reports that this session was locked."""

    def __init__(self, on_lock: Callable[[], None]) -> None:
        super().__init__()
        self._on_lock = on_lock

    def nativeEventFilter(self, event_type: Any, message: Any) -> tuple[bool, int]:  # noqa: N802 - Qt's name
        if bytes(event_type) == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if is_session_lock(msg.message, msg.wParam):
                self._on_lock()
        return False, 0


def watch_windows(on_lock: Callable[[], None]) -> object | None:
    """Register for session notifications; returns what must be kept alive, or None."""
    try:
        import ctypes

        from PySide6.QtCore import QCoreApplication
        from PySide6.QtGui import QWindow

        window = QWindow()  # never shown: only its native handle receives the notification
        hwnd = int(window.winId())
        windll = ctypes.windll  # type: ignore[attr-defined]  # Windows only
        if not windll.wtsapi32.WTSRegisterSessionNotification(hwnd, NOTIFY_FOR_THIS_SESSION):
            return None
        event_filter = WindowsLockFilter(on_lock)
        app = QCoreApplication.instance()
        if app is None:
            return None
        app.installNativeEventFilter(event_filter)
        return (window, event_filter)
    except (AttributeError, OSError) as error:
        log.info("screen lock is not watched on Windows: %s", error)
        return None


def watch_macos(on_lock: Callable[[], None]) -> object | None:
    """Observe "com.apple.screenIsLocked"; returns the observer to keep alive, or None."""
    try:
        import objc
        from Foundation import NSDistributedNotificationCenter, NSObject
    except ImportError:
        log.info("screen lock is not watched on macOS: PyObjC is not installed")
        return None

    class LockObserver(NSObject):  # type: ignore[misc]
        def screenLocked_(self, notification: Any) -> None:  # noqa: N802 - Objective-C selector
            on_lock()

    observer: Any = LockObserver.alloc().init()
    NSDistributedNotificationCenter.defaultCenter().addObserver_selector_name_object_(
        observer, objc.selector(observer.screenLocked_, signature=b"v@:@"), "com.apple.screenIsLocked", None)
    kept: object = observer
    return kept


def watch_native(on_lock: Callable[[], None]) -> object | None:
    if sys.platform == "win32":
        return watch_windows(on_lock)
    if sys.platform == "darwin":
        return watch_macos(on_lock)
    return None
