"""`redact` cuts keys to their prefix, once: text redacted twice, or a prefix written with its
ellipsis, reads the same."""

from __future__ import annotations

import re
import string

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
