"""The build tools are pinned in one file, and the places that cannot read it agree with it."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pins() -> dict[str, str]:
    lines = (ROOT / "packaging" / "build-tools.txt").read_text(encoding="utf-8").splitlines()
    found = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    assert all(re.fullmatch(r"[0-9][0-9a-z.]*", version) for version in found.values()), found
    return found


def test_every_build_tool_is_pinned_exactly() -> None:
    assert {"pip", "setuptools", "wheel", "pyinstaller", "pyinstaller-hooks-contrib"} <= set(pins())


def test_the_wheel_is_built_with_the_pinned_setuptools() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert config["build-system"]["requires"] == [f"setuptools=={pins()['setuptools']}"]


def test_the_build_venv_and_the_windows_python_install_the_pinned_tools() -> None:
    setup = (ROOT / "packaging" / "dev" / "setup.sh").read_text(encoding="utf-8")
    assert "pip install -q --disable-pip-version-check -r packaging/build-tools.txt" in setup
    wine = (ROOT / "packaging" / "windows" / "wine-check.sh").read_text(encoding="utf-8")
    assert "mapfile -t WINDOWS_TOOLS < <(grep -v '^#' packaging/build-tools.txt)" in wine
