"""Create, rename, regenerate and revoke keys (no Qt), with the app's two promises:
a secret MySSL shows once is in the keychain before anything displays it, and an action
whose answer was lost is checked before the user is told anything or asked to retry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from .api.errors import ApiError, KeyLimitReached, NetworkError, SecretUnreadable
from .api.models import ApiKey, CreatedKey
from .api.secret import Secret
from .errors import AppError, describe
from .keychain import SYSTEM_KEYCHAIN, Entry, Keychain, KeychainError, key_label
from .revoke_when import RevokeWhen

if TYPE_CHECKING:
    from .activity import ActivityLog
    from .api.client import MysslClient
    from .profiles import Profile

log = logging.getLogger(__name__)
CLOCK_SKEW = timedelta(seconds=120)  # our clock against MySSL's, when matching creation times


@dataclass(frozen=True)
class NewSecret:
    """A shown-once secret and whether it reached the keychain before being shown."""

    api_key: ApiKey
    secret: Secret
    stored: bool
    problem: str = ""  # why it was not stored: the user must copy it now
    place: str = SYSTEM_KEYCHAIN  # where it was stored, in words (Keychain.place())
    expiry_problem: str = ""  # the expiry asked for could not be set: the key does not expire


class OwnKeyRefused(AppError):
    """The profile's sign-in key cannot be revoked here (it would sign the app out)."""


class CreateUncertain(AppError):
    """The create request's answer was lost, or MySSL's answer could not be read. `found` lists
    keys of that name created since the request began: if one is there, it was made, but its
    secret never arrived. `key_to_regenerate` is that key when exactly one was found: regenerate
    it (same name and permissions) to get a usable secret, or revoke it and create a new key."""

    def __init__(self, message: str, found: list[ApiKey]) -> None:
        super().__init__(message)
        self.found = found
        self.key_to_regenerate: ApiKey | None = found[0] if len(found) == 1 else None


class ActionUncertain(AppError):
    """A change's answer was lost; `happened` says what a check found (None: unknown).
    `key_to_regenerate` is set when a regenerate happened but its new secret was lost (its
    answer dropped or unreadable): the key as it is now, to regenerate again."""

    def __init__(self, message: str, happened: bool | None, key_to_regenerate: ApiKey | None = None) -> None:
        super().__init__(message)
        self.happened = happened
        self.key_to_regenerate = key_to_regenerate


@dataclass
class Note:
    """What the activity log says of one action: the key it was about, and a detail."""

    key: ApiKey | None = None
    detail: str = ""


