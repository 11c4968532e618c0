"""`myssl-keys rotate` and `myssl-keys rotations`: the rotation state machine, headless.

The journal makes every run resumable: kill it at any instant and `rotate --resume` (or
`rotations run`, from a user timer) carries on from what really happened.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from ..revoke_when import RevokeWhen
from ..rotation import (
    DEFAULT_VARIABLE,
    CommandTarget,
    Delivery,
    DrainStatus,
    EnvFileTarget,
    Finished,
    KeychainTarget,
    NeedsConfirmation,
    NeedsUser,
    NewKeyRejected,
    Outcome,
    Progress,
    Rotation,
    RotationMachine,
    State,
    Target,
    Waiting,
    presets,
)
from ..rotation.commands import Ran
from ..rotation.names import new_key_name
from ..rotation.runner import advance_all
from ..services import Services
from ..session import Session
from . import arguments
from .keys import resolve_key
from .output import CommandFailed, confirm, fail, print_table, say, warn
from .selection import ENV_KEY, add_account_options, find_profile, profile_name, require_writable, stored_profile

NEEDS_STORED_PROFILE = (f"rotate keeps a journal and the new key in the keychain between its steps, and switches the "
                        f"stored profiles that sign in with the key, while a key from {ENV_KEY} is stored nowhere")
POLL_S = 15  # drain polling: one request pair every 15 s stays far inside every tier's limit
NEEDS_YOU = 4  # exit code: the rotation stopped and waits for the user (the message says why)

EXIT_CODES = f"""exit codes:
  0    done, or ended as asked (the old key's revoke is scheduled, or left for later)
  1    an error; the rotation is saved where it was (resume it)
  2    the command line was wrong
  {NEEDS_YOU}    the rotation stopped and needs you (a place could not be updated, a place holds
       another key, the new key stopped working); fix it, then resume
  130  interrupted; the rotation is saved (resume it)"""


def register(commands: Any) -> None:
    rotate = commands.add_parser("rotate", help="replace a key without downtime (resumable)", epilog=EXIT_CODES)
    add_account_options(rotate, base_url=False)
    arguments.add_key_argument(rotate, "the key to rotate")
    rotate.add_argument("--env-file", action="append", default=[], metavar="PATH[:VAR]",
                        help=f"a .env file whose variable VAR ({DEFAULT_VARIABLE} when no :VAR is given) gets the new "
                             "key")
    rotate.add_argument("--keychain", action="append", default=[], metavar="SERVICE:USER", type=arguments.text,
                        help="a keychain entry another program reads")
    group = rotate.add_argument_group(
        "command targets", "A program run with the new key on its standard input (or in one environment variable), "
        "never in its command line. The options after a --command-target or --command are for it. Presets: "
        + "; ".join(f"{p.name}: {', '.join(f.key + ('=…' if f.required else '') for f in p.fields)}"
                    for p in presets.PRESETS.values()) + ".")
    group.add_argument("--command-target", action=_CommandOption, metavar="PRESET:FIELD=VALUE,...",
                          help="a preset, e.g. github:repo=acme/app,env=production or "
                               "kubernetes:name=app-secrets,namespace=prod")
    group.add_argument("--command", action=_CommandOption, metavar="'ARGV...'",
                          help="any program, run without a shell, e.g. 'secret-tool store --label=App service app'")
    group.add_argument("--stdin", action=_CommandOption, metavar="raw|env-line[:NAME]",
                          help="what --command reads: the key alone (raw, the default) or one NAME=VALUE line")
    group.add_argument("--secret-env", action=_CommandOption, metavar="NAME",
                          help="--command gets the key in its environment variable NAME instead")
    group.add_argument("--verify", action=_CommandOption, metavar="'ARGV...'",
                          help="run after the update; it must succeed")
    group.add_argument("--restart", action=_CommandOption, metavar="'ARGV...'",
                          help="run after the update, e.g. 'systemctl --user restart app'")
    group.add_argument("--timeout", action=_CommandOption, metavar="SECONDS",
                          help="for each of the target's programs (default 120)")
    rotate.set_defaults(command_specs=[])
    rotate.add_argument("--quiet-period", default="10m", type=duration, metavar="DURATION",
                        help="how long the old key must stay unused after delivery before it is revoked")
    rotate.add_argument("--revoke", type=RevokeWhen, choices=list(RevokeWhen), default=None,
                        help="revoke the old key now, schedule it, or leave it for later (default: now; with "
                             "--resume, change the choice)")
    rotate.add_argument("--force", action="store_true",
                        help="replace a place's value although it is not the old key (another key, a placeholder)")
    rotate.add_argument("--resume", nargs="?", const="", default=None, metavar="ID",
                        help="carry on with a rotation in progress")
    rotate.add_argument("--cancel", metavar="ID", help="undo a rotation in progress: put every place back, "
                                                       "revoke the new key")
    rotate.add_argument("--json", action="store_true", help="one JSON object per line for each change")
    rotate.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    rotate.set_defaults(run=run_rotate)

    rotations = commands.add_parser("rotations", help="list, advance or discard rotations", epilog=EXIT_CODES)
    add_account_options(rotations, base_url=False)
    rotations.add_argument("--all", action="store_true", help="also finished ones")
    rotations.add_argument("--json", action="store_true")
    rotations.set_defaults(run=run_rotations)
    actions = rotations.add_subparsers(dest="rotations_command", metavar="ACTION")
    advance = actions.add_parser("run", help="advance every rotation in progress, of all profiles (for a "
                                             "user timer)", epilog=EXIT_CODES)
    advance.add_argument("--wait", action="store_true",
                         help="keep going until each one is done, needs you, or waits for a scheduled revoke")
    advance.add_argument("--json", action="store_true")
    advance.set_defaults(run=run_advance)
    discard = actions.add_parser("discard", help="move a damaged or finished rotation's journal aside")
    discard.add_argument("id")
    discard.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    discard.set_defaults(run=run_discard)


def duration(text: str) -> int:
    """"10m", "90s", "1h", "0" -> seconds."""
    match = re.fullmatch(r"(\d+)([smh]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"“{text}” is not a duration such as 90s, 10m or 1h")
    return int(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


class _CommandOption(argparse.Action):
    """`--command-target` and `--command` start a command target; the options after one are for it."""

    STARTS = ("command_target", "command")

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        specs: list[dict[str, str]] = list(getattr(namespace, "command_specs", []))
        if self.dest in self.STARTS:
            specs.append({self.dest: str(values)})
        elif not specs:
            parser.error(f"{option_string} goes after the --command or --command-target it is for")
        elif self.dest in specs[-1]:
            parser.error(f"{option_string} is given twice for one command target")
        else:
            specs[-1] = {**specs[-1], self.dest: str(values)}
        namespace.command_specs = specs


def command_target(spec: dict[str, str]) -> CommandTarget:
    """A command target from its options on the command line. ValueError with words."""
    restart = tuple(shlex.split(spec["restart"])) if "restart" in spec else ()
    if "command_target" in spec:
        if "stdin" in spec or "secret_env" in spec:
            raise ValueError("--stdin and --secret-env are for --command: a preset knows how its program reads "
                             "the key.")
        target = presets.parse(spec["command_target"], restart=restart)
        if "verify" in spec:
            target = replace(target, verify=tuple(shlex.split(spec["verify"])), expect="")
    else:
        delivery, variable = Delivery.RAW, DEFAULT_VARIABLE
        if "stdin" in spec and "secret_env" in spec:
            raise ValueError("Give --stdin or --secret-env, not both: the key goes one way.")
        if "secret_env" in spec:
            delivery, variable = Delivery.ENV, spec["secret_env"]
        elif "stdin" in spec:
            how, _, name = spec["stdin"].partition(":")
            if how not in (Delivery.RAW, Delivery.ENV_LINE) or (name and how == Delivery.RAW):
                raise ValueError(f"--stdin takes raw or env-line[:NAME], not “{spec['stdin']}”.")
            delivery, variable = Delivery(how), name or DEFAULT_VARIABLE
        target = CommandTarget(tuple(shlex.split(spec["command"])), delivery, variable, restart=restart,
                               verify=tuple(shlex.split(spec.get("verify", ""))))
    if "timeout" in spec:
        if not spec["timeout"].isdigit():
            raise ValueError(f"--timeout takes whole seconds, not “{spec['timeout']}”.")
        target = replace(target, timeout_s=int(spec["timeout"]))
    return target


def parse_targets(args: argparse.Namespace) -> list[Target]:
    targets: list[Target] = []
    for spec in args.env_file:
        path, _, variable = spec.rpartition(":") if re.search(r":[A-Za-z_][A-Za-z0-9_]*$", spec) else (spec, "", "")
        targets.append(EnvFileTarget.at(path or spec, variable or DEFAULT_VARIABLE))
    for spec in args.keychain:
        service, sep, user = spec.partition(":")
        if not sep or not service or not user:
            raise CommandFailed(fail(f"--keychain takes SERVICE:USER, not “{spec}”"))
        targets.append(KeychainTarget(service, user))
    for spec in args.command_specs:
        try:
            targets.append(command_target(spec))
        except ValueError as error:
            raise CommandFailed(fail(str(error))) from None
    return targets


# --- rotate -------------------------------------------------------------------------------


def run_rotate(services: Services, args: argparse.Namespace) -> int:
    if not (args.resume is None and args.cancel is None):
        require_writable(services, "config", "data")  # journals, and the profiles a rotation switches
    machine = services.rotations
    report = Reporter(args.json)
    if args.cancel:
        return _cancel(machine, args, report)
    if args.resume is not None:
        rotation = _pick(machine, args.resume)
        report.say(f"Resuming rotation {rotation.id} of “{rotation.old_key_name}” ({rotation.state.value}).")
        if args.revoke is not None:
            rotation = machine.set_revoke(rotation.id, args.revoke)
        return _drive(machine, rotation, report, force=args.force)
    wanted = arguments.key_of(args)
    if not wanted:
        return fail("Name the key to rotate: myssl-keys rotate KEY (or --resume a rotation in progress).")
    profile = stored_profile(services, args, needs=NEEDS_STORED_PROFILE)
    require_writable(services, "config", "data")
    session = Session.for_profile(services, profile)
    old = resolve_key(session.client, wanted)
    targets = parse_targets(args)
    if not targets:
        targets = machine.remembered_targets(profile.base_url, old)
        if targets:
            report.say("Using the places remembered for this key (give --env-file, --keychain or a command "
                       "target to change them).")
    check = machine.preflight(profile, old, targets)
    if check.blocked:
        return fail(check.blocked)
    for index in check.unusable():
        contents, target = check.contents[index], check.targets[index]
        hint = (f" (--env-file {target.path}:{contents.reference})"
                if contents.reference and isinstance(target, EnvFileTarget) else "")
        return fail(contents.problem + hint)
    places = [f"  - {t.label}: {c.note(t)}" for t, c in zip(check.targets, check.contents, strict=True)]
    for target, contents in zip(check.targets, check.contents, strict=True):
        if isinstance(target, CommandTarget) and contents.problem:
            report.say(f"Note: {target.label}: {contents.problem}")
    if check.other_profiles:
        names = ", ".join(f"“{p.name}”" for p in check.other_profiles)
        report.say(f"Note: profile{'s' if len(check.other_profiles) > 1 else ''} {names} sign in with this key "
                   "too: they are switched to the new key with it.")
    revoke = args.revoke or RevokeWhen.NOW
    question = [f"Rotate “{old.name}” ({old.prefix}…)? A new key “{new_key_name(old.name)}” is created and written "
                "to:", *(places or ["  (no places: you will copy the new key yourself)"]),
                f"then verified; the old key is revoked ({revoke.label.lower()}) once unused for "
                f"{args.quiet_period} s."]
    forced = check.needs_force()
    if forced and not args.force:
        for line in question:
            warn(line)
        return fail("Some places hold something other than this key (marked ⚠ above). Check them; to replace "
                    "their values anyway, run again with --force.")
    if not confirm(question, assume_yes=args.yes or args.json):
        return 1
    rotation = machine.plan(profile, old, targets, quiet_period_s=args.quiet_period, revoke=revoke, force=forced)
    report.planned(rotation)
    return _drive(machine, rotation, report, force=args.force)


def _drive(machine: RotationMachine, rotation: Rotation, report: Reporter, *, force: bool = False) -> int:
    """Step the rotation until it is done, waits for later, or needs the user."""
    while True:
        outcome = machine.step(rotation.id)
        rotation = outcome.rotation
        if isinstance(outcome, NeedsUser) and isinstance(outcome.problem, NeedsConfirmation) and force:
            machine.confirm_target(rotation.id, outcome.problem.index)
            report.say(f"Replacing the value of {outcome.problem.target.label} as asked (--force).")
            continue
        report.outcome(outcome)
        if isinstance(outcome, Progress):
            continue
        if isinstance(outcome, Finished):
            return 0
        if isinstance(outcome, NeedsUser):
            then = (f"Cancel it with: myssl-keys rotate --cancel {rotation.id}"
                    if isinstance(outcome.problem, NewKeyRejected) else
                    f"Then resume with: myssl-keys rotate --resume {rotation.id}")
            report.problem(f"{outcome.message} {then}")
            return NEEDS_YOU
        if outcome.retry_in_s is None or rotation.state == State.SCHEDULED:
            report.say(_ended_as_asked(rotation))
            return 0
        time.sleep(min(POLL_S, max(1, outcome.retry_in_s)))


def _ended_as_asked(rotation: Rotation) -> str:
    if rotation.state == State.SCHEDULED:
        return (f"The old key's revoke is scheduled ({rotation.revoke.label.lower()}); “{rotation.new_key_name}” is "
                "in use and takes the old name once the old key expires (myssl-keys rotations run does it).")
    return (f"The old key stays active, as asked. Finish later with: myssl-keys rotate --resume {rotation.id} "
            "--revoke now|1h|24h|3d|7d")


def _cancel(machine: RotationMachine, args: argparse.Namespace, report: Reporter) -> int:
    rotation = _pick(machine, args.cancel)
    if not confirm(f"Cancel rotation {rotation.id} of “{rotation.old_key_name}”? Every place gets its old value "
                   "back and the new key is revoked.", assume_yes=args.yes or args.json):
        return 1
    outcome = machine.cancel(rotation.id)
    report.outcome(outcome)
    if isinstance(outcome, NeedsUser):
        report.problem(f"{outcome.message} Then cancel again: myssl-keys rotate --cancel {rotation.id}")
        return NEEDS_YOU
    return 0


def _pick(machine: RotationMachine, wanted: str) -> Rotation:
    rotations, _ = machine.overview()
    if wanted:
        match = [r for r in rotations if r.id == wanted]
        if not match:
            if machine.store.path_for(wanted).exists():
                machine.load(wanted)  # a damaged journal: this raises and says so
            raise CommandFailed(fail(f"No rotation {wanted}. See: myssl-keys rotations"))
        return match[0]
    running = [r for r in rotations if not r.state.finished]
    if len(running) == 1:
        return running[0]
    if not running:
        raise CommandFailed(fail("No rotation is in progress."))
    raise CommandFailed(fail("Several rotations are in progress; name one: "
                             + ", ".join(f"{r.id} ({r.old_key_name})" for r in running)))


# --- rotations ------------------------------------------------------------------------------


def run_rotations(services: Services, args: argparse.Namespace) -> int:
    rotations, damaged = services.rotations.overview()
    name = profile_name(args)
    if name is not None:  # one profile's rotations
        profile_id = find_profile(services, name).id
        rotations = [r for r in rotations if r.profile_id == profile_id]
    shown = rotations if args.all else [r for r in rotations if not r.state.finished]
    if args.json:
        print(json.dumps({"rotations": [summary(r) for r in shown],
                          "damaged": [{"id": d.id, "path": str(d.path), "reason": d.reason} for d in damaged]},
                         indent=2))
        return NEEDS_YOU if damaged else 0
    if not shown and not damaged:
        say("No rotation is in progress." if not args.all else "No rotations yet.")
    if shown:
        print_table([[r.id, r.old_key_name, r.state.value, r.attention and "needs you" or _waiting_words(r),
                      r.created_at, str(len(r.targets))] for r in shown],
                    ["ID", "KEY", "STATE", "NOW", "STARTED", "PLACES"])
    for bad in damaged:
        warn(f"the journal of rotation {bad.id} is damaged ({bad.reason}): {bad.path}. It blocks new rotations of "
             f"its key until you look at it and remove it: myssl-keys rotations discard {bad.id}")
    return NEEDS_YOU if damaged else 0


def _waiting_words(rotation: Rotation) -> str:
    if rotation.state == State.DRAINING:
        return "finish later" if rotation.revoke == RevokeWhen.LATER else "watching the old key"
    if rotation.state == State.SCHEDULED:
        return "old key expiring"
    return ""


def run_advance(services: Services, args: argparse.Namespace) -> int:
    if getattr(args, "profile", None):
        return fail("rotations run advances the rotations of every profile; it takes no --profile.", exit_code=2)
    require_writable(services, "config", "data")
    report = Reporter(args.json)
    while True:
        reports, damaged = advance_all(services.rotations)
        for item in reports:
            if isinstance(item.outcome, NeedsUser):
                report.outcome(item.outcome)
                report.problem(f"rotation {item.rotation_id} ({item.key_name}) needs you: {item.outcome.message}")
            elif item.outcome is not None:
                report.outcome(item.outcome)
            elif item.error:
                report.problem(f"rotation {item.rotation_id} ({item.key_name}): {item.error}")
            else:
                report.say(f"Rotation {item.rotation_id} ({item.key_name}) is being worked on by another process.")
        for bad in damaged:
            report.problem(f"the journal of rotation {bad.id} is damaged ({bad.reason}): {bad.path}")
        waits = [r.retry_in_s for r in reports if r.retry_in_s is not None and not _scheduled(r)]
        if not args.wait or not waits:
            if not reports and not damaged:
                report.say("No rotation is in progress.")
            return NEEDS_YOU if damaged or any(r.needs_user for r in reports) else (
                1 if any(r.error for r in reports) and not args.wait else 0)
        time.sleep(min(POLL_S, max(1, min(waits))))


def _scheduled(report: Any) -> bool:
    return isinstance(report.outcome, Waiting) and report.outcome.rotation.state == State.SCHEDULED


def run_discard(services: Services, args: argparse.Namespace) -> int:
    if not confirm(f"Move the journal of rotation {args.id} aside? Nothing on MySSL or in your files changes.",
                   assume_yes=args.yes):
        return 1
    aside = services.rotations.discard(args.id)
    say(f"Moved the journal of rotation {args.id} aside to {aside}.")
    return 0


# --- output ------------------------------------------------------------------------------------


def summary(rotation: Rotation) -> dict[str, Any]:
    """A rotation as JSON: no secret, only prefixes."""
    return {"id": rotation.id, "profile_id": rotation.profile_id, "base_url": rotation.base_url,
            "state": rotation.state.value, "key": {"id": rotation.old_key_id, "name": rotation.old_key_name,
                                                   "prefix": rotation.old_prefix},
            "new_key": {"id": rotation.new_key_id, "name": rotation.new_key_name, "prefix": rotation.new_prefix},
            "places": [{"place": t.label, "updated": s.written}
                       for t, s in zip(rotation.targets, rotation.target_states, strict=True)],
            "revoke": rotation.revoke.value, "quiet_period_s": rotation.quiet_period_s,
            "needs_you": rotation.attention, "started": rotation.created_at, "finished": rotation.finished_at}


def clients_json(drain: DrainStatus) -> list[dict[str, Any]] | None:
    """The old key's clients since delivery (None: unknown, the message says why). JSON
    escapes the control characters of the server's text itself."""
    if drain.clients is None:
        return None
    return [{"address": c.address, "user_agent": c.user_agent, "last_seen": _utc(c.last_seen),
             "requests": c.requests} for c in drain.clients]


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Reporter:
    """Lines for a person, or one JSON object per change (`--json`)."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json
        self._last = ""

    def _emit(self, event: str, rotation: Rotation | None, message: str, **extra: Any) -> None:
        key = f"{event}:{message}"
        if key == self._last:
            return  # the same wait, polled again
        self._last = key
        if self.as_json:
            print(json.dumps({"event": event, "message": message,
                              **({"rotation": summary(rotation)} if rotation else {}), **extra}), flush=True)
        elif event == "needs_user":
            warn(message)
        else:
            say(message)
        sys.stdout.flush()

    def say(self, message: str) -> None:
        if not self.as_json:
            say(message)
            sys.stdout.flush()

    def problem(self, message: str) -> None:
        if not self.as_json:
            warn(message)
        else:
            print(json.dumps({"event": "error", "message": message}), flush=True)

    def planned(self, rotation: Rotation) -> None:
        self._emit("planned", rotation, f"Rotation {rotation.id} planned: the new key will be named "
                                        f"“{rotation.new_key_name}”.")

    def runs(self, runs: tuple[Ran, ...]) -> None:
        """What a command target's programs did (their output has every key cut to its prefix)."""
        for ran in runs:
            if self.as_json:
                print(json.dumps({"event": "command", "target": ran.index, "step": ran.step, "command": ran.command,
                                  "exit_code": ran.code, "seconds": round(ran.seconds, 2), "output": ran.output,
                                  "problem": ran.problem}), flush=True)
                continue
            print(f"  [{ran.summary()}]" + (f" {ran.problem}" if ran.problem else ""), flush=True)
            for line in ran.output.splitlines():
                print(f"    | {line}", flush=True)

    def outcome(self, outcome: Outcome) -> None:
        self.runs(outcome.runs)
        if isinstance(outcome, Progress):
            self._emit("progress", outcome.rotation, outcome.did)
        elif isinstance(outcome, Waiting):
            drain = outcome.drain
            who = drain.who() if drain is not None else ""  # the app that has not picked up the new key
            extra = {"clients": clients_json(drain)} if drain is not None and drain.used_after_delivery else {}
            self._emit("waiting", outcome.rotation, f"{outcome.reason} {who}".strip(), **extra)
        elif isinstance(outcome, NeedsUser):
            if self.as_json:
                self._emit("needs_user", outcome.rotation, outcome.message)
        else:
            self._emit("finished", outcome.rotation, outcome.message)


__all__ = ["EXIT_CODES", "NEEDS_YOU", "duration", "parse_targets", "register"]
