"""Read and edit one variable in `.env` content: bytes in, bytes out, every other byte kept.

Pure functions, no file I/O. The reference reader is python-dotenv (1.2.4 and later):
a file is read the way `dotenv_values(..., interpolate=False)` reads it, decoded as UTF-8
with one leading byte-order mark ignored. The API:

- `lookup(content, variable) -> Lookup`: what a dotenv reader sees for the variable:
  absent, a value (the last assignment wins), or a reference (`${OTHER}`, `$OTHER`:
  the key lives in OTHER); every assignment with its line number; and `problem`, the
  reason an edit would be refused (None when the variable can be edited safely).
- `replace_value(content, variable, new_value) -> bytes`: every assignment of the variable
  gets `new_value`, each keeping its quoting, `export`, spacing, inline comment and line
  ending; a variable the file lacks is appended as `VARIABLE=value` with the file's own
  line ending. Restoring an old value is `replace_value` with the old value (`lookup().value`;
  None writes the name without `=`, which python-dotenv reads as None).
- `remove_assignment(content, variable) -> bytes`: removes exactly the line(s) that assign
  the variable (to undo an append), nothing else.

Both edits raise an `EnvEditError` (an AppError and a ValueError) where a safe edit is
impossible; its message names the line and what to do, never a value. Before returning, each edit reads
its result again and checks that the variable reads as intended, that every other
statement has the same text and reads the same, and that Node's dotenv still ends every
other quoted value where it did. Bytes that are not UTF-8 are carried through unchanged.

How other readers differ (motdotla/dotenv for Node, joho/godotenv, bkeepers/dotenv), and
what the edits do about it, is listed in tests/rotation/envfile_corpus/README.md. In short:
forms that all readers read the same way once the new value is written are edited (the
whole old value is replaced, so `changeme#1`, `` `old` `` or `= # set me` end up read alike);
forms where readers disagree about *which line* sets the variable are refused.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..errors import AppError

__all__ = [
    "AmbiguousAssignment", "Assignment", "EnvEditError", "Lookup", "ReferenceAssignment",
    "UnreadableAssignment", "UnsafeEdit", "UnsupportedEncoding",
    "lookup", "remove_assignment", "replace_value", "variables",
]

# --- errors -------------------------------------------------------------------------------


class EnvEditError(AppError, ValueError):
    """A safe edit of the variable is impossible; the message says which line and why."""

    def __init__(self, message: str, variable: str, line: int | None = None) -> None:
        super().__init__(message)
        self.variable = variable
        self.line = line


class UnsupportedEncoding(EnvEditError):
    """The content is not UTF-8 text (UTF-16 or UTF-32, or it holds NUL bytes)."""


class UnreadableAssignment(EnvEditError):
    """A line looks like it sets the variable, but python-dotenv cannot read it."""


class AmbiguousAssignment(EnvEditError):
    """The big dotenv readers disagree about whether a line sets the variable."""


class ReferenceAssignment(EnvEditError):
    """The variable's value is a reference (`${OTHER}`): the key lives in another variable."""

    def __init__(self, message: str, variable: str, line: int | None, reference: str) -> None:
        super().__init__(message, variable, line)
        self.reference = reference


class UnsafeEdit(EnvEditError):
    """The edit would change how other lines read (for example an unterminated quote nearby)."""


# --- the result of a lookup ---------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    """One line (or multi-line statement) that sets the variable."""

    line: int  # 1-based line of the variable's name
    value: str | None = field(repr=False)  # as python-dotenv reads it; None: a name without `=`
    quote: str  # the value's quoting: "'", '"' or "" (unquoted)


@dataclass(frozen=True)
class Lookup:
    """What the content says about one variable, as a dotenv reader sees it."""

    variable: str
    assignments: tuple[Assignment, ...]
    problem: EnvEditError | None = None  # why an edit would be refused, or None

    @property
    def present(self) -> bool:
        return bool(self.assignments)

    @property
    def value(self) -> str | None:
        """The effective value (the last assignment's); None when absent or set without `=`."""
        return self.assignments[-1].value if self.assignments else None

    @property
    def reference(self) -> str | None:
        """OTHER when the effective value is exactly `${OTHER}`, `${OTHER:-default}` or `$OTHER`."""
        return _reference(self.value)

    @property
    def lines(self) -> tuple[int, ...]:
        return tuple(assignment.line for assignment in self.assignments)


