"""Key commands: `myssl-keys keys list|show|create|rename|regenerate|revoke`.

The same `KeyActions` as the app, so the same two promises hold: a shown-once secret is in
the keychain before anything else happens to it, and a lost answer is checked before the
user is told anything. A secret reaches the terminal only with `--show-secret`, or when
the keychain could not keep it (then it is the only copy, and the exit code is 3).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..api.errors import KeyLimitReached, NotFound
from ..api.models import PERMISSIONS, ApiKey
from ..errors import describe
from ..keyactions import ActionUncertain, CreateUncertain, KeyActions, OwnKeyRefused
from ..keychain import KeychainError
from ..revoke_when import EXPIRY_FORMS, RevokeWhen, parse_expiry
from ..services import Services
from ..session import Session
from ..timefmt import exact, relative
from . import arguments
from .keydata import key_json
from .newsecret import SecretFile, deliver, reserved_file
from .output import CommandFailed, confirm, emit_json, fail, print_table, say, warn
from .selection import ENV_KEY, add_account_options, is_ephemeral, open_session, require_writable

if TYPE_CHECKING:
    from ..api.client import MysslClient

LIST_STATUSES = ("current", "active", "expiring", "revoked", "all")
DEFAULT_PERMISSIONS = ("domains:read",)
RECENT_USE = timedelta(days=7)  # used more recently than this: "something still uses it"


def register(commands: Any) -> None:
    keys = commands.add_parser("keys", help="list, show, create, rename, regenerate and revoke keys")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the account's keys")
    add_account_options(listing)
    listing.add_argument("--status", choices=LIST_STATUSES, default="current",
                         help="which keys (default: current, every key but the revoked ones)")
    form = listing.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true", help="every column, flags included, for a spreadsheet")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="show one key, with its usage over 30 days")
    add_account_options(show)
    arguments.add_key_argument(show)
    show.add_argument("--json", action="store_true")
    show.set_defaults(run=run_show)

    create = actions.add_parser("create", help="create a key; its secret goes to the keychain")
    add_account_options(create)
    create.add_argument("--name", required=True, type=arguments.text, help="the new key's name")
    create.add_argument("--permission", action="append", choices=PERMISSIONS, dest="permissions",
                        metavar="PERMISSION",
                        help=f"repeat for several (default: {', '.join(DEFAULT_PERMISSIONS)}); "
                             f"one of {', '.join(PERMISSIONS)}")
    create.add_argument("--expires", type=_expiry, default=None, metavar="WHEN",
                        help=f"revoke the key then, from the start (default never): {EXPIRY_FORMS}")
    create.add_argument("--json", action="store_true")
    _secret_options(create)
    create.set_defaults(run=run_create)

    rename = actions.add_parser("rename", help="rename a key")
    add_account_options(rename)
    arguments.add_key_argument(rename)
    rename.add_argument("--name", required=True, type=arguments.text, help="the new name")
    rename.add_argument("--json", action="store_true")
    rename.set_defaults(run=run_rename)

    regenerate = actions.add_parser("regenerate", help="replace a key's secret (the old one stops at once)")
    add_account_options(regenerate)
    arguments.add_key_argument(regenerate)
    regenerate.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    regenerate.add_argument("--json", action="store_true")
    _secret_options(regenerate)
    regenerate.set_defaults(run=run_regenerate)

    revoke = actions.add_parser("revoke", help="revoke a key now or later, or cancel a scheduled revoke")
    add_account_options(revoke)
    arguments.add_key_argument(revoke)
    revoke.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    when = revoke.add_mutually_exclusive_group()
    when.add_argument("--at", type=RevokeWhen, choices=RevokeWhen.for_keys(), default=RevokeWhen.NOW,
                      help="revoke now, or schedule it this far ahead")
    when.add_argument("--cancel", action="store_true", help="cancel a scheduled revoke")
    revoke.add_argument("--json", action="store_true",
                        help="print the result as JSON: what was done (revoked, scheduled, cancelled, or nothing) "
                             "and the key")
    revoke.set_defaults(run=run_revoke)


def _expiry(text: str) -> datetime | None:
    try:
        return parse_expiry(text, datetime.now(UTC))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _secret_options(parser: argparse.ArgumentParser) -> None:
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--show-secret", action="store_true",
                       help="also print the secret (it is stored in the keychain either way, unless the key "
                            f"comes from {ENV_KEY})")
    shown.add_argument("--out-file", metavar="PATH", default=None,
                       help="also write the secret to a new file (mode 0600; never overwrites)")


# --- shared pieces -----------------------------------------------------------------------

def _open(services: Services, args: argparse.Namespace, *,
          changes: bool = False) -> tuple[Session, MysslClient, KeyActions]:
    """The chosen account's session; for a change, with the folders it writes checked first."""
    session = open_session(services, args)
    if changes and not is_ephemeral(session):
        require_writable(services, "data")  # the list of keychain entries: before MySSL acts
    return session, session.client, session.actions


