"""The freedesktop notification service (org.freedesktop.Notifications) over the D-Bus
session bus, with jeepney. Every notification carries a default action, so a click on it
comes back as an `ActionInvoked` signal naming its id; `on_click` gets the notice's target.

One connection (a jeepney router, whose own thread receives) sends and listens: servers may
send `ActionInvoked` only to the connection that asked for the notification.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from queue import Queue
from typing import Any

from . import Notice, NotifyError

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
APP_NAME = "MySSL Desktop"
DESKTOP_ENTRY = "myssl-desktop"
TIMEOUT_S = 5.0


class FreedesktopNotifier:
    def __init__(self, on_click: Callable[[str], None] | None = None, *, icon: str = DESKTOP_ENTRY) -> None:
        """`on_click(target)` is called on a thread of this notifier's when a notice is clicked."""
        self._on_click = on_click
        self._icon = icon
        self._router: Any = None
        self._targets: dict[int, str] = {}
        self._early_clicks: set[int] = set()
        self._lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._signals: Queue[Any] = Queue()
        self._filter: Any = None

    def send(self, notice: Notice) -> None:
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import DBusErrorResponse, unwrap_msg

        router = self._connect()
        hints = {"desktop-entry": ("s", DESKTOP_ENTRY), "urgency": ("y", 2 if notice.urgent else 1)}
        actions = ["default", "Open"] if notice.target else []
        message = new_method_call(DBusAddress(PATH, bus_name=BUS_NAME, interface=INTERFACE), "Notify",
                                  "susssasa{sv}i", (APP_NAME, 0, self._icon, notice.title, notice.body, actions,
                                                    hints, -1))
        try:
            (notification_id,) = unwrap_msg(router.send_and_get_reply(message, timeout=TIMEOUT_S))
        except DBusErrorResponse as error:
            raise NotifyError(f"The desktop's notification service refused the notification ({error.name}).") \
                from None
        except TimeoutError:
            raise NotifyError("The desktop's notification service did not answer.") from None
        if notice.target:
            with self._lock:  # a click may come back before this thread has seen the reply
                clicked = int(notification_id) in self._early_clicks
                self._early_clicks.discard(int(notification_id))
                if not clicked:
                    self._targets[int(notification_id)] = notice.target
            if clicked and self._on_click is not None:
                self._on_click(notice.target)

    def _connect(self) -> Any:
        if self._router is not None:
            return self._router
        from jeepney import MatchRule
        from jeepney.bus_messages import message_bus
        from jeepney.io.threading import DBusRouter, open_dbus_connection

        try:
            connection = open_dbus_connection(bus="SESSION")
        except (OSError, KeyError, ValueError) as error:
            raise NotifyError(f"No D-Bus session to show notifications on ({type(error).__name__}).") from None
        router = DBusRouter(connection)
        if self._on_click is not None:
            rule = MatchRule(type="signal", interface=INTERFACE, path=PATH, member="ActionInvoked")
            self._filter = router.filter(rule, queue=self._signals, bufsize=64)
            router.send_and_get_reply(message_bus.AddMatch(rule), timeout=TIMEOUT_S)
            self._listener = threading.Thread(target=self._listen, name="notification-clicks", daemon=True)
            self._listener.start()
        self._router = router
        return router

    def _listen(self) -> None:
        while True:
            message = self._signals.get()
            if message is None:
                return
            notification_id, _action = message.body
            with self._lock:
                target = self._targets.pop(int(notification_id), "")
                if not target:
                    self._early_clicks.add(int(notification_id))
            if target and self._on_click is not None:
                self._on_click(target)

    def close(self) -> None:
        router, self._router = self._router, None
        if router is not None:
            router.close()
            router.conn.close()
        if self._listener is not None:
            self._signals.put(None)
            self._listener.join(timeout=5)
            self._listener = None


__all__ = ["FreedesktopNotifier"]
