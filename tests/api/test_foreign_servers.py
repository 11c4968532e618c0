"""Servers that are not MySSL: a web page, garbage, an untrusted certificate."""

from __future__ import annotations

import http.server
import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from myssl_desktop.api import BadResponse, ConnectionPool, MysslClient, RetryPolicy, TlsError
from tests.support import random_secret


class _Answer(http.server.BaseHTTPRequestHandler):
    status = 200
    content_type = "text/html"
    body = b"<!DOCTYPE html><html><body>Welcome to nginx!</body></html>"

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(handler: type[http.server.BaseHTTPRequestHandler],
           context: ssl.SSLContext | None = None) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    scheme = "https" if context else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()


def _handler(status: int, content_type: str, body: bytes) -> type[_Answer]:
    return type("Handler", (_Answer,), {"status": status, "content_type": content_type, "body": body})


@pytest.mark.parametrize(("status", "content_type", "body", "words"), [
    (200, "text/html", _Answer.body, "web page"),
    (200, "application/json", b'{"hello": "world"}', "shape"),
    (200, "application/json", b"\x00\xff garbage", "JSON"),
    (404, "text/html", b"<html>Not Found</html>", "not be the MySSL API"),
    (401, "text/plain", b"Unauthorized", "not be the MySSL API"),
])
def test_a_server_that_is_not_myssl(status: int, content_type: str, body: bytes, words: str) -> None:
    for base_url in _serve(_handler(status, content_type, body)):
        client = MysslClient(base_url, random_secret(), pool=ConnectionPool(),
                             retry=RetryPolicy(attempts=1))
        with pytest.raises(BadResponse) as caught:
            client.current()
        assert words in str(caught.value)


@pytest.fixture
def self_signed(tmp_path: Path) -> ssl.SSLContext:
    openssl = shutil.which("openssl")
    assert openssl, "openssl is installed by packaging/dev/setup.sh"
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_an_untrusted_certificate_is_a_tls_error(self_signed: ssl.SSLContext) -> None:
    secret = random_secret()
    for base_url in _serve(_Answer, self_signed):
        client = MysslClient(base_url, secret, pool=ConnectionPool(), retry=RetryPolicy(attempts=1))
        with pytest.raises(TlsError) as caught:
            client.current()
        assert "certificate" in str(caught.value)
        assert secret not in repr(caught.value)
