"""Fixtures of the UI tests: a seeded sandbox and a main window that remembers into tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from myssl_desktop.keycache import KeyCache
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.scan.conftest import git, new_repository  # noqa: F401 - fixtures: throw-away git repositories
from tests.support import FakeClipboard
from tests.ui.helpers import open_window


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    """The demo account, without the traffic simulator (tests move usage themselves)."""
    with Sandbox(tier="enterprise", seed="demo", traffic=False) as sandbox:
        yield sandbox


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:
    return open_window(qtbot, WindowSetup(state_dir=tmp_path / "config", key_cache=KeyCache(tmp_path / "cache"),
                                          clipboard_backend=FakeClipboard()))
