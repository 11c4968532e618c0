"""The MySSL API: client, models and errors. Imports no Qt.

Names are loaded on first use (PEP 562), so code that needs only the models or errors
does not pay for importing httpx: the main window paints before the network stack loads.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    ".client": ("UNSET", "MysslClient", "format_timestamp", "parse_rate_limit"),
    ".errors": ("AccessDenied", "AnswerTooSlow", "ApiError", "AuthenticationRequired", "BadResponse",
                "ClientsNotReported", "InsecureUrl", "InvalidApiKey", "InvalidRequest", "KeyLimitReached",
                "MalformedKey", "NetworkError", "NotFound", "RateLimited", "SecretUnreadable", "ServerError",
                "TlsError"),
    ".models": ("DEFAULT_BASE_URL", "PERMISSIONS", "STATUSES", "TIERS", "Account", "ApiKey",
                "BillingUsage", "CreatedKey", "CurrentKey", "Domain", "KeyClient", "KeyClients", "Page",
                "Pagination", "RateLimit", "Usage", "UsageDay"),
    ".retry": ("NO_RETRY", "RetryPolicy"),
    ".secret": ("Secret", "is_key_format", "key_prefix", "redact"),
    ".transport": ("DEADLINE", "ConnectionPool", "normalise_base_url", "shared_pool"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
