"""Connections: one pooled `httpx.Client` per base URL, TLS verified by the OS trust store."""

from __future__ import annotations

import ipaddress
import ssl
import threading
from urllib.parse import urlsplit

import httpx

from .. import __version__
from .errors import InsecureUrl
from .models import DEFAULT_BASE_URL

TIMEOUT = httpx.Timeout(connect=5.0, read=15.0, write=15.0, pool=5.0)
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

    Thread-safe: workers on several threads share a client (httpx.Client is thread-safe).
    """

    def __init__(self, *, timeout: httpx.Timeout = TIMEOUT,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._timeout = timeout
        self._transport = transport
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def client_for(self, base_url: str) -> httpx.Client:
        with self._lock:
            client = self._clients.get(base_url)
            if client is None:
                verify: ssl.SSLContext | bool = (
                    _tls_context() if base_url.startswith("https://") else True)
                client = httpx.Client(
                    timeout=self._timeout, verify=verify, transport=self._transport,
                    headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                    follow_redirects=False, trust_env=False)
                self._clients[base_url] = client
            return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()


shared_pool = ConnectionPool()

__all__ = ["DEFAULT_BASE_URL", "TIMEOUT", "USER_AGENT", "ConnectionPool", "normalise_base_url", "shared_pool"]
