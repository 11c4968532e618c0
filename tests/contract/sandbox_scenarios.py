"""The sandbox as the contract tests see it (`World`) and the scenario table: one scenario per
documented operation and status, with what the contract promises beyond the schema."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.contract.openapi_doc import REAL_SECRET, load_document

# ------------------------------------------------------------------ against the sandbox

# Every operation the tests exercise: it must be exactly the document's operations.
OPERATIONS: dict[str, tuple[str, str]] = {
    "listApiKeys": ("/api-keys", "get"),
    "createApiKey": ("/api-keys", "post"),
    "getCurrentApiKey": ("/api-keys/current", "get"),
    "listApiKeyUsage": ("/api-keys/usage", "get"),
    "getApiKey": ("/api-keys/{id}", "get"),
    "updateApiKey": ("/api-keys/{id}", "patch"),
    "getApiKeyUsage": ("/api-keys/{id}/usage", "get"),
    "getApiKeyClients": ("/api-keys/{id}/clients", "get"),
    "regenerateApiKey": ("/api-keys/{id}/regenerate", "post"),
    "revokeApiKey": ("/api-keys/{id}/revoke", "post"),
    "listDomains": ("/domains", "get"),
    "getBillingUsage": ("/billing/usage", "get"),
}

ALL_PERMISSIONS = ["domains:read", "domains:write", "scans:write", "billing:read", "keys:read",
                   "keys:manage"]
_names = itertools.count(1)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _fake_key(body: str) -> str:
    return "myssl_k_" + body


Request = tuple[str, str, dict[str, Any]]


def sandbox_class() -> Any:
    """The sandbox, imported when a test needs it (collecting the document tests stays light)."""
    from myssl_desktop.sandbox import Sandbox

    return Sandbox


class World:
    """One sandbox, an HTTP client, and keys made on demand through the API itself."""

    def __init__(self, sandbox: Any) -> None:
        self.sandbox = sandbox
        self.admin: str = sandbox.admin_key
        self.http = httpx.Client(base_url=sandbox.base_url, timeout=15)
        self._keys: dict[tuple[str, ...], tuple[dict[str, Any], str]] = {}
        self._victim: dict[str, Any] | None = None
        self.victim_secret = ""
        self.notes: dict[str, Any] = {}  # what a scenario's run leaves for its check

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, key: str | None = "admin", *,
                authorization: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", {}))
        if authorization is not None:
            headers["Authorization"] = authorization
        elif key is not None:
            headers["Authorization"] = "Bearer " + (self.admin if key == "admin" else key)
        return self.http.request(method.upper(), path, headers=headers, **kwargs)

    def create_key(self, permissions: list[str] | None = None,
                   name: str | None = None) -> tuple[dict[str, Any], str]:
        body: dict[str, Any] = {"name": name or f"test key {next(_names)}"}
        if permissions is not None:
            body["permissions"] = permissions
        response = self.request("POST", "/api-keys", json=body)
        assert response.status_code == 201, response.text
        return response.json()["api_key"], response.json()["secret"]

    def key_with(self, *permissions: str) -> str:
        """The secret of a key holding exactly `permissions` (made once per world)."""
        if permissions not in self._keys:
            self._keys[permissions] = self.create_key(list(permissions))
        return self._keys[permissions][1]

    def key_lacking(self, permission: str) -> str:
        """A key without `permission`: domains:read only, or keys:read only for domains."""
        return self.key_with("keys:read" if permission == "domains:read" else "domains:read")

    def victim(self) -> dict[str, Any]:
        """A spare key for requests that would change the key they name."""
        if self._victim is None:
            self._victim, self.victim_secret = self.create_key(["domains:read"], name="victim")
        return self._victim

    def revoked(self) -> dict[str, Any]:
        key = self.create_key(["domains:read"])[0]
        response = self.request("POST", f"/api-keys/{key['id']}/revoke")
        assert response.status_code == 200, response.text
        return response.json()["api_key"]



# The body or query that makes each operation's request valid (beyond the path).
VALID_REQUEST_OPTIONS: dict[str, dict[str, Any]] = {
    "createApiKey": {"json": {"name": "probe", "permissions": ["domains:read"]}},
    "listApiKeyUsage": {"params": {"days": 7}},
    "updateApiKey": {"json": {"name": "renamed"}},
    "getApiKeyUsage": {"params": {"days": 7}},
    "getApiKeyClients": {"params": {"hours": 24}},
}


def valid_request(op_id: str, w: World, key_id: int | str | None = None) -> Request:
    """A request a key with every permission would have answered with success; `{id}` is
    `key_id` or else the world's victim key."""
    path, method = OPERATIONS[op_id]
    if "{id}" in path:
        path = path.replace("{id}", str(w.victim()["id"] if key_id is None else key_id))
    return method.upper(), path, VALID_REQUEST_OPTIONS.get(op_id, {})


