"""The window paints before the network stack and the keychain library are imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from myssl_desktop.api import Secret
from myssl_desktop.profiles import Profile


def test_first_paint_comes_before_httpx_and_keyring() -> None:
    env = dict(os.environ, MYSSL_DESKTOP_STARTUP_PROBE="1", QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-m", "myssl_desktop.app"], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout
    frame, content = (json.loads(line) for line in out.strip().splitlines()[-2:])
    assert frame["stage"] == "frame" and content["stage"] == "content"
    assert not any(frame["loaded"].values())
    # The screen-lock watcher (D-Bus) starts with the content; the network and keychain later still.
    assert content["loaded"] == {"httpx": False, "keyring": False, "myssl_desktop.sandbox": False,
                                 "PySide6.QtDBus": True}


def probe_keys(tmp_path) -> list[dict]:  # noqa: ANN001
    """Start the app as a user would, reporting when the profile's lists are painted."""
    env = dict(os.environ, MYSSL_DESKTOP_STARTUP_PROBE="keys", QT_QPA_PLATFORM="offscreen",
               XDG_RUNTIME_DIR=str(tmp_path / "run"))
    out = subprocess.run([sys.executable, "-m", "myssl_desktop.app"], env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.mark.keychain
def test_the_offline_copy_paints_before_the_keychain_and_network_code_load(services, sandbox, tmp_path) -> None:
    (tmp_path / "run").mkdir(mode=0o700)
    services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))

    first = probe_keys(tmp_path)  # no offline copy yet: the fresh list keeps one
    assert [s["stage"] for s in first] == ["frame", "content", "fresh"]

    again = probe_keys(tmp_path)
    # The list paints before the menus and features are built ("content").
    assert [s["stage"] for s in again] == ["frame", "cached", "content", "fresh"]
    cached = again[1]
    assert not any(cached["loaded"].values()), cached["loaded"]
    # Nothing on the way to the list hands PySide a QObject or QWidget that Qt made (an app-wide
    # event filter, a scroll area's viewport): finding its class would create every class first.
    assert not any(cached["qt_classes_made"].values()), cached["qt_classes_made"]
    # Painted where it stays: not before the menus, toolbar and account bar were laid out.
    assert cached["layout"] == again[3]["layout"], (cached["layout"], again[3]["layout"])
