"""No error the client raises shows more of a key than its 12-character prefix, whatever field
of whatever answer the server puts a key-shaped string in: a server (or a proxy, or a bug) that
echoes a secret into a timestamp, a status, a header or an error body must not have it printed."""

from __future__ import annotations

import http.server
import json
import logging
import re
import string
import threading
import traceback
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myssl_desktop.api import ApiError, BadResponse, ConnectionPool, MysslClient, RetryPolicy
from myssl_desktop.api import parse as p
from tests.support import random_secret

# More than the 12-character prefix of anything key-shaped: what must never be shown.
BEYOND_PREFIX = re.compile(r"myssl_k_[A-Za-z0-9]{5,}")

API_KEY = {
    "id": 7, "name": "Production Server", "prefix": "myssl_k_a1b2",
    "permissions": ["domains:read", "keys:read"], "status": "active",
    "created_at": "2025-01-12T10:30:00Z", "last_used_at": "2025-01-12T10:30:00Z", "request_count": 10,
    "requests_24h": 2, "expires_at": "2025-02-12T10:30:00Z", "revoked_at": None,
}
PAGINATION = {"page": 1, "per_page": 20, "total": 1, "pages": 1, "has_next": False, "has_prev": False}
USAGE = {"api_key_id": 7, "days": [{"date": "2025-01-12", "requests": 3}], "total": 3}
DOMAIN = {"id": 1, "hostname": "example.com", "port": 443, "ssl_grade": "A", "ssl_score": 90,
          "certificate_expiry": "2025-06-01", "days_until_expiry": 140, "last_scan": "2025-01-12T10:30:00Z",
          "is_active": True, "monitoring_frequency": "daily", "created_at": "2025-01-12T10:30:00Z"}
ACCOUNT = {"tier": "pro", "daily_limit": 10000, "minute_limit": 60, "max_active_keys": 25}

# Each builder with a valid answer: between them every field kind of the API (integers, strings,
# the status enum, timestamps, dates, booleans, lists, objects, the secret).
DOCUMENTS: list[tuple[Any, Any]] = [
    (p.api_key_envelope, {"api_key": API_KEY}),
    (p.created_key_envelope, {"api_key": API_KEY, "secret": "SECRET"}),
    (p.current_key_envelope, {"api_key": API_KEY, "account": ACCOUNT}),
    (p.usage_envelope, {"usage": USAGE}),
    (p.api_key_page, {"api_keys": [API_KEY], "pagination": PAGINATION}),
    (p.usage_page, {"usage": [USAGE], "pagination": PAGINATION}),
    (p.domain_page, {"domains": [DOMAIN], "pagination": PAGINATION}),
    (p.billing_envelope, {"success": True, "data": {"tier": "pro"}}),
]


def paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place in a JSON document: each object member and list item, nested ones too."""
    if here:
        yield here
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*here, index))


def replaced(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def with_secret(document: Any) -> Any:
    """The document with a real-looking secret where "SECRET" stands (generated, never committed)."""
    return json.loads(json.dumps(document).replace('"SECRET"', json.dumps(random_secret())))


ALNUM = string.ascii_letters + string.digits
key_bodies = st.text(alphabet=ALNUM, min_size=5, max_size=60)
# A key-shaped string alone or inside other text: in a timestamp, after a word, before an ellipsis.
key_shaped = st.builds(lambda before, body, after: f"{before}myssl_k_{body}{after}",
                       st.sampled_from(["", "2025-01-12T10:30:00", "active ", "x", "<b>", "myssl_k_"]),
                       key_bodies,
                       st.sampled_from(["", "Z", " ", "…", "-01", "\t"]))


def everything_shown(error: BaseException) -> str:
    return str(error) + repr(error) + "".join(traceback.format_exception(error))


def assert_nothing_beyond_a_prefix(text: str, leaked: str) -> None:
    assert leaked not in text
    assert BEYOND_PREFIX.search(text) is None, BEYOND_PREFIX.search(text)


@settings(max_examples=400, deadline=None)
@given(case=st.sampled_from(DOCUMENTS).flatmap(
           lambda case: st.tuples(st.just(case[0]), st.just(case[1]), st.sampled_from(list(paths(case[1]))))),
       value=key_shaped)
def test_a_key_shaped_string_in_any_field_is_never_shown_whole(case: tuple[Any, Any, tuple[Any, ...]],
                                                              value: str) -> None:
    build, document, path = case
    body = json.dumps(replaced(with_secret(document), path, value)).encode()
    try:
        p.parse_body(body, build)
    except BadResponse as error:
        assert_nothing_beyond_a_prefix(everything_shown(error), value)


def test_the_timestamp_of_the_issue_is_cut_to_its_prefix() -> None:
    secret = random_secret()
    body = json.dumps({"api_key": dict(API_KEY, created_at=secret)}).encode()
    with pytest.raises(BadResponse) as caught:
        p.parse_body(body, p.api_key_envelope)
    assert f"'{secret[:12]}…' is not a timestamp" in str(caught.value)
    assert_nothing_beyond_a_prefix(everything_shown(caught.value), secret)


# --- the same through HTTP: error bodies, headers, and successes to create ----------------------

class Answer:
    status = 200
    headers: dict[str, str] = {}
    body = b""


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(Answer.status)
        for name, value in Answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(Answer.body)))
        self.end_headers()
        self.wfile.write(Answer.body)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's naming

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    server.shutdown()
    server.server_close()


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


STATUSES = [200, 201, 400, 401, 403, 404, 405, 409, 418, 429, 500, 502, 503]


maybe_key_shaped = st.one_of(st.none(), key_shaped)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(status=st.sampled_from(STATUSES), call=st.sampled_from(["current", "create", "regenerate"]),
       title=maybe_key_shaped, message=maybe_key_shaped, content_type=maybe_key_shaped,
       retry_after=maybe_key_shaped, body=st.sampled_from(["envelope", "raw", "html"]))
def test_no_error_from_any_answer_shows_a_key(echo_server: str, status: int, call: str, title: str | None,
                                              message: str | None, content_type: str | None,
                                              retry_after: str | None, body: str) -> None:
    values = [v for v in (title, message, content_type, retry_after) if v is not None]
    if body == "raw":
        values.append(message or random_secret())
    Answer.status = status
    Answer.headers = {"Content-Type": content_type or "application/json", "Retry-After": retry_after or "1"}
    Answer.body = {
        "envelope": json.dumps({"error": title or "Invalid request", "message": message or "bad name"}).encode(),
        "raw": values[-1].encode() if body == "raw" else b"",
        "html": b"<html><body>Welcome to nginx!</body></html>",
    }[body]
    pool = ConnectionPool()
    client = MysslClient(echo_server, random_secret(), pool=pool, retry=RetryPolicy(sleep=lambda s: None, max_wait=0))
    records = Records()
    logger = logging.getLogger("myssl_desktop")
    logger.addHandler(records)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        if call == "current":
            client.current()
        elif call == "create":
            client.create_key("Bot")
        else:
            client.regenerate_key(7)
    except ApiError as error:
        shown = everything_shown(error)
    else:
        pytest.fail("no such answer is a MySSL success")
    finally:
        logger.removeHandler(records)
        logger.setLevel(level)
        pool.close()
    for value in values:
        assert_nothing_beyond_a_prefix(shown + "\n".join(records.lines), value)
