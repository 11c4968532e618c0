"""myssl_desktop.rotation.envfile against python-dotenv, the reference reader.

The oracle (issue 13): after `replace_value`, python-dotenv reads the new key for the
variable and every other variable exactly as before, and `lookup` agrees with python-dotenv
on every variable. Checked on the corpus in envfile_corpus/ (tricky forms from the dotenv
parsers' own test suites, see its README) with the variable put in at every position and
in every form, on each form the issue names, and on generated files.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
import string
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values
from dotenv.parser import parse_stream
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myssl_desktop.errors import AppError, describe
from myssl_desktop.rotation.envfile import (
    AmbiguousAssignment,
    EnvEditError,
    ReferenceAssignment,
    UnreadableAssignment,
    UnsafeEdit,
    UnsupportedEncoding,
    lookup,
    remove_assignment,
    replace_value,
)

CORPUS = Path(__file__).parent / "envfile_corpus"
VAR = "MYSSL_API_KEY"
OLD = "placeholder_old_value"  # never a real-looking key: those are made at test time
BOM = b"\xef\xbb\xbf"


@pytest.fixture(autouse=True)
def _quiet_dotenv(caplog: pytest.LogCaptureFixture) -> None:
    # python-dotenv logs a warning for every line it cannot read; the corpus has several.
    caplog.set_level(logging.ERROR, logger="dotenv.main")


def new_key() -> str:
    return "myssl_k_" + "".join(secrets.choice(string.ascii_lowercase + string.digits) for _ in range(40))


# --- the oracle ---------------------------------------------------------------------------


def dotenv_read(content: bytes) -> dict[str, str | None]:
    """What python-dotenv reads (it drops one leading byte-order mark itself)."""
    return dict(dotenv_values(stream=io.StringIO(content.decode("utf-8")), interpolate=False))


def others(read: dict[str, str | None], variable: str = VAR) -> dict[str, str | None]:
    return {key: value for key, value in read.items() if key != variable}


def other_statements(content: bytes, variable: str = VAR) -> list[str]:
    """The text of every statement python-dotenv sees, except the variable's own."""
    return [binding.original.string for binding in parse_stream(io.StringIO(content.decode("utf-8")))
            if binding.key != variable]


def line_ending(content: bytes) -> bytes:
    first = re.search(rb"\r\n|\r|\n", content)
    return first.group(0) if first else b"\n"


def assert_lookup_agrees(content: bytes, variables: Iterable[str] = ()) -> None:
    read = dotenv_read(content)
    for variable in [*read, *variables]:
        found = lookup(content, variable)
        assert found.present == (variable in read), variable
        assert found.value == read.get(variable), variable


def assert_rotates(content: bytes, variable: str = VAR) -> bytes:
    """Write a new key, check it against python-dotenv, then undo it; returns the new content."""
    before = dotenv_read(content)
    found = lookup(content, variable)
    assert found.problem is None
    key = new_key()
    after = replace_value(content, variable, key)

    read = dotenv_read(after)
    assert read[variable] == key
    assert others(read, variable) == others(before, variable)
    assert lookup(after, variable).value == key
    assert after.startswith(BOM) == content.startswith(BOM)
    if found.present:  # edited in place: every other statement keeps its bytes
        assert other_statements(after, variable) == other_statements(content, variable)
        restored = replace_value(after, variable, found.value)
        if len(found.assignments) == 1:
            assert restored == content
        assert dotenv_read(restored) == before
    else:  # appended on a line of its own, with the file's line ending
        ending = line_ending(content)
        body = content.removeprefix(BOM)
        separator = ending if body and not body.endswith((b"\n", b"\r")) else b""
        assert after == content + separator + f"{variable}={key}".encode() + ending
        assert remove_assignment(after, variable) == content + separator
    return after


# --- the corpus, with the variable put in at every position and in every form -------------

FIXTURES = sorted(CORPUS.glob("*.env"))