def send(w: World, request: Request, key: str | None = "admin", **extra: Any) -> httpx.Response:
    method, path, kwargs = request
    return w.request(method, path, key, **{**kwargs, **extra})


@dataclass(frozen=True)
class Scenario:
    op_id: str
    status: int
    variant: str
    run: Callable[[World], httpx.Response]
    check: Callable[[World, httpx.Response], None] | None = None
    world: str = "world"  # the fixture the scenario runs in
    valid_key: bool = True  # a valid key made the request: rate-limit headers are owed

    @property
    def id(self) -> str:
        return f"{self.op_id}-{self.status}-{self.variant}"


# --- checks of what the contract promises beyond the schema


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def check_list_order(w: World, r: httpx.Response) -> None:
    keys = r.json()["api_keys"]
    order = [(k["created_at"], k["id"]) for k in keys]
    assert order == sorted(order, reverse=True), "lists are newest first"
    assert r.json()["pagination"]["pages"] >= 1


def check_per_page_clamped(w: World, r: httpx.Response) -> None:
    assert r.json()["pagination"]["per_page"] == 100


def check_status_filter(w: World, r: httpx.Response) -> None:
    keys = r.json()["api_keys"]
    assert keys and all(k["status"] == "revoked" for k in keys)


def check_search(w: World, r: httpx.Response) -> None:
    names = [k["name"] for k in r.json()["api_keys"]]
    assert names and all("needle" in n.lower() for n in names)


def check_current(w: World, r: httpx.Response) -> None:
    body = r.json()
    assert body["account"] == {"tier": "enterprise", "daily_limit": 1_000_000,
                               "minute_limit": 3000, "max_active_keys": 25}
    assert body["api_key"]["permissions"] == ALL_PERMISSIONS
    assert body["api_key"]["last_used_at"] is not None, "the current request counts"
    assert body["api_key"]["request_count"] >= 1


def check_usage(w: World, r: httpx.Response) -> None:
    usage = r.json()["usage"]
    assert usage["api_key_id"] == w.victim()["id"]
    dates = [d["date"] for d in usage["days"]]
    assert len(dates) == 7 and dates == sorted(dates) and dates[-1] == _today()
    assert len(set(dates)) == 7
    assert usage["total"] == sum(d["requests"] for d in usage["days"])


def check_usage_list(w: World, r: httpx.Response) -> None:
    listing = w.request("GET", "/api-keys", params={"per_page": 5}).json()
    usage = r.json()["usage"]
    assert [u["api_key_id"] for u in usage] == [k["id"] for k in listing["api_keys"]]
    assert r.json()["pagination"] == listing["pagination"]
    assert all(len(u["days"]) == 3 and u["days"][-1]["date"] == _today() for u in usage)


def check_created(w: World, r: httpx.Response) -> None:
    body = r.json()
    secret, key = body["secret"], body["api_key"]
    assert REAL_SECRET.fullmatch(secret), "a real secret is myssl_k_ + 40 of [a-z0-9]"
    assert key["prefix"] == secret[:12]
    assert key["name"] == "Staging monitor", "names are trimmed"
    assert key["permissions"] == ["domains:read", "keys:read"], "listed in the table's order"
    assert (key["status"], key["request_count"], key["last_used_at"]) == ("active", 0, None)
    current = w.request("GET", "/api-keys/current", secret)
    assert current.status_code == 200 and current.json()["api_key"]["id"] == key["id"]


