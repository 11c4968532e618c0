from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.reminders.notification_server import NotificationServer


@pytest.fixture
def notifications() -> Iterator[NotificationServer]:
    """A real notification server on the test run's D-Bus session bus."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail("these tests need a D-Bus session bus: run packaging/dev/run-tests.sh")
    server = NotificationServer()
    yield server
    server.close()
