"""The words a scan's counts are shown in, by the command line and the app."""

from __future__ import annotations

from pathlib import Path

from myssl_desktop.scan import Hit, ScanProgress, ScanReport
from myssl_desktop.scan.words import exposure, progress_text, summary


def test_how_widely_a_key_was_committed() -> None:
    def hit(commit: str, pushed: bool) -> Hit:
        return Hit("myssl_k_abcd", "0" * 64, Path("/r/a.py"), 1, commit * 40, pushed, Path("/r"))

    assert exposure([hit("a", True)]) == "1 commit, pushed"
    assert exposure([hit("a", False), hit("a", False)]) == "1 commit, not pushed"  # one commit, two places
    assert exposure([hit("a", True), hit("b", False), hit("c", True)]) == "3 commits, 2 of them pushed"
    assert exposure([hit("a", True), hit("b", True)]) == "2 commits, all pushed"


def test_progress_says_files_and_bytes_and_then_the_history() -> None:
    assert progress_text(ScanProgress(files=1, file_bytes=812)) == "1 file (812 bytes)"
    history = ScanProgress(phase="history", files=12_345, file_bytes=1_234_000_000, blobs=300, blob_bytes=4_100_000)
    assert progress_text(history) == "12,345 files (1.2 GB), history: 300 file versions (4.1 MB)"


def test_a_secret_found_in_several_places_counts_once() -> None:
    def hit(digit: str, path: str, commit: str | None = None) -> Hit:
        return Hit("myssl_k_abcd", digit * 64, Path(path), 1, commit, None if commit is None else False,
                   None if commit is None else Path("/r"))

    progress = ScanProgress(files=10, file_bytes=1200)
    one_in_two = ScanReport((hit("a", "/r/.env"), hit("a", "/r/.env", "c" * 40)), progress, (), ())
    assert summary(one_in_two) == "Found 1 secret (in 2 places) in 10 files (1.2 KB)."
    two = ScanReport((hit("a", "/r/.env"), hit("b", "/r/app.py")), progress, (), ())
    assert summary(two) == "Found 2 secrets in 10 files (1.2 KB)."
