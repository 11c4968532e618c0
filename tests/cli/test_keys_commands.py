"""`myssl-keys keys ...` as separate processes against the sandbox, with the real keychain.

Every test runs through the `work` fixture (conftest.py), which signs in first and, at the end,
checks that no created secret reached any output (except where the test asked for it) or any
file under the test's app folders.
"""

from __future__ import annotations

import json
import re
import stat
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from myssl_desktop.api.client import MysslClient
from myssl_desktop.api.errors import InvalidApiKey
from myssl_desktop.keychain import Keychain
from myssl_desktop.paths import AppDirs
from tests.cli.helpers import Work, patched_cli

API_KEY_FIELDS = {"id", "name", "prefix", "permissions", "status", "created_at", "last_used_at",
                  "request_count", "requests_24h", "expires_at", "revoked_at"}
ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_list_and_show_as_text_and_json(work: Work) -> None:
    used, used_secret = work.make("alpha")
    MysslClient(work.sandbox.base_url, used_secret).current()  # type: ignore[attr-defined]
    retired, _ = work.make("retired")
    work.api.revoke_key(retired.id)
    assert work.run("keys", "create", "--name", "beta").returncode == 0
    beta = work.named("beta")

    listing = work.run("keys", "list")
    assert listing.returncode == 0, listing.stderr
    lines = listing.stdout.splitlines()
    assert re.fullmatch(r"ID +NAME +PREFIX +STATUS +LAST USED +24H +TOTAL", lines[0])
    alpha_row = next(line for line in lines if re.match(rf"{used.id} +alpha ", line))
    assert f"{used.prefix}…" in alpha_row and "active" in alpha_row and "just now" in alpha_row
    assert re.search(r"just now +1 +1$", alpha_row)
    assert any(re.match(rf"{beta.id} +beta .* never ", line) for line in lines)
    assert not any("retired" in line for line in lines)  # current keys by default

    revoked = work.run("keys", "list", "--status", "revoked")
    assert [line.split()[:2] for line in revoked.stdout.splitlines()[1:]] == [[str(retired.id), "retired"]]

    rows = json.loads(work.run("keys", "list", "--status", "all", "--json").stdout)
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"Sandbox admin", "alpha", "beta", "retired"}
    assert set(by_name["alpha"]) == API_KEY_FIELDS | {"secret_stored"}
    assert by_name["beta"]["secret_stored"] is True and by_name["alpha"]["secret_stored"] is False
    assert by_name["alpha"]["permissions"] == ["domains:read"]
    assert by_name["alpha"]["request_count"] == 1 and by_name["alpha"]["requests_24h"] == 1
    assert ISO_Z.fullmatch(by_name["alpha"]["last_used_at"]) and ISO_Z.fullmatch(by_name["beta"]["created_at"])
    assert by_name["beta"]["last_used_at"] is None
    assert by_name["retired"]["status"] == "revoked" and ISO_Z.fullmatch(by_name["retired"]["revoked_at"])

    shown = work.run("keys", "show", "alpha")  # the key as KEY; --key KEY works as before
    assert shown.returncode == 0, shown.stderr
    assert f"ID:          {used.id}" in shown.stdout and "Permissions: domains:read" in shown.stdout
    assert "1 in 24 h, 1 in 30 days, 1 in total" in shown.stdout
    assert "Secret:      not stored by this app" in shown.stdout
    admin = work.run("keys", "show", "--key", "Sandbox admin")
    assert "this profile signs in with it" in admin.stdout

    detail = json.loads(work.run("keys", "show", "--key", str(beta.id), "--json").stdout)
    assert detail["id"] == beta.id and detail["secret_stored"] is True and detail["requests_30d"] == 0
    assert API_KEY_FIELDS <= set(detail) and detail["sign_in_key"] is False


def test_create_warns_about_a_name_another_key_has(work: Work) -> None:
    first = work.run("keys", "create", "--name", "Billing Reports")
    assert first.returncode == 0 and "already has this name" not in first.stderr
    second = work.run("keys", "create", "--name", "billing reports")
    assert second.returncode == 0, second.stderr  # allowed: a warning, not a refusal
    original = work.named("Billing Reports")
    assert (f"note: “Billing Reports” (id {original.id}, {original.prefix}…) already has this name; "
            "name the key by its id in later commands.") in second.stderr
    assert work.named("billing reports").id != original.id


