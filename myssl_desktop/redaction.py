"""Key-shaped text cut down to what may be shown: the 12-character prefix.

The bottom of the app: logs, error messages and the CLI pass text through `redact` so that
a key that slipped into a message prints as `myssl_k_ab12…`, never whole.
"""

from __future__ import annotations

import re

KEY_PREFIX = "myssl_k_"
PREFIX_LENGTH = 12  # "myssl_k_" + 4 characters: enough to recognise a key, never to use it

# Anything shaped like a key, also embedded in longer text (logs, messages, URLs).
_KEY_IN_TEXT = re.compile(r"myssl_k_[A-Za-z0-9]+")
_CUT = "…"


def key_prefix(text: str) -> str:
    """The first 12 characters, as MySSL shows them."""
    return text[:PREFIX_LENGTH]


def redact(text: str) -> str:
    """Cut every key-shaped string in `text` down to its 12-character prefix (idempotent)."""
    def cut(match: re.Match[str]) -> str:
        found = match.group(0)
        if len(found) <= PREFIX_LENGTH and text.startswith(_CUT, match.end()):
            return found  # cut already: redacting twice (a message, then the log) changes nothing
        return key_prefix(found) + _CUT

    return _KEY_IN_TEXT.sub(cut, text)
