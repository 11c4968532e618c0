"""Helpers shared by the UI tests: a settled window, a session attached to it, its rows."""

from __future__ import annotations

from dataclasses import replace

from myssl_desktop.api import MysslClient, RetryPolicy
from myssl_desktop.api.models import PERMISSIONS, ApiKey
from myssl_desktop.api.secret import Secret
from myssl_desktop.keychain import Entry, Keychain
from myssl_desktop.paths import AppDirs
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.services import Services
from myssl_desktop.session import Session
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import add_settled_window

WAIT = 20_000
NO_SLEEP = RetryPolicy(sleep=lambda seconds: None)


def open_window(qtbot, setup: WindowSetup | None = None, *, defer_content: bool = False) -> MainWindow:  # noqa: ANN001
    """A shown main window that pytest-qt closes after the test, once its background work ended."""
    window = MainWindow(setup, defer_content=defer_content)

    def wind_down(w: MainWindow) -> None:
        if w._content is not None:
            w.content.rotations.shutdown()
            w.content.schedule.stop()

    add_settled_window(qtbot, window, wind_down)
    window.show()
    return window


def session_for(sb: Sandbox, *, key: object = None, keychain: Keychain | None = None,
                profile: Profile | None = None, permissions: tuple[str, ...] = PERMISSIONS,
                read_only: bool = False, dirs: AppDirs | None = None) -> Session:
    """A session on the sandbox (its admin key unless `key`). With `dirs` (and a keychain) it
    has services there, signed in as the app does: its key in the keychain, its profile stored."""
    secret = key if key is not None else sb.admin_key
    text = secret.reveal() if isinstance(secret, Secret) else str(secret)
    profile = profile or Profile.new("Demo", sb.base_url)
    profile = replace(profile, key_prefix=text[:12], access="read-only" if read_only else "full")
    services = None
    if dirs is not None and keychain is not None:
        services = Services.build(dirs, keychain)
        keychain.store(Entry.sign_in(profile.id), Secret(text))
        services.profiles.put(profile)
    return Session(profile, MysslClient(sb.base_url, text, retry=NO_SLEEP), keychain=keychain,
                   permissions=permissions, services=services)


def attach(qtbot, window: MainWindow, session: Session) -> Session:  # noqa: ANN001
    """Show `session` and wait for its first list."""
    window.attach(session)
    qtbot.waitUntil(lambda: window.content.keys.model.total_count > 0 and window.is_idle, timeout=WAIT)
    return session


def wait_idle(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)


def shown_keys(window: MainWindow) -> list[ApiKey]:
    model = window.content.keys.model
    return [model.key_at(row) for row in range(model.rowCount())]


def shown_names(window: MainWindow) -> list[str]:
    return [key.name for key in shown_keys(window)]


def select(window: MainWindow, name: str) -> None:
    window.content.keys.table.selectRow(shown_names(window).index(name))
