"""The frozen Linux app's stand-in for the AES-CBC that SecretStorage takes from
`cryptography` (packaging/pyinstaller/rthooks/secretstorage_aes.py): NIST vectors, the real
`cryptography` as a reference, and SecretStorage's encrypted session with gnome-keyring."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import load_module_file

HOOK = Path(__file__).parents[1] / "packaging" / "pyinstaller" / "rthooks" / "secretstorage_aes.py"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundles only")


def load_hook() -> ModuleType:
    return load_module_file(HOOK)  # not frozen: defines, installs nothing


# NIST SP 800-38A, F.2.1, F.2.3 and F.2.5 (CBC-AES128, -192 and -256), two blocks each.
IV = bytes.fromhex("000102030405060708090a0b0c0d0e0f")
PLAIN = bytes.fromhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51")
VECTORS = [
    ("2b7e151628aed2a6abf7158809cf4f3c", "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"),
    ("8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"),
    ("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"),
]


@pytest.mark.parametrize(("key", "cipher_text"), VECTORS)
def test_nist_vectors(key: str, cipher_text: str) -> None:
    aes = load_hook()
    cipher = aes.Cipher(aes.AES(bytes.fromhex(key)), aes.CBC(IV), aes.default_backend())
    encryptor = cipher.encryptor()
    assert (encryptor.update(PLAIN[:5]) + encryptor.update(PLAIN[5:]) + encryptor.finalize()).hex() == cipher_text
    decryptor = cipher.decryptor()
    encrypted = bytes.fromhex(cipher_text)
    assert decryptor.update(encrypted[:20]) + decryptor.update(encrypted[20:]) + decryptor.finalize() == PLAIN


def test_agrees_with_cryptography_both_ways() -> None:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    aes = load_hook()
    for size in (0, 16, 48, 4096):
        key, iv, data = os.urandom(16), os.urandom(16), os.urandom(size)
        ours = aes.Cipher(aes.AES(key), aes.CBC(iv)).encryptor()
        reference = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        encrypted = ours.update(data) + ours.finalize()
        assert encrypted == reference.update(data) + reference.finalize()
        back = aes.Cipher(aes.AES(key), aes.CBC(iv)).decryptor()
        assert back.update(encrypted) + back.finalize() == data


def test_misuse_fails_as_cryptography_does() -> None:
    aes = load_hook()
    with pytest.raises(ValueError, match="key size"):
        aes.AES(b"short")
    with pytest.raises(ValueError, match="IV size"):
        aes.CBC(b"short")
    for context in (aes.Cipher(aes.AES(bytes(16)), aes.CBC(bytes(16))).encryptor(),
                    aes.Cipher(aes.AES(bytes(16)), aes.CBC(bytes(16))).decryptor()):
        context.update(b"not a whole block")
        with pytest.raises(ValueError, match="multiple of the block length"):
            context.finalize()
        with pytest.raises(ValueError, match="already finalized"):
            context.update(b"more")
    peek = aes.libcrypto().ERR_peek_error
    peek.restype = ctypes.c_ulong
    assert peek() == 0  # no stale error left for Python's own ssl and hashlib on this thread


def test_openssl_is_reached_through_hashlib_never_by_searching_for_a_path() -> None:
    import _hashlib

    lib = load_hook().libcrypto()
    assert lib._name == _hashlib.__file__
    assert lib.EVP_aes_256_cbc  # resolved through _hashlib's own link to libcrypto


def test_stays_out_of_the_way_of_a_real_cryptography() -> None:
    assert load_hook().install() is False
    import cryptography

    assert cryptography.__file__ is not None  # still the real package


@pytest.mark.keychain
def test_secretstorage_keeps_secrets_with_gnome_keyring_through_it() -> None:
    """In a fresh interpreter where `cryptography` cannot be imported, as in the bundle."""
    script = textwrap.dedent(f"""
        import importlib.abc, importlib.util, sys, uuid

        class NoCryptography(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "cryptography" or name.startswith("cryptography."):
                    raise ImportError("cryptography is left out of the bundle")
                return None

        blocker = NoCryptography()
        sys.meta_path.insert(0, blocker)
        spec = importlib.util.spec_from_file_location("secretstorage_aes", {str(HOOK)!r})
        aes = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(aes)
        aes.find_spec = lambda name: None  # as in the bundle, where cryptography is left out
        assert aes.install() is True
        sys.meta_path.remove(blocker)  # from here on, as in the bundle: the stand-ins or nothing
        assert importlib.util.find_spec("cryptography.hazmat.backends").name == "cryptography.hazmat.backends"
        try:
            import cryptography.x509
        except ImportError:
            pass  # everything else of the package is still missing, as without it
        else:
            raise AssertionError("cryptography.x509 should not import")

        import keyring.backends.SecretService, secretstorage
        from secretstorage.util import open_session
        assert secretstorage.util.Cipher is aes.Cipher and secretstorage.item.Cipher is aes.Cipher
        connection = secretstorage.dbus_init()
        session = open_session(connection)
        assert session.encrypted and session.aes_key, "gnome-keyring should agree to the AES session"
        backend = keyring.backends.SecretService.Keyring()
        user, value = "aes/" + uuid.uuid4().hex, "myssl_k_" + uuid.uuid4().hex
        backend.set_password("myssl-desktop-test", user, value)
        try:
            assert backend.get_password("myssl-desktop-test", user) == value
        finally:
            backend.delete_password("myssl-desktop-test", user)
        assert backend.get_password("myssl-desktop-test", user) is None
        print("round trip ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "round trip ok"
