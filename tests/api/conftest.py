from __future__ import annotations

from collections.abc import Iterator

import pytest

from myssl_desktop.api import ConnectionPool, MysslClient, RetryPolicy
from myssl_desktop.sandbox import Sandbox


class SleepRecorder:
    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def retry(sleeps: SleepRecorder) -> RetryPolicy:
    """Real backoff arithmetic, but sleeps are recorded instead of slept."""
    return RetryPolicy(sleep=sleeps)


@pytest.fixture
def pool() -> Iterator[ConnectionPool]:
    pool = ConnectionPool()
    yield pool
    pool.close()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise") as sb:
        yield sb


@pytest.fixture
def client(sandbox: Sandbox, pool: ConnectionPool, retry: RetryPolicy) -> MysslClient:
    return MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool, retry=retry)
