"""One scan: the working trees of the chosen paths, then (on request) their git histories."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable
from pathlib import Path

from .history import HistoryError, object_store_of, scan_history, work_tree_of
from .model import Hit, ScanError, ScanReport
from .pattern import ScanBuffer
from .progress import ProgressCallback, ProgressTracker
from .sharing import FileSharing, helper_command, spare_cores
from .tree import scan_tree

DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_PROBLEMS = 50


def scan(paths: Iterable[str | Path], *, history: bool = False, max_file_size: int = DEFAULT_MAX_FILE_SIZE,
         on_progress: ProgressCallback | None = None, cancel: threading.Event | None = None,
         parallel: bool | None = None) -> ScanReport:
    """Find `myssl_k_` secrets under `paths` (folders or files).

    Reads every regular file, git-ignored ones too, except binary files and files larger
    than `max_file_size`. With `history`, also every commit of the git repositories found
    under the paths or holding them. Runs on the calling thread: call it from a worker.
    `on_progress` is called on that thread about every 0.1 s and at each phase; setting
    `cancel` makes the scan raise ScanCancelled within a few milliseconds. Raises ScanError
    when a path does not exist or git is missing for `history`.

    With a spare core (idle at the time), a working-tree scan that runs longer than a few
    hundredths of a second shares its files with a helper process (sharing.py); `parallel`
    True starts the helper at once, False never. The report is the same either way.
    """
    roots = _roots(paths)
    if history and shutil.which("git") is None:
        raise ScanError("Scanning history needs git, and git was not found on PATH. Install git, "
                        "or scan without history.")
    tracker = ProgressTracker(on_progress, cancel)
    buffer = ScanBuffer(max_file_size + 1)
    hits: list[Hit] = []
    repositories: list[Path] = []
    problems: list[str] = []
    tracker.start_phase("files")
    sharing = _sharing(parallel, max_file_size, buffer, tracker)
    try:
        for root in roots:
            hits.extend(scan_tree(root, buffer, tracker, repositories, problems,
                                  sharing.take if sharing is not None else None))
        if sharing is not None:
            hits.extend(sharing.finish())
    finally:
        if sharing is not None:
            sharing.close()
    scanned: list[Path] = []
    if history:
        tracker.start_phase("history")
        for repository in _distinct_histories([*(work_tree_of(root) for root in roots), *repositories]):
            try:
                hits.extend(scan_history(repository, buffer, tracker))
            except HistoryError as error:
                problems.append(str(error))
            else:
                scanned.append(repository)
            tracker.repositories += 1
    tracker.start_phase("done")
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"… and {len(problems) - MAX_PROBLEMS} more."]
    hits.sort(key=lambda h: (h.commit is not None, str(h.repository or ""), str(h.path), h.line, h.commit or ""))
    return ScanReport(hits=tuple(hits), progress=tracker.snapshot(), repositories=tuple(scanned),
                      problems=tuple(problems), roots=tuple(roots))


def _sharing(parallel: bool | None, max_file_size: int, buffer: ScanBuffer,
             tracker: ProgressTracker) -> FileSharing | None:
    command = helper_command(max_file_size)
    if command is None or parallel is False or (parallel is None and not spare_cores()):
        return None
    return FileSharing(command, buffer, tracker, at_once=bool(parallel))


def _roots(paths: Iterable[str | Path]) -> list[Path]:
    """The chosen paths, resolved, without those inside another one (read once)."""
    resolved = []
    for path in paths:
        root = Path(path).expanduser()
        if not root.exists():
            raise ScanError(f"{root} does not exist: choose an existing folder or file.")
        resolved.append(root.resolve())
    resolved.sort(key=lambda p: len(p.parts))
    roots: list[Path] = []
    for root in resolved:
        if not any(root == kept or kept in root.parents for kept in roots):
            roots.append(root)
    return roots


def _distinct_histories(candidates: Iterable[Path | None]) -> list[Path]:
    """One work tree per object store (linked work trees share one history)."""
    seen: set[Path] = set()
    distinct = []
    for repository in candidates:
        if repository is None:
            continue
        store = object_store_of(repository)
        if store is not None and store not in seen:
            seen.add(store)
            distinct.append(repository)
    return distinct
