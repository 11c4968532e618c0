"""Real git repositories made per test, with keys generated at run time (never committed)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Git = Callable[..., str]
NewRepository = Callable[[Path, dict[str, str]], Path]


@pytest.fixture
def git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Git:
    """`git(folder, *args)` runs git there and returns its output; no user or system config."""
    empty = tmp_path / "gitconfig"
    empty.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.invalid")

    def run(folder: Path, *args: str, check: bool = True) -> str:
        result = subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=folder,
                                capture_output=True, text=True, env=dict(os.environ), timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout.strip()

    return run



@pytest.fixture
def new_repository(git: Git) -> NewRepository:
    """`new_repository(path, {name: text})`: `git init` there, then one commit of those files."""

    def make(path: Path, files: dict[str, str]) -> Path:
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q")
        for name, text in files.items():
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_text(text)
        git(path, "add", *files)
        git(path, "commit", "-q", "-m", "first")
        return path

    return make
