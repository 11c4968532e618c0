"""`myssl-keys activity` and `keys list --csv`: the local log and the key list for a terminal,
a script or a spreadsheet, from what the command line itself did."""

from __future__ import annotations

import csv
import io
import json

from tests.cli.helpers import Work


def test_what_the_command_line_did_is_in_the_activity_log(work: Work) -> None:
    assert work.run("keys", "create", "--name", "From the CLI").returncode == 0
    made = work.named("From the CLI")
    assert work.run("keys", "revoke", str(made.id), "--yes").returncode == 0
    table = work.run("activity")
    assert table.returncode == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["WHEN", "PROFILE", "ACTION", "KEY", "OUTCOME"]
    assert "create" in lines[1] and f"From the CLI ({made.prefix}…)" in lines[1] and lines[1].endswith("done")
    assert "revoke" in lines[2]
    entries = json.loads(work.run("activity", "--json").stdout)
    assert [(e["action"], e["key_id"], e["outcome"]) for e in entries] == [("create", made.id, "done"),
                                                                          ("revoke", made.id, "done")]
    rows = list(csv.DictReader(io.StringIO(work.run("activity", "--csv").stdout)))
    assert [r["action"] for r in rows] == ["create", "revoke"] and rows[0]["profile"] == "work"


def test_a_refused_action_is_noted_with_its_reason(work: Work) -> None:
    own = work.api.current().api_key
    refused = work.run("keys", "revoke", str(own.id), "--yes")
    assert refused.returncode != 0
    [entry] = json.loads(work.run("activity", "--json").stdout)
    assert entry["action"] == "revoke" and entry["key_id"] == own.id and "signs in with" in entry["outcome"]


def test_the_key_list_as_csv_has_every_key_and_its_flags(work: Work) -> None:
    work.make("gamma")
    exported = work.run("keys", "list", "--csv")
    assert exported.returncode == 0
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(exported.stdout))}
    assert {"gamma", work.api.current().api_key.name} <= set(rows)
    assert rows["gamma"]["status"] == "active" and rows["gamma"]["prefix"].startswith("myssl_k_")
    assert "flags" in rows["gamma"] and "requests_24h" in rows["gamma"]
