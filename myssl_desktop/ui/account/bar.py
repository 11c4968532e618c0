"""The strip above the table: profile and environment, tier, quota left, freshness."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QWidget

from ... import timefmt
from ..common.eliding_label import ElidingLabel
from ..common.richtext import html

if TYPE_CHECKING:
    from datetime import datetime

    from ...api.models import RateLimit
    from ...profiles import Profile
    from ...session import Session


# Mid-tones that stay readable on light and dark backgrounds.
ENVIRONMENT_COLOURS = {"production": "#e53935", "staging": "#fb8c00", "development": "#43a047",
                       "sandbox": "#ab47bc"}


class AccountBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        self.profile_label = QLabel("Not signed in")
        self.profile_label.setAccessibleName("Profile")
        # The plain-text parts give up their width in a narrow window (900 px, half a laptop's
        # screen): they end in "…", with the whole text in a tooltip.
        self.tier_label = ElidingLabel("")
        self.tier_label.setAccessibleName("Account tier")
        self.quota_label = ElidingLabel("Daily quota")
        self.quota_gauge = QProgressBar()  # a thin bar with the words beside it: not a text field
        self.quota_gauge.setAccessibleName("Daily quota left")
        self.quota_gauge.setMaximumWidth(120)
        self.quota_gauge.setMaximumHeight(8)
        self.quota_gauge.setTextVisible(False)
        self.quota_words = ElidingLabel("")
        self.quota_words.setAccessibleName("Requests left today")
        self.minute_label = ElidingLabel("")
        self.minute_label.setAccessibleName("Requests left this minute")
        self.updated_label = ElidingLabel("")
        self.updated_label.setAccessibleName("Last updated")
        for label in (self.profile_label, self.tier_label):
            layout.addWidget(label)
        layout.addStretch(1)
        for widget in (self.quota_label, self.quota_gauge, self.quota_words, self.minute_label, self.updated_label):
            layout.addWidget(widget)
        self._updated_at: float | None = None
        self._as_of: datetime | None = None
        self._offline = False
        self._ticker = QTimer(self)
        self._ticker.setInterval(5_000)
        self._ticker.timeout.connect(self._show_freshness)
        self.show_rate_limit(None)

    def show_session(self, session: Session | None) -> None:
        if session is None:
            self.profile_label.setText("Not signed in")
            self.tier_label.setText("")
            self.show_rate_limit(None)
            self.mark_updated(None)
            return
        name = session.title
        colour = ENVIRONMENT_COLOURS[session.environment]
        self.profile_label.setText(
            f"<span style='color:{colour}; font-size:14pt'>●</span> <b>{html(name)}</b> "
            f"<span style='color:{colour}'>{session.environment}</span>"
            + (" · <i>read-only</i>" if session.profile.read_only else ""))
        self.tier_label.setText(f"{session.profile.tier.capitalize()} tier" if session.profile.tier else "")

    def show_profile(self, profile: Profile) -> None:
        """The profile being opened, named at once (its key is checked in the background)."""
        colour = ENVIRONMENT_COLOURS[profile.environment]
        self.profile_label.setText(
            f"<span style='color:{colour}; font-size:14pt'>●</span> <b>{html(profile.name)}</b> "
            f"<span style='color:{colour}'>{profile.environment}</span>")
        self.tier_label.setText(f"{profile.tier.capitalize()} tier" if profile.tier else "")

    def show_rate_limit(self, limit: RateLimit | None) -> None:
        """Both counters say what is left: of today's quota, and of this minute's."""
        visible = limit is not None
        for widget in (self.quota_label, self.quota_gauge, self.quota_words, self.minute_label):
            widget.setVisible(visible)
        if limit is None:
            return
        left = max(0, min(limit.daily_remaining, limit.daily_limit))
        self.quota_gauge.setRange(0, max(1, limit.daily_limit))
        self.quota_gauge.setValue(left)
        self.quota_words.setText(f"{left:,} of {limit.daily_limit:,} left today")
        self.quota_gauge.setToolTip(f"{left:,} requests left today (resets 00:00 UTC)")
        self.minute_label.setText(f"{limit.minute_remaining} of {limit.minute_limit} left this minute")

    def mark_updated(self, at: float | None, *, as_of: datetime | None = None, offline: bool = False) -> None:
        """`at`: when fresh data arrived (time.time()); `as_of`: cached data's age instead,
        said calmly while a refresh may still come, and loudly once MySSL is found `offline`."""
        self._updated_at, self._as_of, self._offline = at, as_of, offline
        if at is None and as_of is None:
            self._ticker.stop()
        else:
            self._ticker.start()
        self._show_freshness()

    def _show_freshness(self) -> None:
        if self._as_of is not None and self._offline:
            self.updated_label.setText(f"<b>as of {timefmt.exact(self._as_of)}</b> (offline copy)")
        elif self._as_of is not None:
            self.updated_label.setText(f"as of {timefmt.relative(self._as_of)}")
        elif self._updated_at is None:
            self.updated_label.setText("")
        else:
            seconds = int(time.time() - self._updated_at)
            self.updated_label.setText("updated just now" if seconds < 5 else
                                       f"updated {seconds} s ago" if seconds < 90 else
                                       f"updated {seconds // 60} min ago")