# The variable in the forms people write it; {nl} is the file's own line ending.
FORMS = {
    "plain": f"{VAR}={OLD}",
    "export": f"export {VAR}={OLD}",
    "spaces around =": f"{VAR} = {OLD}",
    "tabs around =": f"{VAR}\t=\t{OLD}",
    "double quoted": f'{VAR}="{OLD}"',
    "single quoted": f"{VAR}='{OLD}'",
    "single-quoted name": f"'{VAR}'={OLD}",
    "inline comment": f"{VAR}={OLD} # rotated by MySSL Desktop",
    "empty and a comment": f"{VAR}= # set me",
    "words": f"{VAR}=your key here",
    "hash inside": f"{VAR}=changeme#1",
    "multi-line double quoted": f'{VAR}="first{{nl}}second"',
    "escaped quote": f'{VAR}="a\\"b"',
    "empty": f"{VAR}=",
    "name only": f"{VAR}",
    "everything": f"  export   {VAR}  =  '{OLD}'  # note",
    "backticks": f"{VAR}=`{OLD}`",
    "inside another value": f'INNER="x{{nl}}{VAR}=not_an_assignment{{nl}}y"',
}


def statement_boundaries(text: str) -> list[int]:
    """Offsets where python-dotenv starts a statement (and the end), never inside a CRLF."""
    offsets, position = [0], 0
    for binding in parse_stream(io.StringIO(text)):
        position += len(binding.original.string)
        offsets.append(position)
    return sorted({o for o in offsets if text[o - 1:o + 1] != "\r\n"})


def variants(content: bytes, form: str) -> Iterator[tuple[int, bytes]]:
    """The fixture with the form put in as a line at each statement boundary: (offset, content)."""
    bom, text = content.startswith(BOM), content.removeprefix(BOM).decode("utf-8")
    ending = line_ending(content).decode()
    line = form.format(nl=ending)
    for offset in statement_boundaries(text):
        if offset == len(text) and text and not text.endswith(("\n", "\r")):
            edited = text + ending + line  # last line, without a line break
        else:
            edited = text[:offset] + line + ending + text[offset:]
        yield offset, (BOM if bom else b"") + edited.encode("utf-8")


def expected_refusal(content: bytes, offset: int, form: str) -> tuple[type[EnvEditError], str] | None:
    """What a variant of the corpus should be refused for, worked out without envfile:
    - python-dotenv reads an unclosed quote on to a later line (the fixture's last line
      `unclosed="never closed` meets a quote of the form), resuming mid-line where other
      readers resume at the next line: the variable's line comes after it;
    - the form is put inside a value that Node's dotenv quotes with backticks over several
      lines: an odd number of backticks before it (this corpus's other backticks pair up on
      one line); when the form's own backtick ends that value early, the edit would remove
      it and change where Node's dotenv ends the other value."""
    text = content.removeprefix(BOM).decode("utf-8")
    bindings = parse_stream(io.StringIO(text))
    if any(b.error and re.search("[\r\n]", b.original.string.strip()) for b in bindings):
        return AmbiguousAssignment, "unclosed quote"
    if VAR in dotenv_read(content) and text[:offset].count("`") % 2 == 1:
        # the form's own backtick ends Node's value early; the new value would not
        return (UnsafeEdit, "Node's dotenv ends") if "`" in form else (AmbiguousAssignment, "backticks")
    return None


def assert_rotates_or_is_refused(content: bytes, offset: int, form: str) -> None:
    assert_lookup_agrees(content, [VAR])
    if refusal := expected_refusal(content, offset, form):
        error, message = refusal
        with pytest.raises(error, match=message):
            replace_value(content, VAR, new_key())
    else:
        assert_rotates(content)


