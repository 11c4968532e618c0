"""One way to run slow work (network, keychain, files) off the GUI thread.

    ops(lambda: client.all_keys()).busy("Refreshing…").doing("refresh the keys") \
        .success(show).failure(explain).run()

The work runs on a thread pool; its result or failure is delivered on the GUI thread. `Ops`
owns what every caller needs: results of work begun for an earlier session are dropped
(unless `.any_session()`), the status line shows what is busy, and a failure nobody handles
is shown (with `describe`), not just logged. The work itself never touches a widget.

The relay QObject that carries an op's signals is created on, and owned by, the GUI thread,
so its queued signals land there even though the worker emits them.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThreadPool, Signal

from ...errors import describe

log = logging.getLogger(__name__)


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)


class Task:
    """A handle on one running op: `cancel()` drops its result (the work still runs to its end)."""

    def __init__(self) -> None:
        self.cancelled = False
        self.finished = False

    def cancel(self) -> None:
        self.cancelled = True


class Op:
    """One piece of background work being described; `run()` starts it."""

    def __init__(self, ops: Ops, work: Callable[[], Any]) -> None:
        self._ops = ops
        self._work = work
        self._on_success: Callable[[Any], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._busy = ""
        self._doing = ""
        self._any_session = False

    def success(self, callback: Callable[[Any], None]) -> Op:
        """Called with the work's result, on the GUI thread."""
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op:
        """Called with the exception instead of the default (a visible message)."""
        self._on_failure = callback
        return self

    def busy(self, text: str) -> Op:
        """Shown in the status line while the work runs."""
        self._busy = text
        return self

    def doing(self, words: str) -> Op:
        """What the work does, for the default failure message: "refresh the keys"."""
        self._doing = words
        return self

    def any_session(self) -> Op:
        """Deliver the result even if the user switched profile meanwhile (work that is not
        about the shown account: sign-in checks, rotations of any profile)."""
        self._any_session = True
        return self

    def run(self) -> Task:
        return self._ops._start(self)


class Ops(QObject):
    """Starts ops and tracks them. `idle` fires when the last running op has delivered."""

    idle = Signal()

    def __init__(self, parent: QObject | None = None, *, status: Callable[[str], None] | None = None,
                 report: Callable[[str], None] | None = None, pool: QThreadPool | None = None) -> None:
        """`status` shows busy texts ("" when nothing is busy); `report` shows the message of
        a failure no caller handles (the default only logs)."""
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._status = status
        self._report = report
        self._generation = 0
        self._running: dict[Task, str] = {}  # busy text of each running op ("" for quiet ones)
        self._shown = ""  # the busy text on show, if any

    def __call__(self, work: Callable[[], Any]) -> Op:
        return Op(self, work)

    @property
    def pending(self) -> int:
        return len(self._running)

    def session_changed(self) -> None:
        """Results of ops begun before this are dropped (unless they run for any session)."""
        self._generation += 1

    def _start(self, op: Op) -> Task:
        task = Task()
        # Not a child of this Ops: a window closed (and deleted) while its work runs must not
        # take the relay with it. Created here, it still lives on the GUI thread.
        relay = _Relay()
        generation = self._generation
        self._running[task] = op._busy
        self._show_busy()

        def deliver(value: Any, failed: bool) -> None:
            relay.deleteLater()
            if not shiboken6.isValid(self):
                return  # whoever asked is gone (a closed window): its result is dropped
            task.finished = True
            self._running.pop(task, None)
            self._show_busy()  # before the callback: what it says stays on show
            current = op._any_session or generation == self._generation
            try:
                if task.cancelled or not current:
                    return
                if not failed:
                    if op._on_success is not None:
                        op._on_success(value)
                elif op._on_failure is not None:
                    op._on_failure(value)
                else:
                    self._failed_unhandled(value, op._doing)
            finally:
                if not self._running:
                    self.idle.emit()

        relay.succeeded.connect(lambda value: deliver(value, False))
        relay.failed.connect(lambda error: deliver(error, True))
        work = op._work

        def job() -> None:
            failed: bool
            try:
                value, failed = work(), False
            except Exception as error:  # delivered to the GUI thread, which decides what to show
                value, failed = error, True
            with contextlib.suppress(RuntimeError):  # the relay went with a closed window: no one to tell
                (relay.failed if failed else relay.succeeded).emit(value)

        self._pool.start(job)
        return task

    def _show_busy(self) -> None:
        """The newest busy text; when none is left, clear the line only if it showed ours."""
        texts = [text for text in self._running.values() if text]
        text = texts[-1] if texts else ""
        if self._status is not None and (text or self._shown):
            self._status(text)
        self._shown = text

    def _failed_unhandled(self, error: BaseException, doing: str) -> None:
        message = describe(error, doing)
        log.warning("background work failed: %s", message)
        if self._report is not None:
            self._report(message)


__all__ = ["Op", "Ops", "Task"]