def _refuse_env_key(session: Session, key: ApiKey, doing: str) -> None:
    if is_ephemeral(session) and session.actions.is_own_key(key):
        raise CommandFailed(fail(f"“{key.name}” is the key in {ENV_KEY} that this command runs with; {doing} it "
                                 "would lock this job out. Do it with another key, or from a stored profile "
                                 "(--profile NAME)."))


def _refuse_secret_nowhere(session: Session, args: argparse.Namespace) -> None:
    """With a key from MYSSL_API_KEY there is no keychain: a new secret must go somewhere asked for."""
    if is_ephemeral(session) and not (args.show_secret or args.out_file):
        raise CommandFailed(fail(f"The key comes from {ENV_KEY}, so no keychain keeps the new secret: add "
                                 "--show-secret or --out-file PATH. Nothing was changed.", exit_code=2))


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
        warn(f"no key named “{wanted}”" + (" and no key with that id" if wanted.isdigit() else "")
             + ". List the keys with: myssl-keys keys list --status all")
        raise CommandFailed()
    listed = ", ".join(f"id {k.id} ({k.prefix}…, {k.status})" for k in group)
    warn(f"{len(group)} keys are named “{wanted}”: {listed}. Name one by its id.")
    raise CommandFailed()


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


# --- list and show ---------------------------------------------------------------------

def run_list(services: Services, args: argparse.Namespace) -> int:
    session, client, actions = _open(services, args)
    if args.status in ("current", "all"):
        keys = client.all_keys()
        if args.status == "current":
            keys = [k for k in keys if not k.is_revoked]
    else:
        keys = client.all_keys(status=args.status)
    if args.csv:
        from ..export import KEY_COLUMNS, key_rows, to_csv
        from ..keyflags import FlagRules

        rules = FlagRules(datetime.now(UTC), session.profile.rotation_policy_days)
        usage = {u.api_key_id: tuple(d.requests for d in u.days) for u in client.all_usage(days=30)}  # for spikes
        rows = key_rows(keys, lambda k: rules.flags(k, usage.get(k.id, ())))
        print(to_csv(rows, KEY_COLUMNS, line_end="\n"), end="")  # standard output shows a CR as \r
        return 0
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
        say("No keys." if args.status == "all" else f"No {args.status} keys.")
        return 0
    print_table([[str(k.id), k.name, k.prefix + "…", _status_text(k), relative(k.last_used_at),
                  f"{k.requests_24h:,}", f"{k.request_count:,}"] for k in keys],
                ["ID", "NAME", "PREFIX", "STATUS", "LAST USED", "24H", "TOTAL"])
    return 0


def run_show(services: Services, args: argparse.Namespace) -> int:
    wanted = arguments.required_key(args, "keys show")
    session, client, actions = _open(services, args)
    key = resolve_key(client, wanted)
    usage = client.key_usage(key.id, days=30)
    ephemeral = is_ephemeral(session)
    stored = None if ephemeral else _stored_or_unknown(actions, key)
    own = actions.is_own_key(key)
    if args.json:
        emit_json({**key_json(key), "requests_30d": usage.total, "secret_stored": stored,
                   "sign_in_key": own})
        return 0
    lines = [
        ("Name", key.name + (f"  (the key in {ENV_KEY})" if own and ephemeral
                             else "  (this profile signs in with it)" if own else "")),
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
        ("Secret", f"not looked up (no keychain is used with {ENV_KEY})" if ephemeral else
         {True: "stored in your keychain", False: "not stored by this app",
          None: "unknown (keychain unavailable)"}[stored]),
    ]
    for label, value in lines:
        say(f"{label + ':':<13}{value}")
    return 0


# --- changes -----------------------------------------------------------------------------

def _warn_about_same_name(client: MysslClient, name: str) -> None:
    """A second key of the same name works, but later commands cannot tell them apart by name."""
    wanted = name.strip().casefold()
    same = [k for k in client.all_keys(search=name.strip()) if k.name.casefold() == wanted and not k.is_revoked]
    for key in same:
        warn(f"note: “{key.name}” (id {key.id}, {key.prefix}…) already has this name; name the key by its id "
             "in later commands.")


def run_create(services: Services, args: argparse.Namespace) -> int:
    session, client, actions = _open(services, args, changes=True)
    permissions = list(dict.fromkeys(args.permissions or DEFAULT_PERMISSIONS))
    _refuse_secret_nowhere(session, args)
    _warn_about_same_name(client, args.name)
    with reserved_file(args.out_file) as out:
        try:
            new = actions.create(args.name, permissions, expires_at=args.expires)
        except KeyLimitReached as error:
            warn(describe(error))
            if error.stale_keys:
                warn("unused for 90 days: "
                     + ", ".join(f"“{k.name}” (id {k.id}, {k.prefix}…)" for k in error.stale_keys))
            return 1
        except CreateUncertain as error:
            if len(error.found) == 1:
                return _secret_lost(session, error.found[0], out, args, "created")
            warn(describe(error))
            for key in error.found:
                warn(f"found “{key.name}” (id {key.id}, {key.prefix}…), created {relative(key.created_at)}")
            return 1
        return deliver(session.profile, new, out, args, "Created key", keychain=not is_ephemeral(session))


