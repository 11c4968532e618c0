"""Each reminder event, found against the sandbox over loopback with the time injected, reaches
a real notification server on the D-Bus session bus; once, in quiet hours not at all, and a
click on it names what to open."""

from __future__ import annotations

import queue
import re
from datetime import UTC, datetime

import pytest

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.profiles import Profile
from myssl_desktop.reminders.check import run_check
from myssl_desktop.reminders.dispatch import deliver
from myssl_desktop.reminders.findings import Event
from myssl_desktop.reminders.ledger import SentLedger
from myssl_desktop.reminders.notify import Notice
from myssl_desktop.reminders.notify.freedesktop import FreedesktopNotifier
from myssl_desktop.reminders.preferences import ProfileReminders, ReminderPrefs
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.scan import scan
from myssl_desktop.scan.store import FoundStore
from tests.reminders.conftest import committed_and_removed
from tests.support import FakeClock

pytestmark = [pytest.mark.keychain, pytest.mark.dbus]
DAY = 86400
START = 1_790_000_000.0  # 2026-09-21


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def account(services, clock):
    """An account with one key of each kind of trouble, and a profile signed in to it."""
    with Sandbox(tier="enterprise", clock=clock) as sb:
        store = sb.store
        now = clock()
        store.create_key("Old deploy key", ["domains:read"], created_at=now - 120 * DAY, last_used_at=now - DAY)
        store.create_key("Expiring", ["domains:read"], created_at=now - 10 * DAY, last_used_at=now,
                         expires_at=now + 5 * DAY)
        store.create_key("Revoked tomorrow", ["domains:read"], created_at=now - 10 * DAY, last_used_at=now,
                         expires_at=now + 12 * 3600)
        spiking, _ = store.create_key("Busy worker", ["domains:read"], created_at=now - 20 * DAY)
        for back in range(1, 20):
            store.add_usage(spiking, datetime.fromtimestamp(now - back * DAY, UTC).strftime("%Y-%m-%d"), 10)
        store.record_request(spiking, 500)
        store.create_key("Healthy", ["domains:read"], created_at=now - 10 * DAY, last_used_at=now)
        profile, _ = services.signin.sign_in(Profile.new("Work", sb.base_url), Secret(sb.admin_key))
        yield sb, profile


def at(clock: FakeClock) -> datetime:
    return datetime.fromtimestamp(clock(), UTC)


def test_each_key_event_arrives_once_at_a_real_notification_server(services, account, clock, notifications,
                                                                   tmp_path) -> None:
    sb, profile = account
    report = run_check(services, [profile], at(clock))
    by_event = {(f.event, f.title.split(": ", 1)[1]) for f in report.findings}
    assert {(Event.DUE, "Old deploy key"), (Event.EXPIRING, "Expiring"), (Event.REVOKE_SOON, "Revoked tomorrow"),
            (Event.SPIKE, "Busy worker")} <= by_event
    assert not any(name == "Healthy" for _, name in by_event)

    ledger = SentLedger(tmp_path / "data")
    notifier = FreedesktopNotifier()
    try:
        delivery = deliver(report.findings, ReminderPrefs(), ledger, notifier, at(clock))
        arrived = {notifications.next().summary for _ in delivery.sent}
        assert {"Key due for rotation: Old deploy key", "Key expiring soon: Expiring",
                "Key revoked within 24 hours: Revoked tomorrow", "Usage spike: Busy worker"} <= arrived
        first = notifications.all[0]
        assert first.app_name == "MySSL Desktop" and first.actions == ("default", "Open")
        assert first.hints["desktop-entry"][1] == "myssl-desktop"

        # The same events an hour later: nothing new is sent.
        clock.advance(3600)
        again = deliver(run_check(services, [profile], at(clock)).findings, ReminderPrefs(), ledger, notifier,
                        at(clock))
        assert again.sent == () and notifications.nothing_more()
    finally:
        notifier.close()
    text = ledger.path.read_text() + "".join(f"{n.summary}{n.body}" for n in notifications.all)
    assert re.findall(r"myssl_k_[a-z0-9]+", text) and not re.findall(r"myssl_k_[a-z0-9]{5,}", text)  # prefixes only


