"""How a scan's counts read, in the command line and in the app alike."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Hit, ScanProgress, ScanReport


def count(number: int, one: str, many: str | None = None) -> str:
    """"1 file", "2,048 files"."""
    return f"{number:,} {one if number == 1 else many or one + 's'}"


def size(count: int) -> str:
    """A byte count the way people read it: "812 bytes", "4.2 MB"."""
    for scale, unit in ((1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count:,} bytes"


def progress_text(progress: ScanProgress) -> str:
    """"12,345 files (1.2 GB)", and in the history phase ", history: 300 file versions (4.1 MB)"."""
    text = f"{count(progress.files, 'file')} ({size(progress.file_bytes)})"
    if progress.phase == "history" or progress.blobs:
        text += f", history: {count(progress.blobs, 'file version')} ({size(progress.blob_bytes)})"
    return text


def secrets(hits: Iterable[Hit]) -> int:
    """How many distinct secrets `hits` are: one secret in a file and in a commit is one, in two places."""
    return len({hit.sha256 for hit in hits})


def found(hits: Iterable[Hit]) -> str:
    """"2 secrets", or "2 secrets (in 3 places)" when a secret was found in more than one place."""
    places = list(hits)
    distinct = secrets(places)
    text = count(distinct, "secret")
    return text if len(places) == distinct else f"{text} (in {count(len(places), 'place')})"


def summary(report: ScanReport) -> str:
    """"Found 2 secrets (in 3 places) in 10 files (1.2 KB) and the history of 1 repository (…)." and
    what was skipped: a secret in several places (files, commits) counts once."""
    progress = report.progress
    found_words = f"Found {found(report.hits)}" if report.hits else "No secret found"
    text = f"{found_words} in {count(progress.files, 'file')} ({size(progress.file_bytes)})"
    if progress.repositories:
        text += (f" and the history of {count(len(report.repositories), 'repository', 'repositories')} "
                 f"({count(progress.blobs, 'file version')}, {size(progress.blob_bytes)})")
    if progress.skipped:
        text += f"; {progress.skipped:,} skipped (too large or unreadable)"
    return text + "."


def exposure(hits: Iterable[Hit]) -> str:
    """How widely history hits spread a key: "1 commit, pushed", "3 commits, 2 of them pushed"."""
    commits = {hit.commit: hit.pushed for hit in hits if hit.commit is not None}
    pushed = sum(1 for was_pushed in commits.values() if was_pushed)
    spread = ("not pushed" if not pushed else "pushed" if len(commits) == 1 else
              "all pushed" if pushed == len(commits) else f"{pushed} of them pushed")
    return f"{count(len(commits), 'commit')}, {spread}"
