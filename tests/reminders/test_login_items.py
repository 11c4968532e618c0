"""Start at login (the XDG autostart entry) and the daily user timer: written where the desktop
and systemd look, starting what this installation runs, and removed again."""

from __future__ import annotations

import configparser
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from myssl_desktop import autostart
from myssl_desktop.launchers import command_for

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the Linux login items")


def test_start_at_login_writes_an_autostart_entry_and_unticking_removes_it(app_dirs) -> None:
    config = Path(os.environ["XDG_CONFIG_HOME"])
    assert not autostart.is_enabled()
    where = autostart.enable()
    path = config / "autostart" / "myssl-desktop.desktop"
    assert where == str(path) and autostart.is_enabled()
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(path)
    exec_line = shlex.split(entry["Desktop Entry"]["Exec"])
    assert exec_line == [*command_for("myssl-desktop"), "--hidden"]
    assert Path(exec_line[0]).exists()  # the venv's script: what the login would start
    validate = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    assert autostart.disable() and not path.exists() and not autostart.is_enabled()
    assert not autostart.disable()  # a second untick is no error


def run_keys(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))


def test_schedule_install_writes_a_daily_systemd_user_timer_and_shows_it(app_dirs) -> None:
    units = Path(os.environ["XDG_CONFIG_HOME"]) / "systemd" / "user"
    result = run_keys("schedule", "install", "--hour", "8")
    assert result.returncode == 0, result.stderr
    service, timer = units / "myssl-check.service", units / "myssl-check.timer"
    assert f"Wrote {service}:" in result.stdout and f"Wrote {timer}:" in result.stdout
    assert "OnCalendar=*-*-* 08:00:00" in result.stdout  # it shows what it wrote
    exec_start = next(line for line in service.read_text().splitlines() if line.startswith("ExecStart="))
    command = shlex.split(exec_start.removeprefix("ExecStart="))
    assert command[-2:] == ["check", "--notify"] and Path(command[0]).exists()
    assert "Persistent=true" in timer.read_text() and "WantedBy=timers.target" in timer.read_text()
    removed = run_keys("schedule", "remove")
    assert removed.returncode == 0 and not service.exists() and not timer.exists()
    assert f"Removed {timer}." in removed.stdout
    assert "No schedule was installed." in run_keys("schedule", "remove").stdout
