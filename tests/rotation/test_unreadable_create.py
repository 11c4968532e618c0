"""A rotation whose create is answered with success but cut off (the sandbox's "truncated" fault):
the machine sees a lost answer (NetworkError with maybe_applied), and its next step revokes the key
whose secret was lost and makes one more, exactly as after a dropped connection."""

from __future__ import annotations

import pytest

from myssl_desktop.api import ConnectionPool, MysslClient, NetworkError, SecretUnreadable
from myssl_desktop.keychain import Entry
from myssl_desktop.rotation import Finished, State
from tests.rotation.conftest import NO_SLEEP
from tests.support import FaultOnce


def test_a_rotation_whose_create_answer_was_cut_off_makes_one_usable_key(machine, sandbox, signed_in,
                                                                         app_key, services) -> None:
    rotation = machine.plan(signed_in, app_key.api_key, [], quiet_period_s=0)
    cut = ConnectionPool(transport=FaultOnce(sandbox, "POST", "truncated"))  # MySSL makes the key, cuts its answer
    machine._connect = lambda base_url, secret: MysslClient(base_url, secret, pool=cut, retry=NO_SLEEP)
    with pytest.raises(NetworkError) as caught:
        machine.step(rotation.id)
    assert isinstance(caught.value, SecretUnreadable) and caught.value.maybe_applied
    assert machine.load(rotation.id).state == State.PLANNED  # nothing believed: the next step checks
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Finished) and outcome.rotation.state == State.DONE, outcome
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    made = [k for k in admin.all_keys() if k.name.startswith("Production Server") and k.id != app_key.api_key.id]
    assert sorted(k.status for k in made) == ["active", "revoked"]  # the unreadable one revoked, one in use
    secret = services.keychain.load(Entry.created_key(signed_in.id, outcome.rotation.new_key_id))
    assert secret is not None
    assert MysslClient(sandbox.base_url, secret).current().api_key.id == outcome.rotation.new_key_id