def test_the_corpus_has_at_least_60_forms() -> None:
    statements = [b for path in FIXTURES for b in parse_stream(io.StringIO(path.read_text("utf-8")))
                  if b.key is not None or b.error]
    assert len(FIXTURES) >= 15 and len(statements) >= 160
    assert not any(re.search(rb"myssl_k_[a-z0-9]{40}", path.read_bytes()) for path in FIXTURES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_lookup_agrees_with_python_dotenv_on_every_corpus_variable(fixture: Path) -> None:
    content = fixture.read_bytes()
    assert dotenv_read(content), "the fixture should define variables"
    assert_lookup_agrees(content, [VAR])


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_a_corpus_file_without_the_variable_gets_it_appended(fixture: Path) -> None:
    content = fixture.read_bytes()
    assert VAR not in dotenv_read(content)
    assert_rotates(content)


@pytest.mark.parametrize("form", FORMS, ids=str)
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_the_variable_in_every_form_at_every_position_of_the_corpus(fixture: Path, form: str) -> None:
    for offset, content in variants(fixture.read_bytes(), FORMS[form]):
        assert_rotates_or_is_refused(content, offset, FORMS[form])


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"], ids=["crlf", "cr"])
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda path: path.name)
def test_the_corpus_with_other_line_endings_and_a_bom(fixture: Path, ending: bytes) -> None:
    converted = BOM + re.sub(rb"\r\n|\r|\n", ending, fixture.read_bytes().removeprefix(BOM))
    assert_lookup_agrees(converted, [VAR])
    assert_rotates(converted)
    for form in ("plain", "inline comment", "multi-line double quoted", "single-quoted name"):
        boundaries = list(variants(converted, FORMS[form]))
        for offset, content in (boundaries[0], boundaries[-1]):
            assert_rotates_or_is_refused(content, offset, FORMS[form])


def test_duplicates_in_the_corpus_are_all_replaced() -> None:
    content = (CORPUS / "godotenv.env").read_bytes()
    twice = f"{VAR}=first\n".encode() + content + f"export {VAR}='second' # last wins\n".encode()
    assert lookup(twice, VAR).value == "second"
    after = assert_rotates(twice)
    assert len(lookup(after, VAR).assignments) == 2


# --- each form the issue names ------------------------------------------------------------


def test_bom_before_the_variable_on_line_1() -> None:
    content = BOM + f"{VAR}={OLD}\nOTHER=1\n".encode()
    found = lookup(content, VAR)
    assert (found.value, found.lines) == (OLD, (1,))
    key = new_key()
    assert replace_value(content, VAR, key) == BOM + f"{VAR}={key}\nOTHER=1\n".encode()
    assert_rotates(content)


def test_cr_only_line_endings() -> None:
    content = f"A=1\r{VAR}={OLD}\rB='x'\r".encode()
    assert lookup(content, VAR).lines == (2,)
    key = new_key()
    assert replace_value(content, VAR, key) == f"A=1\r{VAR}={key}\rB='x'\r".encode()
    assert replace_value(b"A=1\rB=2", VAR, key) == f"A=1\rB=2\r{VAR}={key}\r".encode()
    assert_rotates(content)


def test_crlf_line_endings() -> None:
    content = f"A=1\r\n{VAR}={OLD}\r\nB=2\r\n".encode()
    key = new_key()
    assert replace_value(content, VAR, key) == f"A=1\r\n{VAR}={key}\r\nB=2\r\n".encode()
    assert replace_value(b"A=1\r\nB=2", VAR, key) == f"A=1\r\nB=2\r\n{VAR}={key}\r\n".encode()
    assert_rotates(content)


def test_an_assignment_inside_another_variables_multi_line_value_is_left_alone() -> None:
    content = f'CERT="-----BEGIN-----\n{VAR}=inside\n-----END-----"\n{VAR}={OLD}\n'.encode()
    found = lookup(content, VAR)
    assert (found.value, found.lines) == (OLD, (4,))
    key = new_key()
    after = replace_value(content, VAR, key)
    assert after == f'CERT="-----BEGIN-----\n{VAR}=inside\n-----END-----"\n{VAR}={key}\n'.encode()
    assert dotenv_read(after)["CERT"] == f"-----BEGIN-----\n{VAR}=inside\n-----END-----"
    # absent but for the line inside the value: appended, the value untouched
    inside_only = f"NOTES='todo:\n{VAR}=inside'\n".encode()
    assert not lookup(inside_only, VAR).present
    assert replace_value(inside_only, VAR, key) == inside_only + f"{VAR}={key}\n".encode()