def test_create_keeps_the_secret_in_the_keychain_and_shows_it_only_on_request(work: Work,
                                                                               tmp_path: Path) -> None:
    plain = work.run("keys", "create", "--name", "ci deploy")
    assert plain.returncode == 0, plain.stderr
    key = work.named("ci deploy")
    secret = work.stored(key.id)
    assert secret is not None and secret.startswith(key.prefix)
    assert MysslClient(work.sandbox.base_url, secret).current().api_key.id == key.id  # type: ignore[attr-defined]
    assert f"Created key “ci deploy” (id {key.id}, {key.prefix}…)" in plain.stdout
    assert "The secret is stored in your keychain (service “myssl-desktop”" in plain.stdout
    assert secret not in plain.stdout + plain.stderr and key.permissions == ("domains:read",)

    shown = work.reveal("keys", "create", "--name", "shown", "--show-secret")
    shown_secret = work.stored(work.named("shown").id)
    assert shown.returncode == 0 and shown_secret is not None
    assert f"Secret: {shown_secret}" in shown.stdout

    out = tmp_path / "secret.txt"
    filed = work.run("keys", "create", "--name", "filed", "--out-file", str(out))
    assert filed.returncode == 0, filed.stderr
    filed_secret = work.stored(work.named("filed").id)
    assert out.read_text() == f"{filed_secret}\n"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert f"written to {out}" in filed.stdout

    again = work.run("keys", "create", "--name", "filed twice", "--out-file", str(out))
    assert again.returncode == 1 and "already exists" in again.stderr
    assert out.read_text() == f"{filed_secret}\n"
    assert not [k for k in work.api.all_keys() if k.name == "filed twice"]  # refused before the API

    as_json = json.loads(work.run("keys", "create", "--name", "j", "--json", "--permission", "domains:read",
                                  "--permission", "keys:read").stdout)
    assert as_json["secret_stored"] is True and "secret" not in as_json
    assert as_json["api_key"]["permissions"] == ["domains:read", "keys:read"]
    assert set(as_json["api_key"]) == API_KEY_FIELDS and work.stored(as_json["api_key"]["id"])

    revealed = json.loads(work.reveal("keys", "create", "--name", "j2", "--json", "--show-secret").stdout)
    assert revealed["secret"] == work.stored(revealed["api_key"]["id"])


def test_when_the_keychain_fails_the_secret_is_printed_once_and_the_exit_is_3(work: Work) -> None:
    failing_store = (
        "real = keychain.Keychain.store\n"
        "def store(self, entry, secret, **kw):\n"
        "    if '/key/' in entry:\n"
        "        raise keychain.KeychainLocked('The keychain is locked (test).')\n"
        "    return real(self, entry, secret, **kw)\n"
        "keychain.Keychain.store = store\n")
    result = patched_cli(failing_store, "keys", "create", "--name", "orphan")
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "could NOT be stored in your keychain: The keychain is locked (test)." in result.stderr
    [secret] = re.findall(r"Secret: (myssl_k_[a-z0-9]+)", result.stdout)
    work.secrets.add(secret)  # may appear in this output only, never in a file
    key = work.named("orphan")
    assert work.stored(key.id) is None
    assert MysslClient(work.sandbox.base_url, secret).current().api_key.id == key.id  # type: ignore[attr-defined]

    failing_load = (
        "real = keychain.Keychain.load\n"
        "def load(self, entry):\n"
        "    if '/key/' in entry:\n"
        "        raise keychain.KeychainLocked('locked')\n"
        "    return real(self, entry)\n"
        "keychain.Keychain.load = load\n")
    rows = json.loads(patched_cli(failing_load, "keys", "list", "--json").stdout)
    assert rows and all(row["secret_stored"] is None for row in rows)


