"""Printing for the CLI: results to stdout, problems to stderr, JSON on request.

Every line for a person goes through `say`, `warn` or `print_table`, which show names and
other text from outside as one line each (see terminal.py); JSON is printed exactly.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from .terminal import shown


class CommandFailed(Exception):
    def __init__(self, exit_code: int = 1) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def say(line: str = "") -> None:
    """One line of a result, on standard output."""
    print(shown(line))


def warn(message: str) -> None:
    """One line about a problem, on standard error."""
    print(f"myssl-keys: {shown(message)}", file=sys.stderr)


def fail(message: str, *, exit_code: int = 1) -> int:
    warn(message)
    return exit_code


def emit_json(value: Any) -> None:
    # ensure_ascii (the default) writes every control and non-ASCII character as a \u escape.
    print(json.dumps(value, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str]) -> list[str]:
    """The lines of a table whose every cell is shown on one line."""
    cells = [[shown(str(cell)) for cell in row] for row in [headers, *rows]]
    widths = [max(len(cell) for cell in column) for column in zip(*cells, strict=True)]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    for line in table(rows, headers):
        print(line)  # each cell is already shown safely


def confirm(question: str | Sequence[str], *, assume_yes: bool) -> bool:
    """Ask on the terminal; without one, only --yes confirms. A question of several lines
    (what a rotation will write where) comes as a list of them."""
    if assume_yes:
        return True
    lines = [question] if isinstance(question, str) else list(question)
    if not sys.stdin.isatty():
        for line in lines[:-1]:
            warn(line)
        warn(f"{lines[-1]} Not confirmed: pass --yes to run without a terminal.")
        return False
    return input("\n".join(shown(line) for line in lines) + " [y/N] ").strip().lower() in ("y", "yes")
