"""The only code that touches the OS keychain (through `keyring`).

Service name `myssl-desktop`; entries are named by what they hold (see `Entry`). When no
real keychain is usable the caller gets a `KeychainError` that says what to do, and the
secret goes nowhere else: no plaintext fallback, ever. Every call here can block (a
locked keychain prompts), so the GUI calls it from worker threads only.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from .api.secret import Secret
from .errors import AppError

SERVICE = "myssl-desktop"
SYSTEM_KEYCHAIN = "your system keychain"  # Keychain.place() for the real one
WINDOWS_CREDENTIAL_LIMIT = 2560  # bytes of UTF-16 per Credential Manager secret


class Entry:
    """Names of keychain entries ("user names" under the service)."""

    @staticmethod
    def sign_in(profile_id: str) -> str:
        return f"profile/{profile_id}/sign-in"

    @staticmethod
    def created_key(profile_id: str, key_id: int) -> str:
        return f"profile/{profile_id}/key/{key_id}"

    @staticmethod
    def rotation(rotation_id: str, label: str) -> str:
        return f"rotation/{rotation_id}/{label}"


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
    """Store, load and delete secrets under service `myssl-desktop`."""

    def __init__(self, backend: Any = None) -> None:
        self._backend = backend
        self._lock = threading.Lock()

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

    def store(self, entry: str, secret: Secret) -> None:
        self.ensure_usable()
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
            return False
        return True

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


class DemoKeyring:
    """An in-memory keyring for the built-in sandbox only: its demo keys are no real
    secrets, and `--sandbox` must work where no keychain is usable. Never used for a
    real profile."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such entry")
