"""The request pipeline, independent of HTTP: authenticate, count, rate-limit, route,
check the permission, run the endpoint. The HTTP server and the traffic simulator both
go through here, so there is one definition of what a request does."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from . import routes
from .clients import Client
from .context import Account, Context
from .credentials import KEY_FORM
from .ratelimit import Decision, RateLimiter
from .responses import (
    ApiError,
    Response,
    access_denied,
    authentication_required,
    error_response,
    invalid_api_key,
    method_not_allowed,
    not_found,
)
from .store import KeyRow, Store


class SandboxApp:
    def __init__(self, store: Store, tier: str, limiter: RateLimiter,
                 api_version: str = routes.LATEST_VERSION) -> None:
        """`api_version`: the contract version served; "1.0" answers like a server that
        predates the v1.1 additions (no /clients, no expiry at creation)."""
        if api_version not in routes.VERSIONS:
            raise ValueError(f"api_version must be one of {routes.VERSIONS}, not {api_version!r}")
        self.store = store
        self.account = Account(tier, limiter)
        self.limiter = limiter
        self.api_version = api_version

    def handle(self, method: str, target: str, authorization: str | None,
               body: bytes = b"", client: Client | None = None) -> Response:
        """Answer one request. `target` is the request path with its query string; `client`,
        who sent it (recorded for the calling key when the key is valid)."""
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        # One lock for the whole request: counting, limits and the action are atomic.
        with self.store.transaction():
            self.store.sweep()  # due scheduled revokes take effect before authentication
            try:
                caller = self.authenticate(authorization)
            except ApiError as error:
                return error.response()  # a 401 is not counted and carries no limit headers
            decision = self.count(caller, client)
            if not decision.allowed:
                response = self._rate_limited(decision)
            else:
                try:
                    response = self._dispatch(method.upper(), url.path, query, body, caller)
                except ApiError as error:
                    response = error.response()
            response.headers.update(decision.headers)
            return response

    def authenticate(self, authorization: str | None) -> KeyRow:
        parts = (authorization or "").split()
        if len(parts) != 2 or parts[0].lower() != "bearer" or not KEY_FORM.fullmatch(parts[1]):
            raise authentication_required()
        key = self.store.find_by_secret(parts[1])
        if key is None or key.status == "revoked":
            raise invalid_api_key()
        return key

    def count(self, caller: KeyRow, client: Client | None = None) -> Decision:
        """Every request with a valid key counts for the key, before it is answered (429s
        included), and so does who made it; only requests that are let through count toward
        the rate windows."""
        self.store.record_request(caller.id, client=client)
        return self.limiter.hit(caller.id)

    def _rate_limited(self, decision: Decision) -> Response:
        limits = self.limiter.limits
        if decision.reason == "daily":
            message = (f"The account's daily limit of {limits.daily_limit} requests is used up; "
                       "it resets at 00:00 UTC")
        else:
            message = (f"This key may make {limits.minute_limit} requests a minute; "
                       f"retry in {decision.retry_after} s")
        return error_response(429, "Rate limit exceeded", message,
                              {"Retry-After": str(decision.retry_after)})

    def _dispatch(self, method: str, path: str, query: dict[str, list[str]], body: bytes,
                  caller: KeyRow) -> Response:
        found = routes.match(path, self.api_version)
        if found is None:
            raise not_found()
        route, path_params = found
        if method not in route.methods:
            raise method_not_allowed(method, path, sorted(route.methods))
        permission, endpoint = route.methods[method]
        if permission is not None and permission not in caller.permissions:
            raise access_denied()
        ctx = Context(self.store, self.account, caller, path_params, query, body,
                      self.store.now(), self.api_version)
        return endpoint(ctx)
