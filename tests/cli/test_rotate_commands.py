"""`myssl-keys rotate --json`, `rotations --json`, `rotations run` and their exit codes, as separate
processes against the sandbox with the real keychain."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.profiles import Profile
from myssl_desktop.rotation import CRASH_AT, JournalStore, State
from tests.cli.helpers import cli_env


def cli(*args: str, crash: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in cli_env().items() if k != CRASH_AT}
    if crash:
        env[CRASH_AT] = crash
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", *args], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def app(services, sandbox):
    services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))
    return MysslClient(sandbox.base_url, sandbox.admin_key).create_key("Production Server", ["domains:read"])


def test_rotate_json_reports_each_change_and_no_secret(services, app) -> None:
    result = cli("rotate", "--key", "Production Server", "--quiet-period", "0s", "--json")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [e["event"] for e in events][0] == "planned" and events[-1]["event"] == "finished"
    assert {"progress"} <= {e["event"] for e in events}
    assert events[-1]["rotation"]["state"] == "done"
    assert events[-1]["rotation"]["new_key"]["name"] == "Production Server (new)"
    rotation = JournalStore(services.dirs.data).all()[0]
    assert rotation.new_prefix in result.stdout
    leftover = result.stdout.replace(rotation.new_prefix, "").replace(rotation.old_prefix, "")
    assert "myssl_k_" not in leftover + result.stderr  # only prefixes: no secret, old or new


def test_rotations_json_lists_what_is_in_progress(services, app) -> None:
    assert cli("rotate", "--key", "Production Server", "--revoke", "later", "--quiet-period", "0s",
               "--yes").returncode == 0
    listing = json.loads(cli("rotations", "--json").stdout)
    [only] = listing["rotations"]
    assert only["state"] == "draining" and only["revoke"] == "later" and listing["damaged"] == []
    assert only["key"]["name"] == "Production Server" and only["needs_you"] == ""


def test_a_rotation_left_for_later_is_finished_with_resume_and_revoke(services, sandbox, app) -> None:
    assert cli("rotate", "--key", "Production Server", "--revoke", "later", "--quiet-period", "0s",
               "--yes").returncode == 0
    rotation = JournalStore(services.dirs.data).in_progress()[0]
    again = cli("rotate", "--resume", rotation.id, "--yes")
    assert again.returncode == 0 and "stays active, as asked" in again.stdout  # still later
    finished = cli("rotate", "--resume", rotation.id, "--revoke", "24h", "--yes")
    assert finished.returncode == 0, finished.stderr
    assert "revoke is scheduled" in finished.stdout
    old = MysslClient(sandbox.base_url, sandbox.admin_key).get_key(app.api_key.id)
    assert old.status == "expiring"
    assert JournalStore(services.dirs.data).load(rotation.id).state == State.SCHEDULED


def test_exit_codes(services, sandbox, app, tmp_path) -> None:
    assert cli("rotate", "--key", "No such key", "--yes").returncode == 1
    assert cli("rotations", "run").returncode == 0  # nothing in progress
    env = tmp_path / ".env"
    env.write_text(f"MYSSL_API_KEY={app.secret.reveal()}\n")
    assert cli("rotate", "--key", "Production Server", "--env-file", str(env), "--quiet-period", "0s", "--yes",
               crash="verified").returncode == -9
    rotation = JournalStore(services.dirs.data).in_progress()[0]
    MysslClient(sandbox.base_url, sandbox.admin_key).revoke_key(rotation.new_key_id)
    run = cli("rotations", "run")
    assert run.returncode == 4 and "old key stays active" in run.stderr  # it needs the user
    listed = cli("rotations")
    assert "needs you" in listed.stdout
    assert cli("rotate", "--cancel", rotation.id, "--yes").returncode == 0
    assert cli("rotations", "run").returncode == 0


def test_help_documents_the_exit_codes() -> None:
    for command in (["rotate", "--help"], ["rotations", "--help"], ["rotations", "run", "--help"]):
        text = cli(*command).stdout
        assert "exit codes:" in text and "needs you" in text, command


def _request_as(sandbox, secret: Secret, user_agent: bytes) -> None:  # noqa: ANN001
    """One request with the key whose User-Agent holds bytes no HTTP library would send."""
    import socket

    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=10) as sock:
        sock.sendall(b"GET /api/v1/domains HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n"
                     b"Authorization: Bearer " + secret.reveal().encode() + b"\r\n"
                     b"User-Agent: " + user_agent + b"\r\n\r\n")
        assert sock.recv(64).startswith(b"HTTP/1.1 200")


def test_the_waiting_line_names_what_still_uses_the_old_key_escaped(services, sandbox, app) -> None:
    assert cli("rotate", "--key", "Production Server", "--revoke", "later", "--quiet-period", "0s",
               "--yes").returncode == 0
    rotation = JournalStore(services.dirs.data).in_progress()[0]
    _request_as(sandbox, app.secret, b"python-requests/2.32.3\x1b]0;owned\x07\x9b2J")  # OSC title, C1 CSI
    resumed = cli("rotate", "--resume", rotation.id, "--yes")
    assert resumed.returncode == 0, resumed.stderr
    line = next(line for line in resumed.stdout.splitlines() if "Used since delivery by" in line)
    assert "127.0.0.1 python-requests/2.32.3\\x1b]0;owned\\x07\\x9b2J, last seen " in line, line
    assert line.endswith(" s ago.") or line.endswith("just now.")
    assert not any(ch in resumed.stdout for ch in "\x1b\x07\x9b")
    as_json = cli("rotate", "--resume", rotation.id, "--yes", "--json")
    waiting = [json.loads(line) for line in as_json.stdout.splitlines() if '"event": "waiting"' in line][-1]
    [client] = waiting["clients"]
    assert client["address"] == "127.0.0.1" and client["user_agent"] == "python-requests/2.32.3\x1b]0;owned\x07\x9b2J"
    assert not any(ch in as_json.stdout for ch in "\x1b\x07\x9b")  # JSON escapes them itself
