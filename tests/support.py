"""Helpers shared by tests: key generation at run time, recording transports, fake clocks."""

from __future__ import annotations

import contextlib
import http.server
import importlib.util
import secrets
import shutil
import socket
import ssl
import string
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

from myssl_desktop.keychain import DemoKeyring


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


# The sandbox's in-memory keyring doubles as the unit tests' keyring.
MemoryKeyring = DemoKeyring


def files_containing(root: Path, text: str) -> list[Path]:
    """Every file under `root` whose bytes contain `text` (for leak tests)."""
    needle = text.encode()
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


class _Answer(http.server.BaseHTTPRequestHandler):
    """Answers every GET with one fixed response: a stand-in for servers that are not MySSL."""

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


def answering(status: int = 200, content_type: str = "text/html",
              body: bytes = _Answer.body) -> type[http.server.BaseHTTPRequestHandler]:
    return type("Handler", (_Answer,), {"status": status, "content_type": content_type, "body": body})


@contextlib.contextmanager
def serve_http(handler: type[http.server.BaseHTTPRequestHandler],
               context: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve `handler` on a free loopback port; yields the /api/v1 base URL."""
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


def self_signed_context(folder: Path) -> ssl.SSLContext:
    """A TLS server context with a fresh self-signed certificate (made with openssl)."""
    openssl = shutil.which("openssl")
    assert openssl, "openssl is installed by packaging/dev/setup.sh"
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def closed_port_url() -> str:
    """A loopback base URL where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/v1"


class LoseAnswers(httpx.HTTPTransport):
    """Sends requests for real, but loses the answer of the first `count` requests whose
    method is in `methods`: the server acted, the client never hears (a dropped network)."""

    def __init__(self, methods: tuple[str, ...] = ("POST", "PATCH"), count: int = 1) -> None:
        super().__init__()
        self.methods = methods
        self.count = count

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method in self.methods and self.count > 0:
            self.count -= 1
            response.read()
            response.close()
            raise httpx.ReadError("connection reset by peer", request=request)
        return response


class ProxyRefuses(httpx.HTTPTransport):
    """A proxy in front of the server that answers 503 with a web page, without passing them on,
    for the requests of `methods` whose path ends with `suffix`; the rest go through."""

    def __init__(self, suffix: str = "", methods: tuple[str, ...] = ("GET", "POST", "PATCH")) -> None:
        super().__init__()
        self.suffix = suffix
        self.methods = methods

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in self.methods and request.url.path.endswith(self.suffix):
            return httpx.Response(503, headers={"Content-Type": "text/html"}, content=b"<html>busy</html>")
        return super().handle_request(request)


class FakeClipboard:
    """Stands in for the system clipboard (flaky in tests): holds one QMimeData, counts reads and clears."""

    def __init__(self) -> None:
        self.data = None  # a QMimeData
        self.clears = 0
        self.reads = 0

    def set_mime_data(self, data) -> None:  # noqa: ANN001 - a QMimeData
        self.data = data

    def text(self) -> str:
        self.reads += 1
        return self.data.text() if self.data is not None else ""

    def clear(self) -> None:
        self.data = None
        self.clears += 1

    def user_copies(self, text: str) -> None:
        """The user copies something else: the clipboard is no longer ours."""
        from PySide6.QtCore import QMimeData

        data = QMimeData()
        data.setText(text)
        self.data = data


def load_module_file(path: Path) -> ModuleType:
    """A fresh, unregistered copy of a module that is not in a package (build scripts,
    runtime hooks, pytest plugins), so a test can change its globals freely."""
    spec = importlib.util.spec_from_file_location(f"{path.stem}_under_test", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def add_settled_window(qtbot, window, wind_down: Callable[[Any], None] | None = None,  # noqa: ANN001
                       timeout_ms: int = 20_000) -> None:
    """`qtbot.addWidget(window)`, waiting first for its background tasks. pytest-qt closes, and
    so deletes, its widgets before fixtures tear down: a refresh still running then loses its
    result with the window, never counts as finished, and a teardown waiting for it times out."""
    def before_close(w) -> None:  # noqa: ANN001
        qtbot.waitUntil(lambda: w.ops.pending == 0, timeout=timeout_ms)
        if wind_down is not None:
            wind_down(w)

    qtbot.addWidget(window, before_close_func=before_close)


class FaultOnce(httpx.HTTPTransport):
    """Sends requests for real, and switches one of the sandbox's faults (say "truncated") on for
    the first request with `method` alone: the requests before it and the checks after it see a
    healthy server."""

    def __init__(self, sandbox: Any, method: str = "POST", kind: str = "truncated") -> None:
        super().__init__()
        self.sandbox = sandbox
        self.method = method
        self.kind = kind
        self.hit = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.method != self.method or self.hit:
            return super().handle_request(request)
        self.hit = True
        self.sandbox.set_faults(fail_rate=1.0, kinds=[self.kind])
        try:
            return super().handle_request(request)  # the answer's headers: the server chose its fault
        finally:
            self.sandbox.set_faults(fail_rate=0.0)
