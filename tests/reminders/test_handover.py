"""The real app on the real X server (openbox, trayer): closing its window hands over to a fresh
hidden app in the tray (lighter: benchmarks/tray_memory.py), and starting the app again opens
that app's window instead of a second app."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from myssl_desktop.api import Secret
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox

pytestmark = [pytest.mark.xserver, pytest.mark.keychain, pytest.mark.dbus]


def windows_named(title: str) -> list[str]:
    return subprocess.run(["xdotool", "search", "--name", title], capture_output=True, text=True).stdout.split()


def managed(window: str) -> bool:
    """openbox has framed `window`: from then on it closes it on Alt+F4."""
    return "_NET_FRAME_EXTENTS(" in subprocess.run(["xprop", "-id", window, "_NET_FRAME_EXTENTS"],
                                                   capture_output=True, text=True).stdout


def until(condition, seconds: float = 30) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        pass
    return bool(condition())


def openbox_runs() -> bool:
    """The root window names openbox's check window, and that window exists: an openbox ended
    before leaves the name behind."""
    named = subprocess.run(["xprop", "-root", "_NET_SUPPORTING_WM_CHECK"], capture_output=True, text=True).stdout
    if "window id # " not in named:
        return False
    window = named.rsplit("# ", 1)[1].strip()
    return "Openbox" in subprocess.run(["xprop", "-id", window, "_NET_WM_NAME"], capture_output=True, text=True).stdout


@pytest.fixture
def openbox() -> Iterator[None]:
    """The window manager, running before the tray host and the app, as on a desktop."""
    wm = subprocess.Popen(["openbox"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert until(openbox_runs), "openbox did not start"
    yield
    wm.terminate()
    wm.wait(timeout=10)


def test_closing_the_window_hands_over_to_a_hidden_app_that_a_second_start_finds(services, openbox, tray_host,
                                                                                  notifications, tmp_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", XDG_RUNTIME_DIR=str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    hidden = first = None
    try:
        with Sandbox(tier="enterprise") as sb:
            services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))
            errors = tmp_path / "stderr.txt"  # a file, not a pipe: the hidden app it starts inherits it
            with errors.open("w") as stderr:
                first = subprocess.Popen([sys.executable, "-m", "myssl_desktop.app"], env=env,
                                         stdout=subprocess.DEVNULL, stderr=stderr)
            assert until(lambda: windows_named("MySSL Desktop — Work")), "the window did not open"
            [window] = windows_named("MySSL Desktop — Work")
            assert until(lambda: managed(window)), "openbox did not manage the window"  # a loaded machine
            subprocess.run(["xdotool", "windowactivate", "--sync", window, "key", "alt+F4"], check=True)
            assert first.wait(timeout=30) == 0, errors.read_text()
            assert not windows_named("MySSL Desktop — Work")  # went with its process
            found = subprocess.run(["pgrep", "-f", "myssl-desktop --hidden --window-closed"], capture_output=True,
                                   text=True).stdout.split()
            logs = "".join(p.read_text() for p in services.dirs.log.rglob("*.log"))
            assert len(found) == 1, f"no hidden app took over: {errors.read_text()}\n{logs}"
            hidden = int(found[0])
            assert until(lambda: (tmp_path / "run" / "myssl-desktop" / "app.sock").exists())

            second = subprocess.run([sys.executable, "-m", "myssl_desktop.app"], env=env, capture_output=True,
                                    text=True, timeout=60)
            assert second.returncode == 0 and "already running" in second.stderr
            assert until(lambda: windows_named("MySSL Desktop — Work")), "the hidden app did not open its window"
    finally:
        if first is not None and first.poll() is None:
            first.kill()  # left running, it would be taken for a leaked child by later tests
            first.wait(timeout=10)
        if hidden is not None:
            os.kill(hidden, 15)
