"""The rotation journal: one JSON file per rotation under the data folder, written atomically
before and after every change to the world. It never holds a secret (those live in keychain
entries named by the rotation's id); it holds enough to resume or cancel after a crash at any
instant, even when the profile that started it is gone (given a key of the account).

Every step writes its intent first ("creating", "writing target 2"), so that recovery can
always tell what a target holds and whether a key was made.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic
from ..errors import AppError
from ..revoke_when import RevokeWhen
from .targets import Target, from_spec, to_spec

VERSION = 2


class State(StrEnum):
    PLANNED = "planned"
    CREATED = "created"  # the new key exists and its secret is in the keychain
    DELIVERED = "delivered"  # every target holds the new secret
    VERIFIED = "verified"  # the new key answered MySSL; profiles signing in with the old key switched
    DRAINING = "draining"  # watching the old key fall silent
    REVOKED = "revoked"  # the old key is revoked
    SCHEDULED = "scheduled"  # the old key's revoke is scheduled: waiting for it to expire
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (State.DONE, State.CANCELLED)


ORDER = [State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED, State.DRAINING]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class TargetState:
    """Where one target stands. `writing` is saved before the target is touched, `written`
    after: between the two, the target may hold either value, and recovery looks."""

    written: bool = False  # holds the new secret
    writing: bool = False  # a write was begun (its result is not journaled yet)
    restoring: bool = False  # cancel began putting the old value back
    was_absent: bool = False  # the variable or entry did not exist before: cancel removes it
    had_value: bool = False  # it held a value (kept in the keychain for cancel); else it was empty
    was_bare: bool = False  # a name without `=` (cancel writes it back so)
    before: str = ""  # a file's digest before the write
    after: str = ""  # ... and after it
    after_length: int = 0
    forced: bool = False  # the user agreed to replace a value that is not the old key


@dataclass(frozen=True)
class Rotation:
    id: str
    profile_id: str
    base_url: str
    old_key_id: int
    old_key_name: str
    old_prefix: str
    new_key_name: str
    permissions: tuple[str, ...]
    old_created_at: str = ""  # with the id and base URL, names the key across accounts
    targets: tuple[Target, ...] = ()
    target_states: tuple[TargetState, ...] = ()
    quiet_period_s: int = 600
    revoke: RevokeWhen = RevokeWhen.NOW
    switch_profiles: tuple[str, ...] = ()  # profiles signing in with the old key: switched to the new one
    self_rotation: bool = False  # the rotating profile is one of them
    state: State = State.PLANNED
    new_key_id: int | None = None
    new_prefix: str = ""
    create_started_at: str | None = None  # intent: a create request may have been sent since
    preexisting: tuple[int, ...] = ()  # keys of the new key's name that existed before the create
    cancelling: bool = False  # intent: a cancel was begun; resuming carries it on
    cleaned_up: bool = False
    created_at: str = field(default_factory=now_iso)
    delivered_at: str | None = None
    old_count_at_delivery: int = 0  # the old key's request count when every target had the new one
    verified_at: str | None = None
    finished_at: str | None = None
    attention: str = ""  # what the user must do before it can go on ("" when nothing)
    note: str = ""  # the last thing worth telling the user
    revoked_elsewhere: bool = False  # the old key was found revoked, not by this rotation (by hand, say)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:8]

    def advanced(self, state: State, **changes: Any) -> Rotation:
        return replace(self, state=state, **changes)

    def at_least(self, state: State) -> bool:
        """Whether the rotation has reached `state` on the main path."""
        if self.state in (State.REVOKED, State.SCHEDULED, State.DONE):
            return True
        if self.state == State.CANCELLED:
            return False
        return ORDER.index(self.state) >= ORDER.index(state)

    @property
    def delivered(self) -> tuple[int, ...]:
        """Indexes of the targets that hold the new secret."""
        return tuple(i for i, s in enumerate(self.target_states) if s.written)

    @property
    def cancellable(self) -> bool:
        return not self.state.finished and self.state not in (State.REVOKED, State.SCHEDULED)

    def with_target(self, index: int, **changes: Any) -> Rotation:
        states = list(self.target_states)
        states[index] = replace(states[index], **changes)
        return replace(self, target_states=tuple(states))


class JournalDamaged(AppError):
    """A journal file cannot be read; the rotation it was for needs the user's decision."""


