"""What the window is connected to: a profile (or the sandbox) and its client."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api.client import MysslClient
    from .keyactions import KeyActions
    from .keychain import Keychain
    from .profiles import Profile

# Mid-tones that stay readable on light and dark backgrounds.
ENVIRONMENT_COLOURS = {"production": "#e53935", "staging": "#fb8c00", "development": "#43a047",
                       "sandbox": "#ab47bc"}


@dataclass(frozen=True)
class Session:
    profile: Profile
    client: MysslClient
    sandbox: Any = None  # the in-process Sandbox when running --sandbox
    keychain: Keychain | None = None  # where shown-once secrets go (None: nowhere, read-only use)
    permissions: tuple[str, ...] = ()  # the sign-in key's: a new key cannot get more

    @cached_property
    def actions(self) -> KeyActions:
        from .keyactions import KeyActions
        from .keychain import DemoKeyring, Keychain

        keychain = self.keychain or Keychain(DemoKeyring() if self.is_sandbox else None)
        return KeyActions(self.client, keychain, self.profile)

    @property
    def is_sandbox(self) -> bool:
        return self.sandbox is not None

    @property
    def environment(self) -> str:
        return "sandbox" if self.is_sandbox else self.profile.environment

    @property
    def colour(self) -> str:
        return ENVIRONMENT_COLOURS[self.environment]