def test_rename_then_regenerate_needs_yes_and_stops_the_old_secret(work: Work) -> None:
    assert work.run("keys", "create", "--name", "svc").returncode == 0
    key = work.named("svc")
    old = work.stored(key.id)
    assert old is not None
    MysslClient(work.sandbox.base_url, old).current()  # type: ignore[attr-defined]

    renamed = work.run("keys", "rename", "--key", "svc", "--name", "svc v2")
    assert renamed.returncode == 0 and "Renamed “svc”" in renamed.stdout
    assert work.api.get_key(key.id).name == "svc v2"

    refused = work.run("keys", "regenerate", "--key", "svc v2")  # no terminal, no --yes
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "stops working at once" in refused.stderr and "used just now: something still uses it" in refused.stderr
    assert "myssl-keys rotate" in refused.stderr
    MysslClient(work.sandbox.base_url, old).current()  # type: ignore[attr-defined]  # still works

    done = work.run("keys", "regenerate", "--key", str(key.id), "--yes")
    assert done.returncode == 0, done.stderr
    new = work.stored(key.id)
    assert new is not None and new != old
    assert "Regenerated key “svc v2”" in done.stdout and "stored in your keychain" in done.stdout
    with pytest.raises(InvalidApiKey):
        MysslClient(work.sandbox.base_url, old).current()  # type: ignore[attr-defined]
    assert MysslClient(work.sandbox.base_url, new).current().api_key.id == key.id  # type: ignore[attr-defined]

    idle, _ = work.make("idle")
    assert "never used" in work.run("keys", "regenerate", "--key", "idle").stderr


def test_revoke_now_twice_then_schedule_and_cancel(work: Work) -> None:
    doomed, _ = work.make("doomed")
    later, _ = work.make("later")

    refused = work.run("keys", "revoke", "--key", "doomed")
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "never used (0 requests in the last 24 h)" in refused.stderr
    assert work.api.get_key(doomed.id).status == "active"

    revoked = work.run("keys", "revoke", "--key", "doomed", "--yes")
    assert revoked.returncode == 0 and "Revoked “doomed”" in revoked.stdout
    assert work.api.get_key(doomed.id).status == "revoked"
    twice = work.run("keys", "revoke", "--key", "doomed", "--yes")
    assert twice.returncode == 0 and "already revoked" in twice.stdout

    scheduled = work.run("keys", "revoke", "--key", "later", "--at", "24h", "--yes")
    assert scheduled.returncode == 0 and "(in 24 hours)" in scheduled.stdout, scheduled.stderr
    expiring = work.api.get_key(later.id)
    assert expiring.status == "expiring" and expiring.expires_at is not None
    assert abs(expiring.expires_at - (datetime.now(UTC) + timedelta(hours=24))) < timedelta(minutes=5)
    cancelled = work.run("keys", "revoke", "--key", "later", "--cancel")
    assert cancelled.returncode == 0 and "Cancelled the scheduled revoke" in cancelled.stdout
    back = work.api.get_key(later.id)
    assert back.status == "active" and back.expires_at is None


def test_the_profiles_own_sign_in_key_is_refused(work: Work) -> None:
    for extra in ((), ("--yes",), ("--at", "24h", "--yes")):
        result = work.run("keys", "revoke", "--key", "Sandbox admin", *extra)
        assert result.returncode == 1
        assert "the key this profile signs in with" in result.stderr and "Not confirmed" not in result.stderr
    regenerate = work.run("keys", "regenerate", "--key", "Sandbox admin", "--yes")
    assert regenerate.returncode == 1 and "signs in with" in regenerate.stderr
    assert work.api.current().api_key.status == "active"  # the admin key still works


def test_keys_are_named_by_id_or_exact_name(work: Work) -> None:
    first, _ = work.make("dup")
    second, _ = work.make("dup")
    old_solo, _ = work.make("solo")
    work.api.revoke_key(old_solo.id)
    solo, _ = work.make("solo")

    ambiguous = work.run("keys", "show", "--key", "dup")
    assert ambiguous.returncode == 1 and "2 keys are named “dup”" in ambiguous.stderr
    for key in (first, second):
        assert f"id {key.id} ({key.prefix}…" in ambiguous.stderr
    assert "Name one by its id." in ambiguous.stderr
    assert json.loads(work.run("keys", "show", "--key", str(second.id), "--json").stdout)["id"] == second.id
    assert json.loads(work.run("keys", "show", "--key", "solo", "--json").stdout)["id"] == solo.id

    unknown = work.run("keys", "rename", "--key", "nothing here", "--name", "x")
    assert unknown.returncode == 1 and "no key named “nothing here”" in unknown.stderr