# --- the grammar (python-dotenv's, token by token) ----------------------------------------

_SPACE = r"[^\S\r\n]"  # any whitespace but a line break
_BLANK = re.compile(r"\s*")  # whitespace and empty lines before a statement
_EXPORT = re.compile(rf"export{_SPACE}+")
_QUOTED_NAME = re.compile(r"'([^']+)'")
_NAME = re.compile(r"[^=#\s]+")
_SPACES = re.compile(rf"{_SPACE}*")
_EQUALS = re.compile(rf"={_SPACE}*")
_QUOTED_VALUE = {
    "'": re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL),
    '"': re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL),
}
_REST_OF_LINE = re.compile(r"[^\r\n]*")
_INLINE_COMMENT = re.compile(r"\s+#")  # in an unquoted value, `#` starts a comment after whitespace
_COMMENT = re.compile(rf"(?:{_SPACE}*#[^\r\n]*)?")
_END_OF_LINE = re.compile(rf"{_SPACE}*(?:\r\n|\n|\r|$)")
_SKIP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# Escapes decoded inside quotes: the character after the backslash, and what it stands for.
_ESCAPES = {
    "'": {"\\": "\\", "'": "'"},
    '"': {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
          "t": "\t", "v": "\v"},
}

_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)")
_NODE_AFTER_CLOSING = re.compile(rf"{_SPACE}*(?:#[^\r\n]*)?(?:\r\n|\r|\n|$)")
_QUOTE_NAMES = {"'": "single quotes", '"': "double quotes", "`": "backticks"}
_PORTABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BOM = "\ufeff"


@dataclass(frozen=True)
class _Statement:
    """One statement as python-dotenv reads it, with the spans an edit needs."""

    start: int  # first character (after the blank lines and indentation before it)
    end: int  # after its line break (or the end of the content)
    key: str | None = None  # None: a comment, trailing blank space, or an unreadable line
    error: bool = False  # python-dotenv could not read it (and skips it)
    key_end: int = 0  # after the name (or its closing quote)
    value: str | None = None  # None: a name without `=`
    quote: str = ""  # "'", '"' or "" (unquoted)
    value_start: int = 0  # the value's raw text, inside its quotes
    value_end: int = 0
    spaced: bool = False  # whitespace follows `=`


class _Unreadable(Exception):
    def __init__(self, position: int) -> None:
        self.position = position


