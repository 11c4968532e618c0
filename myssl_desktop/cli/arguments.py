"""Checks of command-line and environment values, before anything is sent or stored.

On Linux a command line is bytes: a name that is not UTF-8 arrives with its stray bytes as
lone surrogates, which no JSON body, keychain or terminal accepts. A base URL with a line
break in it would reach the HTTP library. Both are refused here with one line that says why.
"""

from __future__ import annotations

import argparse
from typing import Any

from .output import CommandFailed, fail
from .terminal import shown


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Each option's default in its help, as "(default: 10m)", unless the help already says it
    in words; descriptions and epilogs (exit codes, the account order) as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "(default" in text or not action.option_strings or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


class Parser(argparse.ArgumentParser):
    """myssl-keys' parsers: its subcommands' parsers are of this class too (add_subparsers' default)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def as_typed(value: str) -> str:
    """`value` as the user typed it, stray bytes as \\xff: for messages about it."""
    return shown(value.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace"))


def text_problem(value: str) -> str | None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return f"“{as_typed(value)}” is not valid UTF-8 text; type it again in a UTF-8 terminal"
    return None


def url_problem(value: str) -> str | None:
    problem = text_problem(value)
    if problem is None and any(c.isspace() or not c.isprintable() for c in value.strip()):
        problem = (f"“{as_typed(value.strip())}” is not a web address: it holds a line break, a space or another "
                   "control character. Use the form https://myssl.info/api/v1")
    return problem


def text(value: str) -> str:
    """argparse type of a name or other text: valid UTF-8."""
    problem = text_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value


def base_url(value: str) -> str:
    """argparse type of a base URL: one line of printable text."""
    problem = url_problem(value)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return value.strip()


def add_key_argument(parser: argparse.ArgumentParser, what: str = "the key") -> None:
    """KEY, as in `myssl-keys keys show "Production Server"`, or --key KEY as before."""
    parser.add_argument("key", nargs="?", type=text, metavar="KEY", help=f"{what}: its id or exact name")
    parser.add_argument("--key", dest="key_option", type=text, metavar="KEY", help="the same as KEY")


def key_of(args: argparse.Namespace) -> str | None:
    """The key named by KEY or --key, if any (named once)."""
    given = {value for value in (args.key, args.key_option) if value is not None}
    if len(given) > 1:
        raise CommandFailed(fail("Name the key once: as KEY or with --key, not both.", exit_code=2))
    return given.pop() if given else None


def required_key(args: argparse.Namespace, command: str) -> str:
    key = key_of(args)
    if key is None:
        raise CommandFailed(fail(f"Name the key: myssl-keys {command} KEY (its id or exact name).", exit_code=2))
    return key


__all__ = ["HelpFormatter", "Parser", "add_key_argument", "as_typed", "base_url", "key_of", "required_key", "text",
           "text_problem", "url_problem"]
