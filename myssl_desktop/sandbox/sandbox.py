"""The Sandbox: a local stand-in for the MySSL API that the app, its tests and its
benchmarks run against. Ties the store, the pipeline, the HTTP server, faults, the demo
seed and the traffic simulator together."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from .app import SandboxApp
from .credentials import PERMISSIONS
from .faults import FaultInjector
from .ratelimit import TIERS, RateLimiter
from .routes import API_ROOT, LATEST_VERSION
from .seed import seed_demo
from .server import SandboxHTTPServer
from .store import Store
from .timeutil import Clock
from .traffic import TrafficSimulator

ADMIN_KEY_NAME = "Sandbox admin"
SEEDS = ("demo",)
HOST = "127.0.0.1"


class Sandbox:
    """A MySSL API on 127.0.0.1, in a daemon thread.

    Everything time-based (timestamps, rate windows, expiry, requests_24h, usage days)
    reads `clock`, so tests can pass a fake clock and move it. `api_version="1.0"` serves the
    contract as it was before the v1.1 additions, like an older MySSL server.
    """

    def __init__(
        self,
        tier: str = "pro",
        seed: str | None = None,
        data_dir: str | Path | None = None,
        latency_ms: float = 0,
        fail_rate: float = 0.0,
        traffic: bool = False,
        clock: Clock | None = None,
        fault_seed: int | None = None,
        api_version: str = LATEST_VERSION,
    ) -> None:
        if tier not in TIERS:
            raise ValueError(f"tier must be one of {tuple(TIERS)}, not {tier!r}")
        if seed is not None and seed not in SEEDS:
            raise ValueError(f"seed must be None or one of {SEEDS}, not {seed!r}")
        self.tier = tier
        self._clock: Clock = clock or time.time
        self.faults = FaultInjector(fail_rate=fail_rate, latency_ms=latency_ms, seed=fault_seed)
        self.store = Store(self._clock, data_dir)
        self.limiter = RateLimiter(TIERS[tier], self._clock)
        self.app = SandboxApp(self.store, tier, self.limiter, api_version)
        self._admin_key = self._ensure_admin_key()
        # name -> (id, secret) of the demo keys, known only in the run that seeded them.
        self.demo_keys: dict[str, tuple[int, str]] = {}
        if seed == "demo" and self.store.get_meta("seeded") is None:
            result = seed_demo(self.store)
            self.demo_keys = result.keys
            self.store.set_meta("seeded", "demo")
            self.store.set_meta("traffic_key_ids", json.dumps(result.traffic_key_ids))
        self.traffic: TrafficSimulator | None = (
            TrafficSimulator(self.store, self._traffic_key_ids) if traffic else None
        )
        self._stop_event = threading.Event()
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # -- lifecycle ----------------------------------------------------------------------

    def start(self, port: int = 0) -> Sandbox:
        if self._stopped:
            raise RuntimeError("a stopped Sandbox cannot be started again; make a new one")
        if self._server is not None:
            return self
        self._server = SandboxHTTPServer((HOST, port), self.app, self.faults, self._stop_event)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02},
                                        name="sandbox-http", daemon=True)
        self._thread.start()
        if self.traffic is not None:
            self.traffic.start()
        return self

    def stop(self) -> None:
        """Stop serving, drop open connections, close the database. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        self._stop_event.set()  # also wakes requests sleeping their latency
        if self.traffic is not None:
            self.traffic.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.store.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- what callers read ----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}{API_ROOT}"

    @property
    def admin_key(self) -> str:
        """The secret of the "Sandbox admin" key, which holds every permission."""
        return self._admin_key

    @property
    def connections_opened(self) -> int:
        return 0 if self._server is None else self._server.connections_opened

    @property
    def requests_served(self) -> int:
        return 0 if self._server is None else self._server.requests_served

    def set_faults(self, latency_ms: float | None = None, fail_rate: float | None = None,
                   kinds: Iterable[str | int] | None = None) -> None:
        """Change faults at runtime. None keeps latency/rate as they are; kinds=None allows
        every kind ("500", "502", "503", "reset", "truncated")."""
        self.faults.configure(latency_ms=latency_ms, fail_rate=fail_rate, kinds=kinds)

    # -- internals ----------------------------------------------------------------------

    def _ensure_admin_key(self) -> str:
        """A valid admin secret for this run. Only hashes are stored, so a reopened data dir
        gets the same admin key (same id) with a fresh secret; a revoked one is replaced."""
        stored_id = self.store.get_meta("admin_key_id")
        if stored_id is not None:
            key = self.store.get_key(int(stored_id))
            if key is not None and key.status != "revoked":
                return self.store.replace_secret(key.id)
        key_id, secret = self.store.create_key(ADMIN_KEY_NAME, PERMISSIONS)
        self.store.set_meta("admin_key_id", str(key_id))
        return secret

    def _traffic_key_ids(self) -> list[int]:
        stored = self.store.get_meta("traffic_key_ids")
        if stored is not None:
            return list(json.loads(stored))
        # No demo seed: every key that has been used before, except the app's own.
        admin_id = int(self.store.get_meta("admin_key_id") or 0)
        return [k.id for k in self.store.list_keys(status="active")[0]
                if k.id != admin_id and k.last_used_at is not None]
