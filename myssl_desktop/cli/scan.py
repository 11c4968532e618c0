"""`myssl-keys scan` (where do key secrets live?) and `myssl-keys hook install|remove`.

The output names a secret by its 12-character prefix and the SHA-256 of it: never the
secret. With a signed-in profile, each hit also names the account's key of that prefix; with
`--profile`, the hits are recorded for that profile too, where the app shows them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..api.models import ApiKey
from ..errors import AppError, describe
from ..scan import Hit, ScanProgress, ScanReport, match_keys, scan
from ..scan.hook import install_hook, remove_hook
from ..scan.scanner import DEFAULT_MAX_FILE_SIZE
from ..scan.store import FoundStore
from ..scan.words import progress_text, summary
from ..services import Services
from .output import emit_json, print_table, say, warn
from .selection import add_account_options, env_key, open_session, profile_name, stored_profile
from .terminal import status_line

FOUND = 10  # exit code: at least one secret was found
MB = 1024 * 1024

SCAN_EPILOG = """\
exit codes:
  0   no secret found
  10  at least one secret found
  1   error (a path that does not exist, git missing for --history, ...)

Every file is read, git-ignored ones too; binary files and files over --max-file-size are
skipped, and no symbolic link is followed. With --history, every commit of each git
repository found (or holding a PATH) is read too: all branches, tags and remote-tracking
branches. Each such hit names the commit that added the secret and whether it was pushed
(a remote-tracking branch contains it). Secrets are never printed: a hit shows the key's
prefix (and, with --json, the SHA-256 of the secret).

With --profile (or MYSSL_PROFILE), the hits are also recorded for that profile (prefix, SHA-256, file, line,
commit; never the secret): the app then shows them under the keys' "Found in" and flags a key
found in a commit as exposed. A later scan of the same folder replaces what it read again.
"""


def register(commands: Any) -> None:
    finder = commands.add_parser("scan", help="find MySSL key secrets in folders and their git history",
                                 description="Find MySSL key secrets (myssl_k_…) in files and git history.",
                                 epilog=SCAN_EPILOG)
    finder.add_argument("paths", nargs="+", metavar="PATH", help="a folder or file to search")
    finder.add_argument("--history", action="store_true",
                        help="also search every commit of the git repositories found")
    finder.add_argument("--json", action="store_true")
    add_account_options(finder)  # the account whose keys name the hits (the last used profile, when signed in)
    finder.add_argument("--max-file-size", type=_megabytes, default=DEFAULT_MAX_FILE_SIZE, metavar="MB",
                        help=f"skip larger files (default {DEFAULT_MAX_FILE_SIZE // MB} MB)")
    finder.set_defaults(run=run_scan)

    hook = commands.add_parser("hook", help="a git pre-commit hook that refuses commits adding a key secret")
    actions = hook.add_subparsers(dest="hook_command", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="add the hook to a repository (an existing hook is kept "
                                                 "and runs after the check)")
    install.add_argument("--repo", default=".", type=Path, help="the repository (default: the current folder)")
    install.set_defaults(run=run_hook_install)
    remove = actions.add_parser("remove", help="take the hook out again, restoring the hook it chained to")
    remove.add_argument("--repo", default=".", type=Path, help="the repository (default: the current folder)")
    remove.set_defaults(run=run_hook_remove)


def _megabytes(text: str) -> int:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of megabytes: {text}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("the size cap must be more than 0 MB")
    return int(value * MB)


# --- scan --------------------------------------------------------------------------------

def run_scan(services: Services, args: argparse.Namespace) -> int:
    # A mistyped name fails before the scan, not after. A profile named is recorded for.
    profile = None
    if env_key(args) is None and (profile_name(args) is not None or getattr(args, "base_url", None)):
        chosen = stored_profile(services, args)
        profile = chosen if profile_name(args) is not None else None
    show_progress = not args.json and sys.stderr.isatty()
    try:
        report = scan(args.paths, history=args.history, max_file_size=args.max_file_size,
                      on_progress=_print_progress if show_progress else None)
    finally:
        if show_progress:
            status_line()
    if profile is not None:
        FoundStore(services.dirs.data).record(profile.id, report, history=args.history)
    named = _keys_by_hit(report, _account_keys(services, args) if report.hits else None)
    for problem in report.problems:
        warn(f"warning: {problem}")
    if args.json:
        emit_json({**_report_json(report, named), "recorded_for": None if profile is None else profile.name})
    else:
        _print_report(report, named)
        if profile is not None:
            say(f"Recorded for profile “{profile.name}”: the app shows it under the keys' “Found in”.")
    return FOUND if report.hits else 0


def _print_progress(progress: ScanProgress) -> None:
    status_line(f"Scanning… {progress_text(progress)}")


def _account_keys(services: Services, args: argparse.Namespace) -> list[ApiKey] | None:
    """The chosen account's keys (revoked ones too), or None when it cannot list them."""
    try:
        if env_key(args) is None and profile_name(args) is None and services.profiles.load().last is None:
            return None  # never signed in: hits are listed by prefix
        return open_session(services, args).client.all_keys()
    except AppError as error:  # signed out, keychain locked, server unreachable: still show the hits
        warn(f"keys not named: {describe(error)} Hits are listed by prefix.")
        return None


