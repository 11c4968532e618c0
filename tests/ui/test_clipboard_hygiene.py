"""The secret clipboard (markers, countdown, clear-only-if-ours) and what clears it: idle and screen lock.

The system clipboard is behind a fake; the screen-lock watcher runs against a real D-Bus session bus,
which packaging/dev/run-tests.sh provides.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent
from PySide6.QtWidgets import QWidget

from myssl_desktop.api.secret import Secret
from myssl_desktop.ui.secrets.clipboard import QtClipboard, SecretClipboard, secret_mime_data
from myssl_desktop.ui.secrets.hygiene import IdleWatcher, ScreenLockWatcher, SecretHygiene
from tests.support import FakeClipboard, FakeClock, random_secret

WINDOWS_MARKERS = {
    'application/x-qt-windows-mime;value="ExcludeClipboardContentFromMonitorProcessing"': b"\x01\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanIncludeInClipboardHistory"': b"\x00\x00\x00\x00",
    'application/x-qt-windows-mime;value="CanUploadToCloudClipboard"': b"\x00\x00\x00\x00",
}
OTHER_MARKERS = {
    "x-kde-passwordManagerHint": b"secret",
    "application/x-nspasteboard-concealed-type": b"secret",
}



@pytest.fixture
def fake() -> FakeClipboard:
    return FakeClipboard()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1000.0)


@pytest.fixture
def clip(qtbot, fake: FakeClipboard, clock: FakeClock):
    clipboard = SecretClipboard(fake, timeout_s=30, clock=clock)
    clipboard.seen = []  # every countdown value, in order
    clipboard.countdown.connect(clipboard.seen.append)
    yield clipboard
    clipboard.clear_if_ours()  # stops its timer


def tick(clipboard: SecretClipboard, clock: FakeClock, seconds: float) -> None:
    """Let `seconds` pass, then deliver one tick of the countdown's 1 s timer."""
    clock.advance(seconds)
    timer = clipboard.findChild(QTimer)
    assert timer.isActive() and timer.interval() == 1000
    timer.timeout.emit()


# -- the marked mime data ---------------------------------------------------------------------


def test_secret_mime_data_carries_the_text_and_every_marker(qapp) -> None:
    data = secret_mime_data("myssl_k_abc123")
    assert data.text() == "myssl_k_abc123"
    for mime_type, value in {**WINDOWS_MARKERS, **OTHER_MARKERS}.items():
        assert data.hasFormat(mime_type), mime_type
        assert data.data(mime_type).data() == value, mime_type


def test_on_macos_the_windows_formats_are_left_out(qapp) -> None:
    data = secret_mime_data("myssl_k_abc123", platform="darwin")
    assert data.text() == "myssl_k_abc123"
    assert all(data.data(m).data() == v for m, v in OTHER_MARKERS.items())
    assert not any(data.hasFormat(m) for m in WINDOWS_MARKERS)


def test_qt_clipboard_round_trip_keeps_the_markers(qapp) -> None:
    if QGuiApplication.platformName() != "offscreen":
        pytest.skip("the real X11/Wayland clipboard is shared with the desktop and flaky in tests")
    backend = QtClipboard()
    backend.set_mime_data(secret_mime_data("myssl_k_round1"))
    held = QGuiApplication.clipboard().mimeData()
    assert backend.text() == "myssl_k_round1"
    assert held.data("x-kde-passwordManagerHint").data() == b"secret"
    backend.clear()
    assert backend.text() == ""


# -- copy, count down, clear ------------------------------------------------------------------


def test_copy_counts_down_each_second_and_clears_at_zero(clip, fake: FakeClipboard, clock: FakeClock, qtbot) -> None:
    secret = Secret(random_secret())
    clip.copy_secret(secret)
    assert fake.text() == secret.reveal() and fake.data.hasFormat("x-kde-passwordManagerHint")
    assert clip.holds_ours() and clip.seconds_left == 30

    tick(clip, clock, 1)
    tick(clip, clock, 1)
    assert clip.seconds_left == 28 and fake.clears == 0
    with qtbot.waitSignal(clip.cleared, timeout=1000):
        tick(clip, clock, 28)

    assert clip.seen == [30, 29, 28, 0]
    assert fake.text() == "" and fake.clears == 1
    assert not clip.holds_ours() and clip.seconds_left == 0
    assert not clip.findChild(QTimer).isActive()


