"""Which reminders to send, per profile: the events, how long before an expiry, and quiet hours.
Plus whether the app stays resident for them. In `reminders.json` under the config folder,
written atomically; a missing or damaged file gives the defaults. Never a secret."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from .findings import Event

FILE_NAME = "reminders.json"
DEFAULT_EVENTS = frozenset(Event) - {Event.STALE}  # stale keys are for `check` and the list, not a nudge
LEAD_DAYS_CHOICES = (1, 3, 7, 14, 30)


@dataclass(frozen=True)
class ProfileReminders:
    events: frozenset[Event] = DEFAULT_EVENTS
    lead_days: int = 7  # tell of an expiry this many days ahead (and again within 24 h)
    quiet_from: int | None = None  # local hour (0-23) from which nothing is shown ...
    quiet_until: int | None = None  # ... until this hour; held back notifications follow after

    def wants(self, event: Event) -> bool:
        return event in self.events

    def quiet_at(self, moment: datetime) -> bool:
        if self.quiet_from is None or self.quiet_until is None or self.quiet_from == self.quiet_until:
            return False
        hour = moment.astimezone().time()
        start, end = time(self.quiet_from), time(self.quiet_until)
        return start <= hour < end if start < end else hour >= start or hour < end


@dataclass(frozen=True)
class ReminderPrefs:
    resident: bool = False  # keep running (in the tray, or windowless) after the window closes, for reminders
    told_about_tray: bool = False  # the first close to the tray said so
    profiles: dict[str, ProfileReminders] = field(default_factory=dict)

    def for_profile(self, profile_id: str) -> ProfileReminders:
        return self.profiles.get(profile_id, ProfileReminders())

    def with_profile(self, profile_id: str, reminders: ProfileReminders) -> ReminderPrefs:
        return replace(self, profiles={**self.profiles, profile_id: reminders})


class ReminderPrefsStore:
    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / FILE_NAME

    def load(self) -> ReminderPrefs:
        try:
            document = json.loads(self.path.read_text())
            return ReminderPrefs(resident=bool(document.get("resident", False)),
                                 told_about_tray=bool(document.get("told_about_tray", False)),
                                 profiles={str(k): _profile(v) for k, v in document.get("profiles", {}).items()})
        except (OSError, ValueError, TypeError, AttributeError):
            return ReminderPrefs()

    def save(self, prefs: ReminderPrefs) -> None:
        document = {"version": 1, "resident": prefs.resident, "told_about_tray": prefs.told_about_tray,
                    "profiles": {k: {**asdict(v), "events": sorted(e.value for e in v.events)}
                                 for k, v in prefs.profiles.items()}}
        write_atomic(self.path, (json.dumps(document, indent=2) + "\n").encode())

    def change(self, **changes: Any) -> ReminderPrefs:
        prefs = replace(self.load(), **changes)
        self.save(prefs)
        return prefs


def _profile(document: dict[str, Any]) -> ProfileReminders:
    known = {e.value for e in Event}
    events = frozenset(Event(e) for e in document.get("events", []) if e in known)

    def hour(value: Any) -> int | None:
        return int(value) % 24 if isinstance(value, int) else None

    return ProfileReminders(events=events, lead_days=max(1, int(document.get("lead_days", 7))),
                            quiet_from=hour(document.get("quiet_from")), quiet_until=hour(document.get("quiet_until")))


__all__ = ["DEFAULT_EVENTS", "LEAD_DAYS_CHOICES", "ProfileReminders", "ReminderPrefs", "ReminderPrefsStore"]
