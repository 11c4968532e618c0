"""The detail pane: everything about the selected key, and its daily requests chart."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ... import timefmt
from ...keyclients import client_line
from ...keyflags import DESCRIPTIONS
from ..common.richtext import html
from .charts import UsageChart
from .found_in import FoundIn

if TYPE_CHECKING:
    from ...api.models import ApiKey, KeyClient
    from .model import KeyRow

PERIODS = (7, 30, 90)
CLIENT_HOURS = 24  # the window of "who uses this key"
CLIENTS_SHOWN = 10


def _status_words(key: ApiKey) -> str:
    """The status, and when a scheduled revoke takes effect or a revoke happened."""
    if key.status == "expiring" and key.expires_at is not None:
        return f"expiring: revoked {timefmt.relative(key.expires_at)} ({timefmt.exact(key.expires_at)})"
    if key.revoked_at is not None:
        return f"{key.status} ({timefmt.exact(key.revoked_at)})"
    return key.status


class KeyDetails(QWidget):
    period_changed = Signal(int)
    rotate_requested = Signal()  # the Rotate button: replace this key without downtime

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Key details")
        self.setMinimumWidth(340)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel("Select a key to see its details.")
        self.title.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.title.setWordWrap(True)
        self.title.setAccessibleName("Key name")
        heading = QHBoxLayout()
        heading.addWidget(self.title, 1)
        self.rotate_button = QPushButton("R&otate…")
        self.rotate_button.setToolTip("Replace this key without downtime")
        self.rotate_button.clicked.connect(self.rotate_requested)
        heading.addWidget(self.rotate_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(heading)

        self.form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for name in ("Status", "Prefix", "Created", "Last used", "Expires", "Requests", "Permissions", "Used by"):
            label = QLabel("")
            label.setWordWrap(True)
            label.setAccessibleName(name)
            self.fields[name] = label
            self.form.addRow(f"{name}:", label)
        # Who used the key, in rich text: each address and user agent escaped (server text).
        self.fields["Used by"].setTextFormat(Qt.TextFormat.RichText)
        self.fields["Used by"].setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fields["Used by"].setToolTip(f"Addresses and user agents that used this key in the last {CLIENT_HOURS} h, "
                                          "as MySSL saw them")
        self._clients: tuple[KeyClient, ...] | None = None  # of key_id, once loaded
        layout.addLayout(self.form)
        self.flags = QLabel("")
        self.flags.setWordWrap(True)
        self.flags.setAccessibleName("Needs attention")
        layout.addWidget(self.flags)
        self.found_in = FoundIn()  # where scans found the key: the pane fills it in
        layout.addWidget(self.found_in)

        periods = QHBoxLayout()
        self.period_buttons = QButtonGroup(self)
        for days in PERIODS:
            button = QPushButton(f"{days} days")
            button.setCheckable(True)
            button.setAccessibleName(f"Show {days} days")
            button.setChecked(days == 30)
            self.period_buttons.addButton(button, days)
            periods.addWidget(button)
        periods.addStretch(1)
        self.period_buttons.idClicked.connect(self.period_changed)
        layout.addLayout(periods)
        self.chart = UsageChart()
        layout.addWidget(self.chart, 1)
        self.key_id: int | None = None
        self.show_row(None)

    @property
    def period(self) -> int:
        return self.period_buttons.checkedId()

    def show_row(self, row: KeyRow | None) -> None:
        has_key = row is not None
        for widget in (*self.fields.values(), self.chart, self.flags):
            widget.setVisible(has_key)
        self.rotate_button.setVisible(has_key and row is not None and not row.key.is_revoked)
        for button in self.period_buttons.buttons():
            button.setVisible(has_key)
        for n in range(self.form.rowCount()):
            label = self.form.itemAt(n, QFormLayout.ItemRole.LabelRole)
            shown = label.widget() if label is not None else None
            if shown is not None:
                shown.setVisible(has_key)
        if row is None:
            self.key_id = None
            self.title.setText("Select a key to see its details.")
            self.chart.set_usage([])
            return
        key = row.key
        if key.id != self.key_id:  # another key: its clients are loaded anew
            self._clients = None
            self.fields["Used by"].setText("Loading…")
        elif self._clients is not None:
            self._show_clients()  # the same key after a refresh: "last seen" moves on
        self.key_id = key.id
        self.title.setText(f"<h3 style='margin:0'>{html(key.name)}</h3>")
        self.fields["Status"].setText(_status_words(key))
        self.fields["Prefix"].setText(f"<code>{key.prefix}…</code>")
        self.fields["Created"].setText(f"{timefmt.exact(key.created_at)} ({timefmt.since(key.created_at)})")
        self.fields["Last used"].setText(
            "never" if key.last_used_at is None
            else f"{timefmt.relative(key.last_used_at)} ({timefmt.exact(key.last_used_at)})")
        self.fields["Expires"].setText("—" if key.expires_at is None else
                                       f"{timefmt.exact(key.expires_at)} ({timefmt.relative(key.expires_at)})")
        self.fields["Requests"].setText(f"{key.requests_24h:,} in the last 24 h · {key.request_count:,} in all")
        self.fields["Permissions"].setText(", ".join(key.permissions))
        self.flags.setText("<br>".join(f"⚠ {DESCRIPTIONS[f]}" for f in row.flags))
        self.flags.setVisible(bool(row.flags))

    def show_usage(self, key_id: int, days: list[tuple[date, int]]) -> None:
        if key_id == self.key_id:
            self.chart.set_usage(days)

    def show_clients(self, key_id: int, clients: tuple[KeyClient, ...], now: datetime | None = None) -> None:
        """The key's clients of the last CLIENT_HOURS, most recent first (dropped if another key is shown)."""
        if key_id == self.key_id:
            self._clients = clients
            self._show_clients(now)

    def show_clients_note(self, key_id: int, text: str) -> None:
        """Why there is no list: the server does not report clients, or loading failed."""
        if key_id == self.key_id:
            self._clients = None
            self.fields["Used by"].setText(f"<i>{html(text)}</i>")

    def _show_clients(self, now: datetime | None = None) -> None:
        clients = self._clients or ()
        if not clients:
            self.fields["Used by"].setText(f"nothing in the last {CLIENT_HOURS} h")
            return
        lines = [html(client_line(c, now, requests=True)) for c in clients[:CLIENTS_SHOWN]]
        if len(clients) > CLIENTS_SHOWN:
            lines.append(f"and {len(clients) - CLIENTS_SHOWN} more")
        self.fields["Used by"].setText("<br>".join(lines))


