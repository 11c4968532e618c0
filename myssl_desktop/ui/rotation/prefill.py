"""What a new rotation's plan starts with: where the key lives, the last choices, and for a
key a scan found, the files it was found in (an exposed key: a quick revoke, and why)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...revoke_when import RevokeWhen
from ...scan.words import exposure

if TYPE_CHECKING:
    from ...rotation import Rotation, Target
    from ...scan import Hit

EXPOSED_QUIET_S = 2 * 60  # an exposed key is revoked this soon after its places have the new one


@dataclass(frozen=True)
class Prefill:
    targets: list[Target]
    quiet_period_s: int | None = None
    revoke: RevokeWhen | None = None
    note: str = ""  # why the plan is filled in as it is (rich text), shown above it

    @staticmethod
    def of(rotation: Rotation) -> Prefill:
        """The same places and choices as `rotation` (to start again after a cancel)."""
        return Prefill(list(rotation.targets), rotation.quiet_period_s, rotation.revoke)

    def with_found(self, places: list[Target], hits: Sequence[Hit], *, exposed: bool) -> Prefill:
        """This plan (the key's last rotation) with the places a scan found put first. For an
        exposed key: a short quiet period, the old key revoked at once, and why."""
        targets = [*places, *(t for t in self.targets if t not in places)]
        if exposed:
            return Prefill(targets, EXPOSED_QUIET_S, RevokeWhen.NOW, _exposed_words(hits, bool(places)))
        return Prefill(targets, self.quiet_period_s, self.revoke, _found_words(bool(places), bool(self.targets)))


def _found_words(found: bool, remembered: bool) -> str:
    if not found:
        return "The files the scan found this key in no longer hold it. Add the places where it lives now."
    also = ", and the places of its last rotation" if remembered else ""
    return f"Filled in: where the scan found this key{also}. Check they are still right."


def _exposed_words(hits: Sequence[Hit], found: bool) -> str:
    places = ("The files where it was found are filled in. " if found else
              "No file holds it now: add the places where it lives. ")
    return (f"<b>This key is exposed:</b> it is in {exposure(hits)}. Whoever can read that history has it, and "
            "rewriting history (a force push, git filter-repo, BFG) does not take it back: clones, forks and "
            f"caches keep it. Only revoking it helps.<br>{places}Once every place has the new key, the old "
            f"key is revoked as soon as it has been quiet for {EXPOSED_QUIET_S // 60} minutes. If it is still "
            "used after that, that may be whoever found it: revoke it from the watch page without waiting.")
