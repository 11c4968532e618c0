"""Run slow work (network, keychain) off the GUI thread; deliver results on it.

The relay QObject that carries a task's signals is created on, and owned by, the GUI
thread, so its queued signals land there even though the worker emits them. A task can
be cancelled: its result is then dropped, never applied to a view that has moved on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class Task:
    """A handle on one background call."""

    def __init__(self, relay: _Relay) -> None:
        self._relay = relay
        self.cancelled = False
        self.finished = False

    def cancel(self) -> None:
        """Drop the result when it arrives (the work itself still runs to its end)."""
        self.cancelled = True


class BackgroundTasks(QObject):
    """Starts callables on a thread pool and calls back on the GUI thread."""

    all_done = Signal()

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()

    @property
    def pending(self) -> int:
        return len(self._running)

    def run(self, work: Callable[[], Any], on_success: Callable[[Any], None],
            on_failure: Callable[[BaseException], None] | None = None) -> Task:
        relay = _Relay(self)
        task = Task(relay)
        self._running.add(task)

        def deliver(callback: Callable[[Any], None] | None, value: Any) -> None:
            task.finished = True
            self._running.discard(task)
            relay.deleteLater()
            try:
                if not task.cancelled and callback is not None:
                    callback(value)
            finally:
                if not self._running:
                    self.all_done.emit()

        relay.succeeded.connect(lambda value: deliver(on_success, value))
        relay.failed.connect(lambda error: deliver(on_failure or _log_failure, error))

        def job() -> None:
            try:
                result = work()
            except Exception as error:  # delivered to the GUI thread, which decides what to show
                relay.failed.emit(error)
            else:
                relay.succeeded.emit(result)

        self._pool.start(job)
        return task


def _log_failure(error: BaseException) -> None:
    log.warning("background task failed: %s", error)
