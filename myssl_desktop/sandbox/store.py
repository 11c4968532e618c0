"""SQLite storage for the sandbox account: keys, their usage, domains, a little metadata.

One connection guarded by one re-entrant lock: the HTTP handler threads take the lock for
a whole request (see `transaction`), so authentication, counting and the action are atomic.
Only SHA-256 hashes of secrets are kept.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .clients import Client
from .credentials import (
    decode_permissions,
    encode_permissions,
    fast_secrets,
    hash_secret,
    new_secret,
    prefix_of,
)
from .timeutil import DAY, Clock, day_of, shift_day, to_seconds

DB_FILENAME = "sandbox.sqlite3"
KEY_STATUSES = ("active", "expiring", "revoked")
EVENT_PRUNE_EVERY = 60.0  # seconds of clock time between deletions of old events
CLIENT_HOURS = 720  # how far back a key's clients are kept (the widest `hours` of /clients)
MAX_CLIENTS = 100  # the most clients one answer lists

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    prefix        TEXT    NOT NULL,
    secret_hash   TEXT    NOT NULL UNIQUE,
    permissions   TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER,
    request_count INTEGER NOT NULL DEFAULT 0,
    expires_at    INTEGER,
    revoked_at    INTEGER
);
CREATE INDEX IF NOT EXISTS api_keys_newest ON api_keys (created_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS api_keys_expiry ON api_keys (expires_at)
    WHERE revoked_at IS NULL AND expires_at IS NOT NULL;
-- One row per request (or per seeded batch) of the last 24 h: requests_24h is exact.
CREATE TABLE IF NOT EXISTS key_events (
    key_id INTEGER NOT NULL,
    ts     REAL    NOT NULL,
    n      INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS key_events_by_key ON key_events (key_id, ts);
CREATE INDEX IF NOT EXISTS key_events_by_ts ON key_events (ts);
-- Who made the requests of the last CLIENT_HOURS: one row per request (or seeded batch).
CREATE TABLE IF NOT EXISTS client_events (
    key_id     INTEGER NOT NULL,
    ts         REAL    NOT NULL,
    n          INTEGER NOT NULL,
    address    TEXT    NOT NULL,
    user_agent TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS client_events_by_key ON client_events (key_id, ts);
CREATE INDEX IF NOT EXISTS client_events_by_ts ON client_events (ts);
-- Daily history for the usage endpoints.
CREATE TABLE IF NOT EXISTS key_usage_daily (
    key_id   INTEGER NOT NULL,
    day      TEXT    NOT NULL,
    requests INTEGER NOT NULL,
    PRIMARY KEY (key_id, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS domains (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    hostname             TEXT    NOT NULL,
    port                 INTEGER NOT NULL DEFAULT 443,
    ssl_grade            TEXT,
    ssl_score            INTEGER,
    certificate_expiry   TEXT,
    last_scan            INTEGER,
    is_active            INTEGER NOT NULL DEFAULT 1,
    monitoring_frequency TEXT,
    created_at           INTEGER NOT NULL
);
"""

_KEY_COLUMNS = """
    k.id, k.name, k.prefix, k.permissions, k.created_at, k.last_used_at, k.request_count,
    COALESCE((SELECT SUM(e.n) FROM key_events e WHERE e.key_id = k.id AND e.ts > :since), 0),
    k.expires_at, k.revoked_at
"""

# Status is derived from the timestamps, so it can never disagree with them.
_STATUS_WHERE = {
    "active": "k.revoked_at IS NULL AND k.expires_at IS NULL",
    "expiring": "k.revoked_at IS NULL AND k.expires_at IS NOT NULL",
    "revoked": "k.revoked_at IS NOT NULL",
}

_UNSET: Any = object()


@dataclass(frozen=True)
class KeyRow:
    id: int
    name: str
    prefix: str
    permissions: list[str]
    created_at: int
    last_used_at: int | None
    request_count: int
    requests_24h: int
    expires_at: int | None
    revoked_at: int | None

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None:
            return "expiring"
        return "active"


