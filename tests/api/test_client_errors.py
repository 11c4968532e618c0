"""Every documented failure maps to its own exception, with a message and no secret."""

from __future__ import annotations

import http.server
import json
import logging
import socket
import traceback

import httpx
import pytest

from myssl_desktop.api import (
    AccessDenied,
    AuthenticationRequired,
    BadResponse,
    ConnectionPool,
    InsecureUrl,
    InvalidApiKey,
    InvalidRequest,
    KeyLimitReached,
    MalformedKey,
    MysslClient,
    NetworkError,
    NotFound,
    RateLimited,
    RetryPolicy,
    SecretUnreadable,
    ServerError,
    normalise_base_url,
)
from myssl_desktop.sandbox import Sandbox
from tests.api.conftest import SleepRecorder
from tests.support import FakeClock, RecordingTransport, answering, random_secret, serve_http

NO_RETRY = RetryPolicy(attempts=1)


def assert_no_secret(error: BaseException, secret: str) -> None:
    text = "".join(traceback.format_exception(error)) + repr(error) + str(error)
    assert secret not in text
    assert str(error).strip(), "every error needs a message a person can act on"


def test_malformed_key_is_refused_before_any_request(sandbox: Sandbox) -> None:
    before = sandbox.requests_served
    for bad in ("", "myssl_k_", "sk_live_abc", "myssl_k_abc-def", "myssl_k_abc def", " myssl_k_abc"):
        with pytest.raises(MalformedKey):
            MysslClient(sandbox.base_url, bad)
    assert sandbox.requests_served == before


def test_authentication_required_from_the_server(sandbox: Sandbox) -> None:
    pool = ConnectionPool(transport=RecordingTransport(rewrite_auth="Bearer not-a-key"))
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool, retry=NO_RETRY)
    with pytest.raises(AuthenticationRequired) as caught:
        client.current()
    assert caught.value.status == 401
    assert_no_secret(caught.value, sandbox.admin_key)


def test_unknown_key_is_invalid(sandbox: Sandbox, pool: ConnectionPool) -> None:
    secret = random_secret()
    with pytest.raises(InvalidApiKey) as caught:
        MysslClient(sandbox.base_url, secret, pool=pool).current()
    assert "revoked" in str(caught.value)
    assert_no_secret(caught.value, secret)


def test_access_denied_names_the_missing_permission(
        client: MysslClient, sandbox: Sandbox, pool: ConnectionPool) -> None:
    narrow = client.create_key("Reader", ["domains:read"])
    reader = MysslClient(sandbox.base_url, narrow.secret, pool=pool)
    with pytest.raises(AccessDenied) as caught:
        reader.list_keys()
    assert caught.value.permission == "keys:read" and "keys:read" in str(caught.value)
    assert caught.value.rate_limit is not None  # 403 carries the rate-limit headers
    with pytest.raises(AccessDenied):
        reader.billing_usage()
    with pytest.raises(AccessDenied):  # create beyond the caller's own permissions
        MysslClient(sandbox.base_url, client.create_key("Manager", ["keys:manage"]).secret,
                    pool=pool).create_key("Escalate", ["billing:read"])
    assert_no_secret(caught.value, narrow.secret.reveal())


def test_not_found(client: MysslClient) -> None:
    with pytest.raises(NotFound) as caught:
        client.get_key(987654)
    assert "Refresh" in str(caught.value)


def test_invalid_request_says_which_field(client: MysslClient) -> None:
    with pytest.raises(InvalidRequest) as caught:
        client.create_key("   ")
    assert "name" in str(caught.value)
    with pytest.raises(InvalidRequest):
        client.create_key("x", ["domains:fly"])
    with pytest.raises(InvalidRequest):
        client.key_usage(client.current().api_key.id, days=91)


def test_key_limit_reached(client: MysslClient) -> None:
    for number in range(24):  # the admin key is the 25th active key
        client.create_key(f"Key {number}", ["domains:read"])
    with pytest.raises(KeyLimitReached) as caught:
        client.create_key("One too many")
    assert caught.value.status == 409 and "Revoke" in str(caught.value)


def test_rate_limited_get_waits_as_told_then_succeeds() -> None:
    clock = FakeClock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    with Sandbox(tier="free", clock=clock) as sb:
        client = MysslClient(sb.base_url, sb.admin_key, pool=ConnectionPool(),
                             retry=RetryPolicy(sleep=sleep, max_wait=120))
        for _ in range(10):
            client.current()
        assert client.current().api_key.name == "Sandbox admin"  # 429, waited, retried
        assert len(slept) == 1 and 1 <= slept[0] <= 60


def test_rate_limited_beyond_max_wait_is_handed_to_the_caller() -> None:
    with Sandbox(tier="free", clock=FakeClock()) as sb:
        client = MysslClient(sb.base_url, sb.admin_key, pool=ConnectionPool(),
                             retry=RetryPolicy(sleep=lambda s: None, max_wait=0))
        for _ in range(10):
            client.current()
        with pytest.raises(RateLimited) as caught:
            client.current()
        assert 1 <= caught.value.retry_after <= 60
        assert caught.value.rate_limit is not None and caught.value.rate_limit.minute_remaining == 0
        with pytest.raises(RateLimited):  # POSTs are never retried, just reported
            client.create_key("x")


@pytest.mark.parametrize("kind", ["502", "503"])
def test_gets_are_retried_on_gateway_errors(kind: str, sandbox: Sandbox, client: MysslClient,
                                            sleeps: SleepRecorder) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=[kind])
    before = sandbox.requests_served
    with pytest.raises(ServerError) as caught:
        client.list_keys()
    assert sandbox.requests_served - before == 4
    assert len(sleeps.delays) == 3
    assert all(0 <= d <= 8 for d in sleeps.delays)
    assert caught.value.status == int(kind)


