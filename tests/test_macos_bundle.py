"""macOS, checked without a Mac: the build scripts pass shellcheck, and the .app's Info.plist
(written by PyInstaller's own BUNDLE from what the spec passes it, packaging/macos/info_plist.py)
and the entitlements parse and carry what the spec and build.sh promise. The real .app is
built, signed and self-tested only by the release workflow's macOS runner."""

from __future__ import annotations

import plistlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import myssl_desktop

ROOT = Path(__file__).resolve().parents[1]
SHELL_SCRIPTS = sorted([*ROOT.glob("packaging/**/*.sh"), ROOT / ".ci" / "run"])


@pytest.fixture(scope="module")
def info_plist(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("app")
    result = subprocess.run([sys.executable, str(ROOT / "packaging" / "macos" / "info_plist.py"), str(out)],
                            capture_output=True, text=True, timeout=300, cwd=out)
    assert result.returncode == 0, result.stdout + result.stderr
    path = Path(result.stdout.strip().splitlines()[-1])
    assert path == out / "MySSL Desktop.app" / "Contents" / "Info.plist"
    with path.open("rb") as file:
        return {"path": path, **plistlib.load(file)}


def test_the_build_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is missing: bash packaging/dev/setup.sh installs it (as root)"
    assert ROOT / "packaging" / "macos" / "build.sh" in SHELL_SCRIPTS
    result = subprocess.run([shellcheck, "--shell=bash", *map(str, SHELL_SCRIPTS)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_app_is_what_the_spec_promises(info_plist: dict) -> None:
    assert info_plist["CFBundleIdentifier"] == "info.myssl.desktop"
    assert info_plist["CFBundleName"] == info_plist["CFBundleDisplayName"] == "MySSL Desktop"
    assert info_plist["CFBundlePackageType"] == "APPL"
    assert info_plist["CFBundleExecutable"] == "myssl-desktop"  # the GUI, not myssl-keys
    assert info_plist["CFBundleShortVersionString"] == myssl_desktop.__version__


def test_the_bundle_version_is_numeric(info_plist: dict) -> None:
    # LaunchServices compares CFBundleVersion as up to three dot-separated integers.
    assert re.fullmatch(r"[0-9]+(\.[0-9]+){0,2}", info_plist["CFBundleVersion"]), info_plist["CFBundleVersion"]


def test_it_runs_on_macos_13_and_newer(info_plist: dict) -> None:
    assert info_plist["LSMinimumSystemVersion"] == "13.0"


def test_it_is_a_normal_app_with_a_dock_icon_and_menu_bar(info_plist: dict) -> None:
    # COLLECT hands console=True down from myssl-keys, which makes PyInstaller write
    # LSBackgroundOnly true unless the spec overrides it.
    assert info_plist.get("LSBackgroundOnly", False) is False
    assert info_plist.get("LSUIElement", False) is False
    assert info_plist["NSHighResolutionCapable"] is True
    icon = info_plist["path"].parent / "Resources" / info_plist["CFBundleIconFile"]
    assert icon.read_bytes()[:4] == b"icns"


def test_the_entitlements_parse_and_allow_only_what_python_needs() -> None:
    entitlements = ROOT / "packaging" / "macos" / "entitlements.plist"
    with entitlements.open("rb") as file:
        granted = plistlib.load(file)
    # ctypes/cffi trampolines need writable-executable memory under the hardened runtime;
    # nothing else (get-task-allow, for one, would make notarization fail).
    assert granted == {"com.apple.security.cs.allow-unsigned-executable-memory": True}
    build = (ROOT / "packaging" / "macos" / "build.sh").read_text(encoding="utf-8")
    assert "ENTITLEMENTS=packaging/macos/entitlements.plist" in build
    assert '--options runtime --entitlements "$ENTITLEMENTS"' in build
