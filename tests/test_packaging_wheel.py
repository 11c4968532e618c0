"""A normal install, not an editable one: build the wheel, install it into a fresh virtual
environment with pip (its dependencies resolved from its own metadata), and run both entry
points from there, outside the checkout, inside this suite's D-Bus session with
gnome-keyring. The self-test builds the real window, so the icons must load from the
installed package myssl_desktop.resources."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

import myssl_desktop

ROOT = Path(__file__).resolve().parents[1]
VERSION = myssl_desktop.__version__

pytestmark = [pytest.mark.slow, pytest.mark.keychain, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    site_packages: Path

    def run(self, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "QT_QPA_PLATFORM"}}
        return subprocess.run([str(self.venv / "bin" / args[0]), *args[1:]], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=180)


def _run(command: list[str], cwd: Path) -> str:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    # From a copy: setuptools would reuse whatever an earlier build left in build/lib.
    source = work / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "node_modules"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(source)], cwd=work)
    wheels = list((work / "dist").glob("myssl_desktop-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=work)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])], cwd=work)
    site = _run([str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                cwd=work).strip()
    return Installed(wheels[0], venv, Path(site))


def test_the_wheel_carries_the_resources_as_a_package(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    assert "myssl_desktop/resources/__init__.py" in names
    assert {"myssl_desktop/resources/app-icon.svg", "myssl_desktop/resources/icons/key.svg",
            "myssl_desktop/api/openapi.json", "myssl_desktop/resource_files.py"} <= names
    assert not any(name.startswith(("tests/", "resources/", "packaging/")) for name in names)


def test_the_installed_app_passes_its_self_test(installed: Installed, tmp_path: Path) -> None:
    result = installed.run("myssl-desktop", "--self-test", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"MySSL Desktop {VERSION} self-test (from source,")
    window = next(line for line in lines if line.startswith("ok   window: "))
    assert f"icons from {installed.site_packages / 'myssl_desktop' / 'resources'}" in window
    assert "ok   keychain: keyring.backends.SecretService.Keyring round trip" in lines
    assert lines[-1].startswith("self-test passed: 3 of 3 checks")
    assert not re.search(r"myssl_k_[A-Za-z0-9]{5,}", result.stdout + result.stderr)


def test_the_installed_command_line(installed: Installed, tmp_path: Path) -> None:
    result = installed.run("myssl-keys", "--version", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"myssl-keys {VERSION}"
    where = installed.run("python", "-c", "import myssl_desktop; print(myssl_desktop.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.site_packages)  # not the checkout
