"""Start at login, opt-in: the app starts when the user logs in, hidden where it can stay running
(in the tray where there is one, else windowless when reminders keep it running), else with its
window. Linux: an XDG autostart entry; Windows: the per-user Run key; macOS: a LaunchAgent.
Turning it off removes what turning it on wrote, and nothing else.

Not done: the Background portal (org.freedesktop.portal.Background.RequestBackground), which
only a Flatpak needs: the app ships as a .deb and a tarball, whose autostart entry works as is.
"""

from __future__ import annotations

import os
import plistlib
import shlex
import sys
from pathlib import Path

from .atomicfile import write_atomic
from .launchers import command_for

HIDDEN_FLAG = "--hidden"  # myssl-desktop's: start in the tray (or windowless) when one exists
DESKTOP_FILE = "myssl-desktop.desktop"
RUN_VALUE = "MySSL Desktop"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
LAUNCH_AGENT = "info.myssl.desktop.plist"


def entry_path() -> Path:
    """Where the login item lives (Linux and macOS; on Windows a registry value)."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "LaunchAgents" / LAUNCH_AGENT
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "autostart" / DESKTOP_FILE


def desktop_entry(command: list[str]) -> str:
    return ("[Desktop Entry]\nType=Application\nName=MySSL Desktop\n"
            "Comment=Reminders about your MySSL API keys\n"
            f"Exec={shlex.join([*command, HIDDEN_FLAG])}\nIcon=myssl-desktop\nTerminal=false\n"
            "X-GNOME-Autostart-enabled=true\nNoDisplay=true\n")


def launch_agent(command: list[str]) -> bytes:
    return plistlib.dumps({"Label": LAUNCH_AGENT.removesuffix(".plist"), "ProgramArguments": [*command, HIDDEN_FLAG],
                           "RunAtLoad": True, "ProcessType": "Interactive"})


def is_enabled() -> bool:
    if sys.platform == "win32":
        return _run_value() is not None
    return entry_path().exists()


def enable(command: list[str] | None = None) -> str:
    """Turn start at login on; returns where (a path, or the registry value's name)."""
    command = command or command_for("myssl-desktop")
    if sys.platform == "win32":
        import winreg

        with winreg.CreateKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value = " ".join(f'"{part}"' for part in command) + f" {HIDDEN_FLAG}"
            winreg.SetValueEx(key, RUN_VALUE, 0, winreg.REG_SZ, value)
        return rf"HKEY_CURRENT_USER\{RUN_KEY}\{RUN_VALUE}"
    path = entry_path()
    data = launch_agent(command) if sys.platform == "darwin" else desktop_entry(command).encode()
    write_atomic(path, data, mode=0o644)
    return str(path)


def disable() -> bool:
    """Turn start at login off; False when it was not on."""
    if sys.platform == "win32":
        import winreg

        if _run_value() is None:
            return False
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, RUN_VALUE)
        return True
    path = entry_path()
    if not path.exists():
        return False
    path.unlink()
    return True


def _run_value() -> str | None:
    if sys.platform != "win32":
        return None
    import winreg

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            value, _ = winreg.QueryValueEx(key, RUN_VALUE)
            return str(value)
    except OSError:
        return None


__all__ = ["HIDDEN_FLAG", "desktop_entry", "disable", "enable", "entry_path", "is_enabled"]
