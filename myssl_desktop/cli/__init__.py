"""`myssl-keys`: the headless command line over the same services as the app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import AppError, describe
from ..logs import setup_logging
from ..services import Services
from . import account, check, keys, rotate, scan
from .output import CommandFailed, fail


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="myssl-keys", description="Manage MySSL API keys headless.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    account.register(commands)
    keys.register(commands)
    rotate.register(commands)
    scan.register(commands)
    check.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    services = Services.build()
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


if __name__ == "__main__":
    sys.exit(main())
