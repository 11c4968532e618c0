"""Decides what the window shows: the sandbox, the last profile, or the sign-in dialog.

Every keychain and network call goes through `window.tasks` (worker threads); this class
only reacts to their results on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox

from ...profiles import Profile, ProfilesError
from ...session import Session
from .signin_dialog import SignInDialog

if TYPE_CHECKING:
    from ...services import Services
    from ..shell.main_window import MainWindow

SANDBOX_PROFILE = Profile(id="sandbox", name="Sandbox", base_url="http://127.0.0.1/api/v1",
                          environment="development", tier="pro")


class AppController(QObject):
    def __init__(self, services: Services, window: MainWindow, *, sandbox: bool = False) -> None:
        super().__init__(window)
        self.services = services
        self.window = window
        self.sandbox_mode = sandbox
        self.sandbox: Any = None
        self.dialog: SignInDialog | None = None
        window.switch_profile_requested.connect(self.switch_profile)
        window.sign_in_requested.connect(lambda: self.show_sign_in())
        window.sign_out_requested.connect(self.sign_out)
        window.forget_requested.connect(self.forget)
        window.banner_action.connect(self._banner_action)
        window.session_rejected.connect(self._session_rejected)

    # --- start-up ----------------------------------------------------------------------

    def start(self) -> None:
        if self.sandbox_mode:
            self.start_sandbox()
            return
        try:
            state = self.services.profiles.load()
        except ProfilesError as error:
            self.window.banner.show_message(str(error), kind="warning")
            state = None
        if state is None or state.last is None:
            self.window.detach("Not signed in.")
            self.show_sign_in(first_run=state is None or not state.profiles)
            return
        self._refresh_profile_menu(state.last.id)
        self.open_profile(state.last)

    def start_sandbox(self) -> None:
        """The built-in sandbox: no keychain, no real profile is read or written."""
        self.window.detach("Starting the sandbox…")
        self.window.set_profiles([], None, sandbox=True)

        def start() -> Session:
            from dataclasses import replace

            from ...api.client import MysslClient
            from ...keychain import DemoKeyring, Keychain
            from ...sandbox import Sandbox

            sandbox = Sandbox(tier="pro", seed="demo", traffic=True).start()
            self.sandbox = sandbox
            profile = replace(SANDBOX_PROFILE, base_url=sandbox.base_url, key_prefix=sandbox.admin_key[:12])
            from ...api.models import PERMISSIONS

            return Session(profile, MysslClient(sandbox.base_url, sandbox.admin_key), sandbox=sandbox,
                           keychain=Keychain(DemoKeyring()), permissions=PERMISSIONS)

        self.window.tasks.run(start, self.window.attach, lambda error: self.window.banner.show_message(
            f"The sandbox did not start: {error}"))

    def stop(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None

    # --- profiles ----------------------------------------------------------------------

    def _refresh_profile_menu(self, current_id: str | None) -> None:
        try:
            profiles = list(self.services.profiles.load().profiles)
        except ProfilesError:
            profiles = []
        self.window.set_profiles(profiles, current_id)

    def open_profile(self, profile: Profile) -> None:
        """Load the profile's key from the keychain and check it, in the background."""
        self.window.detach(f"Opening “{profile.name}”…")
        self._refresh_profile_menu(profile.id)
        signin = self.services.signin

        def open_and_check() -> Session:
            client = signin.open(profile)
            current = client.current()
            from dataclasses import replace

            return Session(replace(profile, tier=current.account.tier, key_prefix=current.api_key.prefix),
                           client, keychain=self.services.keychain, permissions=current.api_key.permissions)

        self.window.run_for_session(open_and_check, self._opened,
                                    lambda error: self._open_failed(profile, error))

    def _opened(self, session: Session) -> None:
        self.window.attach(session)
        self._refresh_profile_menu(session.profile.id)

    def _open_failed(self, profile: Profile, error: BaseException) -> None:
        from ...api.errors import AuthenticationRequired, InvalidApiKey, NetworkError, ServerError
        from ...keychain import KeychainError
        from ...signin import NotSignedIn

        if isinstance(error, (InvalidApiKey, AuthenticationRequired)):
            self.window.detach("Signed out: the key was revoked.")
            self.show_sign_in(profile, notice=f"The key of profile “{profile.name}” has been revoked "
                              "or is no longer known to MySSL. Sign in with a current key.")
        elif isinstance(error, NotSignedIn):
            self.window.detach(str(error))
            self.show_sign_in(profile, notice=str(error))
        elif isinstance(error, KeychainError):
            self.window.detach("The keychain is not available.")
            self.window.banner.show_message(str(error), action=f"open:{profile.id}", action_label="Try again")
        elif isinstance(error, (NetworkError, ServerError)):
            self.window.detach("Offline.")
            self.window.banner.show_message(f"Could not reach MySSL for “{profile.name}”: {error}",
                                            action=f"open:{profile.id}", action_label="Retry")
        else:
            self.window.detach("Could not open the profile.")
            self.window.banner.show_message(f"Could not open “{profile.name}”: {error}",
                                            action=f"open:{profile.id}", action_label="Retry")

    def _session_rejected(self, message: str) -> None:
        """The key was revoked or removed while the window showed its account."""
        session = self.window.session
        if session is None or session.is_sandbox:
            return
        self._open_failed(session.profile, _rejected(message))

    def _banner_action(self, action: str) -> None:
        if action.startswith("open:"):
            profile = self.services.profiles.load().find(action.removeprefix("open:"))
            if profile is not None:
                self.open_profile(profile)

    def switch_profile(self, profile_id: str) -> None:
        profile = self.services.profiles.load().find(profile_id)
        if profile is None:
            return
        self.services.profiles.select(profile.id)
        self.open_profile(profile)

    # --- sign in / out -----------------------------------------------------------------

    def show_sign_in(self, profile: Profile | None = None, *, notice: str = "",
                     first_run: bool = False) -> SignInDialog:
        dialog = SignInDialog(self.services.signin, self.window.tasks, profile=profile,
                              first_run=first_run, notice=notice, parent=self.window)
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._signed_in(dialog))
        dialog.open()
        return dialog

    def _signed_in(self, dialog: SignInDialog) -> None:
        if dialog.wants_sandbox:
            self.sandbox_mode = True
            self.start_sandbox()
            return
        if dialog.profile is None:
            return
        self.open_profile(dialog.profile)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.window, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def sign_out(self) -> None:
        self._leave_profile("Sign out", "Sign out of “{name}”? Its key is removed from your keychain; you "
                            "will need the key to sign in again.", "Signing out of “{name}”…",
                            self.services.signin.sign_out, self._after_sign_out)

    def _after_sign_out(self, profile: Profile) -> None:
        self.window.detach(f"Signed out of “{profile.name}”.")
        self._refresh_profile_menu(None)
        self.show_sign_in(profile)

    def forget(self) -> None:
        self._leave_profile("Forget profile", "Forget profile “{name}”? Its settings are deleted and its key "
                            "is removed from your keychain.", "Forgetting “{name}”…",
                            self.services.signin.forget, lambda _: self._after_forget())

    def _leave_profile(self, title: str, question: str, progress: str, work: Any, after: Any) -> None:
        """Confirm, detach the window, run `work(profile)` on a worker, then `after(profile)`."""
        session = self.window.session
        if session is None or session.is_sandbox:
            return
        profile = session.profile
        if not self._confirm(title, question.format(name=profile.name)):
            return
        self.window.detach(progress.format(name=profile.name))
        self.window.tasks.run(lambda: work(profile), lambda _: after(profile),
                              lambda error: self.window.banner.show_message(str(error)))

    def _after_forget(self) -> None:
        self.window.detach("Profile forgotten.")
        self._refresh_profile_menu(None)
        self.show_sign_in(first_run=not self.services.profiles.load().profiles)


def _rejected(message: str) -> BaseException:
    from ...api.errors import InvalidApiKey

    return InvalidApiKey(message)
