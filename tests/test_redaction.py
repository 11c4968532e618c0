"""`redact` cuts keys to their prefix, once: text redacted twice, or a prefix written with its
ellipsis, reads the same. And every app error is redacted as it is made."""

from __future__ import annotations

import re
import string
import traceback

from hypothesis import given
from hypothesis import strategies as st

from myssl_desktop.errors import AppError, describe
from myssl_desktop.redaction import redact
from tests.support import random_secret

BEYOND_PREFIX = re.compile(r"myssl_k_[A-Za-z0-9]{5,}")
pieces = st.lists(st.one_of(
    st.text(max_size=10),
    st.builds(lambda body: "myssl_k_" + body, st.text(alphabet=string.ascii_letters + string.digits, max_size=50)),
    st.just("…")), max_size=8)


@given(parts=pieces)
def test_redaction_leaves_no_more_than_a_prefix_and_is_idempotent(parts: list[str]) -> None:
    once = redact("".join(parts))
    assert BEYOND_PREFIX.search(once) is None
    assert redact(once) == once


def test_a_prefix_keeps_its_one_ellipsis() -> None:
    secret = random_secret()
    assert redact(f"key {secret}.") == f"key {secret[:12]}…."
    assert redact(f"“Bot” ({secret[:12]}…) and {secret[:10]}") == f"“Bot” ({secret[:12]}…) and {secret[:10]}"
    assert describe(AppError(f"Created ({secret[:12]}…).")) == f"Created ({secret[:12]}…)."


class Named(AppError):
    def __init__(self, message: str, name: str) -> None:
        super().__init__(message)
        self.name = name


def test_an_app_error_is_redacted_as_it_is_made() -> None:
    secret = random_secret()
    for error in (AppError(f"The key {secret} failed."), Named(f"“{secret}” is gone.", "x"),
                  AppError(f"a {secret}", 42)):
        shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
        assert secret not in shown and secret[:12] + "…" in str(error)
    assert AppError("plain", 42).args == ("plain", 42)


def test_a_key_is_cut_to_its_prefix_wherever_it_is() -> None:
    secret = random_secret()
    assert redact(f"key={secret}&x") == f"key={secret[:12]}…&x"
    assert redact(f"{secret} {secret}") == f"{secret[:12]}… {secret[:12]}…"
    assert redact(secret[:13]) == f"{secret[:12]}…"  # one character more than a prefix is cut too


def test_a_prefix_already_shown_in_parentheses_keeps_its_one_ellipsis() -> None:
    prefix = random_secret()[:12]
    assert redact(f"“Old laptop” (id 3, {prefix}…)") == f"“Old laptop” (id 3, {prefix}…)"
    assert redact(prefix) == prefix
    assert redact(redact(random_secret())).count("…") == 1
