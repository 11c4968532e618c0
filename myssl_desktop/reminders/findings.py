"""What needs the user's attention, as findings: one per key (or rotation, or profile) and event.

A finding knows its words (no secret: names and 12-character prefixes only), what a click on
its notification opens (`target`), and `once`, the name of the event it reports: a
notification is sent at most once per `once` (the sent ledger remembers them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from ..api.models import ApiKey
from ..keyflags import DUE, SPIKE, STALE, FlagRules
from ..profiles import Profile
from ..timefmt import relative

# keyflags.EXPOSED once the scan UI adds it: a key found in a pushed commit or a shared file.
EXPOSED = "exposed"
REVOKE_SOON_WITHIN = timedelta(hours=24)


class Event(StrEnum):
    DUE = "due"  # older than the profile's rotation policy
    EXPIRING = "expiring"  # its revoke (scheduled, or an expiry set at creation) is within the lead time
    REVOKE_SOON = "revoke_soon"  # ... within 24 h
    SPIKE = "spike"
    EXPOSED = "exposed"  # a scan found it where others can read it
    STALE = "stale"  # reported by `check`; no notification by default
    ROTATION_DONE = "rotation_done"  # the quiet period is over and the old key revoked (or its revoke scheduled)
    ROTATION_NEEDS_YOU = "rotation_needs_you"  # a target failed, or the old key is still in use after the quiet period
    SIGN_IN_FAILING = "sign_in_failing"  # the profile's own key was revoked or is missing

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Event.DUE: "Key due for rotation",
    Event.EXPIRING: "Key expiring soon",
    Event.REVOKE_SOON: "Key revoked within 24 hours",
    Event.SPIKE: "Usage spike",
    Event.EXPOSED: "Key found exposed",
    Event.STALE: "Stale key",
    Event.ROTATION_DONE: "Rotation finished: old key revoked",
    Event.ROTATION_NEEDS_YOU: "Rotation needs you",
    Event.SIGN_IN_FAILING: "Sign-in key revoked or failing",
}
KEY_EVENTS = frozenset({Event.DUE, Event.EXPIRING, Event.REVOKE_SOON, Event.SPIKE, Event.EXPOSED, Event.STALE})
ROTATION_EVENTS = frozenset({Event.ROTATION_DONE, Event.ROTATION_NEEDS_YOU})


@dataclass(frozen=True)
class Finding:
    event: Event
    profile_id: str
    title: str
    body: str
    once: str  # the event's name: one notification per name, ever
    target: str  # what a click opens: "key/<profile id>/<key id>", "rotation/<id>" or "profile/<id>"
    key_id: int | None = None
    urgent: bool = False

    def as_json(self) -> dict[str, object]:
        return {"event": self.event.value, "profile_id": self.profile_id, "title": self.title, "body": self.body,
                "target": self.target, **({"key_id": self.key_id} if self.key_id is not None else {})}


def key_target(profile_id: str, key_id: int) -> str:
    return f"key/{profile_id}/{key_id}"


def rotation_target(rotation_id: str) -> str:
    return f"rotation/{rotation_id}"


ExtraFlags = Callable[[Profile, ApiKey], Iterable[str]]


def key_findings(profile: Profile, keys: Iterable[ApiKey], now: datetime, *, lead_days: int = 7,
                 usage: Mapping[int, Sequence[int]] | None = None,
                 extra_flags: ExtraFlags | None = None) -> list[Finding]:
    """The findings about `profile`'s keys at `now`. `usage` (key id -> 30 daily counts) is
    needed only for spikes; `extra_flags` adds flags kept elsewhere (the scan's "exposed")."""
    rules = FlagRules(now, profile.rotation_policy_days)
    found: list[Finding] = []
    for key in keys:
        if key.is_revoked:
            continue
        flags = set(rules.flags(key, usage.get(key.id, ()) if usage is not None else ()))
        if usage is None:
            flags.discard(SPIKE)  # not asked for: no series to judge by
        if extra_flags is not None:
            flags.update(extra_flags(profile, key))
        found += _key_events(profile, key, flags, now, lead_days)
    return found


def _key_events(profile: Profile, key: ApiKey, flags: set[str], now: datetime, lead_days: int) -> list[Finding]:
    where = f"{key.name} ({key.prefix}…) in “{profile.name}”"

    def finding(event: Event, body: str, once: str, urgent: bool = False) -> Finding:
        return Finding(event, profile.id, f"{event.label}: {key.name}", body, f"{event.value}/{profile.id}/{key.id}/"
                       f"{once}", key_target(profile.id, key.id), key.id, urgent)

    found = []
    if EXPOSED in flags:
        found.append(finding(Event.EXPOSED, f"{where} was found where others can read it. Rotate it now.", "",
                             urgent=True))
    if key.expires_at is not None and key.expires_at > now:
        stamp = key.expires_at.strftime("%Y-%m-%dT%H:%MZ")
        if key.expires_at - now <= REVOKE_SOON_WITHIN:
            found.append(finding(Event.REVOKE_SOON, f"{where} stops working {relative(key.expires_at, now)}.",
                                 stamp, urgent=True))
        elif key.expires_at - now <= timedelta(days=lead_days):
            found.append(finding(Event.EXPIRING, f"{where} stops working {relative(key.expires_at, now)}.", stamp))
    if SPIKE in flags:
        found.append(finding(Event.SPIKE, f"{where} made {key.requests_24h:,} requests in the last 24 h, over 3× "
                             "its usual day.", now.strftime("%Y-%m-%d")))
    if DUE in flags:
        age = (now - key.created_at).days
        found.append(finding(Event.DUE, f"{where} is {age} days old; this profile rotates keys every "
                             f"{profile.rotation_policy_days} days.", key.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")))
    if STALE in flags:
        used = f"last used {relative(key.last_used_at, now)}" if key.last_used_at else "never used"
        found.append(finding(Event.STALE, f"{where} is {used}. Revoke it if nothing needs it.",
                             key.last_used_at.strftime("%Y-%m-%d") if key.last_used_at else "never"))
    return found


def sign_in_finding(profile: Profile, reason: str) -> Finding:
    return Finding(Event.SIGN_IN_FAILING, profile.id, f"{Event.SIGN_IN_FAILING.label}: {profile.name}",
                   f"“{profile.name}” cannot sign in with {profile.key_prefix or 'its key'}…: {reason} Sign in again "
                   "with a working key.", f"{Event.SIGN_IN_FAILING.value}/{profile.id}/{profile.key_prefix}",
                   f"profile/{profile.id}", urgent=True)


__all__ = ["EXPOSED", "KEY_EVENTS", "ROTATION_EVENTS", "Event", "ExtraFlags", "Finding", "key_findings",
           "key_target", "rotation_target", "sign_in_finding"]
