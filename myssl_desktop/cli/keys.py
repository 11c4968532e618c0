"""Key commands: `myssl-keys keys list|show|create|rename|regenerate|revoke`.

The same `KeyActions` as the app, so the same two promises hold: a shown-once secret is in
the keychain before anything else happens to it, and a lost answer is checked before the
user is told anything. A secret reaches the terminal only with `--show-secret`, or when
the keychain could not keep it (then it is the only copy, and the exit code is 3).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api.errors import KeyLimitReached, NotFound
from ..api.models import PERMISSIONS, ApiKey
from ..keyactions import CreateUncertain, KeyActions, NewSecret, OwnKeyRefused
from ..keychain import SERVICE, Entry, KeychainError
from ..profiles import Profile
from ..revoke_when import EXPIRY_FORMS, RevokeWhen, parse_expiry
from ..services import Services
from ..session import Session
from ..timefmt import exact, relative
from .account import find_profile
from .output import CommandFailed, confirm, emit_json, fail, table

if TYPE_CHECKING:
    from ..api.client import MysslClient

LIST_STATUSES = ("current", "active", "expiring", "revoked", "all")
DEFAULT_PERMISSIONS = ("domains:read",)
KEYCHAIN_FAILED = 3  # exit code: the secret was printed because the keychain did not keep it
RECENT_USE = timedelta(days=7)  # used more recently than this: "something still uses it"


def register(commands: Any) -> None:
    keys = commands.add_parser("keys", help="list, show, create, rename, regenerate and revoke keys")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the account's keys")
    _profile_option(listing)
    listing.add_argument("--status", choices=LIST_STATUSES, default="current",
                         help="which keys (default: current, every key but the revoked ones)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="show one key, with its usage over 30 days")
    _profile_option(show)
    _key_option(show)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_show)

    create = actions.add_parser("create", help="create a key; its secret goes to the keychain")
    _profile_option(create)
    create.add_argument("--name", required=True, help="the new key's name")
    create.add_argument("--permission", action="append", choices=PERMISSIONS, dest="permissions",
                        metavar="PERMISSION",
                        help=f"repeat for several (default {', '.join(DEFAULT_PERMISSIONS)}); "
                             f"one of {', '.join(PERMISSIONS)}")
    create.add_argument("--expires", type=_expiry, default=None, metavar="WHEN",
                        help=f"revoke the key then, from the start (default never): {EXPIRY_FORMS}")
    create.add_argument("--json", action="store_true")
    _secret_options(create)
    create.set_defaults(run=run_create)

    rename = actions.add_parser("rename", help="rename a key")
    _profile_option(rename)
    _key_option(rename)
    rename.add_argument("--name", required=True, help="the new name")
    rename.set_defaults(run=run_rename)

    regenerate = actions.add_parser("regenerate", help="replace a key's secret (the old one stops at once)")
    _profile_option(regenerate)
    _key_option(regenerate)
    regenerate.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    regenerate.add_argument("--json", action="store_true")
    _secret_options(regenerate)
    regenerate.set_defaults(run=run_regenerate)

    revoke = actions.add_parser("revoke", help="revoke a key now or later, or cancel a scheduled revoke")
    _profile_option(revoke)
    _key_option(revoke)
    revoke.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    when = revoke.add_mutually_exclusive_group()
    when.add_argument("--at", type=RevokeWhen, choices=RevokeWhen.for_keys(), default=RevokeWhen.NOW,
                      help="revoke now (default) or schedule it this far ahead")
    when.add_argument("--cancel", action="store_true", help="cancel a scheduled revoke")
    revoke.set_defaults(run=run_revoke)


def _expiry(text: str) -> datetime | None:
    try:
        return parse_expiry(text, datetime.now(UTC))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _profile_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default=None, help="default: the last used profile")


def _key_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--key", required=True, metavar="NAME_OR_ID", help="the key's id or exact name")


def _secret_options(parser: argparse.ArgumentParser) -> None:
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--show-secret", action="store_true",
                       help="also print the secret (it is stored in the keychain either way)")
    shown.add_argument("--out-file", metavar="PATH", default=None,
                       help="also write the secret to a new file (mode 0600; never overwrites)")


# --- shared pieces -----------------------------------------------------------------------

def _open(services: Services, args: argparse.Namespace) -> tuple[Profile, MysslClient, KeyActions]:
    session = Session.for_profile(services, find_profile(services, args.profile))
    return session.profile, session.client, session.actions


def resolve_key(client: MysslClient, text: str) -> ApiKey:
    """An id of a key, else the one key of that exact name (non-revoked keys first)."""
    wanted = text.strip()
    if wanted.isascii() and wanted.isdigit():
        try:
            return client.get_key(int(wanted))
        except NotFound:
            pass  # not an id: perhaps a name made of digits
    named = [k for k in client.all_keys(search=wanted) if k.name == wanted] if wanted else []
    group = [k for k in named if not k.is_revoked] or named
    if len(group) == 1:
        return group[0]
    if not group:
        print(f"myssl-keys: no key named “{wanted}”"
              + (" and no key with that id" if wanted.isdigit() else "")
              + ". List the keys with: myssl-keys keys list --status all", file=sys.stderr)
        raise CommandFailed()
    listed = ", ".join(f"id {k.id} ({k.prefix}…, {k.status})" for k in group)
    print(f"myssl-keys: {len(group)} keys are named “{wanted}”: {listed}. Name one by its id: --key ID",
          file=sys.stderr)
    raise CommandFailed()


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def key_json(key: ApiKey) -> dict[str, Any]:
    return {"id": key.id, "name": key.name, "prefix": key.prefix, "permissions": list(key.permissions),
            "status": key.status, "created_at": _timestamp(key.created_at),
            "last_used_at": _timestamp(key.last_used_at), "request_count": key.request_count,
            "requests_24h": key.requests_24h, "expires_at": _timestamp(key.expires_at),
            "revoked_at": _timestamp(key.revoked_at)}


def _secret_stored(actions: KeyActions, key: ApiKey) -> bool:
    """Whether the keychain holds this key's current secret (a regenerate elsewhere makes
    the stored one stale). Raises KeychainError when the keychain cannot be read."""
    stored = actions.stored_secret(key.id)
    return stored is not None and stored.prefix == key.prefix


def _stored_or_unknown(actions: KeyActions, key: ApiKey) -> bool | None:
    try:
        return _secret_stored(actions, key)
    except KeychainError:
        return None


def _status_text(key: ApiKey) -> str:
    if key.status == "expiring" and key.expires_at is not None:
        return f"expiring {relative(key.expires_at)}"
    return key.status


def _last_use(key: ApiKey) -> str:
    """For confirmations: how recently something used the key."""
    if key.last_used_at is None:
        return "it was never used"
    when = relative(key.last_used_at)
    if datetime.now(UTC) - key.last_used_at < RECENT_USE:
        return f"it was used {when}: something still uses it"
    return f"it was last used {when}"


def _entry_text(profile: Profile, key: ApiKey) -> str:
    return f"service “{SERVICE}”, entry “{Entry.created_key(profile.id, key.id)}”"


# --- list and show ---------------------------------------------------------------------

def run_list(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    if args.status in ("current", "all"):
        keys = client.all_keys()
        if args.status == "current":
            keys = [k for k in keys if not k.is_revoked]
    else:
        keys = client.all_keys(status=args.status)
    if args.json:
        rows = []
        keychain_works = True
        for key in keys:
            stored: bool | None = None
            if keychain_works:
                stored = _stored_or_unknown(actions, key)
                keychain_works = stored is not None  # unavailable once: do not ask for every key
            rows.append({**key_json(key), "secret_stored": stored})
        emit_json(rows)
        return 0
    if not keys:
        print("No keys." if args.status == "all" else f"No {args.status} keys.")
        return 0
    print(table([[k.name, k.prefix + "…", _status_text(k), relative(k.last_used_at), f"{k.requests_24h:,}",
                  f"{k.request_count:,}"] for k in keys],
                ["NAME", "PREFIX", "STATUS", "LAST USED", "24H", "TOTAL"]))
    return 0


def run_show(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    key = resolve_key(client, args.key)
    usage = client.key_usage(key.id, days=30)
    stored = _stored_or_unknown(actions, key)
    own = actions.is_own_key(key)
    if args.json:
        emit_json({**key_json(key), "requests_30d": usage.total, "secret_stored": stored,
                   "sign_in_key": own})
        return 0
    lines = [
        ("Name", key.name + ("  (this profile signs in with it)" if own else "")),
        ("ID", str(key.id)),
        ("Prefix", key.prefix + "…"),
        ("Status", _status_text(key)),
        ("Permissions", ", ".join(key.permissions)),
        ("Created", f"{exact(key.created_at)} ({relative(key.created_at)})"),
        ("Last used", relative(key.last_used_at) if key.last_used_at is None
         else f"{relative(key.last_used_at)} ({exact(key.last_used_at)})"),
        ("Requests", f"{key.requests_24h:,} in 24 h, {usage.total:,} in 30 days, {key.request_count:,} in total"),
        ("Revoke at", "not scheduled" if key.expires_at is None
         else f"{exact(key.expires_at)} ({relative(key.expires_at)})"),
        ("Revoked", "no" if key.revoked_at is None else f"{exact(key.revoked_at)} ({relative(key.revoked_at)})"),
        ("Secret", {True: "stored in your keychain", False: "not stored by this app",
                    None: "unknown (keychain unavailable)"}[stored]),
    ]
    for label, value in lines:
        print(f"{label + ':':<13}{value}")
    return 0


# --- shown-once secrets ------------------------------------------------------------------

class _SecretFile:
    """A new file reserved (O_EXCL, mode 0600) before the request that makes the secret."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def write(self, text: str) -> None:
        assert self._fd is not None
        fd, self._fd = self._fd, None
        try:
            os.write(fd, (text + "\n").encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def discard(self) -> None:
        """Nothing was written: remove the empty file again."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            self.path.unlink(missing_ok=True)


@contextmanager
def _reserved_file(path_text: str | None) -> Iterator[_SecretFile | None]:
    if path_text is None:
        yield None
        return
    path = Path(path_text)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        print(f"myssl-keys: {path} already exists; refusing to overwrite it. Nothing was changed.",
              file=sys.stderr)
        raise CommandFailed() from None
    except OSError as error:
        print(f"myssl-keys: cannot create {path}: {error.strerror}. Nothing was changed.", file=sys.stderr)
        raise CommandFailed() from None
    if hasattr(os, "fchmod"):  # POSIX: 0600 whatever the umask (Windows has no fchmod before 3.13)
        os.fchmod(fd, 0o600)
    reserved = _SecretFile(path, fd)
    try:
        yield reserved
    finally:
        reserved.discard()  # no-op once written


def _deliver(profile: Profile, new: NewSecret, out: _SecretFile | None, args: argparse.Namespace,
             done: str) -> int:
    """Hand over a secret that KeyActions has already tried to keep in the keychain."""
    key, secret = new.api_key, new.secret
    problems: list[str] = []
    if new.expiry_problem:
        problems.append(f"“{key.name}” was created WITHOUT the expiry asked for: {new.expiry_problem} It works until "
                        f"revoked: myssl-keys keys revoke --key {key.id}")
    written = False
    if out is not None:
        try:
            out.write(secret.reveal())
            written = True
        except OSError as error:
            problems.append(f"could not write the secret to {out.path}: {error.strerror}")
    # Printed when asked, and whenever the keychain failed: then it is the only copy.
    reveal = args.show_secret or not new.stored
    if args.json:
        result: dict[str, Any] = {"api_key": key_json(key), "secret_stored": new.stored}
        if new.stored:
            result["keychain_entry"] = Entry.created_key(profile.id, key.id)
        else:
            result["keychain_problem"] = new.problem
        if written and out is not None:
            result["out_file"] = str(out.path)
        if new.expiry_problem:
            result["expiry_problem"] = new.expiry_problem
        if reveal:
            result["secret"] = secret.reveal()
        emit_json(result)
    else:
        print(f"{done} “{key.name}” (id {key.id}, {key.prefix}…), permissions: {', '.join(key.permissions)}.")
        if key.expires_at is not None:
            print(f"It is revoked at {exact(key.expires_at)} ({relative(key.expires_at)}).")
        if new.stored:
            print(f"The secret is stored in your keychain ({_entry_text(profile, key)}).")
        if written and out is not None:
            print(f"The secret was written to {out.path} (mode 0600).")
        if reveal:
            print(f"Secret: {secret.reveal()}")
    if not new.stored:
        print(f"myssl-keys: WARNING: the secret of “{key.name}” could NOT be stored in your keychain: "
              f"{new.problem}", file=sys.stderr)
        print("myssl-keys: WARNING: it is printed on standard output, and MySSL will never show it "
              "again: copy it somewhere safe now.", file=sys.stderr)
    for problem in problems:
        print(f"myssl-keys: {problem}", file=sys.stderr)
    if not new.stored:
        return KEYCHAIN_FAILED
    return 1 if problems else 0


# --- changes -----------------------------------------------------------------------------

def _warn_about_same_name(client: MysslClient, name: str) -> None:
    """A second key of the same name works, but later commands cannot tell them apart by name."""
    wanted = name.strip().casefold()
    same = [k for k in client.all_keys(search=name.strip()) if k.name.casefold() == wanted and not k.is_revoked]
    for key in same:
        print(f"myssl-keys: note: “{key.name}” (id {key.id}, {key.prefix}…) already has this name; "
              "name the key by its id in later commands.", file=sys.stderr)


def run_create(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    permissions = list(dict.fromkeys(args.permissions or DEFAULT_PERMISSIONS))
    _warn_about_same_name(client, args.name)
    with _reserved_file(args.out_file) as out:
        try:
            new = actions.create(args.name, permissions, expires_at=args.expires)
        except KeyLimitReached as error:
            print(f"myssl-keys: {error}", file=sys.stderr)
            if error.stale_keys:
                print("myssl-keys: unused for 90 days: "
                      + ", ".join(f"“{k.name}” (id {k.id}, {k.prefix}…)" for k in error.stale_keys), file=sys.stderr)
            return 1
        except CreateUncertain as error:
            print(f"myssl-keys: {error}", file=sys.stderr)
            for key in error.found:
                print(f"myssl-keys: found “{key.name}” (id {key.id}, {key.prefix}…), created "
                      f"{relative(key.created_at)}", file=sys.stderr)
            return 1
        return _deliver(profile, new, out, args, "Created key")


def run_rename(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    key = resolve_key(client, args.key)
    if key.is_revoked:
        return fail(f"“{key.name}” (id {key.id}) is revoked; a revoked key cannot be changed.")
    renamed = actions.rename(key, args.name)
    print(f"Renamed “{key.name}” (id {key.id}, {key.prefix}…) to “{renamed.name}”.")
    return 0


def run_regenerate(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    key = resolve_key(client, args.key)
    if key.is_revoked:
        return fail(f"“{key.name}” (id {key.id}) is revoked and cannot be regenerated. Create a new key.")
    if actions.is_own_key(key):
        raise OwnKeyRefused(f"“{key.name}” is the key this profile signs in with; regenerating it would "
                            "stop the app's own secret at once. Rotate it instead: myssl-keys rotate.")
    question = (f"Regenerate “{key.name}” ({key.prefix}…)? Its current secret stops working at once, and "
                f"{_last_use(key)}. For a zero-downtime switch use `myssl-keys rotate` instead.")
    if not confirm(question, assume_yes=args.yes):
        return 1
    with _reserved_file(args.out_file) as out:
        new = actions.regenerate(key)
        return _deliver(profile, new, out, args, "Regenerated key")


def run_revoke(services: Services, args: argparse.Namespace) -> int:
    profile, client, actions = _open(services, args)
    key = resolve_key(client, args.key)
    label = f"“{key.name}” (id {key.id}, {key.prefix}…)"
    if key.is_revoked:
        if args.cancel:
            return fail(f"{label} is already revoked; there is no scheduled revoke to cancel.")
        print(f"{label} is already revoked (since {exact(key.revoked_at)}). Nothing to do.")
        return 0
    if args.cancel:
        if key.expires_at is None:
            print(f"{label} has no scheduled revoke. Nothing to do.")
            return 0
        actions.cancel_scheduled_revoke(key)
        print(f"Cancelled the scheduled revoke of {label}: it stays active.")
        return 0
    if actions.is_own_key(key):
        actions.revoke(key)  # refuses the sign-in key before any request: raises OwnKeyRefused
    delay = args.at.span
    use = ("It was never used" if key.last_used_at is None else f"It was last used {relative(key.last_used_at)}")
    use += f" ({key.requests_24h:,} requests in the last 24 h)."
    if args.at is RevokeWhen.NOW:
        question = f"Revoke {label} now? Anything still using it is refused at once. {use}"
    else:
        question = f"Schedule the revoke of {label} in {delay}? Until then it keeps working. {use}"
    if not confirm(question, assume_yes=args.yes):
        return 1
    if args.at is RevokeWhen.NOW:
        actions.revoke(key)
        print(f"Revoked {label}.")
    else:
        scheduled = actions.schedule_revoke(key, args.at)
        print(f"{label} will be revoked at {exact(scheduled.expires_at)} (in {delay}). "
              f"Cancel with: myssl-keys keys revoke --key {key.id} --cancel")
    return 0
