"""What the window is connected to: a profile (or the sandbox) and its client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.client import MysslClient
    from ..profiles import Profile

# Mid-tones that stay readable on light and dark backgrounds.
ENVIRONMENT_COLOURS = {"production": "#e53935", "staging": "#fb8c00", "development": "#43a047",
                       "sandbox": "#ab47bc"}


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
