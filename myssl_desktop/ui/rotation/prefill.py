"""What a new rotation's plan starts with: where the key lives, and the last choices."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...rotation import Rotation, Target


@dataclass(frozen=True)
class Prefill:
    """What a new rotation's plan starts with: where the key lives, and the last choices."""

    targets: list[Target]
    quiet_period_s: int | None = None
    revoke: str | None = None

    @staticmethod
    def of(rotation: Rotation) -> Prefill:
        from ...rotation.targets import target_from

        targets = [target_from({k: v for k, v in spec.items() if k != "read_digest"}) for spec in rotation.targets]
        return Prefill(targets, rotation.quiet_period_s, rotation.revoke)
