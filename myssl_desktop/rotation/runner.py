"""Advance every rotation in progress as far as it can go now, for all profiles: what the app's
background runner does every little while, and what `myssl-keys rotations run` does once (or
until they are done). A rotation another process is working on is skipped this time."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import describe
from ..filelocks import Busy
from .journal import Damaged, State
from .machine import RotationMachine
from .outcomes import Finished, NeedsUser, Outcome, Waiting


@dataclass(frozen=True)
class RunReport:
    rotation_id: str
    key_name: str
    outcome: Outcome | None = None
    error: str = ""  # a step failed (network, keychain): it is tried again next time
    busy: bool = False  # another process was working on it

    @property
    def retry_in_s(self) -> int | None:
        """When it is worth trying again: None when only the user (or nothing) can move it."""
        if self.busy or self.error:
            return 15
        if self.attended:
            return None
        if isinstance(self.outcome, Waiting):
            return self.outcome.retry_in_s
        return None

    @property
    def attended(self) -> bool:
        """Left for its wizard (nothing was tried)."""
        return self.outcome is None and not self.error and not self.busy

    @property
    def needs_user(self) -> bool:
        return isinstance(self.outcome, NeedsUser)

    @property
    def finished(self) -> bool:
        return isinstance(self.outcome, Finished)


# What runs without the user: the watch and what follows it (and a cancel begun). A rotation
# before that waits for its wizard, whose user goes on step by step.
UNATTENDED = (State.DRAINING, State.REVOKED, State.SCHEDULED)


def advance_all(machine: RotationMachine, *, unattended_only: bool = False,
                skip: frozenset[str] = frozenset()) -> tuple[list[RunReport], list[Damaged]]:
    """One pass over the rotations in progress; each goes on until it waits or needs the user.
    `unattended_only`: only those past verification (the app; `rotations run` takes all);
    `skip`: rotations someone is driving right now (an open wizard)."""
    rotations, damaged = machine.overview()
    reports = []
    for rotation in rotations:
        if rotation.state.finished or rotation.id in skip:
            continue
        if unattended_only and rotation.state not in UNATTENDED and not rotation.cancelling:
            reports.append(RunReport(rotation.id, rotation.old_key_name))
            continue
        try:
            outcome = _run(machine, rotation.id)
        except Busy:
            reports.append(RunReport(rotation.id, rotation.old_key_name, busy=True))
        except Exception as error:  # reported, and tried again on the next pass
            reports.append(RunReport(rotation.id, rotation.old_key_name, error=describe(error)))
        else:
            reports.append(RunReport(rotation.id, rotation.old_key_name, outcome))
    return reports, damaged


def _run(machine: RotationMachine, rotation_id: str) -> Outcome:
    while True:
        outcome = machine.step(rotation_id, wait_s=0)
        if isinstance(outcome, Waiting | NeedsUser | Finished):
            return outcome


__all__ = ["RunReport", "advance_all"]