def _expect(pattern: re.Pattern[str], text: str, position: int) -> re.Match[str]:
    match = pattern.match(text, position)
    if match is None:
        raise _Unreadable(position)
    return match


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where a pattern that always matches (it can match nothing) ends."""
    return _expect(pattern, text, position).end()


def _unescape(raw: str, quote: str) -> str:
    escapes = _ESCAPES[quote]
    out: list[str] = []
    i = 0
    while i < len(raw):
        if raw[i] == "\\" and i + 1 < len(raw) and raw[i + 1] in escapes:
            out.append(escapes[raw[i + 1]])
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return "".join(out)


def _parse_statement(text: str, position: int) -> _Statement:
    start = _skip(_BLANK, text, position)
    if start == len(text):
        return _Statement(start, start)
    cursor = start
    try:
        if export := _EXPORT.match(text, cursor):
            cursor = export.end()
        if text.startswith("#", cursor):
            key = None
        else:
            name = _expect(_QUOTED_NAME if text.startswith("'", cursor) else _NAME, text, cursor)
            key = name.group(1) if name.re is _QUOTED_NAME else name.group(0)
            cursor = name.end()
        key_end = cursor
        cursor = _skip(_SPACES, text, cursor)
        value: str | None = None
        quote, value_start, value_end, spaced = "", cursor, cursor, False
        if key is not None and text.startswith("=", cursor):
            equals = _expect(_EQUALS, text, cursor)
            cursor = value_start = value_end = equals.end()
            spaced = equals.end() - equals.start() > 1
            following = text[cursor:cursor + 1]
            if (spaced and following == "#") or following in ("", "\n", "\r"):
                value = ""  # `KEY= # comment` is an empty value and a comment
            elif following in _QUOTED_VALUE:
                quoted = _expect(_QUOTED_VALUE[following], text, cursor)
                quote, value_start, value_end = following, cursor + 1, quoted.end() - 1
                value = _unescape(quoted.group(1), quote)
                cursor = quoted.end()
            else:
                line = text[cursor:_skip(_REST_OF_LINE, text, cursor)]
                comment = _INLINE_COMMENT.search(line)
                value = line[:comment.start() if comment else len(line)].rstrip()
                value_end = cursor + len(value)
                cursor += len(line)
        cursor = _skip(_COMMENT, text, cursor)
        end = _expect(_END_OF_LINE, text, cursor).end()
    except _Unreadable as failure:
        end = _skip(_SKIP_LINE, text, failure.position)
        return _Statement(start, end, error=True)
    return _Statement(start, end, key, False, key_end, value, quote, value_start, value_end, spaced)


def _parse(text: str) -> list[_Statement]:
    statements: list[_Statement] = []
    position = 0
    while position < len(text):
        statement = _parse_statement(text, position)
        statements.append(statement)
        position = statement.end
    return statements


# --- content as text ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Content:
    bom: bool
    text: str  # after the byte-order mark; bytes that are not UTF-8 kept as surrogate escapes
    statements: list[_Statement]
    line_breaks: list[int]  # offsets in `text` just after each line break

    @staticmethod
    def read(content: bytes, variable: str) -> _Content:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content:
            raise UnsupportedEncoding(
                f"The file is not UTF-8 text (it looks like UTF-16 or holds NUL bytes), so {variable} "
                "cannot be edited safely. Save it as UTF-8 and try again.", variable)
        text = content.decode("utf-8", "surrogateescape")
        bom = text.startswith(_BOM)
        text = text.removeprefix(_BOM)
        return _Content(bom, text, _parse(text), [m.end() for m in _LINE_BREAK.finditer(text)])

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.line_breaks, offset) + 1

    def line_start(self, offset: int) -> int:
        index = bisect.bisect_right(self.line_breaks, offset)
        return self.line_breaks[index - 1] if index else 0

    def encode(self, text: str) -> bytes:
        return ((_BOM if self.bom else "") + text).encode("utf-8", "surrogateescape")

    def line_ending(self) -> str:
        first = _LINE_BREAK.search(self.text)
        return first.group(0) if first else "\n"


def _reference(value: str | None) -> str | None:
    match = _REFERENCE.fullmatch(value) if value else None
    return (match.group(1) or match.group(2)) if match else None


def _suspect_pattern(variable: str) -> re.Pattern[str]:
    """A statement that starts like an assignment of `variable` (with `=` or `:`, the name
    bare or in quotes), to find lines that other readers take as one and python-dotenv not."""
    name = re.escape(variable)
    return re.compile(rf"(?:export{_SPACE}+)?(?:{name}|'{name}'|\"{name}\"){_SPACE}*[=:]")


def _node_value_end(text: str, opening: int) -> int:
    """Where Node's dotenv ends a value that opens with a quote at `opening`: it may take any
    quote after a backslash as escaped, and keeps the farthest closing quote that ends its
    line (`"a\\\\"` can run on to a later line). -1: it reads the value unquoted instead."""
    quote, end, position = text[opening], -1, opening + 1
    while (found := text.find(quote, position)) != -1:
        if _NODE_AFTER_CLOSING.match(text, found + 1):
            end = found + 1
        if text[found - 1] != "\\":
            break
        position = found + 1
    return end


def _runs_on(content: _Content) -> list[tuple[_Statement, int]]:
    """Values that Node's dotenv closes on a later line than python-dotenv (backticks, or a
    quote after an escaped backslash), with the offset where Node ends them."""
    runs = []
    for statement in content.statements:
        if statement.quote or (statement.key is not None and content.text.startswith("`", statement.value_start)):
            opening = statement.value_start - (1 if statement.quote else 0)
            end = _node_value_end(content.text, opening)
            if end != -1 and content.line(end) > content.line(statement.end - 1):
                runs.append((statement, end))
    return runs


def _unclosed_quote(content: _Content) -> _Statement | None:
    """The first unreadable statement that python-dotenv reads over several lines (an unclosed
    quote that a later quote closes, followed by text): python-dotenv resumes in the middle
    of a line, other readers at the next line, so they may see different lines after it."""
    for statement in content.statements:
        if statement.error and content.line(statement.end - 1) > content.line(statement.start):
            return statement
    return None


def _problem(content: _Content, variable: str, for_removal: bool = False) -> EnvEditError | None:
    """Why editing `variable` would be unsafe (the first reason found), or None."""
    assignments = [s for s in content.statements if s.key == variable]
    runs = _runs_on(content)
    for statement in content.statements:
        problem = (_node_problem(content, statement, variable, runs) if statement.key == variable
                   else _lookalike_problem(content, statement, variable))
        if problem:
            return problem
    if problem := _unclosed_quote_problem(content, variable, appending=not assignments and not for_removal):
        return problem
    if not for_removal and assignments and (reference := _reference(assignments[-1].value)):
        line = content.line(assignments[-1].start)
        return ReferenceAssignment(
            f"Line {line} sets {variable} to a reference to {reference}: the key lives in {reference}. "
            f"Update {reference} instead, or replace the reference by hand.", variable, line, reference)
    return None


def _node_problem(content: _Content, statement: _Statement, variable: str,
                  runs: list[tuple[_Statement, int]]) -> EnvEditError | None:
    """An assignment of the variable that Node's dotenv reads as part of a quoted value."""
    line = content.line(statement.start)
    for other, end in runs:
        quotes = _QUOTE_NAMES[content.text[other.value_start - (1 if other.quote else 0)]]
        if other is statement:
            return AmbiguousAssignment(
                f"Line {line} gives {variable} a value in {quotes} that Node's dotenv reads on to line "
                f"{content.line(end)}, python-dotenv only to line {content.line(statement.end - 1)}. Put the "
                "value on one line (without a backslash before its closing quote), then try again.", variable, line)
        if other.start < statement.start < end:
            first = content.line(other.start)
            return AmbiguousAssignment(
                f"Line {line} sets {variable}, but Node's dotenv reads that line as part of the value in {quotes} "
                f"that starts on line {first}; python-dotenv does not. Fix the quotes on line {first}, or move the "
                f"{variable} line above it, then try again.", variable, line)
    return None


