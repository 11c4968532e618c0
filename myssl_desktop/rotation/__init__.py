"""Guided rotation: replace a key without downtime, resumable at any instant (no Qt).

    planned -> created -> delivered -> verified -> draining -> revoked | scheduled -> done
    (or cancelled, from any state before the old key is revoked)

`RotationMachine` is the only code that performs the steps; `runner` advances every rotation
in progress (the app's background runner and `myssl-keys rotations run`).
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each name loads its module on first use: the window's key list, which only needs the targets,
# would otherwise wait ~15 ms for the whole machine and journal at start-up.
_HOMES = {
    "CRASH_AT": "machine",
    "CommandTarget": "targets",
    "Contents": "targets",
    "DEFAULT_VARIABLE": "targets",
    "Damaged": "journal",
    "Delivery": "targets",
    "DeliveryFailed": "outcomes",
    "DrainStatus": "outcomes",
    "EnvFileTarget": "targets",
    "Finished": "outcomes",
    "Holds": "targets",
    "JournalDamaged": "journal",
    "JournalStore": "journal",
    "KeyLimit": "outcomes",
    "KeychainTarget": "targets",
    "ManualTarget": "targets",
    "NeedsConfirmation": "outcomes",
    "NeedsUser": "outcomes",
    "NewKeyRejected": "outcomes",
    "NoKeyToActWith": "machine",
    "Outcome": "outcomes",
    "Preflight": "machine",
    "Progress": "outcomes",
    "RememberedTargets": "remembered",
    "Rotation": "journal",
    "RotationError": "machine",
    "RotationMachine": "machine",
    "SnippetTarget": "targets",
    "State": "journal",
    "Target": "targets",
    "TargetChanged": "targets",
    "TargetFailed": "targets",
    "TargetState": "journal",
    "Waiting": "outcomes",
    "WaitingForTicks": "outcomes",
    "snippets": "targets",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


__all__ = ["CRASH_AT", "DEFAULT_VARIABLE", "CommandTarget", "Contents", "Damaged", "Delivery", "DeliveryFailed",
           "DrainStatus", "EnvFileTarget", "Finished", "Holds", "JournalDamaged", "JournalStore", "KeyLimit",
           "KeychainTarget", "ManualTarget", "NeedsConfirmation", "NeedsUser", "NewKeyRejected", "NoKeyToActWith",
           "Outcome", "Preflight", "Progress", "RememberedTargets", "Rotation", "RotationError", "RotationMachine",
           "SnippetTarget", "State", "Target", "TargetChanged", "TargetFailed", "TargetState", "Waiting",
           "WaitingForTicks", "snippets"]
