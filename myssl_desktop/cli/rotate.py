"""`myssl-keys rotate` and `myssl-keys rotations`: the rotation engine, headless.

The journal makes every run resumable: kill it at any instant and `rotate --resume`
carries on from what really happened.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

from ..api.errors import KeyLimitReached
from ..profiles import Profile
from ..revoke_when import RevokeWhen
from ..rotation import (
    EnvFileTarget,
    JournalStore,
    KeychainTarget,
    Rotation,
    RotationEngine,
    State,
    Target,
)
from ..rotation.targets import DEFAULT_VARIABLE
from ..services import Services
from .account import find_profile
from .keys import resolve_key
from .output import CommandFailed, confirm, fail, table

POLL_S = 15  # drain polling: one request pair every 15 s stays far inside every tier's limit
REVOKE_CHOICES = tuple(RevokeWhen)


def register(commands: Any) -> None:
    rotate = commands.add_parser("rotate", help="replace a key without downtime (resumable)")
    rotate.add_argument("--profile", default=None, help="default: the last used profile")
    rotate.add_argument("--key", help="the key to rotate: name or id")
    rotate.add_argument("--env-file", action="append", default=[], metavar="PATH[:VAR]",
                        help=f"a .env file whose variable (default {DEFAULT_VARIABLE}) gets the new key")
    rotate.add_argument("--keychain", action="append", default=[], metavar="SERVICE:USER",
                        help="a keychain entry another program reads")
    rotate.add_argument("--quiet-period", default="10m", type=duration,
                        help="how long the old key must stay unused after delivery before it is revoked")
    rotate.add_argument("--revoke", choices=REVOKE_CHOICES, default="now",
                        help="revoke the old key now, schedule it, or leave it for later")
    rotate.add_argument("--resume", nargs="?", const="", default=None, metavar="ID",
                        help="carry on with a rotation in progress")
    rotate.add_argument("--cancel", metavar="ID", help="undo a rotation in progress: restore targets, "
                                                       "revoke the new key")
    rotate.add_argument("--accept-changed-files", action="store_true",
                        help="with --resume: use .env files that changed meanwhile as they are now")
    rotate.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rotate.set_defaults(run=run_rotate)

    rotations = commands.add_parser("rotations", help="list rotations in progress")
    rotations.add_argument("--all", action="store_true", help="also finished ones")
    rotations.set_defaults(run=run_rotations)


def duration(text: str) -> int:
    """"10m", "90s", "1h", "0" -> seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"“{text}” is not a duration such as 90s, 10m or 1h")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def parse_targets(args: argparse.Namespace) -> list[Target]:
    targets: list[Target] = []
    for spec in args.env_file:
        path, _, variable = spec.rpartition(":") if re.search(r":[A-Za-z_][A-Za-z0-9_]*$", spec) else (spec, "", "")
        targets.append(EnvFileTarget.plan(path or spec, variable or DEFAULT_VARIABLE))
    for spec in args.keychain:
        service, sep, user = spec.partition(":")
        if not sep or not service or not user:
            raise CommandFailed(fail(f"--keychain takes SERVICE:USER, not “{spec}”"))
        targets.append(KeychainTarget(service, user))
    return targets


def _engine(services: Services, profile: Profile) -> RotationEngine:
    return RotationEngine(services.signin.open(profile), services.keychain, JournalStore(services.dirs.data),
                          profile, profiles=services.profiles)


def say(text: str) -> None:
    print(text, flush=True)


def run_rotate(services: Services, args: argparse.Namespace) -> int:
    store = JournalStore(services.dirs.data)
    if args.cancel:
        return _cancel(services, store, args)
    if args.resume is not None:
        rotation = _pick(store, args.resume)
        profile = _profile_of(services, rotation)
        say(f"Resuming rotation {rotation.id} of “{rotation.old_key_name}” ({rotation.state.value}).")
        engine = _engine(services, profile)
        if args.accept_changed_files:
            rotation = engine.accept_changed_files(rotation)
        return _drive(engine, rotation, args, resumed=True)
    if not args.key:
        return fail("Name the key to rotate with --key (or --resume a rotation in progress).")
    profile = find_profile(services, args.profile)
    engine = _engine(services, profile)
    old = resolve_key(engine.client, args.key)
    targets = parse_targets(args)
    if not targets and profile.targets_for(old.id):
        from ..rotation.targets import replanned

        targets = [replanned(spec) for spec in profile.targets_for(old.id)]
        say("Using the targets remembered for this key (give --env-file or --keychain to change them).")
    where = "\n".join(f"  - {t.label}" for t in targets) or "  (no targets: you will copy the new key yourself)"
    question = (f"Rotate “{old.name}” ({old.prefix}…)? A new key is created and written to:\n{where}\n"
                f"then verified; the old key is revoked ({args.revoke}) once unused for {args.quiet_period} s.")
    if not confirm(question, assume_yes=args.yes):
        return 1
    try:
        rotation = engine.plan(old, targets, quiet_period_s=args.quiet_period, revoke=args.revoke)
        rotation = engine.create(rotation)
    except KeyLimitReached as error:
        print(f"myssl-keys: {error}", file=sys.stderr)
        for key in error.stale_keys:
            print(f"  unused: {key.name} ({key.prefix}…) — myssl-keys keys revoke --key {key.id}", file=sys.stderr)
        print("Then resume with: myssl-keys rotate --resume", file=sys.stderr)
        return 1
    say(f"Rotation {rotation.id} planned: the new key will be named “{rotation.new_key_name}”.")
    return _drive(engine, rotation, args)


