"""PyInstaller runtime hook (Linux): AES-CBC for SecretStorage from the bundle's OpenSSL.

SecretStorage talks to the Secret Service over D-Bus in an encrypted session
(dh-ietf1024-sha256-aes128-cbc-pkcs7). It does the Diffie-Hellman exchange, the key
derivation and the PKCS#7 padding itself, in Python, and takes only raw AES-CBC from the
`cryptography` package: ``Cipher(algorithms.AES(key), modes.CBC(iv), default_backend())``
and its ``encryptor()``/``decryptor()``. `cryptography` is 12 MB of the bundle (its own
statically linked OpenSSL). The bundle already carries OpenSSL's libcrypto for Python's
hashlib and ssl, so the frozen app leaves `cryptography` out (trim.EXCLUDED_MODULES) and
this hook provides those few names, backed by libcrypto's EVP interface.

Only ever installed in the frozen Linux app, and only when no real `cryptography` can be
imported; anything else asked of the package still fails to import, as it would without
it. tests/test_secretstorage_aes.py checks it against NIST vectors, against `cryptography`,
and through SecretStorage against gnome-keyring; the .deb's self-test uses it for real.
"""

from __future__ import annotations

import ctypes
import functools
import sys
import types
from importlib.machinery import ModuleSpec
from importlib.util import find_spec

BLOCK = 16
MAX_LENGTH = 2**31 - 1  # OpenSSL takes lengths as C ints


def libcrypto() -> ctypes.CDLL:
    """The libcrypto that Python's own _hashlib is linked to (the bundle's copy when frozen).

    Symbols are looked up through _hashlib's handle, which searches its dependencies: no
    path is searched or guessed, so no other library can stand in for OpenSSL."""
    import _hashlib

    path = getattr(_hashlib, "__file__", None)
    if not path:
        raise ImportError("_hashlib is built into this Python; the keychain's AES session needs libcrypto")
    lib = ctypes.CDLL(path)
    try:
        lib.EVP_aes_128_cbc  # noqa: B018 - resolves through _hashlib's dependencies
    except AttributeError:
        raise ImportError("_hashlib is not linked to OpenSSL's libcrypto") from None
    return lib


_INT_P = ctypes.POINTER(ctypes.c_int)
# name: (return type, argument types), as OpenSSL declares them
_SIGNATURES = {
    "EVP_CIPHER_CTX_new": (ctypes.c_void_p, []),
    "EVP_CIPHER_CTX_free": (None, [ctypes.c_void_p]),
    "EVP_CIPHER_CTX_set_padding": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
    "EVP_CipherInit_ex": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                         ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int]),
    "EVP_CipherUpdate": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _INT_P, ctypes.c_char_p, ctypes.c_int]),
    "EVP_CipherFinal_ex": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, _INT_P]),
    "ERR_clear_error": (None, []),
    "EVP_aes_128_cbc": (ctypes.c_void_p, []),
    "EVP_aes_192_cbc": (ctypes.c_void_p, []),
    "EVP_aes_256_cbc": (ctypes.c_void_p, []),
}


class _OpenSSL:
    def __init__(self) -> None:
        lib = libcrypto()
        for name, (restype, argtypes) in _SIGNATURES.items():
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
        self.lib = lib
        # by key length in bytes
        self.ciphers = {16: lib.EVP_aes_128_cbc(), 24: lib.EVP_aes_192_cbc(), 32: lib.EVP_aes_256_cbc()}


@functools.cache  # set up once, on first use
def _lib() -> _OpenSSL:
    return _OpenSSL()


# --- the names SecretStorage imports ----------------------------------------------------

def default_backend() -> None:
    return None


class AES:
    name = "AES"
    block_size = BLOCK * 8

    def __init__(self, key: bytes) -> None:
        if len(key) not in (16, 24, 32):
            raise ValueError(f"Invalid key size ({len(key) * 8}) for AES.")
        self.key = bytes(key)


class CBC:
    name = "CBC"

    def __init__(self, initialization_vector: bytes) -> None:
        if len(initialization_vector) != BLOCK:
            raise ValueError(f"Invalid IV size ({len(initialization_vector)}) for CBC.")
        self.initialization_vector = bytes(initialization_vector)


