"""The data a scan hands out: hits, progress, the report, and its two failures."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import AppError


@dataclass(frozen=True)
class Hit:
    """A secret found in a file or a commit. It never holds the secret itself.

    `path` is the file: for a history hit, where the commit put it under the repository's
    work tree (the file may no longer be there). `line` counts from 1. `commit` and `pushed`
    are set for history hits only: the commit that added this secret to this path, and
    whether a remote-tracking branch contains that commit.
    """

    prefix: str
    sha256: str
    path: Path
    line: int
    commit: str | None = None
    pushed: bool | None = None
    repository: Path | None = None

    @property
    def in_history(self) -> bool:
        return self.commit is not None

    def location(self) -> str:
        """`path:line`, with the path relative to its repository for history hits."""
        shown = self.path.relative_to(self.repository) if self.repository is not None else self.path
        return f"{shown}:{self.line}"


@dataclass(frozen=True)
class ScanProgress:
    """Counts so far. `phase` is "files", then "history" (with --history), then "done".

    `files` and `file_bytes` are the working-tree files read; `skipped` the files left out
    (over the size cap, unreadable, vanished). `blobs` and `blob_bytes` are the distinct
    file contents read from git histories; `repositories` the histories read so far.
    """

    phase: str = "files"
    files: int = 0
    file_bytes: int = 0
    skipped: int = 0
    repositories: int = 0
    blobs: int = 0
    blob_bytes: int = 0
    hits: int = 0


@dataclass(frozen=True)
class ScanReport:
    hits: tuple[Hit, ...]
    progress: ScanProgress
    repositories: tuple[Path, ...]  # the git repositories whose history was read
    problems: tuple[str, ...]  # what could not be scanned, one sentence each
    roots: tuple[Path, ...] = ()  # the folders and files read, resolved (none inside another)


class ScanError(AppError):
    """The scan could not run (a path that does not exist, git missing); the message says why."""


class ScanCancelled(Exception):
    """The cancel event was set; `progress` is how far the scan got."""

    def __init__(self, progress: ScanProgress) -> None:
        super().__init__("The scan was cancelled.")
        self.progress = progress
