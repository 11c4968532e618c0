"""Discovery: where do `myssl_k_` secrets live? (no Qt)

    report = scan([folder], history=True, on_progress=..., cancel=event)  # on a worker thread
    matches = match_keys(report.hits, [(key.id, key.prefix) for key in keys])

A hit keeps the secret's prefix, a SHA-256 of it, the path, the line and, for history
hits, the commit and whether it was pushed: never the secret.
"""

from typing import TYPE_CHECKING, Any

from .keys import KeyMatches, match_keys
from .model import Hit, ScanCancelled, ScanError, ScanProgress, ScanReport

if TYPE_CHECKING:
    from .scanner import DEFAULT_MAX_FILE_SIZE, scan


def __getattr__(name: str) -> Any:
    """The scanner (git plumbing, ctypes) loads on first use: the app imports this package for
    its findings at start-up, and scans later, if ever."""
    if name in ("scan", "DEFAULT_MAX_FILE_SIZE"):
        from . import scanner

        return getattr(scanner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["DEFAULT_MAX_FILE_SIZE", "Hit", "KeyMatches", "ScanCancelled", "ScanError", "ScanProgress", "ScanReport",
           "match_keys", "scan"]
