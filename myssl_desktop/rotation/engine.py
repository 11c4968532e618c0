"""The rotation engine. Every step is idempotent and saves the journal when it is done, so
`advance()` after a crash at any instant carries on from what really happened:

- create: the new key's name carries the rotation's id; a resumed rotation lists keys by
  that name. A key found whose secret never reached the keychain is revoked and made anew.
- deliver: targets already holding the new secret are skipped.
- verify: the new key must answer MySSL; a self-rotation then switches the profile.
- finish: revoking twice is harmless; cleanup removes backups and the rotation's secrets.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from ..api.errors import AccessDenied, AuthenticationRequired, InvalidApiKey, KeyLimitReached
from ..api.secret import Secret
from ..errors import AppError
from ..keyactions import KeyActions
from ..keychain import Entry, Keychain
from ..revoke_when import RevokeWhen
from .journal import JournalStore, Rotation, State, marker_name, now_iso
from .targets import EnvFileTarget, KeychainTarget, TargetChanged, TargetFailed, spec_of, target_from

if TYPE_CHECKING:
    from ..api.client import MysslClient
    from ..api.models import ApiKey
    from ..profiles import Profile, ProfileStore
    from .targets import Target

REVOKE_CHOICES = tuple(RevokeWhen)
CRASH_AT = "MYSSL_DESKTOP_CRASH_AT"  # test hook: the name of a step boundary to die at (SIGKILL)

__all__ = ["REVOKE_CHOICES", "DrainStatus", "RotationEngine", "RotationError", "TargetChanged", "TargetFailed",
           "VerifyFailed"]


class RotationError(AppError):
    """The rotation cannot go on as asked; the message says why."""


class VerifyFailed(RotationError):
    """The new key did not work; the message explains (a missing permission, a refusal)."""


def crash_point(name: str) -> None:
    """Die here if the kill tests asked for it: they prove resume works at every boundary."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _parse(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class DrainStatus:
    old: ApiKey
    new: ApiKey
    used_after_delivery: bool
    quiet_for: timedelta  # since delivery or the old key's last use, whichever is later
    recommend_revoke: bool

    def summary(self, quiet_period_s: int) -> str:
        from ..timefmt import relative

        if self.used_after_delivery:
            return (f"Something still uses the old key: last used {relative(self.old.last_used_at)}. "
                    "Find what still has it before revoking.")
        if self.recommend_revoke:
            return "The old key has been quiet since delivery: revoking it is safe."
        left = max(0, quiet_period_s - int(self.quiet_for.total_seconds()))
        return f"The old key has not been used since delivery; waiting {left} s more to be sure."


