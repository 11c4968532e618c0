"""One scan at a time, on a thread of its own, with progress and a cancel that stops it.

A scan may read for minutes. On the app's shared thread pool it would hold a thread that
refreshes and rotations need (two on a two-core machine), so it runs on a pool of its own.
Progress reports are queued to the GUI thread (`progressed`). `cancel()` sets the event the
scan checks every few milliseconds; the scan then ends its git processes and fails with
`ScanCancelled`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from ...scan.progress import ProgressCallback
from ..common.ops import Ops

Work = Callable[[ProgressCallback, threading.Event], Any]  # given where to report and the cancel event


class ScanJob(QObject):
    progressed = Signal(object)  # a ScanProgress, on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._ops = Ops(self, pool=self._pool)
        self._cancel: threading.Event | None = None

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def start(self, work: Work, done: Callable[[Any], None], failed: Callable[[BaseException], None]) -> None:
        """Run `work` on the scan thread; `done` or `failed` is called on the GUI thread."""
        if self._cancel is not None:
            raise RuntimeError("a scan is running already")
        cancel = self._cancel = threading.Event()
        report = self.progressed.emit  # from the scan thread: queued to the receivers' (GUI) thread

        def ended(callback: Callable[[Any], None], value: Any) -> None:
            self._cancel = None
            callback(value)

        self._ops(lambda: work(report, cancel)).any_session() \
            .success(lambda result: ended(done, result)).failure(lambda error: ended(failed, error)).run()

    def cancel(self) -> None:
        if self._cancel is not None:
            self._cancel.set()

    def shutdown(self) -> None:
        """Cancel, and wait for the scan to stop (milliseconds): for closing the window."""
        self.cancel()
        self._pool.waitForDone(10_000)


__all__ = ["ScanJob"]
