"""Fault injection: what a flaky network or an overloaded backend does to a client.

Status faults (500, 502, 503) answer without applying the request, like a proxy or a
crashed worker. "reset" and "truncated" apply the request and then lose or cut the answer:
the server acted, the client cannot tell. Latency is slept after the request was applied
and before the answer goes out, so a client timeout also leaves the action done.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

from .responses import Response, error_response

FAULT_KINDS: tuple[str, ...] = ("500", "502", "503", "reset", "truncated")
STATUS_FAULTS = frozenset({"500", "502", "503"})

_PROXY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
).encode("ascii")


class FaultInjector:
    def __init__(self, fail_rate: float = 0.0, latency_ms: float = 0,
                 kinds: Iterable[str | int] | None = None, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.fail_rate = 0.0
        self.latency_ms = 0.0
        self.kinds: tuple[str, ...] = FAULT_KINDS
        self.configure(latency_ms=latency_ms, fail_rate=fail_rate, kinds=kinds)

    def configure(self, latency_ms: float | None = None, fail_rate: float | None = None,
                  kinds: Iterable[str | int] | None = None) -> None:
        """Change settings at runtime. None leaves latency and rate as they are; kinds=None
        allows every kind."""
        chosen = FAULT_KINDS if kinds is None else tuple(dict.fromkeys(str(k) for k in kinds))
        unknown = [k for k in chosen if k not in FAULT_KINDS]
        if unknown or not chosen:
            raise ValueError(f"fault kinds must be a non-empty subset of {FAULT_KINDS}")
        if fail_rate is not None and not 0.0 <= fail_rate <= 1.0:
            raise ValueError("fail_rate must be between 0 and 1")
        if latency_ms is not None and latency_ms < 0:
            raise ValueError("latency_ms must not be negative")
        with self._lock:
            self.kinds = chosen
            if fail_rate is not None:
                self.fail_rate = float(fail_rate)
            if latency_ms is not None:
                self.latency_ms = float(latency_ms)

    def roll(self) -> str | None:
        """The fault for the next request, or None. Seeded, so a run can be replayed."""
        with self._lock:
            if self.fail_rate <= 0.0:
                return None
            if self._rng.random() >= self.fail_rate:
                return None
            return self._rng.choice(self.kinds)

    @property
    def delay_seconds(self) -> float:
        return self.latency_ms / 1000.0


def status_fault(kind: str) -> Response:
    """The answer of a fault that did not apply the request."""
    if kind == "502":
        return Response(502, _PROXY_PAGE, {"Content-Type": "text/html"})
    if kind == "503":
        return error_response(503, "Service unavailable",
                              "The service is temporarily overloaded; try again shortly",
                              {"Retry-After": "1"})
    return error_response(500, "Internal server error", "Something went wrong on our side")


def truncate(response: Response) -> Response:
    """A 200 whose JSON body is cut in half; the length header matches what is sent."""
    return Response(200, response.body[: len(response.body) // 2], dict(response.headers))
