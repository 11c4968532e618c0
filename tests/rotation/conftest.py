from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.api import MysslClient, RetryPolicy, Secret
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.profiles import Profile
from myssl_desktop.rotation import RotationMachine
from myssl_desktop.services import Services

NO_SLEEP = RetryPolicy(sleep=lambda seconds: None)


@pytest.fixture
def signed_in(services: Services, sandbox) -> Profile:
    profile, _ = services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))
    return profile


@pytest.fixture
def machine(services: Services, signed_in: Profile) -> RotationMachine:
    """The services' rotation machine, with clients whose retries do not sleep (faults here are
    permanent until a test lifts them)."""
    machine = services.rotations
    machine._connect = lambda base_url, secret: MysslClient(base_url, secret, retry=NO_SLEEP)
    return machine


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
