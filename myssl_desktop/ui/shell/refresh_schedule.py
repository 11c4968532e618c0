"""When to refresh: every minute while the window is visible, never while it is hidden
or minimised, never faster than the rate limit allows, and after a 429's countdown."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

DEFAULT_INTERVAL_S = 60
REQUESTS_PER_REFRESH = 2  # the key list and the batch usage, for up to 100 keys


class RefreshSchedule(QObject):
    due = Signal()  # time for an automatic refresh
    countdown = Signal(int)  # seconds left of a rate-limit wait (0 when it ends)

    def __init__(self, parent: QObject | None = None, *, interval_s: int = DEFAULT_INTERVAL_S,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(parent)
        self.interval_s = interval_s
        self._clock = clock
        self._visible = False
        self._blocked_until = 0.0
        self._next_at = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._fire)
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._count_down)

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def set_visible(self, visible: bool) -> None:
        """The window was shown, hidden, minimised or restored."""
        was = self._visible
        self._visible = visible
        if not visible:
            self._timer.stop()
        elif not was:
            self.start_after(0 if self.overdue else self.remaining_s())

    def refreshed(self, minute_remaining: int | None = None, reset_at: int | None = None) -> None:
        """A refresh finished: plan the next one, later if the minute's quota is nearly used."""
        wait = float(self.interval_s)
        if minute_remaining is not None and reset_at is not None and minute_remaining < REQUESTS_PER_REFRESH:
            wait = max(wait, reset_at - self._clock())
        self._next_at = self._clock() + wait
        if self._visible:
            self.start_after(wait)

    def rate_limited(self, retry_after: int) -> None:
        """A 429: count down, then refresh by itself."""
        self._blocked_until = self._clock() + retry_after
        self._next_at = self._blocked_until
        self._tick.start()
        self.countdown.emit(retry_after)
        if self._visible:
            self.start_after(retry_after)

    def may_refresh_now(self) -> bool:
        return self._clock() >= self._blocked_until

    def seconds_blocked(self) -> int:
        return max(0, int(self._blocked_until - self._clock() + 0.999))

    def remaining_s(self) -> float:
        return max(0.0, self._next_at - self._clock())

    @property
    def overdue(self) -> bool:
        return self.remaining_s() <= 0

    def start_after(self, seconds: float) -> None:
        self._timer.start(int(max(0.0, seconds) * 1000))

    def stop(self) -> None:
        self._timer.stop()
        self._tick.stop()

    def _fire(self) -> None:
        if self._visible and self.may_refresh_now():
            self.due.emit()

    def _count_down(self) -> None:
        left = self.seconds_blocked()
        self.countdown.emit(left)
        if left <= 0:
            self._tick.stop()
