"""The rotation journal: one JSON file per rotation under the data folder, written
atomically at every step. It never holds a secret (those live in keychain entries named
by the rotation's id); it holds enough to resume after a crash at any instant."""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..atomicfile import write_atomic


class State(StrEnum):
    PLANNED = "planned"
    CREATED = "created"  # the new key exists and its secret is in the keychain
    DELIVERED = "delivered"  # every target holds the new secret
    VERIFIED = "verified"  # the new key answered MySSL
    DRAINING = "draining"  # watching the old key fall silent
    REVOKED = "revoked"  # the old key is revoked
    SCHEDULED = "scheduled"  # the old key's revoke is scheduled
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (State.DONE, State.CANCELLED)


ORDER = [State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED, State.DRAINING]


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Rotation:
    id: str
    profile_id: str
    old_key_id: int
    old_key_name: str
    old_prefix: str
    new_key_name: str  # carries the rotation's marker, so a resumed rotation finds the key by listing
    permissions: tuple[str, ...]
    targets: tuple[dict[str, Any], ...] = ()  # Target specs (see targets.py), in delivery order
    quiet_period_s: int = 600
    revoke: str = "now"  # now, 1h, 24h, 3d, 7d or later
    self_rotation: bool = False  # the profile signs in with the old key
    state: State = State.PLANNED
    new_key_id: int | None = None
    new_prefix: str = ""
    delivered: tuple[int, ...] = ()  # indexes of targets that hold the new secret
    created_at: str = field(default_factory=now_iso)
    delivered_at: str | None = None
    old_count_at_delivery: int = 0  # the old key's request count when every target had the new one
    verified_at: str | None = None
    finished_at: str | None = None
    note: str = ""  # the last thing worth telling the user (why it stopped, what was found)

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


def marker_name(old_name: str, rotation_id: str, today: str | None = None) -> str:
    """`Production Server (rotated 2026-11-28 a1b2c3d4)`, cut to MySSL's 100 characters."""
    suffix = f" (rotated {today or datetime.now(UTC).strftime('%Y-%m-%d')} {rotation_id})"
    return old_name[: 100 - len(suffix)].rstrip() + suffix


class JournalStore:
    """`rotations/<id>.json` under the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = data_dir / "rotations"

    def path_for(self, rotation_id: str) -> Path:
        return self.folder / f"{rotation_id}.json"

    def save(self, rotation: Rotation) -> Rotation:
        document = asdict(rotation)
        document["state"] = rotation.state.value
        write_atomic(self.path_for(rotation.id), (json.dumps(document, indent=2) + "\n").encode())
        return rotation

    def load(self, rotation_id: str) -> Rotation:
        document = json.loads(self.path_for(rotation_id).read_text())
        known = {f.name for f in fields(Rotation)}
        values = {k: v for k, v in document.items() if k in known}
        values["state"] = State(values["state"])
        for name in ("permissions", "targets", "delivered"):
            values[name] = tuple(values.get(name, ()))
        return Rotation(**values)

    def all(self) -> list[Rotation]:
        if not self.folder.is_dir():
            return []
        found = []
        for path in sorted(self.folder.glob("*.json")):
            try:
                found.append(self.load(path.stem))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a damaged journal is reported by `rotations`, not fatal here
        return sorted(found, key=lambda r: r.created_at)

    def in_progress(self, profile_id: str | None = None) -> list[Rotation]:
        return [r for r in self.all() if not r.state.finished and (profile_id is None or r.profile_id == profile_id)]

    def active_for_key(self, profile_id: str, key_id: int) -> Rotation | None:
        return next((r for r in self.in_progress(profile_id) if r.old_key_id == key_id), None)
