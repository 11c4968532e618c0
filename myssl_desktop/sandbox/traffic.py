"""`--traffic`: a background thread that keeps some demo keys busy, so that last_used_at
and the counters move while the app is open.

It counts requests through the same Store.record_request the request pipeline uses, but
not through the rate limiter: simulated clients must never use up the account budget the
app's own key needs (on the free tier they would within the hour). Each burst comes from one
of the key's one or two made-up clients (`clients.made_up_clients`).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable

from .clients import made_up_clients
from .store import Store

TICK_SECONDS = (2.0, 5.0)


class TrafficSimulator:
    def __init__(self, store: Store, key_ids: Callable[[], list[int]],
                 rng: random.Random | None = None) -> None:
        self._store = store
        self._key_ids = key_ids
        self._rng = rng or random.Random()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ticks = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sandbox-traffic", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def tick(self) -> dict[int, int]:
        """One burst: a few of the keys make a few requests each. Returns key id -> requests."""
        made: dict[int, int] = {}
        if self._store.closed:
            return made
        with self._store.transaction():
            candidates = [key_id for key_id in self._key_ids() if self._is_live(key_id)]
            if not candidates:
                return made
            for key_id in self._rng.sample(candidates, k=self._rng.randint(1, min(3, len(candidates)))):
                made[key_id] = self._rng.randint(1, 5)
                client = self._rng.choice(made_up_clients(key_id))
                self._store.record_request(key_id, made[key_id], client=client)
        self.ticks += 1
        return made

    def _is_live(self, key_id: int) -> bool:
        key = self._store.get_key(key_id)
        return key is not None and key.status != "revoked"

    def _run(self) -> None:
        while not self._stop.wait(self._rng.uniform(*TICK_SECONDS)):
            try:
                self.tick()
            except Exception:  # a store closed under us at shutdown: just stop
                if self._stop.is_set():
                    return
                raise
