"""The window paints before the network stack and the keychain library are imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_first_paint_comes_before_httpx_and_keyring() -> None:
    env = dict(os.environ, MYSSL_DESKTOP_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "myssl_desktop.app"], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    frame, content = (json.loads(line) for line in out.strip().splitlines()[-2:])
    assert frame["stage"] == "frame" and content["stage"] == "content"
    for report in (frame, content):
        assert report["loaded"] == {"httpx": False, "keyring": False, "myssl_desktop.sandbox": False}