@dataclass(frozen=True)
class Damaged:
    """A journal that could not be read: shown, never hidden, and it blocks rotations of its key."""

    id: str
    path: Path
    reason: str
    old_key_id: int | None = None  # when the file still says which key it was for
    base_url: str = ""

    def blocks(self, base_url: str, key_id: int) -> bool:
        if self.old_key_id is None:
            return True  # for all we know it was this key
        return self.old_key_id == key_id and (not self.base_url or self.base_url == base_url)


def to_document(rotation: Rotation) -> dict[str, Any]:
    document = asdict(rotation)
    document["version"] = VERSION
    document["state"] = rotation.state.value
    document["revoke"] = rotation.revoke.value
    document["targets"] = [to_spec(t) for t in rotation.targets]
    return document


def from_document(document: Any) -> Rotation:
    """A rotation from its journal (version 1 journals included); ValueError when damaged."""
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    known = {f.name for f in fields(Rotation)}
    values = {k: v for k, v in document.items() if k in known}
    try:
        values["state"] = State(values["state"])
        values["revoke"] = RevokeWhen(values.get("revoke", "now"))
        values["targets"] = tuple(from_spec(spec) for spec in values.get("targets", ()))
        if "target_states" in values:
            values["target_states"] = tuple(TargetState(**s) for s in values["target_states"])
        else:  # version 1: a list of delivered indexes
            delivered = set(document.get("delivered", ()))
            values["target_states"] = tuple(TargetState(written=i in delivered) for i in range(len(values["targets"])))
        for name in ("permissions", "switch_profiles", "preexisting"):
            values[name] = tuple(values.get(name, ()))
        if document.get("version", 1) == 1 and values.get("self_rotation"):
            values["switch_profiles"] = (values["profile_id"],)
        values.setdefault("base_url", "")
        rotation = Rotation(**values)
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(f"not a rotation journal ({type(error).__name__}: {error})") from None
    if len(rotation.target_states) != len(rotation.targets):
        raise ValueError("its targets and their states do not match")
    return rotation


class JournalStore:
    """`rotations/<id>.json` under the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "rotations"

    def path_for(self, rotation_id: str) -> Path:
        return self.folder / f"{rotation_id}.json"

    def save(self, rotation: Rotation) -> Rotation:
        write_atomic(self.path_for(rotation.id), (json.dumps(to_document(rotation), indent=2) + "\n").encode())
        return rotation

    def load(self, rotation_id: str) -> Rotation:
        path = self.path_for(rotation_id)
        try:
            return from_document(json.loads(path.read_bytes()))
        except FileNotFoundError:
            raise
        except (OSError, ValueError) as error:
            raise JournalDamaged(f"The journal of rotation {rotation_id} ({path}) cannot be read: {error}. "
                                 f"Look at it, then remove it with: myssl-keys rotations discard {rotation_id}") \
                from None

    def scan(self) -> tuple[list[Rotation], list[Damaged]]:
        """Every rotation (oldest first) and every journal that could not be read."""
        if not self.folder.is_dir():
            return [], []
        found: list[Rotation] = []
        damaged: list[Damaged] = []
        for path in sorted(self.folder.glob("*.json")):
            raw: Any = None
            try:
                raw = json.loads(path.read_bytes())
                found.append(from_document(raw))
            except (OSError, ValueError) as error:
                damaged.append(_damaged(path, raw, str(error)))
        return sorted(found, key=lambda r: r.created_at), damaged

    def all(self) -> list[Rotation]:
        return self.scan()[0]

    def in_progress(self, profile_id: str | None = None) -> list[Rotation]:
        return [r for r in self.all() if not r.state.finished and (profile_id is None or r.profile_id == profile_id)]

    def discard(self, rotation_id: str) -> Path:
        """Move a journal aside (a damaged one, after the user looked at it); returns where."""
        path = self.path_for(rotation_id)
        aside = path.with_name(f"{path.name}.discarded-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
        os.replace(path, aside)
        return aside


def _damaged(path: Path, raw: Any, reason: str) -> Damaged:
    key_id = raw.get("old_key_id") if isinstance(raw, dict) else None
    base_url = raw.get("base_url") if isinstance(raw, dict) else ""
    return Damaged(path.stem, path, reason, key_id if isinstance(key_id, int) else None,
                   base_url if isinstance(base_url, str) else "")


__all__ = ["ORDER", "Damaged", "JournalDamaged", "JournalStore", "Rotation", "State", "TargetState",
           "from_document", "now_iso", "parse_time", "to_document"]
