"""--json on every command that prints data: one JSON document on standard output, exact names."""

from __future__ import annotations

import json

from myssl_desktop.cli import build_parser
from tests.cli.helpers import Work, every_parser

PRINTS_DATA = {"login", "profiles", "whoami", "doctor", "keys list", "keys show", "keys create", "keys rename",
               "keys regenerate", "keys revoke", "rotate", "rotations", "rotations run"}


def test_every_command_that_prints_data_takes_json() -> None:
    with_json = {parser.prog.removeprefix("myssl-keys ") for parser in every_parser(build_parser())
                 if any("--json" in action.option_strings for action in parser._actions)}
    assert PRINTS_DATA <= with_json, PRINTS_DATA - with_json


def test_rename_revoke_doctor_and_login_as_json(work: Work) -> None:
    signed_in = work.cli("login", "--profile", "again", "--base-url", work.sandbox.base_url,  # type: ignore[operator]
                         "--key-stdin", "--json", stdin=work.sandbox.admin_key)  # type: ignore[attr-defined]
    login = json.loads(signed_in.stdout)
    assert login["profile"] == "again" and login["access"] == "full" and login["tier"] == "enterprise"
    assert login["key"]["name"] == "Sandbox admin" and "keys:manage" in login["key"]["permissions"]
    key, _ = work.make("Staging")
    renamed = json.loads(work.run("keys", "rename", "Staging", "--name", "Staging \x1b[2J old", "--json").stdout)
    assert renamed["result"] == "renamed" and renamed["previous_name"] == "Staging"
    assert renamed["api_key"]["id"] == key.id and renamed["api_key"]["name"] == "Staging \x1b[2J old"

    scheduled = json.loads(work.run("keys", "revoke", str(key.id), "--at", "1h", "--yes", "--json").stdout)
    assert scheduled["result"] == "scheduled" and scheduled["api_key"]["status"] == "expiring"
    assert scheduled["api_key"]["expires_at"] is not None
    cancelled = json.loads(work.run("keys", "revoke", str(key.id), "--cancel", "--json").stdout)
    assert cancelled["result"] == "cancelled" and cancelled["api_key"]["expires_at"] is None
    nothing = json.loads(work.run("keys", "revoke", str(key.id), "--cancel", "--json").stdout)
    assert nothing["result"] == "nothing_scheduled"
    revoked = json.loads(work.run("keys", "revoke", str(key.id), "--yes", "--json").stdout)
    assert revoked["result"] == "revoked" and revoked["api_key"]["status"] == "revoked"
    again = json.loads(work.run("keys", "revoke", str(key.id), "--yes", "--json").stdout)
    assert again["result"] == "already_revoked"

    doctor = work.run("doctor", "--json")
    report = json.loads(doctor.stdout)
    assert doctor.returncode == 0 and report["ok"] is True
    assert [c["check"] for c in report["checks"]] == ["version", "keychain", "config folder", "data folder",
                                                      "cache folder", "log folder", "connection"]
    assert all(c["ok"] for c in report["checks"]) and "answers like the MySSL API" in report["checks"][-1]["detail"]
