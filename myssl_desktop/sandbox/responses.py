"""The answers the sandbox gives: a transport-neutral Response and the error envelope."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    all_headers = {"Content-Type": JSON_TYPE, "Cache-Control": "no-store"}
    all_headers.update(headers or {})
    return Response(status, body, all_headers)


def error_response(status: int, error: str, message: str,
                   headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"error": error, "message": message}, headers)


class ApiError(Exception):
    """Raised by endpoint code; the pipeline turns it into the error envelope."""

    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {error}: {message}")
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers or {}

    def response(self) -> Response:
        return error_response(self.status, self.error, self.message, self.headers)


# The documented bodies, word for word: clients match on status and `error`.
def authentication_required() -> ApiError:
    return ApiError(401, "Authentication required",
                    "Please provide a valid API key in the Authorization header")


def invalid_api_key() -> ApiError:
    return ApiError(401, "Invalid API key", "The provided API key is invalid or has been revoked")


def access_denied() -> ApiError:
    return ApiError(403, "Access denied", "Your API key doesn't have permission for this resource")


def not_found(message: str = "The requested resource does not exist") -> ApiError:
    return ApiError(404, "Not found", message)


def invalid_request(message: str) -> ApiError:
    return ApiError(400, "Invalid request", message)


def method_not_allowed(method: str, path: str, allowed: list[str]) -> ApiError:
    return ApiError(405, "Method not allowed", f"{method} is not allowed on {path}",
                    {"Allow": ", ".join(allowed)})


def key_limit_reached(limit: int) -> ApiError:
    return ApiError(409, "Key limit reached",
                    f"The account already has {limit} active keys; revoke one to create another")