def _lookalike_problem(content: _Content, statement: _Statement, variable: str) -> EnvEditError | None:
    """A statement that other readers take as an assignment of the variable, python-dotenv not."""
    if not _suspect_pattern(variable).match(content.text, statement.start):
        return None
    line = content.line(statement.start)
    if statement.error:
        return UnreadableAssignment(
            f"Line {line} looks like it sets {variable}, but python-dotenv cannot read that line "
            f"(for example `{variable}: value`, an unclosed quote, or text after the closing quote), "
            f"while other readers may. Write it as {variable}=value, then try again.", variable, line)
    if statement.key is not None and statement.key.startswith('"'):
        return AmbiguousAssignment(
            f"Line {line} has double quotes around the name {variable}: python-dotenv reads it as a "
            "different variable whose name includes the quotes, and most other readers skip the line. "
            "Remove the quotes around the name (or the line), then try again.", variable, line)
    return AmbiguousAssignment(
        f"Line {line} looks like it sets {variable}, but python-dotenv reads it as a variable named "
        f"differently (a `:` after the name?). Write it as {variable}=value, then try again.", variable, line)


def _unclosed_quote_problem(content: _Content, variable: str, appending: bool) -> EnvEditError | None:
    """A line that looks like it sets the variable (or one to be appended) after an unclosed
    quote that python-dotenv reads on to a later line."""
    unclosed = _unclosed_quote(content)
    if unclosed is None:
        return None
    lookalike = re.compile(rf"{_SPACE}*{_suspect_pattern(variable).pattern}")
    starts = [content.line_start(unclosed.start)] + [b for b in content.line_breaks if b > unclosed.start]
    later = next((start for start in starts if lookalike.match(content.text, start)), None)
    if later is None and not appending:
        return None
    first, line = content.line(unclosed.start), content.line(later) if later is not None else None
    where = f"line {line}, which sets {variable}" if line else f"a {variable} line added at the end"
    return AmbiguousAssignment(
        f"Line {first} has an unclosed quote that python-dotenv reads on to line {content.line(unclosed.end - 1)}, "
        f"while other readers stop at the end of line {first}; they may disagree about {where}. Close or remove "
        "that quote, then try again.", variable, line)


