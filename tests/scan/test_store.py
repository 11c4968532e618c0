"""The kept findings of a profile's scans: what is written, what a rescan replaces, what stays."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from myssl_desktop.scan import scan
from myssl_desktop.scan.store import FoundStore
from tests.scan.conftest import Git, NewRepository
from tests.scan.files import write
from tests.support import files_containing, random_secret

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_hits_are_kept_without_their_secrets_and_read_back(tmp_path: Path, new_repository: NewRepository) -> None:
    tree_key, committed = random_secret(), random_secret()
    repo = new_repository(tmp_path / "src" / "app", {"config.py": f"KEY = '{committed}'\n"})
    write(repo / "config.py", "KEY = None\n")
    write(repo / ".env", f"# local\nMYSSL_API_KEY={tree_key}\n")
    store = FoundStore(tmp_path / "data")
    report = scan([tmp_path / "src"], history=True)

    recorded = store.record("p1", report, history=True, now=T0)

    assert store.load("p1") == recorded
    assert set(recorded.hits) == set(report.hits)
    assert {(h.prefix, h.path, h.line, h.in_history) for h in recorded.hits} == {
        (tree_key[:12], repo / ".env", 2, False), (committed[:12], repo / "config.py", 1, True)}
    assert recorded.exposed() == {committed[:12]}
    assert [(f.path, f.scanned_at, f.history_at) for f in recorded.folders] == [(tmp_path / "src", T0, T0)]
    assert files_containing(tmp_path / "data", tree_key) == files_containing(tmp_path / "data", committed) == []
    assert sorted(p.name for p in (tmp_path / "data" / "scans").iterdir()) == ["p1.json"]  # no temp file left
    assert store.load("another profile").hits == ()


def test_a_rescan_replaces_what_it_read_again_and_keeps_the_rest(tmp_path: Path, git: Git,
                                                                  new_repository: NewRepository) -> None:
    first, second, elsewhere, committed = (random_secret() for _ in range(4))
    repo = new_repository(tmp_path / "app", {"README": "app\n"})
    write(repo / "history.env", f"OLD={committed}\n")
    git(repo, "add", "history.env")
    git(repo, "commit", "-q", "-m", "add")
    git(repo, "rm", "-q", "history.env")
    git(repo, "commit", "-q", "-m", "remove")
    write(repo / ".env", f"A={first}\nB={second}\n")
    write(tmp_path / "other" / "notes.txt", elsewhere)
    store = FoundStore(tmp_path / "data")
    store.record("p", scan([repo], history=True), history=True, now=T0)
    store.record("p", scan([tmp_path / "other"]), history=False, now=T0 + timedelta(minutes=1))

    write(repo / ".env", f"B={second}\n")  # the first key moved out of the file
    after = store.record("p", scan([repo]), history=False, now=T0 + timedelta(minutes=2))

    prefixes = {h.prefix for h in after.hits if not h.in_history}
    assert prefixes == {second[:12], elsewhere[:12]}  # the other folder's hit stays
    assert [h.line for h in after.hits if h.prefix == second[:12]] == [1]  # its new line, once
    assert after.exposed() == {committed[:12]}  # history was not read again: its hit stays
    assert [(f.path, f.scanned_at, f.history_at) for f in after.folders] == [
        (repo, T0 + timedelta(minutes=2), T0),  # newest first; when its history was read is kept
        (tmp_path / "other", T0 + timedelta(minutes=1), None)]

    git(repo, "reset", "-q", "--hard", "HEAD~2")  # history rewritten: no branch holds the commit now
    assert store.record("p", scan([repo], history=True), history=True, now=T0).exposed() == frozenset()


def test_a_scan_of_a_parent_folder_replaces_the_hits_of_the_folders_inside_it(tmp_path: Path) -> None:
    key = random_secret()
    write(tmp_path / "projects" / "app" / ".env", f"K={key}\n")
    store = FoundStore(tmp_path / "data")
    store.record("p", scan([tmp_path / "projects" / "app"]), history=False)
    after = store.record("p", scan([tmp_path / "projects"]), history=False)
    assert [h.path for h in after.hits] == [tmp_path / "projects" / "app" / ".env"]  # once, not twice


def test_a_damaged_or_hand_edited_file_never_shows_more_than_a_prefix(tmp_path: Path) -> None:
    store = FoundStore(tmp_path / "data")
    secret = random_secret()
    good = {"prefix": secret[:12], "sha256": "a" * 64, "path": "/x/.env", "line": 3, "commit": None,
            "pushed": None, "repository": None}
    hand_made = [good, {**good, "prefix": secret}, {**good, "sha256": secret}, {**good, "commit": "HEAD"},
                 {**good, "line": "3"}, {"prefix": secret[:12]}, "not a hit"]
    store.folder.mkdir(parents=True)
    store.path_for("p").write_text(json.dumps({"version": 1, "hits": hand_made, "folders": [{"path": 1}]}))
    assert [(h.prefix, h.line) for h in store.load("p").hits] == [(secret[:12], 3)]
    store.path_for("p").write_text("{not json")
    assert store.load("p").hits == ()
