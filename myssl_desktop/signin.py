"""Signing in: verify a key, keep it in the keychain, remember the profile (no Qt).

The key goes into the keychain before the profile that points at it is written, so a
crash in between leaves at worst an unused keychain entry, never a profile without key; when
the profile cannot be written (a read-only config folder), the keychain entry is put back
as it was before the sign-in began.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .api.secret import Secret, is_key_format
from .errors import AppError
from .keychain import Entry, Keychain, sign_in_label
from .profiles import Profile, ProfileStore, now_iso

if TYPE_CHECKING:
    from .api.client import MysslClient
    from .api.models import CurrentKey
    from .api.transport import ConnectionPool


class SignInRefused(AppError):
    """The key works but cannot be used to manage keys; the message says what it lacks."""


class NotSignedIn(AppError):
    """The profile has no key in the keychain (signed out, or the entry was removed)."""


@dataclass(frozen=True)
class Verified:
    current: CurrentKey
    access: str  # "full" or "read-only"

    def summary(self) -> str:
        key, account = self.current.api_key, self.current.account
        mode = "full access" if self.access == "full" else "read-only (the key lacks “keys:manage”)"
        return f"key “{key.name}” ({key.prefix}…), {account.tier} tier, {mode}"


def access_for(permissions: tuple[str, ...]) -> str:
    """Full with `keys:manage`; read-only with only `keys:read`; refused without either."""
    if "keys:manage" in permissions and "keys:read" in permissions:
        return "full"
    if "keys:read" in permissions:
        return "read-only"
    raise SignInRefused("This key lacks the “keys:read” permission, so it cannot list keys. "
                        "Sign in with a key that has “keys:read” (and “keys:manage” to change keys).")


class SignInService:
    def __init__(self, store: ProfileStore, keychain: Keychain,
                 pool: ConnectionPool | None = None) -> None:
        self.store = store
        self.keychain = keychain
        self.pool = pool

    def client(self, base_url: str, secret: Secret) -> MysslClient:
        from .api.client import MysslClient

        return MysslClient(base_url, secret, pool=self.pool)

    def verify(self, base_url: str, secret: Secret) -> Verified:
        """`GET /api-keys/current` with the key; raises the API's errors or SignInRefused."""
        from .api.transport import normalise_base_url

        current = self.client(normalise_base_url(base_url), secret).current()
        return Verified(current=current, access=access_for(current.api_key.permissions))

    def sign_in(self, profile: Profile, secret: Secret,
                verified: Verified | None = None) -> tuple[Profile, Verified]:
        """Verify (unless already done), store the key, save the profile as the last used."""
        if not is_key_format(secret.reveal()):
            from .api.errors import MalformedKey

            raise MalformedKey()
        from .api.transport import normalise_base_url

        profile = replace(profile, base_url=normalise_base_url(profile.base_url))
        verified = verified or self.verify(profile.base_url, secret)
        key, account = verified.current.api_key, verified.current.account
        entry = Entry.sign_in(profile.id)
        previous = self.keychain.load(entry)
        self.keychain.store(entry, secret, label=sign_in_label(key.name, profile.name))
        signed_in = replace(profile, key_prefix=key.prefix, key_name=key.name, tier=account.tier,
                            access=verified.access, last_sign_in=now_iso())
        try:
            self.store.put(signed_in)
        except BaseException:
            self._put_back(entry, previous, sign_in_label(profile.key_name, profile.name))
            raise
        return signed_in, verified

    def _put_back(self, entry: str, previous: Secret | None, label: str) -> None:
        """Undo a sign-in's keychain write (best effort: the profile's failure is what is reported)."""
        with contextlib.suppress(Exception):
            if previous is None:
                self.keychain.delete(entry)
            else:
                self.keychain.store(entry, previous, label=label)

    def load_secret(self, profile: Profile) -> Secret:
        secret = self.keychain.load(Entry.sign_in(profile.id))
        if secret is None:
            raise NotSignedIn(f"Profile “{profile.name}” is signed out: its key is not in the "
                              "keychain. Sign in again.")
        return secret

    def open(self, profile: Profile) -> MysslClient:
        """A client for the profile, with its key from the keychain."""
        return self.client(profile.base_url, self.load_secret(profile))

    def sign_out(self, profile: Profile) -> bool:
        """Remove the profile's key from the keychain; the profile's settings stay."""
        return self.keychain.delete(Entry.sign_in(profile.id))

    def entries_of(self, profile: Profile) -> list[str]:
        """The keychain entries this app keeps for the profile: its sign-in key and the secrets of
        keys created or regenerated here (names only)."""
        return self.keychain.entries(Entry.profile_prefix(profile.id))

    def forget_question(self, profile: Profile) -> str:
        """The confirmation of forgetting a profile, saying what leaves the keychain."""
        entries = {Entry.sign_in(profile.id), *self.entries_of(profile)}
        keys = len(entries) - 1
        kept = f" and the secrets of {keys} key{'s' if keys != 1 else ''} created here" if keys else ""
        return (f"Forget profile “{profile.name}”? Its settings are deleted, and {len(entries)} keychain "
                f"entr{'y' if len(entries) == 1 else 'ies'} (its sign-in key{kept}) are removed.")

    def forget(self, profile: Profile) -> int:
        """Remove the profile and every keychain entry of it; returns how many entries went."""
        removed = sum(self.keychain.delete(entry) for entry in {Entry.sign_in(profile.id), *self.entries_of(profile)})
        self.store.remove(profile.id)
        return removed
