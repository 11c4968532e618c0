"""The background runner: every rotation in progress past verification is driven as planned,
whether or not its wizard is open, and again after a restart. The drain is watched and the old
key revoked (or its revoke scheduled) once it has been quiet long enough.

Each pass runs in the background (the core's `advance_all`); the next pass comes when the
soonest rotation is worth looking at again, at least every minute while one is being watched
(15 s while a wizard shows it), and never while none is in progress.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from ...errors import describe
from ...rotation import RotationMachine
from ...rotation.runner import RunReport, advance_all
from ..common.ops import Ops

IDLE_S = 60  # the longest pause while a rotation is being watched
WATCHED_S = 15  # while a wizard shows a drain: its figures stay fresh
SOONEST_S = 2


class RotationRunner(QObject):
    updated = Signal(object)  # list[RunReport] of a pass

    def __init__(self, ops: Ops, machines: Callable[[], list[RotationMachine]], *,
                 held: Callable[[], frozenset[str]] = frozenset, watched: Callable[[], bool] = lambda: False,
                 report: Callable[[str], None] | None = None, parent: QObject | None = None) -> None:
        """`machines`: whose journals to drive; `held`: rotations a wizard drives step by step;
        `watched`: whether a wizard shows a drain (then passes come more often)."""
        super().__init__(parent)
        self._ops = ops
        self._machines = machines
        self._held = held
        self._watched = watched
        self._report = report
        self._running = False
        self._stopped = False
        self.interval_cap_s = IDLE_S
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_now)

    @property
    def scheduled_in_ms(self) -> int | None:
        return self._timer.remainingTime() if self._timer.isActive() else None

    def poke(self, after_s: float = 0) -> None:
        """Look again soon (a rotation was started, resumed or its plan changed)."""
        if not self._stopped and (not self._timer.isActive() or self._timer.remainingTime() > after_s * 1000):
            self._timer.start(int(after_s * 1000))

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def run_now(self) -> None:
        if self._running or self._stopped:
            return
        machines, held = self._machines(), self._held()
        if not machines:
            return
        self._running = True

        def one_pass() -> list[RunReport]:
            reports: list[RunReport] = []
            for machine in machines:
                reports += advance_all(machine, unattended_only=True, skip=held)[0]
            return reports

        self._ops(one_pass).any_session().success(self._passed).failure(self._failed).run()

    def _passed(self, reports: list[RunReport]) -> None:
        self._running = False
        self.updated.emit(reports)
        waits = [r.retry_in_s for r in reports if r.retry_in_s is not None]
        if waits:
            cap = min(self.interval_cap_s, WATCHED_S if self._watched() else IDLE_S)
            self.poke(max(SOONEST_S, min(cap, min(waits))))

    def _failed(self, error: BaseException) -> None:
        self._running = False
        if self._report is not None:
            self._report(describe(error, "advance the rotations in progress"))
        self.poke(IDLE_S)


__all__ = ["RotationRunner"]
