"""Turn response bodies into models. Anything unexpected becomes `BadResponse`, never a
crash: the server may be a proxy answering HTML, a captive portal, or plain garbage."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from .errors import BadResponse
from .models import (
    STATUSES,
    Account,
    ApiKey,
    BillingUsage,
    CreatedKey,
    CurrentKey,
    Domain,
    KeyClient,
    KeyClients,
    Page,
    Pagination,
    Usage,
    UsageDay,
)
from .secret import Secret, is_key_format, redact

T = TypeVar("T")

MAX_BODY_BYTES = 16 * 1024 * 1024  # a page of 100 keys is ~40 KB; anything this big is not MySSL


class _Shape(Exception):
    """Internal: a field has the wrong shape. Becomes BadResponse at the boundary."""


def _quoted(text: str, limit: int = 40) -> str:
    """A value from the server, fit for an error message: short, and never a whole key."""
    return repr(redact(text[:limit]))


def decode_json(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise BadResponse("The server sent an answer far larger than any MySSL response; "
                          "it is probably not the MySSL API.")
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        raise BadResponse(_not_json_message(body)) from None


def _not_json_message(body: bytes) -> str:
    head = body[:200].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html")) or b"<html" in head:
        return ("The server answered with a web page instead of MySSL data. Check the base URL, "
                "or a proxy or captive portal may be in the way.")
    if not body:
        return "The server sent an empty answer. Try again; if it persists, MySSL may be down."
    return "The server's answer was not valid JSON (it may have been cut off). Try again."


def parse_body(body: bytes, build: Callable[[Any], T]) -> T:
    """Decode `body` and build a model from it; every failure is `BadResponse`."""
    return build_model(decode_json(body), build)


def build_model(data: Any, build: Callable[[Any], T]) -> T:
    """Build a model from decoded JSON; every failure is `BadResponse`."""
    try:
        return build(data)
    except (_Shape, KeyError, TypeError, ValueError, AttributeError) as exc:
        detail = redact(str(exc)) if isinstance(exc, _Shape) else "unexpected structure"
        raise BadResponse(f"The server's answer did not have the shape of the MySSL API "
                          f"({detail}). Check the base URL.") from None


# --- field readers -------------------------------------------------------------------

def _obj(data: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(data, Mapping):
        raise _Shape(f"{name} is not an object")
    return data


def _field(obj: Mapping[str, Any], key: str) -> Any:
    if key not in obj:
        raise _Shape(f"missing field {key!r}")
    return obj[key]


def _int(obj: Mapping[str, Any], key: str, *, minimum: int | None = 0) -> int:
    value = _field(obj, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Shape(f"{key!r} is not an integer")
    if minimum is not None and value < minimum:
        raise _Shape(f"{key!r} is negative" if minimum == 0 else f"{key!r} is below {minimum}")
    return value


def _opt_int(obj: Mapping[str, Any], key: str) -> int | None:
    return None if obj.get(key) is None else _int(obj, key, minimum=None)


def _str(obj: Mapping[str, Any], key: str) -> str:
    value = _field(obj, key)
    if not isinstance(value, str):
        raise _Shape(f"{key!r} is not a string")
    return value


def _opt_str(obj: Mapping[str, Any], key: str) -> str | None:
    return None if obj.get(key) is None else _str(obj, key)


def _bool(obj: Mapping[str, Any], key: str) -> bool:
    value = _field(obj, key)
    if not isinstance(value, bool):
        raise _Shape(f"{key!r} is not a boolean")
    return value


def parse_timestamp(text: str) -> datetime:
    """ISO-8601 UTC, with or without `Z` (one MySSL page omits it: treat as UTC)."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise _Shape(f"{_quoted(text)} is not a timestamp") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _time(obj: Mapping[str, Any], key: str) -> datetime:
    return parse_timestamp(_str(obj, key))


def _opt_time(obj: Mapping[str, Any], key: str) -> datetime | None:
    return None if obj.get(key) is None else _time(obj, key)


def _date(obj: Mapping[str, Any], key: str) -> date:
    text = _str(obj, key)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Shape(f"{key!r} is not a date") from None


def _list(obj: Mapping[str, Any], key: str) -> list[Any]:
    value = _field(obj, key)
    if not isinstance(value, list):
        raise _Shape(f"{key!r} is not a list")
    return value


# --- models --------------------------------------------------------------------------

def api_key(data: Any) -> ApiKey:
    obj = _obj(data, "api_key")
    permissions = _list(obj, "permissions")
    if not all(isinstance(p, str) for p in permissions):
        raise _Shape("'permissions' holds a non-string")
    status = _str(obj, "status")
    if status not in STATUSES:
        raise _Shape(f"unknown key status {_quoted(status, 20)}")
    return ApiKey(
        id=_int(obj, "id"),
        name=_str(obj, "name"),
        prefix=_str(obj, "prefix"),
        permissions=tuple(permissions),
        status=status,
        created_at=_time(obj, "created_at"),
        last_used_at=_opt_time(obj, "last_used_at"),
        request_count=_int(obj, "request_count"),
        requests_24h=_int(obj, "requests_24h"),
        expires_at=_opt_time(obj, "expires_at"),
        revoked_at=_opt_time(obj, "revoked_at"),
    )


