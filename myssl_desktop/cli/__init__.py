"""`myssl-keys`: the headless command line over the same services as the app."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import AppError, describe
from ..logs import setup_logging
from ..services import Services
from . import account, activity, check, completion, keys, rotate, scan
from .arguments import Parser
from .output import CommandFailed, fail
from .selection import ACCOUNT_ORDER, add_account_options
from .terminal import READER_GONE, ReaderGone, guarded_streams, silence_output

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="myssl-keys", description="Manage MySSL API keys headless.", epilog=ACCOUNT_ORDER)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_account_options(parser, top_level=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    account.register(commands)
    keys.register(commands)
    rotate.register(commands)
    scan.register(commands)
    activity.register(commands)
    check.register(commands)
    completion.register(commands, parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every failure ends as one line on standard error and a non-zero exit."""
    try:
        with guarded_streams():
            return _run(argv)
    except ReaderGone:
        silence_output()
        return READER_GONE


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
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
