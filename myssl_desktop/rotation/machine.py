"""The rotation state machine: the one place that knows the steps of a rotation.

    planned -> created -> delivered -> verified -> draining -> revoked | scheduled -> done
    (or cancelled, from any state before the old key is revoked)

The CLI, the wizard and the background runner all drive it through `plan`, `step`, `cancel`
and the user's choices (`set_revoke`, `finish_now`, `confirm_target`); none of them repeats a
step or reads the journal. Every step:
- holds the rotation's lock (one process at a time; planning holds the key's lock, so a key
  never has two rotations);
- journals its intent before it changes anything outside (a key, a file, a keychain entry)
  and its result after, so recovery after a kill or a power cut at any instant can tell what
  happened and carries on from there (`MYSSL_DESKTOP_CRASH_AT` kills it at named points);
- is idempotent: doing it again after a crash is harmless.
"""

from __future__ import annotations

import base64
import math
import os
import signal
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from ..api.errors import (
    AccessDenied,
    ApiError,
    AuthenticationRequired,
    ClientsNotReported,
    InvalidApiKey,
    KeyLimitReached,
    NotFound,
)
from ..api.secret import Secret
from ..errors import AppError, describe
from ..filelocks import lock_name, locked
from ..keyactions import KeyActions
from ..keychain import Entry, Keychain, KeychainError, key_label, sign_in_label
from ..keyclients import NOT_REPORTED
from ..profiles import ProfilesError
from ..revoke_when import RevokeWhen
from . import commands, envfile, files
from .commands import CommandFailed, Ran
from .journal import Damaged, JournalStore, Rotation, State, TargetState, parse_time
from .names import base_name, new_key_name
from .outcomes import (
    DeliveryFailed,
    DrainStatus,
    Finished,
    KeyLimit,
    NeedsConfirmation,
    NeedsUser,
    NewKeyRejected,
    Outcome,
    Progress,
    Waiting,
    WaitingForTicks,
)
from .remembered import RememberedTargets
from .targets import (
    CommandTarget,
    Contents,
    EnvFileTarget,
    Holds,
    KeychainTarget,
    Target,
    TargetFailed,
    classify,
    look,
)

if TYPE_CHECKING:
    from ..api.client import MysslClient
    from ..api.models import ApiKey, KeyClient
    from ..profiles import Profile, ProfileStore

CRASH_AT = "MYSSL_DESKTOP_CRASH_AT"  # test hook: the name of a point to die at (SIGKILL)
CLOCK_SKEW = timedelta(seconds=120)  # our clock against MySSL's, when matching creation times
SCHEDULED_POLL_S = 3600  # how often a scheduled revoke is checked for having taken effect
# While the old key is in use, its clients are asked for at most this often (a drain polls two
# keys every 15 s; one more request each time would take the free tier past 10 a minute).
CLIENTS_EVERY_S = 60
MAX_CLIENT_HOURS = 720  # the widest window the clients endpoint takes


@dataclass(frozen=True)
class _SeenClients:
    """The last answer about the old key's clients, and what it was asked at."""

    at: datetime
    last_used: datetime | None  # the old key's last use when it was asked
    clients: tuple[KeyClient, ...] | None
    note: str
    settled: bool  # an answer (a list, or "not reported"), not a failure


class RotationError(AppError):
    """The rotation cannot go on as asked; the message says why."""


class NoKeyToActWith(RotationError):
    """No key of the rotation's account is at hand (its profile is signed out or gone)."""


def crash_point(name: str) -> None:
    """Die here if the kill tests asked for it: they prove recovery at every point."""
    if os.environ.get(CRASH_AT) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


@dataclass(frozen=True)
class Preflight:
    """What a rotation of `key` would meet, before anything is changed."""

    key: ApiKey
    targets: tuple[Target, ...]
    contents: tuple[Contents, ...]  # what each target holds now
    other_profiles: tuple[Profile, ...]  # other profiles signing in with this key: switched with it
    self_rotation: bool  # the rotating profile signs in with this key
    blocked: str = ""  # why it cannot start ("" when it can)

    def needs_force(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.contents) if c.needs_force)

    def unusable(self) -> tuple[int, ...]:
        return tuple(i for i, c in enumerate(self.contents) if not c.usable)


