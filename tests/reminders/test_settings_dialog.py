"""Reminders ▸ Settings: per profile the events, the lead time and quiet hours are kept; start at
login is written by ticking and removed by unticking."""

from __future__ import annotations

import os
from pathlib import Path

from myssl_desktop.profiles import Profile
from myssl_desktop.reminders.findings import Event
from myssl_desktop.reminders.preferences import DEFAULT_EVENTS, ReminderPrefsStore
from myssl_desktop.ui.reminders.settings_dialog import ReminderSettings


def test_settings_are_kept_per_profile_and_start_at_login_follows_the_tick(qtbot, app_dirs) -> None:
    store = ReminderPrefsStore(app_dirs.config)
    work, home = Profile.new("Work", "http://127.0.0.1:9/api/v1"), Profile.new("Home", "http://127.0.0.1:9/api/v1")
    dialog = ReminderSettings(store, [work, home], tray=False, current_profile=home.id)
    qtbot.addWidget(dialog)
    assert dialog.profile_combo.currentData() == home.id
    assert {e for e, check in dialog.events.items() if check.isChecked()} == DEFAULT_EVENTS  # stale is off
    dialog.events[Event.SPIKE].setChecked(False)
    dialog.lead.setCurrentIndex(dialog.lead.findData(14))
    dialog.quiet.setChecked(True)
    dialog.quiet_from.setValue(21)
    dialog.quiet_until.setValue(7)
    dialog.profile_combo.setCurrentIndex(dialog.profile_combo.findData(work.id))
    dialog.events[Event.STALE].setChecked(True)
    dialog.resident.setChecked(True)
    dialog.login.setChecked(True)
    dialog.accept()

    prefs = store.load()
    assert prefs.resident
    assert prefs.for_profile(home.id).events == DEFAULT_EVENTS - {Event.SPIKE}
    assert (prefs.for_profile(home.id).lead_days, prefs.for_profile(home.id).quiet_from,
            prefs.for_profile(home.id).quiet_until) == (14, 21, 7)
    assert prefs.for_profile(work.id).events == DEFAULT_EVENTS | {Event.STALE}
    assert prefs.for_profile(work.id).quiet_from is None
    entry = Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "myssl-desktop.desktop"
    assert entry.exists()

    again = ReminderSettings(store, [work, home], tray=False)
    qtbot.addWidget(again)
    assert again.login.isChecked() and again.resident.isChecked()
    again.login.setChecked(False)
    again.accept()
    assert not entry.exists()


def test_start_at_login_says_how_it_starts_where_there_is_no_tray(qtbot, app_dirs) -> None:
    """`--hidden` keeps the window closed only where the app can stay running (a tray, or Keep
    running): the dialog says so instead of promising a hidden start it cannot keep."""
    store = ReminderPrefsStore(app_dirs.config)
    dialog = ReminderSettings(store, [], tray=False)
    qtbot.addWidget(dialog)
    assert "hidden" not in dialog.login.text()
    assert not dialog.resident.isChecked()
    assert "opens its window" in dialog.login_note.text()
    dialog.resident.setChecked(True)
    assert "in the background" in dialog.login_note.text()
    assert "opens its window" not in dialog.login_note.text()

    with_tray = ReminderSettings(store, [], tray=True)
    qtbot.addWidget(with_tray)
    assert "hidden, in the tray" in with_tray.login_note.text()


def test_quiet_hours_count_only_when_ticked_and_the_same_hour_twice_is_refused(qtbot, app_dirs) -> None:
    store = ReminderPrefsStore(app_dirs.config)
    work = Profile.new("Work", "http://127.0.0.1:9/api/v1")
    dialog = ReminderSettings(store, [work], tray=False)
    qtbot.addWidget(dialog)
    assert not dialog.quiet.isChecked()
    assert not dialog.quiet_from.isEnabled() and not dialog.quiet_until.isEnabled()
    dialog.quiet.setChecked(True)
    assert dialog.quiet_from.isEnabled() and dialog.quiet_until.isEnabled()
    dialog.quiet_from.setValue(9)
    dialog.quiet_until.setValue(9)
    assert not dialog.quiet_problem.isHidden()
    assert "no quiet hours" in dialog.quiet_problem.text()
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # refused, even when called directly
    assert not store.path.exists()
    dialog.quiet_until.setValue(17)
    assert dialog.quiet_problem.isHidden() and dialog.ok_button.isEnabled()
    dialog.accept()
    assert (store.load().for_profile(work.id).quiet_from, store.load().for_profile(work.id).quiet_until) == (9, 17)