def account(data: Any) -> Account:
    obj = _obj(data, "account")
    return Account(tier=_str(obj, "tier"), daily_limit=_int(obj, "daily_limit"),
                   minute_limit=_int(obj, "minute_limit"),
                   max_active_keys=_int(obj, "max_active_keys"))


def pagination(data: Any) -> Pagination:
    obj = _obj(data, "pagination")
    return Pagination(page=_int(obj, "page", minimum=1), per_page=_int(obj, "per_page", minimum=1),
                      total=_int(obj, "total"), pages=_int(obj, "pages", minimum=1),
                      has_next=_bool(obj, "has_next"), has_prev=_bool(obj, "has_prev"))


def usage(data: Any) -> Usage:
    obj = _obj(data, "usage")
    days = tuple(UsageDay(date=_date(_obj(d, "day"), "date"), requests=_int(_obj(d, "day"), "requests"))
                 for d in _list(obj, "days"))
    return Usage(api_key_id=_int(obj, "api_key_id"), days=days, total=_int(obj, "total"))


def key_client(data: Any) -> KeyClient:
    obj = _obj(data, "client")
    address = _str(obj, "address")
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise _Shape(f"'address' {address[:40]!r} is not an IP address") from None
    return KeyClient(address=address, user_agent=_str(obj, "user_agent"), first_seen=_time(obj, "first_seen"),
                     last_seen=_time(obj, "last_seen"), requests=_int(obj, "requests", minimum=1))


def domain(data: Any) -> Domain:
    obj = _obj(data, "domain")
    expiry = obj.get("certificate_expiry")
    return Domain(
        id=_int(obj, "id"), hostname=_str(obj, "hostname"), port=_int(obj, "port"),
        ssl_grade=_opt_str(obj, "ssl_grade"), ssl_score=_opt_int(obj, "ssl_score"),
        certificate_expiry=None if expiry is None else _date(obj, "certificate_expiry"),
        days_until_expiry=_opt_int(obj, "days_until_expiry"),
        last_scan=_opt_time(obj, "last_scan"), is_active=_bool(obj, "is_active"),
        monitoring_frequency=_opt_str(obj, "monitoring_frequency"),
        created_at=_time(obj, "created_at"),
    )


def _secret(obj: Mapping[str, Any]) -> Secret:
    text = _str(obj, "secret")
    if not is_key_format(text):
        raise _Shape("'secret' is not a MySSL key")
    return Secret(text)


# --- response envelopes --------------------------------------------------------------

def api_key_envelope(data: Any) -> ApiKey:
    return api_key(_field(_obj(data, "response"), "api_key"))


def created_key_envelope(data: Any) -> CreatedKey:
    obj = _obj(data, "response")
    return CreatedKey(api_key=api_key(_field(obj, "api_key")), secret=_secret(obj))


def current_key_envelope(data: Any) -> CurrentKey:
    obj = _obj(data, "response")
    return CurrentKey(api_key=api_key(_field(obj, "api_key")), account=account(_field(obj, "account")))


def usage_envelope(data: Any) -> Usage:
    return usage(_field(_obj(data, "response"), "usage"))


def key_clients_envelope(data: Any) -> KeyClients:
    obj = _obj(data, "response")
    return KeyClients(hours=_int(obj, "hours", minimum=1),
                      clients=tuple(key_client(c) for c in _list(obj, "clients")))


def _page_of(key: str, item: Callable[[Any], T]) -> Callable[[Any], Page[T]]:
    def build(data: Any) -> Page[T]:
        obj = _obj(data, "response")
        return Page(items=tuple(item(x) for x in _list(obj, key)),
                    pagination=pagination(_field(obj, "pagination")))
    return build


api_key_page = _page_of("api_keys", api_key)
usage_page = _page_of("usage", usage)
domain_page = _page_of("domains", domain)


def billing_envelope(data: Any) -> BillingUsage:
    obj = _obj(data, "response")
    inner = _obj(_field(obj, "data"), "data")
    return BillingUsage(tier=_str(inner, "tier"), raw=dict(inner))


def error_envelope(body: bytes) -> tuple[str, str] | None:
    """(`error`, `message`) of a MySSL error body, or None when it is not one."""
    try:
        data = json.loads(body) if len(body) <= MAX_BODY_BYTES else None
    except (ValueError, RecursionError):
        return None
    if isinstance(data, Mapping) and isinstance(data.get("error"), str):
        message = data.get("message")
        return data["error"], message if isinstance(message, str) else ""
    return None
