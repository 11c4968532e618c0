"""What the window is connected to: a profile (or the sandbox) and its client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.client import MysslClient
    from ..profiles import Profile

ENVIRONMENT_COLOURS = {"production": "#c62828", "staging": "#ef6c00", "development": "#2e7d32",
                       "sandbox": "#6a1b9a"}


@dataclass(frozen=True)
class Session:
    profile: Profile
    client: MysslClient
    sandbox: Any = None  # the in-process Sandbox when running --sandbox

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    @property
    def environment(self) -> str:
        return "sandbox" if self.is_sandbox else self.profile.environment

    @property
    def colour(self) -> str:
        return ENVIRONMENT_COLOURS[self.environment]
