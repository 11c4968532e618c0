"""redact(): what may be shown of a key in messages, logs and the CLI's standard error."""

from __future__ import annotations

from myssl_desktop.redaction import redact
from tests.support import random_secret


def test_a_key_is_cut_to_its_prefix_wherever_it_is() -> None:
    secret = random_secret()
    assert redact(f"key={secret}&x") == f"key={secret[:12]}…&x"
    assert redact(f"{secret} {secret}") == f"{secret[:12]}… {secret[:12]}…"
    assert redact(secret[:13]) == f"{secret[:12]}…"  # one character more than a prefix is cut too


def test_a_prefix_already_shown_keeps_its_one_ellipsis() -> None:
    prefix = random_secret()[:12]
    assert redact(f"“Old laptop” (id 3, {prefix}…)") == f"“Old laptop” (id 3, {prefix}…)"
    assert redact(prefix) == prefix
    assert redact(redact(random_secret())).count("…") == 1
