"""(e) Watch: the old and the new key side by side, whether anything still uses the old one,
and what happens next. The background runner revokes as planned; the user may decide earlier."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QMenu, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from .... import timefmt
from ....revoke_when import RevokeWhen
from ...common.richtext import html
from .widgets import label, scrolling, tone

if TYPE_CHECKING:
    from ....api.models import ApiKey
    from ....rotation import DrainStatus, Rotation


class DrainPage(QWidget):
    """Old and new key side by side, the verdict in one sentence, what happens next as planned,
    and the user's choices: revoke now, schedule, or finish later."""

    revoke_now_requested = Signal()
    schedule_requested = Signal(object)  # a scheduled RevokeWhen
    later_requested = Signal()
    check_requested = Signal()

    ROWS = (("name", "Name"), ("prefix", "Prefix"), ("status", "Status"), ("last_used", "Last used"),
            ("requests_24h", "Requests, last 24 h"), ("request_count", "Requests in all"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.summary = label()
        self.summary.setAccessibleName("Old key verdict")
        font = self.summary.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        self.summary.setFont(font)
        self.summary.setText("Checking the old key's use…")
        layout.addWidget(self.summary)
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(4)
        for column, title in ((1, "Old key"), (2, "New key")):
            heading = QLabel(f"<b>{title}</b>")
            grid.addWidget(heading, 0, column)
        self.cells: dict[tuple[str, str], QLabel] = {}
        for row, (field, title) in enumerate(self.ROWS, start=1):
            grid.addWidget(QLabel(title + ":"), row, 0)
            for column, side in ((1, "old"), (2, "new")):
                cell = QLabel("…")
                cell.setWordWrap(True)
                cell.setAccessibleName(f"{title} of the {side} key")
                cell.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                cell.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
                grid.addWidget(cell, row, column)
                self.cells[(side, field)] = cell
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        layout.addLayout(grid)
        # Which application still has the old key (plain text: the server's words, escaped).
        self.clients_label = label()
        self.clients_label.setAccessibleName("Clients of the old key")
        self.clients_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clients_label.hide()
        layout.addWidget(self.clients_label)
        check_row = QHBoxLayout()
        self.checked = label()
        self.checked.setAccessibleName("Last check")
        self.checked.setStyleSheet(f"color: {tone(self, 'muted')};")
        check_row.addWidget(self.checked, 1)
        self.check_button = QPushButton("Check &now")
        self.check_button.clicked.connect(self.check_requested.emit)
        check_row.addWidget(self.check_button)
        layout.addLayout(check_row)
        self.targets_label = label(rich=True)
        self.targets_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        layout.addWidget(scrolling(self.targets_label), 1)
        buttons = QHBoxLayout()
        self.revoke_button = QPushButton("&Revoke old key now…")
        self.revoke_button.clicked.connect(self.revoke_now_requested.emit)
        self.schedule_button = QPushButton("&Schedule revoke")
        menu = QMenu(self.schedule_button)
        self.schedule_actions = {}
        for choice in RevokeWhen.scheduled():
            action = menu.addAction(choice.label + "…")
            action.triggered.connect(lambda _=False, v=choice: self.schedule_requested.emit(v))
            self.schedule_actions[choice] = action
        self.schedule_button.setMenu(menu)
        self.later_button = QPushButton("Finish &later")
        self.later_button.setToolTip("Leave the old key working until you decide; finish it from View ▸ Rotations "
                                     "in progress.")
        self.later_button.clicked.connect(self.later_requested.emit)
        for button in (self.revoke_button, self.schedule_button, self.later_button, self.check_button):
            button.setAutoDefault(False)  # Enter must never revoke
        for button in (self.revoke_button, self.schedule_button, self.later_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.status: DrainStatus | None = None

    def show_rotation(self, rotation: Rotation) -> None:
        lines = "".join(f"<li>{html(target.label)}</li>" for target in rotation.targets)
        plan = plan_sentence(rotation)
        places = (f"The new key is in: <ul style='margin-top:2px'>{lines}<li>your keychain</li></ul>"
                  if lines else "The new key is in your keychain only.")
        self.targets_label.setText(f"<p>{html(plan)}</p>{places}")
        self.later_button.setEnabled(rotation.revoke != RevokeWhen.LATER)

    def show_status(self, status: DrainStatus, now: datetime | None = None) -> None:
        self.status = status
        now = now or datetime.now(UTC)
        for side, key in (("old", status.old), ("new", status.new)):
            values = {"name": key.name, "prefix": f"{key.prefix}…", "status": _status_words(key, now),
                      "last_used": _last_used(key, now), "requests_24h": f"{key.requests_24h:,}",
                      "request_count": f"{key.request_count:,}"}
            for field, value in values.items():
                self.cells[(side, field)].setText(value)
                self.cells[(side, field)].setToolTip(value)
        self.summary.setText(status.summary())
        who = status.who(now)
        self.clients_label.setText(who)
        self.clients_label.setVisible(bool(who))
        kind = "bad" if status.used_after_delivery and not status.quiet_enough else \
            "good" if status.quiet_enough else "wait"
        self.summary.setStyleSheet(f"color: {tone(self, kind)};")
        self.checked.setText(f"Checked at {now.astimezone().strftime('%H:%M:%S')}.")

    def show_check_problem(self, text: str) -> None:
        self.checked.setText(text)

    def set_next_check(self, seconds: int | None) -> None:
        base = self.checked.text().split(" Next check")[0]
        self.checked.setText(base + (f" Next check in {seconds} s." if seconds else ""))

    def set_enabled_actions(self, enabled: bool) -> None:
        for button in (self.revoke_button, self.schedule_button):
            button.setEnabled(enabled)


def _status_words(key: ApiKey, now: datetime) -> str:
    if key.status == "expiring" and key.expires_at is not None:
        return f"revoke scheduled {timefmt.relative(key.expires_at, now)}"
    return key.status


def _last_used(key: ApiKey, now: datetime) -> str:
    if key.last_used_at is None:
        return "never"
    return f"{timefmt.relative(key.last_used_at, now)} ({key.last_used_at.astimezone().strftime('%H:%M:%S')})"


def plan_sentence(rotation: Rotation) -> str:
    """What happens to the old key next, as planned."""
    minutes = rotation.quiet_period_s // 60
    quiet = f"{minutes} min" if minutes else f"{rotation.quiet_period_s} s"
    if rotation.revoke == RevokeWhen.LATER:
        return "The old key keeps working until you revoke it or schedule its revoke (below)."
    then = ("it is revoked" if rotation.revoke == RevokeWhen.NOW
            else f"its revoke is scheduled {rotation.revoke.label.lower()}")
    return (f"As planned, once nothing has used the old key for {quiet} since delivery, {then}, whether or not this "
            "window is open.")
