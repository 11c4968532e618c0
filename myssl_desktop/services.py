"""The Qt-free services, built once and shared by the app and the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .keychain import Keychain
from .paths import AppDirs
from .profiles import ProfileStore
from .signin import SignInService

if TYPE_CHECKING:
    from .activity import ActivityLog
    from .rotation import RotationMachine


@dataclass
class Services:
    dirs: AppDirs
    profiles: ProfileStore
    keychain: Keychain
    signin: SignInService
    _rotations: RotationMachine | None = field(default=None, repr=False)

    @classmethod
    def build(cls, dirs: AppDirs | None = None, keychain: Keychain | None = None) -> Services:
        dirs = dirs or AppDirs.default()
        profiles = ProfileStore(dirs.config)
        keychain = keychain or Keychain()
        if keychain.index is None:
            keychain.index = dirs.data / "keychain-entries.json"  # what forgetting a profile removes
        return cls(dirs=dirs, profiles=profiles, keychain=keychain,
                   signin=SignInService(profiles, keychain))

    @property
    def activity(self) -> ActivityLog:
        """What this app (window or command line) did to which key, in the data folder."""
        from .activity import ActivityLog

        return ActivityLog(self.dirs.data)

    @property
    def rotations(self) -> RotationMachine:
        """The rotation state machine over this data folder's journals (built on first use)."""
        if self._rotations is None:
            from .rotation import RememberedTargets, RotationMachine
            from .rotation.noted import NotedJournalStore

            def profile_name(profile_id: str) -> str:
                found = self.profiles.load().find(profile_id)
                return found.name if found is not None else ""

            store = NotedJournalStore(self.dirs.data, self.activity, profile_name)
            self._rotations = RotationMachine(store=store, keychain=self.keychain,
                                              profiles=self.profiles, remembered=RememberedTargets(self.dirs.data),
                                              locks=self.dirs.data / "locks")
        return self._rotations
