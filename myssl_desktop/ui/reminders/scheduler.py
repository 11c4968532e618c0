"""The resident app's reminder check: every 15 minutes at most, in the background, for the
profiles whose reminders need data (the core's `run_check`), advancing the rotations past
verification as the app's runner does; then the notifications, each event once.

`flag_added` is the hook for flags found elsewhere: the scan UI calls it when a key gains the
"exposed" flag (keyflags.EXPOSED), and the notification goes at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from ...api.models import ApiKey
from ...errors import describe
from ...profiles import Profile
from ...reminders.check import CheckReport, run_check, wanted_by
from ...reminders.dispatch import Delivery, deliver
from ...reminders.findings import Finding, key_findings
from ...reminders.ledger import SentLedger
from ...reminders.notify import Notifier
from ...reminders.preferences import ReminderPrefs, ReminderPrefsStore
from ...services import Services
from ..common.ops import Ops

INTERVAL_S = 15 * 60  # the contract's rate limits: 2 requests per 100 keys per profile, 4 times an hour
FIRST_AFTER_S = 5  # after start-up, once the window (if any) had its own requests


class ReminderScheduler(QObject):
    checked = Signal(object)  # CheckReport
    delivered = Signal(object)  # Delivery
    failed = Signal(str)

    def __init__(self, services: Services, ops: Ops, notifier: Notifier | None, *, threaded_notifier: bool = True,
                 interval_s: float = INTERVAL_S, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 held_rotations: Callable[[], frozenset[str]] = frozenset, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._ops = ops
        self._notifier = notifier
        self._threaded = threaded_notifier
        self._clock = clock
        self._held = held_rotations
        self.prefs_store = ReminderPrefsStore(services.dirs.config)
        self.ledger = SentLedger(services.dirs.data)
        self.interval_s = interval_s
        self.running = False
        self.checks = 0
        self.last_report: CheckReport | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)  # never early: at most one check per interval
        self._timer.timeout.connect(self.run_now)

    def start(self, first_after_s: float = FIRST_AFTER_S) -> None:
        self._timer.start(int(first_after_s * 1000))

    def stop(self) -> None:
        self._timer.stop()

    @property
    def next_in_ms(self) -> int | None:
        return self._timer.remainingTime() if self._timer.isActive() else None

    def run_now(self) -> None:
        if self.running:
            return
        self.running = True
        self._timer.stop()
        services, store, ledger, notifier, now = self._services, self.prefs_store, self.ledger, self._notifier, \
            self._clock()
        held, threaded = self._held(), self._threaded

        def check() -> tuple[CheckReport, ReminderPrefs, Delivery | None]:
            prefs = store.load()
            profiles = services.profiles.load().profiles
            report = run_check(services, profiles, now, wanted=wanted_by(prefs),
                               lead_days=lambda p: prefs.for_profile(p.id).lead_days, unattended_only=True,
                               skip_rotations=held)
            delivery = deliver(report.findings, prefs, ledger, notifier, now) if notifier and threaded else None
            return report, prefs, delivery

        self._ops(check).any_session().success(self._checked).failure(self._failed).run()

    def _checked(self, result: tuple[CheckReport, ReminderPrefs, Delivery | None]) -> None:
        report, prefs, delivery = result
        self.running = False
        self.checks += 1
        self.last_report = report
        if delivery is None and self._notifier is not None:
            delivery = deliver(report.findings, prefs, self.ledger, self._notifier, self._clock())
        self._timer.start(int(self.interval_s * 1000))
        self.checked.emit(report)
        if delivery is not None:
            self.delivered.emit(delivery)

    def _failed(self, error: BaseException) -> None:
        self.running = False
        self._timer.start(int(self.interval_s * 1000))
        self.failed.emit(describe(error, "check the keys for reminders"))

    def flag_added(self, profile: Profile, key: ApiKey, flag: str) -> None:
        """A key gained `flag` (the scan's "exposed"): tell it now, once, as the profile wants."""
        found = [f for f in key_findings(profile, [key], self._clock(), extra_flags=lambda _p, _k: {flag})
                 if f.event.value == flag]
        self.deliver_now(found)

    def deliver_now(self, findings: list[Finding]) -> None:
        notifier, store, ledger, now = self._notifier, self.prefs_store, self.ledger, self._clock()
        if notifier is None or not findings:
            return
        if not self._threaded:
            self.delivered.emit(deliver(findings, store.load(), ledger, notifier, now))
            return
        self._ops(lambda: deliver(findings, store.load(), ledger, notifier, now)).any_session() \
            .success(self.delivered.emit).failure(lambda error: self.failed.emit(describe(error))).run()


__all__ = ["INTERVAL_S", "ReminderScheduler"]