class RotationEngine:
    def __init__(self, client: MysslClient, keychain: Keychain, store: JournalStore, profile: Profile, *,
                 profiles: ProfileStore | None = None, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 crash: Callable[[str], None] = crash_point) -> None:
        self.client = client
        self.keychain = keychain
        self.store = store
        self.profile = profile
        self.profiles = profiles
        self.clock = clock
        self.crash = crash

    # --- planning ------------------------------------------------------------------------

    def plan(self, old: ApiKey, targets: Iterable[Target], *, quiet_period_s: int = 600,
             revoke: str = "now") -> Rotation:
        if old.status == "revoked":
            raise RotationError(f"“{old.name}” is revoked already: there is nothing to rotate.")
        if revoke not in REVOKE_CHOICES:
            raise RotationError(f"revoke must be one of {', '.join(REVOKE_CHOICES)}")
        running = self.store.active_for_key(self.profile.id, old.id)
        if running is not None:
            raise RotationError(f"“{old.name}” is being rotated already (rotation {running.id}, "
                                f"{running.state.value}). Resume or cancel that one first.")
        rotation_id = Rotation.new_id()
        rotation = Rotation(id=rotation_id, profile_id=self.profile.id, old_key_id=old.id, old_key_name=old.name,
                            old_prefix=old.prefix, new_key_name=marker_name(old.name, rotation_id),
                            permissions=old.permissions, targets=tuple(spec_of(t) for t in targets),
                            quiet_period_s=quiet_period_s, revoke=revoke,
                            self_rotation=bool(self.profile.key_prefix) and old.prefix == self.profile.key_prefix)
        self._remember_targets(old.id, rotation.targets)
        return self.store.save(rotation)

    def _remember_targets(self, key_id: int, specs: Iterable[dict[str, object]], forget: int | None = None) -> None:
        """Keep where the key lives in the profile, for its next rotation (file digests are
        not kept: the next rotation reads the files afresh)."""
        kept = [{k: v for k, v in spec.items() if k != "read_digest"} for spec in specs]

        def change(profile: Profile) -> Profile:
            targets = {k: v for k, v in profile.targets.items() if k != str(forget)}
            return replace(profile, targets={**targets, str(key_id): kept})

        self._change_profile(change)

    def _change_profile(self, change: Callable[[Profile], Profile]) -> None:
        """Change only these fields of the stored profile: another window or process may have
        changed others since this engine read it."""
        stored = self.profiles.modify(self.profile.id, change) if self.profiles is not None else None
        if stored is None:  # not in the store (yet): keep ours, and store it
            stored = change(self.profile)
            if self.profiles is not None:
                self.profiles.put(stored, make_last=False)
        self.profile = stored

    # --- the main path -------------------------------------------------------------------

    def advance(self, rotation: Rotation, confirmed: Iterable[int] = ()) -> Rotation:
        """Create, deliver and verify as far as possible; stops at DRAINING, or earlier when
        a manual target is not confirmed yet."""
        rotation = self.create(rotation)
        rotation = self.deliver(rotation, confirmed)
        if rotation.state == State.DELIVERED:
            rotation = self.verify(rotation)
        return rotation

    def create(self, rotation: Rotation) -> Rotation:
        if rotation.at_least(State.CREATED):
            return rotation
        entry = Entry.rotation(rotation.id, "new")
        stored = self.keychain.load(entry)
        for key in self._marked_keys(rotation):
            if stored is not None and stored.prefix == key.prefix:
                return self._save(rotation.advanced(State.CREATED, new_key_id=key.id, new_prefix=key.prefix))
            self.client.revoke_key(key.id)  # made, but its secret was lost with a crash: useless
        try:
            created = self.client.create_key(rotation.new_key_name, list(rotation.permissions))
        except KeyLimitReached as error:
            raise KeyActions(self.client, self.keychain, self.profile).explain_limit(error) from None
        self.crash("create-answered")
        self.keychain.store(entry, created.secret)
        self.crash("secret-stored")
        return self._save(rotation.advanced(State.CREATED, new_key_id=created.api_key.id,
                                            new_prefix=created.api_key.prefix))

    def deliver(self, rotation: Rotation, confirmed: Iterable[int] = ()) -> Rotation:
        if rotation.at_least(State.DELIVERED) or rotation.state != State.CREATED:
            return rotation
        secret = self.new_secret(rotation)
        confirmed = set(confirmed)
        for index, spec in enumerate(rotation.targets):
            if index in rotation.delivered:
                continue
            target = target_from(spec)
            try:
                if isinstance(target, EnvFileTarget):
                    target.deliver(secret, rotation.id)
                elif isinstance(target, KeychainTarget):
                    self._deliver_keychain(rotation, index, target, secret)
            except (TargetChanged, TargetFailed) as error:
                error.index = index  # type: ignore[attr-defined]  # which target, for the wizard
                raise
            if not isinstance(target, (EnvFileTarget, KeychainTarget)) and index not in confirmed:
                continue  # the user has not ticked it off yet
            rotation = self._save(replace(rotation, delivered=tuple(sorted({*rotation.delivered, index}))))
            self.crash(f"target-{index}")
        if len(rotation.delivered) < len(rotation.targets):
            return rotation
        # The old key's request count now (this call included): any later rise is something
        # else still using it. Counts are exact where MySSL's whole-second times are not.
        old = self.client.get_key(rotation.old_key_id)
        return self._save(rotation.advanced(State.DELIVERED, delivered_at=now_iso(),
                                            old_count_at_delivery=old.request_count))

    def verify(self, rotation: Rotation) -> Rotation:
        if rotation.at_least(State.VERIFIED):
            return self._draining(rotation)
        if rotation.state != State.DELIVERED:
            raise RotationError("Deliver the new key to every target before verifying it.")
        secret = self.new_secret(rotation)
        probe = self._client_with(secret)
        try:
            if "domains:read" in rotation.permissions:
                probe.list_domains(per_page=1)
            current = probe.current()
        except (InvalidApiKey, AuthenticationRequired):
            raise VerifyFailed("MySSL does not accept the new key (it may have been revoked elsewhere). "
                               "Cancel this rotation and start a new one.") from None
        except AccessDenied:
            raise VerifyFailed("The new key lacks “domains:read”, which the old key had: applications that "
                               "read domains would fail with it. Cancel and rotate again.") from None
        if current.api_key.id != rotation.new_key_id:
            raise VerifyFailed("MySSL answered for a different key than the one this rotation created.")
        if rotation.self_rotation:
            self._switch_profile(rotation, secret)
        self.keychain.store(Entry.created_key(rotation.profile_id, rotation.new_key_id or 0), secret)
        rotation = self._save(rotation.advanced(State.VERIFIED, verified_at=now_iso()))
        self.crash("verified")
        return self._draining(rotation)

    def _draining(self, rotation: Rotation) -> Rotation:
        if rotation.state == State.VERIFIED:
            rotation = self._save(rotation.advanced(State.DRAINING))
        return rotation

    def drain_status(self, rotation: Rotation) -> DrainStatus:
        client = self._client_for(rotation)
        old, new = client.get_key(rotation.old_key_id), client.get_key(rotation.new_key_id or 0)
        delivered = _parse(rotation.delivered_at) or self.clock()
        used_after = old.request_count > rotation.old_count_at_delivery
        since = max(delivered, old.last_used_at) if used_after and old.last_used_at else delivered
        quiet = self.clock() - since
        return DrainStatus(old, new, used_after, quiet,
                           recommend_revoke=quiet.total_seconds() >= rotation.quiet_period_s)

    def finish(self, rotation: Rotation, revoke: str | None = None) -> Rotation:
        """Revoke or schedule the old key's revoke, then clean up. "later" leaves it draining."""
        choice = revoke or rotation.revoke
        if choice not in REVOKE_CHOICES:
            raise RotationError(f"revoke must be one of {', '.join(REVOKE_CHOICES)}")
        if rotation.state.finished:
            return rotation
        if rotation.state in (State.DRAINING, State.VERIFIED):
            if choice == "later":
                return self._save(replace(rotation, revoke="later"))
            client = self._client_for(rotation)
            if choice == "now":
                client.revoke_key(rotation.old_key_id)
                self.crash("old-revoked")
                rotation = self._save(rotation.advanced(State.REVOKED, revoke=choice))
            else:
                when = (self.clock() + (RevokeWhen(choice).delay or timedelta())).replace(microsecond=0)
                client.update_key(rotation.old_key_id, expires_at=when)
                self.crash("old-scheduled")
                rotation = self._save(rotation.advanced(State.SCHEDULED, revoke=choice))
        if rotation.state not in (State.REVOKED, State.SCHEDULED):
            raise RotationError("Verify the new key before revoking the old one.")
        self._cleanup(rotation)
        if rotation.new_key_id is not None:  # the targets now hold the new key: remember them for it
            self._remember_targets(rotation.new_key_id, rotation.targets, forget=rotation.old_key_id)
        return self._save(rotation.advanced(State.DONE, finished_at=now_iso()))

    def accept_changed_files(self, rotation: Rotation) -> Rotation:
        """After the user checked a `.env` file that changed meanwhile: plan against it as it
        is now (targets already delivered keep their state)."""
        specs = list(rotation.targets)
        for index, spec in enumerate(specs):
            target = target_from(spec)
            if isinstance(target, EnvFileTarget) and index not in rotation.delivered:
                specs[index] = spec_of(target.replanned())
        return self._save(replace(rotation, targets=tuple(specs)))

    # --- cancel --------------------------------------------------------------------------

    def cancel(self, rotation: Rotation) -> Rotation:
        """Put every target back, revoke the new key, forget the rotation's secrets."""
        if rotation.state.finished:
            return rotation
        if rotation.state in (State.REVOKED, State.SCHEDULED):
            raise RotationError("The old key is revoked (or its revoke is scheduled): the rotation can only be "
                                "finished now.")
        for index in reversed(rotation.delivered):
            target = target_from(rotation.targets[index])
            if isinstance(target, EnvFileTarget):
                target.restore(rotation.id)
            elif isinstance(target, KeychainTarget):
                self._restore_keychain(rotation, index, target)
        if rotation.self_rotation and rotation.at_least(State.VERIFIED):
            old_secret = self.keychain.load(Entry.rotation(rotation.id, "old"))
            if old_secret is not None:
                self._set_sign_in(old_secret, rotation.old_prefix, rotation.old_key_name)
        client = self._client_for(rotation, cancelling=True)
        for key in self._marked_keys(rotation, client):
            client.revoke_key(key.id)
        if rotation.new_key_id is not None:
            client.revoke_key(rotation.new_key_id)
            self.keychain.delete(Entry.created_key(rotation.profile_id, rotation.new_key_id))
        self._forget_secrets(rotation)
        return self._save(rotation.advanced(State.CANCELLED, finished_at=now_iso(),
                                            note="Cancelled: targets restored, new key revoked."))

    # --- secrets and helpers ---------------------------------------------------------------

    def new_secret(self, rotation: Rotation) -> Secret:
        secret = self.keychain.load(Entry.rotation(rotation.id, "new"))
        if secret is None:
            raise RotationError("The new key's secret is missing from the keychain (was the entry removed?). "
                                "Cancel this rotation and start again.")
        return secret

    def _marked_keys(self, rotation: Rotation, client: MysslClient | None = None) -> list[ApiKey]:
        client = client or self.client
        return [k for k in client.all_keys(search=rotation.new_key_name)
                if k.name == rotation.new_key_name and k.status != "revoked"]

    def _deliver_keychain(self, rotation: Rotation, index: int, target: KeychainTarget, secret: Secret) -> None:
        current = self.keychain.load_external(target.service, target.user)
        if current == secret:
            return
        saved = Entry.rotation(rotation.id, f"target-{index}-old")
        if current is not None and self.keychain.load(saved) is None:
            self.keychain.store(saved, current)  # for cancel
        self.keychain.store_external(target.service, target.user, secret)

    def _restore_keychain(self, rotation: Rotation, index: int, target: KeychainTarget) -> None:
        old = self.keychain.load(Entry.rotation(rotation.id, f"target-{index}-old"))
        if old is None:
            self.keychain.delete_external(target.service, target.user)
        else:
            self.keychain.store_external(target.service, target.user, old)

    def _switch_profile(self, rotation: Rotation, secret: Secret) -> None:
        """Self-rotation: sign in with the new key, after it proved itself and before the
        old one is revoked. The old secret is kept (for cancel) until the rotation ends."""
        entry = Entry.rotation(rotation.id, "old")
        if self.keychain.load(entry) is None:
            old = self.keychain.load(Entry.sign_in(rotation.profile_id))
            if old is not None and old != secret:
                self.keychain.store(entry, old)
        self._set_sign_in(secret, rotation.new_prefix, rotation.new_key_name)
        self.crash("profile-switched")

    def _set_sign_in(self, secret: Secret, prefix: str, name: str) -> None:
        self.keychain.store(Entry.sign_in(self.profile.id), secret)
        self._change_profile(lambda profile: replace(profile, key_prefix=prefix, key_name=name))
        self.client = self._client_with(secret)

    def _client_with(self, secret: Secret) -> MysslClient:
        from ..api.client import MysslClient

        return MysslClient(self.client.base_url, secret)

    def _client_for(self, rotation: Rotation, *, cancelling: bool = False) -> MysslClient:
        """After a self-rotation's switch, requests go out with the new key, so the old key's
        last use shows only what *else* still uses it."""
        if rotation.self_rotation and rotation.at_least(State.VERIFIED) and not cancelling:
            secret = self.keychain.load(Entry.sign_in(rotation.profile_id))
            if secret is not None and secret.prefix == rotation.new_prefix:
                return self._client_with(secret)
        return self.client

    def _cleanup(self, rotation: Rotation) -> None:
        for spec in rotation.targets:
            target = target_from(spec)
            if isinstance(target, EnvFileTarget):
                target.discard_backup(rotation.id)
        self.keychain.delete(Entry.created_key(rotation.profile_id, rotation.old_key_id))
        self._forget_secrets(rotation)
        self.crash("cleaned-up")

    def _forget_secrets(self, rotation: Rotation) -> None:
        self.keychain.delete(Entry.rotation(rotation.id, "new"))
        self.keychain.delete(Entry.rotation(rotation.id, "old"))
        for index, spec in enumerate(rotation.targets):
            if spec.get("kind") == "keychain":
                self.keychain.delete(Entry.rotation(rotation.id, f"target-{index}-old"))
        for spec in rotation.targets:
            target = target_from(spec)
            if isinstance(target, EnvFileTarget):
                target.discard_backup(rotation.id)

    def _save(self, rotation: Rotation) -> Rotation:
        return self.store.save(rotation)
