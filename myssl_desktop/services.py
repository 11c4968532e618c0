"""The Qt-free services, built once and shared by the app and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

from .keychain import Keychain
from .paths import AppDirs
from .profiles import ProfileStore
from .signin import SignInService


@dataclass
class Services:
    dirs: AppDirs
    profiles: ProfileStore
    keychain: Keychain
    signin: SignInService

    @classmethod
    def build(cls, dirs: AppDirs | None = None, keychain: Keychain | None = None) -> Services:
        dirs = dirs or AppDirs.default()
        profiles = ProfileStore(dirs.config)
        keychain = keychain or Keychain()
        return cls(dirs=dirs, profiles=profiles, keychain=keychain,
                   signin=SignInService(profiles, keychain))
