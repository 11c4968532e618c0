"""The drain names what still uses the old key: the clients MySSL saw since delivery, asked for
sparingly, and an older server that does not report clients is said so, not failed on."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from myssl_desktop.api import ConnectionPool, MysslClient, Secret
from myssl_desktop.keyclients import NOT_REPORTED
from myssl_desktop.profiles import Profile
from myssl_desktop.rotation import RotationMachine, State, Waiting
from myssl_desktop.sandbox import Sandbox
from tests.rotation.conftest import NO_SLEEP
from tests.support import FakeClock, ProxyRefuses


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _machine(services, sb: Sandbox, clock: FakeClock) -> tuple[RotationMachine, Profile]:  # noqa: ANN001
    profile, _ = services.signin.sign_in(Profile.new("Clocked", sb.base_url), Secret(sb.admin_key))
    machine: RotationMachine = services.rotations
    machine.clock = lambda: datetime.fromtimestamp(clock(), UTC)  # the sandbox's time
    machine._connect = lambda base_url, secret: MysslClient(base_url, secret, retry=NO_SLEEP)
    return machine, profile


@pytest.fixture
def sandbox_v11(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise", clock=clock) as sb:
        yield sb


@pytest.fixture
def sandbox_v10(clock: FakeClock) -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise", clock=clock, api_version="1.0") as sb:
        yield sb


def _use(sb: Sandbox, secret: Secret, agent: str) -> None:
    with httpx.Client(base_url=sb.base_url, headers={"User-Agent": agent}) as app:
        assert app.get("/domains", headers={"Authorization": f"Bearer {secret.reveal()}"}).status_code == 200


def _start_drain(machine: RotationMachine, profile: Profile, sb: Sandbox) -> tuple[str, Secret]:
    app = MysslClient(sb.base_url, sb.admin_key).create_key("Billing export", ["domains:read"])
    _use(sb, app.secret, "before-delivery/1.0")  # used before the rotation: not "still"
    clock_of(sb).advance(10)
    rotation = machine.plan(profile, app.api_key, [], quiet_period_s=600)
    outcome = machine.run(rotation.id)
    assert isinstance(outcome, Waiting) and outcome.rotation.state == State.DRAINING
    assert outcome.drain is not None and outcome.drain.clients == () and outcome.drain.who() == ""
    return rotation.id, app.secret


def clock_of(sb: Sandbox) -> FakeClock:
    clock = sb.store._clock
    assert isinstance(clock, FakeClock)
    return clock


def _drain(machine: RotationMachine, rotation_id: str):  # noqa: ANN202
    outcome = machine.step(rotation_id)
    assert isinstance(outcome, Waiting) and outcome.drain is not None
    return outcome.drain


def test_the_drain_names_the_client_that_still_uses_the_old_key(services, sandbox_v11: Sandbox,
                                                                clock: FakeClock) -> None:
    machine, profile = _machine(services, sandbox_v11, clock)
    rotation_id, old_secret = _start_drain(machine, profile, sandbox_v11)
    clock.advance(5)
    _use(sandbox_v11, old_secret, "python-requests/2.32.3")
    drain = _drain(machine, rotation_id)
    assert drain.used_after_delivery
    assert [(c.address, c.user_agent) for c in drain.clients or ()] == [("127.0.0.1", "python-requests/2.32.3")]
    now = datetime.fromtimestamp(clock(), UTC) + timedelta(seconds=40)
    assert drain.who(now) == "Used since delivery by 127.0.0.1 python-requests/2.32.3, last seen 40 s ago."


def test_the_clients_are_asked_again_only_after_a_minute_of_use(services, sandbox_v11: Sandbox,
                                                                clock: FakeClock) -> None:
    machine, profile = _machine(services, sandbox_v11, clock)
    rotation_id, old_secret = _start_drain(machine, profile, sandbox_v11)
    _use(sandbox_v11, old_secret, "first-app/1")
    assert [c.user_agent for c in _drain(machine, rotation_id).clients or ()] == ["first-app/1"]
    clock.advance(15)
    _use(sandbox_v11, old_secret, "second-app/2")
    served = sandbox_v11.requests_served
    assert [c.user_agent for c in _drain(machine, rotation_id).clients or ()] == ["first-app/1"]
    assert sandbox_v11.requests_served == served + 2, "two key reads, no clients request"
    clock.advance(50)
    assert [c.user_agent for c in _drain(machine, rotation_id).clients or ()] == ["second-app/2", "first-app/1"]
    clock.advance(300)  # nothing used the old key since: the last answer still holds
    served = sandbox_v11.requests_served
    assert len(_drain(machine, rotation_id).clients or ()) == 2
    assert sandbox_v11.requests_served == served + 2


def test_a_server_that_does_not_report_clients_is_said_so(services, sandbox_v10: Sandbox, clock: FakeClock) -> None:
    machine, profile = _machine(services, sandbox_v10, clock)
    rotation_id, old_secret = _start_drain(machine, profile, sandbox_v10)
    _use(sandbox_v10, old_secret, "python-requests/2.32.3")
    drain = _drain(machine, rotation_id)
    assert drain.clients is None and drain.who() == NOT_REPORTED
    assert "still uses the old key" in drain.summary()
    clock.advance(120)
    _use(sandbox_v10, old_secret, "python-requests/2.32.3")
    served = sandbox_v10.requests_served
    assert _drain(machine, rotation_id).who() == NOT_REPORTED
    assert sandbox_v10.requests_served == served + 2, "known by now: not asked again"


def test_a_failure_to_ask_is_a_note_and_the_drain_goes_on(services, sandbox_v11: Sandbox, clock: FakeClock) -> None:
    machine, profile = _machine(services, sandbox_v11, clock)
    pool = ConnectionPool(transport=ProxyRefuses("/clients", ("GET",)))
    machine._connect = lambda base_url, secret: MysslClient(base_url, secret, pool=pool, retry=NO_SLEEP)
    rotation_id, old_secret = _start_drain(machine, profile, sandbox_v11)
    _use(sandbox_v11, old_secret, "python-requests/2.32.3")
    drain = _drain(machine, rotation_id)
    assert drain.used_after_delivery and drain.clients is None
    assert drain.who().startswith("Could not ask MySSL which clients use the old key."), drain.who()
    assert "HTTP 503" in drain.who()
    pool.close()
