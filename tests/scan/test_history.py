"""The history scan: keys in commits on any branch, the commit that added each, pushed or not."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from myssl_desktop.scan import Hit, ScanCancelled, ScanProgress, scan
from tests.scan.conftest import Git, NewRepository
from tests.scan.files import write
from tests.support import random_secret


@dataclass
class History:
    """A repository with a bare remote, built as the docstring of `history` says."""

    repo: Path
    remote: Path
    keys: dict[str, str]
    commits: dict[str, str]


@pytest.fixture
def history(tmp_path: Path, git: Git) -> History:
    """main:    A (adds key "removed" to config.py:3) - B (removes it) = pushed to origin
                - D (adds key "unpushed" to deploy.sh:2) - E (edits deploy.sh:1, the key stays)
       feature (from B): C (adds key "branch" to settings/dev.env:1)
       work tree (main at E): deploy.sh with "unpushed"; a git-ignored .env with "ignored";
       also a binary file with key "binary" committed in B."""
    keys = {name: random_secret() for name in ("removed", "unpushed", "branch", "ignored", "binary")}
    remote, repo = tmp_path / "origin.git", tmp_path / "work" / "app"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(tmp_path, "init", "-q", str(repo))
    git(repo, "remote", "add", "origin", str(remote))
    commits = {}

    def commit(name: str) -> None:
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", name)
        commits[name] = git(repo, "rev-parse", "HEAD")

    write(repo / ".gitignore", ".env\n")
    write(repo / "config.py", f"import os\n\nKEY = '{keys['removed']}'\n")
    commit("A")
    write(repo / "config.py", "import os\n\nKEY = os.environ['MYSSL_API_KEY']\n")
    write(repo / "logo.png", b"\x89PNG\r\n\x1a\n\x00\x00" + keys["binary"].encode())
    commit("B")
    git(repo, "push", "-q", "origin", "main")
    git(repo, "switch", "-q", "-c", "feature")
    write(repo / "settings" / "dev.env", f"MYSSL_API_KEY={keys['branch']}\n")
    commit("C")
    git(repo, "switch", "-q", "main")
    write(repo / "deploy.sh", f"#!/bin/sh\ncurl -H 'Authorization: Bearer {keys['unpushed']}' x\n")
    commit("D")
    write(repo / "deploy.sh", f"#!/bin/sh -e\ncurl -H 'Authorization: Bearer {keys['unpushed']}' x\n")
    commit("E")
    write(repo / ".env", f"MYSSL_API_KEY={keys['ignored']}\n")
    return History(repo, remote, keys, commits)


def _where(hits: tuple[Hit, ...]) -> set[tuple[str, str, int, str | None, bool | None]]:
    return {(h.prefix, h.location(), h.line, h.commit, h.pushed) for h in hits}


def test_history_hits_name_the_commit_that_added_the_key(history: History) -> None:
    keys, commits, repo = history.keys, history.commits, history.repo
    report = scan([history.repo.parent], history=True)

    assert _where(report.hits) == {
        # the work tree
        (keys["unpushed"][:12], f"{repo / 'deploy.sh'}:2", 2, None, None),
        (keys["ignored"][:12], f"{repo / '.env'}:1", 1, None, None),
        # history: added in A, removed in B (pushed); on a branch (not pushed); on main after the push
        (keys["removed"][:12], "config.py:3", 3, commits["A"], True),
        (keys["branch"][:12], "settings/dev.env:1", 1, commits["C"], False),
        (keys["unpushed"][:12], "deploy.sh:2", 2, commits["D"], False),
    }
    history_hits = [h for h in report.hits if h.in_history]
    assert all(h.repository == repo and h.path.is_relative_to(repo) for h in history_hits)
    assert report.repositories == (repo,)
    assert report.progress.repositories == 1 and report.progress.blobs > 0 and report.problems == ()


def test_without_history_only_the_work_tree_is_read(history: History) -> None:
    report = scan([history.repo], history=False)
    assert {h.prefix for h in report.hits} == {history.keys["unpushed"][:12], history.keys["ignored"][:12]}
    assert report.progress.blobs == 0


def test_a_merge_does_not_add_the_key_again_and_pushing_marks_it_pushed(history: History, git: Git) -> None:
    git(history.repo, "merge", "-q", "--no-ff", "-m", "merge feature", "feature")
    git(history.repo, "push", "-q", "origin", "main")
    hits = [h for h in scan([history.repo], history=True).hits if h.in_history]
    assert {(h.prefix, h.commit, h.pushed) for h in hits} == {
        (history.keys["removed"][:12], history.commits["A"], True),
        (history.keys["branch"][:12], history.commits["C"], True),
        (history.keys["unpushed"][:12], history.commits["D"], True),
    }


def test_a_path_inside_a_repository_reads_that_repository_s_history(history: History) -> None:
    report = scan([history.repo / "config.py"], history=True)
    assert report.repositories == (history.repo,)
    assert history.commits["A"] in {h.commit for h in report.hits}


def test_linked_work_trees_share_one_history_and_nested_repositories_have_their_own(
        history: History, git: Git, new_repository: NewRepository) -> None:
    git(history.repo, "worktree", "add", "-q", str(history.repo.parent / "app-feature"), "feature")
    key = random_secret()
    other = new_repository(history.repo.parent / "tools" / "vendored", {"token.txt": key})

    report = scan([history.repo.parent], history=True)

    assert len(report.repositories) == 2 and other in report.repositories
    in_history = [h for h in report.hits if h.in_history]
    assert len([h for h in in_history if h.prefix == history.keys["branch"][:12]]) == 1  # read once
    assert [h.location() for h in in_history if h.prefix == key[:12]] == ["token.txt:1"]


def test_a_broken_repository_is_reported_and_the_rest_is_scanned(
        tmp_path: Path, new_repository: NewRepository) -> None:
    broken = new_repository(tmp_path / "broken", {"a.txt": "a"})
    for loose in (broken / ".git" / "objects").glob("??/*"):
        loose.chmod(0o600)
        loose.unlink()  # every object gone: git cannot read the history
    key = random_secret()
    write(tmp_path / "keys.env", key)
    report = scan([tmp_path], history=True)
    assert [h.prefix for h in report.hits] == [key[:12]]
    assert len(report.problems) == 1 and "git could not read the history" in report.problems[0]


def test_history_progress_counts_each_blob_once(history: History, git: Git) -> None:
    sizes = git(history.repo, "-c", "core.quotepath=off", "cat-file", "--batch-all-objects",
                "--batch-check=%(objecttype) %(objectsize)").splitlines()
    blobs = [int(size) for kind, size in (line.split() for line in sizes) if kind == "blob"]
    reports: list[ScanProgress] = []

    final = scan([history.repo], history=True, on_progress=reports.append).progress

    assert (final.blobs, final.blob_bytes) == (len(blobs), sum(blobs))  # every blob is reachable here
    assert [r.phase for r in reports][-2:] == ["history", "done"]


def _children() -> set[str]:
    """Process ids of this process's children (Linux)."""
    return {pid for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_cancel_during_history_stops_and_leaves_no_git_running(history: History, git: Git) -> None:
    for index in range(100):  # enough blobs for several cancel checks
        write(history.repo / "many" / f"{index}.txt", f"{index}\n")
    git(history.repo, "add", "many")
    git(history.repo, "commit", "-q", "-m", "many")
    cancel = threading.Event()

    def on_progress(progress: ScanProgress) -> None:
        if progress.phase == "history":
            cancel.set()

    with pytest.raises(ScanCancelled) as stopped:
        scan([history.repo], history=True, on_progress=on_progress, cancel=cancel)
    assert stopped.value.progress.phase == "history" and stopped.value.progress.blobs < 100
    assert _children() == set()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc")
def test_cancel_after_the_file_versions_are_read_stops_before_the_commits_are_walked(
        history: History, git: Git) -> None:
    """Finding the commits of the hits (`git log --all --raw`) can take seconds on a large
    history: a cancel once every file version is read stops it, and it counts no hit."""
    (history.repo / ".env").unlink()  # the work tree's hits would count before the history's
    (history.repo / "deploy.sh").unlink()
    kinds = git(history.repo, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)").split()
    blobs = kinds.count("blob")  # every object of this fresh repository is reachable from a branch
    cancel = threading.Event()

    def on_progress(progress: ScanProgress) -> None:
        if progress.phase == "history" and progress.blobs + progress.skipped == blobs:
            cancel.set()

    with pytest.raises(ScanCancelled) as stopped:
        scan([history.repo], history=True, on_progress=on_progress, cancel=cancel)
    assert stopped.value.progress.hits == 0
    assert _children() == set()


def test_git_variables_of_a_surrounding_hook_do_not_redirect_the_scan(
        history: History, tmp_path: Path, git: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside another repository's hook
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    report = scan([history.repo], history=True)
    assert report.repositories == (history.repo,)
    assert history.commits["A"] in {h.commit for h in report.hits}


def test_blobs_missing_from_the_object_store_are_passed_over(
        tmp_path: Path, git: Git, new_repository: NewRepository) -> None:
    """As in a partial clone: the history is read as far as the objects are there."""
    key = random_secret()
    repo = new_repository(tmp_path / "partial", {"big.bin": "a large file\n", "key.env": key})
    missing = git(repo, "rev-parse", "HEAD:big.bin")
    (repo / ".git" / "objects" / missing[:2] / missing[2:]).unlink()
    write(repo / "big.bin", "changed, so the work tree does not need the lost blob\n")

    report = scan([repo], history=True)

    assert report.problems == ()
    assert [h.location() for h in report.hits if h.in_history] == ["key.env:1"]
