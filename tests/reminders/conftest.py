from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reminders.notification_server import NotificationServer
from tests.scan.conftest import git  # noqa: F401 - fixture: throw-away git repositories for scans


def committed_and_removed(run_git, repo: Path, secret: str) -> Path:  # noqa: ANN001 - the git fixture
    """A new git repository at `repo` whose history holds `secret` (committed, then taken out)."""
    repo.mkdir()
    run_git(repo, "init", "-q")
    (repo / "config.py").write_text(f"KEY = '{secret}'\n")
    run_git(repo, "add", "config.py")
    run_git(repo, "commit", "-q", "-m", "add config")
    (repo / "config.py").write_text("KEY = None\n")
    run_git(repo, "commit", "-q", "-am", "take the key out")
    return repo


@pytest.fixture
def notifications() -> Iterator[NotificationServer]:
    """A real notification server on the test run's D-Bus session bus."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        pytest.fail("these tests need a D-Bus session bus: run packaging/dev/run-tests.sh")
    server = NotificationServer()
    yield server
    server.close()


@pytest.fixture
def tray_host():
    if not os.environ.get("DISPLAY"):
        pytest.fail("needs an X server: run packaging/dev/run-tests.sh (it starts Xvfb)")
    trayer = shutil.which("trayer")
    assert trayer, "trayer is installed by packaging/dev/setup.sh"
    host = subprocess.Popen([trayer, "--edge", "top", "--align", "right", "--widthtype", "request", "--height", "24",
                             "--transparent", "false", "--tint", "0xdddddd", "--SetDockType", "false"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 20
    while time.monotonic() < end and not subprocess.run(["xdotool", "search", "--class", "trayer"],
                                                        capture_output=True, text=True).stdout.strip():
        pass  # until trayer's window exists (the script then waits for Qt to see the tray)
    yield host
    host.terminate()
    host.wait(timeout=10)
