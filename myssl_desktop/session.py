"""What the app or a command acts for: a signed-in profile (or the sandbox's), its client, the
keychain its shown-once secrets go to, and the sign-in key's permissions. No Qt: the window and
the CLI share it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api.client import MysslClient
    from .keyactions import KeyActions
    from .keychain import Keychain
    from .profiles import Profile
    from .services import Services


@dataclass(frozen=True)
class Session:
    profile: Profile
    client: MysslClient
    keychain: Keychain | None = None  # where shown-once secrets go (None: the system's, for read-only use)
    permissions: tuple[str, ...] = ()  # the sign-in key's: a new key cannot get more
    is_sandbox: bool = False  # the built-in sandbox's demo account
    services: Services | None = None  # where this session's profile, journals and secrets live
    checked: bool = True  # MySSL confirmed the key (False: opened offline from the keychain alone)

    @cached_property
    def actions(self) -> KeyActions:
        from .keyactions import KeyActions
        from .keychain import Keychain

        activity = self.services.activity if self.services is not None else None
        return KeyActions(self.client, self.keychain or Keychain(), self.profile, activity=activity)

    @property
    def environment(self) -> str:
        """"production", "staging", "development", or "sandbox"."""
        return "sandbox" if self.is_sandbox else self.profile.environment

    @property
    def title(self) -> str:
        """The account as the window names it."""
        return "Sandbox (demo data)" if self.is_sandbox else self.profile.name

    @classmethod
    def for_profile(cls, services: Services, profile: Profile) -> Session:
        """The profile's session with its key from the keychain (no request is made)."""
        return cls(profile, services.signin.open(profile), services.keychain, services=services, checked=False)

    @classmethod
    def verified(cls, services: Services, profile: Profile, *, is_sandbox: bool = False) -> Session:
        """The profile's session after asking MySSL about its key: the tier and the key's
        permissions are current, and a revoked key fails here (InvalidApiKey)."""
        client = services.signin.open(profile)
        current = client.current()
        profile = replace(profile, tier=current.account.tier, key_prefix=current.api_key.prefix)
        return cls(profile, client, services.keychain, current.api_key.permissions, is_sandbox, services)


__all__ = ["Session"]
