"""Start-up and profile flows of the app controller against the sandbox and real keychain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QInputDialog, QMessageBox

from myssl_desktop.api import MysslClient, Secret
from myssl_desktop.demo import DemoAccount
from myssl_desktop.keycache import KeyCache, snapshot_now
from myssl_desktop.keychain import Entry
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.services import Services
from myssl_desktop.ui.account.controller import AccountController
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import add_settled_window

WAIT = 20_000


def make_controller(window: MainWindow, services: Services, demo: DemoAccount, *,
                    sandbox: bool = False) -> AccountController:
    """As the app does it (myssl_desktop/app.py)."""
    controller = AccountController(services, window, window.content.ctx, open_sandbox=demo.open, sandbox=sandbox)
    window.connect_account(controller)
    return controller


@pytest.fixture
def app(qtbot, services: Services) -> Iterator[tuple[MainWindow, AccountController]]:
    window = MainWindow()
    add_settled_window(qtbot, window)
    demo = DemoAccount()
    controller = make_controller(window, services, demo)
    yield window, controller
    if controller.dialog is not None:
        controller.dialog.reject()
    demo.stop()


def names(window: MainWindow) -> set[str]:
    return {window.content.keys.model.key_at(r).name for r in range(window.content.keys.model.rowCount())}


def test_the_last_profile_opens_without_asking(qtbot, app, services: Services, sandbox) -> None:
    window, controller = app
    services.signin.sign_in(Profile.new("Work", sandbox.base_url), Secret(sandbox.admin_key))
    controller.start()
    qtbot.waitUntil(lambda: window.content.keys.model.rowCount() == 1, timeout=WAIT)
    assert controller.dialog is None
    assert "Work" in window.windowTitle() and "Enterprise" in window.content.account_bar.tier_label.text()


def test_a_revoked_key_leads_to_sign_in(qtbot, app, services: Services, sandbox) -> None:
    window, controller = app
    admin = MysslClient(sandbox.base_url, sandbox.admin_key)
    created = admin.create_key("Laptop", ["keys:read", "keys:manage"])
    profile, _ = services.signin.sign_in(Profile.new("Laptop", sandbox.base_url), created.secret)
    admin.revoke_key(created.api_key.id)
    controller.start()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=WAIT)
    assert "has been revoked" in controller.dialog.notice.text()
    assert controller.dialog.name_edit.text() == "Laptop"
    assert window.session is None


def test_first_run_offers_sign_in_and_the_sandbox(app, services: Services) -> None:
    window, controller = app
    controller.start()
    assert controller.dialog is not None and not controller.dialog.sandbox_button.isHidden()
    assert not services.profiles.path.exists()


def test_the_sandbox_touches_no_profile(qtbot, app, services: Services) -> None:
    window, controller = app
    controller.sandbox_mode = True
    controller.start()
    qtbot.waitUntil(lambda: window.content.keys.model.rowCount() > 5, timeout=WAIT)
    assert "Production Server" in names(window)
    assert "Sandbox" in window.windowTitle()
    assert not services.profiles.path.exists()


def test_the_sandbox_is_no_dead_end(qtbot, app, services: Services, sandbox) -> None:
    window, controller = app
    controller.sandbox_mode = True
    controller.start()
    qtbot.waitUntil(lambda: window.session is not None and window.session.is_sandbox, timeout=WAIT)
    sign_in = window.content.actions.sign_in
    assert sign_in.isEnabled()
    sign_in.trigger()
    dialog = controller.dialog
    assert dialog is not None and dialog.sandbox_button.isHidden()
    dialog.url_edit.setText(sandbox.base_url)
    dialog.name_edit.setText("Real account")
    dialog.key_edit.setText(sandbox.admin_key)
    QTest.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.sign_in_button.text() == "Save and continue", timeout=WAIT)
    QTest.keyClick(dialog.key_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session is not None and not window.session.is_sandbox, timeout=WAIT)
    qtbot.waitUntil(lambda: names(window) == {"Sandbox admin"}, timeout=WAIT)  # the real account's keys
    assert window.session.profile.name == "Real account" and not controller.sandbox_mode
    assert services.profiles.load().last.name == "Real account"


def test_opening_names_the_profile_at_once_and_shows_its_last_list_calmly(qtbot, services: Services, sandbox,
                                                                          tmp_path: Path) -> None:
    window, controller, demo = cached_window(qtbot, services, tmp_path)
    profile = cache_a_list(services, sandbox, "Travel", KeyCache(tmp_path / "cache"))
    sandbox.set_faults(latency_ms=1500)  # the key check is slow: the cached list shows first
    controller.start()
    assert "Travel" in window.windowTitle() and "Travel" in window.content.account_bar.profile_label.text()
    assert "Not signed in" not in window.status.text()
    qtbot.waitUntil(lambda: window.content.keys.model.rowCount() == 1, timeout=WAIT)
    freshness = window.content.account_bar.updated_label.text()
    assert freshness.startswith("as of") and "offline" not in freshness and "<b>" not in freshness
    qtbot.waitUntil(lambda: window.session is not None and window.is_idle, timeout=WAIT)
    assert window.session.profile.id == profile.id
    assert window.content.account_bar.updated_label.text().startswith("updated")
    demo.stop()


def test_an_offline_start_shows_the_last_list_then_checks_the_key_once_mysql_answers(
        qtbot, services: Services, sandbox, tmp_path: Path) -> None:
    window, controller, demo = cached_window(qtbot, services, tmp_path)
    profile = cache_a_list(services, sandbox, "Train", KeyCache(tmp_path / "cache"))
    sandbox.set_faults(fail_rate=1.0, kinds=["503"])
    controller.start()
    qtbot.waitUntil(lambda: window.session is not None and window.is_idle
                    and not window.content.banner.isHidden(), timeout=WAIT)
    assert window.status.text() == ""  # "Opening “Train”…" is over
    assert not window.session.checked and window.session.profile.id == profile.id
    assert window.content.keys.model.rowCount() == 1
    assert "(offline copy)" in window.content.account_bar.updated_label.text()
    assert "Could not refresh" in window.content.banner.label.text()
    sandbox.set_faults(fail_rate=0.0)
    qtbot.mouseClick(window.content.banner.button, Qt.MouseButton.LeftButton)  # Retry
    qtbot.waitUntil(lambda: window.session is not None and window.session.checked and window.is_idle, timeout=WAIT)
    assert "Enterprise" in window.content.account_bar.tier_label.text()
    assert window.content.banner.isHidden()
    demo.stop()


def cached_window(qtbot, services: Services, tmp_path: Path) -> tuple[MainWindow, AccountController, DemoAccount]:
    window = MainWindow(WindowSetup(key_cache=KeyCache(tmp_path / "cache")))
    add_settled_window(qtbot, window)
    demo = DemoAccount()
    return window, make_controller(window, services, demo), demo


def cache_a_list(services: Services, sandbox: Sandbox, name: str, cache: KeyCache) -> Profile:
    """A signed-in profile whose list was kept by an earlier run."""
    profile, _ = services.signin.sign_in(Profile.new(name, sandbox.base_url), Secret(sandbox.admin_key))
    client = MysslClient(sandbox.base_url, sandbox.admin_key)
    cache.save(profile.id, snapshot_now(client.all_keys(), client.all_usage(days=30)))
    return profile


def test_the_rotation_policy_is_set_per_profile(qtbot, app, services: Services,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    window, controller = app
    with Sandbox(tier="enterprise", seed="demo", traffic=False) as demo_account:
        profile, _ = services.signin.sign_in(Profile.new("Policy", demo_account.base_url),
                                             Secret(demo_account.admin_key))
        controller.start()
        qtbot.waitUntil(lambda: window.session is not None and window.is_idle, timeout=WAIT)
        model = window.content.keys.model

        def due(name: str) -> bool:
            return "due" in next(model.row_at(r).flags for r in range(model.rowCount()) if model.key_at(r).name == name)

        assert not due("Analytics Export")  # 14 days old, under the 90-day default
        assert window.content.actions.policy.isEnabled()
        monkeypatch.setattr(QInputDialog, "getInt", lambda *args: (7, True))  # the user types 7
        window.content.actions.policy.trigger()
        qtbot.waitUntil(lambda: window.session.profile.rotation_policy_days == 7 and window.is_idle, timeout=WAIT)
        assert due("Analytics Export")
        assert services.profiles.load().find(profile.id).rotation_policy_days == 7
        assert "after 7 days" in window.status.text()


def test_the_sandbox_works_without_any_keychain(qtbot, app_dirs) -> None:
    from keyring.backends.fail import Keyring as NoKeyring

    from myssl_desktop.keychain import Keychain

    window = MainWindow()
    add_settled_window(qtbot, window)
    demo = DemoAccount()
    controller = make_controller(window, Services.build(app_dirs, Keychain(NoKeyring())), demo, sandbox=True)
    controller.start()
    qtbot.waitUntil(lambda: window.content.keys.model.rowCount() > 5, timeout=WAIT)
    assert window.content.banner.isHidden()
    demo.stop()


def test_a_result_after_a_profile_switch_is_dropped(qtbot, app, services: Services, sandbox) -> None:
    window, controller = app
    with Sandbox(tier="enterprise") as slow:
        MysslClient(slow.base_url, slow.admin_key).create_key("Only on the slow account")
        services.signin.sign_in(Profile.new("Slow", slow.base_url), Secret(slow.admin_key))
        fast, _ = services.signin.sign_in(Profile.new("Fast", sandbox.base_url), Secret(sandbox.admin_key))
        slow_profile = services.profiles.load().find("Slow")
        controller.open_profile(slow_profile)
        qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT)
        slow.set_faults(latency_ms=1000)
        window.refresh()  # the slow account's list is now in flight
        controller.switch_profile(fast.id)
        qtbot.waitUntil(lambda: window.ops.pending == 0, timeout=WAIT)
        assert window.session.profile.id == fast.id
        assert names(window) == {"Sandbox admin"}


def test_sign_out_removes_the_key_after_confirmation(qtbot, app, services: Services, sandbox,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    window, controller = app
    profile, _ = services.signin.sign_in(Profile.new("Out", sandbox.base_url), Secret(sandbox.admin_key))
    controller.start()
    qtbot.waitUntil(lambda: window.session is not None, timeout=WAIT)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    controller.sign_out()
    assert services.keychain.load(Entry.sign_in(profile.id)) is not None  # cancelled: nothing removed
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    controller.sign_out()
    qtbot.waitUntil(lambda: controller.dialog is not None, timeout=WAIT)
    assert services.keychain.load(Entry.sign_in(profile.id)) is None
    assert window.session is None and window.content.keys.model.rowCount() == 0
