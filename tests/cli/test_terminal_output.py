"""What `myssl-keys` writes to a terminal: names with escape sequences made visible, quiet ends
when the reader of a pipe goes away, and one line (never a traceback) for anything unexpected."""

from __future__ import annotations

import json
import subprocess
import sys

from myssl_desktop.cli.terminal import READER_GONE
from tests.cli.helpers import Work, cli_env, patched_cli
from tests.support import answering, random_secret, serve_http

RETITLE = "\x1b]0;pwned\x07Build bot"  # sets the terminal's title, then looks harmless
FAKE_ROW = "Mail\n999  Payroll  myssl_k_abcd…  active"  # a second, made-up row in a table
REORDERED = "Invoice \u202etxt.exe"  # shows as "Invoice exe.txt"
CLEARS = "Reports\x1b[2J\x1b[H\r\tok\x9b"  # clears the screen, C1 CSI at the end


def raw_controls(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\u202e"]


def test_names_with_escape_sequences_are_shown_visibly_and_exactly_in_json(work: Work) -> None:
    made = {name: work.make(name)[0] for name in (RETITLE, FAKE_ROW, REORDERED, CLEARS)}

    listing = work.run("keys", "list")
    assert listing.returncode == 0, listing.stderr
    assert raw_controls(listing.stdout) == []
    lines = listing.stdout.splitlines()
    assert len(lines) == 1 + 1 + len(made)  # header, the admin key, one line per key: no fake row
    assert any("\\x1b]0;pwned\\x07Build bot" in line for line in lines)
    assert any("Mail\\n999  Payroll" in line for line in lines)
    assert any("Invoice \\u202etxt.exe" in line for line in lines)
    assert any("Reports\\x1b[2J\\x1b[H\\r\\tok\\x9b" in line for line in lines)

    as_json = {row["id"]: row["name"] for row in json.loads(work.run("keys", "list", "--json").stdout)}
    assert all(as_json[key.id] == name for name, key in made.items())  # exact, escaped by JSON itself

    shown = work.run("keys", "show", "--key", str(made[FAKE_ROW].id))
    assert raw_controls(shown.stdout) == [] and "Name:        Mail\\n999  Payroll" in shown.stdout
    renamed = work.run("keys", "rename", "--key", str(made[CLEARS].id), "--name", RETITLE)
    assert renamed.returncode == 0 and raw_controls(renamed.stdout) == []
    assert work.api.get_key(made[CLEARS].id).name == RETITLE

    ambiguous = work.run("keys", "show", "--key", RETITLE)  # two keys of that name now
    assert ambiguous.returncode == 1 and "2 keys are named" in ambiguous.stderr
    assert raw_controls(ambiguous.stderr) == [] and "\\x1b]0;pwned\\x07" in ambiguous.stderr
    refused = work.run("keys", "revoke", "--key", str(made[REORDERED].id))  # the question, on stderr
    assert refused.returncode == 1 and "Revoke “Invoice \\u202etxt.exe”" in refused.stderr


def test_a_profile_name_with_escape_sequences_is_shown_visibly(cli, sandbox, real_keychain) -> None:
    name = "\x1b[31mred\x1b[0m"
    login = cli("login", "--profile", name, "--base-url", sandbox.base_url, "--key-stdin", stdin=sandbox.admin_key)
    assert login.returncode == 0, login.stderr
    assert "Signed in to profile “\\x1b[31mred\\x1b[0m”" in login.stdout
    listing = cli("profiles")
    assert raw_controls(listing.stdout) == [] and "* \\x1b[31mred\\x1b[0m" in listing.stdout
    assert json.loads(cli("profiles", "--json").stdout)[0]["name"] == name


def _closed_pipe_run(*args: str) -> subprocess.CompletedProcess[str]:
    """`myssl-keys ARGS | head -0`: the reader has gone before the first line is written."""
    process = subprocess.Popen([sys.executable, "-m", "myssl_desktop.cli", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=cli_env())
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    with process.stderr:
        error = process.stderr.read()
    return subprocess.CompletedProcess(args, process.wait(timeout=60), "", error)


def test_a_reader_that_goes_away_ends_the_command_quietly(work: Work) -> None:
    for args in (("keys", "list"), ("keys", "list", "--json"), ("--help",)):
        result = _closed_pipe_run(*args)
        assert result.stderr == "", result.stderr  # no BrokenPipeError, no "Exception ignored"
        assert result.returncode == READER_GONE == 141, args


def test_an_unexpected_failure_is_one_line_and_its_traceback_goes_to_the_log(work: Work) -> None:
    broken = ("from myssl_desktop.cli import keys\n"
              "def run_list(services, args):\n"
              "    raise ZeroDivisionError('a bug for the test')\n"
              "keys.run_list = run_list\n")
    result = patched_cli(broken, "keys", "list")
    assert result.returncode == 1
    assert result.stderr == ("myssl-keys: Something unexpected went wrong (ZeroDivisionError: a bug for the test). "
                             "The log file has details.\n")
    log = (work.app_dirs.log / "myssl-desktop.log").read_text()
    assert "Traceback" in log and "ZeroDivisionError: a bug for the test" in log


def test_a_secret_pasted_where_a_name_goes_is_never_echoed_whole(work: Work) -> None:
    _, secret = work.make("Pasted")
    shown = work.run("keys", "show", secret)  # the secret where the key's name goes
    assert shown.returncode == 1 and f"no key named “{secret[:12]}…”" in shown.stderr
    choice = work.run("keys", "list", "--status", secret)  # argparse repeats a wrong choice
    assert choice.returncode == 2 and f"invalid choice: '{secret[:12]}…'" in choice.stderr
    # work's teardown checks that the whole secret is in no output at all


def test_a_key_shaped_value_in_a_malformed_answer_is_cut_to_its_prefix(cli, tmp_path) -> None:
    planted = random_secret()
    body = json.dumps({"api_key": {"id": 1, "name": "x", "prefix": planted[:12], "permissions": ["keys:read"],
                                   "status": "active", "created_at": planted, "last_used_at": None,
                                   "request_count": 0, "requests_24h": 0, "expires_at": None, "revoked_at": None},
                       "account": {}}).encode()
    with serve_http(answering(200, "application/json", body)) as url:
        result = cli("whoami", env=cli_env(MYSSL_API_KEY=random_secret(), MYSSL_BASE_URL=url))
    assert result.returncode == 1 and "did not have the shape of the MySSL API" in result.stderr
    assert planted not in result.stderr and planted[:12] in result.stderr and len(result.stderr.splitlines()) == 1
