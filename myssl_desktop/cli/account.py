"""Account commands: login, logout, forget, profiles, whoami, doctor."""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import replace
from typing import Any

from ..api.models import DEFAULT_BASE_URL
from ..api.secret import Secret
from ..errors import describe
from ..keychain import Entry, KeychainError
from ..profiles import ENVIRONMENTS, Profile
from ..services import Services
from . import doctor
from .output import CommandFailed, confirm, emit_json, fail, print_table, say, warn
from .selection import (
    ENV_KEY,
    ENV_PROFILE,
    add_account_options,
    env_key,
    find_profile,
    is_ephemeral,
    open_session,
    profile_name,
    require_writable,
)


def register(commands: Any) -> None:
    login = commands.add_parser("login", help="sign in: the key is asked for with typing hidden, or read from "
                                              "standard input with --key-stdin")
    add_account_options(login)
    login.add_argument("--env", choices=ENVIRONMENTS, default=None,
                       help="environment tag (default: production for a new profile, else the profile's own)")
    login.add_argument("--json", action="store_true")
    login.add_argument("--key-stdin", action="store_true",
                       help="read the key from standard input, for scripts (never from the command line, where "
                            "ps and shell history would show it)")
    login.set_defaults(run=run_login)

    logout = commands.add_parser("logout", help="remove a profile's key from the keychain")
    add_account_options(logout, base_url=False)
    logout.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    logout.set_defaults(run=run_logout)

    forget = commands.add_parser("forget", help="sign out and remove a profile")
    add_account_options(forget, base_url=False)
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    forget.set_defaults(run=run_forget)

    profiles = commands.add_parser("profiles", help="list profiles")
    profiles.add_argument("--json", action="store_true")
    profiles.set_defaults(run=run_profiles)

    whoami = commands.add_parser("whoami", help="show the key and account of a profile")
    add_account_options(whoami)
    whoami.add_argument("--json", action="store_true")
    whoami.set_defaults(run=run_whoami)

    check = commands.add_parser("doctor", help="check the keychain, folders and connection")
    add_account_options(check)
    check.add_argument("--json", action="store_true", help="print the checks as JSON (the exit code is the same)")
    check.set_defaults(run=doctor.run)


def _named_profile(services: Services, args: argparse.Namespace, command: str, what: str, undo: str) -> Profile:
    """The stored profile that logout or forget acts on: named, never just the last used."""
    if env_key(args) is not None:
        raise CommandFailed(fail(f"{ENV_KEY} is set, and {command} {what}, while a key from {ENV_KEY} is stored "
                                 f"nowhere: there is nothing to {undo}. Name a stored profile: "
                                 f"myssl-keys {command} --profile NAME"))
    name = profile_name(args)
    if name is None:
        raise CommandFailed(fail(f"Name the profile: myssl-keys {command} --profile NAME (or set {ENV_PROFILE}). "
                                 "See them with: myssl-keys profiles", exit_code=2))
    return find_profile(services, name)


def run_login(services: Services, args: argparse.Namespace) -> int:
    name = profile_name(args)
    if name is None:
        return fail(f"Name the profile to sign in to: myssl-keys login --profile NAME (or set {ENV_PROFILE})",
                    exit_code=2)
    require_writable(services, "config", "data")  # before asking: say at once what cannot be stored
    services.keychain.ensure_usable()
    secret = _read_key(args)
    base_url = getattr(args, "base_url", None)
    existing = services.profiles.load().find(name)
    profile = existing or Profile.new(name, base_url or DEFAULT_BASE_URL, args.env or "production")
    if existing is not None:
        profile = replace(existing, base_url=base_url or existing.base_url,
                          environment=args.env or existing.environment)
    try:
        profile, verified = services.signin.sign_in(profile, secret)
    except OSError as error:
        return fail(f"Could not save profile “{name}”: {describe(error)} The key was not kept: the keychain is as "
                    "it was.")
    if args.json:
        key = verified.current.api_key
        emit_json({"profile": profile.name, "environment": profile.environment, "base_url": profile.base_url,
                   "key": {"id": key.id, "name": key.name, "prefix": key.prefix, "permissions": list(key.permissions)},
                   "tier": profile.tier, "access": profile.access})
        return 0
    say(f"Signed in to profile “{profile.name}” ({profile.environment}): {verified.summary()}.")
    return 0


def _read_key(args: argparse.Namespace) -> Secret:
    """From standard input with --key-stdin; else asked for on the terminal, typing hidden."""
    if args.key_stdin:
        text = sys.stdin.readline().strip()
        if not text:
            raise CommandFailed(fail("No key on standard input. Pipe it in, for example: "
                                     "myssl-keys login --profile work --key-stdin < key.txt"))
        return Secret(text)
    if not sys.stdin.isatty():
        raise CommandFailed(fail("No terminal to ask for the key on. In a script, pipe it in with --key-stdin, for "
                                 "example: myssl-keys login --profile work --key-stdin < key.txt", exit_code=2))
    try:
        text = getpass.getpass("MySSL API key (typing is hidden): ").strip()
    except EOFError:
        text = ""
    if not text:
        raise CommandFailed(fail("No key was typed. Nothing was changed."))
    return Secret(text)


