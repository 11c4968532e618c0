"""Shared fixtures. Qt runs offscreen unless a test asks for the real X server."""

from __future__ import annotations

import os
from pathlib import Path

# Without a display and without this, Qt aborts the whole process. The screen is a common
# 1920×1080 (offscreen's own is 800×800, smaller than the window's first-run size).
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={Path(__file__).with_name('offscreen-screen.json')}")
os.environ.setdefault("LANG", "C.UTF-8")

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402

from myssl_desktop.keychain import Keychain  # noqa: E402
from myssl_desktop.paths import AppDirs  # noqa: E402
from myssl_desktop.services import Services  # noqa: E402


@pytest.fixture(autouse=True)
def _pools_are_closed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every connection pool a test makes, and the process-wide one, is closed when it ends: left
    to the garbage collector, its sockets would raise ResourceWarning (an error here) in whichever
    test runs then, or at the run's exit. The shared pool makes its clients again when next used."""
    from myssl_desktop.api.transport import ConnectionPool, shared_pool

    made: list[ConnectionPool] = []
    build = ConnectionPool.__init__

    def tracked(self: ConnectionPool, *args: object, **kwargs: object) -> None:
        build(self, *args, **kwargs)  # type: ignore[arg-type]
        made.append(self)

    monkeypatch.setattr(ConnectionPool, "__init__", tracked)
    yield
    for pool in (*made, shared_pool):
        pool.close()


@pytest.fixture
def app_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppDirs:
    """Point platformdirs (through XDG variables) at a fresh folder for this test."""
    root = tmp_path / "home"
    for variable, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                          ("XDG_CACHE_HOME", "cache"), ("XDG_STATE_HOME", "state")):
        monkeypatch.setenv(variable, str(root / sub))
    dirs = AppDirs.default()
    assert str(dirs.config).startswith(str(root))
    return dirs


@pytest.fixture
def real_keychain(app_dirs: AppDirs) -> Keychain:
    keychain = Keychain(index=app_dirs.data / "keychain-entries.json")  # where Services (and the CLI) keep it
    name = keychain.backend_name()
    assert name == "keyring.backends.SecretService.Keyring", (
        f"these tests need the real Secret Service, got {name}: run packaging/dev/run-tests.sh")
    return keychain


@pytest.fixture
def services(app_dirs: AppDirs, real_keychain: Keychain) -> Services:
    return Services.build(app_dirs, real_keychain)


@pytest.fixture
def sandbox() -> Iterator[object]:
    from myssl_desktop.sandbox import Sandbox

    with Sandbox(tier="enterprise") as sb:
        yield sb


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """gh, vault, kubectl, docker, fly, vercel and ssh stand-ins first on PATH (this process and
    the processes it starts), recording what they receive."""
    from tests.standins import Standins

    found = Standins(tmp_path / "standins")
    for name, value in found.env().items():
        if os.environ.get(name) != value:
            monkeypatch.setenv(name, value)
    return found
