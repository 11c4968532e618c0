from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.profiles import Profile
from myssl_desktop.rotation import JournalStore, RotationEngine
from myssl_desktop.services import Services


@pytest.fixture
def signed_in(services: Services, sandbox) -> Profile:
    profile, _ = services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))
    return profile


@pytest.fixture
def engine(services: Services, sandbox, signed_in: Profile) -> RotationEngine:
    client = services.signin.open(signed_in)
    return RotationEngine(client, services.keychain, JournalStore(services.dirs.data), signed_in,
                          profiles=services.profiles)


@pytest.fixture
def app_key(sandbox):
    """A key an application uses, with its secret in a .env file."""
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    return admin.create_key("Production Server", ["domains:read"])


def env_file(folder: Path, secret: Secret, text: str | None = None) -> Path:
    path = folder / ".env"
    path.write_bytes((text or "# app settings\nDEBUG=0\nMYSSL_API_KEY={secret}\n").format(
        secret=secret.reveal()).encode())
    path.chmod(0o640)
    return path


def keychain_holds(keychain: Keychain, entry: str) -> bool:
    return keychain.load(entry) is not None


__all__ = ["Entry", "env_file", "keychain_holds"]
