"""One check of everything reminders watch: each profile's keys (due, expiring, spike, exposed,
stale), its sign-in key, and the rotations in progress, which it also advances (as
`rotations run` does). `myssl-keys check` runs it once; the resident app every 15 minutes.

Requests: per profile, the key list (one per 100 keys) and, only when spikes are asked for,
the batch usage (one per 100 keys); nothing for a profile none of whose key events are wanted.
A rate-limited profile is skipped until the next check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from ..api import errors as api_errors
from ..api.models import ApiKey
from ..errors import AppError, describe
from ..keyflags import EXPOSED
from ..profiles import Profile
from ..scan.store import FoundStore
from ..services import Services
from ..session import Session
from ..signin import NotSignedIn
from .findings import KEY_EVENTS, Event, ExtraFlags, Finding, key_findings, sign_in_finding
from .preferences import ReminderPrefs

if TYPE_CHECKING:
    from ..rotation import Rotation
    from ..rotation.runner import RunReport

KeyEventsWanted = Callable[[Profile], frozenset[Event]]
JOURNALS = "rotations"  # rotation.JournalStore's folder under the data folder


@dataclass(frozen=True)
class RotationLine:
    """A rotation in progress, as `check` lists it."""

    id: str
    profile_id: str
    key_name: str
    state: str
    now: str  # what it is doing or waiting for

    def as_json(self) -> dict[str, str]:
        return {"id": self.id, "profile_id": self.profile_id, "key": self.key_name, "state": self.state,
                "now": self.now}


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...] = ()
    rotations: tuple[RotationLine, ...] = ()
    errors: tuple[str, ...] = ()
    checked_profiles: tuple[str, ...] = field(default=())

    @property
    def needs_attention(self) -> bool:
        return bool(self.findings) or any(r.now.startswith("needs you") for r in self.rotations)


def everything(_: Profile) -> frozenset[Event]:
    return frozenset(KEY_EVENTS)


def wanted_by(prefs: ReminderPrefs) -> KeyEventsWanted:
    """The key events `prefs` would notify of, per profile (what the resident app fetches for)."""
    return lambda profile: prefs.for_profile(profile.id).events & KEY_EVENTS


def run_check(services: Services, profiles: Sequence[Profile], now: datetime, *,
              wanted: KeyEventsWanted = everything, lead_days: Callable[[Profile], int] = lambda _: 7,
              advance_rotations: bool = True, unattended_only: bool = False,
              skip_rotations: frozenset[str] = frozenset(),
              extra_flags: ExtraFlags | None = None) -> CheckReport:
    findings: list[Finding] = []
    problems: list[str] = []
    checked: list[str] = []
    extra_flags = extra_flags or scan_flags(services)
    for profile in profiles:
        events = wanted(profile)
        if not events:
            continue
        try:
            findings += _profile_findings(services, profile, now, events, lead_days(profile), extra_flags)
            checked.append(profile.id)
        except _SignInFailing as failing:
            findings.append(sign_in_finding(profile, failing.reason))
            checked.append(profile.id)
        except (AppError, OSError) as error:
            problems.append(f"{profile.name}: {describe(error)}")
    lines, rotation_problems, rotation_found = _rotations(services, profiles, now, advance_rotations,
                                                          unattended_only, skip_rotations)
    return CheckReport(tuple(findings + rotation_found), lines, tuple(problems + rotation_problems), tuple(checked))


def scan_flags(services: Services) -> ExtraFlags:
    """The "exposed" flag of the keys that recorded scans found in a commit (read once per profile)."""
    store = FoundStore(services.dirs.data)
    exposed: dict[str, frozenset[str]] = {}

    def flags(profile: Profile, key: ApiKey) -> set[str]:
        if profile.id not in exposed:
            exposed[profile.id] = store.load(profile.id).exposed()
        return {EXPOSED} if key.prefix in exposed[profile.id] else set()

    return flags


class _SignInFailing(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _profile_findings(services: Services, profile: Profile, now: datetime, events: frozenset[Event], lead_days: int,
                      extra_flags: ExtraFlags | None) -> list[Finding]:
    try:
        client = Session.for_profile(services, profile).client
    except NotSignedIn:
        return []  # signed out on purpose: nothing to watch
    try:
        keys = client.all_keys()
        usage = ({u.api_key_id: tuple(d.requests for d in u.days) for u in client.all_usage(days=30)}
                 if Event.SPIKE in events else None)
    except (api_errors.InvalidApiKey, api_errors.AuthenticationRequired):
        raise _SignInFailing("MySSL says the key is invalid or revoked.") from None
    found = key_findings(profile, keys, now, lead_days=lead_days, usage=usage, extra_flags=extra_flags)
    return [f for f in found if f.event in events]


def _rotations(services: Services, profiles: Sequence[Profile], now: datetime, advance: bool, unattended_only: bool,
               skip: frozenset[str]) -> tuple[tuple[RotationLine, ...], list[str], list[Finding]]:
    if not any((services.dirs.data / JOURNALS).glob("*.json")):
        return (), [], []  # no rotation ever (or all journals discarded): the machinery stays unloaded
    from ..rotation.runner import advance_all
    from .rotation_news import rotation_findings

    machine = services.rotations
    reports: list[RunReport] = []
    problems: list[str] = []
    if advance:
        reports, damaged = advance_all(machine, unattended_only=unattended_only, skip=skip)
        problems += [f"rotation {d.id}: its journal is damaged ({d.reason})" for d in damaged]
        problems += [f"rotation {r.rotation_id} ({r.key_name}): {r.error}" for r in reports if r.error]
    rotations, damaged = machine.overview()
    if not advance:
        problems += [f"rotation {d.id}: its journal is damaged ({d.reason})" for d in damaged]
    mine = {p.id for p in profiles}
    rotations = [r for r in rotations if r.profile_id in mine or not mine]
    found = rotation_findings(rotations, reports, now)
    by_id = {r.rotation_id: r for r in reports}
    lines = tuple(_line(r, by_id.get(r.id)) for r in rotations if not r.state.finished)
    return lines, problems, found


def _line(rotation: Rotation, report: RunReport | None) -> RotationLine:
    from ..rotation import State

    latest = report.outcome.rotation if report is not None and report.outcome is not None else rotation
    if report is not None and report.needs_user:
        now = f"needs you: {getattr(report.outcome, 'message', '')}"
    elif latest.attention:
        now = f"needs you: {latest.attention}"
    elif report is not None and report.outcome is not None:
        now = getattr(report.outcome, "reason", "") or getattr(report.outcome, "message", "")
    elif latest.state in (State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED):
        now = "waiting for you to go on in the app or with rotate --resume"
    else:
        now = latest.note
    return RotationLine(latest.id, latest.profile_id, latest.old_key_name, latest.state.value, now)


def profiles_named(all_profiles: Iterable[Profile], name: str | None) -> list[Profile]:
    profiles = list(all_profiles)
    return profiles if name is None else [p for p in profiles if name in (p.id, p.name)]


__all__ = ["CheckReport", "RotationLine", "everything", "profiles_named", "run_check", "scan_flags", "wanted_by"]
