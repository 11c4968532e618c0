"""Guided rotation: replace a key without downtime, resumable at any instant (no Qt).

    planned -> created -> delivered -> verified -> draining -> revoked | scheduled -> done
    (or cancelled, from any state before the old key is revoked)
"""

from .engine import REVOKE_CHOICES, DrainStatus, RotationEngine, RotationError, VerifyFailed
from .journal import JournalStore, Rotation, State
from .targets import (
           EnvFileTarget,
           KeychainTarget,
           ManualTarget,
           SnippetTarget,
           Target,
           TargetChanged,
           TargetFailed,
           snippets,
)

__all__ = ["REVOKE_CHOICES", "DrainStatus", "EnvFileTarget", "JournalStore", "KeychainTarget", "ManualTarget",
           "Rotation", "RotationEngine", "RotationError", "SnippetTarget", "State", "Target", "TargetChanged",
           "TargetFailed", "VerifyFailed", "snippets"]
