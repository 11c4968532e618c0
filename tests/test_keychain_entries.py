"""Keychain entries a person understands (labels, in the real Secret Service), and none left
behind: forgetting a profile removes all of them, and a revoke removes the revoked key's."""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import closing

import secretstorage

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.keychain import SERVICE, Entry
from myssl_desktop.profiles import Profile
from myssl_desktop.session import Session


def label_of(entry: str) -> str:
    with closing(secretstorage.dbus_init()) as bus:
        items = list(secretstorage.get_default_collection(bus).search_items({"service": SERVICE, "username": entry}))
        assert len(items) == 1, entry
        return items[0].get_label()


def test_entries_carry_labels_a_person_understands(services, sandbox) -> None:
    profile, _ = services.signin.sign_in(Profile.new("work", sandbox.base_url), Secret(sandbox.admin_key))
    assert label_of(Entry.sign_in(profile.id)) == "MySSL sign-in key “Sandbox admin” (profile work)"
    created = Session.for_profile(services, profile).actions.create("Production Server", ["domains:read"])
    assert label_of(Entry.created_key(profile.id, created.api_key.id)) == \
        "MySSL key “Production Server” (profile work)"


def test_forgetting_a_profile_removes_every_entry_after_saying_how_many(services, sandbox) -> None:
    profile, _ = services.signin.sign_in(Profile.new("work", sandbox.base_url), Secret(sandbox.admin_key))
    actions = Session.for_profile(services, profile).actions
    made = [actions.create(name, ["domains:read"]).api_key for name in ("CI", "Staging")]
    entries = [Entry.sign_in(profile.id), *(Entry.created_key(profile.id, k.id) for k in made)]
    assert all(services.keychain.load(e) is not None for e in entries)
    assert "3 keychain entries (its sign-in key and the secrets of 2 keys created here)" in \
        services.signin.forget_question(profile)
    result = subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "forget", "--profile", "work", "--yes"],
                            capture_output=True, text=True, env=dict(os.environ), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "removed 3 entries" in result.stdout
    assert [services.keychain.load(e) for e in entries] == [None, None, None]
    assert services.profiles.load().find("work") is None


def test_a_revoke_removes_the_revoked_keys_kept_secret(services, sandbox) -> None:
    profile, _ = services.signin.sign_in(Profile.new("work", sandbox.base_url), Secret(sandbox.admin_key))
    actions = Session.for_profile(services, profile).actions
    key = actions.create("Old laptop", ["domains:read"]).api_key
    entry = Entry.created_key(profile.id, key.id)
    assert services.keychain.load(entry) is not None
    actions.revoke(key)
    assert services.keychain.load(entry) is None
    later = actions.create("Expires later", ["domains:read"]).api_key  # revoked elsewhere: removed on the next list
    MysslClient(sandbox.base_url, sandbox.admin_key).revoke_key(later.id)
    assert actions.forget_revoked_secrets(actions.client.all_keys()) == 1
    assert services.keychain.load(Entry.created_key(profile.id, later.id)) is None