class _CipherContext:
    """One encryption or decryption, no padding (the caller pads), as cryptography's is."""

    def __init__(self, algorithm: AES, mode: CBC, encrypt: bool) -> None:
        self._ctx = None
        openssl = _lib()
        self._lib = openssl.lib
        self._ctx = self._lib.EVP_CIPHER_CTX_new()
        if not self._ctx:
            raise MemoryError("EVP_CIPHER_CTX_new failed")
        cipher = openssl.ciphers[len(algorithm.key)]
        if (self._lib.EVP_CipherInit_ex(self._ctx, cipher, None, algorithm.key,
                                        mode.initialization_vector, 1 if encrypt else 0) != 1
                or self._lib.EVP_CIPHER_CTX_set_padding(self._ctx, 0) != 1):
            self._free()
            self._failed("OpenSSL could not set up AES-CBC")

    def update(self, data: bytes) -> bytes:
        if self._ctx is None:
            raise ValueError("Context was already finalized.")
        if len(data) > MAX_LENGTH - BLOCK:
            raise ValueError("Too much data for one update.")
        out = ctypes.create_string_buffer(len(data) + BLOCK)
        written = ctypes.c_int(0)
        if self._lib.EVP_CipherUpdate(self._ctx, out, ctypes.byref(written), bytes(data), len(data)) != 1:
            self._failed("OpenSSL AES-CBC update failed")
        return out.raw[:written.value]

    def finalize(self) -> bytes:
        if self._ctx is None:
            raise ValueError("Context was already finalized.")
        out = ctypes.create_string_buffer(BLOCK)
        written = ctypes.c_int(0)
        try:
            if self._lib.EVP_CipherFinal_ex(self._ctx, out, ctypes.byref(written)) != 1:
                self._failed("The length of the provided data is not a multiple of the block length.")
            return out.raw[:written.value]
        finally:
            self._free()

    def _failed(self, message: str) -> None:
        self._lib.ERR_clear_error()  # leave no stale error for Python's own ssl and hashlib
        raise ValueError(message)

    def _free(self) -> None:
        if self._ctx is not None:
            self._lib.EVP_CIPHER_CTX_free(self._ctx)
            self._ctx = None

    def __del__(self) -> None:
        self._free()


class Cipher:
    def __init__(self, algorithm: AES, mode: CBC, backend: object = None) -> None:
        if not isinstance(algorithm, AES) or not isinstance(mode, CBC):
            raise TypeError("only AES in CBC mode is provided here")
        self.algorithm, self.mode = algorithm, mode

    def encryptor(self) -> _CipherContext:
        return _CipherContext(self.algorithm, self.mode, encrypt=True)

    def decryptor(self) -> _CipherContext:
        return _CipherContext(self.algorithm, self.mode, encrypt=False)


# --- installation -------------------------------------------------------------------------

def modules() -> dict[str, types.ModuleType]:
    """The module objects standing in for the parts of `cryptography` SecretStorage imports."""
    made = {}
    for name in ("cryptography", "cryptography.hazmat", "cryptography.hazmat.backends",
                 "cryptography.hazmat.primitives", "cryptography.hazmat.primitives.ciphers"):
        module = made[name] = types.ModuleType(name, __doc__)
        module.__path__ = []  # a package: its submodules resolve through sys.modules only
        module.__spec__ = ModuleSpec(name, None, is_package=True)
    made["cryptography.hazmat.backends"].default_backend = default_backend
    ciphers = made["cryptography.hazmat.primitives.ciphers"]
    ciphers.Cipher = Cipher
    ciphers.algorithms = types.SimpleNamespace(AES=AES)
    ciphers.modes = types.SimpleNamespace(CBC=CBC)
    for name, module in made.items():  # attribute access along the dotted path
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(made[parent], child, module)
    return made


def install() -> bool:
    """Register the stand-in unless a real `cryptography` is importable. True if installed."""
    if "cryptography" in sys.modules or find_spec("cryptography") is not None:
        return False
    sys.modules.update(modules())
    return True


if getattr(sys, "frozen", False) and sys.platform.startswith("linux"):
    install()
