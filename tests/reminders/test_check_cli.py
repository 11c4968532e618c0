"""`myssl-keys check` as cron and CI run it: a separate process against the sandbox over loopback
with the real keychain; its exit codes, its JSON, and its --notify at a real notification server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.profiles import Profile
from myssl_desktop.revoke_when import RevokeWhen
from myssl_desktop.rotation import State
from myssl_desktop.sandbox import Sandbox
from tests.support import closed_port_url

pytestmark = [pytest.mark.keychain, pytest.mark.dbus]
DAY = 86400


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myssl_desktop.cli", "check", *args], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ))


@pytest.fixture
def sb():
    with Sandbox(tier="enterprise") as sandbox:
        yield sandbox


@pytest.fixture
def work(services, sb) -> Profile:
    profile, _ = services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))
    return profile


def test_nothing_to_do_exits_0(services, work) -> None:
    result = check()
    assert result.returncode == 0, result.stderr
    assert "Nothing needs attention." in result.stdout


def test_a_due_key_exits_10_and_is_in_the_json(services, work, sb) -> None:
    sb.store.create_key("Old deploy key", ["domains:read"], created_at=time.time() - 120 * DAY,
                        last_used_at=time.time() - 3600)
    result = check("--json")
    assert result.returncode == 10, result.stderr
    document = json.loads(result.stdout)
    assert document["attention"] is True and document["errors"] == []
    [due] = document["findings"]
    assert due["event"] == "due" and due["title"] == "Key due for rotation: Old deploy key"
    assert due["target"] == f"key/{work.id}/{due['key_id']}"
    assert sb.admin_key not in result.stdout + result.stderr


def test_notify_sends_each_event_once(services, work, sb, notifications) -> None:
    sb.store.create_key("Leaving soon", ["domains:read"], created_at=time.time() - 3 * DAY,
                        last_used_at=time.time(), expires_at=time.time() + 2 * DAY + 3600)
    first = check("--notify")
    assert first.returncode == 10, first.stderr
    got = notifications.next()
    assert got.summary == "Key expiring soon: Leaving soon" and "in 2 days" in got.body
    assert "1 notification sent." in first.stdout
    second = check("--notify")
    assert second.returncode == 10 and "0 notifications sent." in second.stdout  # still needs attention, told once
    assert notifications.nothing_more()


def test_an_unreachable_profile_exits_1_and_the_others_are_still_checked(services, work, sb) -> None:
    services.profiles.put(Profile.new("Gone", closed_port_url()), make_last=False)
    gone = services.profiles.load().find("Gone")
    services.keychain.store(_sign_in_entry(gone.id), Secret(sb.admin_key))
    sb.store.create_key("Old deploy key", ["domains:read"], created_at=time.time() - 120 * DAY)
    result = check()
    assert result.returncode == 1
    assert "Gone:" in result.stderr and "Key due for rotation: Old deploy key" in result.stdout


def test_a_single_profile_and_a_wrong_name(services, work, sb) -> None:
    assert check("--profile", "Work").returncode == 0
    wrong = check("--profile", "Nope")
    assert wrong.returncode == 1 and "No profile named “Nope”" in wrong.stderr
    assert check("--profile", "Work", "--all").returncode == 2


def test_check_advances_rotations_and_tells_when_the_old_key_is_revoked(services, work, sb, notifications) -> None:
    client = MysslClient(sb.base_url, sb.admin_key)
    key = client.create_key("Production Server", ["domains:read"]).api_key
    machine = services.rotations
    rotation = machine.plan(work, key, [], quiet_period_s=0, revoke=RevokeWhen.NOW)
    while machine.load(rotation.id).state != State.DELIVERED:  # a wizard closed before verifying
        machine.step(rotation.id)
    result = check("--notify", "--json")
    assert result.returncode == 10, result.stderr
    document = json.loads(result.stdout)
    assert [f["event"] for f in document["findings"]] == ["rotation_done"]
    assert machine.load(rotation.id).state == State.DONE
    assert client.get_key(key.id).status == "revoked"
    got = notifications.next()
    assert got.summary == "Rotation finished: old key revoked: Production Server"


def test_a_rotation_that_needs_the_user_exits_10_and_is_told(services, work, sb, notifications) -> None:
    client = MysslClient(sb.base_url, sb.admin_key)
    key = client.create_key("Billing", ["domains:read"]).api_key
    machine = services.rotations
    rotation = machine.plan(work, key, [], quiet_period_s=0, revoke=RevokeWhen.LATER)
    machine.run(rotation.id)
    assert check().returncode == 0  # left for later: nothing to do yet
    client.revoke_key(machine.load(rotation.id).new_key_id)  # someone revokes the new key
    result = check("--notify", "--json")
    assert result.returncode == 10
    document = json.loads(result.stdout)
    [line] = document["rotations"]
    assert line["id"] == rotation.id and line["now"].startswith("needs you")
    assert notifications.next().summary == "Rotation needs you: Billing"


def _sign_in_entry(profile_id: str) -> str:
    from myssl_desktop.keychain import Entry

    return Entry.sign_in(profile_id)