def run_rename(services: Services, args: argparse.Namespace) -> int:
    wanted = arguments.required_key(args, "keys rename")
    session, client, actions = _open(services, args)
    key = resolve_key(client, wanted)
    if key.is_revoked:
        return fail(f"“{key.name}” (id {key.id}) is revoked; a revoked key cannot be changed.")
    renamed = actions.rename(key, args.name)
    return _done(args, "renamed", renamed, f"Renamed “{key.name}” (id {key.id}, {key.prefix}…) to “{renamed.name}”.",
                 previous_name=key.name)


def _done(args: argparse.Namespace, result: str, key: ApiKey, text: str, **more: Any) -> int:
    """The outcome of a change: a sentence, or with --json what was done and the key as it is now."""
    if args.json:
        emit_json({"result": result, **more, "api_key": key_json(key)})
    else:
        say(text)
    return 0


def run_regenerate(services: Services, args: argparse.Namespace) -> int:
    wanted = arguments.required_key(args, "keys regenerate")
    session, client, actions = _open(services, args, changes=True)
    key = resolve_key(client, wanted)
    if key.is_revoked:
        return fail(f"“{key.name}” (id {key.id}) is revoked and cannot be regenerated. Create a new key.")
    _refuse_secret_nowhere(session, args)
    _refuse_env_key(session, key, "regenerating")
    if actions.is_own_key(key):
        raise OwnKeyRefused(f"“{key.name}” is the key this profile signs in with; regenerating it would "
                            "stop the app's own secret at once. Rotate it instead: myssl-keys rotate.")
    question = (f"Regenerate “{key.name}” ({key.prefix}…)? Its current secret stops working at once, and "
                f"{_last_use(key)}. For a zero-downtime switch use `myssl-keys rotate` instead.")
    if not confirm(question, assume_yes=args.yes):
        return 1
    with reserved_file(args.out_file) as out:
        try:
            new = actions.regenerate(key)
        except ActionUncertain as error:
            if error.happened is not True:
                raise
            return _secret_lost(session, key, out, args, "regenerated")
        return deliver(session.profile, new, out, args, "Regenerated key", keychain=not is_ephemeral(session))


def _secret_lost(session: Session, key: ApiKey, out: SecretFile | None, args: argparse.Namespace, done: str) -> int:
    """MySSL made a new secret for `key`, but its answer could not be read: that secret is lost for
    good. Say so plainly, and offer the one way to a working secret, regenerating the key."""
    old = ", and the old one no longer works" if done == "regenerated" else ""
    warn(f"MySSL {done} “{key.name}” (id {key.id}), but its answer, which held the new secret, could not be read: "
         f"that secret is lost{old}. The key must be regenerated to get a secret that can be used.")
    again = f"myssl-keys keys regenerate {key.id} --yes"
    if not (sys.stdin.isatty() and confirm(f"Regenerate “{key.name}” now?", assume_yes=False)):
        warn(f"Regenerate it with: {again}")
        return 1
    new = session.actions.regenerate(session.client.get_key(key.id))
    return deliver(session.profile, new, out, args, "Regenerated key", keychain=not is_ephemeral(session))


def run_revoke(services: Services, args: argparse.Namespace) -> int:
    wanted = arguments.required_key(args, "keys revoke")
    session, client, actions = _open(services, args, changes=True)
    key = resolve_key(client, wanted)
    label = f"“{key.name}” (id {key.id}, {key.prefix}…)"
    if key.is_revoked:
        if args.cancel:
            return fail(f"{label} is already revoked; there is no scheduled revoke to cancel.")
        return _done(args, "already_revoked", key, f"{label} is already revoked (since {exact(key.revoked_at)}). "
                     "Nothing to do.")
    if args.cancel:
        if key.expires_at is None:
            return _done(args, "nothing_scheduled", key, f"{label} has no scheduled revoke. Nothing to do.")
        kept = actions.cancel_scheduled_revoke(key)
        return _done(args, "cancelled", kept, f"Cancelled the scheduled revoke of {label}: it stays active.")
    _refuse_env_key(session, key, "revoking")
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
        return _done(args, "revoked", actions.revoke(key), f"Revoked {label}.")
    scheduled = actions.schedule_revoke(key, args.at)
    return _done(args, "scheduled", scheduled, f"{label} will be revoked at {exact(scheduled.expires_at)} (in "
                 f"{delay}). Cancel with: myssl-keys keys revoke {key.id} --cancel")
