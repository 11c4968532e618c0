"""What reaches the terminal: text made safe to show, and output that ends quietly when its
reader goes away (`myssl-keys keys list | head`).

Key names come from anyone with `keys:manage` on the account, and profile names and URLs from
files and the command line. Written raw, an escape sequence in one retitles the terminal or
moves the cursor, and a line break fakes a table row. `shown()` turns every such character
into a visible escape (`\\x1b`, `\\n`); the streams `guarded_streams()` installs do the same for
anything else written (line breaks excepted) and keep every key on standard error cut to its
prefix. JSON needs none of this: `json.dumps` escapes these characters itself.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ..redaction import redact

# C0 and C1 controls and DEL, the line and paragraph separators, the bidirectional controls
# that reorder what follows them on screen, and lone surrogates (bytes of a name that was not
# UTF-8, which the terminal's encoder would refuse).
_OTHER_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE_CHARACTER = re.compile(f"[\x00-\x1f{_OTHER_UNSAFE}]")
_UNSAFE_BUT_LINE_BREAKS = re.compile(f"[\x00-\x09\x0b-\x1f{_OTHER_UNSAFE}]")

CLEAR_LINE = "\r\x1b[K"  # back to the start of the line, and erase it
READER_GONE = 141  # exit code when the reader closed the pipe: 128 + SIGPIPE, as for other Unix tools


class ReaderGone(Exception):
    """Standard output or error is a pipe whose reader has gone (`| head` read enough)."""


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return _NAMED.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def shown(text: str) -> str:
    """`text` as one line of a terminal: control characters, line breaks included, made visible."""
    return _UNSAFE_CHARACTER.sub(_escape, text)


class _GuardedStream:
    """A text stream that neutralises what is written, and says ReaderGone for a broken pipe."""

    def __init__(self, stream: TextIO, *, redacting: bool) -> None:
        self._stream = stream
        self._redacting = redacting

    def write(self, text: str) -> int:
        text = _UNSAFE_BUT_LINE_BREAKS.sub(_escape, text)
        if self._redacting:
            text = redact(text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise ReaderGone() from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise ReaderGone() from None

    def status(self, text: str) -> None:
        """Overwrite the line with `text`: the one control sequence that does it is ours."""
        try:
            self._stream.write(CLEAR_LINE + redact(shown(text)))
        except BrokenPipeError:
            raise ReaderGone() from None
        self.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, ...
        return getattr(self._stream, name)


@contextmanager
def guarded_streams() -> Iterator[None]:
    """Standard output neutralised; standard error neutralised and with every key cut to its
    prefix (a secret is only ever printed on standard output, and only when asked for)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout = _GuardedStream(out, redacting=False)
    sys.stderr = _GuardedStream(err, redacting=True)
    try:
        yield
        sys.stdout.flush()
    finally:
        sys.stdout, sys.stderr = out, err


def status_line(text: str = "") -> None:
    """Progress on a terminal's standard error: `text` in place of the line shown before (""
    clears it)."""
    if isinstance(sys.stderr, _GuardedStream):
        sys.stderr.status(text)
    else:  # a command run in-process (tests), outside guarded_streams
        sys.stderr.write(CLEAR_LINE + shown(text))
        sys.stderr.flush()


def silence_output() -> None:
    """After ReaderGone: point standard output and error at the null device, so that Python's own
    flush at exit has nowhere to fail and prints no "Exception ignored … BrokenPipeError"."""
    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        try:
            os.dup2(null, stream.fileno())
        except (OSError, ValueError):  # no file descriptor (a test's captured stream)
            pass
    os.close(null)


__all__ = ["READER_GONE", "ReaderGone", "guarded_streams", "shown", "silence_output", "status_line"]
