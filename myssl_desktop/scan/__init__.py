"""Discovery: where do `myssl_k_` secrets live? (no Qt)

    report = scan([folder], history=True, on_progress=..., cancel=event)  # on a worker thread
    matches = match_keys(report.hits, [(key.id, key.prefix) for key in keys])

A hit keeps the secret's prefix, a SHA-256 of it, the path, the line and, for history
hits, the commit and whether it was pushed: never the secret.
"""

from .keys import KeyMatches, match_keys
from .model import Hit, ScanCancelled, ScanError, ScanProgress, ScanReport
from .scanner import DEFAULT_MAX_FILE_SIZE, scan

__all__ = ["DEFAULT_MAX_FILE_SIZE", "Hit", "KeyMatches", "ScanCancelled", "ScanError", "ScanProgress", "ScanReport",
           "match_keys", "scan"]
