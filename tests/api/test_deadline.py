"""Every request ends by the pool's deadline, by the wall clock, however slowly a server drips
its answer: one byte at a time never trips httpx's per-read timeout, the deadline does.

The servers here are tiny loopback socket servers written for the test (not the sandbox, whose
latency fault delays a whole answer rather than dripping it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx
import pytest

from myssl_desktop.api import (
    DEADLINE,
    AnswerTooSlow,
    ConnectionPool,
    MysslClient,
    NetworkError,
    RetryPolicy,
    shared_pool,
)
from myssl_desktop.sandbox import Sandbox
from tests.api.conftest import SleepRecorder
from tests.support import random_secret

SHORT_DEADLINE = 1.0  # seconds: the tests' deadline
MARGIN = 1.0  # seconds a call may take beyond it on a busy machine
GAP = 0.05  # seconds between two dripped bytes: far below any read timeout
BODY = b'{"api_key": {"id": 1}, "padding": "' + b"x" * 300 + b'"}'  # dripped whole: about 17 s


@dataclass
class DripServer:
    """Answers each request on loopback by sending `head` at once, then `drip` a byte every GAP s."""

    head: bytes
    drip: bytes
    requests: int = 0
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)

    def serve(self, listener: socket.socket) -> None:
        listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            received = b""
            while b"\r\n\r\n" not in received:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                received += chunk
            self.requests += 1
            try:
                conn.sendall(self.head)
                for byte in self.drip:
                    if self._stop.wait(GAP):
                        return
                    conn.sendall(bytes([byte]))
                self._stop.wait()  # never close first: a closed connection is another failure
            except OSError:  # the client gave up and closed the connection: what the test wants
                return


@contextmanager
def dripping(head: bytes, drip: bytes) -> Iterator[DripServer]:
    server = DripServer(head, drip)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        server.url = f"http://127.0.0.1:{listener.getsockname()[1]}/api/v1"
        thread = threading.Thread(target=server.serve, args=(listener,), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server._stop.set()
            thread.join()


def response_head(length: int) -> bytes:
    return (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
            .encode())


@pytest.fixture
def pool() -> Iterator[ConnectionPool]:
    pool = ConnectionPool(deadline=SHORT_DEADLINE)
    yield pool
    pool.close()


def timed_failure(call: object) -> tuple[BaseException, float]:
    started = time.monotonic()
    with pytest.raises(Exception) as caught:
        call()  # type: ignore[operator]
    return caught.value, time.monotonic() - started


def test_an_answer_dripped_from_its_first_byte_ends_at_the_deadline(pool: ConnectionPool,
                                                                   sleeps: SleepRecorder) -> None:
    with dripping(b"", response_head(len(BODY)) + BODY) as server:
        client = MysslClient(server.url, random_secret(), pool=pool, retry=RetryPolicy(sleep=sleeps))
        error, took = timed_failure(client.current)
    assert isinstance(error, AnswerTooSlow) and error.deadline == SHORT_DEADLINE
    assert SHORT_DEADLINE - 0.05 <= took < SHORT_DEADLINE + MARGIN, f"took {took:.2f} s"
    assert "answered too slowly" in str(error) and "1 s" in str(error)
    assert server.requests == 1 and sleeps.delays == []  # a GET this slow is not tried again


def test_a_body_dripped_after_prompt_headers_ends_at_the_deadline(pool: ConnectionPool) -> None:
    with dripping(response_head(len(BODY)), BODY) as server:
        client = MysslClient(server.url, random_secret(), pool=pool, retry=RetryPolicy(sleep=lambda s: None))
        error, took = timed_failure(lambda: client.create_key("Slow"))
    assert isinstance(error, AnswerTooSlow)
    assert SHORT_DEADLINE - 0.05 <= took < SHORT_DEADLINE + MARGIN, f"took {took:.2f} s"
    assert error.maybe_applied and "may or may not have been carried out" in str(error)
    assert server.requests == 1


def test_a_request_made_with_the_pools_client_directly_keeps_the_deadline(pool: ConnectionPool) -> None:
    with dripping(response_head(len(BODY)), BODY) as server:
        http = pool.client_for(server.url)
        error, took = timed_failure(lambda: http.get(server.url + "/api-keys/current"))
    assert isinstance(error, httpx.TimeoutException)
    assert took < SHORT_DEADLINE + MARGIN, f"took {took:.2f} s"


def test_a_silent_server_is_an_ordinary_timeout_and_gets_retried(sleeps: SleepRecorder) -> None:
    pool = ConnectionPool(timeout=httpx.Timeout(0.2), deadline=5.0)
    with dripping(b"", b"") as server:  # reads the request, never answers
        client = MysslClient(server.url, random_secret(), pool=pool, retry=RetryPolicy(sleep=sleeps))
        error, took = timed_failure(client.current)
    pool.close()
    assert isinstance(error, NetworkError) and not isinstance(error, AnswerTooSlow)
    assert "did not answer in time" in str(error)
    assert server.requests == 4 and len(sleeps.delays) == 3  # retries as before
    assert took < 5.0


def test_the_pool_still_works_after_a_deadline_cut_a_request(sandbox: Sandbox) -> None:
    pool = ConnectionPool(deadline=SHORT_DEADLINE)
    with dripping(b"", response_head(len(BODY)) + BODY) as server:
        with pytest.raises(AnswerTooSlow):
            MysslClient(server.url, random_secret(), pool=pool, retry=RetryPolicy(attempts=1)).current()
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool)
    for _ in range(3):  # the same thread, new deadlines: none left over from the cut request
        assert client.current().api_key.name == "Sandbox admin"
    pool.close()


def test_the_default_deadline_is_well_under_the_issues_seventy_seconds() -> None:
    assert shared_pool.deadline == ConnectionPool().deadline == DEADLINE
    assert 5 < DEADLINE <= 30
    with pytest.raises(ValueError):
        ConnectionPool(deadline=0)


def test_doctor_says_a_dripping_server_answers_too_slowly(pool: ConnectionPool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from myssl_desktop.api import transport
    from myssl_desktop.cli.doctor import _check_connection

    monkeypatch.setattr(transport, "shared_pool", pool)  # doctor's requests, with the tests' short deadline
    with dripping(b"", response_head(len(BODY)) + BODY) as server:
        ok, said = _check_connection(server.url)
    assert not ok and said == f"{server.url}: reachable, but it answered too slowly (no full answer within 1 s)"
