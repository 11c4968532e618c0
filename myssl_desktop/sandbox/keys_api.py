"""The key-management endpoints (Part 2 of the contract). Each returns a Response or
raises ApiError; authentication, counting, rate limiting and the endpoint permission
have been dealt with before these run."""

from __future__ import annotations

from typing import Any

from . import params
from .context import Context, key_json
from .ratelimit import MAX_ACTIVE_KEYS
from .responses import Response, access_denied, invalid_request, json_response, key_limit_reached
from .store import KEY_STATUSES, ClientRow, KeyRow
from .timeutil import iso

UPDATABLE_FIELDS = ("name", "expires_at")


def current(ctx: Context) -> Response:
    # Re-read: this request has already been counted, and the answer shows it.
    key = ctx.store.get_key(ctx.caller.id)
    assert key is not None
    return json_response(200, {"api_key": key_json(key), "account": ctx.account.as_json()})


def _listed(ctx: Context) -> tuple[list[KeyRow], dict[str, Any]]:
    """The list query shared by the list and the batch usage endpoints."""
    page = params.page_request(ctx.query)
    status = params.choice_param(ctx.query, "status", KEY_STATUSES)
    search = params.first(ctx.query, "search")
    keys, total = ctx.store.list_keys(status=status, search=search, limit=page.per_page,
                                      offset=page.offset)
    return keys, params.pagination(page, total)


def list_keys(ctx: Context) -> Response:
    keys, pagination = _listed(ctx)
    return json_response(200, {"api_keys": [key_json(k) for k in keys], "pagination": pagination})


def get_key(ctx: Context) -> Response:
    return json_response(200, {"api_key": key_json(ctx.key_from_path())})


def _usage_json(key_id: int, days: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "api_key_id": key_id,
        "days": [{"date": day, "requests": requests} for day, requests in days],
        "total": sum(requests for _, requests in days),
    }


def key_usage(ctx: Context) -> Response:
    key = ctx.key_from_path()  # 404 comes before 400
    days = params.days_param(ctx.query)
    usage = ctx.store.usage([key.id], days)
    return json_response(200, {"usage": _usage_json(key.id, usage[key.id])})


def usage_list(ctx: Context) -> Response:
    days = params.days_param(ctx.query)
    keys, pagination = _listed(ctx)
    usage = ctx.store.usage([k.id for k in keys], days)
    return json_response(200, {"usage": [_usage_json(k.id, usage[k.id]) for k in keys],
                               "pagination": pagination})


def _client_json(client: ClientRow) -> dict[str, Any]:
    return {"address": client.address, "user_agent": client.user_agent,
            "first_seen": iso(client.first_seen), "last_seen": iso(client.last_seen),
            "requests": client.requests}


def key_clients(ctx: Context) -> Response:
    """v1.1: who used the key in the last `hours` (a revoked key's clients stay readable)."""
    key = ctx.key_from_path()  # 404 comes before 400
    hours = params.hours_param(ctx.query)
    clients = ctx.store.key_clients(key.id, hours)
    return json_response(200, {"clients": [_client_json(c) for c in clients], "hours": hours})


def create_key(ctx: Context) -> Response:
    body = params.json_object(ctx.body)
    if "name" not in body:
        raise invalid_request("Field 'name' is required")
    name = params.key_name(body["name"])
    if "permissions" in body:
        permissions = params.permissions(body["permissions"])
    else:
        permissions = list(ctx.caller.permissions)
    expires_at = None
    if "expires_at" in body and ctx.api_version != "1.0":  # v1.0 ignored the field, as any unknown one
        expires_at = params.future_timestamp(body["expires_at"], ctx.now, nullable=False)
    # A key cannot mint a key stronger than itself.
    if not set(permissions) <= set(ctx.caller.permissions):
        raise access_denied()
    if ctx.store.count_active_keys() >= MAX_ACTIVE_KEYS:
        raise key_limit_reached(MAX_ACTIVE_KEYS)
    key_id, secret = ctx.store.create_key(name, permissions, created_at=ctx.now, expires_at=expires_at)
    key = ctx.store.get_key(key_id)
    assert key is not None
    return json_response(201, {"api_key": key_json(key), "secret": secret})


def update_key(ctx: Context) -> Response:
    key = ctx.key_from_path()
    body = params.json_object(ctx.body)
    unknown = [f for f in body if f not in UPDATABLE_FIELDS]
    if unknown:
        raise invalid_request(f"Unknown field '{unknown[0]}'; only 'name' and 'expires_at' "
                              "can be changed")
    if not body:
        raise invalid_request("The request body needs at least one of 'name' and 'expires_at'")
    changes: dict[str, Any] = {}
    if "name" in body:
        changes["name"] = params.key_name(body["name"])
    if "expires_at" in body:
        value = body["expires_at"]
        changes["expires_at"] = None if value is None else params.future_timestamp(value, ctx.now)
    if key.status == "revoked":
        raise invalid_request("A revoked key cannot be changed")
    ctx.store.update_key(key.id, **changes)
    return json_response(200, {"api_key": key_json(_reread(ctx, key.id))})


def regenerate_key(ctx: Context) -> Response:
    key = ctx.key_from_path()
    if key.status == "revoked":
        raise invalid_request("A revoked key cannot be regenerated")
    secret = ctx.store.replace_secret(key.id)
    return json_response(200, {"api_key": key_json(_reread(ctx, key.id)), "secret": secret})


def revoke_key(ctx: Context) -> Response:
    key = ctx.key_from_path()
    ctx.store.revoke_key(key.id)  # idempotent: a revoked key keeps its revoked_at
    return json_response(200, {"api_key": key_json(_reread(ctx, key.id))})


def _reread(ctx: Context, key_id: int) -> KeyRow:
    key = ctx.store.get_key(key_id)
    assert key is not None
    return key
