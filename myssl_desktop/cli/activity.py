"""`myssl-keys activity`: what this app and this command line did to which key (the local log)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..activity import COLUMNS, activity_rows
from ..export import to_csv
from .output import emit_json, print_table, say

if TYPE_CHECKING:
    from ..services import Services


def register(commands: Any) -> None:
    shown = commands.add_parser("activity", help="what this app did to which key, when, and how it ended")
    form = shown.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="every entry as JSON")
    form.add_argument("--csv", action="store_true", help="every entry as CSV, for a spreadsheet")
    shown.add_argument("--last", type=int, default=20, metavar="N", help="entries shown as a table (default: 20)")
    shown.set_defaults(run=run_activity, logs=False)


def run_activity(services: Services, args: argparse.Namespace) -> int:
    entries = services.activity.entries()
    if args.json:
        emit_json(activity_rows(entries))
        return 0
    if args.csv:
        print(to_csv(activity_rows(entries), COLUMNS, line_end="\n"), end="")  # a CR would be shown as \r
        return 0
    if not entries:
        say("Nothing yet: creating, regenerating, revoking and rotating keys are noted here.")
        return 0
    latest = entries[-max(1, args.last):]
    print_table([[e.at.replace("T", " ").removesuffix("Z") + " UTC", e.profile, e.action,
                  e.key_name + (f" ({e.key_prefix}…)" if e.key_prefix else ""), e.outcome] for e in latest],
                ["WHEN", "PROFILE", "ACTION", "KEY", "OUTCOME"])
    if len(entries) > len(latest):
        say(f"({len(entries) - len(latest)} earlier entries: --last N, --json or --csv show them)")
    return 0


__all__ = ["register"]
