"""Printing for the CLI: results to stdout, problems to stderr, JSON on request."""

from __future__ import annotations

import json
import sys
from typing import Any


class CommandFailed(Exception):
    def __init__(self, exit_code: int = 1) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def fail(message: str, *, exit_code: int = 1) -> int:
    print(f"myssl-keys: {message}", file=sys.stderr)
    return exit_code


def emit_json(value: Any) -> None:
    print(json.dumps(value, indent=2, default=str))


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def confirm(question: str, *, assume_yes: bool) -> bool:
    """Ask on the terminal; without one, only --yes confirms."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        print(f"myssl-keys: {question} Not confirmed: pass --yes to run without a terminal.",
              file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
