"""Fixtures for the sandbox tests: a sandbox on a free port driven by a fake clock, and
plain httpx clients (not the project's API client: the sandbox is tested on its own)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from myssl_desktop.sandbox import Sandbox

from .helpers import START, FakeClock, bearer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def make_sandbox(clock: FakeClock) -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes (fake clock by default); all are stopped after the test."""
    started: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        kwargs.setdefault("clock", clock)
        sandbox = Sandbox(**kwargs).start()
        started.append(sandbox)
        return sandbox

    yield make
    for sandbox in started:
        sandbox.stop()


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    # Enterprise: 3,000 a minute, so that tests not about limits never meet one while
    # the fake clock stands still.
    return make_sandbox(tier="enterprise")


@pytest.fixture
def make_client() -> Iterator[Callable[..., httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(sandbox: Sandbox, secret: str | None = None, **kwargs: Any) -> httpx.Client:
        headers = bearer(secret) if secret is not None else {}
        kwargs.setdefault("timeout", 10.0)
        kwargs.setdefault("verify", False)  # plain HTTP; skips loading CA bundles (slow)
        client = httpx.Client(base_url=sandbox.base_url, headers=headers, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def admin(sb: Sandbox, make_client: Callable[..., httpx.Client]) -> httpx.Client:
    """A client signed in with the sandbox's admin key (every permission)."""
    return make_client(sb, sb.admin_key)


@pytest.fixture
def anon(sb: Sandbox, make_client: Callable[..., httpx.Client]) -> httpx.Client:
    """A client without credentials (set headers per request)."""
    return make_client(sb)
