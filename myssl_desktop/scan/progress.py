"""Running counts of a scan, reported through a callback, with the cancel check."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from .model import ScanCancelled, ScanProgress

ProgressCallback = Callable[[ScanProgress], None]
CHECK_EVERY = 32  # files or blobs between two cancel checks (a few milliseconds of work)
REPORT_INTERVAL = 0.1  # seconds between two progress reports


class ProgressTracker:
    """The counts of one scan. The scanners bump the counters and call `tick()` per item."""

    def __init__(self, on_progress: ProgressCallback | None, cancel: threading.Event | None) -> None:
        self._on_progress = on_progress
        self._cancel = cancel
        self._items = 0
        self._reported_at: float | None = None
        self.phase = "files"
        self.files = 0
        self.file_bytes = 0
        self.skipped = 0
        self.repositories = 0
        self.blobs = 0
        self.blob_bytes = 0
        self.hits = 0

    def snapshot(self) -> ScanProgress:
        return ScanProgress(phase=self.phase, files=self.files, file_bytes=self.file_bytes,
                            skipped=self.skipped, repositories=self.repositories, blobs=self.blobs,
                            blob_bytes=self.blob_bytes, hits=self.hits)

    def tick(self) -> None:
        self._items += 1
        if self._items % CHECK_EVERY == 0:
            self.checkpoint()

    def checkpoint(self) -> None:
        """Raise ScanCancelled when cancelled; report when the last report is old enough."""
        if self._cancel is not None and self._cancel.is_set():
            raise ScanCancelled(self.snapshot())
        now = time.monotonic()
        if self._reported_at is None or now - self._reported_at >= REPORT_INTERVAL:
            self.report(now)

    def report(self, now: float | None = None) -> None:
        self._reported_at = time.monotonic() if now is None else now
        if self._on_progress is not None:
            self._on_progress(self.snapshot())

    def start_phase(self, phase: str) -> None:
        self.phase = phase
        if self._cancel is not None and self._cancel.is_set():
            raise ScanCancelled(self.snapshot())
        self.report()
