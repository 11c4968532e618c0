"""The release workflow's test selection off Linux (packaging/ci/portable_tests.py): which
tests the Windows and macOS legs leave out, decided by fixtures and markers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.support import load_module_file

PLUGIN = Path(__file__).parents[1] / "packaging" / "ci" / "portable_tests.py"


class FakeItem:
    def __init__(self, name: str, fixtures: tuple[str, ...] = (), markers: tuple[str, ...] = ()) -> None:
        self.name, self.fixturenames, self.markers = name, fixtures, set(markers)

    def get_closest_marker(self, name: str) -> object | None:
        return name if name in self.markers else None

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.markers.add(marker.name)


def select(platform: str) -> tuple[list[str], list[str], set[str]]:
    """(kept, deselected, names marked keychain) as the plugin decides on `platform`."""
    plugin = load_module_file(PLUGIN)
    plugin.sys = SimpleNamespace(platform=platform)  # the plugin's view of the OS only
    items = [FakeItem("plain"), FakeItem("vault", fixtures=("services",)),
             FakeItem("xdg", fixtures=("app_dirs",)), FakeItem("lock", markers=("dbus",)),
             FakeItem("modes", markers=("posix",))]
    deselected: list[str] = []
    config = SimpleNamespace(hook=SimpleNamespace(
        pytest_deselected=lambda items: deselected.extend(i.name for i in items)))
    plugin.pytest_collection_modifyitems(config, items)
    return [i.name for i in items], deselected, {i.name for i in items if "keychain" in i.markers}


def test_linux_keeps_everything_and_marks_the_secret_service_tests() -> None:
    assert select("linux") == (["plain", "vault", "xdg", "lock", "modes"], [], {"vault"})


def test_macos_leaves_out_xdg_and_dbus_tests() -> None:
    assert select("darwin") == (["plain", "vault", "modes"], ["xdg", "lock"], {"vault"})


def test_windows_also_leaves_out_posix_tests() -> None:
    assert select("win32") == (["plain", "vault"], ["xdg", "lock", "modes"], {"vault"})
