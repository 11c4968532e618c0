"""HTTP/1.1 transport for the sandbox: keep-alive, Content-Length on every answer, faults.

The request semantics live in app.SandboxApp; this module only moves bytes, counts
connections and requests, and misbehaves on purpose when faults are switched on.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .app import SandboxApp
from .clients import Client
from .faults import STATUS_FAULTS, FaultInjector, status_fault, truncate
from .responses import Response, error_response

MAX_BODY = 1 << 20  # 1 MiB: key requests are tiny; refuse anything silly


class BadBody(ValueError):
    """The request body cannot be framed (bad length or chunking)."""


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: SandboxApp, faults: FaultInjector,
                 stop_event: threading.Event) -> None:
        self.app = app
        self.faults = faults
        self.stop_event = stop_event
        self.connections_opened = 0
        self.requests_served = 0
        self._stats_lock = threading.Lock()
        self._open: set[socket.socket] = set()
        super().__init__(address, SandboxRequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind does a reverse DNS look-up (getfqdn), slow on some hosts.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._stats_lock:
            self.connections_opened += 1
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._stats_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def count_request(self) -> None:
        with self._stats_lock:
            self.requests_served += 1

    def close_connections(self) -> None:
        """Wake handler threads idling on keep-alive connections so that stop() is prompt."""
        with self._stats_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hung up, or a connection closed by stop(), is not worth a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, OSError) or self.stop_event.is_set():
            return
        traceback.print_exc(file=sys.stderr)


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server_version = "MySSLSandbox/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: SandboxHTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - base signature
        """Silent: request lines would end up next to the CLI's one line of stdout (and
        headers must never be logged)."""

    def _serve(self) -> None:
        server = self.server
        server.count_request()
        try:
            body = self._read_body()
        except BadBody as error:
            self.close_connection = True  # the stream can no longer be framed
            self._send(error_response(400, "Invalid request", str(error)))
            return
        fault = server.faults.roll()
        if fault in STATUS_FAULTS:
            response = status_fault(fault)  # the request is never applied
        else:
            response = self._apply(body)
        delay = server.faults.delay_seconds
        if delay > 0:
            server.stop_event.wait(delay)  # after the action, before the answer
        if fault == "reset":
            self._reset_connection()
            return
        if fault == "truncated":
            response = truncate(response)
        self._send(response)

    def __getattr__(self, name: str) -> Any:
        """Every method goes through the app, which answers a method the route lacks with the
        contract's 405 JSON and the rate-limit headers (TRACE, PROPFIND, made-up ones alike);
        the base class would answer 501 with an HTML page."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def _apply(self, body: bytes) -> Response:
        try:
            client = Client(str(self.client_address[0]), self.headers.get("User-Agent", ""))
            return self.server.app.handle(self.command, self.path,
                                          self.headers.get("Authorization"), body, client)
        except Exception:
            if not self.server.stop_event.is_set():
                traceback.print_exc(file=sys.stderr)
            return error_response(500, "Internal server error", "The sandbox failed unexpectedly")

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        if not raw.strip().isdigit():
            raise BadBody("Content-Length must be a non-negative integer")
        length = int(raw)
        if length > MAX_BODY:
            raise BadBody("The request body is too large")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(line, 16)
            except ValueError:
                raise BadBody("Malformed chunked body") from None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY:
                raise BadBody("The request body is too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk

    def _send(self, response: Response) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _reset_connection(self) -> None:
        """Drop the connection with a TCP RST and no answer at all."""
        self.close_connection = True
        try:
            # Linger 0: closing sends RST instead of FIN. The real close happens when the
            # handler's file objects are released, right after this request.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