class KeyActions:
    def __init__(self, client: MysslClient, keychain: Keychain, profile: Profile, *,
                 own_key_prefix: str = "", clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 activity: ActivityLog | None = None) -> None:
        """`activity`: where each change (and how it ended) is noted; None notes nothing."""
        self.client = client
        self.keychain = keychain
        self.profile = profile
        self.own_key_prefix = own_key_prefix or profile.key_prefix
        self.clock = clock
        self.activity = activity

    # --- the activity log ----------------------------------------------------------------

    @contextmanager
    def _noted(self, action: str, key: ApiKey | None = None, *, name: str = "") -> Iterator[Note]:
        """Note `action` on `key` (or a key called `name`) in the activity log with its outcome;
        the body may set the note's key (the one made) and detail. A log that cannot be written
        is logged, never a reason for the action to fail."""
        note = Note(key)
        outcome = "done"
        try:
            yield note
        except Exception as error:
            outcome = describe(error)
            raise
        finally:
            if self.activity is not None:
                target = note.key
                try:
                    self.activity.record(self.profile.name, action, key_name=target.name if target else name,
                                         key_prefix=target.prefix if target else "",
                                         key_id=target.id if target else None, outcome=outcome, detail=note.detail)
                except OSError as error:
                    log.warning("could not note %s in the activity log: %s", action, error)

    # --- shown-once secrets ------------------------------------------------------------

    def _keep(self, created: CreatedKey) -> NewSecret:
        """Write the secret to the keychain first; report (never hide) a failure."""
        try:
            self.keychain.store(Entry.created_key(self.profile.id, created.api_key.id), created.secret,
                                label=key_label(created.api_key.name, self.profile.name))
        except KeychainError as error:
            return NewSecret(created.api_key, created.secret, stored=False, problem=str(error))
        return NewSecret(created.api_key, created.secret, stored=True, place=self.keychain.place())

    def stored_secret(self, key_id: int) -> Secret | None:
        """The secret the app kept when it created or regenerated this key, if any."""
        return self.keychain.load(Entry.created_key(self.profile.id, key_id))

    def forget_secret(self, key_id: int) -> None:
        self.keychain.delete(Entry.created_key(self.profile.id, key_id))

    # --- actions -----------------------------------------------------------------------

    def create(self, name: str, permissions: list[str] | tuple[str, ...], *,
               expires_at: datetime | None = None) -> NewSecret:
        with self._noted("create", name=name.strip()) as note:
            new = self._create(name, permissions, expires_at=expires_at)
            note.key = new.api_key
            note.detail = ", ".join(new.api_key.permissions) + (
                f"; revoked at {_utc(new.api_key.expires_at)}" if new.api_key.expires_at else "") + (
                "" if new.stored else "; the secret could not be kept in the keychain")
            return new

    def _create(self, name: str, permissions: list[str] | tuple[str, ...], *,
                expires_at: datetime | None = None) -> NewSecret:
        """Create a key, revoked at `expires_at` if given. An older server creates it without
        the expiry: the revoke is then scheduled with a second request, after the secret is
        kept; if that fails, `expiry_problem` says so (the key exists, without an expiry)."""
        started = self.clock()
        try:
            created = self.client.create_key(name, list(permissions), expires_at=expires_at)
        except NetworkError as error:  # SecretUnreadable too: MySSL made the key, its secret is lost
            if not error.maybe_applied:
                raise
            raise self.check_create(name.strip(), started,
                                    answered=isinstance(error, SecretUnreadable)) from None
        except KeyLimitReached as error:
            raise self.explain_limit(error) from None
        kept = self._keep(created)
        if expires_at is None or created.api_key.expires_at is not None:
            return kept
        when, made = expires_at.replace(microsecond=0), created.api_key
        try:
            key = self._checked(made, lambda: self.client.update_key(made.id, expires_at=when),
                                lambda now: now.expires_at == when, f"scheduling the revoke of “{made.name}”")
        except (ApiError, ActionUncertain) as error:
            return replace(kept, expiry_problem=describe(error))
        return replace(kept, api_key=key)

    def check_create(self, name: str, started: datetime, *, answered: bool = False) -> CreateUncertain:
        """Create is not idempotent: look for what a create of `name` begun at `started` may
        have made, before anyone tries again ("Check again" calls this later). `answered`: MySSL
        answered with success, but its answer (with the secret) could not be read."""
        lost = (f"MySSL's answer to creating “{name}” was cut off or garbled" if answered
                else f"The connection broke while creating “{name}”")
        try:
            found = [k for k in self.client.all_keys(search=name)
                     if k.name == name and k.created_at >= started - CLOCK_SKEW and k.status != "revoked"]
        except Exception:  # still offline: say so, and do not offer a blind retry
            return CreateUncertain(f"{lost}, and MySSL could not be reached to check whether it was created. "
                                   "Refresh before trying again.", [])
        if found:
            how = "its answer could not be read" if answered else "its answer was lost"
            return CreateUncertain(f"MySSL created “{name}”, but {how}, so the new secret could not be read. "
                                   "That secret cannot be shown again: regenerate the key to get a new secret, "
                                   "or revoke it and create a new one.", found)
        if answered:  # a success, yet no such key: not MySSL's usual behaviour, so no "safe to retry"
            return CreateUncertain(f"{lost}, and MySSL lists no key of that name. Refresh before trying again.",
                                   [])
        return CreateUncertain(f"{lost}. MySSL has no such key, so nothing was created: it is safe to try again.",
                               [])

    def explain_limit(self, error: KeyLimitReached) -> KeyLimitReached:
        """The 409 with how many keys are active and which of them look unused."""
        try:
            live = [k for k in self.client.all_keys() if k.status in ("active", "expiring")]
        except Exception:
            return error
        now = self.clock()
        stale = [k for k in live if (k.last_used_at or k.created_at) < now - timedelta(days=90)]
        return KeyLimitReached(f"The account already has {len(live)} active keys, its limit. Revoke a key "
                               f"you no longer use ({len(stale)} of them unused for over 90 days), then "
                               "create again.", stale_keys=tuple(stale))

    def rename(self, key: ApiKey, name: str) -> ApiKey:
        with self._noted("rename", key) as note:
            note.detail = f"to “{name.strip()}”"
            return self._checked(key, lambda: self.client.update_key(key.id, name=name),
                                 lambda now: now.name == name.strip(), f"renaming “{key.name}”")

    def regenerate(self, key: ApiKey) -> NewSecret:
        with self._noted("regenerate", key) as note:
            new = self._regenerate(key)
            note.key = new.api_key
            note.detail = "" if new.stored else "the secret could not be kept in the keychain"
            return new

    def _regenerate(self, key: ApiKey) -> NewSecret:
        try:
            created = self.client.regenerate_key(key.id)
        except NetworkError as error:  # SecretUnreadable too: MySSL regenerated, the new secret is lost
            if not error.maybe_applied:
                raise
            raise self._regenerate_lost(key, isinstance(error, SecretUnreadable)) from None
        return self._keep(created)

    def _regenerate_lost(self, key: ApiKey, answered: bool) -> ActionUncertain:
        """What a regenerate whose answer was lost (or unreadable, if `answered`) did."""
        lost = (f"MySSL's answer to regenerating “{key.name}” was cut off or garbled" if answered
                else f"The connection broke while regenerating “{key.name}”")
        try:
            now = self.client.get_key(key.id)
        except Exception:  # still unreachable: unknown
            return ActionUncertain(f"{lost}, and MySSL could not be reached to check whether it was done. "
                                   "Refresh before trying again.", None)
        if now.prefix == key.prefix:
            return ActionUncertain(f"{lost}. MySSL shows it was not done: it is safe to try again.", False)
        try:
            self.forget_secret(key.id)  # the secret the app kept for it opens nothing now
        except KeychainError:
            pass  # nothing kept, or no keychain to keep it in: nothing to forget
        how = "its answer could not be read" if answered else "its answer was lost"
        return ActionUncertain(f"MySSL regenerated “{key.name}”, but {how}, so the new secret could not be read. "
                               "The old secret no longer works: regenerate again to get a new one.",
                               True, key_to_regenerate=now)

    def revoke(self, key: ApiKey) -> ApiKey:
        """Revoke `key` now; its secret, if this app kept it, leaves the keychain (it opens nothing)."""
        with self._noted("revoke", key):
            self._refuse_own(key)
            revoked = self._checked(key, lambda: self.client.revoke_key(key.id),
                                    lambda now: now.status == "revoked", f"revoking “{key.name}”")
            self.forget_secret(key.id)
            return revoked

    def stored_key_ids(self) -> frozenset[int]:
        """Ids of the keys whose secret this app keeps for the profile (from the keychain's index of
        entries: no keychain call)."""
        prefix = Entry.created_key(self.profile.id, 0)[:-1]
        return frozenset(int(e[len(prefix):]) for e in self.keychain.entries(prefix) if e[len(prefix):].isdigit())

    def forget_revoked_secrets(self, keys: list[ApiKey] | tuple[ApiKey, ...]) -> int:
        """Remove the kept secrets of keys that are revoked now (a scheduled revoke took effect,
        or someone revoked them elsewhere). Only keys the keychain index lists are looked at."""
        kept = set(self.keychain.entries(Entry.profile_prefix(self.profile.id)))
        gone = [k for k in keys if k.is_revoked and Entry.created_key(self.profile.id, k.id) in kept]
        for key in gone:
            self.forget_secret(key.id)
        return len(gone)

    def schedule_revoke(self, key: ApiKey, after: RevokeWhen) -> ApiKey:
        """Revoke `key` once `after` (1 h … 7 d) has passed; it keeps working until then."""
        if after.delay is None:
            raise ValueError(f"{after} is not a scheduled revoke")
        with self._noted("schedule revoke", key) as note:
            self._refuse_own(key)
            when = (self.clock() + after.delay).replace(microsecond=0)
            note.detail = f"revoked at {_utc(when)}"
            return self._checked(key, lambda: self.client.update_key(key.id, expires_at=when),
                                 lambda now: now.expires_at == when, f"scheduling the revoke of “{key.name}”")

    def cancel_scheduled_revoke(self, key: ApiKey) -> ApiKey:
        with self._noted("cancel scheduled revoke", key):
            return self._checked(key, lambda: self.client.update_key(key.id, expires_at=None),
                                 lambda now: now.expires_at is None, f"cancelling the revoke of “{key.name}”")

    def is_own_key(self, key: ApiKey) -> bool:
        return bool(self.own_key_prefix) and key.prefix == self.own_key_prefix

    def _refuse_own(self, key: ApiKey) -> None:
        if self.is_own_key(key):
            raise OwnKeyRefused(f"“{key.name}” is the key this profile signs in with; revoking it would lock "
                                "the app out. Rotate it instead: the rotation switches the profile to a new "
                                "key before the old one is revoked.")

    # --- lost answers ------------------------------------------------------------------

    def _checked(self, key: ApiKey, action: Callable[[], ApiKey], done: Callable[[ApiKey], bool],
                 what: str) -> ApiKey:
        """Run `action`; if its answer is lost, look at the key to learn whether it happened."""
        try:
            return action()
        except NetworkError as error:
            if not error.maybe_applied:
                raise
            happened = self._check(key, done)
            if happened:
                return self.client.get_key(key.id)  # it was done: carry on as if answered
            raise self._uncertain(happened, what) from None

    def _check(self, key: ApiKey, done: Callable[[ApiKey], bool]) -> bool | None:
        try:
            return done(self.client.get_key(key.id))
        except Exception:  # still unreachable: unknown
            return None

    @staticmethod
    def _uncertain(happened: bool | None, what: str) -> ActionUncertain:
        if happened is None:
            return ActionUncertain(f"The connection broke while {what}, and MySSL could not be reached to "
                                   "check whether it was done. Refresh before trying again.", None)
        return ActionUncertain(f"The connection broke while {what}. MySSL shows it was not done: it is safe "
                               "to try again.", False)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")

