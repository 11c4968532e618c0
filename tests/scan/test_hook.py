"""The pre-commit hook, run by real `git commit`s."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from myssl_desktop.scan.hook import CHAINED, HookError, install_hook, remove_hook
from tests.scan.conftest import Git, NewRepository
from tests.scan.files import write
from tests.support import random_secret

pytestmark = pytest.mark.posix  # executable bits and a POSIX shell


@pytest.fixture
def repo(tmp_path: Path, new_repository: NewRepository) -> Path:
    return new_repository(tmp_path / "repo", {"README": "hello\n"})


def _commit(repo: Path, *args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(["git", "commit", "-q", "-m", "change", *args], cwd=repo, capture_output=True,
                          text=True, env=env, timeout=60)


def _hook_file(repo: Path) -> Path:
    return repo / ".git" / "hooks" / "pre-commit"


def test_a_staged_key_is_refused_by_its_prefix_and_a_clean_commit_passes(repo: Path, git: Git) -> None:
    install_hook(repo)
    key = random_secret()
    write(repo / "app" / "config.py", f"import os\n\nAPI_KEY = '{key}'\n")
    git(repo, "add", "app/config.py")

    refused = _commit(repo)

    assert refused.returncode == 1
    assert f"app/config.py:3: {key[:12]}…" in refused.stderr
    assert key not in refused.stderr + refused.stdout
    assert git(repo, "log", "--format=%s") == "first"  # nothing was committed
    git(repo, "restore", "--staged", "app/config.py")
    write(repo / "app" / "settings.py", "DEBUG = True\n")
    git(repo, "add", "app/settings.py")
    assert _commit(repo).returncode == 0


def test_it_runs_without_python_on_path(repo: Path, git: Git, tmp_path: Path) -> None:
    """No venv, no Python at all: only git and awk are on PATH."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for program in ("git", "awk"):
        (tools / program).symlink_to(shutil.which(program))  # type: ignore[arg-type]
    install_hook(repo)
    key = random_secret()
    write(repo / ".env", f"MYSSL_API_KEY={key}\n")
    git(repo, "add", ".env")
    refused = _commit(repo, path=str(tools))
    assert refused.returncode == 1 and f".env:1: {key[:12]}…" in refused.stderr, refused.stderr


def test_keys_already_committed_do_not_block_other_changes(repo: Path, git: Git) -> None:
    key = random_secret()
    write(repo / "old.env", f"KEY={key}\n")
    git(repo, "add", "old.env")
    git(repo, "commit", "-q", "-m", "before the hook")
    install_hook(repo)
    write(repo / "old.env", f"# a comment\nKEY={key}\n")  # the key's line is unchanged
    git(repo, "add", "old.env")
    assert _commit(repo).returncode == 0


def test_commit_all_and_a_first_commit_are_checked(tmp_path: Path, git: Git) -> None:
    fresh = tmp_path / "fresh"
    git(tmp_path, "init", "-q", str(fresh))
    install_hook(fresh)
    key = random_secret()
    write(fresh / "a.txt", key)
    git(fresh, "add", "a.txt")
    assert _commit(fresh).returncode == 1  # no HEAD yet
    write(fresh / "a.txt", "clean")
    git(fresh, "add", "a.txt")
    assert _commit(fresh).returncode == 0
    write(fresh / "a.txt", f"clean\n{key}")
    refused = _commit(fresh, "-a")  # the hook sees git's temporary index
    assert refused.returncode == 1 and f"a.txt:2: {key[:12]}…" in refused.stderr


@pytest.mark.parametrize("shape, refused", [
    ("{key}", True), ("x='{key}'", True), ("{key}Z", False), ("{key}0", False), ("{short}", False),
])
def test_the_hook_counts_what_the_scanner_counts(repo: Path, git: Git, shape: str, refused: bool) -> None:
    install_hook(repo)
    key = random_secret()
    write(repo / "f.txt", shape.format(key=key, short=key[:-1]) + "\n")
    git(repo, "add", "f.txt")
    assert (_commit(repo).returncode == 1) is refused


def _existing_hook(repo: Path, tmp_path: Path, exit_code: int = 0) -> tuple[Path, str]:
    ran = tmp_path / "existing-hook-ran"
    text = f"#!/bin/sh\necho \"ran $#\" >> '{ran}'\nexit {exit_code}\n"
    hook = write(_hook_file(repo), text)
    hook.chmod(0o750)
    return ran, text


def test_an_existing_hook_keeps_running_after_the_check(repo: Path, git: Git, tmp_path: Path) -> None:
    ran, text = _existing_hook(repo, tmp_path)
    change = install_hook(repo)
    chained = _hook_file(repo).parent / CHAINED
    assert change.chained == chained and chained.read_text() == text

    write(repo / "a.txt", "a\n")
    git(repo, "add", "a.txt")
    assert _commit(repo).returncode == 0
    assert ran.read_text() == "ran 0\n"  # it ran, with git's arguments (none for pre-commit)

    write(repo / "b.txt", random_secret())
    git(repo, "add", "b.txt")
    assert _commit(repo).returncode == 1
    assert ran.read_text() == "ran 0\n"  # refused before the existing hook ran


def test_an_existing_hook_can_still_refuse(repo: Path, git: Git, tmp_path: Path) -> None:
    ran, _ = _existing_hook(repo, tmp_path, exit_code=3)
    install_hook(repo)
    write(repo / "a.txt", "a\n")
    git(repo, "add", "a.txt")
    assert _commit(repo).returncode != 0 and ran.exists()


def test_install_never_overwrites_and_remove_undoes_exactly(repo: Path, tmp_path: Path) -> None:
    _, text = _existing_hook(repo, tmp_path)
    hook = _hook_file(repo)
    mode = stat.S_IMODE(hook.stat().st_mode)
    install_hook(repo)
    written = hook.read_text()
    again = install_hook(repo)
    assert not again.changed and hook.read_text() == written

    removed = remove_hook(repo)

    assert removed.changed and hook.read_text() == text and stat.S_IMODE(hook.stat().st_mode) == mode
    assert not (hook.parent / CHAINED).exists()
    assert not remove_hook(repo).changed and hook.read_text() == text  # not ours: left alone


def test_install_refuses_when_both_names_are_taken(repo: Path, tmp_path: Path) -> None:
    _, text = _existing_hook(repo, tmp_path)
    other = write(_hook_file(repo).parent / CHAINED, "#!/bin/sh\nexit 0\n")
    with pytest.raises(HookError, match="Nothing was changed"):
        install_hook(repo)
    assert _hook_file(repo).read_text() == text and other.read_text() == "#!/bin/sh\nexit 0\n"
    assert not list(_hook_file(repo).parent.glob("*myssl-keys-new"))


def test_remove_leaves_a_hook_changed_since_install(repo: Path) -> None:
    install_hook(repo)
    hook = _hook_file(repo)
    hook.write_text(hook.read_text() + "echo extra\n")
    with pytest.raises(HookError, match="changed"):
        remove_hook(repo)
    assert hook.read_text().endswith("echo extra\n")


def test_the_hook_goes_where_core_hooks_path_points(repo: Path, git: Git) -> None:
    git(repo, "config", "core.hooksPath", "ci/hooks")
    change = install_hook(repo)
    assert change.hook == repo / "ci" / "hooks" / "pre-commit"
    write(repo / "k.txt", random_secret())
    git(repo, "add", "k.txt")
    assert _commit(repo).returncode == 1


def test_outside_a_repository_install_explains(tmp_path: Path, git: Git) -> None:
    with pytest.raises(HookError, match="not in a git repository"):
        install_hook(tmp_path)