@dataclass(frozen=True)
class ClientRow:
    """One (address, user agent) pair that used a key within a window."""

    address: str
    user_agent: str
    first_seen: float
    last_seen: float
    requests: int


@dataclass(frozen=True)
class DomainRow:
    id: int
    hostname: str
    port: int
    ssl_grade: str | None
    ssl_score: int | None
    certificate_expiry: str | None
    last_scan: int | None
    is_active: bool
    monitoring_frequency: str | None
    created_at: int


def _ci_contains(haystack: str | None, needle: str) -> bool:
    # Python's casefold, not SQLite's ASCII-only lower(): names may be in any language.
    return haystack is not None and needle.casefold() in haystack.casefold()


class Store:
    def __init__(self, clock: Clock, data_dir: str | Path | None = None) -> None:
        self._clock = clock
        self._lock = threading.RLock()
        self._depth = 0
        self._last_prune = float("-inf")
        if data_dir is None:
            target = ":memory:"
        else:
            Path(data_dir).mkdir(parents=True, exist_ok=True)
            target = str(Path(data_dir) / DB_FILENAME)
        self.path = None if data_dir is None else Path(target)
        # Autocommit mode: `transaction` issues BEGIN/COMMIT itself, once per request.
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.create_function("ci_contains", 2, _ci_contains, deterministic=True)
        if data_dir is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._closed = False

    # -- plumbing -----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and group writes into one commit; nests (only the outermost commits)."""
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the sandbox store is closed")
            outermost = self._depth == 0
            if outermost:
                self._db.execute("BEGIN")
            self._depth += 1
            try:
                yield
            except BaseException:
                self._depth -= 1
                if outermost:
                    self._db.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outermost:
                self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    @property
    def closed(self) -> bool:
        return self._closed

    def now(self) -> float:
        return self._clock()

    def get_meta(self, key: str) -> str | None:
        with self.transaction():
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def sweep(self) -> None:
        """Apply due scheduled revokes (revoked_at = expires_at) and drop events older than
        24 h (client events: older than CLIENT_HOURS).

        Called lazily before every read, so an expiry takes effect exactly when the clock
        passes it, whichever request notices first.
        """
        with self.transaction():
            now = self._clock()
            self._db.execute(
                "UPDATE api_keys SET revoked_at = expires_at "
                "WHERE revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= ?",
                (now,),
            )
            if not (0 <= now - self._last_prune < EVENT_PRUNE_EVERY):
                self._db.execute("DELETE FROM key_events WHERE ts <= ?", (now - DAY,))
                self._db.execute("DELETE FROM client_events WHERE ts <= ?", (now - CLIENT_HOURS * 3600,))
                self._last_prune = now

    # -- keys: writes -------------------------------------------------------------------

    def create_key(
        self,
        name: str,
        permissions: Iterable[str],
        created_at: float | str | None = None,
        last_used_at: float | str | None = None,
        status: str = "active",
        expires_at: float | str | None = None,
        revoked_at: float | str | None = None,
        request_count: int = 0,
    ) -> tuple[int, str]:
        """Insert a key as given (no contract checks: this is for fixtures and seeding).

        Timestamps may be Unix seconds, ISO strings or datetimes. The status follows the
        timestamps (an `expires_at` makes the key expiring, a `revoked_at` revoked);
        `status="expiring"` without `expires_at` schedules the revoke a week ahead, and
        `status="revoked"` without `revoked_at` revokes it now. An `expires_at` already in the
        past takes effect at the next read, like any expiry (revoked_at = expires_at).
        """
        if status not in KEY_STATUSES:
            raise ValueError(f"status must be one of {KEY_STATUSES}, not {status!r}")
        now = self._clock()
        created = to_seconds(created_at) if created_at is not None else int(now)
        expires = to_seconds(expires_at)
        revoked = to_seconds(revoked_at)
        if status == "expiring" and expires is None:
            expires = int(now) + 7 * DAY
        if status == "revoked" and revoked is None:
            revoked = int(now)
        secret = new_secret()
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO api_keys (name, prefix, secret_hash, permissions, created_at, "
                "last_used_at, request_count, expires_at, revoked_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (name, prefix_of(secret), hash_secret(secret), encode_permissions(permissions),
                 created, to_seconds(last_used_at), request_count, expires, revoked),
            )
            key_id = cursor.lastrowid
        assert key_id is not None
        return key_id, secret

    def bulk_insert_keys(
        self,
        n: int,
        name_prefix: str = "Bulk key",
        permissions: Iterable[str] = ("domains:read",),
    ) -> None:
        """Insert `n` active keys in one executemany (benchmarks list 10,000 keys).

        Their secrets are thrown away. Creation times step back one second per key so that
        the newest-first order is the insertion order reversed.
        """
        now = int(self._clock())
        perms = encode_permissions(permissions)
        rows = [
            (f"{name_prefix} {i + 1}", prefix_of(secret), hash_secret(secret), perms, now - (n - i))
            for i, secret in enumerate(fast_secrets(n))
        ]
        with self.transaction():
            self._db.executemany(
                "INSERT INTO api_keys (name, prefix, secret_hash, permissions, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                rows,
            )

    def update_key(self, key_id: int, *, name: Any = _UNSET, expires_at: Any = _UNSET) -> None:
        """Change the name and/or the scheduled revoke (None cancels it)."""
        with self.transaction():
            if name is not _UNSET:
                self._db.execute("UPDATE api_keys SET name = ? WHERE id = ?", (name, key_id))
            if expires_at is not _UNSET:
                self._db.execute(
                    "UPDATE api_keys SET expires_at = ? WHERE id = ?",
                    (to_seconds(expires_at), key_id),
                )

    def set_last_used(self, key_id: int, ts: float | str | None) -> None:
        with self.transaction():
            self._db.execute("UPDATE api_keys SET last_used_at = ? WHERE id = ?",
                             (to_seconds(ts), key_id))

    def replace_secret(self, key_id: int) -> str:
        """Regenerate: a new secret and prefix, everything else kept; the old hash is gone."""
        secret = new_secret()
        with self.transaction():
            self._db.execute(
                "UPDATE api_keys SET prefix = ?, secret_hash = ? WHERE id = ?",
                (prefix_of(secret), hash_secret(secret), key_id),
            )
        return secret

    def revoke_key(self, key_id: int) -> None:
        """Revoke now; a second call changes nothing. Clears any scheduled revoke."""
        with self.transaction():
            self._db.execute(
                "UPDATE api_keys SET revoked_at = ?, expires_at = NULL "
                "WHERE id = ? AND revoked_at IS NULL",
                (int(self._clock()), key_id),
            )

    # -- keys: reads --------------------------------------------------------------------

    def find_by_secret(self, secret: str) -> KeyRow | None:
        return self._one_key("k.secret_hash = :value", hash_secret(secret))

    def get_key(self, key_id: int) -> KeyRow | None:
        return self._one_key("k.id = :value", key_id)

    def list_keys(
        self,
        status: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[KeyRow], int]:
        """Newest first (created_at, then id), with the total count of the filtered set."""
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if status is not None:
            clauses.append(_STATUS_WHERE[status])
        if search:
            clauses.append("(ci_contains(k.name, :search) OR ci_contains(k.prefix, :search))")
            params["search"] = search
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self.transaction():
            self.sweep()
            total = self._db.execute(f"SELECT COUNT(*) FROM api_keys k {where}", params).fetchone()[0]
            params.update(since=self._clock() - DAY, limit=-1 if limit is None else limit,
                          offset=offset)
            rows = self._db.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys k {where} "
                "ORDER BY k.created_at DESC, k.id DESC LIMIT :limit OFFSET :offset",
                params,
            ).fetchall()
        return [_key_row(r) for r in rows], total

    def count_active_keys(self) -> int:
        """Keys that count toward max_active_keys: `active` or `expiring`."""
        with self.transaction():
            self.sweep()
            count: int = self._db.execute(
                "SELECT COUNT(*) FROM api_keys WHERE revoked_at IS NULL"
            ).fetchone()[0]
            return count

    def _one_key(self, where: str, value: Any) -> KeyRow | None:
        with self.transaction():
            self.sweep()
            row = self._db.execute(
                f"SELECT {_KEY_COLUMNS} FROM api_keys k WHERE {where}",
                {"value": value, "since": self._clock() - DAY},
            ).fetchone()
        return None if row is None else _key_row(row)

    # -- usage --------------------------------------------------------------------------

    def record_request(self, key_id: int, n: int = 1, client: Client | None = None) -> None:
        """Count `n` requests made now with this key: last use, totals, 24 h events, the day,
        and who made them (`client`)."""
        with self.transaction():
            now = self._clock()
            self._db.execute(
                "UPDATE api_keys SET last_used_at = ?, request_count = request_count + ? "
                "WHERE id = ?",
                (int(now), n, key_id),
            )
            self._db.execute("INSERT INTO key_events (key_id, ts, n) VALUES (?, ?, ?)",
                             (key_id, now, n))
            self._add_day(key_id, day_of(now), n)
            if client is not None:
                self.add_client_use(key_id, now, n, client)

    def add_client_use(self, key_id: int, ts: float, n: int, client: Client) -> None:
        """`n` requests at instant `ts` made by `client`, for the key's clients only (seeding
        pairs it with add_usage and add_events)."""
        with self.transaction():
            self._db.execute(
                "INSERT INTO client_events (key_id, ts, n, address, user_agent) VALUES (?, ?, ?, ?, ?)",
                (key_id, ts, n, client.address, client.user_agent))

    def key_clients(self, key_id: int, hours: int) -> list[ClientRow]:
        """The distinct (address, user agent) pairs that used the key in the last `hours`, most
        recent first, at most MAX_CLIENTS; first use and request count within the window."""
        with self.transaction():
            rows = self._db.execute(
                "SELECT address, user_agent, MIN(ts), MAX(ts), SUM(n) FROM client_events "
                "WHERE key_id = ? AND ts > ? GROUP BY address, user_agent "
                "ORDER BY MAX(ts) DESC, address, user_agent LIMIT ?",
                (key_id, self._clock() - hours * 3600, MAX_CLIENTS),
            ).fetchall()
        return [ClientRow(*row) for row in rows]

    def add_usage(self, key_id: int, day: str, requests: int) -> None:
        """Historical usage: add `requests` to the key's count for `day` (YYYY-MM-DD).

        Also adds them to the key's all-time request_count, so that request_count is never
        below the total of any usage window. It does not touch last_used_at or requests_24h
        (see `add_events` for the latter).
        """
        date.fromisoformat(day)  # reject anything but YYYY-MM-DD early
        with self.transaction():
            self._add_day(key_id, day, requests)
            self._db.execute(
                "UPDATE api_keys SET request_count = request_count + ? WHERE id = ?",
                (requests, key_id),
            )

    def add_events(self, key_id: int, ts: float, n: int) -> None:
        """Requests at instant `ts` for the rolling 24 h count only (seeding pairs it with add_usage)."""
        with self.transaction():
            self._db.execute("INSERT INTO key_events (key_id, ts, n) VALUES (?, ?, ?)",
                             (key_id, ts, n))

    def usage(self, key_ids: list[int], days: int) -> dict[int, list[tuple[str, int]]]:
        """For each key, `days` (day, requests) pairs ending today, oldest first, zeros included."""
        today = day_of(self._clock())
        first = shift_day(today, -(days - 1))
        wanted = [shift_day(first, i) for i in range(days)]
        found: dict[int, dict[str, int]] = {key_id: {} for key_id in key_ids}
        if key_ids:
            marks = ",".join("?" * len(key_ids))
            with self.transaction():
                rows = self._db.execute(
                    f"SELECT key_id, day, requests FROM key_usage_daily "
                    f"WHERE key_id IN ({marks}) AND day BETWEEN ? AND ?",
                    (*key_ids, first, today),
                ).fetchall()
            for key_id, day, requests in rows:
                found[key_id][day] = requests
        return {key_id: [(d, per_day.get(d, 0)) for d in wanted] for key_id, per_day in found.items()}

    def _add_day(self, key_id: int, day: str, n: int) -> None:
        self._db.execute(
            "INSERT INTO key_usage_daily (key_id, day, requests) VALUES (?, ?, ?) "
            "ON CONFLICT (key_id, day) DO UPDATE SET requests = requests + excluded.requests",
            (key_id, day, n),
        )

    # -- domains ------------------------------------------------------------------------

    def add_domain(
        self,
        hostname: str,
        port: int = 443,
        ssl_grade: str | None = None,
        ssl_score: int | None = None,
        certificate_expiry: str | None = None,
        last_scan: float | str | None = None,
        is_active: bool = True,
        monitoring_frequency: str | None = "daily",
        created_at: float | str | None = None,
    ) -> int:
        created = to_seconds(created_at) if created_at is not None else int(self._clock())
        with self.transaction():
            cursor = self._db.execute(
                "INSERT INTO domains (hostname, port, ssl_grade, ssl_score, certificate_expiry, "
                "last_scan, is_active, monitoring_frequency, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (hostname, port, ssl_grade, ssl_score, certificate_expiry,
                 to_seconds(last_scan), int(is_active), monitoring_frequency, created),
            )
            domain_id = cursor.lastrowid
        assert domain_id is not None
        return domain_id

    def list_domains(
        self,
        status: str | None = None,
        grade: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> tuple[list[DomainRow], int]:
        """Newest first. `status`: active, inactive (monitoring paused), expiring (certificate
        ends within 30 days), expired."""
        today = day_of(self._clock())
        clauses: list[str] = []
        params: dict[str, Any] = {}
        if status == "active":
            clauses.append("is_active = 1")
        elif status == "inactive":
            clauses.append("is_active = 0")
        elif status == "expiring":
            clauses.append("certificate_expiry BETWEEN :today AND :soon")
            params.update(today=today, soon=shift_day(today, 30))
        elif status == "expired":
            clauses.append("certificate_expiry < :today")
            params["today"] = today
        if grade:
            clauses.append("ssl_grade = :grade COLLATE NOCASE")
            params["grade"] = grade
        if search:
            clauses.append("ci_contains(hostname, :search)")
            params["search"] = search
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        with self.transaction():
            total = self._db.execute(f"SELECT COUNT(*) FROM domains {where}", params).fetchone()[0]
            params.update(limit=-1 if limit is None else limit, offset=offset)
            rows = self._db.execute(
                "SELECT id, hostname, port, ssl_grade, ssl_score, certificate_expiry, last_scan, "
                f"is_active, monitoring_frequency, created_at FROM domains {where} "
                "ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset",
                params,
            ).fetchall()
        return [_domain_row(r) for r in rows], total


def _domain_row(r: tuple[Any, ...]) -> DomainRow:
    return DomainRow(id=r[0], hostname=r[1], port=r[2], ssl_grade=r[3], ssl_score=r[4], certificate_expiry=r[5],
                     last_scan=r[6], is_active=bool(r[7]), monitoring_frequency=r[8], created_at=r[9])


def _key_row(row: tuple[Any, ...]) -> KeyRow:
    (key_id, name, prefix, permissions, created_at, last_used_at, request_count, requests_24h,
     expires_at, revoked_at) = row
    return KeyRow(key_id, name, prefix, decode_permissions(permissions), created_at, last_used_at,
                  request_count, requests_24h, expires_at, revoked_at)