KeysByHit = dict[Hit, list[ApiKey]] | None  # None: keys were not looked up


def _keys_by_hit(report: ScanReport, keys: list[ApiKey] | None) -> KeysByHit:
    if keys is None:
        return None
    by_id = {key.id: key for key in keys}
    named: dict[Hit, list[ApiKey]] = {hit: [] for hit in report.hits}
    for key_id, hits in match_keys(report.hits, [(key.id, key.prefix) for key in keys]).by_key.items():
        for hit in hits:
            named[hit].append(by_id[key_id])
    return named


def _key_text(hit: Hit, named: dict[Hit, list[ApiKey]]) -> str:
    if not named[hit]:
        return "not a key of this account"
    return ", ".join(f"{k.name} (id {k.id}{', revoked' if k.is_revoked else ''})" for k in named[hit])


def _commit_text(hit: Hit) -> str:
    if hit.commit is None:
        return ""
    return f"{hit.commit[:12]} {'pushed' if hit.pushed else 'not pushed'}"


def _print_report(report: ScanReport, named: KeysByHit) -> None:
    """One row a hit; the KEY column only when keys were looked up, COMMIT only for history hits."""
    if report.hits:
        columns: list[tuple[str, Callable[[Hit], str]]] = [("PREFIX", lambda hit: hit.prefix + "…")]
        if named is not None:
            columns.append(("KEY", lambda hit: _key_text(hit, named)))
        columns.append(("WHERE", lambda hit: f"{hit.path}:{hit.line}"))
        if any(hit.in_history for hit in report.hits):
            columns.append(("COMMIT", _commit_text))
        print_table([[cell(hit) for _, cell in columns] for hit in report.hits], [name for name, _ in columns])
        say()
    say(summary(report))


def _report_json(report: ScanReport, named: KeysByHit) -> dict[str, Any]:
    progress = report.progress
    return {
        "hits": [{"prefix": hit.prefix, "sha256": hit.sha256, "path": str(hit.path), "line": hit.line,
                  "commit": hit.commit, "pushed": hit.pushed,
                  "repository": None if hit.repository is None else str(hit.repository),
                  "keys": None if named is None else [{"id": k.id, "name": k.name, "status": k.status}
                                                      for k in named[hit]]}
                 for hit in report.hits],
        "keys_named": named is not None,
        "scanned": {"files": progress.files, "file_bytes": progress.file_bytes, "skipped": progress.skipped,
                    "repositories": [str(r) for r in report.repositories], "blobs": progress.blobs,
                    "blob_bytes": progress.blob_bytes},
        "problems": list(report.problems),
    }


# --- hook --------------------------------------------------------------------------------

def run_hook_install(services: Services, args: argparse.Namespace) -> int:
    change = install_hook(args.repo)
    if not change.changed:
        say(f"The myssl-keys pre-commit hook is already installed: {change.hook}")
    elif change.chained is not None:
        say(f"Installed the pre-commit hook: {change.hook}. The hook that was there is now "
            f"{change.chained}; it runs after the check, as before.")
    else:
        say(f"Installed the pre-commit hook: {change.hook}")
    return 0


def run_hook_remove(services: Services, args: argparse.Namespace) -> int:
    change = remove_hook(args.repo)
    if not change.changed:
        say(f"The myssl-keys pre-commit hook is not installed in {change.hook.parent}.")
    elif change.chained is not None:
        say(f"Removed the pre-commit hook and put back the hook it ran: {change.hook}")
    else:
        say(f"Removed the pre-commit hook: {change.hook}")
    return 0
