"""What counts as a secret, and what a found secret keeps (never the secret)."""

from __future__ import annotations

import hashlib
import re
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from myssl_desktop.scan import pattern
from myssl_desktop.scan.pattern import ScanBuffer, find_secrets
from tests.support import random_secret


def _buffer_with(data: bytes) -> tuple[ScanBuffer, int]:
    buffer = ScanBuffer(len(data) + 16)
    buffer.data[:len(data)] = data
    return buffer, len(data)


def test_a_found_secret_keeps_prefix_line_and_hash_only() -> None:
    first, second = random_secret(), random_secret()
    text = f"# settings\nAPI_KEY={first}\n\nother = '{second}'  # {second}\n".encode()
    found = find_secrets(text)
    assert [(f.prefix, f.line) for f in found] == [(first[:12], 2), (second[:12], 4), (second[:12], 4)]
    assert found[0].sha256 == hashlib.sha256(first.encode()).hexdigest()
    assert all(s not in repr(found) for s in (first, second))


@pytest.mark.parametrize("shape, counts", [
    ("{key}", True),
    ("'{key}'", True),
    ("x{key}.", True),  # a secret glued to text before it is still a secret
    ("{key}\r\n", True),
    ("{key}A", False),  # followed by a letter: a longer token, not a key
    ("{key}7", False),
    ("{short}", False),  # 39 characters
    ("{upper}", False),  # upper case inside
    ("myssl_k_…", False),
    ("MYSSL_K_{tail}", False),
])
def test_the_secret_shape(shape: str, counts: bool) -> None:
    key = random_secret()
    text = shape.format(key=key, short=key[:-1], upper=key[:-1] + "Q", tail=key[8:]).encode()
    assert bool(find_secrets(text)) is counts


def test_binary_content_is_skipped_but_a_late_nul_is_not_binary() -> None:
    key = random_secret().encode()
    assert find_secrets(b"\x00\x01" + key) == []
    assert find_secrets(b"a" * pattern.BINARY_CHECK_BYTES + b"\x00" + key)[0].line == 1


def test_the_buffer_searches_only_the_length_given() -> None:
    key = random_secret().encode()
    buffer, length = _buffer_with(b"clean text\n" + key)
    assert buffer.secrets(length)[0].line == 2
    assert buffer.secrets(10) == []  # what is left of an earlier, longer file is not read


def test_memmem_and_the_pure_python_search_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    key = random_secret()
    data = f"a\nb {key}\n".encode()
    buffer, length = _buffer_with(data)
    with_memmem = buffer.secrets(length)
    monkeypatch.setattr(buffer, "_memmem", None)
    assert buffer.secrets(length) == with_memmem
    assert buffer.has_needle(length) and not buffer.has_needle(3)


SECRET_TEXT = re.compile(r"myssl_k_[a-z0-9]{40}(?![A-Za-z0-9])")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.text(alphabet=string.printable, max_size=60),
                          st.just("myssl_k_"), st.builds(random_secret)), max_size=12))
def test_every_secret_is_found_at_its_line(parts: list[str]) -> None:
    """Against a plain reading of the rule, on text made of random pieces and keys."""
    text = "".join(parts)
    expected = [(m.group()[:12], text.count("\n", 0, m.start()) + 1) for m in SECRET_TEXT.finditer(text)]
    buffer, length = _buffer_with(text.encode())
    assert [(f.prefix, f.line) for f in buffer.secrets(length)] == expected
