"""The working-tree scan: exactly the planted keys, at the right paths and lines."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from myssl_desktop.scan import Hit, ScanCancelled, ScanError, ScanProgress, scan
from tests.scan.conftest import Git
from tests.scan.files import write
from tests.support import random_secret

CAP = 64 * 1024


def _found(hits: tuple[Hit, ...]) -> set[tuple[str, int, str]]:
    return {(str(h.path), h.line, h.prefix) for h in hits}


@pytest.mark.posix
def test_finds_exactly_the_planted_keys(tmp_path: Path, git: Git) -> None:
    root = tmp_path / "projects"
    app = root / "app"
    git(root.parent, "init", "-q", str(app))
    keys = {name: random_secret() for name in ("tracked", "ignored", "nested", "binary", "large", "outside",
                                               "linked", "outside_folder")}
    tracked = write(app / "settings.py", f"DEBUG = False\nAPI_KEY = '{keys['tracked']}'\n")
    write(app / ".gitignore", ".env\n")
    ignored = write(app / ".env", f"# local only\n\nMYSSL_API_KEY={keys['ignored']}\n")
    git(app, "add", "settings.py", ".gitignore")
    git(app, "commit", "-q", "-m", "settings")
    nested = write(root / "a" / "b" / "c" / "d" / "deploy.yaml", f"env:\n  - key: {keys['nested']}\n")
    write(root / "image.bin", b"\x89PNG\x00\x00" + keys["binary"].encode())
    write(root / "dump.sql", "x" * CAP + keys["large"])
    write(root / "empty.txt", "")
    outside = write(tmp_path / "elsewhere" / "secret.env", f"KEY={keys['outside']}\n")
    write(tmp_path / "elsewhere" / "more" / "k.txt", keys["outside_folder"])
    (root / "link-to-outside.env").symlink_to(outside)
    (root / "link-to-outside-folder").symlink_to(tmp_path / "elsewhere" / "more")
    linked = write(root / "real.cfg", f"token={keys['linked']}\n")
    (root / "link-inside.cfg").symlink_to(linked)
    os.mkfifo(root / "a" / "pipe")  # never opened for reading (it would block)

    report = scan([root], max_file_size=CAP)

    assert _found(report.hits) == {
        (str(tracked), 2, keys["tracked"][:12]),
        (str(ignored), 3, keys["ignored"][:12]),
        (str(nested), 2, keys["nested"][:12]),
        (str(linked), 1, keys["linked"][:12]),
    }
    assert all(h.commit is None and h.pushed is None and h.repository is None for h in report.hits)
    assert report.progress.skipped == 1  # dump.sql, over the cap
    assert report.repositories == ()  # history only on request


def test_a_hit_holds_the_hash_of_the_secret_and_never_the_secret(tmp_path: Path) -> None:
    import hashlib

    key = random_secret()
    write(tmp_path / "a.env", f"KEY={key}\n")
    [hit] = scan([tmp_path]).hits
    assert hit.sha256 == hashlib.sha256(key.encode()).hexdigest()
    assert key not in repr(hit) and key not in str(vars(hit))
    assert hit.location() == f"{tmp_path / 'a.env'}:1"


def test_progress_counts_add_up(tmp_path: Path) -> None:
    sizes = []
    for index in range(150):
        text = f"line {index}\n" * (index % 7)
        write(tmp_path / f"d{index % 5}" / f"f{index}.txt", text)
        sizes.append(len(text.encode()))
    write(tmp_path / "big.log", "y" * (CAP + 1))
    key = random_secret()
    write(tmp_path / "d3" / "k.env", key)
    reports: list[ScanProgress] = []

    report = scan([tmp_path], max_file_size=CAP, on_progress=reports.append)

    final = report.progress
    assert (final.files, final.file_bytes, final.skipped, final.hits) == (151, sum(sizes) + len(key), 1, 1)
    assert final.phase == "done" and reports[-1] == final
    assert reports[0].phase == "files" and reports[0].files == 0
    for earlier, later in zip(reports, reports[1:], strict=False):
        assert later.files >= earlier.files and later.file_bytes >= earlier.file_bytes


def test_cancel_stops_the_scan_early(tmp_path: Path) -> None:
    for index in range(500):
        write(tmp_path / f"d{index % 10}" / f"f{index}.txt", "nothing here\n")
    cancel = threading.Event()
    seen: list[ScanProgress] = []

    def on_progress(progress: ScanProgress) -> None:
        seen.append(progress)
        cancel.set()  # as the Cancel button would, from the first report on

    with pytest.raises(ScanCancelled) as stopped:
        scan([tmp_path], on_progress=on_progress, cancel=cancel)
    assert stopped.value.progress.files < 100
    assert len(seen) == 1


def test_each_file_is_read_once_when_paths_overlap(tmp_path: Path) -> None:
    key = random_secret()
    write(tmp_path / "sub" / "a.env", key)
    report = scan([tmp_path / "sub", tmp_path, tmp_path / "sub" / "a.env"])
    assert len(report.hits) == 1 and report.progress.files == 1


def test_a_file_can_be_scanned_on_its_own(tmp_path: Path) -> None:
    key = random_secret()
    path = write(tmp_path / "one.env", f"\n{key}")
    assert _found(scan([path]).hits) == {(str(path), 2, key[:12])}


def test_a_missing_path_is_an_error_that_names_it(tmp_path: Path) -> None:
    with pytest.raises(ScanError, match="nothing-here"):
        scan([tmp_path / "nothing-here"])


def test_git_folders_are_left_to_the_history_scan(tmp_path: Path, git: Git) -> None:
    git(tmp_path, "init", "-q", ".")
    write(tmp_path / ".git" / "description", random_secret())  # inside .git: not a work-tree file
    assert scan([tmp_path]).hits == ()


def test_files_of_whole_pages_are_read_to_the_end(tmp_path: Path) -> None:
    """A read that ends on a page boundary is followed by another (short reads happen there)."""
    key = random_secret()
    exact = write(tmp_path / "pages.txt", "x" * (3 * 4096 - len(key) - 1) + "\n" + key)
    assert exact.stat().st_size == 3 * 4096
    write(tmp_path / "big.txt", "y" * (4 * 4096))
    report = scan([tmp_path], max_file_size=3 * 4096)
    assert _found(report.hits) == {(str(exact), 2, key[:12])}
    assert report.progress.skipped == 1  # big.txt: one page over the cap