def test_single_quoted_name() -> None:
    content = f"'{VAR}'={OLD}\n".encode()
    assert lookup(content, VAR).value == OLD == dotenv_read(content)[VAR]
    key = new_key()
    assert replace_value(content, VAR, key) == f"'{VAR}'={key}\n".encode()
    assert_rotates(content)


def test_double_quoted_name_is_another_variable_for_python_dotenv_and_is_refused() -> None:
    content = f'A=1\n"{VAR}"={OLD}\n'.encode()
    assert dotenv_read(content) == {"A": "1", f'"{VAR}"': OLD}  # the quotes are part of the name
    found = lookup(content, VAR)
    assert not found.present and isinstance(found.problem, AmbiguousAssignment)
    assert lookup(content, f'"{VAR}"').value == OLD
    with pytest.raises(AmbiguousAssignment, match="Line 2 has double quotes around the name") as raised:
        replace_value(content, VAR, new_key())
    assert raised.value.line == 2 and OLD not in str(raised.value)


def test_empty_value_and_a_comment() -> None:
    content = f"{VAR}= # set me\n".encode()
    assert lookup(content, VAR).value == "" == dotenv_read(content)[VAR]
    key = new_key()
    assert replace_value(content, VAR, key) == f"{VAR}= {key} # set me\n".encode()
    assert_rotates(content)
    assert replace_value(f"{VAR}=\n".encode(), VAR, key) == f"{VAR}={key}\n".encode()


def test_value_of_several_words() -> None:
    content = f"{VAR}=your key here\nB=2\n".encode()
    assert lookup(content, VAR).value == "your key here"
    key = new_key()
    assert replace_value(content, VAR, key) == f"{VAR}={key}\nB=2\n".encode()
    assert_rotates(content)


def test_hash_inside_a_value_is_not_a_comment() -> None:
    content = f"{VAR}=changeme#1\n".encode()
    assert lookup(content, VAR).value == "changeme#1" == dotenv_read(content)[VAR]
    key = new_key()
    assert replace_value(content, VAR, key) == f"{VAR}={key}\n".encode()
    assert_rotates(content)


def test_multi_line_double_quoted_value() -> None:
    content = f'{VAR}="first\nsecond"\nB=2\n'.encode()
    assert lookup(content, VAR).value == "first\nsecond"
    key = new_key()
    assert replace_value(content, VAR, key) == f'{VAR}="{key}"\nB=2\n'.encode()
    assert_rotates(content)


def test_escaped_quote_in_a_double_quoted_value() -> None:
    content = f'{VAR}="a\\"b" # note\nB=2\n'.encode()
    assert lookup(content, VAR).value == 'a"b'
    key = new_key()
    assert replace_value(content, VAR, key) == f'{VAR}="{key}" # note\nB=2\n'.encode()
    assert_rotates(content)


def test_export_spacing_quotes_and_comment_are_kept() -> None:
    content = f"  export  {VAR} \t=\t '{OLD}'  # note\r\nB=2\r\n".encode()
    key = new_key()
    assert replace_value(content, VAR, key) == f"  export  {VAR} \t=\t '{key}'  # note\r\nB=2\r\n".encode()
    assert_rotates(content)


def test_duplicates_are_all_replaced_and_the_last_one_counts() -> None:
    content = f"{VAR}=first\nA=1\nexport {VAR}=\"second\"\n".encode()
    found = lookup(content, VAR)
    assert (found.value, found.lines) == ("second", (1, 3))
    key = new_key()
    assert replace_value(content, VAR, key) == f"{VAR}={key}\nA=1\nexport {VAR}=\"{key}\"\n".encode()


@pytest.mark.parametrize("value", ["${OTHER}", "$OTHER", "${OTHER:-fallback}"])
def test_a_reference_to_another_variable_points_there(value: str) -> None:
    content = f"OTHER={OLD}\n{VAR}={value}\n".encode()
    found = lookup(content, VAR)
    assert found.value == value and found.reference == "OTHER"
    with pytest.raises(ReferenceAssignment, match="the key lives in OTHER") as raised:
        replace_value(content, VAR, new_key())
    assert raised.value.reference == "OTHER" and raised.value.line == 2
    after = assert_rotates(content, "OTHER")  # what the app offers instead
    assert lookup(after, VAR).value == value


