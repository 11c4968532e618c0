"""Connections: one pooled `httpx.Client` per base URL, TLS verified by the OS trust store,
every exchange bounded by a deadline."""

from __future__ import annotations

import ipaddress
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

from .. import __version__
from .errors import InsecureUrl
from .models import DEFAULT_BASE_URL

log = logging.getLogger(__name__)
T = TypeVar("T")

# httpx's timeouts bound each step: a connect, one write, the wait for one read.
TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)
# The deadline bounds the whole exchange, by the wall clock: connecting, sending, and reading the
# status line, headers and body of the answer. Without it a server that sends a byte every 2 s
# never trips the 15 s read timeout and keeps a request going for minutes. 20 s leaves room for
# a slow connect (5 s) and a slow first byte (15 s), far beyond the well under a second a MySSL
# answer takes. Each attempt of a retried GET has its own deadline; one that ran out is not retried.
DEADLINE = 20.0
USER_AGENT = f"myssl-desktop/{__version__}"


def normalise_base_url(base_url: str) -> str:
    """Strip the trailing slash and refuse plain http:// to anything but this machine."""
    url = base_url.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise InsecureUrl(f"“{url}” is not a web address. Use the form https://myssl.info/api/v1.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise InsecureUrl(f"Refusing plain http:// for {parts.hostname}: an API key sent without "
                          "TLS can be read on the way. Use https://.")
    return url


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tls_context() -> ssl.SSLContext:
    # Imported here: truststore costs start-up time and plain-http loopback never needs it.
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class ConnectionPool:
    """Hands out one `httpx.Client` per base URL so requests reuse keep-alive connections.

    Every request through these clients gets `deadline` seconds, by the wall clock, from its start
    until the last byte of its answer is read (see DEADLINE); a request that overruns it fails
    with `httpx.TimeoutException`, and `expired_deadline()` then says it was the deadline.

    Thread-safe: workers on several threads share a client (httpx.Client is thread-safe).
    """

    def __init__(self, *, timeout: httpx.Timeout = TIMEOUT, deadline: float = DEADLINE,
                 transport: httpx.BaseTransport | None = None) -> None:
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self._timeout = timeout
        self.deadline = deadline
        self._transport = transport
        if transport is not None:
            bound_by_deadlines(transport)
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def client_for(self, base_url: str) -> httpx.Client:
        with self._lock:
            client = self._clients.get(base_url)
            if client is None:
                transport = self._transport
                if transport is None:
                    verify: ssl.SSLContext | bool = (
                        _tls_context() if base_url.startswith("https://") else True)
                    transport = httpx.HTTPTransport(verify=verify, trust_env=False)
                    bound_by_deadlines(transport)
                client = httpx.Client(
                    timeout=self._timeout, transport=transport,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    follow_redirects=False, trust_env=False,
                    event_hooks={"request": [self._start_deadline]})
                self._clients[base_url] = client
            return client

    def _start_deadline(self, request: httpx.Request) -> None:
        # Called by httpx on the thread that sends the request, before it connects; the reads of
        # the answer's body that follow on this thread count against the same deadline.
        _deadline.set(_Deadline(self.deadline))

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


# --- the deadline ----------------------------------------------------------------------------

class _Deadline:
    """The end of one request's time, and whether a read, write or connect was cut by it."""

    __slots__ = ("ends", "expired", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False


# The deadline of the request this thread is sending (set by the client's request hook).
_deadline: ContextVar[_Deadline | None] = ContextVar("myssl_deadline", default=None)


def expired_deadline() -> float | None:
    """The deadline, in seconds, that cut this thread's last request short; None if none did."""
    deadline = _deadline.get()
    return deadline.seconds if deadline is not None and deadline.expired else None


def end_deadline() -> None:
    """The request this thread was sending is over: later network I/O is not bound by it."""
    _deadline.set(None)


def _bounded(io: Callable[[float | None], T], timeout: float | None, too_late: type[Exception]) -> T:
    """Run one network step with `timeout` shortened to what is left of the request's deadline."""
    deadline = _deadline.get()
    if deadline is None:
        return io(timeout)
    left = deadline.ends - time.monotonic()
    if left <= 0:
        deadline.expired = True
        raise too_late(f"the request's deadline of {deadline.seconds:g} s has passed")
    if timeout is not None and timeout < left:
        return io(timeout)  # the step's own timeout comes first: an ordinary timeout
    try:
        return io(left)
    except httpcore.TimeoutException:
        deadline.expired = True
        raise


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(lambda t: self._stream.read(max_bytes, t), timeout, httpcore.ReadTimeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(lambda t: self._stream.write(buffer, t), timeout, httpcore.WriteTimeout)

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(lambda t: self._stream.start_tls(ssl_context, server_hostname, t),
                                        timeout, httpcore.ConnectTimeout))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    """Opens connections that keep to the deadline of the request being sent."""

    def __init__(self, backend: httpcore.NetworkBackend) -> None:
        self._backend = backend

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(
            lambda t: self._backend.connect_tcp(host, port, t, local_address, socket_options),
            timeout, httpcore.ConnectTimeout))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(_bounded(lambda t: self._backend.connect_unix_socket(path, t, socket_options),
                                        timeout, httpcore.ConnectTimeout))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


def bound_by_deadlines(transport: httpx.BaseTransport) -> bool:
    """Make `transport`'s connections keep to request deadlines; False when it cannot.

    httpx offers no public way to give its transport an httpcore network backend, so this sets the
    one its connection pool opens connections with (httpx 0.27-0.29, httpcore 1.x). Tests against
    a dripping server fail if a new httpx moves it.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if isinstance(backend, _DeadlineBackend):
        return True
    if not isinstance(pool, httpcore.ConnectionPool) or not isinstance(backend, httpcore.NetworkBackend):
        log.warning("%s: requests are not bounded by a deadline (this httpx is not one we know)",
                    type(transport).__name__)
        return False
    pool._network_backend = _DeadlineBackend(backend)
    return True


shared_pool = ConnectionPool()

__all__ = ["DEADLINE", "DEFAULT_BASE_URL", "TIMEOUT", "USER_AGENT", "ConnectionPool", "bound_by_deadlines",
           "end_deadline", "expired_deadline", "normalise_base_url", "shared_pool"]
