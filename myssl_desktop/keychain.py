"""The only code that touches the OS keychain (through `keyring`).

Service name `myssl-desktop`; entries are named by what they hold (see `Entry`). When no
real keychain is usable the caller gets a `KeychainError` that says what to do, and the
secret goes nowhere else: no plaintext fallback, ever. Every call here can block (a
locked keychain prompts), so the GUI calls it from worker threads only.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
from pathlib import Path
from typing import Any

from .api.secret import Secret
from .atomicfile import write_atomic
from .errors import AppError

SERVICE = "myssl-desktop"
SYSTEM_KEYCHAIN = "your system keychain"  # Keychain.place() for the real one
WINDOWS_CREDENTIAL_LIMIT = 2560  # bytes of UTF-16 per Credential Manager secret


class Entry:
    """Names of keychain entries ("user names" under the service)."""

    @staticmethod
    def profile_prefix(profile_id: str) -> str:
        """What every entry of the profile starts with."""
        return f"profile/{profile_id}/"

    @staticmethod
    def sign_in(profile_id: str) -> str:
        return f"profile/{profile_id}/sign-in"

    @staticmethod
    def created_key(profile_id: str, key_id: int) -> str:
        return f"profile/{profile_id}/key/{key_id}"

    @staticmethod
    def rotation(rotation_id: str, label: str) -> str:
        return f"rotation/{rotation_id}/{label}"


def sign_in_label(key_name: str, profile_name: str) -> str:
    """How a profile's sign-in entry is labelled in the keychain."""
    return f"MySSL sign-in key “{key_name}” (profile {profile_name})"


def key_label(key_name: str, profile_name: str) -> str:
    """How the stored secret of a key this app created is labelled in the keychain."""
    return f"MySSL key “{key_name}” (profile {profile_name})"


class KeychainError(AppError):
    """The keychain could not be used. The message says what the user can do."""


class KeychainUnavailable(KeychainError):
    pass


class KeychainLocked(KeychainError):
    pass


class SecretTooLarge(KeychainError):
    pass


def _unavailable_advice() -> str:
    if sys.platform == "darwin":
        return ("The macOS keychain could not be used. Open Keychain Access, make sure your login "
                "keychain is unlocked, and allow MySSL Desktop when asked.")
    if sys.platform == "win32":
        return ("Windows Credential Manager could not be used. Sign in to Windows as a normal user "
                "and try again.")
    return ("No keychain is available: MySSL Desktop keeps keys only in a Secret Service keychain. "
            "Start or unlock GNOME Keyring, KWallet, or KeePassXC with its Secret Service "
            "integration turned on, then try again.")


def _locked_advice() -> str:
    return ("The keychain is locked, or its unlock prompt was dismissed. Unlock it (for example "
            "in Passwords and Keys, KWallet or KeePassXC) and try again.")


def _refused_advice() -> str:
    return ("The keychain refused access to MySSL Desktop's entry (access denied or a prompt "
            "was dismissed). Allow access and try again.")


def _is_plaintext(backend: Any) -> bool:
    module = type(backend).__module__
    return module.startswith("keyrings.alt") or "plaintext" in type(backend).__name__.lower()


def _backends_of(backend: Any) -> list[Any]:
    inner = getattr(backend, "backends", None)
    return list(inner) if isinstance(inner, list | tuple) else [backend]


