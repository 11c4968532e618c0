"""Validation of query strings and JSON bodies. Every failure is a 400 naming the field."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .credentials import PERMISSIONS, canonical_permissions
from .responses import invalid_request
from .timeutil import parse_timestamp

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
DEFAULT_DAYS = 30
MAX_DAYS = 90
DEFAULT_HOURS = 24
MAX_HOURS = 720
NAME_MAX = 100

_INTEGER = re.compile(r"[+-]?[0-9]+")
# SQLite's integers are 64-bit: a page past this offset is empty, whatever its number.
MAX_OFFSET = 2**62
# The white space a name is trimmed of, and that the OpenAPI document's name pattern
# excludes character for character: Python's str.isspace() and ECMAScript's \s together,
# so that the sandbox and every JSON Schema validator (Python or ECMAScript regexes) agree
# on which names are blank.
WHITE_SPACE = ("\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B)))
               + "\u2028\u2029\u202f\u205f\u3000\ufeff")
# The one timestamp form the document allows in requests (ISO-8601 UTC with Z, whole seconds).
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")

Query = Mapping[str, list[str]]


@dataclass(frozen=True)
class PageRequest:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return min((self.page - 1) * self.per_page, MAX_OFFSET)


def first(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def int_param(query: Query, name: str, default: int, minimum: int,
              maximum: int | None = None) -> int:
    raw = first(query, name)
    if raw is None:
        return default
    text = raw.strip()
    try:  # any number of digits: the document sets no upper bound on page or per_page
        value = int(text) if _INTEGER.fullmatch(text) else None
    except ValueError:  # more digits than Python converts (4300)
        value = None
    if value is None:
        raise invalid_request(f"Query parameter '{name}' must be an integer")
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise invalid_request(f"Query parameter '{name}' must be {bounds}")
    return value


def page_request(query: Query) -> PageRequest:
    page = int_param(query, "page", 1, 1)
    # Above the maximum is not an error: the contract says it is treated as 100.
    per_page = min(int_param(query, "per_page", DEFAULT_PER_PAGE, 1), MAX_PER_PAGE)
    return PageRequest(page, per_page)


def pagination(page: PageRequest, total: int) -> dict[str, Any]:
    pages = max(1, math.ceil(total / page.per_page))
    return {
        "page": page.page,
        "per_page": page.per_page,
        "total": total,
        "pages": pages,
        "has_next": page.page < pages,
        "has_prev": page.page > 1,
    }


def choice_param(query: Query, name: str, choices: tuple[str, ...]) -> str | None:
    raw = first(query, name)
    if raw is None:
        return None
    if raw not in choices:  # "" too: it is none of the enum's values
        raise invalid_request(f"Query parameter '{name}' must be one of: {', '.join(choices)}")
    return raw


def days_param(query: Query) -> int:
    return int_param(query, "days", DEFAULT_DAYS, 1, MAX_DAYS)


def hours_param(query: Query) -> int:
    return int_param(query, "hours", DEFAULT_HOURS, 1, MAX_HOURS)


def json_object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise invalid_request("The request body must be a JSON object") from None
    if not isinstance(value, dict):
        raise invalid_request("The request body must be a JSON object")
    return value


def key_name(value: Any) -> str:
    if not isinstance(value, str):
        raise invalid_request("Field 'name' must be a string of 1-100 characters")
    name = value.strip(WHITE_SPACE)
    if not 1 <= len(name) <= NAME_MAX:
        raise invalid_request("Field 'name' must be 1-100 characters after trimming white space")
    return name


def permissions(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise invalid_request("Field 'permissions' must be a non-empty list of permissions")
    if not all(isinstance(p, str) for p in value):
        raise invalid_request("Field 'permissions' must list permission names (strings)")
    if len(set(value)) != len(value):
        raise invalid_request("Field 'permissions' lists a permission twice")
    try:
        return canonical_permissions(value)
    except ValueError:
        unknown = next(p for p in value if p not in PERMISSIONS)
        raise invalid_request(
            f"Field 'permissions' holds an unknown permission {unknown!r}; "
            f"known: {', '.join(PERMISSIONS)}"
        ) from None


def future_timestamp(value: Any, now: float, *, nullable: bool = True) -> int:
    """A timestamp in the request form (`YYYY-MM-DDTHH:MM:SSZ`), after `now`. The message
    offers null where null is allowed (PATCH cancels with it; create has no use for it)."""
    form = ("Field 'expires_at' must be an ISO-8601 UTC timestamp like 2025-01-12T10:30:00Z"
            + (", or null" if nullable else ""))
    if not isinstance(value, str) or not _TIMESTAMP.fullmatch(value):
        raise invalid_request(form)
    try:
        ts = parse_timestamp(value)
    except ValueError:  # the right shape, but no such day or time (2025-02-30T25:00:00Z)
        raise invalid_request(form) from None
    if ts <= now:
        raise invalid_request("Field 'expires_at' must be in the future")
    return ts
