"""Guided rotation: replace a key without downtime, resumable at any instant (no Qt).

    planned -> created -> delivered -> verified -> draining -> revoked | scheduled -> done
    (or cancelled, from any state before the old key is revoked)

`RotationMachine` is the only code that performs the steps; `runner` advances every rotation
in progress (the app's background runner and `myssl-keys rotations run`).
"""

from .journal import Damaged, JournalDamaged, JournalStore, Rotation, State, TargetState
from .machine import CRASH_AT, NoKeyToActWith, Preflight, RotationError, RotationMachine
from .outcomes import (
    DeliveryFailed,
    DrainStatus,
    Finished,
    KeyLimit,
    NeedsConfirmation,
    NeedsUser,
    NewKeyRejected,
    Outcome,
    Progress,
    Waiting,
    WaitingForTicks,
)
from .remembered import RememberedTargets
from .targets import (
    DEFAULT_VARIABLE,
    CommandTarget,
    Contents,
    Delivery,
    EnvFileTarget,
    Holds,
    KeychainTarget,
    ManualTarget,
    SnippetTarget,
    Target,
    TargetChanged,
    TargetFailed,
    snippets,
)

__all__ = ["CRASH_AT", "DEFAULT_VARIABLE", "CommandTarget", "Contents", "Damaged", "Delivery", "DeliveryFailed",
           "DrainStatus", "EnvFileTarget", "Finished", "Holds", "JournalDamaged", "JournalStore", "KeyLimit",
           "KeychainTarget", "ManualTarget", "NeedsConfirmation", "NeedsUser", "NewKeyRejected", "NoKeyToActWith",
           "Outcome", "Preflight", "Progress", "RememberedTargets", "Rotation", "RotationError", "RotationMachine",
           "SnippetTarget", "State", "Target", "TargetChanged", "TargetFailed", "TargetState", "Waiting",
           "WaitingForTicks", "snippets"]
