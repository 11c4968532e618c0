"""What a new rotation's plan starts with: where the key lives, and the last choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...revoke_when import RevokeWhen
    from ...rotation import Rotation, Target


@dataclass(frozen=True)
class Prefill:
    targets: list[Target]
    quiet_period_s: int | None = None
    revoke: RevokeWhen | None = None

    @staticmethod
    def of(rotation: Rotation) -> Prefill:
        """The same places and choices as `rotation` (to start again after a cancel)."""
        return Prefill(list(rotation.targets), rotation.quiet_period_s, rotation.revoke)