class RotationMachine:
    def __init__(self, *, store: JournalStore, keychain: Keychain, profiles: ProfileStore,
                 remembered: RememberedTargets, locks: Path,
                 connect: Callable[[str, Secret], MysslClient] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 crash: Callable[[str], None] = crash_point) -> None:
        self.store = store
        self.keychain = keychain
        self.profiles = profiles
        self.remembered = remembered
        self.locks = locks
        self._connect = connect or _default_connect
        self.clock = clock
        self.crash = crash
        self._seen_clients: dict[str, _SeenClients] = {}  # rotation id -> the last answer
        self._unreported: set[str] = set()  # base URLs whose server does not report clients

    # --- planning --------------------------------------------------------------------------

    def preflight(self, profile: Profile, key: ApiKey, targets: Iterable[Target]) -> Preflight:
        """Look at every target and at who else signs in with `key`. Reads files, the keychain
        and the journals: off the GUI thread."""
        targets = tuple(targets)
        contents = tuple(self.inspect(profile, key, t, targets) for t in targets)
        sharing = self._profiles_signing_in_with(profile.base_url, key.prefix)
        others = tuple(p for p in sharing if p.id != profile.id)
        own = any(p.id == profile.id for p in sharing) or profile.key_prefix == key.prefix
        return Preflight(key, targets, contents, others, own, self._blocked(profile.base_url, key))

    def plan(self, profile: Profile, key: ApiKey, targets: Iterable[Target], *, quiet_period_s: int = 600,
             revoke: RevokeWhen = RevokeWhen.NOW, force: Iterable[int] = ()) -> Rotation:
        """Journal a new rotation of `key` (nothing changes on MySSL yet). Raises when the key is
        being rotated already, a target cannot be read, or a target holds something other than
        this key and its index is not in `force`."""
        if key.is_revoked:
            raise RotationError(f"“{key.name}” is revoked already: there is nothing to rotate.")
        forced = set(force)
        with locked(self.locks / lock_name("key", profile.base_url.rstrip("/"), key.id), wait_s=10,
                    busy=f"Another rotation of “{key.name}” is being planned right now."):
            check = self.preflight(profile, key, targets)
            if check.blocked:
                raise RotationError(check.blocked)
            for index in check.unusable():
                raise TargetFailed(check.contents[index].problem)
            for index in check.needs_force():
                if index not in forced:
                    target = check.targets[index]
                    raise TargetFailed(f"{target.label} {check.contents[index].note(target).lstrip('⚠ ')}. "
                                       "The rotation would replace it: confirm that (--force in the command "
                                       "line), or remove this place.")
            switch = tuple(dict.fromkeys(
                [*([profile.id] if check.self_rotation else []), *(p.id for p in check.other_profiles)]))
            rotation = Rotation(
                id=Rotation.new_id(), profile_id=profile.id, base_url=profile.base_url.rstrip("/"),
                old_key_id=key.id, old_key_name=key.name, old_prefix=key.prefix,
                old_created_at=_iso(key.created_at), new_key_name=new_key_name(key.name),
                permissions=key.permissions, targets=check.targets,
                target_states=tuple(TargetState(forced=i in forced) for i in range(len(check.targets))),
                quiet_period_s=quiet_period_s, revoke=revoke, switch_profiles=switch,
                self_rotation=check.self_rotation)
            self.remembered.put(rotation.base_url, key.id, rotation.old_created_at, check.targets)
            return self.store.save(rotation)

    def inspect(self, profile: Profile, key: ApiKey, target: Target, others: Iterable[Target] = ()) -> Contents:
        """What a file or entry holds now; whether a command can run (its program is found, its
        check passes) and whether a cancel could run it again with the old key. Reads files and
        the keychain and runs the check: off the GUI thread."""
        if not isinstance(target, CommandTarget):
            return look(target, key.prefix, self.keychain)
        contents = commands.preflight(target)
        if contents.usable and not self._old_secret_at_hand(profile, key, others):
            note = ("a cancel cannot put the old key back here: its secret is not in the keychain (you would do it "
                    "by hand)")
            contents = replace(contents, problem=f"{contents.problem} {note}".strip())
        return contents

    def _old_secret_at_hand(self, profile: Profile, key: ApiKey, others: Iterable[Target]) -> bool:
        """Whether the old key's secret will be in the keychain for a cancel: the app made it (or
        a profile signs in with it), or a file or entry being rotated holds it (it is kept)."""
        entries = [Entry.created_key(profile.id, key.id),
                   *(Entry.sign_in(p.id) for p in self._profiles_signing_in_with(profile.base_url, key.prefix))]
        if any(_is_key(self.keychain.load(entry), key.prefix) for entry in entries):
            return True
        return any(look(t, key.prefix, self.keychain).holds is Holds.OLD_KEY for t in others
                   if isinstance(t, EnvFileTarget | KeychainTarget))

    def remembered_targets(self, base_url: str, key: ApiKey) -> list[Target]:
        return self.remembered.get(base_url, key.id, _iso(key.created_at))

    def _blocked(self, base_url: str, key: ApiKey) -> str:
        rotations, damaged = self.store.scan()
        for rotation in rotations:
            if not rotation.state.finished and rotation.old_key_id == key.id and \
                    _same_url(self._base_url(rotation), base_url):
                return (f"“{key.name}” is being rotated already (rotation {rotation.id}, {rotation.state.value}). "
                        "Resume or cancel that one first.")
        for bad in damaged:
            if bad.blocks(base_url.rstrip("/"), key.id):
                return (f"The journal of rotation {bad.id} is damaged ({bad.reason}), and it may be a rotation "
                        f"of this key. Look at {bad.path}, then remove it with: myssl-keys rotations discard "
                        f"{bad.id}")
        return ""

    # --- reading -------------------------------------------------------------------------

    def load(self, rotation_id: str) -> Rotation:
        return self.store.load(rotation_id)

    def overview(self) -> tuple[list[Rotation], list[Damaged]]:
        """Every journaled rotation (oldest first) and every journal that could not be read."""
        return self.store.scan()

    def new_secret(self, rotation: Rotation) -> Secret:
        secret = self.keychain.load(Entry.rotation(rotation.id, "new"))
        if secret is None:
            raise RotationError("The new key's secret is missing from the keychain (was the entry removed?). "
                                "Cancel this rotation and start again.")
        return secret

    def discard(self, rotation_id: str) -> Path:
        """Move a damaged or finished journal aside; a rotation in progress is cancelled instead."""
        try:
            rotation = self.store.load(rotation_id)
        except AppError:
            rotation = None  # damaged: the user looked and decided
        if rotation is not None and not rotation.state.finished:
            raise RotationError(f"Rotation {rotation_id} is in progress: cancel it (myssl-keys rotate --cancel "
                                f"{rotation_id}) rather than discard its journal.")
        return self.store.discard(rotation_id)

    # --- driving -------------------------------------------------------------------------

    def step(self, rotation_id: str, *, ticked: Iterable[int] = (), wait_s: float = 30) -> Outcome:
        """Do the next step of the rotation, under its lock (waiting up to `wait_s` for another
        process or window to finish its step; `Busy` after that)."""
        with self._lock(rotation_id, wait_s):
            rotation = self._loaded(rotation_id)
            if rotation.cancelling:
                return self._cancel(rotation)
            outcome = self._next(rotation, set(ticked))
            # A problem the user must solve is remembered for the lists; waiting for ticks is no problem.
            attention = outcome.message if isinstance(outcome, NeedsUser) and not isinstance(
                outcome.problem, WaitingForTicks) else ""
            if outcome.rotation.attention != attention:
                self.store.save(replace(outcome.rotation, attention=attention))
            return outcome

    def run(self, rotation_id: str, *, ticked: Iterable[int] = ()) -> Outcome:
        """Steps until the rotation waits, needs the user, or is finished."""
        while True:
            outcome = self.step(rotation_id, ticked=ticked)
            if not isinstance(outcome, Progress):
                return outcome

    def _next(self, rotation: Rotation, ticked: set[int]) -> Outcome:
        state = rotation.state
        if state == State.PLANNED:
            return self._create(rotation)
        if state == State.CREATED:
            return self._deliver(rotation, ticked)
        if state == State.DELIVERED:
            return self._verify(rotation)
        if state == State.VERIFIED:
            return Progress(self.store.save(rotation.advanced(State.DRAINING)), "Watching the old key.")
        if state == State.DRAINING:
            return self._drain(rotation)
        if state == State.REVOKED:
            return self._finish(rotation)
        if state == State.SCHEDULED:
            return self._await_expiry(rotation)
        return Finished(rotation, rotation.note or f"The rotation is {state.value}.")

    # --- (1) create ------------------------------------------------------------------------

    def _create(self, rotation: Rotation) -> Outcome:
        client = self._client(rotation)
        entry = Entry.rotation(rotation.id, "new")
        if rotation.create_started_at:  # a create may have happened before a crash or a lost answer
            stored = self.keychain.load(entry)
            for key in self._made_keys(rotation, client):
                if stored is not None and stored.prefix == key.prefix:
                    return self._created(rotation, key)
                client.revoke_key(key.id)  # made, but its secret was lost: useless
        existing = tuple(k.id for k in client.all_keys(search=rotation.new_key_name)
                         if k.name == rotation.new_key_name and not k.is_revoked)
        rotation = self.store.save(replace(rotation, create_started_at=self._now(), preexisting=existing))
        self.crash("create-intent")
        try:
            created = client.create_key(rotation.new_key_name, list(rotation.permissions))
        except KeyLimitReached as error:
            limit = KeyActions(client, self.keychain, self._profile_or_stub(rotation)).explain_limit(error)
            return NeedsUser(rotation, KeyLimit(str(limit), limit.stale_keys), str(limit))
        self.crash("create-answered")
        self.keychain.store(entry, created.secret, label=self._label(rotation, f"new key “{rotation.new_key_name}”"))
        self.crash("secret-stored")
        return self._created(rotation, created.api_key)

    def _created(self, rotation: Rotation, key: ApiKey) -> Progress:
        rotation = self.store.save(rotation.advanced(State.CREATED, new_key_id=key.id, new_prefix=key.prefix))
        return Progress(rotation, f"Created “{rotation.new_key_name}” ({key.prefix}…); its secret is in the "
                                  f"keychain.")

    def _made_keys(self, rotation: Rotation, client: MysslClient) -> list[ApiKey]:
        """Keys a create of this rotation may have made: its name, made since it began."""
        since = (parse_time(rotation.create_started_at) or self.clock()) - CLOCK_SKEW
        return [k for k in client.all_keys(search=rotation.new_key_name)
                if k.name == rotation.new_key_name and not k.is_revoked and k.created_at >= since
                and k.id not in rotation.preexisting and k.id != rotation.old_key_id]

    # --- (2) deliver -----------------------------------------------------------------------

    def _deliver(self, rotation: Rotation, ticked: set[int]) -> Outcome:
        secret = self.new_secret(rotation)
        runs: list[Ran] = []
        again: list[str] = []
        for index, target in enumerate(rotation.targets):
            if rotation.target_states[index].written:
                continue
            if not target.automatic:
                if index in ticked:
                    rotation = self.store.save(rotation.with_target(index, written=True))
                    self.crash(f"target-{index}")
                continue
            problem: NeedsUser | None = None
            try:
                if isinstance(target, CommandTarget):
                    if rotation.target_states[index].writing:
                        again.append(target.label)
                    else:  # the intent first: a run cut short has an unknown outcome
                        rotation = self.store.save(rotation.with_target(index, writing=True))
                    rotation = self._deliver_command(rotation, index, target, secret, runs)
                else:
                    rotation, problem = self._deliver_one(rotation, index, target, secret)
            except (OSError, KeychainError, TargetFailed, envfile.EnvEditError) as error:
                if isinstance(error, CommandFailed):
                    runs += error.runs
                reason = describe(error)
                writing = rotation.target_states[index].writing
                return NeedsUser(rotation, DeliveryFailed(index, target, reason, written=writing),
                                 f"Could not update {target.label}: {reason}", tuple(runs))
            if problem is not None:
                return replace(problem, runs=tuple(runs))
            self.crash(f"target-{index}")
        pending = tuple(i for i, s in enumerate(rotation.target_states) if not s.written)
        if pending:
            names = "; ".join(rotation.targets[i].label for i in pending)
            return NeedsUser(rotation, WaitingForTicks(pending), f"Update these and tick them off: {names}.",
                             tuple(runs))
        # The old key's request count now: any later rise is something else still using it
        # (counts are exact where MySSL's whole-second times are not).
        old = self._client(rotation).get_key(rotation.old_key_id)
        rotation = self.store.save(rotation.advanced(State.DELIVERED, delivered_at=self._now(),
                                                     old_count_at_delivery=old.request_count))
        did = "Every place has the new key."
        if again:
            did += (" Ran again, since an earlier run did not finish (cut short, or it failed): "
                    + "; ".join(again) + ".")
        return Progress(rotation, did, tuple(runs))

    def _deliver_command(self, rotation: Rotation, index: int, target: CommandTarget, secret: Secret,
                         runs: list[Ran]) -> Rotation:
        """Run the target's program with the new secret, its intent journaled. A run cut short (a
        kill, a power cut) has an unknown outcome, so resuming runs it again, which every preset
        allows (the Docker one finds its versioned secret made already)."""
        self.crash(f"target-{index}-writing")
        try:
            runs += commands.deliver(target, secret, index)
        except CommandFailed as error:
            raise CommandFailed(f"{error} Fix it, then resume: the command runs again.", error.runs) from None
        self.crash(f"target-{index}-written")
        return self._written(rotation, index)

    def _deliver_one(self, rotation: Rotation, index: int, target: Target,
                     secret: Secret) -> tuple[Rotation, NeedsUser | None]:
        if isinstance(target, EnvFileTarget):
            return self._deliver_file(rotation, index, target, secret)
        if isinstance(target, KeychainTarget):
            return self._deliver_entry(rotation, index, target, secret)
        return rotation, None

    def _needs_confirmation(self, rotation: Rotation, index: int, target: Target,
                            contents: Contents) -> NeedsUser | None:
        if not contents.needs_force or rotation.target_states[index].forced:
            return None
        return NeedsUser(rotation, NeedsConfirmation(index, target, contents),
                         f"{target.label} {contents.note(target).lstrip('⚠ ')}. Confirm that the rotation may "
                         "replace it, or cancel the rotation.")

    def _deliver_file(self, rotation: Rotation, index: int, target: EnvFileTarget,
                      secret: Secret) -> tuple[Rotation, NeedsUser | None]:
        with self._file_lock(target):
            content = self._read(target)
            rotation, content = self._recover_write(rotation, index, target, content, secret)
            found = envfile.lookup(content, target.variable)
            if found.value == secret.reveal():
                return self._written(rotation, index), None
            if found.problem is not None:
                raise found.problem
            if found.reference:
                raise TargetFailed(f"{target.variable} in {target.path} refers to ${{{found.reference}}}: the key "
                                   f"lives in {found.reference}. Cancel, and rotate with {found.reference} as the "
                                   "variable instead.")
            contents = classify(found.value, rotation.old_prefix)
            if (asking := self._needs_confirmation(rotation, index, target, contents)) is not None:
                return rotation, asking
            if not os.access(target.path, os.W_OK):
                raise TargetFailed(f"{target.path} is read-only for you. Make it writable (or update "
                                   f"{target.variable} by hand), then resume.")
            new = envfile.replace_value(content, target.variable, secret.reveal())
            state = rotation.target_states[index]
            if found.value and not state.writing:
                self.keychain.store(self._saved(rotation, index, "old"), Secret(found.value),  # for cancel
                                    label=self._label(rotation, f"old value of {target.label}"))
            rotation = self._begin_rewrite(rotation, index, content, new, was_absent=not found.present,
                                           had_value=bool(found.value), was_bare=found.present and found.value is None)
            self.crash(f"target-{index}-writing")
            files.write_in_place(target.path, content, new)
            self.crash(f"target-{index}-written")
            return self._written(rotation, index), None

    def _deliver_entry(self, rotation: Rotation, index: int, target: KeychainTarget,
                       secret: Secret) -> tuple[Rotation, NeedsUser | None]:
        current = self.keychain.load_external(target.service, target.user)
        if current == secret:
            return self._written(rotation, index), None
        contents = classify(None if current is None else current.reveal(), rotation.old_prefix)
        if (asking := self._needs_confirmation(rotation, index, target, contents)) is not None:
            return rotation, asking
        state = rotation.target_states[index]
        if not state.writing:
            if current is not None and current.reveal():
                self.keychain.store(self._saved(rotation, index, "old"), current,  # for cancel
                                    label=self._label(rotation, f"old value of {target.label}"))
            rotation = self.store.save(rotation.with_target(index, writing=True, was_absent=current is None,
                                                            had_value=current is not None and bool(current.reveal())))
        self.crash(f"target-{index}-writing")
        self.keychain.store_external(target.service, target.user, secret)
        self.crash(f"target-{index}-written")
        return self._written(rotation, index), None

    def _written(self, rotation: Rotation, index: int) -> Rotation:
        self.keychain.delete(self._saved(rotation, index, "file"))
        return self.store.save(rotation.with_target(index, written=True, writing=False))

    # --- rewriting a file, recoverably -------------------------------------------------------

    def _begin_rewrite(self, rotation: Rotation, index: int, old: bytes, new: bytes, **changes: bool) -> Rotation:
        """Journal the intent to turn the file from `old` into `new`, with the content before in
        the keychain, so that recovery can finish a write that was cut short."""
        self._store_preimage(rotation, index, old)
        state = rotation.target_states[index]
        if state.writing or state.restoring:
            changes = {}  # what the target held before is known from the first attempt
        return self.store.save(rotation.with_target(
            index, before=files.digest(old), after=files.digest(new), after_length=len(new),
            **{"restoring" if rotation.cancelling else "writing": True}, **changes))

    def _recover_write(self, rotation: Rotation, index: int, target: EnvFileTarget, content: bytes,
                       secret: Secret | None) -> tuple[Rotation, bytes]:
        """A write of this file was begun and not journaled as ended: finish it if it was cut
        short. Returns the file's content as it is now."""
        state = rotation.target_states[index]
        if not (state.writing or state.restoring) or not state.after:
            return rotation, content
        old = self._load_preimage(rotation, index)
        new = None
        if old is not None and secret is not None and state.writing:
            new = envfile.replace_value(old, target.variable, secret.reveal())
        found = files.recognise(content, state.before, state.after, state.after_length, old, new)
        if found is files.Found.UNFINISHED:
            finished = content[:state.after_length] if new is None else new
            files.write_in_place(target.path, content, finished)
            return rotation, finished
        return rotation, content  # as before, as after, or changed by someone: judged by its value

    def _store_preimage(self, rotation: Rotation, index: int, content: bytes) -> None:
        try:
            self.keychain.store(self._saved(rotation, index, "file"), Secret(base64.b64encode(content).decode()),
                                label=self._label(rotation, f"copy of {rotation.targets[index].label} while it "
                                                            "is rewritten"))
        except KeychainError:
            pass  # too large for this keychain (Windows): a torn write is then reported as a change

    def _load_preimage(self, rotation: Rotation, index: int) -> bytes | None:
        saved = self.keychain.load(self._saved(rotation, index, "file"))
        return None if saved is None else base64.b64decode(saved.reveal())

    @staticmethod
    def _saved(rotation: Rotation, index: int, what: str) -> str:
        return Entry.rotation(rotation.id, f"target-{index}-{what}")

    def _file_lock(self, target: EnvFileTarget) -> AbstractContextManager[None]:
        real = os.path.realpath(target.path)  # two paths to one file share the lock
        return locked(self.locks / lock_name("file", real), busy=f"{target.path} is being updated by another "
                                                                   "rotation; try again in a moment.")

    @staticmethod
    def _read(target: EnvFileTarget) -> bytes:
        try:
            return files.read(target.path)
        except OSError as error:
            raise TargetFailed(f"Cannot read {target.path}: {error.strerror or error}.") from None

    # --- (3) verify ------------------------------------------------------------------------

    def _verify(self, rotation: Rotation) -> Outcome:
        secret = self.new_secret(rotation)
        rejected = self._rejects(rotation, secret, deep=True)
        if rejected:
            return NeedsUser(rotation, NewKeyRejected(rejected), rejected)
        switched = self._switch_profiles(rotation, secret, to_new=True)
        self.keychain.store(Entry.created_key(rotation.profile_id, rotation.new_key_id or 0), secret,
                            label=key_label(base_name(rotation.new_key_name), self._profile_name(rotation.profile_id,
                                                                                                 bare=True)))
        rotation = self.store.save(rotation.advanced(State.VERIFIED, verified_at=self._now()))
        self.crash("verified")
        rotation = self.store.save(rotation.advanced(State.DRAINING))
        did = "The new key works."
        if switched:
            did += " " + _profiles_words(switched) + " now sign" + ("s" if len(switched) == 1 else "") + \
                   " in with it."
        return Progress(rotation, did)

    def _rejects(self, rotation: Rotation, secret: Secret, *, deep: bool = False) -> str:
        """Why the new key does not work ("" when it does): MySSL must accept it as itself, and
        (`deep`) it must read domains when the old key could."""
        probe = self._connect(self._base_url(rotation), secret)
        try:
            if deep and "domains:read" in rotation.permissions:
                probe.list_domains(per_page=1)
            current = probe.current()
        except (InvalidApiKey, AuthenticationRequired):
            return ("MySSL no longer accepts the new key (it may have been revoked elsewhere). The old key "
                    "stays active. Cancel this rotation and start a new one.")
        except AccessDenied:
            return ("The new key lacks “domains:read”, which the old key had: applications that read domains "
                    "would fail with it. Cancel and rotate again.")
        if current.api_key.id != rotation.new_key_id:
            return "MySSL answered for a different key than the one this rotation created."
        if current.api_key.status != "active":
            return ("Someone scheduled the new key's revoke; the old key stays active. Cancel the scheduled revoke "
                    "of the new key, or cancel this rotation.")
        return ""

    def _switch_profiles(self, rotation: Rotation, secret: Secret, *, to_new: bool) -> list[str]:
        """Profiles signing in with the old key sign in with the new one (or, for a cancel, back).
        The old secret is kept for the cancel until the rotation ends. Returns their names."""
        saved = Entry.rotation(rotation.id, "old")
        switched = []
        for profile_id in rotation.switch_profiles:
            current = self.keychain.load(Entry.sign_in(profile_id))
            if current is None:
                continue  # signed out meanwhile: nothing to switch
            if to_new and current.prefix == rotation.old_prefix:
                if self.keychain.load(saved) is None:
                    self.keychain.store(saved, current, label=self._label(rotation, "old sign-in key"))
                self._set_sign_in(profile_id, secret, rotation.new_prefix, rotation.new_key_name)
                self.crash("profile-switched")
            elif not to_new and current.prefix == rotation.new_prefix:
                old = self.keychain.load(saved)
                if old is None:
                    raise RotationError("The old key's secret is no longer in the keychain, so the profiles that "
                                        "switched to the new key cannot switch back; the new key stays active.")
                self._set_sign_in(profile_id, old, rotation.old_prefix, rotation.old_key_name)
                self.crash("profile-switched-back")
            else:
                continue
            switched.append(self._profile_name(profile_id))
        return switched

    def _set_sign_in(self, profile_id: str, secret: Secret, prefix: str, name: str) -> None:
        label = sign_in_label(base_name(name), self._profile_name(profile_id, bare=True))
        self.keychain.store(Entry.sign_in(profile_id), secret, label=label)
        self.profiles.modify(profile_id, lambda p: replace(p, key_prefix=prefix, key_name=name))

    # --- (4) drain and revoke ------------------------------------------------------------------

    def drain_status(self, rotation: Rotation) -> DrainStatus:
        client = self._client(rotation)
        old = client.get_key(rotation.old_key_id)
        new = client.get_key(rotation.new_key_id or 0)
        delivered = parse_time(rotation.delivered_at) or self.clock()
        used_after = old.request_count > rotation.old_count_at_delivery
        since = max(delivered, old.last_used_at) if used_after and old.last_used_at else delivered
        clients, note = self._old_clients(rotation, client, old, delivered) if used_after else ((), "")
        return DrainStatus(old, new, used_after, self.clock() - since, rotation.quiet_period_s, clients, note)

    def _old_clients(self, rotation: Rotation, client: MysslClient, old: ApiKey,
                     delivered: datetime) -> tuple[tuple[KeyClient, ...] | None, str]:
        """Who used the old key since delivery (what still has it). Asked again only when the
        key was used since the last answer and CLIENTS_EVERY_S have passed; never of a server
        known not to report clients. A failure is a note, not the drain's failure."""
        now = self.clock()
        seen = self._seen_clients.get(rotation.id)
        if seen is not None and ((seen.settled and seen.last_used == old.last_used_at)
                                 or now - seen.at < timedelta(seconds=CLIENTS_EVERY_S)):
            return seen.clients, seen.note
        base_url = self._base_url(rotation)
        clients: tuple[KeyClient, ...] | None = None
        note, settled = NOT_REPORTED, True
        if base_url not in self._unreported:
            hours = min(MAX_CLIENT_HOURS, max(1, math.ceil((now - delivered).total_seconds() / 3600)))
            try:
                found = client.key_clients(rotation.old_key_id, hours=hours)
                clients, note = tuple(c for c in found.clients if c.last_seen >= delivered), ""
            except ClientsNotReported:
                self._unreported.add(base_url)
            except ApiError as error:
                note, settled = describe(error, "ask MySSL which clients use the old key"), False
        self._seen_clients[rotation.id] = _SeenClients(now, old.last_used_at, clients, note, settled)
        return clients, note

    def _drain(self, rotation: Rotation) -> Outcome:
        status = self.drain_status(rotation)
        if status.new.status != "active":
            reason = ("The new key was revoked elsewhere (or its revoke scheduled), so the old key was not revoked: "
                      "the old key stays active. Cancel this rotation and start a new one.")
            return NeedsUser(rotation, NewKeyRejected(reason), reason)
        if status.old.is_revoked:  # someone revoked it already: nothing left but to clean up
            still_used = status.used_after_delivery and not status.quiet_enough
            note = "The old key was revoked outside this rotation" + (
                ", while something still used it: what used it now fails." if still_used else ".")
            return Progress(self.store.save(rotation.advanced(State.REVOKED, revoked_elsewhere=True, note=note)), note)
        if rotation.revoke == RevokeWhen.LATER:
            return Waiting(rotation, "The old key stays active until you finish the rotation.", None, status)
        if not status.quiet_enough:
            return Waiting(rotation, status.summary(), max(1, status.seconds_left), status)
        return self._revoke_old(rotation, rotation.revoke)

    def _revoke_old(self, rotation: Rotation, when: RevokeWhen) -> Outcome:
        rejected = self._rejects(rotation, self.new_secret(rotation))  # never leave both keys dead
        if rejected:
            return NeedsUser(rotation, NewKeyRejected(rejected), rejected)
        client = self._client(rotation)
        if when is RevokeWhen.NOW:
            client.revoke_key(rotation.old_key_id)
            self.crash("old-revoked")
            rotation = self.store.save(rotation.advanced(State.REVOKED, revoke=when))
            return Progress(rotation, f"Revoked the old key “{rotation.old_key_name}”.")
        if when.delay is None:
            raise RotationError(f"{when.label} is not a time to revoke at.")
        at = (self.clock() + when.delay).replace(microsecond=0)
        client.update_key(rotation.old_key_id, expires_at=at)
        self.crash("old-scheduled")
        rotation = self.store.save(rotation.advanced(State.SCHEDULED, revoke=when))
        return Progress(rotation, f"Scheduled the old key's revoke in {when.span}.")

    # --- (5) finish ----------------------------------------------------------------------------

    def _finish(self, rotation: Rotation) -> Outcome:
        rotation = self._clean_up(rotation)
        self.keychain.delete(Entry.created_key(rotation.profile_id, rotation.old_key_id))  # a revoked key's
        client = self._client(rotation)
        name = self._take_name(rotation, client)
        rotation = self.store.save(rotation.advanced(State.DONE, finished_at=self._now(), attention="",
                                                     note=f"Done: the old key is revoked; “{name}” is in use."))
        return Finished(rotation, rotation.note)

    def _await_expiry(self, rotation: Rotation) -> Outcome:
        rotation = self._clean_up(rotation)
        client = self._client(rotation)
        old = client.get_key(rotation.old_key_id)
        if not old.is_revoked:
            wait = SCHEDULED_POLL_S
            if old.expires_at is not None:
                wait = max(1, min(wait, int((old.expires_at - self.clock()).total_seconds()) + 1))
            return Waiting(rotation, f"The old key's revoke takes effect {_when(old.expires_at)}; the new key "
                                     "takes its name then.", wait)
        return self._finish(rotation)

    def _clean_up(self, rotation: Rotation) -> Rotation:
        """Once the old key is revoked or doomed: forget the rotation's secrets (the old one and
        the targets' old values were for a cancel, which can no longer happen) and remember the
        targets for the new key."""
        if rotation.cleaned_up:
            return rotation
        self._forget_secrets(rotation)
        if rotation.new_key_id is not None:
            new = self._client(rotation).get_key(rotation.new_key_id)
            self.remembered.put(rotation.base_url or self._base_url(rotation), new.id, _iso(new.created_at),
                                rotation.targets, forget=(rotation.old_key_id, rotation.old_created_at))
        rotation = self.store.save(replace(rotation, cleaned_up=True))
        self.crash("cleaned-up")
        return rotation

    def _take_name(self, rotation: Rotation, client: MysslClient) -> str:
        """The new key takes the old key's name, unless someone renamed it meanwhile."""
        name = base_name(rotation.new_key_name)
        try:
            current = client.get_key(rotation.new_key_id or 0)
            if current.name != rotation.new_key_name:
                return current.name
            client.update_key(current.id, name=name)
        except ApiError:
            return rotation.new_key_name  # the name is cosmetic: the rotation is done either way
        for profile_id in rotation.switch_profiles:
            self.profiles.modify(profile_id, lambda p: replace(p, key_name=name) if p.key_prefix ==
                                 rotation.new_prefix else p)
        return name

    def _forget_secrets(self, rotation: Rotation) -> None:
        for label in ("new", "old"):
            self.keychain.delete(Entry.rotation(rotation.id, label))
        for index in range(len(rotation.targets)):
            for what in ("old", "file"):
                self.keychain.delete(self._saved(rotation, index, what))

    # --- the user's choices --------------------------------------------------------------------

    def set_revoke(self, rotation_id: str, when: RevokeWhen) -> Rotation:
        """Change what happens to the old key once it is quiet (finish a "later" rotation)."""
        with self._lock(rotation_id, 30):
            rotation = self._loaded(rotation_id)
            if not rotation.cancellable:
                raise RotationError(f"The rotation of “{rotation.old_key_name}” is past that choice "
                                    f"({rotation.state.value}).")
            return self.store.save(replace(rotation, revoke=when))

    def finish_now(self, rotation_id: str, when: RevokeWhen) -> Outcome:
        """Revoke (or schedule the revoke of) the old key now, without waiting for the quiet
        period: the user decided, after seeing its use."""
        with self._lock(rotation_id, 30):
            rotation = self._loaded(rotation_id)
            if rotation.state != State.DRAINING:
                raise RotationError("The old key can be revoked once the new key is in every place and verified.")
            return self._revoke_old(replace(rotation, revoke=when), when)

    def confirm_target(self, rotation_id: str, index: int) -> Rotation:
        """The user agrees that target `index` may be overwritten although it holds something
        other than the old key."""
        with self._lock(rotation_id, 30):
            rotation = self._loaded(rotation_id)
            return self.store.save(rotation.with_target(index, forced=True))

    # --- cancel --------------------------------------------------------------------------------

    def cancel(self, rotation_id: str) -> Outcome:
        """Put every target back, switch profiles back, revoke the new key, forget the secrets.
        Resumable like the rest: a cancel cut short goes on cancelling."""
        with self._lock(rotation_id, 30):
            rotation = self._loaded(rotation_id)
            if rotation.state.finished:
                return Finished(rotation, rotation.note or f"The rotation is {rotation.state.value}.")
            if not rotation.cancellable:
                raise RotationError("The old key is revoked (or its revoke is scheduled): the rotation can only "
                                    "be finished now.")
            if not rotation.cancelling:
                rotation = self.store.save(replace(rotation, cancelling=True))
                self.crash("cancel-intent")
            return self._cancel(rotation)

    def _cancel(self, rotation: Rotation) -> Outcome:
        new_secret = self.keychain.load(Entry.rotation(rotation.id, "new"))
        if new_secret is not None:
            self._switch_profiles(rotation, new_secret, to_new=False)  # first: the profile must not sign in
            # with a key about to be revoked
        runs: list[Ran] = []
        by_hand = [t.label for i, t in enumerate(rotation.targets)
                   if not t.automatic and rotation.target_states[i].written]
        for index, target in enumerate(rotation.targets):
            state = rotation.target_states[index]
            if not (target.automatic and (state.written or state.writing or state.restoring)):
                continue
            try:
                if isinstance(target, CommandTarget):
                    old = self._old_secret(rotation)
                    if old is None:
                        by_hand.append(target.label)  # planning said so
                        continue
                    if not state.restoring:
                        rotation = self.store.save(rotation.with_target(index, restoring=True))
                    rotation = self._restore_command(rotation, index, target, old, runs)
                else:
                    rotation = self._restore(rotation, index, target, new_secret)
            except (OSError, KeychainError, TargetFailed, envfile.EnvEditError) as error:
                if isinstance(error, CommandFailed):
                    runs += error.runs
                reason = describe(error)
                message = (f"Could not put {target.label} back: {reason} The new key stays active until it is; "
                           "fix it and cancel again.")
                return NeedsUser(rotation, DeliveryFailed(index, target, reason, written=True), message, tuple(runs))
            self.crash(f"cancel-target-{index}")
        client = self._client(rotation)
        for key in self._made_keys(rotation, client) if rotation.create_started_at else []:
            client.revoke_key(key.id)
        if rotation.new_key_id is not None:
            try:
                client.revoke_key(rotation.new_key_id)
            except NotFound:
                pass  # gone already
            self.keychain.delete(Entry.created_key(rotation.profile_id, rotation.new_key_id))
        self.crash("cancel-revoked")
        self._forget_secrets(rotation)
        note = "Cancelled: every place put back, the new key revoked."
        if by_hand:
            note += " Put the old key back by hand in: " + "; ".join(by_hand) + "."
        rotation = self.store.save(rotation.advanced(State.CANCELLED, finished_at=self._now(), attention="",
                                                     note=note))
        return Finished(rotation, note, tuple(runs))

    def _restore_command(self, rotation: Rotation, index: int, target: CommandTarget, old: Secret,
                         runs: list[Ran]) -> Rotation:
        """Run the target again with the old key, its intent journaled (a run cut short is run
        again when the cancel goes on)."""
        self.crash(f"cancel-target-{index}-restoring")
        runs += commands.deliver(target, old, index)
        return self.store.save(rotation.with_target(index, written=False, writing=False, restoring=False))

    def _old_secret(self, rotation: Rotation) -> Secret | None:
        """The old key's secret, if the keychain still has it (or a file or entry being rotated
        still holds it): for a cancel to run a command target again with it."""
        entries = [Entry.created_key(rotation.profile_id, rotation.old_key_id), Entry.rotation(rotation.id, "old"),
                   *(Entry.sign_in(p) for p in rotation.switch_profiles),
                   *(self._saved(rotation, i, "old") for i in range(len(rotation.targets)))]
        for entry in entries:
            secret = self.keychain.load(entry)
            if _is_key(secret, rotation.old_prefix):
                return secret
        for target in rotation.targets:
            value: Secret | None = None
            if isinstance(target, KeychainTarget):
                value = self.keychain.load_external(target.service, target.user)
            elif isinstance(target, EnvFileTarget):
                try:
                    found = envfile.lookup(files.read(target.path), target.variable).value
                except OSError:
                    found = None
                value = Secret(found) if found else None
            if _is_key(value, rotation.old_prefix):
                return value
        return None

    def _restore(self, rotation: Rotation, index: int, target: Target, new_secret: Secret | None) -> Rotation:
        """Put the target's old value back, only if it holds the new key (someone else's change
        stays), and only the variable (never the whole file)."""
        state = rotation.target_states[index]
        old = self.keychain.load(self._saved(rotation, index, "old")) if state.had_value else None
        if state.had_value and old is None:
            raise TargetFailed("its old value is no longer in the keychain")
        if isinstance(target, KeychainTarget):
            current = self.keychain.load_external(target.service, target.user)
            if new_secret is not None and current == new_secret:
                if state.was_absent:
                    self.keychain.delete_external(target.service, target.user)
                else:
                    self.keychain.store_external(target.service, target.user, old or Secret(""))
            return self.store.save(rotation.with_target(index, written=False, writing=False))
        if not isinstance(target, EnvFileTarget):
            return rotation
        with self._file_lock(target):
            content = self._read(target)
            rotation, content = self._recover_write(rotation, index, target, content, new_secret)
            found = envfile.lookup(content, target.variable)
            if new_secret is not None and found.value == new_secret.reveal():
                if state.was_absent:
                    restored = envfile.remove_assignment(content, target.variable)
                else:
                    before = old.reveal() if old else None if state.was_bare else ""
                    restored = envfile.replace_value(content, target.variable, before)
                rotation = self._begin_rewrite(rotation, index, content, restored)
                files.write_in_place(target.path, content, restored)
            self.keychain.delete(self._saved(rotation, index, "file"))
            return self.store.save(rotation.with_target(index, written=False, writing=False, restoring=False))

    # --- who acts for the rotation -------------------------------------------------------------

    def _client(self, rotation: Rotation) -> MysslClient:
        """A client of the rotation's account: the profile's sign-in key (the new key, once a
        self-rotation switched it), else another profile of the same account, else the new key
        itself when it may manage keys. The journal is enough; the profile may be gone."""
        base_url = self._base_url(rotation)
        for profile_id in dict.fromkeys([rotation.profile_id, *rotation.switch_profiles]):
            secret = self.keychain.load(Entry.sign_in(profile_id))
            if secret is not None:
                return self._connect(base_url, secret)
        for profile in self._all_profiles():
            secret = self.keychain.load(Entry.sign_in(profile.id)) if _same_url(profile.base_url, base_url) else None
            if secret is not None:
                client = self._connect(base_url, secret)
                try:
                    if client.get_key(rotation.old_key_id).prefix == rotation.old_prefix:
                        return client
                except ApiError:
                    continue  # another account, or a key without "keys:read"
        if rotation.new_key_id is not None and {"keys:read", "keys:manage"} <= set(rotation.permissions):
            secret = self.keychain.load(Entry.rotation(rotation.id, "new"))
            if secret is not None:
                return self._connect(base_url, secret)
        raise NoKeyToActWith(f"No key of the account of rotation {rotation.id} ({base_url}) is in the keychain: "
                             "its profile is signed out or gone. Sign in to that account again (myssl-keys login "
                             f"--profile NAME --base-url {base_url} --key-stdin), then resume or cancel it.")

    def _base_url(self, rotation: Rotation) -> str:
        if rotation.base_url:
            return rotation.base_url
        profile = next((p for p in self._all_profiles() if p.id == rotation.profile_id), None)
        if profile is None:
            raise NoKeyToActWith(f"Rotation {rotation.id} was journaled by an older version without its account's "
                                 "address, and its profile is gone: sign in to it again, then resume.")
        return profile.base_url.rstrip("/")

    def _all_profiles(self) -> tuple[Profile, ...]:
        try:
            return self.profiles.load().profiles
        except ProfilesError:
            return ()

    def _profiles_signing_in_with(self, base_url: str, prefix: str) -> list[Profile]:
        return [p for p in self._all_profiles() if _same_url(p.base_url, base_url) and p.key_prefix == prefix]

    def _profile_name(self, profile_id: str, *, bare: bool = False) -> str:
        profile = next((p for p in self._all_profiles() if p.id == profile_id), None)
        if bare:
            return profile.name if profile else profile_id
        return f"profile “{profile.name}”" if profile else f"profile {profile_id}"

    @staticmethod
    def _label(rotation: Rotation, what: str) -> str:
        return f"MySSL rotation {rotation.id} of “{rotation.old_key_name}”: {what}"

    def _profile_or_stub(self, rotation: Rotation) -> Profile:
        from ..profiles import Profile

        found = next((p for p in self._all_profiles() if p.id == rotation.profile_id), None)
        return found or Profile(id=rotation.profile_id, name="", base_url=self._base_url(rotation))

    # --- plumbing --------------------------------------------------------------------------------

    def _lock(self, rotation_id: str, wait_s: float) -> AbstractContextManager[None]:
        return locked(self.locks / lock_name("rotation", rotation_id), wait_s=wait_s,
                      busy=f"Rotation {rotation_id} is being worked on by another window or process.")

    def _now(self) -> str:
        """Now, as journals write it, by the machine's clock (the one drain times are compared with)."""
        return _iso(self.clock())

    def _loaded(self, rotation_id: str) -> Rotation:
        rotation = self.store.load(rotation_id)
        if not rotation.base_url:
            rotation = replace(rotation, base_url=self._base_url(rotation))
        return rotation


def _is_key(secret: Secret | None, prefix: str) -> bool:
    return secret is not None and secret.is_well_formed() and secret.prefix == prefix


def _default_connect(base_url: str, secret: Secret) -> MysslClient:
    from ..api.client import MysslClient

    return MysslClient(base_url, secret)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(moment: datetime | None) -> str:
    from ..timefmt import exact, relative

    return "soon" if moment is None else f"{relative(moment)} ({exact(moment)})"


def _profiles_words(names: list[str]) -> str:
    return names[0][:1].upper() + names[0][1:] if len(names) == 1 else "Profiles " + ", ".join(
        n.removeprefix("profile ") for n in names)


__all__ = ["CRASH_AT", "NoKeyToActWith", "Preflight", "RotationError", "RotationMachine", "crash_point"]
