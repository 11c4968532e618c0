"""Key actions against the sandbox and the real keychain: the secret is kept before it is
shown, lost answers are checked before anyone retries, the sign-in key is protected."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from keyring.backends.fail import Keyring as NoKeyring

from myssl_desktop.api import ConnectionPool, KeyLimitReached, MysslClient, NetworkError, RetryPolicy, Secret
from myssl_desktop.keyactions import ActionUncertain, CreateUncertain, KeyActions, OwnKeyRefused
from myssl_desktop.keychain import DemoKeyring, Entry, Keychain
from myssl_desktop.profiles import Profile
from myssl_desktop.revoke_when import RevokeWhen
from myssl_desktop.sandbox import Sandbox
from tests.support import FaultOnce, LoseAnswers, ProxyRefuses, closed_port_url, random_secret

NO_SLEEP = RetryPolicy(sleep=lambda s: None)


@pytest.fixture
def profile(sandbox) -> Profile:
    return Profile.new("Work", sandbox.base_url)


def actions_for(sandbox, keychain: Keychain, profile: Profile, transport=None) -> KeyActions:
    pool = ConnectionPool(transport=transport) if transport else ConnectionPool()
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool, retry=NO_SLEEP)
    return KeyActions(client, keychain, profile, own_key_prefix=sandbox.admin_key[:12])


def names(sandbox, name: str) -> list[str]:
    return [k.name for k in MysslClient(sandbox.base_url, sandbox.admin_key).all_keys(search=name)]


def test_create_keeps_the_secret_in_the_keychain(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile)
    new = actions.create("Deploy bot", ["domains:read"])
    assert new.stored and new.problem == "" and new.place == "your system keychain"
    assert real_keychain.load(Entry.created_key(profile.id, new.api_key.id)) == new.secret
    assert actions.stored_secret(new.api_key.id) == new.secret
    assert MysslClient(sandbox.base_url, new.secret).current().api_key.name == "Deploy bot"


def test_in_the_sandbox_the_secret_is_said_to_be_in_its_in_memory_keychain(sandbox, profile: Profile) -> None:
    new = actions_for(sandbox, Keychain(DemoKeyring()), profile).create("Demo bot", ["domains:read"])
    assert new.stored and "sandbox’s in-memory keychain" in new.place


def test_without_a_keychain_the_secret_is_still_returned_with_the_problem(sandbox, profile: Profile) -> None:
    new = actions_for(sandbox, Keychain(NoKeyring()), profile).create("Loud", ["domains:read"])
    assert not new.stored and "No keychain" in new.problem
    assert new.secret.reveal().startswith("myssl_k_")


def test_a_lost_create_answer_is_reconciled_not_repeated(sandbox, real_keychain: Keychain,
                                                         profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile, LoseAnswers(("POST",)))
    with pytest.raises(CreateUncertain) as caught:
        actions.create("Flaky network", ["domains:read"])
    assert [k.name for k in caught.value.found] == ["Flaky network"]
    assert "revoke it" in str(caught.value)
    assert names(sandbox, "Flaky network") == ["Flaky network"]  # exactly one, no duplicate


def test_a_create_that_never_arrived_says_it_is_safe_to_retry(sandbox, real_keychain: Keychain,
                                                              profile: Profile) -> None:
    class DropBeforeServer(LoseAnswers):
        def handle_request(self, request):  # noqa: ANN001
            import httpx

            if request.method == "POST" and self.count > 0:
                self.count -= 1
                raise httpx.ReadTimeout("timed out", request=request)  # sent? unknown to the client
            return super().handle_request(request)

    actions = actions_for(sandbox, real_keychain, profile, DropBeforeServer(("POST",)))
    with pytest.raises(CreateUncertain) as caught:
        actions.create("Never made", ["domains:read"])
    assert caught.value.found == [] and "safe to try again" in str(caught.value)


def test_create_when_the_network_is_down(real_keychain: Keychain) -> None:
    profile = Profile.new("Down", closed_port_url())
    client = MysslClient(profile.base_url, Secret("myssl_k_abc"), retry=NO_SLEEP)
    with pytest.raises(NetworkError) as caught:
        KeyActions(client, real_keychain, profile).create("x", ["domains:read"])
    assert not caught.value.maybe_applied


def test_lost_answers_to_changes_are_checked(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    admin = actions_for(sandbox, real_keychain, profile)
    key = admin.create("Target", ["domains:read"]).api_key
    renamed = actions_for(sandbox, real_keychain, profile, LoseAnswers(("PATCH",))).rename(key, "Renamed")
    assert renamed.name == "Renamed"  # it happened: carry on as if answered
    revoked = actions_for(sandbox, real_keychain, profile, LoseAnswers(("POST",))).revoke(renamed)
    assert revoked.status == "revoked"


def test_a_lost_regenerate_answer_says_the_secret_is_gone(sandbox, real_keychain: Keychain,
                                                          profile: Profile) -> None:
    key = actions_for(sandbox, real_keychain, profile).create("Regen", ["domains:read"]).api_key
    with pytest.raises(ActionUncertain) as caught:
        actions_for(sandbox, real_keychain, profile, LoseAnswers(("POST",))).regenerate(key)
    assert caught.value.happened is True and "regenerate again" in str(caught.value)
    assert caught.value.key_to_regenerate is not None and caught.value.key_to_regenerate.id == key.id


def test_a_truncated_create_is_reconciled_and_offers_a_regenerate(sandbox, real_keychain: Keychain,
                                                                   profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile, FaultOnce(sandbox, "POST", "truncated"))
    with pytest.raises(CreateUncertain) as caught:
        actions.create("Cut off", ["domains:read"])
    error = caught.value
    assert [k.name for k in error.found] == ["Cut off"] and error.key_to_regenerate == error.found[0]
    assert "new secret could not be read" in str(error) and "regenerate" in str(error)
    assert "Try again" not in str(error) and "safe to try again" not in str(error)
    assert names(sandbox, "Cut off") == ["Cut off"]  # no duplicate was made
    new = actions.regenerate(error.key_to_regenerate)  # what the app offers: a usable secret for that key
    assert new.stored and MysslClient(sandbox.base_url, new.secret).current().api_key.name == "Cut off"


def test_a_truncated_create_that_cannot_be_checked_does_not_invite_a_retry(sandbox, real_keychain: Keychain,
                                                                           profile: Profile) -> None:
    sandbox.set_faults(fail_rate=1.0, kinds=["truncated"])  # the check's answers are cut too
    with pytest.raises(CreateUncertain) as caught:
        actions_for(sandbox, real_keychain, profile).create("Unchecked", ["domains:read"])
    assert caught.value.found == [] and caught.value.key_to_regenerate is None
    assert "could not be reached to check" in str(caught.value) and "safe" not in str(caught.value)


def test_a_truncated_regenerate_says_the_secret_is_gone_and_offers_another(sandbox, real_keychain: Keychain,
                                                                          profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile)
    first = actions.create("Regen cut", ["domains:read"])
    with pytest.raises(ActionUncertain) as caught:  # MySSL regenerates the key and cuts its answer
        actions_for(sandbox, real_keychain, profile, FaultOnce(sandbox, "POST", "truncated")).regenerate(first.api_key)
    error = caught.value
    assert error.happened is True and error.key_to_regenerate is not None
    assert error.key_to_regenerate.id == first.api_key.id and error.key_to_regenerate.prefix != first.api_key.prefix
    assert "new secret could not be read" in str(error) and "old secret no longer works" in str(error)
    assert actions.stored_secret(first.api_key.id) is None  # the kept secret was dead: forgotten
    again = actions.regenerate(error.key_to_regenerate)
    assert actions.stored_secret(first.api_key.id) == again.secret
    assert MysslClient(sandbox.base_url, again.secret).current().api_key.id == first.api_key.id


def test_messages_about_a_key_never_show_a_key_shaped_name(sandbox, real_keychain: Keychain,
                                                           profile: Profile) -> None:
    name = random_secret()  # someone named a key with a secret
    actions = actions_for(sandbox, real_keychain, profile)
    key = actions.create(name, ["domains:read"]).api_key
    for lossy, act in ((LoseAnswers(("POST",)), lambda a: a.regenerate(key)),
                       (LoseAnswers(("POST",)), lambda a: a.create(name, ["domains:read"])),
                       (DropEverything(), lambda a: a.rename(key, "x"))):
        with pytest.raises(Exception) as caught:
            act(actions_for(sandbox, real_keychain, profile, lossy))
        assert name not in str(caught.value) + repr(caught.value) and name[:12] + "…" in str(caught.value)


class DropEverything(LoseAnswers):
    """Loses the answer of every request: the check after a lost answer fails too."""

    def __init__(self) -> None:
        super().__init__(("GET", "POST", "PATCH"), count=1_000)


def test_regenerate_keeps_the_new_secret(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile)
    first = actions.create("Rotate me", ["domains:read"])
    second = actions.regenerate(first.api_key)
    assert second.stored and second.secret != first.secret
    assert actions.stored_secret(first.api_key.id) == second.secret


def test_revoke_rules(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    actions = actions_for(sandbox, real_keychain, profile)
    own = next(k for k in actions.client.all_keys() if k.name == "Sandbox admin")
    with pytest.raises(OwnKeyRefused, match="Rotate it instead"):
        actions.revoke(own)
    with pytest.raises(OwnKeyRefused):
        actions.schedule_revoke(own, RevokeWhen.IN_1H)
    key = actions.create("Temp", ["domains:read"]).api_key
    scheduled = actions.schedule_revoke(key, RevokeWhen.IN_24H)
    assert scheduled.status == "expiring" and scheduled.expires_at is not None
    assert actions.cancel_scheduled_revoke(scheduled).status == "active"
    first = actions.revoke(key)
    assert actions.revoke(first).revoked_at == first.revoked_at  # twice is harmless


def test_key_limit_names_the_stale_keys(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    from datetime import UTC, datetime

    old = datetime.now(UTC) - timedelta(days=200)
    sandbox.store.create_key("Forgotten", ["domains:read"], created_at=old, last_used_at=old)
    actions = actions_for(sandbox, real_keychain, profile)
    for n in range(23):
        actions.client.create_key(f"Filler {n}", ["domains:read"])
    with pytest.raises(KeyLimitReached) as caught:
        actions.create("One too many", ["domains:read"])
    assert "25 active keys" in str(caught.value) and "1 of them unused" in str(caught.value)
    assert [k.name for k in caught.value.stale_keys] == ["Forgotten"]


def test_a_create_slower_than_the_client_timeout_makes_no_duplicate(sandbox, real_keychain: Keychain,
                                                                    profile: Profile) -> None:
    import httpx

    sandbox.set_faults(latency_ms=1000)  # answers after the key is made, later than we wait
    pool = ConnectionPool(timeout=httpx.Timeout(0.3))
    client = MysslClient(sandbox.base_url, sandbox.admin_key, pool=pool, retry=RetryPolicy(attempts=1))
    actions = KeyActions(client, real_keychain, profile)
    started = actions.clock()
    with pytest.raises(CreateUncertain) as caught:
        actions.create("Slow create", ["domains:read"])
    assert caught.value.found == [] and "could not be reached to check" in str(caught.value)
    sandbox.set_faults(latency_ms=0)  # the server recovers: check again instead of retrying
    again = KeyActions(MysslClient(sandbox.base_url, sandbox.admin_key), real_keychain, profile)
    assert [k.name for k in again.check_create("Slow create", started).found] == ["Slow create"]
    assert names(sandbox, "Slow create") == ["Slow create"]
    pool.close()


def test_core_dumps_are_turned_off() -> None:
    import subprocess
    import sys

    script = ("import resource\nfrom myssl_desktop.app import disable_core_dumps\n"
              "disable_core_dumps()\nprint(resource.getrlimit(resource.RLIMIT_CORE))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "(0, 0)"


# --- an expiry at creation (contract v1.1), also from a server that predates it ---------------


@pytest.fixture
def old_sandbox() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise", api_version="1.0") as sb:
        yield sb


def _in_days(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


def test_create_with_an_expiry(sandbox, real_keychain: Keychain, profile: Profile) -> None:
    when = _in_days(30)
    new = actions_for(sandbox, real_keychain, profile).create("Contractor", ["domains:read"], expires_at=when)
    assert (new.api_key.status, new.api_key.expires_at, new.expiry_problem) == ("expiring", when, "")
    assert new.stored


def test_an_older_server_gets_the_expiry_in_a_second_request(old_sandbox: Sandbox, real_keychain: Keychain) -> None:
    profile = Profile.new("Old", old_sandbox.base_url)
    actions = actions_for(old_sandbox, real_keychain, profile)
    plain = actions.create("Plain", ["domains:read"])
    assert (plain.api_key.status, plain.api_key.expires_at) == ("active", None)
    when = _in_days(90)
    new = actions.create("Contractor", ["domains:read"], expires_at=when)
    assert (new.api_key.status, new.api_key.expires_at, new.expiry_problem) == ("expiring", when, "")
    assert MysslClient(old_sandbox.base_url, old_sandbox.admin_key).get_key(new.api_key.id).expires_at == when


def test_when_the_expiry_cannot_be_set_the_key_and_its_secret_are_still_handed_over(
        old_sandbox: Sandbox, real_keychain: Keychain) -> None:
    profile = Profile.new("Old", old_sandbox.base_url)
    actions = actions_for(old_sandbox, real_keychain, profile, ProxyRefuses(methods=("PATCH",)))
    new = actions.create("Contractor", ["domains:read"], expires_at=_in_days(90))
    assert new.stored and real_keychain.load(Entry.created_key(profile.id, new.api_key.id)) == new.secret
    assert new.api_key.expires_at is None and "HTTP 503" in new.expiry_problem
    assert MysslClient(old_sandbox.base_url, old_sandbox.admin_key).get_key(new.api_key.id).status == "active"