def check_created_expiring(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert (key["status"], key["expires_at"], key["revoked_at"]) == ("expiring", w.notes["expires_at"], None)
    current = w.request("GET", "/api-keys/current", r.json()["secret"])
    assert current.status_code == 200, "an expiring key works until its expiry"


def use_victim(w: World) -> dict[str, Any]:
    """The victim key, used once by "victim-app/1.0" (it needs only domains:read)."""
    victim = w.victim()
    used = w.request("GET", "/domains", w.victim_secret, headers={"User-Agent": "victim-app/1.0"})
    assert used.status_code == 200, used.text
    return victim


def check_clients(w: World, r: httpx.Response) -> None:
    body = r.json()
    assert body["hours"] == w.notes.get("hours", 24)
    pairs = [(c["address"], c["user_agent"]) for c in body["clients"]]
    assert ("127.0.0.1", "victim-app/1.0") in pairs, "the request made with the key is listed"
    seen = [c["last_seen"] for c in body["clients"]]
    assert seen == sorted(seen, reverse=True), "most recent first"
    assert all(c["first_seen"] <= c["last_seen"] and c["requests"] >= 1 for c in body["clients"])


def check_created_with_callers_permissions(w: World, r: httpx.Response) -> None:
    assert r.json()["api_key"]["permissions"] == ["billing:read", "keys:manage"]


def check_renamed(w: World, r: httpx.Response) -> None:
    assert r.json()["api_key"]["name"] == "renamed victim"


def check_scheduled(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "expiring" and key["expires_at"] is not None


def check_cancelled(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "active" and key["expires_at"] is None


def check_regenerated(w: World, r: httpx.Response) -> None:
    before, (key, secret) = w.notes["regenerate_before"], (r.json()["api_key"], r.json()["secret"])
    old_key, old_secret = before
    assert REAL_SECRET.fullmatch(secret) and secret != old_secret
    assert key["prefix"] == secret[:12]
    for field in ("id", "name", "permissions", "created_at", "expires_at", "status",
                  "last_used_at", "request_count", "requests_24h"):
        assert key[field] == old_key[field], field
    assert w.request("GET", "/api-keys/current", secret).status_code == 200
    old = w.request("GET", "/api-keys/current", old_secret)
    assert old.status_code == 401 and old.json()["error"] == "Invalid API key"


def run_regenerate(w: World) -> httpx.Response:
    key, secret = w.create_key(["domains:read", "keys:read"])
    assert w.request("GET", "/api-keys/current", secret).status_code == 200  # counters move
    schedule = utc_text(datetime.now(UTC) + timedelta(days=3))
    patched = w.request("PATCH", f"/api-keys/{key['id']}", json={"expires_at": schedule})
    w.notes["regenerate_before"] = (patched.json()["api_key"], secret)
    return w.request("POST", f"/api-keys/{key['id']}/regenerate")


def run_revoke(w: World) -> httpx.Response:
    key, secret = w.create_key(["domains:read"])
    schedule = utc_text(datetime.now(UTC) + timedelta(days=3))
    w.request("PATCH", f"/api-keys/{key['id']}", json={"expires_at": schedule})
    w.notes["revoked_secret"] = secret
    return w.request("POST", f"/api-keys/{key['id']}/revoke")


def check_revoked(w: World, r: httpx.Response) -> None:
    key = r.json()["api_key"]
    assert key["status"] == "revoked" and key["revoked_at"] is not None
    assert key["expires_at"] is None, "revoke clears expires_at"
    again = w.request("POST", f"/api-keys/{key['id']}/revoke")
    assert again.status_code == 200 and again.json() == r.json(), "revoke is idempotent"
    denied = w.request("GET", "/api-keys/current", w.notes["revoked_secret"])
    assert denied.status_code == 401 and denied.json()["error"] == "Invalid API key"


def check_domains(w: World, r: httpx.Response) -> None:
    assert r.json()["domains"], "the demo seed creates a handful of domains"


def check_billing(w: World, r: httpx.Response) -> None:
    data = r.json()["data"]
    assert data["tier"] == "enterprise"
    assert (data["daily_limit"], data["minute_limit"]) == (1_000_000, 3000)


def check_error(title: str) -> Callable[[World, httpx.Response], None]:
    def check(w: World, r: httpx.Response) -> None:
        assert r.json()["error"] == title

    return check


def check_still_counted(permission_key: Callable[[World], str]) -> Callable[..., None]:
    """A 403 still counts as a use of the key: its counters moved before the answer."""

    def check(w: World, r: httpx.Response) -> None:
        me = w.request("GET", "/api-keys/current", permission_key(w)).json()["api_key"]
        assert me["request_count"] >= 2 and me["last_used_at"] is not None

    return check


# --- the scenario table


def _success_scenarios() -> list[Scenario]:
    def get(path: str, **kw: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("GET", path, **kw)

    def on_victim(method: str, suffix: str = "", **kw: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request(method, f"/api-keys/{w.victim()['id']}{suffix}", **kw)

    def revoked_then(w: World) -> httpx.Response:
        w.revoked()
        return w.request("GET", "/api-keys", params={"status": "revoked"})

    def search(w: World) -> httpx.Response:
        w.create_key(["domains:read"], name="A NeEdLe in a haystack")
        return w.request("GET", "/api-keys", params={"search": "needle"})

    def schedule(w: World) -> httpx.Response:
        when = utc_text(datetime.now(UTC) + timedelta(days=7))
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", json={"expires_at": when})

    def cancel(w: World) -> httpx.Response:
        assert schedule(w).status_code == 200
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", json={"expires_at": None})

    def create_default(w: World) -> httpx.Response:
        caller = w.key_with("billing:read", "keys:manage")
        return w.request("POST", "/api-keys", caller, json={"name": "inherits"})

    def search_prefix(w: World) -> httpx.Response:
        key, _ = w.create_key(["domains:read"])
        w.notes["searched"] = key
        return w.request("GET", "/api-keys", params={"search": key["prefix"].upper()})

    def check_search_prefix(w: World, r: httpx.Response) -> None:
        ids = [k["id"] for k in r.json()["api_keys"]]
        assert w.notes["searched"]["id"] in ids

    def check_empty(w: World, r: httpx.Response) -> None:
        assert r.json()["api_keys"] == []
        assert r.json()["pagination"] == {"page": 1, "per_page": 20, "total": 0, "pages": 1,
                                          "has_next": False, "has_prev": False}

    def check_default_days(w: World, r: httpx.Response) -> None:
        days = r.json()["usage"]["days"]
        assert len(days) == 30 and days[-1]["date"] == _today()

    def revoke_self(w: World) -> httpx.Response:
        key, secret = w.create_key(["keys:manage"])
        w.notes["revoked_secret"] = secret
        return w.request("POST", f"/api-keys/{key['id']}/revoke", secret)

    def check_self_revoked(w: World, r: httpx.Response) -> None:
        assert r.json()["api_key"]["status"] == "revoked"
        denied = w.request("GET", "/api-keys/current", w.notes["revoked_secret"])
        assert denied.status_code == 401 and denied.json()["error"] == "Invalid API key"

    def usage_list(w: World) -> httpx.Response:
        w.victim()
        return w.request("GET", "/api-keys/usage", params={"days": 3, "per_page": 5})

    def clients(hours: int | None) -> Callable[[World], httpx.Response]:
        def run(w: World) -> httpx.Response:
            victim = use_victim(w)
            if hours is None:
                return w.request("GET", f"/api-keys/{victim['id']}/clients")
            w.notes["hours"] = hours
            return w.request("GET", f"/api-keys/{victim['id']}/clients", params={"hours": hours})
        return run

    def clients_of_revoked(w: World) -> httpx.Response:
        key, secret = w.create_key(["domains:read"])
        assert w.request("GET", "/domains", secret, headers={"User-Agent": "victim-app/1.0"}).status_code == 200
        assert w.request("POST", f"/api-keys/{key['id']}/revoke").status_code == 200
        return w.request("GET", f"/api-keys/{key['id']}/clients")

    def clients_of_unused(w: World) -> httpx.Response:
        key, _ = w.create_key(["domains:read"])
        return w.request("GET", f"/api-keys/{key['id']}/clients", params={"hours": 1})

    def check_no_clients(w: World, r: httpx.Response) -> None:
        assert r.json() == {"clients": [], "hours": 1}

    def create_expiring(w: World) -> httpx.Response:
        w.notes["expires_at"] = utc_text(datetime.now(UTC) + timedelta(days=90))
        return w.request("POST", "/api-keys", json={"name": "Contractor", "permissions": ["domains:read"],
                                                    "expires_at": w.notes["expires_at"]})

    return [
        Scenario("listApiKeys", 200, "plain", get("/api-keys"), check_list_order),
        Scenario("listApiKeys", 200, "per_page-over-100",
                 get("/api-keys", params={"per_page": 500}), check_per_page_clamped),
        Scenario("listApiKeys", 200, "status-filter", revoked_then, check_status_filter),
        Scenario("listApiKeys", 200, "search", search, check_search),
        Scenario("listApiKeys", 200, "search-prefix", search_prefix, check_search_prefix),
        Scenario("listApiKeys", 200, "nothing-matches",
                 get("/api-keys", params={"search": "no key is called this"}), check_empty),
        Scenario("getCurrentApiKey", 200, "admin", get("/api-keys/current"), check_current),
        Scenario("getCurrentApiKey", 200, "lowercase-bearer",
                 lambda w: w.request("GET", "/api-keys/current",
                                     authorization="bearer " + w.admin)),
        Scenario("listApiKeyUsage", 200, "page", usage_list, check_usage_list),
        Scenario("getApiKey", 200, "victim", on_victim("GET")),
        Scenario("getApiKey", 200, "revoked",
                 lambda w: w.request("GET", f"/api-keys/{w.revoked()['id']}")),
        Scenario("getApiKeyUsage", 200, "week", on_victim("GET", "/usage", params={"days": 7}),
                 check_usage),
        Scenario("getApiKeyUsage", 200, "default-30-days", on_victim("GET", "/usage"),
                 check_default_days),
        Scenario("getApiKeyClients", 200, "default-24-hours", clients(None), check_clients),
        Scenario("getApiKeyClients", 200, "720-hours", clients(720), check_clients),
        Scenario("getApiKeyClients", 200, "revoked-key", clients_of_revoked, check_clients),
        Scenario("getApiKeyClients", 200, "never-used", clients_of_unused, check_no_clients),
        Scenario("createApiKey", 201, "explicit-permissions",
                 lambda w: w.request("POST", "/api-keys", json={
                     "name": "  Staging monitor ", "permissions": ["keys:read", "domains:read"]}),
                 check_created),
        Scenario("createApiKey", 201, "caller-permissions", create_default,
                 check_created_with_callers_permissions),
        Scenario("createApiKey", 201, "with-expiry", create_expiring, check_created_expiring),
        Scenario("updateApiKey", 200, "rename",
                 on_victim("PATCH", json={"name": "renamed victim"}), check_renamed),
        Scenario("updateApiKey", 200, "schedule-revoke", schedule, check_scheduled),
        Scenario("updateApiKey", 200, "cancel-revoke", cancel, check_cancelled),
        Scenario("regenerateApiKey", 200, "keeps-fields", run_regenerate, check_regenerated),
        Scenario("revokeApiKey", 200, "idempotent", run_revoke, check_revoked),
        Scenario("revokeApiKey", 200, "itself", revoke_self, check_self_revoked),
        Scenario("listDomains", 200, "demo-seed", get("/domains"), check_domains),
        Scenario("getBillingUsage", 200, "enterprise", get("/billing/usage"), check_billing),
    ]


def _auth_scenarios() -> list[Scenario]:
    out = []
    malformed = {
        "no-header": None,
        "not-a-myssl-key": "Bearer sk_live_abc123",
        "empty-body": "Bearer " + _fake_key(""),
        "bad-characters": "Bearer " + _fake_key("abc-def"),
        "basic-scheme": "Basic dXNlcjpwYXNz",
    }
    for op_id in OPERATIONS:
        for variant, header in malformed.items():
            def run(w: World, op_id: str = op_id, header: str | None = header) -> httpx.Response:
                request = valid_request(op_id, w)
                if header is None:
                    return send(w, request, key=None)
                return send(w, request, authorization=header)

            out.append(Scenario(op_id, 401, "malformed-" + variant, run,
                                check_error("Authentication required"), valid_key=False))

        def unknown(w: World, op_id: str = op_id) -> httpx.Response:
            return send(w, valid_request(op_id, w), key=_fake_key("x" * 40))

        def revoked(w: World, op_id: str = op_id) -> httpx.Response:
            key, secret = w.create_key(ALL_PERMISSIONS)
            assert w.request("POST", f"/api-keys/{key['id']}/revoke").status_code == 200
            return send(w, valid_request(op_id, w), key=secret)

        out.append(Scenario(op_id, 401, "invalid-unknown", unknown,
                            check_error("Invalid API key"), valid_key=False))
        out.append(Scenario(op_id, 401, "invalid-revoked", revoked,
                            check_error("Invalid API key"), valid_key=False))
    return out


def _permission_scenarios() -> list[Scenario]:
    doc = load_document()
    out = []
    for op_id, (path, method) in OPERATIONS.items():
        permission = doc["paths"][path][method].get("x-required-permission")
        if permission is None:
            continue

        def run(w: World, op_id: str = op_id, permission: str = permission) -> httpx.Response:
            return send(w, valid_request(op_id, w), key=w.key_lacking(permission))

        def lacking(w: World, permission: str = permission) -> str:
            return w.key_lacking(permission)

        out.append(Scenario(op_id, 403, "lacks-" + permission, run,
                            check_still_counted(lacking)))

    def before_not_found(w: World) -> httpx.Response:
        return w.request("GET", "/api-keys/987654", w.key_lacking("keys:read"))

    out.append(Scenario("getApiKey", 403, "before-404", before_not_found,
                        check_error("Access denied")))

    def beyond(w: World) -> httpx.Response:
        caller = w.key_with("domains:read", "keys:manage")
        return w.request("POST", "/api-keys", caller,
                         json={"name": "escalate", "permissions": ["billing:read"]})

    out.append(Scenario("createApiKey", 403, "beyond-callers-permissions", beyond,
                        check_error("Access denied")))
    return out


def _not_found_scenarios() -> list[Scenario]:
    out = []
    for op_id, (path, _) in OPERATIONS.items():
        if "{id}" not in path:
            continue
        for variant, key_id in (("unknown-id", "987654"), ("non-integer-id", "abc")):
            def run(w: World, op_id: str = op_id, key_id: str = key_id) -> httpx.Response:
                return send(w, valid_request(op_id, w, key_id))

            out.append(Scenario(op_id, 404, variant, run, check_error("Not found")))
    out.append(Scenario("updateApiKey", 404, "before-400",
                        lambda w: w.request("PATCH", "/api-keys/987654", json={}),
                        check_error("Not found")))
    out.append(Scenario("getApiKeyUsage", 404, "before-400",
                        lambda w: w.request("GET", "/api-keys/987654/usage",
                                            params={"days": 0}),
                        check_error("Not found")))
    out.append(Scenario("getApiKeyClients", 404, "before-400",
                        lambda w: w.request("GET", "/api-keys/987654/clients",
                                            params={"hours": 0}),
                        check_error("Not found")))
    return out


def _bad_request_scenarios() -> list[Scenario]:
    def post_raw(content: bytes) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("POST", "/api-keys", content=content,
                                   headers={"Content-Type": "application/json"})

    def create(body: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("POST", "/api-keys", json=body)

    def patch(body: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("PATCH", f"/api-keys/{w.victim()['id']}", json=body)

    def patch_revoked(w: World) -> httpx.Response:
        return w.request("PATCH", f"/api-keys/{w.revoked()['id']}", json={"name": "again"})

    def patch_raw(w: World) -> httpx.Response:
        return w.request("PATCH", f"/api-keys/{w.victim()['id']}", content=b"name=x",
                         headers={"Content-Type": "application/json"})

    def regenerate_revoked(w: World) -> httpx.Response:
        return w.request("POST", f"/api-keys/{w.revoked()['id']}/regenerate")

    def key_usage(days: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("GET", f"/api-keys/{w.victim()['id']}/usage",
                                   params={"days": days})

    def key_clients(hours: Any) -> Callable[[World], httpx.Response]:
        return lambda w: w.request("GET", f"/api-keys/{w.victim()['id']}/clients",
                                   params={"hours": hours})

    past = utc_text(datetime.now(UTC) - timedelta(days=1))
    soon = datetime.now(UTC) + timedelta(days=1)
    invalid = check_error("Invalid request")
    scenarios = [
        ("createApiKey", "not-json", post_raw(b"{name: nope")),
        ("createApiKey", "not-an-object", create(["name"])),
        ("createApiKey", "no-name", create({"permissions": ["domains:read"]})),
        ("createApiKey", "empty-name", create({"name": ""})),
        ("createApiKey", "blank-name", create({"name": "   "})),
        ("createApiKey", "name-101-chars", create({"name": "n" * 101})),
        ("createApiKey", "name-not-string", create({"name": 42})),
        ("createApiKey", "unknown-permission", create({"name": "x",
                                                       "permissions": ["domains:delete"]})),
        ("createApiKey", "empty-permissions", create({"name": "x", "permissions": []})),
        ("createApiKey", "expires-in-past", create({"name": "x", "expires_at": past})),
        ("createApiKey", "expires-null", create({"name": "x", "expires_at": None})),
        ("createApiKey", "expires-with-offset",
         create({"name": "x", "expires_at": soon.strftime("%Y-%m-%dT%H:%M:%S+00:00")})),
        ("createApiKey", "expires-fractional",
         create({"name": "x", "expires_at": soon.strftime("%Y-%m-%dT%H:%M:%S.000Z")})),
        ("createApiKey", "before-escalation-403",
         lambda w: w.request("POST", "/api-keys", w.key_with("domains:read", "keys:manage"),
                             json={"name": "", "permissions": ["billing:read"]})),
        ("updateApiKey", "not-json", patch_raw),
        ("updateApiKey", "empty-body", patch({})),
        ("updateApiKey", "unknown-field", patch({"name": "x", "permissions": ["keys:read"]})),
        ("updateApiKey", "empty-name", patch({"name": ""})),
        ("updateApiKey", "name-101-chars", patch({"name": "n" * 101})),
        ("updateApiKey", "expires-in-past", patch({"expires_at": past})),
        ("updateApiKey", "expires-not-timestamp", patch({"expires_at": "tomorrow"})),
        ("updateApiKey", "revoked-key", patch_revoked),
        ("regenerateApiKey", "revoked-key", regenerate_revoked),
        ("getApiKeyClients", "hours-0", key_clients(0)),
        ("getApiKeyClients", "hours-721", key_clients(721)),
        ("getApiKeyClients", "hours-not-integer", key_clients("day")),
        ("getApiKeyUsage", "days-0", key_usage(0)),
        ("getApiKeyUsage", "days-91", key_usage(91)),
        ("getApiKeyUsage", "days-not-integer", key_usage("week")),
        ("listApiKeyUsage", "days-0",
         lambda w: w.request("GET", "/api-keys/usage", params={"days": 0})),
        ("listApiKeyUsage", "days-91",
         lambda w: w.request("GET", "/api-keys/usage", params={"days": 91})),
        ("listApiKeys", "page-0", lambda w: w.request("GET", "/api-keys", params={"page": 0})),
        ("listApiKeys", "unknown-status",
         lambda w: w.request("GET", "/api-keys", params={"status": "deleted"})),
        ("listApiKeys", "per-page-0",
         lambda w: w.request("GET", "/api-keys", params={"per_page": 0})),
        ("listApiKeyUsage", "unknown-status",
         lambda w: w.request("GET", "/api-keys/usage", params={"status": "deleted"})),
        ("listDomains", "unknown-status",
         lambda w: w.request("GET", "/domains", params={"status": "broken"})),
        ("listDomains", "page-not-integer",
         lambda w: w.request("GET", "/domains", params={"page": "two"})),
    ]
    return [Scenario(op_id, 400, variant, run, invalid) for op_id, variant, run in scenarios]


def _key_limit_scenarios() -> list[Scenario]:
    def create(w: World) -> httpx.Response:
        return w.request("POST", "/api-keys", json={"name": "one too many"})

    def regenerate_at_limit(w: World) -> httpx.Response:
        # regenerate never changes the count: it still succeeds when the account is full
        listing = w.request("GET", "/api-keys", params={"status": "active"}).json()
        target = listing["api_keys"][0]["id"]
        return w.request("POST", f"/api-keys/{target}/regenerate")

    def escalate_at_limit(w: World) -> httpx.Response:
        # the caller's own key is made before the account is full (see full_world)
        return w.request("POST", "/api-keys", w.notes["escalator"],
                         json={"name": "escalate", "permissions": ["billing:read"]})

    return [
        Scenario("createApiKey", 409, "25-active-keys", create,
                 check_error("Key limit reached"), world="full_world"),
        Scenario("createApiKey", 400, "before-409",
                 lambda w: w.request("POST", "/api-keys", json={"name": " "}),
                 check_error("Invalid request"), world="full_world"),
        Scenario("createApiKey", 403, "escalation-before-409", escalate_at_limit,
                 check_error("Access denied"), world="full_world"),
        Scenario("regenerateApiKey", 200, "at-key-limit", regenerate_at_limit,
                 world="full_world"),
    ]


def _admin_row(w: World, observer: str) -> dict[str, Any]:
    listing = w.request("GET", "/api-keys", observer, params={"per_page": 100}).json()
    (row,) = [k for k in listing["api_keys"] if k["prefix"] == w.admin[:12]]
    return row


def _rate_limit_scenarios() -> list[Scenario]:
    def run(w: World, op_id: str) -> httpx.Response:
        return send(w, valid_request(op_id, w))

    def check(w: World, r: httpx.Response) -> None:
        assert r.json()["error"] == "Rate limit exceeded"
        assert int(r.headers["X-RateLimit-Remaining"]) == 0
        assert int(r.headers["X-RateLimit-Limit"]) == 10
        retry_after = int(r.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        now = datetime.now(UTC).timestamp()
        assert abs(int(r.headers["X-RateLimit-Reset"]) - (now + retry_after)) <= 2
        # a 429 counts as a use of the key (not toward the window)
        observer = w.notes["observer"]
        before = _admin_row(w, observer)["request_count"]
        assert send(w, valid_request("getCurrentApiKey", w)).status_code == 429
        assert _admin_row(w, observer)["request_count"] == before + 1

    return [Scenario(op_id, 429, "free-tier-minute", functools.partial(run, op_id=op_id), check,
                     world="limited_world")
            for op_id in OPERATIONS]


SCENARIOS: list[Scenario] = [
    *_success_scenarios(),
    *_auth_scenarios(),
    *_permission_scenarios(),
    *_not_found_scenarios(),
    *_bad_request_scenarios(),
    *_key_limit_scenarios(),
    *_rate_limit_scenarios(),
]

# Scenarios where the sandbox departs from the contract (myssl-api.md): the contract wins,
# so the scenario is expected to fail until the sandbox is fixed. id -> what differs.
SANDBOX_MISMATCHES: dict[str, str] = {}