def test_a_literal_that_only_contains_a_reference_is_a_value() -> None:
    content = f"{VAR}=prefix_${{OTHER}}\n".encode()
    assert lookup(content, VAR).reference is None
    assert_rotates(content)


# --- appending -----------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "expected"), [
    (b"", b"{var}={key}\n"),
    (BOM, BOM + b"{var}={key}\n"),
    (b"A=1", b"A=1\n{var}={key}\n"),
    (b"A=1\n", b"A=1\n{var}={key}\n"),
    (b"A=1\r\nB=2", b"A=1\r\nB=2\r\n{var}={key}\r\n"),
    (b"A=1\rB=2\r", b"A=1\rB=2\r{var}={key}\r"),
    (b"# only a comment", b"# only a comment\n{var}={key}\n"),
], ids=["empty", "bom only", "no final newline", "newline", "crlf", "cr", "comment"])
def test_appending_to_a_file_without_the_variable(content: bytes, expected: bytes) -> None:
    key = new_key()
    after = replace_value(content, VAR, key)
    assert after == expected.replace(b"{var}", VAR.encode()).replace(b"{key}", key.encode())
    assert_rotates(content)


# --- remove_assignment ----------------------------------------------------------------------


def test_remove_assignment_undoes_an_append_and_touches_nothing_else() -> None:
    content = b"A=1\n# keep me\nB='x\ny'"
    appended = replace_value(content, VAR, new_key())
    assert remove_assignment(appended, VAR) == content + b"\n"


def test_remove_assignment_removes_every_line_of_each_assignment() -> None:
    content = f'A=1\n  export {VAR}="multi\nline" # c\nB=2\n{VAR}\n\nC=3'.encode()
    assert remove_assignment(content, VAR) == b"A=1\nB=2\n\nC=3"


def test_remove_assignment_leaves_lines_inside_other_values() -> None:
    content = f'CERT="x\n{VAR}=inside\n"\n{VAR}={OLD}\n'.encode()
    assert remove_assignment(content, VAR) == f'CERT="x\n{VAR}=inside\n"\n'.encode()


def test_remove_assignment_of_an_absent_variable_changes_nothing() -> None:
    assert remove_assignment(b"A=1\r\nB=2", VAR) == b"A=1\r\nB=2"


# --- restoring an old value -----------------------------------------------------------------


@pytest.mark.parametrize("form", [f for f in FORMS if f != "inside another value"], ids=str)
def test_restoring_the_old_value_gives_back_the_same_bytes(form: str) -> None:
    content = ("A=1\n" + FORMS[form].format(nl="\n") + "\nB=2\n").encode()
    found = lookup(content, VAR)
    rotated = replace_value(content, VAR, new_key())
    assert replace_value(rotated, VAR, found.value) == content


@pytest.mark.parametrize("value", ["a\\b", "ends with \\", "C:\\Users\\x", "\\n stays", "it's", 'say "hi"',
                                   "#x", "", " padded ", "two\nlines", "${OTHER}"])
@pytest.mark.parametrize("form", ["plain", "double quoted", "single quoted", "empty and a comment", "name only"])
def test_an_old_value_with_quotes_backslashes_or_newlines_reads_back(form: str, value: str) -> None:
    content = ("A='x\\\\y'\n" + FORMS[form] + "\nB=\"y\\\\z\"\n").encode()  # A='x\\y' B="y\\z"
    assert dotenv_read(content) | {VAR: None} == {"A": "x\\y", VAR: None, "B": "y\\z"}
    after = replace_value(content, VAR, value)
    read = dotenv_read(after)
    assert read[VAR] == value and others(read) == others(dotenv_read(content))


def test_restoring_a_value_the_old_quoting_cannot_hold_switches_quotes() -> None:
    content = f"{VAR}={OLD}\n".encode()
    after = replace_value(content, VAR, "it's # not a comment ")
    assert dotenv_read(after)[VAR] == "it's # not a comment "
    assert after == f"{VAR}=\"it's # not a comment \"\n".encode()