class Keychain:
    """Store, load and delete secrets under service `myssl-desktop`.

    `index`: a file listing the names of the entries this app wrote (never their secrets), so
    that forgetting a profile can find and remove all of its entries: keyring cannot list them.
    """

    def __init__(self, backend: Any = None, *, index: Path | None = None) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self.index = index

    def backend(self) -> Any:
        """The keyring backend, resolved on first use (importing keyring costs ~300 ms)."""
        with self._lock:
            if self._backend is None:
                import keyring

                self._backend = keyring.get_keyring()
            return self._backend

    def backend_name(self) -> str:
        backend = self.backend()
        return f"{type(backend).__module__}.{type(backend).__name__}"

    def place(self) -> str:
        """Where a stored secret is, in words for the user ("… is kept in {place}")."""
        if isinstance(self._backend, DemoKeyring):
            return "the sandbox’s in-memory keychain (it forgets it when the app quits)"
        return SYSTEM_KEYCHAIN

    def ensure_usable(self) -> None:
        """Raise `KeychainUnavailable` unless a real, non-plaintext keychain is configured."""
        backend = self.backend()
        parts = _backends_of(backend)
        real = [b for b in parts if type(b).__module__ != "keyring.backends.fail"
                and type(b).__name__ != "ChainerBackend"]
        if not real or any(_is_plaintext(b) for b in parts):
            raise KeychainUnavailable(_unavailable_advice())

    def store(self, entry: str, secret: Secret, *, label: str = "") -> None:
        """Keep `secret` in entry `entry`. `label` is what a person browsing their keychain
        (Seahorse, Keychain Access) sees: "MySSL key “Production Server” (profile work)"."""
        self.ensure_usable()
        try:
            self._index(add=entry)  # first: an entry the index lists but the keychain lacks is harmless
        except OSError as error:
            raise KeychainError(f"The list of this app's keychain entries ({self.index}) cannot be written "
                                f"({error.strerror or type(error).__name__}), so the secret was not stored. "
                                "Check that folder (myssl-keys doctor lists it).") from None
        backend = self.backend()
        value = secret.reveal()
        if "Windows" in type(backend).__module__ and \
                len(value.encode("utf-16-le")) > WINDOWS_CREDENTIAL_LIMIT:
            raise SecretTooLarge("This secret is larger than Windows Credential Manager can hold "
                                 f"({WINDOWS_CREDENTIAL_LIMIT} bytes), so it was not stored.")
        self._call(backend.set_password, SERVICE, entry, value)
        # Read it back: a write that "succeeded" into a broken backend must not count.
        if self._call(backend.get_password, SERVICE, entry) != value:
            raise KeychainUnavailable("The keychain did not keep the secret written to it. "
                                      + _unavailable_advice())
        set_label(backend, SERVICE, entry, label or f"MySSL Desktop: {entry}")

    def load(self, entry: str) -> Secret | None:
        self.ensure_usable()
        value = self._call(self.backend().get_password, SERVICE, entry)
        return None if value is None else Secret(value)

    def delete(self, entry: str) -> bool:
        """Remove the entry; False when there was none."""
        from keyring.errors import PasswordDeleteError

        self.ensure_usable()
        try:
            self._call(self.backend().delete_password, SERVICE, entry)
        except PasswordDeleteError:
            found = False
        else:
            found = True
        with contextlib.suppress(OSError):  # a stale name in the index is harmless; the entry is gone
            self._index(remove=entry)
        return found

    def entries(self, prefix: str) -> list[str]:
        """Names of the entries this app wrote that start with `prefix` (from the index)."""
        return sorted(name for name in self._read_index() if name.startswith(prefix))

    def _read_index(self) -> set[str]:
        if self.index is None:
            return set()
        try:
            names = json.loads(self.index.read_bytes())
        except (OSError, ValueError):
            return set()
        return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()

    def _index(self, *, add: str = "", remove: str = "") -> None:
        if self.index is None:
            return
        from .filelocks import locked

        with locked(self.index.with_name(self.index.name + ".lock")):
            names = self._read_index()
            changed = (add and add not in names) or (remove and remove in names)
            if changed:
                names = (names | {add}) - {remove, ""}
                write_atomic(self.index, (json.dumps(sorted(names), indent=1) + "\n").encode())

    # --- entries of other programs (rotation targets) -------------------------------------

    def store_external(self, service: str, user: str, secret: Secret) -> None:
        """Write an entry another program reads (a rotation target), not under our service."""
        self.ensure_usable()
        backend = self.backend()
        self._call(backend.set_password, service, user, secret.reveal())
        if self._call(backend.get_password, service, user) != secret.reveal():
            raise KeychainUnavailable("The keychain did not keep the secret written to it. " + _unavailable_advice())

    def load_external(self, service: str, user: str) -> Secret | None:
        self.ensure_usable()
        value = self._call(self.backend().get_password, service, user)
        return None if value is None else Secret(value)

    def delete_external(self, service: str, user: str) -> bool:
        from keyring.errors import PasswordDeleteError

        self.ensure_usable()
        try:
            self._call(self.backend().delete_password, service, user)
        except PasswordDeleteError:
            return False
        return True

    def _call(self, method: Any, *args: str) -> Any:
        from keyring.errors import InitError, KeyringError, KeyringLocked, NoKeyringError

        try:
            return method(*args)
        except KeyringLocked:
            raise KeychainLocked(_locked_advice()) from None
        except (NoKeyringError, InitError):
            raise KeychainUnavailable(_unavailable_advice()) from None
        except KeyringError as error:
            if type(error).__name__ == "PasswordDeleteError":
                raise
            raise KeychainError(_refused_advice()) from None
        except Exception as error:  # D-Bus and platform errors surface as anything
            if "locked" in str(error).lower():
                raise KeychainLocked(_locked_advice()) from None
            raise KeychainUnavailable(_unavailable_advice()) from None


def set_label(backend: Any, service: str, user: str, label: str) -> None:
    """Give an entry a label a person understands when browsing their keychain. Best effort:
    keyring sets its own ("Password for 'profile/…' on 'myssl-desktop'") and has no way to
    set another; a failure here leaves that label and the secret as they are."""
    try:
        if hasattr(backend, "labels"):  # the in-memory keyring of the sandbox and the tests
            backend.labels[(service, user)] = label
        elif type(backend).__module__ == "keyring.backends.SecretService":
            _label_secret_service(backend, service, user, label)
        elif type(backend).__module__ == "keyring.backends.macOS":
            _label_macos(service, user, label)
        elif type(backend).__module__ == "keyring.backends.Windows":
            _label_windows(service, user, label)
    except Exception:  # cosmetic: never fail a store over a label
        return


def _label_secret_service(backend: Any, service: str, user: str, label: str) -> None:
    from contextlib import closing

    collection = backend.get_preferred_collection()
    with closing(collection.connection):
        for item in collection.search_items(backend._query(service, user)):
            item.set_label(label)


def _label_macos(service: str, user: str, label: str) -> None:  # pragma: no cover - macOS only
    from ctypes import c_int32, c_void_p

    from keyring.backends.macOS import api

    update = api._sec.SecItemUpdate
    update.restype, update.argtypes = c_int32, (c_void_p, c_void_p)
    query = api.create_query(kSecClass=api.k_("kSecClassGenericPassword"),  # type: ignore[no-untyped-call]
                             kSecAttrService=service, kSecAttrAccount=user)
    update(query, api.create_query(kSecAttrLabel=label))  # type: ignore[no-untyped-call]


def _label_windows(service: str, user: str, label: str) -> None:  # pragma: no cover - Windows only
    import win32cred

    for target in (f"{user}@{service}", service):
        try:
            credential = win32cred.CredRead(Type=win32cred.CRED_TYPE_GENERIC, TargetName=target)
        except Exception:
            continue
        if credential.get("UserName") == user:
            credential["Comment"] = label
            win32cred.CredWrite(credential, 0)
            return


class DemoKeyring:
    """An in-memory keyring for the built-in sandbox only: its demo keys are no real
    secrets, and `--sandbox` must work where no keychain is usable. Never used for a
    real profile."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}
        self.labels: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")