def test_the_user_copying_something_else_is_never_cleared(clip, fake: FakeClipboard, clock: FakeClock,
                                                            qtbot) -> None:
    clip.copy_secret(Secret(random_secret()))
    fake.user_copies("lunch at noon")
    assert not clip.holds_ours()

    with qtbot.assertNotEmitted(clip.cleared):
        tick(clip, clock, 30)
    assert clip.seen[-1] == 0
    assert fake.text() == "lunch at noon" and fake.clears == 0
    assert clip.clear_if_ours() is False


def test_clear_if_ours_clears_early_and_ends_the_countdown(clip, fake: FakeClipboard) -> None:
    clip.copy_secret(Secret(random_secret()))
    assert clip.clear_if_ours() is True
    assert fake.text() == "" and clip.seen == [30, 0]
    assert clip.clear_if_ours() is False and fake.clears == 1  # nothing of ours left


def test_a_second_copy_restarts_the_countdown(clip, fake: FakeClipboard, clock: FakeClock) -> None:
    first, second = Secret(random_secret()), Secret(random_secret())
    clip.copy_secret(first)
    tick(clip, clock, 20)
    clip.copy_secret(second)
    assert clip.seen == [30, 10, 30] and clip.seconds_left == 30

    tick(clip, clock, 15)  # the first copy's 30 s are over, the second's are not
    assert fake.text() == second.reveal() and clip.holds_ours()
    tick(clip, clock, 15)
    assert fake.text() == "" and clip.seen[-1] == 0


def test_timeout_is_a_setting_that_a_running_countdown_follows(clip, clock: FakeClock) -> None:
    clip.copy_secret(Secret(random_secret()))
    clock.advance(4)
    clip.timeout_s = 10
    assert clip.timeout_s == 10 and clip.seconds_left == 6
    with pytest.raises(ValueError):
        clip.timeout_s = 0


def test_the_secret_is_never_in_repr_str_attributes_or_logs(clip, fake: FakeClipboard, clock: FakeClock,
                                                              caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secret = Secret(random_secret())
    text = secret.reveal()
    clip.copy_secret(secret)
    tick(clip, clock, 1)

    assert text not in repr(clip) and text not in str(clip)
    for name, value in vars(clip).items():
        assert text not in repr(value), name
        if isinstance(value, bytes | str):
            assert text.encode() not in (value if isinstance(value, bytes) else value.encode()), name
    assert text not in caplog.text
    assert clip.holds_ours()  # and yet it still recognises its copy


# -- idle -------------------------------------------------------------------------------------


@pytest.fixture
def idle_watcher(qtbot):
    watchers: list[IdleWatcher] = []

    def make(timeout_s: float) -> IdleWatcher:
        watcher = IdleWatcher(timeout_s)
        watchers.append(watcher)
        return watcher
    yield make
    for watcher in watchers:  # an app-wide filter left behind would see every later test's events
        watcher.stop()


def press_key(widget: QWidget) -> None:
    event = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier, "a")
    QCoreApplication.sendEvent(widget, event)


def test_idle_fires_after_no_input(idle_watcher, qtbot) -> None:
    watcher = idle_watcher(0.05)
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        watcher.start()
    assert watcher.running