# --- the public functions -----------------------------------------------------------------


def lookup(content: bytes, variable: str) -> Lookup:
    """What `content` says about `variable`, as python-dotenv reads it (see the module doc)."""
    try:
        parsed = _Content.read(content, variable)
    except EnvEditError as problem:
        return Lookup(variable, (), problem)
    assignments = tuple(Assignment(parsed.line(s.start), s.value, s.quote)
                        for s in parsed.statements if s.key == variable)
    return Lookup(variable, assignments, _problem(parsed, variable))


def variables(content: bytes) -> tuple[str, ...]:
    """Every variable `content` assigns, in the order of their first assignment (none when the
    content is not UTF-8 text)."""
    try:
        parsed = _Content.read(content, "")
    except EnvEditError:
        return ()
    return tuple(dict.fromkeys(s.key for s in parsed.statements if s.key is not None))


def replace_value(content: bytes, variable: str, new_value: str | None) -> bytes:
    """Every assignment of `variable` gets `new_value`; appended when the variable is absent.
    None (a name without `=`) is only there to restore what `lookup` reported."""
    _check_name(variable)
    parsed = _Content.read(content, variable)
    if problem := _problem(parsed, variable):
        raise problem
    text = parsed.text
    assignments = [s for s in parsed.statements if s.key == variable]
    if not assignments:
        ending = parsed.line_ending()
        separator = ending if text and not text.endswith(("\n", "\r")) else ""
        if new_value is None:
            assignment = variable
        else:
            quote = "" if _fits_unquoted(new_value) else '"'
            assignment = variable + "=" + _encoded(new_value, quote)
        updated = f"{text}{separator}{assignment}{ending}"
    else:
        pieces, copied = [], 0
        for statement in assignments:
            begin, finish, replacement = _rewrite(text, statement, variable, new_value, parsed)
            pieces += [text[copied:begin], replacement]
            copied = finish
        updated = "".join(pieces) + text[copied:]
    return _verified(parsed, parsed.encode(updated), variable, [new_value] * max(1, len(assignments)))


def remove_assignment(content: bytes, variable: str) -> bytes:
    """Remove the line(s) that assign `variable` (a whole multi-line value too), nothing else."""
    _check_name(variable)
    parsed = _Content.read(content, variable)
    if problem := _problem(parsed, variable, for_removal=True):
        raise problem
    pieces, copied = [], 0
    for statement in parsed.statements:
        if statement.key == variable:
            begin = parsed.line_start(statement.start)
            pieces.append(parsed.text[copied:begin])
            copied = statement.end
    updated = "".join(pieces) + parsed.text[copied:]
    return _verified(parsed, parsed.encode(updated), variable, [])


# --- writing a value ----------------------------------------------------------------------


def _check_name(variable: str) -> None:
    if not _PORTABLE_NAME.fullmatch(variable):
        raise ValueError(f"{variable!r} is not a variable name this editor writes: use letters, digits and _, "
                         "not starting with a digit.")


def _fits_unquoted(value: str) -> bool:
    return (value == value.strip() and not _LINE_BREAK.search(value) and not _INLINE_COMMENT.search(value)
            and not value.startswith(("'", '"', "#", "`")))


