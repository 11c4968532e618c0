"""Profiles: the non-secret settings of each signed-in account, in one versioned file.

`profiles.json` under the config folder, written atomically. Its `schema_version` is
migrated forward on load; a file from a newer app version is left untouched.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, get_type_hints

from .api.models import DEFAULT_BASE_URL
from .atomicfile import write_atomic
from .errors import AppError
from .filelocks import locked

SCHEMA_VERSION = 4
ENVIRONMENTS = ("production", "staging", "development")
ACCESS_LEVELS = ("full", "read-only")


class ProfilesError(AppError):
    """The profiles file cannot be used; the message says why and what happened to it."""


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    base_url: str = DEFAULT_BASE_URL
    environment: str = "production"
    key_prefix: str = ""
    key_name: str = ""
    tier: str = ""
    last_sign_in: str | None = None
    access: str = "full"
    rotation_policy_days: int = 90

    @staticmethod
    def new(name: str, base_url: str = DEFAULT_BASE_URL, environment: str = "production") -> Profile:
        if environment not in ENVIRONMENTS:
            raise ValueError(f"environment must be one of {', '.join(ENVIRONMENTS)}")
        # 12 random hex digits, as uuid4().hex[:12] gave; uuid would load `platform` at start-up.
        return Profile(id=os.urandom(6).hex(), name=name.strip(), base_url=base_url, environment=environment)

    @property
    def read_only(self) -> bool:
        return self.access == "read-only"


@dataclass(frozen=True)
class ProfilesState:
    profiles: tuple[Profile, ...] = ()
    last_profile_id: str | None = None

    def find(self, name_or_id: str) -> Profile | None:
        for profile in self.profiles:
            if name_or_id in (profile.id, profile.name):
                return profile
        return None

    @property
    def last(self) -> Profile | None:
        return self.find(self.last_profile_id) if self.last_profile_id else None


def _v1_to_v2(document: dict[str, Any]) -> dict[str, Any]:
    # v2 added the rotation policy and the read-only flag to each profile.
    for profile in document.get("profiles", []):
        profile.setdefault("access", "full")
        profile.setdefault("rotation_policy_days", 90)
    return document


def _v2_to_v3(document: dict[str, Any]) -> dict[str, Any]:
    # v3 remembers each key's update targets for its next rotation.
    for profile in document.get("profiles", []):
        profile.setdefault("targets", {})
    return document


def _v3_to_v4(document: dict[str, Any]) -> dict[str, Any]:
    # v4 forgets the targets remembered by bare key id: another account's key of the same id
    # would get them. They are remembered per account and key now (rotation/remembered.py).
    for profile in document.get("profiles", []):
        profile.pop("targets", None)
    return document


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


def migrate(document: dict[str, Any]) -> dict[str, Any]:
    version = document.get("schema_version")
    if not isinstance(version, int) or version < 1:
        raise ProfilesError("The profiles file has no valid schema_version.")
    if version > SCHEMA_VERSION:
        raise ProfilesError(f"The profiles file was written by a newer MySSL Desktop (schema "
                            f"{version}); this version leaves it unchanged. Please update the app.")
    while version < SCHEMA_VERSION:
        document = MIGRATIONS[version](document)
        version += 1
        document["schema_version"] = version
    return document


class ProfileStore:
    """Reads and writes `profiles.json`; every change is saved at once, atomically."""

    FILE_NAME = "profiles.json"

    def __init__(self, config_dir: Path) -> None:
        self.path = config_dir / self.FILE_NAME
        self._lock_path = config_dir / f"{self.FILE_NAME}.lock"

    def load(self) -> ProfilesState:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return ProfilesState()
        try:
            document = json.loads(raw)
            if not isinstance(document, dict):
                raise ValueError("not an object")
            try:
                document = migrate(document)
            except (TypeError, AttributeError):  # an old version's migration met a wrong shape
                raise ValueError("wrong shape") from None
            return _state_of(document)
        except ValueError:
            aside = self.path.with_name(f"{self.FILE_NAME}.unreadable-{_stamp()}")
            self.path.rename(aside)
            raise ProfilesError(f"The profiles file was damaged and has been moved aside to "
                                f"{aside.name}; sign in again to recreate your profiles.") from None

    def save(self, state: ProfilesState) -> None:
        document = {"schema_version": SCHEMA_VERSION, "last_profile_id": state.last_profile_id,
                    "profiles": [asdict(p) for p in state.profiles]}
        write_atomic(self.path, (json.dumps(document, indent=2) + "\n").encode())

    def update(self, change: Callable[[ProfilesState], ProfilesState]) -> ProfilesState:
        """Load, apply `change`, save: one read-modify-write under a lock that other threads and
        processes (the CLI, a user timer, a second window) respect too."""
        with locked(self._lock_path, busy="The profiles are being changed by another process; try again."):
            state = change(self.load())
            self.save(state)
            return state

    def put(self, profile: Profile, *, make_last: bool = True) -> ProfilesState:
        def change(state: ProfilesState) -> ProfilesState:
            others = tuple(p for p in state.profiles if p.id != profile.id)
            kept = [p for p in state.profiles if p.id == profile.id]
            ordered = tuple(profile if p.id == profile.id else p for p in state.profiles) \
                if kept else others + (profile,)
            return ProfilesState(ordered, profile.id if make_last else state.last_profile_id)
        return self.update(change)

    def modify(self, profile_id: str, change: Callable[[Profile], Profile]) -> Profile | None:
        """Apply `change` to the stored profile (not a possibly stale copy), atomically."""
        changed: list[Profile] = []

        def apply(state: ProfilesState) -> ProfilesState:
            profiles = []
            for profile in state.profiles:
                if profile.id == profile_id:
                    profile = change(profile)
                    changed.append(profile)
                profiles.append(profile)
            return replace(state, profiles=tuple(profiles))

        self.update(apply)
        return changed[0] if changed else None

    def remove(self, profile_id: str) -> ProfilesState:
        def change(state: ProfilesState) -> ProfilesState:
            remaining = tuple(p for p in state.profiles if p.id != profile_id)
            last = state.last_profile_id if state.last_profile_id != profile_id else None
            return ProfilesState(remaining, last)
        return self.update(change)

    def select(self, profile_id: str) -> ProfilesState:
        return self.update(lambda state: replace(state, last_profile_id=profile_id))


_FIELD_TYPES: dict[str, Any] = get_type_hints(Profile)  # "name": str, "last_sign_in": str | None, ...


def _state_of(document: dict[str, Any]) -> ProfilesState:
    """The profiles of a migrated document. ValueError when a hand edit or a broken write left
    it in another shape ("profiles": null, a profile without a name, a number for a URL)."""
    entries = document.get("profiles", [])
    last = document.get("last_profile_id")
    if not isinstance(entries, list) or not (last is None or isinstance(last, str)):
        raise ValueError("wrong shape")
    return ProfilesState(profiles=tuple(_profile_of(entry) for entry in entries), last_profile_id=last)


def _profile_of(entry: Any) -> Profile:
    if not isinstance(entry, dict):
        raise ValueError("a profile is not an object")
    values = {k: v for k, v in entry.items() if k in _FIELD_TYPES}
    wrong = [k for k, v in values.items() if not isinstance(v, _FIELD_TYPES[k]) or isinstance(v, bool)]
    if wrong or not {"id", "name"} <= values.keys():
        raise ValueError("a profile of the wrong shape")
    return Profile(**values)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


__all__ = ["ACCESS_LEVELS", "ENVIRONMENTS", "SCHEMA_VERSION", "Profile", "ProfileStore",
           "ProfilesError", "ProfilesState", "migrate", "now_iso"]