def test_a_key_press_resets_the_idle_countdown(idle_watcher, qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    watcher = idle_watcher(1.0)
    watcher.start()
    countdown = watcher.findChild(QTimer)

    pause = QTimer()
    pause.setSingleShot(True)
    with qtbot.waitSignal(pause.timeout, timeout=2000):  # let 0.3 s pass in the event loop
        pause.start(300)
    # Coarse Qt timers may be 5% off either way, hence the margins.
    assert countdown.remainingTime() < 800
    press_key(widget)
    assert countdown.remainingTime() > 900


def test_input_after_idle_starts_a_new_idle_period_and_stop_removes_the_filter(idle_watcher, qtbot) -> None:
    widget = QWidget()
    qtbot.addWidget(widget)
    watcher = idle_watcher(0.05)
    countdown = watcher.findChild(QTimer)
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        watcher.start()
    assert not countdown.isActive()
    with qtbot.waitSignal(watcher.idle, timeout=2000):
        press_key(widget)

    watcher.stop()
    press_key(widget)
    assert not countdown.isActive() and not watcher.running


# -- screen lock ------------------------------------------------------------------------------

SCREENSAVERS = [
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
]


def send_active_changed(path: str, interface: str, active: bool) -> None:
    subprocess.run(["dbus-send", "--session", "--type=signal", path, f"{interface}.ActiveChanged",
                    f"boolean:{str(active).lower()}"], check=True, timeout=10)


@pytest.mark.dbus
@pytest.mark.parametrize(("path", "interface"), SCREENSAVERS)
def test_screen_lock_signal_on_the_session_bus_fires_locked(qtbot, path: str, interface: str) -> None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail("this test needs a D-Bus session bus: run it through packaging/dev/run-tests.sh")
    watcher = ScreenLockWatcher()
    assert not watcher.available  # it listens once started
    watcher.start()
    assert watcher.available
    try:
        with qtbot.waitSignal(watcher.locked, timeout=3000):
            send_active_changed(path, interface, False)  # unlocking is not a lock
            send_active_changed(path, interface, True)
    finally:
        watcher.stop()
    assert not watcher.available


def test_one_lock_reported_on_two_paths_is_one_lock(qapp) -> None:
    watcher = ScreenLockWatcher()
    locks: list[bool] = []
    watcher.locked.connect(lambda: locks.append(True))
    for active in (True, True, False, True):  # KDE says it on /ScreenSaver and /org/freedesktop/ScreenSaver
        watcher._on_active_changed(active)  # the slot D-Bus calls, called directly: no bus needed
    assert len(locks) == 2
    watcher.lock_detected()  # the hook for platforms we cannot watch always reports
    assert len(locks) == 3
    watcher.stop()


def test_without_a_session_bus_the_watcher_is_unavailable_and_does_not_raise(tmp_path) -> None:
    script = textwrap.dedent("""
        from PySide6.QtCore import QCoreApplication
        from myssl_desktop.ui.secrets.hygiene import ScreenLockWatcher
        app = QCoreApplication([])
        watcher = ScreenLockWatcher()
        watcher.start()
        watcher.lock_detected()
        watcher.stop()
        print("available", watcher.available)
    """)
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path}/no-such-bus",
           "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "available False"


# -- tying it together ------------------------------------------------------------------------


@pytest.fixture
def hygiene(qtbot, fake: FakeClipboard, clock: FakeClock):
    clipboard = SecretClipboard(fake, clock=clock)
    made = SecretHygiene(clipboard, idle_watcher=IdleWatcher(0.05))
    yield made
    made.shutdown()


def test_on_idle_our_secret_is_cleared_before_secrets_are_hidden(hygiene: SecretHygiene, fake: FakeClipboard,
                                                                 qtbot) -> None:
    clipboard_when_hidden: list[str] = []
    hygiene.hide_secrets.connect(lambda: clipboard_when_hidden.append(fake.text()))
    hygiene.clipboard.copy_secret(Secret(random_secret()))

    with qtbot.waitSignals([hygiene.clipboard.cleared, hygiene.hide_secrets], order="strict", timeout=2000):
        hygiene.start()
    assert clipboard_when_hidden == [""] and fake.clears == 1


def test_on_screen_lock_secrets_are_hidden_and_the_users_clipboard_kept(hygiene: SecretHygiene,
                                                                       fake: FakeClipboard, qtbot) -> None:
    hygiene.clipboard.copy_secret(Secret(random_secret()))
    fake.user_copies("not a secret")
    with qtbot.waitSignal(hygiene.hide_secrets, timeout=1000):
        hygiene.lock_watcher.lock_detected()
    assert fake.text() == "not a secret" and fake.clears == 0


def test_with_nothing_of_ours_copied_the_clipboard_is_never_read(hygiene: SecretHygiene, fake: FakeClipboard,
                                                                 qtbot) -> None:
    # What another app copied (often another password) stays out of this process; an idle
    # period, a screen lock and quitting each used to read it.
    fake.user_copies("someone else's password")
    fake.reads = 0
    with qtbot.waitSignal(hygiene.hide_secrets, timeout=2000):
        hygiene.start()  # idle after 0.05 s
    hygiene.lock_watcher.lock_detected()
    hygiene.shutdown()
    assert fake.reads == 0 and fake.clears == 0


def test_shutdown_clears_our_secret_and_stops_watching(hygiene: SecretHygiene, fake: FakeClipboard) -> None:
    hygiene.start()
    hygiene.clipboard.copy_secret(Secret(random_secret()))
    hygiene.shutdown()
    assert fake.text() == "" and not hygiene.idle_watcher.running
    hygiene.start()  # a window closed before its features were built, then built them
    assert not hygiene.idle_watcher.running and not hygiene.lock_watcher.available


def test_windows_lock_messages_are_recognised() -> None:
    from myssl_desktop.ui.secrets.screenlock_native import WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK, is_session_lock

    assert is_session_lock(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
    assert not is_session_lock(WM_WTSSESSION_CHANGE, 0x8)  # unlock
    assert not is_session_lock(0x0010, WTS_SESSION_LOCK)  # another message
