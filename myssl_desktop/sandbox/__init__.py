"""A local MySSL API for development, tests and benchmarks (stdlib only, no Qt).

    from myssl_desktop.sandbox import Sandbox
    with Sandbox(tier="pro", seed="demo") as sb:
        ...  # sb.base_url, sb.admin_key, sb.store

Command line: ``python -m myssl_desktop.sandbox --help``.
"""

from __future__ import annotations

from .credentials import PERMISSIONS
from .faults import FAULT_KINDS
from .ratelimit import MAX_ACTIVE_KEYS, TIERS, TierLimits
from .sandbox import ADMIN_KEY_NAME, Sandbox
from .store import KeyRow, Store

__all__ = [
    "ADMIN_KEY_NAME",
    "FAULT_KINDS",
    "MAX_ACTIVE_KEYS",
    "PERMISSIONS",
    "TIERS",
    "KeyRow",
    "Sandbox",
    "Store",
    "TierLimits",
]
