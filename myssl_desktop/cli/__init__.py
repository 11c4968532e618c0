"""`myssl-keys`: the headless command line over the same services as the app."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import AppError, describe
from ..logs import setup_logging
from ..services import Services
from .arguments import Parser
from .output import CommandFailed, fail
from .selection import ACCOUNT_ORDER, add_account_options
from .terminal import READER_GONE, ReaderGone, guarded_streams, silence_output

log = logging.getLogger(__name__)


# The module of each command, in the order --help lists them. A run loads only its command's
# module: rotate's and check's imports alone cost ~25 ms of every start. Help, completion and a
# mistyped command load them all.
COMMAND_MODULES = {"login": "account", "logout": "account", "forget": "account", "profiles": "account",
                   "whoami": "account", "doctor": "account", "keys": "keys", "rotate": "rotate",
                   "rotations": "rotate", "scan": "scan", "hook": "scan", "activity": "activity", "check": "check",
                   "schedule": "check", "completion": "completion"}


class _NoCommand(Exception):
    pass


class _CommandFinder(argparse.ArgumentParser):
    """Finds the command word in a command line as the real parser would, past the top-level
    options and their values; says nothing itself."""

    def __init__(self) -> None:
        super().__init__(add_help=False)
        add_account_options(self, top_level=True)
        self.add_argument("-h", "--help", action="store_true")  # anywhere: the whole help, to be safe
        self.add_argument("command", nargs="?")

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _NoCommand(message)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or, given the command line, of the command it runs."""
    parser = Parser(prog="myssl-keys", description="Manage MySSL API keys headless.", epilog=ACCOUNT_ORDER)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_account_options(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in dict.fromkeys(_modules_for(argv)):
        module = importlib.import_module(f".{name}", __name__)
        if name == "completion":
            module.register(commands, parser)
        else:
            module.register(commands)
    return parser


def _modules_for(argv: Sequence[str] | None) -> list[str]:
    everything = list(COMMAND_MODULES.values())
    if argv is None:
        return everything
    try:
        found = _CommandFinder().parse_known_args(list(argv))[0]
    except _NoCommand:
        return everything  # the real parser says what is wrong
    wanted = COMMAND_MODULES.get(found.command or "")
    return everything if found.help or wanted in (None, "completion") else [wanted]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one line on standard error and a non-zero exit."""
    try:
        with guarded_streams():
            return _run(argv)
    except ReaderGone:
        silence_output()
        return READER_GONE


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    services = Services.build()
    if getattr(args, "logs", True):
        try:
            setup_logging(services.dirs.log)
        except OSError:
            pass  # a read-only log folder must not stop the command
    try:
        return int(args.run(services, args) or 0)
    except CommandFailed as failure:
        return failure.exit_code
    except AppError as error:
        return fail(describe(error))
    except KeyboardInterrupt:
        return fail("interrupted", exit_code=130)
    except ReaderGone:
        raise
    except OSError as error:  # a folder or file the command needs: say which, and why
        return fail(describe(error))
    except Exception as error:  # a bug: one line here, the traceback in the log file
        log.exception("myssl-keys %s failed", args.command)
        return fail(describe(error))


if __name__ == "__main__":
    sys.exit(main())