def test_a_key_newly_flagged_exposed_is_told_at_once(services, account, clock, notifications, tmp_path) -> None:
    sb, profile = account
    exposed: set[str] = set()

    def flags(_: Profile, key) -> set[str]:  # noqa: ANN001 - the scan's hook: keyflags.EXPOSED
        return {"exposed"} if key.name in exposed else set()

    prefs = ReminderPrefs().with_profile(profile.id, ProfileReminders(events=frozenset({Event.EXPOSED})))
    ledger, notifier = SentLedger(tmp_path / "data"), FreedesktopNotifier()
    try:
        assert deliver(run_check(services, [profile], at(clock), extra_flags=flags).findings, prefs, ledger,
                       notifier, at(clock)).sent == ()
        exposed.add("Healthy")
        sent = deliver(run_check(services, [profile], at(clock), extra_flags=flags).findings, prefs, ledger,
                       notifier, at(clock)).sent
        assert [f.event for f in sent] == [Event.EXPOSED]
        got = notifications.next()
        assert got.summary == "Key found exposed: Healthy" and got.hints["urgency"][1] == 2
    finally:
        notifier.close()


def test_quiet_hours_hold_notifications_back_until_they_end(services, account, clock, notifications,
                                                            tmp_path) -> None:
    _, profile = account
    hour = at(clock).astimezone().hour
    quiet = ProfileReminders(events=frozenset({Event.DUE}), quiet_from=hour, quiet_until=(hour + 1) % 24)
    prefs = ReminderPrefs().with_profile(profile.id, quiet)
    ledger, notifier = SentLedger(tmp_path / "data"), FreedesktopNotifier()
    try:
        held = deliver(run_check(services, [profile], at(clock)).findings, prefs, ledger, notifier, at(clock))
        assert held.sent == () and [f.event for f in held.held] == [Event.DUE] and notifications.nothing_more()
        clock.advance(3600)
        later = deliver(run_check(services, [profile], at(clock)).findings, prefs, ledger, notifier, at(clock))
        assert [f.event for f in later.sent] == [Event.DUE]
        assert notifications.next().summary == "Key due for rotation: Old deploy key"
    finally:
        notifier.close()


def test_a_revoked_sign_in_key_is_told(services, account, clock, notifications, tmp_path) -> None:
    sb, _ = account
    admin = MysslClient(sb.base_url, sb.admin_key)
    created = admin.create_key("Laptop sign-in", ["keys:read"])
    laptop, _ = services.signin.sign_in(Profile.new("Laptop", sb.base_url), created.secret)
    admin.revoke_key(created.api_key.id)
    report = run_check(services, [laptop], at(clock))
    assert [f.event for f in report.findings] == [Event.SIGN_IN_FAILING]
    notifier = FreedesktopNotifier()
    try:
        deliver(report.findings, ReminderPrefs(), SentLedger(tmp_path / "data"), notifier, at(clock))
        got = notifications.next()
    finally:
        notifier.close()
    assert got.summary == "Sign-in key revoked or failing: Laptop" and created.api_key.prefix in got.body


def test_a_click_on_a_notification_names_what_to_open(notifications) -> None:
    clicked: queue.Queue[str] = queue.Queue()
    notifier = FreedesktopNotifier(on_click=clicked.put)
    try:
        notifier.send(Notice("Key due for rotation: Old deploy key", "…", "key/p1/7"))
        notifier.send(Notice("Rotation needs you: API", "…", "rotation/ab12cd34"))
        first, second = notifications.next(), notifications.next()
        notifications.click(second)
        assert clicked.get(timeout=10) == "rotation/ab12cd34"
        notifications.click(first)
        assert clicked.get(timeout=10) == "key/p1/7"
    finally:
        notifier.close()


def test_without_a_notification_service_the_failure_is_said_and_nothing_recorded(services, account, clock, tmp_path,
                                                                                 monkeypatch) -> None:
    _, profile = account
    findings = run_check(services, [profile], at(clock)).findings
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    ledger = SentLedger(tmp_path / "data")
    notifier = FreedesktopNotifier()
    try:
        delivery = deliver(findings, ReminderPrefs(), ledger, notifier, at(clock))
    finally:
        notifier.close()
    assert delivery.sent == () and "No D-Bus session" in delivery.failed
    assert ledger.sent() == {}