# --- what is refused, and how ---------------------------------------------------------------


@pytest.mark.parametrize(("content", "error", "line"), [
    (f"A=1\n{VAR}: {OLD}\n", UnreadableAssignment, 2),
    (f"{VAR}='{OLD}' trailing words\n", UnreadableAssignment, 1),
    (f'A=1\n\n{VAR}="{OLD}\n', UnreadableAssignment, 3),
    (f"export {VAR}:{OLD}\n", AmbiguousAssignment, 1),
    (f'"{VAR}"={OLD}\n', AmbiguousAssignment, 1),
    (f"A=`one\n{VAR}={OLD}\ntwo`\n", AmbiguousAssignment, 2),
    (f"{VAR}=`{OLD}\nsecond line`\n", AmbiguousAssignment, 1),
    (f"{VAR}=${{OTHER}}\n", ReferenceAssignment, 1),
], ids=["yaml colon", "words after quotes", "unclosed quote", "colon glued", "double-quoted name",
        "inside node backticks", "multi-line backticks", "reference"])
def test_refused_forms_name_the_line_and_never_the_value(content: str, error: type[EnvEditError],
                                                         line: int) -> None:
    data = content.encode()
    found = lookup(data, VAR)
    assert isinstance(found.problem, error) and found.problem.line == line
    with pytest.raises(error, match=f"Line {line} ") as raised:
        replace_value(data, VAR, new_key())
    assert isinstance(raised.value, ValueError) and raised.value.variable == VAR
    assert OLD not in str(raised.value)
    assert isinstance(raised.value, AppError)  # so the app shows this message, not "something unexpected"
    assert describe(raised.value, "update the .env file") == f"Could not update the .env file. {raised.value}"
    if error is not ReferenceAssignment:
        with pytest.raises(error):
            remove_assignment(data, VAR)


def test_a_value_node_reads_on_past_its_closing_quote_is_refused() -> None:
    # `'\\'` ends at its second quote for python-dotenv; Node's dotenv may take that quote as
    # escaped and end the value at the next quote that ends a line: `'#` on line 3.
    content = f"A='\\\\'\n{VAR}={OLD}\nB='#'\n".encode()
    assert dotenv_read(content) == {"A": "\\", VAR: OLD, "B": "#"}
    with pytest.raises(AmbiguousAssignment, match="Line 2 sets .* single quotes that starts on line 1"):
        replace_value(content, VAR, new_key())


def test_an_edit_that_would_change_where_node_ends_another_value_is_refused() -> None:
    # Today the backtick of `old` ends Node's reading of MULTI on line 1; the new key has none.
    content = f"MULTI=`a\n{VAR}=`{OLD}`\nb`\n".encode()
    assert lookup(content, VAR).problem is None
    with pytest.raises(UnsafeEdit, match="where Node's dotenv ends the quoted value of MULTI"):
        replace_value(content, VAR, new_key())


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_utf16_and_utf32_content_is_refused(encoding: str) -> None:
    content = f"{VAR}={OLD}\n".encode(encoding)
    assert isinstance(lookup(content, VAR).problem, UnsupportedEncoding)
    with pytest.raises(UnsupportedEncoding, match="UTF-8"):
        replace_value(content, VAR, new_key())


def test_an_edit_that_would_change_another_line_is_refused() -> None:
    # `A="` never closes; a value with a quote in it would close it and swallow lines.
    content = f'A="open\n{VAR}={OLD}\nB=2\n'.encode()
    with pytest.raises(UnsafeEdit, match="other lines"):
        replace_value(content, VAR, 'say "hi"')
    # Removing line 1 would turn the U+FEFF that starts line 2 into a byte-order mark.
    with pytest.raises(UnsafeEdit):
        remove_assignment(f"{VAR}={OLD}\n\ufeffB=2\n".encode(), VAR)


