"""Reminders ▸ Settings: whether the app stays resident for reminders, start at login, and per
profile which events are told, how long before an expiry, and quiet hours."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ... import autostart
from ...profiles import Profile
from ...reminders.findings import Event
from ...reminders.preferences import LEAD_DAYS_CHOICES, ProfileReminders, ReminderPrefs, ReminderPrefsStore
from ..common.forms import FormDialog
from ..common.screen import FRAME_SLACK, fit_on_screen


class ReminderSettings(FormDialog):
    def __init__(self, store: ReminderPrefsStore, profiles: Sequence[Profile], *, tray: bool,
                 current_profile: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Reminders")
        self.store = store
        self.prefs = store.load()
        self.profiles = list(profiles)
        outer = QVBoxLayout(self)
        scroll = QScrollArea()  # on a small screen (or at a large scale) the settings scroll, the buttons stay
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 0, 0)
        scroll.setWidget(content)
        outer.addWidget(scroll, 1)
        # A check box's text never wraps: it stays short, and the rest is said by labels that do.
        self.resident = QCheckBox("Keep running after the window closes, for reminders")
        self.resident.setChecked(self.prefs.resident or tray)
        self.resident.setEnabled(not tray)  # with a tray, closing always keeps the app there
        layout.addWidget(self.resident)
        self.resident_note = QLabel("It stays in the tray." if tray else
                                    "It stays in the background (there is no tray here: open it again from the "
                                    "app menu).")
        self.resident_note.setWordWrap(True)
        self.resident_note.setIndent(20)
        layout.addWidget(self.resident_note)
        self.login = QCheckBox("Start at login")
        self.login.setChecked(autostart.is_enabled())
        layout.addWidget(self.login)
        self.login_note = QLabel()  # how it starts: hidden only where it can stay running (see app.py)
        self.login_note.setWordWrap(True)
        self.login_note.setIndent(20)
        layout.addWidget(self.login_note)
        self._tray = tray
        self.resident.toggled.connect(lambda _: self._say_how_it_starts())
        self._say_how_it_starts()

        box = QGroupBox("For profile")
        form = QFormLayout(box)
        self.profile_combo = QComboBox()
        for profile in self.profiles:
            self.profile_combo.addItem(f"{profile.name} ({profile.environment})", profile.id)
        form.addRow("Profile:", self.profile_combo)
        self.events: dict[Event, QCheckBox] = {}
        events = QGridLayout()  # two columns: nine rows would not fit a small screen
        half = (len(Event) + 1) // 2
        for number, event in enumerate(Event):
            check = QCheckBox(event.label)
            self.events[event] = check
            events.addWidget(check, number % half, number // half)
        form.addRow("Tell me about:", events)
        self.lead = QComboBox()
        for days in LEAD_DAYS_CHOICES:
            self.lead.addItem(f"{days} day{'s' if days != 1 else ''} ahead (and within 24 h)", days)
        form.addRow("Expiry:", self.lead)
        quiet = QHBoxLayout()
        self.quiet = QCheckBox("Quiet from")
        self.quiet_from, self.quiet_until = QSpinBox(), QSpinBox()
        for spin in (self.quiet_from, self.quiet_until):
            spin.setRange(0, 23)
            spin.setSuffix(":00")
        quiet.addWidget(self.quiet)
        quiet.addWidget(self.quiet_from)
        quiet.addWidget(QLabel("until"))
        quiet.addWidget(self.quiet_until)
        quiet.addStretch(1)
        form.addRow("Quiet hours:", quiet)
        self.quiet_problem = QLabel("The same hour twice would mean no quiet hours at all: choose two different "
                                    "hours, or untick “Quiet from”.")
        self.quiet_problem.setWordWrap(True)
        self.quiet_problem.setStyleSheet("color: #c62828;")
        self.quiet_problem.hide()
        form.addRow("", self.quiet_problem)
        box.setEnabled(bool(self.profiles))
        layout.addWidget(box)
        layout.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        outer.addWidget(buttons)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.set_accept_button(self.ok_button, self.quiet_problem.show)
        self.quiet.toggled.connect(lambda _: self._check_quiet())
        for spin in (self.quiet_from, self.quiet_until):
            spin.valueChanged.connect(lambda _: self._check_quiet())
        self._shown: str | None = None
        self.profile_combo.currentIndexChanged.connect(lambda _: self._switch())
        index = self.profile_combo.findData(current_profile) if current_profile else 0
        self.profile_combo.setCurrentIndex(max(0, index))
        self._switch()
        self._check_quiet()
        # All of it without scrolling where the screen has room (a scroll area's own hint is smaller).
        margins, bar = outer.contentsMargins(), scroll.verticalScrollBar().sizeHint().width()
        self.resize(content.sizeHint().width() + bar + margins.left() + margins.right(),
                    content.sizeHint().height() + outer.spacing() + buttons.sizeHint().height() + margins.top()
                    + margins.bottom())
        fit_on_screen(self, slack=FRAME_SLACK)

    def _quiet_hours_equal(self) -> bool:
        return self.quiet.isChecked() and self.quiet_from.value() == self.quiet_until.value()

    def _check_quiet(self) -> None:
        """The hour boxes count only while "Quiet from" is ticked; equal hours are refused (they
        would mean no quiet hours), and the profile cannot be left until they differ."""
        for spin in (self.quiet_from, self.quiet_until):
            spin.setEnabled(self.quiet.isChecked())
        equal = self._quiet_hours_equal()
        self.quiet_problem.setVisible(equal)
        self.ok_button.setEnabled(not equal)
        self.profile_combo.setEnabled(not equal)

    def _say_how_it_starts(self) -> None:
        if self._tray:
            how = "At login it starts hidden, in the tray."
        elif self.resident.isChecked():
            how = "At login it starts in the background, without its window, for reminders."
        else:
            how = ("At login it opens its window. Tick “Keep running” to have it start in the background "
                   "instead (there is no tray here).")
        self.login_note.setText(how)

    def _switch(self) -> None:
        if self._shown is not None:
            self.prefs = self.prefs.with_profile(self._shown, self._read())
        self._shown = self.profile_combo.currentData()
        if self._shown is None:
            return
        shown = self.prefs.for_profile(self._shown)
        for event, check in self.events.items():
            check.setChecked(shown.wants(event))
        self.lead.setCurrentIndex(max(0, self.lead.findData(shown.lead_days)))
        self.quiet.setChecked(shown.quiet_from is not None)
        self.quiet_from.setValue(22 if shown.quiet_from is None else shown.quiet_from)
        self.quiet_until.setValue(8 if shown.quiet_until is None else shown.quiet_until)

    def _read(self) -> ProfileReminders:
        quiet = self.quiet.isChecked()
        return ProfileReminders(events=frozenset(e for e, check in self.events.items() if check.isChecked()),
                                lead_days=int(self.lead.currentData()),
                                quiet_from=self.quiet_from.value() if quiet else None,
                                quiet_until=self.quiet_until.value() if quiet else None)

    def accept(self) -> None:
        if self._quiet_hours_equal():
            self._check_quiet()
            return
        if self._shown is not None:
            self.prefs = self.prefs.with_profile(self._shown, self._read())
        self.prefs = ReminderPrefs(resident=self.resident.isChecked(), told_about_tray=self.prefs.told_about_tray,
                                   profiles=self.prefs.profiles)
        self.store.save(self.prefs)
        if self.login.isChecked() and not autostart.is_enabled():
            autostart.enable()
        elif not self.login.isChecked():
            autostart.disable()
        super().accept()


__all__ = ["ReminderSettings"]
