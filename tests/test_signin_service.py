"""Signing in through the service against the sandbox, with the real keychain."""

from __future__ import annotations

import errno

import pytest

from myssl_desktop.api import InvalidApiKey, MalformedKey, MysslClient, Secret
from myssl_desktop.keychain import Entry
from myssl_desktop.profiles import Profile
from myssl_desktop.services import Services
from myssl_desktop.signin import NotSignedIn, SignInRefused, access_for
from tests.support import random_secret


def test_sign_in_stores_the_key_then_the_profile(services: Services, sandbox) -> None:
    draft = Profile.new("Work", sandbox.base_url + "/", "staging")
    profile, verified = services.signin.sign_in(draft, Secret(sandbox.admin_key))
    assert verified.access == "full"
    assert profile.base_url == sandbox.base_url  # normalised
    assert profile.key_prefix == sandbox.admin_key[:12] and profile.key_name == "Sandbox admin"
    assert profile.tier == "enterprise" and profile.last_sign_in
    assert services.keychain.load(Entry.sign_in(profile.id)) == Secret(sandbox.admin_key)
    assert services.profiles.load().last == profile
    assert services.signin.open(profile).current().api_key.name == "Sandbox admin"


def test_access_levels() -> None:
    assert access_for(("keys:read", "keys:manage")) == "full"
    assert access_for(("domains:read", "keys:read")) == "read-only"
    with pytest.raises(SignInRefused, match="keys:read"):
        access_for(("domains:read", "keys:manage"))


def test_a_key_without_keys_read_is_refused_and_not_stored(services: Services, sandbox) -> None:
    narrow = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Narrow", ["domains:read"])
    draft = Profile.new("Narrow", sandbox.base_url)
    with pytest.raises(SignInRefused):
        services.signin.sign_in(draft, narrow.secret)
    assert services.keychain.load(Entry.sign_in(draft.id)) is None
    assert services.profiles.load().profiles == ()


def test_read_only_key_signs_in_read_only(services: Services, sandbox) -> None:
    reader = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Reader", ["keys:read"])
    profile, verified = services.signin.sign_in(Profile.new("R", sandbox.base_url), reader.secret)
    assert verified.access == "read-only" and profile.read_only


def test_unknown_and_malformed_keys_store_nothing(services: Services, sandbox) -> None:
    draft = Profile.new("X", sandbox.base_url)
    with pytest.raises(InvalidApiKey):
        services.signin.sign_in(draft, Secret(random_secret()))
    with pytest.raises(MalformedKey):
        services.signin.sign_in(draft, Secret("myssl_k_bad key"))
    assert services.profiles.load().profiles == ()
    assert services.keychain.load(Entry.sign_in(draft.id)) is None


def test_sign_out_and_forget(services: Services, sandbox) -> None:
    profile, _ = services.signin.sign_in(Profile.new("W", sandbox.base_url), Secret(sandbox.admin_key))
    assert services.signin.sign_out(profile) is True
    with pytest.raises(NotSignedIn, match="signed out"):
        services.signin.open(profile)
    assert services.profiles.load().find("W") is not None  # settings stay after sign-out
    services.signin.forget(profile)
    assert services.profiles.load().find("W") is None


def test_a_profile_that_cannot_be_saved_leaves_the_keychain_as_it_was(services: Services, sandbox,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    profile, _ = services.signin.sign_in(Profile.new("W", sandbox.base_url), Secret(sandbox.admin_key))
    second = MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Second", ["keys:read"]).secret

    def read_only(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system", str(services.profiles.path))

    monkeypatch.setattr(services.profiles, "put", read_only)
    with pytest.raises(OSError, match="Read-only"):
        services.signin.sign_in(profile, second)  # signing in again, with another key
    assert services.keychain.load(Entry.sign_in(profile.id)) == Secret(sandbox.admin_key)  # the old key is back
    fresh = Profile.new("New", sandbox.base_url)
    with pytest.raises(OSError, match="Read-only"):
        services.signin.sign_in(fresh, second)
    assert services.keychain.load(Entry.sign_in(fresh.id)) is None