def test_bytes_that_are_not_utf8_elsewhere_are_kept() -> None:
    content = f"# caf\xe9 in latin-1\n{VAR}={OLD}\n".encode("latin-1")
    key = new_key()
    assert replace_value(content, VAR, key) == f"# caf\xe9 in latin-1\n{VAR}={key}\n".encode("latin-1")


def test_a_name_only_declaration_gets_a_value() -> None:
    key = new_key()
    assert replace_value(f"export {VAR} # c\n".encode(), VAR, key) == f"export {VAR}={key} # c\n".encode()
    # `=key#c` would read as "key#c": quoted instead
    assert replace_value(f"{VAR}#c\n".encode(), VAR, key) == f'{VAR}="{key}"#c\n'.encode()


def test_the_variable_name_must_be_portable() -> None:
    with pytest.raises(ValueError, match="not a variable name"):
        replace_value(b"", "MY KEY", "x")


def test_lookup_never_shows_values_in_its_repr() -> None:
    key = new_key()
    assert key not in repr(lookup(f"{VAR}={key}\n".encode(), VAR))


# --- generated files ------------------------------------------------------------------------

NAMES = ["A", "B_2", "db.host", "x-y", "PORT", "export_a", f"{VAR}_OLD", "OTHER", "'quoted'"]
UNQUOTED = st.text(st.sampled_from(list("abcXYZ019 _-.:/@$#{}\\\u00a0é\t")), max_size=12)
QUOTED = st.text(st.sampled_from(list("ab #'\"\\\n\t$é=")), max_size=12)


def quoted(value: str, quote: str, ending: str) -> str:
    if value.endswith("\\"):  # `"…\\"`: Node's dotenv may read past that quote (tested on its own)
        value += "."
    escaped = value.replace("\\", "\\\\").replace(quote, "\\" + quote).replace("\n", ending)
    return quote + escaped + quote


@st.composite
def neighbour(draw: st.DrawFn, ending: str) -> str:
    kind = draw(st.sampled_from(["unquoted", "single", "double", "empty", "name only", "comment", "blank",
                                 "hides the variable"]))
    indent = draw(st.sampled_from(["", " ", "\t"]))
    if kind == "blank":
        return indent
    if kind == "comment":
        return indent + "#" + draw(UNQUOTED)
    name = draw(st.sampled_from(NAMES))
    start = indent + draw(st.sampled_from(["", "export ", "export\t"])) + name
    comment = draw(st.sampled_from(["", " # note", "\t#x", " #"]))
    if kind == "name only":
        return start + comment
    value = {
        "unquoted": lambda: draw(UNQUOTED),
        "single": lambda: quoted(draw(QUOTED), "'", ending),
        "double": lambda: quoted(draw(QUOTED), '"', ending),
        "empty": lambda: "",
        "hides the variable": lambda: quoted(f"x\n{VAR}={draw(UNQUOTED)}\ny", draw(st.sampled_from("'\"")), ending),
    }[kind]()
    return start + draw(st.sampled_from(["=", " = ", "\t=", "= "])) + value + comment


@st.composite
def env_files(draw: st.DrawFn) -> bytes:
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    lines = draw(st.lists(neighbour(ending), max_size=8))
    for _ in range(draw(st.integers(0, 3))):
        form = draw(st.sampled_from([f for f in FORMS if f != "backticks"]))
        lines.insert(draw(st.integers(0, len(lines))), FORMS[form].format(nl=ending))
    text = ending.join(lines) + draw(st.sampled_from([ending, ""]))
    return (BOM if draw(st.booleans()) else b"") + text.encode("utf-8")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(env_files())
def test_generated_files_rotate_as_python_dotenv_reads_them(content: bytes) -> None:
    assert_lookup_agrees(content, [VAR])
    assert_rotates(content)


ANY_VALUE = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=16)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(env_files(), ANY_VALUE)
def test_any_value_is_written_so_that_python_dotenv_reads_it_back(content: bytes, value: str) -> None:
    """Restoring an old value may write anything a file held: quotes, backslashes, newlines."""
    after = replace_value(content, VAR, value)
    read = dotenv_read(after)
    assert read[VAR] == value and others(read) == others(dotenv_read(content))
