"""A notification server for tests: owns org.freedesktop.Notifications on the test's D-Bus
session bus (with jeepney, a real D-Bus library), answers Notify with an id and keeps every
call, and can "click" a notification: it sends ActionInvoked to the connection that asked
for it, as the strictest servers do."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from queue import Empty, Queue
from typing import Any

from jeepney import DBusAddress, HeaderFields, MatchRule, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.threading import DBusRouter, open_dbus_connection

NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


@dataclass(frozen=True)
class Received:
    id: int
    sender: str
    app_name: str
    icon: str
    summary: str
    body: str
    actions: tuple[str, ...]
    hints: dict[str, Any]


class NotificationServer:
    def __init__(self) -> None:
        self._connection = open_dbus_connection(bus="SESSION")
        self._router = DBusRouter(self._connection)
        reply = self._router.send_and_get_reply(message_bus.RequestName(NAME, 4), timeout=5)  # 4: do not queue
        if reply.body[0] != 1:
            raise RuntimeError(f"{NAME} is owned by another process on this bus")
        self._calls: Queue[Any] = Queue()
        self._filter = self._router.filter(MatchRule(type="method_call", path=PATH), queue=self._calls, bufsize=256)
        self._ids = itertools.count(1)
        self.received: Queue[Received] = Queue()
        self.all: list[Received] = []
        self._thread = threading.Thread(target=self._serve, name="test-notification-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while (call := self._calls.get()) is not None:
            member = call.header.fields[HeaderFields.member]
            if member == "Notify":
                app_name, _replaces, icon, summary, body, actions, hints, _timeout = call.body
                item = Received(next(self._ids), call.header.fields[HeaderFields.sender], app_name, icon, summary,
                                body, tuple(actions), dict(hints))
                self._router.send(new_method_return(call, "u", (item.id,)))
                self.all.append(item)
                self.received.put(item)
            elif member == "GetCapabilities":
                self._router.send(new_method_return(call, "as", (["body", "actions"],)))
            elif member == "GetServerInformation":
                self._router.send(new_method_return(call, "ssss", ("test-server", "myssl tests", "1", "1.2")))
            elif member == "CloseNotification":
                self._router.send(new_method_return(call))
            elif call.header.message_type is MessageType.method_call:
                self._router.send(new_error(call, "org.freedesktop.DBus.Error.UnknownMethod"))

    def next(self, timeout: float = 15) -> Received:
        """The next notification received (waits for the D-Bus call, up to `timeout`)."""
        try:
            return self.received.get(timeout=timeout)
        except Empty:
            raise AssertionError(f"no notification arrived within {timeout} s") from None

    def nothing_more(self) -> bool:
        return self.received.empty()

    def click(self, item: Received, action: str = "default") -> None:
        signal = new_signal(DBusAddress(PATH, interface=NAME), "ActionInvoked", "us", (item.id, action))
        signal.header.fields[HeaderFields.destination] = item.sender
        self._router.send(signal)

    def close(self) -> None:
        self._calls.put(None)
        self._thread.join(timeout=5)
        self._filter.close()
        self._router.send_and_get_reply(message_bus.ReleaseName(NAME), timeout=5)
        self._router.close()
        self._connection.close()