def run_logout(services: Services, args: argparse.Namespace) -> int:
    profile = _named_profile(services, args, "logout", "removes a stored profile's key from the keychain",
                             "sign out")
    require_writable(services, "data")
    if not confirm(f"Remove the key of profile “{profile.name}” from the keychain?",
                   assume_yes=args.yes):
        return 1
    removed = services.signin.sign_out(profile)
    say(f"Signed out of “{profile.name}”." if removed
        else f"Profile “{profile.name}” was already signed out.")
    return 0


def run_forget(services: Services, args: argparse.Namespace) -> int:
    profile = _named_profile(services, args, "forget", "removes a stored profile and its keychain entries",
                             "forget")
    require_writable(services, "config", "data")
    running = [r for r in services.rotations.overview()[0] if r.profile_id == profile.id and not r.state.finished]
    if running:
        return fail(f"Profile “{profile.name}” has a rotation in progress ({running[0].id}, "
                    f"“{running[0].old_key_name}”): finish or cancel it first (myssl-keys rotations).")
    if not confirm(services.signin.forget_question(profile), assume_yes=args.yes):
        return 1
    removed = services.signin.forget(profile)
    say(f"Forgot profile “{profile.name}” and removed {removed} entr{'y' if removed == 1 else 'ies'} from the "
          "keychain.")
    return 0


def _signed_in(services: Services, profile: Profile) -> str:
    try:
        return "yes" if services.keychain.load(Entry.sign_in(profile.id)) is not None else "no"
    except KeychainError:
        return "unknown (keychain unavailable)"


def run_profiles(services: Services, args: argparse.Namespace) -> int:
    state = services.profiles.load()
    signed_in = {p.id: _signed_in(services, p) for p in state.profiles}
    if args.json:
        emit_json([{"name": p.name, "environment": p.environment, "base_url": p.base_url,
                    "key_prefix": p.key_prefix, "tier": p.tier, "access": p.access,
                    "last_sign_in": p.last_sign_in, "signed_in": signed_in[p.id],
                    "last_used": p.id == state.last_profile_id} for p in state.profiles])
    elif not state.profiles:
        say("No profiles yet. Sign in with: myssl-keys login --profile NAME")
    else:
        print_table([[("* " if p.id == state.last_profile_id else "  ") + p.name, p.environment,
                      p.key_prefix + "…", p.tier, p.access, signed_in[p.id], p.base_url]
                     for p in state.profiles],
                    ["  PROFILE", "ENV", "KEY", "TIER", "ACCESS", "SIGNED IN", "BASE URL"])
    secret = env_key(args)
    if secret is not None and not args.json:
        warn(f"note: {ENV_KEY} is set ({secret.prefix}…): commands use that key, not these profiles, unless "
             "--profile names one.")
    return 0


def run_whoami(services: Services, args: argparse.Namespace) -> int:
    session = open_session(services, args)
    profile, client = session.profile, session.client
    current = client.current()
    key, account = current.api_key, current.account
    limit = client.rate_limit
    ephemeral = is_ephemeral(session)
    info = {"profile": None if ephemeral else profile.name, "environment": None if ephemeral else profile.environment,
            "key_from": ENV_KEY if ephemeral else "keychain", "base_url": profile.base_url,
            "key": {"id": key.id, "name": key.name, "prefix": key.prefix,
                    "permissions": list(key.permissions), "status": key.status},
            "account": {"tier": account.tier, "daily_limit": account.daily_limit,
                        "minute_limit": account.minute_limit, "max_active_keys": account.max_active_keys},
            "rate_limit": None if limit is None else {
                "minute_remaining": limit.minute_remaining, "daily_remaining": limit.daily_remaining}}
    if args.json:
        emit_json(info)
        return 0
    say(f"Profile:     none: the key in {ENV_KEY}, stored nowhere" if ephemeral
        else f"Profile:     {profile.name} ({profile.environment})")
    say(f"Base URL:    {profile.base_url}")
    say(f"Key:         {key.name} ({key.prefix}…), {key.status}")
    say(f"Permissions: {', '.join(key.permissions)}")
    say(f"Tier:        {account.tier} ({account.daily_limit:,}/day, {account.minute_limit}/min)")
    if limit is not None:
        say(f"Remaining:   {limit.minute_remaining} this minute, {limit.daily_remaining:,} today")
    return 0
