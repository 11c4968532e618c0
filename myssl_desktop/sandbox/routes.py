"""The route table: path pattern -> method -> (permission needed, endpoint)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from . import account_api, keys_api
from .context import Context
from .responses import Response

API_ROOT = "/api/v1"
VERSIONS = ("1.0", "1.1")  # of the key-management contract
LATEST_VERSION = VERSIONS[-1]

Endpoint = Callable[[Context], Response]

# Ids are ASCII digits (at most 18, so they fit SQLite's integers); anything else is no
# route at all and answers 404. The literal routes come before the {id} ones so that
# /api-keys/usage and /api-keys/current are never read as ids.
_ID = r"(?P<id>[0-9]{1,18})"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: dict[str, tuple[str | None, Endpoint]]
    since: str = "1.0"  # the contract version that added it


def _route(pattern: str, since: str = "1.0", **methods: tuple[str | None, Endpoint]) -> Route:
    return Route(re.compile(pattern), methods, since)


ROUTES: tuple[Route, ...] = (
    _route(r"/api-keys/current", GET=(None, keys_api.current)),
    _route(r"/api-keys/usage", GET=("keys:read", keys_api.usage_list)),
    _route(r"/api-keys", GET=("keys:read", keys_api.list_keys),
           POST=("keys:manage", keys_api.create_key)),
    _route(rf"/api-keys/{_ID}", GET=("keys:read", keys_api.get_key),
           PATCH=("keys:manage", keys_api.update_key)),
    _route(rf"/api-keys/{_ID}/usage", GET=("keys:read", keys_api.key_usage)),
    _route(rf"/api-keys/{_ID}/clients", since="1.1", GET=("keys:read", keys_api.key_clients)),
    _route(rf"/api-keys/{_ID}/regenerate", POST=("keys:manage", keys_api.regenerate_key)),
    _route(rf"/api-keys/{_ID}/revoke", POST=("keys:manage", keys_api.revoke_key)),
    _route(r"/domains", GET=("domains:read", account_api.list_domains)),
    _route(r"/billing/usage", GET=("billing:read", account_api.billing_usage)),
)


def match(path: str, api_version: str = LATEST_VERSION) -> tuple[Route, dict[str, str]] | None:
    """The route for a full request path (with /api/v1), and its path parameters; routes
    added after `api_version` are not there (an unknown path, as on an older server)."""
    if not path.startswith(API_ROOT + "/"):
        return None
    relative = path[len(API_ROOT):]
    for route in ROUTES:
        if VERSIONS.index(route.since) > VERSIONS.index(api_version):
            continue
        found = route.pattern.fullmatch(relative)
        if found:
            return route, found.groupdict()
    return None
