from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def cli(app_dirs) -> Run:
    """Run `myssl-keys` in a new process with this test's folders and D-Bus session."""
    outputs: list[str] = []

    def run(*args: str, stdin: str = "",
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], input=stdin,
                                capture_output=True, text=True, env=env or dict(os.environ), timeout=60)
        outputs.append(result.stdout + result.stderr)
        return result

    run.outputs = outputs  # type: ignore[attr-defined]
    return run
