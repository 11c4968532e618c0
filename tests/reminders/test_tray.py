"""The tray menu on a real X server with a real tray host (trayer, an XEmbed system tray):
the app starts hidden in the tray, the menu opens with a right click and shows the state and
the profiles, "Open" opens the window, closing it keeps the app in the tray, "Quit" ends it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.xserver, pytest.mark.keychain, pytest.mark.dbus]
SCRIPT = Path(__file__).with_name("tray_script.py")


def test_the_tray_menu_works_with_a_real_tray_host(tray_host, notifications, tmp_path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb")
    result = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path / "state")], capture_output=True, text=True,
                            timeout=120, env=env, cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["tray"] and seen["hidden"] and seen["menu_opened"]
    assert seen["status"] == "1 thing needs attention" and "needs attention" in seen["tooltip"]
    assert seen["profiles"] == ["Work (production)"]
    assert seen["entries"] == ["1 thing needs attention", "&Open MySSL Desktop", "&Profiles", "&Refresh now",
                               "Rotations in &progress", "&Quit"]
    assert seen["window_opened"] and seen["window_released"] and seen["still_running"] and seen["quit"]
    assert notifications.next().summary == "Key due for rotation: Old deploy key"
