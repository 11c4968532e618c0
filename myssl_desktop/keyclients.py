"""Who uses a key, in words: "203.0.113.7 python-requests/2.32.3, last seen 40 s ago".

A client's address and user agent are text the server reports, and the server only repeats
what any holder of the key sent: untrusted. `printable` shows control and format characters
(an escape sequence, a carriage return, a right-to-left override, a lone surrogate) as
visible escapes and cuts long text, so that a user agent cannot rewrite a terminal or
disguise itself; rich-text labels escape HTML on top (`ui.common.richtext.html`).
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .timefmt import relative

if TYPE_CHECKING:
    from .api.models import KeyClient

AGENT_LIMIT = 120  # characters of a user agent shown; the rest is cut with "…"
ADDRESS_LIMIT = 45  # the longest IPv6 text form
NOT_REPORTED = "This server does not report clients."
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str, limit: int = AGENT_LIMIT) -> str:
    """`text` with every control, format, private-use, unassigned or separator character shown
    as an escape (`\\x1b`, `\\u202e`), cut to `limit` characters."""
    shown = "".join(_escape(ch) if unicodedata.category(ch) in _UNSAFE else ch for ch in text)
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def seen_ago(moment: datetime, now: datetime | None = None) -> str:
    """"40 s ago" within the minute (the drain needs that precision), else "3 min ago" and so on."""
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    if seconds < 1:
        return "just now"
    if seconds < 60:
        return f"{int(seconds)} s ago"
    return relative(moment, now)


def client_line(client: KeyClient, now: datetime | None = None, *, requests: bool = False) -> str:
    """"203.0.113.7 python-requests/2.32.3, last seen 40 s ago" (", 12 requests" with `requests`)."""
    agent = printable(client.user_agent) or "(no user agent)"
    line = f"{printable(client.address, ADDRESS_LIMIT)} {agent}, last seen {seen_ago(client.last_seen, now)}"
    if requests:
        line += f", {client.requests:,} request{'s' if client.requests != 1 else ''}"
    return line


__all__ = ["AGENT_LIMIT", "NOT_REPORTED", "client_line", "printable", "seen_ago"]