def _encoded(value: str, quote: str) -> str:
    """`value` written in the given quoting, escaping only where python-dotenv would decode."""
    if not quote:
        return value
    escapes = _ESCAPES[quote]
    out = []
    for i, char in enumerate(value):
        if char == quote:
            out.append("\\" + char)
        elif char == "\\" and (i + 1 == len(value) or value[i + 1] in escapes):
            out.append("\\\\")
        else:
            out.append(char)
    return quote + "".join(out) + quote


def _candidates(text: str, statement: _Statement, new_value: str | None) -> list[tuple[int, int, str]]:
    """Ways to write `new_value` into the statement, its own quoting first: (start, end, text)."""
    if new_value is None:  # back to a name without `=`: drop `=`, the value and its quotes
        finish = statement.value_end + len(statement.quote) if statement.value is not None else statement.key_end
        return [(statement.key_end, finish, "")]
    if statement.value is None:  # a name without `=`: add `=value` right after the name
        at = statement.key_end
        return [(at, at, "=" + _encoded(new_value, quote)) for quote in ("", '"', "'")]
    start, end = statement.value_start, statement.value_end
    if statement.quote:
        own = (start, end, _encoded(new_value, statement.quote)[1:-1])
        start, end = start - 1, end + 1  # the others replace the quotes as well
        others = [(start, end, _encoded(new_value, quote)) for quote in ('"', "'") if quote != statement.quote]
        return [own, *others]
    if not new_value and end > start and re.match(rf"{_SPACE}+#", text[end:]):
        # Emptying `KEY= value # comment`: drop the value and, when `=` is followed by
        # whitespace, the whitespace after the value too, giving back `KEY= # comment`.
        tail = _skip(_SPACES, text, end) if statement.spaced else end
        unquoted = (start, tail, "")
    elif text.startswith("#", end):  # `KEY= # comment`: the value goes before the comment
        unquoted = (start, end, new_value + " ")
    else:
        unquoted = (start, end, new_value)
    return [unquoted, *((start, end, _encoded(new_value, quote)) for quote in ('"', "'"))]


def _rewrite(text: str, statement: _Statement, variable: str, new_value: str | None,
             content: _Content) -> tuple[int, int, str]:
    """The first candidate that python-dotenv reads back as exactly `new_value`."""
    for begin, finish, replacement in _candidates(text, statement, new_value):
        edited = text[:begin] + replacement + text[finish:]
        reread = _parse_statement(edited, statement.start)
        moved = len(replacement) - (finish - begin)
        if (reread.key, reread.value, reread.error) == (variable, new_value, False) \
                and reread.end == statement.end + moved:
            return begin, finish, replacement
    line = content.line(statement.start)
    raise UnsafeEdit(f"The new value of {variable} cannot be written on line {line} in a way python-dotenv "
                     "reads back unchanged. Edit that line by hand.", variable, line)


def _verified(before: _Content, result: bytes, variable: str, expected: list[str | None]) -> bytes:
    """`result`, once read again, shows the variable's assignments with the `expected` values
    and every other statement as before, in the same words, to python-dotenv and, where
    Node's dotenv ends a quoted value elsewhere, to Node too."""
    after = _Content.read(result, variable)

    def others(content: _Content) -> list[tuple[str | None, str | None, bool, str]]:
        return [(s.key, s.value, s.error, content.text[s.start:s.end].rstrip("\r\n"))
                for s in content.statements if s.key != variable and s.start < s.end]

    def node_runs(content: _Content) -> list[tuple[str | None, str]]:
        return [(s.key, content.text[s.start:end]) for s, end in _runs_on(content) if s.key != variable]

    if others(after) != others(before) or [s.value for s in after.statements if s.key == variable] != expected:
        raise UnsafeEdit(f"Editing {variable} would change how other lines of the file read (an unclosed quote, "
                         "or a stray byte-order mark, near it?). Check those lines, or edit the file by hand.",
                         variable)
    if node_runs(after) != node_runs(before):
        changed = next(iter(set(node_runs(after)) ^ set(node_runs(before))))
        raise UnsafeEdit(f"Editing {variable} would change where Node's dotenv ends the quoted value of {changed[0]} "
                         f"(a quote or backtick on the {variable} line closes it today). Edit the file by hand.",
                         variable)
    return result
