"""pyproject.toml lists the packages by hand (resources/ is mapped into the package);
this keeps the list complete and the version in one place."""

from __future__ import annotations

import tomllib
from pathlib import Path

import myssl_desktop

ROOT = Path(__file__).resolve().parents[1]


def test_every_subpackage_is_listed() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {".".join(p.parent.relative_to(ROOT).parts)
               for p in (ROOT / "myssl_desktop").rglob("__init__.py")}
    assert on_disk <= listed
    assert "myssl_desktop.resources" in listed
    assert config["tool"]["setuptools"]["package-dir"]["myssl_desktop.resources"] == "resources"


def test_the_version_comes_from_the_package() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in config["project"]["dynamic"]
    assert config["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "myssl_desktop.__version__"}
    assert myssl_desktop.__version__.count(".") == 2


def test_resources_hold_the_icons() -> None:
    icons = {p.stem for p in (ROOT / "resources" / "icons").glob("*.svg")}
    assert {"eye", "eye-off", "refresh", "user"} <= icons
    assert (ROOT / "resources" / "app-icon.svg").is_file()