def test_events_advance_with_the_injected_time(services, account, clock) -> None:
    _, profile = account
    # Five days on, "Expiring" is within 24 h and "Revoked tomorrow" has gone (revoked, so quiet).
    clock.advance(4 * DAY + 12 * 3600 + 60)
    events = {(f.event, f.title.split(": ", 1)[1]) for f in run_check(services, [profile], at(clock)).findings}
    assert (Event.REVOKE_SOON, "Expiring") in events
    assert not any(name == "Revoked tomorrow" for _, name in events)


def test_many_new_reminders_at_once_become_one_notice_that_counts_them(services, account, clock, notifications,
                                                                      tmp_path) -> None:
    sb, profile = account
    for number in range(4):
        sb.store.create_key(f"Legacy {number}", ["domains:read"], created_at=clock() - 200 * DAY,
                            last_used_at=clock())
    ledger, notifier = SentLedger(tmp_path / "data"), FreedesktopNotifier()
    try:
        delivery = deliver(run_check(services, [profile], at(clock)).findings, ReminderPrefs(), ledger, notifier,
                           at(clock))
        urgent, summary = notifications.next(), notifications.next()
    finally:
        notifier.close()
    assert urgent.summary == "Key revoked within 24 hours: Revoked tomorrow"  # urgent ones one by one
    assert summary.summary == "7 keys need attention" and "Open MySSL Desktop" in summary.body
    assert notifications.nothing_more()
    assert len(delivery.sent) == 8 and len(ledger.sent()) == 8  # each event is told, once


def test_an_old_key_still_used_after_the_quiet_period_is_told(services, account, clock, notifications,
                                                              tmp_path) -> None:
    from myssl_desktop.revoke_when import RevokeWhen
    from myssl_desktop.rotation import JournalStore, RememberedTargets, RotationMachine, State

    sb, profile = account
    services._rotations = RotationMachine(  # the machine and the sandbox share the test's clock
        store=JournalStore(services.dirs.data), keychain=services.keychain, profiles=services.profiles,
        remembered=RememberedTargets(services.dirs.data), locks=services.dirs.data / "locks",
        clock=lambda: at(clock))
    admin = MysslClient(sb.base_url, sb.admin_key)
    created = admin.create_key("Payments", ["domains:read"])
    rotation = services.rotations.plan(profile, created.api_key, [], quiet_period_s=600, revoke=RevokeWhen.NOW)
    services.rotations.run(rotation.id)
    assert services.rotations.load(rotation.id).state == State.DRAINING
    clock.advance(1200)  # twice the quiet period since delivery ...
    MysslClient(sb.base_url, created.secret).list_domains()  # ... and something still uses the old key
    prefs = ReminderPrefs().with_profile(profile.id, ProfileReminders(events=frozenset({Event.ROTATION_NEEDS_YOU})))
    notifier = FreedesktopNotifier()
    try:
        delivery = deliver(run_check(services, [profile], at(clock)).findings, prefs, SentLedger(tmp_path / "data"),
                           notifier, at(clock))
        got = notifications.next()
    finally:
        notifier.close()
    assert [f.target for f in delivery.sent] == [f"rotation/{rotation.id}"]
    assert got.summary == "Rotation needs you: Payments" and "still uses the old key" in got.body
    assert services.rotations.load(rotation.id).state == State.DRAINING  # not revoked while in use


def test_a_key_a_recorded_scan_found_in_a_commit_is_told_exposed(services, account, clock, notifications, tmp_path,
                                                                  git) -> None:
    sb, profile = account
    _, secret = sb.store.create_key("Leaked", ["domains:read"], created_at=clock() - DAY, last_used_at=clock())
    repo = committed_and_removed(git, tmp_path / "shop", secret)
    prefs = ReminderPrefs().with_profile(profile.id, ProfileReminders(events=frozenset({Event.EXPOSED})))
    assert run_check(services, [profile], at(clock), wanted=lambda _: frozenset({Event.EXPOSED})).findings == ()

    FoundStore(services.dirs.data).record(profile.id, scan([repo], history=True), history=True)

    report = run_check(services, [profile], at(clock), wanted=lambda _: frozenset({Event.EXPOSED}))
    assert [(f.event, f.title) for f in report.findings] == [(Event.EXPOSED, "Key found exposed: Leaked")]
    ledger, notifier = SentLedger(tmp_path / "data"), FreedesktopNotifier()
    try:
        assert [f.event for f in deliver(report.findings, prefs, ledger, notifier, at(clock)).sent] == [Event.EXPOSED]
        assert notifications.next().summary == "Key found exposed: Leaked"
    finally:
        notifier.close()