def test_the_key_is_named_as_an_argument_or_with_key_once(work: Work) -> None:
    key, _ = work.make("Production Server")
    for args in (["Production Server"], ["--key", "Production Server"], [str(key.id)],
                 ["Production Server", "--key", "Production Server"]):
        shown = work.run("keys", "show", *args, "--json")
        assert shown.returncode == 0 and json.loads(shown.stdout)["id"] == key.id, args
    both = work.run("keys", "show", "Production Server", "--key", "Sandbox admin")
    assert both.returncode == 2 and "Name the key once" in both.stderr
    neither = work.run("keys", "rename", "--name", "x")
    assert neither.returncode == 2 and "Name the key: myssl-keys keys rename KEY" in neither.stderr
    renamed = work.run("keys", "rename", str(key.id), "--name", "Production API")
    assert renamed.returncode == 0 and work.api.get_key(key.id).name == "Production API"
    revoked = work.run("keys", "revoke", "Production API", "--yes")
    assert revoked.returncode == 0 and work.api.get_key(key.id).status == "revoked"


def test_the_key_limit_names_the_stale_keys(work: Work) -> None:
    store = work.sandbox.store  # type: ignore[attr-defined]
    long_ago = time.time() - 120 * 86400
    for name in ("forgotten one", "forgotten two"):
        work.secrets.add(store.create_key(name, ["domains:read"], created_at=long_ago)[1])
    active = len([k for k in work.api.all_keys() if not k.is_revoked])
    for n in range(25 - active):  # straight through the API, up to the limit
        work.make(f"filler {n}")

    full = work.run("keys", "create", "--name", "one too many")
    assert full.returncode == 1
    assert "already has 25 active keys" in full.stderr
    assert "“forgotten one”" in full.stderr and "“forgotten two”" in full.stderr
    assert "filler" not in full.stderr
    assert not [k for k in work.api.all_keys() if k.name == "one too many"]


def test_create_with_an_expiry(work: Work) -> None:
    before = datetime.now(UTC)
    made = work.run("keys", "create", "--name", "contractor", "--expires", "30d")
    assert made.returncode == 0, made.stderr
    key = work.named("contractor")
    assert key.status == "expiring" and key.expires_at is not None
    span = timedelta(days=30)
    assert before + span - timedelta(seconds=1) <= key.expires_at <= datetime.now(UTC) + span
    assert f"It is revoked at {key.expires_at.astimezone().strftime('%Y-%m-%d %H:%M:%S')}" in made.stdout
    exact = work.run("keys", "create", "--name", "fixed", "--expires", "2099-03-01T08:00:00Z", "--json")
    assert json.loads(exact.stdout)["api_key"]["expires_at"] == "2099-03-01T08:00:00Z"
    never = work.run("keys", "create", "--name", "forever", "--expires", "never")
    assert never.returncode == 0 and work.named("forever").expires_at is None


@pytest.mark.parametrize(("when", "words"), [
    ("2020-01-01", "is not in the future"),
    ("2099-02-30", "no such day"),
    ("2099-03-01T08:00:00+01:00", "is not an expiry"),
    ("tomorrow", "is not an expiry"),
])
def test_an_expiry_that_is_not_a_future_time_is_refused_before_anything_is_made(work: Work, when: str,
                                                                                  words: str) -> None:
    refused = work.run("keys", "create", "--name", "never made", "--expires", when)
    assert refused.returncode == 2 and words in refused.stderr
    assert not [k for k in work.api.all_keys() if k.name == "never made"]


def test_create_with_an_expiry_against_a_server_before_v1_1(cli, app_dirs: AppDirs, real_keychain: Keychain) -> None:
    from myssl_desktop.sandbox import Sandbox

    with Sandbox(tier="enterprise", api_version="1.0") as old:
        assert cli("login", "--profile", "old", "--base-url", old.base_url, "--key-stdin",
                   stdin=old.admin_key).returncode == 0
        plain = cli("keys", "create", "--profile", "old", "--name", "plain")
        assert plain.returncode == 0, plain.stderr
        expiring = cli("keys", "create", "--profile", "old", "--name", "contractor", "--expires", "90d")
        assert expiring.returncode == 0, expiring.stderr
        assert "It is revoked at " in expiring.stdout  # scheduled with a second request
        keys = {k.name: k for k in MysslClient(old.base_url, old.admin_key).all_keys()}
        assert keys["plain"].expires_at is None and keys["contractor"].status == "expiring"
        shown = cli("keys", "show", "--profile", "old", "--key", "contractor")
        revoke_at = keys["contractor"].expires_at
        assert revoke_at is not None and f"Revoke at:   {revoke_at.astimezone().strftime('%Y-%m-%d')}" in shown.stdout
