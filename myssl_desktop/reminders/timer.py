"""`myssl-keys schedule install|remove`: a user timer that runs `myssl-keys check --notify`
once a day, so reminders come without the app. Linux: a systemd user timer (Persistent, so a
day missed while the machine was off runs at the next boot); Windows: a Task Scheduler task;
macOS: a launchd agent. What was written is returned, to be shown."""

from __future__ import annotations

import os
import plistlib
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ..atomicfile import write_atomic
from ..launchers import command_for

UNIT = "myssl-check"
TASK = "MySSL Desktop check"
AGENT = "info.myssl.check"
CHECK_ARGS = ["check", "--notify"]


@dataclass(frozen=True)
class Written:
    where: str  # a path, or the task's name
    text: str  # what it holds
    note: str = ""  # what else happened (enabled, or how to enable it by hand)


def install(hour: int = 9, command: list[str] | None = None) -> list[Written]:
    command = [*(command or command_for("myssl-keys")), *CHECK_ARGS]
    if sys.platform == "win32":
        return [_schtasks(command, hour)]
    if sys.platform == "darwin":
        return [_launch_agent(command, hour)]
    return _systemd(command, hour)


def remove() -> list[str]:
    """Undo `install`; returns what was removed."""
    removed: list[str] = []
    if sys.platform == "win32":
        done = subprocess.run(["schtasks", "/Delete", "/TN", TASK, "/F"], capture_output=True, text=True)
        return [TASK] if done.returncode == 0 else []
    if sys.platform == "darwin":
        path = _agent_path()
        if path.exists():
            subprocess.run(["launchctl", "unload", str(path)], capture_output=True)
            path.unlink()
            removed.append(str(path))
        return removed
    _systemctl("disable", "--now", f"{UNIT}.timer")
    for path in (_unit_dir() / f"{UNIT}.timer", _unit_dir() / f"{UNIT}.service"):
        if path.exists():
            path.unlink()
            removed.append(str(path))
    if removed:
        _systemctl("daemon-reload")
    return removed


def _unit_dir() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "systemd" / "user"


def _systemd(command: list[str], hour: int) -> list[Written]:
    service = ("[Unit]\nDescription=MySSL Desktop: check the API keys and tell what needs attention\n\n"
               f"[Service]\nType=oneshot\nExecStart={shlex.join(command)}\n")
    timer = (f"[Unit]\nDescription=MySSL Desktop: daily key check\n\n[Timer]\nOnCalendar=*-*-* {hour:02d}:00:00\n"
             f"Persistent=true\nRandomizedDelaySec=10min\n\n[Install]\nWantedBy=timers.target\n")
    folder = _unit_dir()
    write_atomic(folder / f"{UNIT}.service", service.encode(), mode=0o644)
    write_atomic(folder / f"{UNIT}.timer", timer.encode(), mode=0o644)
    enabled = _systemctl("daemon-reload") and _systemctl("enable", "--now", f"{UNIT}.timer")
    note = ("Enabled: systemctl --user list-timers shows it." if enabled else
            f"Not enabled (no systemd user session here): run systemctl --user enable --now {UNIT}.timer")
    return [Written(str(folder / f"{UNIT}.service"), service), Written(str(folder / f"{UNIT}.timer"), timer, note)]


def _systemctl(*args: str) -> bool:
    systemctl = shutil.which("systemctl")
    if systemctl is None:
        return False
    try:
        return subprocess.run([systemctl, "--user", *args], capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


def _schtasks(command: list[str], hour: int) -> Written:
    line = subprocess.list2cmdline(command)
    args = ["schtasks", "/Create", "/F", "/SC", "DAILY", "/ST", f"{hour:02d}:00", "/TN", TASK, "/TR", line]
    done = subprocess.run(args, capture_output=True, text=True)
    note = "Created." if done.returncode == 0 else f"schtasks failed: {done.stderr.strip() or done.stdout.strip()}"
    return Written(f"Task Scheduler: {TASK}", f"daily at {hour:02d}:00: {line}", note)


def _agent_path() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / f"{AGENT}.plist"


def _launch_agent(command: list[str], hour: int) -> Written:
    data = plistlib.dumps({"Label": AGENT, "ProgramArguments": command,
                           "StartCalendarInterval": {"Hour": hour, "Minute": 0}})
    path = _agent_path()
    write_atomic(path, data, mode=0o644)
    loaded = subprocess.run(["launchctl", "load", str(path)], capture_output=True).returncode == 0
    return Written(str(path), data.decode(), "Loaded." if loaded else f"Load it with: launchctl load {path}")


__all__ = ["Written", "install", "remove"]