def test_server_error_500_is_not_retried(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["500"])
    before = sandbox.requests_served
    with pytest.raises(ServerError):
        client.current()
    assert sandbox.requests_served - before == 1


def test_posts_are_never_retried(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["503"])
    before = sandbox.requests_served
    with pytest.raises(ServerError):
        client.create_key("Never twice")
    assert sandbox.requests_served - before == 1
    sandbox.set_faults(fail_rate=0.0)
    assert client.all_keys(search="Never twice") == []


def test_truncated_json_is_a_bad_response(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["truncated"])
    with pytest.raises(BadResponse) as caught:
        client.current()
    assert "JSON" in str(caught.value)


def test_reset_after_a_post_says_it_may_have_happened(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["reset"])
    with pytest.raises(NetworkError) as caught:
        client.create_key("Lost answer")
    assert caught.value.maybe_applied and "may or may not" in str(caught.value)
    sandbox.set_faults(fail_rate=0.0)
    assert [k.name for k in client.all_keys(search="Lost answer")] == ["Lost answer"]


def test_connection_refused_is_a_network_error(pool: ConnectionPool) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = random_secret()
    client = MysslClient(f"http://127.0.0.1:{port}/api/v1", secret, pool=pool,
                         retry=RetryPolicy(sleep=lambda s: None))
    with pytest.raises(NetworkError) as caught:
        client.create_key("x")
    assert not caught.value.maybe_applied
    assert "Could not connect" in str(caught.value)
    assert_no_secret(caught.value, secret)


def test_a_slow_server_times_out(sandbox: Sandbox) -> None:
    sandbox.set_faults(latency_ms=1500)
    pool = ConnectionPool(timeout=httpx.Timeout(0.3))
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool, retry=NO_RETRY)
    with pytest.raises(NetworkError) as caught:
        client.create_key("Slow")
    assert caught.value.maybe_applied and "in time" in str(caught.value)
    pool.close()


def test_plain_http_is_refused_except_to_this_machine() -> None:
    for url in ("http://myssl.info/api/v1", "http://10.0.0.1/api/v1", "ftp://x/y", "not a url"):
        with pytest.raises(InsecureUrl):
            normalise_base_url(url)
    assert normalise_base_url("https://myssl.info/api/v1/") == "https://myssl.info/api/v1"
    for url in ("http://127.0.0.1:8080/api/v1", "http://localhost/api/v1", "http://[::1]:9/api/v1"):
        assert normalise_base_url(url) == url


def test_logs_never_hold_the_secret(caplog: pytest.LogCaptureFixture, sandbox: Sandbox,
                                    client: MysslClient) -> None:
    caplog.set_level(logging.DEBUG)
    client.current()
    sandbox.set_faults(fail_rate=1.0, kinds=["503"])
    with pytest.raises(ServerError):
        client.list_keys()
    assert caplog.records, "debug logging should have produced records to check"
    assert sandbox.admin_key not in caplog.text


def test_a_truncated_create_says_the_secret_could_not_be_read(sandbox: Sandbox, client: MysslClient) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["truncated"])
    before = sandbox.requests_served
    with pytest.raises(SecretUnreadable) as caught:
        client.create_key("Cut off")
    error = caught.value
    assert isinstance(error, NetworkError) and error.maybe_applied  # what rotation and KeyActions reconcile
    assert error.key_id is None and error.status == 200
    assert "could not be read" in str(error) and "Try again" not in str(error)
    assert sandbox.requests_served - before == 1  # never repeated
    sandbox.set_faults(fail_rate=0.0)
    assert [k.name for k in client.all_keys(search="Cut off")] == ["Cut off"]  # it was made


def test_a_truncated_regenerate_says_the_old_secret_is_dead(sandbox: Sandbox, client: MysslClient,
                                                           pool: ConnectionPool) -> None:
    made = client.create_key("Regenerated", ["domains:read"])
    sandbox.set_faults(fail_rate=1.0, kinds=["truncated"])
    with pytest.raises(SecretUnreadable) as caught:
        client.regenerate_key(made.api_key.id)
    assert caught.value.key_id == made.api_key.id and caught.value.maybe_applied
    assert "no longer works" in str(caught.value)
    sandbox.set_faults(fail_rate=0.0)
    with pytest.raises(InvalidApiKey):
        MysslClient(sandbox.base_url, made.secret, pool=pool).current()


def created_without_secret() -> type[http.server.BaseHTTPRequestHandler]:
    """Answers every POST 201 with a well-formed key but a secret that is not a MySSL key."""
    key = {"id": 7, "name": "Bot", "prefix": "myssl_k_a1b2", "permissions": ["domains:read"],
           "status": "active", "created_at": "2025-01-12T10:30:00Z", "last_used_at": None,
           "request_count": 0, "requests_24h": 0, "expires_at": None, "revoked_at": None}
    answer = answering(201, "application/json", json.dumps({"api_key": key, "secret": "<html>"}).encode())

    class Handler(answer):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.do_GET()

    return Handler


def test_a_success_to_create_without_a_usable_secret_is_unreadable_too(pool: ConnectionPool) -> None:
    with serve_http(created_without_secret()) as url:
        client = MysslClient(url, random_secret(), pool=pool, retry=NO_RETRY)
        with pytest.raises(SecretUnreadable) as caught:
            client.create_key("Bot")
        assert caught.value.status == 201
        with pytest.raises(SecretUnreadable) as caught:
            client.regenerate_key(7)
        assert caught.value.key_id == 7
