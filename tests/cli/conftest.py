"""Fixtures of the CLI tests: `myssl-keys` in new processes, and a profile signed in to the sandbox.

The `work` fixture signs in first and, at the end, checks that no secret reached any output
(except where the test asked for it) or any file under the test's app folders.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest

from myssl_desktop.api.client import MysslClient
from myssl_desktop.keychain import Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import ProfileStore
from tests.cli.helpers import Work, cli_env

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(app_dirs) -> Run:
    """Run `myssl-keys` in a new process with this test's folders and D-Bus session."""
    outputs: list[str] = []

    def run(*args: str, stdin: str = "",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], input=stdin,
                                capture_output=True, text=True, env=env or cli_env(), timeout=60)
        outputs.append(result.stdout + result.stderr)
        return result

    run.outputs = outputs  # type: ignore[attr-defined]
    return run


@pytest.fixture
def work(cli, sandbox, app_dirs: AppDirs, real_keychain: Keychain) -> Iterator[Work]:
    login = cli("login", "--profile", "work", "--base-url", sandbox.base_url, "--key-stdin",
                stdin=sandbox.admin_key)
    assert login.returncode == 0, login.stderr
    profile = ProfileStore(app_dirs.config).load().find("work")
    assert profile is not None
    work = Work(cli, sandbox, app_dirs, profile, MysslClient(sandbox.base_url, sandbox.admin_key))
    yield work
    work.assert_no_leaks()
