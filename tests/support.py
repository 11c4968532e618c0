"""Helpers shared by tests: key generation at run time, recording transports, fake clocks."""

from __future__ import annotations

import secrets
import string
import threading
from pathlib import Path

import httpx


def random_secret() -> str:
    """A well-formed key that no server knows (generated, never committed)."""
    alphabet = string.ascii_lowercase + string.digits
    return "myssl_k_" + "".join(secrets.choice(alphabet) for _ in range(40))


class FakeClock:
    """A clock for the sandbox (Unix seconds) that tests move by hand."""

    def __init__(self, start: float = 1_790_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class RecordingTransport(httpx.HTTPTransport):
    """A real HTTP transport that remembers the requests it sent (to check headers)."""

    def __init__(self, rewrite_auth: str | None = None) -> None:
        super().__init__()
        self.requests: list[httpx.Request] = []
        self._rewrite_auth = rewrite_auth

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._rewrite_auth is not None:
            request.headers["Authorization"] = self._rewrite_auth
        self.requests.append(request)
        return super().handle_request(request)


class MemoryKeyring:
    """An in-memory keyring backend for unit tests that do not test the keychain itself."""

    priority = 1

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("not found")


def files_containing(root: Path, text: str) -> list[Path]:
    """Every file under `root` whose bytes contain `text` (for leak tests)."""
    needle = text.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]
