"""Key format checks and the `Secret` wrapper that keeps key material out of reprs."""

from __future__ import annotations

import re

from ..redaction import KEY_PREFIX, PREFIX_LENGTH, key_prefix, redact

_KEY_FORM = re.compile(r"myssl_k_[A-Za-z0-9]+")


def is_key_format(text: str) -> bool:
    """True when `text` has the documented form `myssl_k_` + letters and digits."""
    return _KEY_FORM.fullmatch(text) is not None


__all__ = ["KEY_PREFIX", "PREFIX_LENGTH", "Secret", "is_key_format", "key_prefix", "redact"]


class Secret:
    """A MySSL key secret. Its repr and str show only the prefix; `reveal()` gives the text.

    Passing secrets around wrapped means an f-string, a log line or a traceback that
    happens to include one prints `myssl_k_ab12…`, never the key itself.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def prefix(self) -> str:
        return key_prefix(self._value)

    def is_well_formed(self) -> bool:
        return is_key_format(self._value)

    def __repr__(self) -> str:
        return f"Secret({self.prefix}…)"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:  # never pickled into caches or journals by accident
        raise TypeError("Secret values cannot be pickled")