def _drive(engine: RotationEngine, rotation: Rotation, args: argparse.Namespace, *, resumed: bool = False) -> int:
    if rotation.state in (State.REVOKED, State.SCHEDULED):
        rotation = engine.finish(rotation)
    if rotation.state.finished:
        say(f"Rotation {rotation.id} is {rotation.state.value}.")
        return 0
    rotation = engine.create(rotation)
    say(f"Created “{rotation.new_key_name}” ({rotation.new_prefix}…); its secret is in the keychain.")
    rotation = engine.deliver(rotation)
    for spec in rotation.targets:
        say(f"  delivered: {spec.get('variable', '')} {spec.get('path') or spec.get('service', '')}".rstrip())
    rotation = engine.verify(rotation)
    say("Verified: the new key works" + (" and the profile now signs in with it." if rotation.self_rotation else "."))
    choice = rotation.revoke if resumed else args.revoke
    if choice == "later":
        engine.finish(rotation, "later")
        say(f"The old key stays active. Finish later with: myssl-keys rotate --resume {rotation.id}")
        return 0
    rotation = _wait_for_quiet(engine, rotation)
    rotation = engine.finish(rotation, choice)
    what = "revoked" if choice == "now" else f"scheduled to be revoked in {choice}"
    say(f"Done: “{rotation.old_key_name}” {what}; “{rotation.new_key_name}” is in use.")
    return 0


def _wait_for_quiet(engine: RotationEngine, rotation: Rotation) -> Rotation:
    warned = False
    while True:
        status = engine.drain_status(rotation)
        if status.recommend_revoke:
            return rotation
        if status.used_after_delivery and not warned:
            print(f"myssl-keys: {status.summary(rotation.quiet_period_s)}", file=sys.stderr, flush=True)
            warned = True
        elif not warned:
            say(status.summary(rotation.quiet_period_s))
        time.sleep(min(POLL_S, max(1, rotation.quiet_period_s)))


def _pick(store: JournalStore, wanted: str) -> Rotation:
    running = store.in_progress()
    if wanted:
        match = [r for r in store.all() if r.id == wanted]
        if not match:
            raise CommandFailed(fail(f"No rotation {wanted}. See: myssl-keys rotations"))
        return match[0]
    if len(running) == 1:
        return running[0]
    if not running:
        raise CommandFailed(fail("No rotation is in progress."))
    raise CommandFailed(fail("Several rotations are in progress; name one: "
                             + ", ".join(f"{r.id} ({r.old_key_name})" for r in running)))


def _profile_of(services: Services, rotation: Rotation) -> Profile:
    profile = services.profiles.load().find(rotation.profile_id)
    if profile is None:
        raise CommandFailed(fail(f"Rotation {rotation.id} belongs to a profile that no longer exists."))
    return profile


def _cancel(services: Services, store: JournalStore, args: argparse.Namespace) -> int:
    rotation = _pick(store, args.cancel)
    if not confirm(f"Cancel rotation {rotation.id} of “{rotation.old_key_name}”? Targets get their old value "
                   "back and the new key is revoked.", assume_yes=args.yes):
        return 1
    cancelled = _engine(services, _profile_of(services, rotation)).cancel(rotation)
    say(f"Rotation {cancelled.id} cancelled: targets restored, the new key revoked.")
    return 0


def run_rotations(services: Services, args: argparse.Namespace) -> int:
    store = JournalStore(services.dirs.data)
    rotations = store.all() if args.all else store.in_progress()
    if not rotations:
        say("No rotation is in progress." if not args.all else "No rotations yet.")
        return 0
    say(table([[r.id, r.old_key_name, r.state.value, r.created_at, str(len(r.targets))] for r in rotations],
              ["ID", "KEY", "STATE", "STARTED", "TARGETS"]))
    return 0
