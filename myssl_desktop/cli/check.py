"""`myssl-keys check` and `myssl-keys schedule`: reminders without the app, for cron, CI and a
daily user timer. `check` reports every key that needs attention and the rotations in progress
(advancing them as `rotations run` does) and, with --notify, sends the desktop notifications
the app would, each event once."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from ..reminders.check import CheckReport, run_check
from ..reminders.dispatch import Delivery, deliver
from ..reminders.ledger import SentLedger
from ..reminders.notify import system_notifier
from ..reminders.preferences import ReminderPrefsStore
from ..services import Services
from . import arguments
from .output import emit_json, fail, print_table, say
from .selection import find_profile, profile_name

ATTENTION = 10  # exit code: something needs attention

EXIT_CODES = f"""exit codes:
  0    nothing needs attention
  {ATTENTION}   something needs attention: a key is due for rotation, expiring, spiking, exposed or
       stale, a sign-in key fails, or a rotation needs you
  1    an error: a profile or a rotation could not be checked (what was checked is still shown)
  2    the command line was wrong"""


def register(commands: Any) -> None:
    check = commands.add_parser("check", help="report the keys that need attention and the rotations in progress "
                                              "(for cron and CI)", epilog=EXIT_CODES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    which = check.add_mutually_exclusive_group()
    # SUPPRESS keeps a top-level `myssl-keys --profile P check`, as add_account_options does
    which.add_argument("--profile", type=arguments.text, default=argparse.SUPPRESS, metavar="NAME",
                       help="only this profile (default: MYSSL_PROFILE, else every profile)")
    which.add_argument("--all", action="store_true", help="every profile, whatever MYSSL_PROFILE says")
    check.add_argument("--json", action="store_true", help="one JSON object")
    check.add_argument("--notify", action="store_true",
                       help="also send desktop notifications, each event once (quiet hours are kept)")
    check.set_defaults(run=run_check_command)

    schedule = commands.add_parser("schedule", help="run `check --notify` daily from a user timer")
    actions = schedule.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    install = actions.add_parser("install", help="write the timer (systemd user timer, Task Scheduler task, or "
                                                 "launchd agent) and show it")
    install.add_argument("--hour", type=int, default=9, choices=range(24), metavar="0-23",
                         help="the local hour to run at (default 9)")
    install.set_defaults(run=run_schedule_install)
    remove = actions.add_parser("remove", help="remove the timer")
    remove.set_defaults(run=run_schedule_remove)


def run_check_command(services: Services, args: argparse.Namespace) -> int:
    name = None if args.all else profile_name(args)
    profiles = [find_profile(services, name)] if name else list(services.profiles.load().profiles)
    prefs = ReminderPrefsStore(services.dirs.config).load()
    now = datetime.now(UTC)
    report = run_check(services, profiles, now, lead_days=lambda p: prefs.for_profile(p.id).lead_days)
    delivery = None
    if args.notify:
        notifier = system_notifier()
        try:
            delivery = deliver(report.findings, prefs, SentLedger(services.dirs.data), notifier, now)
        finally:
            notifier.close()
    if args.json:
        emit_json(_as_json(report, delivery))
    else:
        _print(report, delivery, {p.id: p.name for p in profiles})
    if report.errors or (delivery is not None and delivery.failed):
        return 1
    return ATTENTION if report.needs_attention else 0


def _as_json(report: CheckReport, delivery: Delivery | None) -> dict[str, Any]:
    document: dict[str, Any] = {"attention": report.needs_attention, "findings": [f.as_json() for f in report.findings],
                                "rotations": [r.as_json() for r in report.rotations], "errors": list(report.errors)}
    if delivery is not None:
        document["notified"] = [f.once for f in delivery.sent]
        document["held_for_quiet_hours"] = [f.once for f in delivery.held]
        if delivery.failed:
            document["notify_error"] = delivery.failed
    return document


def _print(report: CheckReport, delivery: Delivery | None, names: dict[str, str]) -> None:
    for profile_id in dict.fromkeys(f.profile_id for f in report.findings):
        say(f"{names.get(profile_id, profile_id)}:")
        for finding in (f for f in report.findings if f.profile_id == profile_id):
            say(f"  {finding.title}. {finding.body}")
    if report.rotations:
        say("Rotations in progress:")
        print_table([[r.id, r.key_name, r.state, r.now] for r in report.rotations], ["ID", "KEY", "STATE", "NOW"])
    for problem in report.errors:
        fail(problem)
    if delivery is not None:
        if delivery.failed:
            fail(f"notifications: {delivery.failed}")
        told = f"{len(delivery.sent)} notification{'s' if len(delivery.sent) != 1 else ''} sent"
        say(told + (f", {len(delivery.held)} held for quiet hours." if delivery.held else "."))
    if not report.needs_attention and not report.errors:
        say("Nothing needs attention.")


def run_schedule_install(services: Services, args: argparse.Namespace) -> int:
    from ..reminders.timer import install

    for written in install(args.hour):
        say(f"Wrote {written.where}:")
        for line in written.text.rstrip().splitlines():
            say("    " + line)
        if written.note:
            say(written.note)
    return 0


def run_schedule_remove(services: Services, args: argparse.Namespace) -> int:
    from ..reminders.timer import remove

    removed = remove()
    for where in removed:
        say(f"Removed {where}.")
    if not removed:
        say("No schedule was installed.")
    return 0


__all__ = ["ATTENTION", "register"]
