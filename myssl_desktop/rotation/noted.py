"""Rotations in the activity log: every journal save that moves a rotation on is noted.

The journal is where every step of a rotation is recorded before and after it happens, by the
window, `myssl-keys rotate` or `rotations run` alike; noting its saves covers them all without
touching the state machine. One entry per change of state (and per new problem for the user).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from .journal import JournalStore, Rotation, State

if TYPE_CHECKING:
    from pathlib import Path

    from ..activity import ActivityLog

log = logging.getLogger(__name__)

WORDS = {
    State.CREATED: "new key created, its secret kept in the keychain",
    State.DELIVERED: "new key delivered to every place",
    State.VERIFIED: "new key verified with MySSL",
    State.DRAINING: "began watching the old key fall silent",
    State.REVOKED: "old key revoked",
    State.SCHEDULED: "old key's revoke scheduled",
    State.DONE: "finished",
    State.CANCELLED: "cancelled: every place put back, the new key revoked",
}


class NotedJournalStore(JournalStore):
    def __init__(self, data_dir: Path, activity: ActivityLog, profile_name: Callable[[str], str]) -> None:
        super().__init__(data_dir)
        self.activity = activity
        self.profile_name = profile_name  # a profile id's name ("" when it is gone)

    def save(self, rotation: Rotation) -> Rotation:
        try:
            before: Rotation | None = self.load(rotation.id)
        except Exception:  # new, or damaged: nothing to compare with
            before = None
        saved = super().save(rotation)
        try:
            self._note(before, saved)
        except Exception as error:  # the journal is saved: a log that cannot be written changes nothing
            log.warning("could not note rotation %s in the activity log: %s", rotation.id, error)
        return saved

    def _note(self, before: Rotation | None, now: Rotation) -> None:
        if before is None:
            places = len(now.targets)
            self._record(now, "planned", f"to “{now.new_key_name}”, {places} place{'' if places == 1 else 's'}")
        elif now.state == State.REVOKED and now.state != before.state and now.revoked_elsewhere:
            self._record(now, "old key found revoked, not by this rotation", now.note)
        elif now.state != before.state and now.state in WORDS:
            # A prefix as the Key column shows it: the start of a key, not all of it.
            self._record(now, WORDS[now.state], f"new key {now.new_prefix}…" if now.new_prefix else "")
        elif now.cancelling and not before.cancelling:
            self._record(now, "cancel begun")
        if now.attention and now.attention != (before.attention if before else ""):
            self._record(now, "needs you", outcome=now.attention)

    def _record(self, rotation: Rotation, what: str, detail: str = "", *, outcome: str = "done") -> None:
        self.activity.record(self.profile_name(rotation.profile_id), f"rotate: {what}",
                             key_name=rotation.old_key_name, key_prefix=rotation.old_prefix,
                             key_id=rotation.old_key_id, outcome=outcome, detail=detail)


__all__ = ["NotedJournalStore"]
