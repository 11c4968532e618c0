"""The resident app, offscreen: closing the window keeps the app only where a tray exists or
reminders are kept on, releases the window and all it held, and a notification's click opens
the key it was about. The reminder check runs at most every 15 minutes and asks MySSL nothing
for a profile none of whose reminders need data."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtWidgets import QApplication

from myssl_desktop.api import Secret
from myssl_desktop.profiles import Profile
from myssl_desktop.reminders.findings import Event
from myssl_desktop.reminders.preferences import ProfileReminders, ReminderPrefsStore
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.ui.account.controller import AccountController
from myssl_desktop.ui.reminders.scheduler import INTERVAL_S
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from myssl_desktop.ui.shell.resident import Resident
from tests.reminders.conftest import committed_and_removed
from tests.support import FakeClipboard
from tests.ui.test_discovery import run_scan

pytestmark = [pytest.mark.keychain, pytest.mark.dbus]
DAY = 86400
WAIT = 20_000


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise") as sandbox:
        sandbox.store.create_key("Old deploy key", ["domains:read"], created_at=time.time() - 120 * DAY,
                                 last_used_at=time.time() - 3600)
        yield sandbox


@pytest.fixture
def work(services, sb) -> Profile:
    profile, _ = services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))
    return profile


def make_resident(qtbot, services, *, tray: bool, quits: list[int]) -> Resident:  # noqa: ANN001
    def make_window():  # noqa: ANN202
        window = MainWindow(WindowSetup(state_dir=services.dirs.config, services=services,
                                        clipboard_backend=FakeClipboard()))
        controller = AccountController(services, window, window.content.ctx)
        window.connect_account(controller)
        window.show()
        controller.start()
        return window, lambda: controller

    resident = Resident(QApplication.instance(), lambda: services, make_window, tray=tray,
                        on_quit=lambda: quits.append(1))
    yield_resident.append(resident)
    return resident


yield_resident: list[Resident] = []


@pytest.fixture(autouse=True)
def wind_down(qtbot) -> Iterator[None]:  # noqa: ANN001
    yield
    while yield_resident:
        resident = yield_resident.pop()
        if resident.window is not None:
            qtbot.waitUntil(lambda r=resident: r.window.ops.pending == 0, timeout=WAIT)
            resident.window.content.schedule.stop()
            resident.window.close()
        if resident.scheduler is not None:
            qtbot.waitUntil(lambda r=resident: not r.scheduler.running, timeout=WAIT)
            resident.scheduler.stop()
        qtbot.waitUntil(lambda r=resident: r.ops.pending == 0, timeout=WAIT)
        if getattr(resident, "notifier", None) is not None:
            resident.notifier.close()
        if resident.tray is not None:
            resident.tray.hide()
    QApplication.instance().setQuitOnLastWindowClosed(True)


def test_without_a_tray_closing_the_window_quits(qtbot, services, work, notifications) -> None:
    quits: list[int] = []
    resident = make_resident(qtbot, services, tray=False, quits=quits)
    resident.open()
    window = resident.window
    qtbot.waitUntil(lambda: window.session is not None and window.is_idle, timeout=WAIT)
    window.close()
    qtbot.waitUntil(lambda: resident.window is None, timeout=WAIT)
    assert quits == [1]


def test_without_a_tray_reminders_kept_on_keep_the_app_running_windowless(qtbot, services, work,
                                                                          notifications) -> None:
    ReminderPrefsStore(services.dirs.config).change(resident=True)
    quits: list[int] = []
    resident = make_resident(qtbot, services, tray=False, quits=quits)
    assert resident.start_hidden()  # at login: no window
    assert resident.window is None and resident.scheduler is not None
    resident.scheduler.run_now()
    got = notifications.next()
    assert got.summary == "Key due for rotation: Old deploy key"
    notifications.click(got)  # the click opens the window on that key's details
    qtbot.waitUntil(lambda: resident.window is not None, timeout=WAIT)
    window = resident.window
    keys = window.content.keys
    qtbot.waitUntil(lambda: keys.details.key_id is not None, timeout=WAIT)
    assert keys.selected().name == "Old deploy key" and keys.splitter.sizes()[1] > 0
    window.close()
    qtbot.waitUntil(lambda: resident.window is None, timeout=WAIT)
    assert quits == [] and resident.scheduler is not None


def test_with_a_tray_a_closed_window_is_released_and_said_once(qtbot, services, work, notifications) -> None:
    quits: list[int] = []
    resident = make_resident(qtbot, services, tray=True, quits=quits)
    resident.open()
    window = resident.window
    qtbot.waitUntil(lambda: window.session is not None and window.content.keys.model.total_count > 0
                    and window.is_idle, timeout=WAIT)
    model, table = window.content.keys.model, window.content.keys.table
    released: list[int] = []
    resident.window_released.connect(lambda: released.append(1))
    window.close()
    qtbot.waitUntil(lambda: released == [1], timeout=WAIT)
    assert quits == [] and resident.window is None
    assert not shiboken6.isValid(window) and not shiboken6.isValid(model) and not shiboken6.isValid(table)
    assert ReminderPrefsStore(services.dirs.config).load().told_about_tray
    assert resident.tray is not None and resident.tray.icon.isVisible()
    resident.open()  # from the tray: a new window
    assert resident.window is not None and resident.window is not window
    resident.quit()
    qtbot.waitUntil(lambda: quits == [1], timeout=WAIT)


def test_the_check_waits_15_minutes_and_asks_nothing_when_no_reminder_needs_data(qtbot, services, work, sb,
                                                                                 notifications) -> None:
    ReminderPrefsStore(services.dirs.config).save(
        ReminderPrefsStore(services.dirs.config).load().with_profile(
            work.id, ProfileReminders(events=frozenset({Event.ROTATION_DONE}))))
    resident = make_resident(qtbot, services, tray=False, quits=[])
    resident.start()
    scheduler = resident.scheduler
    assert scheduler.interval_s == INTERVAL_S == 900
    served = sb.requests_served
    scheduler.run_now()
    qtbot.waitUntil(lambda: scheduler.checks == 1, timeout=WAIT)
    assert sb.requests_served == served  # no key event wanted: no request
    assert 890_000 < scheduler.next_in_ms <= 900_500
    ReminderPrefsStore(services.dirs.config).save(
        ReminderPrefsStore(services.dirs.config).load().with_profile(
            work.id, ProfileReminders(events=frozenset({Event.DUE}))))
    scheduler.run_now()
    qtbot.waitUntil(lambda: scheduler.checks == 2, timeout=WAIT)
    assert sb.requests_served == served + 1  # the key list; no usage (spikes not wanted)
    assert [f.event for f in scheduler.last_report.findings] == [Event.DUE]


def test_a_key_a_scan_in_the_window_finds_in_a_commit_is_told_at_once(qtbot, services, work, sb, notifications,
                                                                       tmp_path, git) -> None:
    _, secret = sb.store.create_key("Leaked", ["domains:read"], created_at=time.time() - DAY,
                                    last_used_at=time.time())
    repo = committed_and_removed(git, tmp_path / "shop", secret)
    store = ReminderPrefsStore(services.dirs.config)
    store.save(store.load().with_profile(work.id, ProfileReminders(events=frozenset({Event.EXPOSED}))))
    resident = make_resident(qtbot, services, tray=False, quits=[])
    resident.open()
    window = resident.window
    qtbot.waitUntil(lambda: resident.scheduler is not None and window.content.keys.model.total_count > 0
                    and window.is_idle, timeout=WAIT)
    resident.scheduler.run_now()
    qtbot.waitUntil(lambda: resident.scheduler.checks == 1, timeout=WAIT)
    assert notifications.nothing_more()  # nothing exposed yet

    run_scan(qtbot, window, repo)

    got = notifications.next()
    assert got.summary == "Key found exposed: Leaked"
    assert resident.scheduler.checks == 1  # told by the scan, not by the next check
