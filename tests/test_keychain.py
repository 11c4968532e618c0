"""The keychain module against the real Secret Service (gnome-keyring in the private
D-Bus session that packaging/dev/run-tests.sh starts), and without any keychain."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from myssl_desktop.api import Secret
from myssl_desktop.keychain import (
    SERVICE,
    Entry,
    Keychain,
    KeychainError,
    KeychainLocked,
    KeychainUnavailable,
    SecretTooLarge,
)
from tests.support import MemoryKeyring, random_secret


def test_store_load_delete_in_the_secret_service(real_keychain: Keychain) -> None:
    import keyring

    entry = Entry.sign_in(uuid.uuid4().hex[:12])
    secret = Secret(random_secret())
    real_keychain.store(entry, secret)
    assert keyring.get_password(SERVICE, entry) == secret.reveal()  # really under our service
    assert real_keychain.load(entry) == secret
    assert real_keychain.delete(entry) is True
    assert real_keychain.load(entry) is None
    assert real_keychain.delete(entry) is False


def test_entries_are_named_by_what_they_hold() -> None:
    assert Entry.sign_in("p1") == "profile/p1/sign-in"
    assert Entry.created_key("p1", 7) == "profile/p1/key/7"
    assert Entry.rotation("r1", "new") == "rotation/r1/new"


def test_without_a_secret_service_nothing_is_stored() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/bus"
    script = (
        "from myssl_desktop.keychain import Keychain, KeychainUnavailable\n"
        "from myssl_desktop.api import Secret\n"
        "k = Keychain()\n"
        "try:\n    k.store('x', Secret('myssl_k_abc'))\n"
        "except KeychainUnavailable as e:\n    print('unavailable:', e)\n"
        "print(k.backend_name())\n")
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert "unavailable: No keychain is available" in out
    assert "gnome-keyring" in out.lower() or "GNOME Keyring" in out
    assert "keyring.backends.fail.Keyring" in out


def test_plaintext_backends_are_refused() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass

    with pytest.raises(KeychainUnavailable):
        Keychain(PlaintextKeyring()).store("x", Secret("myssl_k_abc"))


def test_windows_size_limit_is_checked_before_writing() -> None:
    class WinVault(MemoryKeyring):
        pass

    WinVault.__module__ = "keyring.backends.Windows"
    backend = WinVault()
    keychain = Keychain(backend)
    keychain.store("ok", Secret("myssl_k_" + "a" * 40))
    with pytest.raises(SecretTooLarge):
        keychain.store("big", Secret("myssl_k_" + "a" * 1300))
    assert ("myssl-desktop", "big") not in backend.entries


def test_a_locked_keychain_says_so() -> None:
    from keyring.errors import KeyringLocked

    class Locked(MemoryKeyring):
        def set_password(self, service: str, username: str, password: str) -> None:
            raise KeyringLocked("Failed to unlock the collection!")

    with pytest.raises(KeychainLocked, match="locked"):
        Keychain(Locked()).store("x", Secret("myssl_k_abc"))


def test_an_index_that_cannot_be_written_stops_a_store_before_the_keychain(tmp_path) -> None:
    in_the_way = tmp_path / "data"
    in_the_way.write_text("")  # a file where the data folder should be
    backend = MemoryKeyring()
    keychain = Keychain(backend, index=in_the_way / "keychain-entries.json")
    with pytest.raises(KeychainError, match="keychain entries .* cannot be written .* the secret was not stored"):
        keychain.store("profile/p/key/1", Secret(random_secret()))
    assert backend.entries == {}
    backend.set_password("myssl-desktop", "profile/p/key/2", random_secret())
    assert keychain.delete("profile/p/key/2") is True  # a stale name left in the index is harmless
    assert backend.entries == {}
