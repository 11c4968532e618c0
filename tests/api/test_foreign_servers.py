"""Servers that are not MySSL: a web page, garbage, an untrusted certificate."""

from __future__ import annotations

from pathlib import Path

import pytest

from myssl_desktop.api import BadResponse, ConnectionPool, MysslClient, RetryPolicy, TlsError
from tests.support import answering, random_secret, self_signed_context, serve_http

HTML = b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"


@pytest.mark.parametrize(("status", "content_type", "body", "words"), [
    (200, "text/html", HTML, "web page"),
    (200, "application/json", b'{"hello": "world"}', "shape"),
    (200, "application/json", b"\x00\xff garbage", "JSON"),
    (404, "text/html", b"<html>Not Found</html>", "not be the MySSL API"),
    (401, "text/plain", b"Unauthorized", "not be the MySSL API"),
])
def test_a_server_that_is_not_myssl(status: int, content_type: str, body: bytes, words: str) -> None:
    with serve_http(answering(status, content_type, body)) as base_url:
        client = MysslClient(base_url, random_secret(), pool=ConnectionPool(),
                             retry=RetryPolicy(attempts=1))
        with pytest.raises(BadResponse) as caught:
            client.current()
        assert words in str(caught.value)


def test_an_untrusted_certificate_is_a_tls_error(tmp_path: Path) -> None:
    secret = random_secret()
    with serve_http(answering(), self_signed_context(tmp_path)) as base_url:
        client = MysslClient(base_url.replace("http://", "https://"), secret, pool=ConnectionPool(),
                             retry=RetryPolicy(attempts=1))
        with pytest.raises(TlsError) as caught:
            client.current()
        assert "certificate" in str(caught.value)
        assert secret not in repr(caught.value)


def test_https_verifies_through_the_os_trust_store() -> None:
    import truststore

    pool = ConnectionPool()
    client = pool.client_for("https://myssl.info/api/v1")
    # httpx keeps the context on its connection pool; truststore's context asks the OS.
    assert isinstance(client._transport._pool._ssl_context, truststore.SSLContext)
    assert client is pool.client_for("https://myssl.info/api/v1")  # one client per base URL
    pool.close()
