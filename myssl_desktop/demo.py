"""The built-in sandbox as an account to try the app with: `myssl-desktop --sandbox`, and
"Try the sandbox" on first run. No real profile, keychain entry or folder is touched: the
sandbox's profile, journals and secrets live in a throw-away folder and an in-memory keyring.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .sandbox import Sandbox
    from .session import Session


class DemoAccount:
    """Starts the sandbox on first use (from a worker thread) and stops it at the end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sandbox: Sandbox | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._session: Session | None = None

    @property
    def sandbox(self) -> Sandbox | None:
        return self._sandbox

    def open(self) -> Session:
        """The sandbox's signed-in session (the sandbox starts the first time: ~0.5 s)."""
        with self._lock:
            if self._session is None:
                self._session = self._start()
            return self._session

    def _start(self) -> Session:
        from .api.secret import Secret
        from .keychain import DemoKeyring, Keychain
        from .paths import AppDirs
        from .profiles import Profile
        from .sandbox import Sandbox
        from .services import Services
        from .session import Session

        self._sandbox = Sandbox(tier="pro", seed="demo", traffic=True).start()
        self._folder = tempfile.TemporaryDirectory(prefix="myssl-sandbox-")
        services = Services.build(AppDirs.under(Path(self._folder.name)), Keychain(DemoKeyring()))
        profile = Profile(id="sandbox", name="Sandbox", base_url=self._sandbox.base_url, environment="development")
        profile, _ = services.signin.sign_in(profile, Secret(self._sandbox.admin_key))
        return Session.verified(services, profile, is_sandbox=True)

    def stop(self) -> None:
        with self._lock:
            if self._sandbox is not None:
                self._sandbox.stop()
                self._sandbox = None
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None
            self._session = None


__all__ = ["DemoAccount"]
