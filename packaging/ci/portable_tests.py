"""pytest plugin for the release workflow's Windows and macOS legs (`-p portable_tests`
with packaging/ci on PYTHONPATH; .github/workflows/release.yml).

The suite's Linux-only tests are not all marked: the real-keychain ones ask for the
`real_keychain` or `services` fixture (which insist on the Secret Service), and the
`app_dirs` fixture moves platformdirs' folders with XDG variables, which platformdirs
honours on Linux only. This plugin marks the first `keychain` (so `-m "not keychain"`
leaves them out), off Linux deselects the second and the tests marked `dbus`, and on
Windows the tests marked `posix` (permission bits, signals).
"""

from __future__ import annotations

import sys

import pytest

SECRET_SERVICE_FIXTURES = {"real_keychain", "services"}
XDG_FIXTURES = {"app_dirs"}


@pytest.hookimpl(tryfirst=True)  # mark before pytest's own -m selection runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kept, deselected = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SECRET_SERVICE_FIXTURES:
            item.add_marker(pytest.mark.keychain)
        off_linux = not sys.platform.startswith("linux")
        posix_only = sys.platform == "win32" and item.get_closest_marker("posix")
        if posix_only or off_linux and (fixtures & XDG_FIXTURES or item.get_closest_marker("dbus")):
            deselected.append(item)
        else:
            kept.append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> str:
    return ("portable_tests: Secret Service tests marked keychain; XDG and D-Bus tests deselected "
            "off Linux, POSIX tests on Windows")
