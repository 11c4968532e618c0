"""The key list and the activity log as CSV or JSON, for a spreadsheet or a script (no Qt)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api.models import ApiKey

KEY_COLUMNS = ("id", "name", "prefix", "status", "permissions", "created_at", "last_used_at", "request_count",
               "requests_24h", "expires_at", "revoked_at", "flags")


def key_rows(keys: Sequence[ApiKey], flags_of: Callable[[ApiKey], Sequence[str]]) -> list[dict[str, object]]:
    """One row per key: what the table shows, times in UTC, no secret (the prefix only)."""
    def when(moment: datetime | None) -> str | None:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None

    return [{"id": k.id, "name": k.name, "prefix": k.prefix, "status": k.status,
             "permissions": " ".join(k.permissions), "created_at": when(k.created_at),
             "last_used_at": when(k.last_used_at), "request_count": k.request_count,
             "requests_24h": k.requests_24h, "expires_at": when(k.expires_at), "revoked_at": when(k.revoked_at),
             "flags": " ".join(flags_of(k))} for k in keys]


def to_json(rows: list[dict[str, object]]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_csv(rows: list[dict[str, object]], columns: Sequence[str], *, line_end: str = "\r\n") -> str:
    """CSV with a header row (lines end in CRLF as RFC 4180 says, or `line_end`). A cell starting
    with = + - @ gets a leading ' so a spreadsheet shows it as text instead of running it as a
    formula (a key name is anyone's text)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=line_end)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return out.getvalue()


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def render(rows: list[dict[str, object]], columns: Sequence[str], path_suffix: str) -> str:
    """CSV for a .csv file, JSON otherwise."""
    return to_csv(rows, columns) if path_suffix.lower() == ".csv" else to_json(rows)


__all__ = ["KEY_COLUMNS", "key_rows", "render", "to_csv", "to_json"]
