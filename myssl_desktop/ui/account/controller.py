"""Picks the account the window shows: the sandbox, the last profile, or the sign-in dialog;
and switches, signs out and forgets profiles.

Every keychain and network call runs in the background (the context's ops); this class only
reacts to their results on the GUI thread. It shows sessions through a `SessionHost` (the
main window) and never sees the window itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMessageBox

from ...api.errors import AnswerTooSlow, AuthenticationRequired, InvalidApiKey, NetworkError, ServerError
from ...errors import describe
from ...keychain import KeychainError
from ...profiles import Profile, ProfilesError
from ...session import Session
from ...signin import NotSignedIn
from ..common.banner import Action, Kind, Notice, Owner

if TYPE_CHECKING:
    from ...services import Services
    from ..common.context import SessionHost, UiContext
    from .signin_dialog import SignInDialog


POLICY_DAYS = (7, 730)  # a rotation policy's bounds


class AccountController(QObject):
    def __init__(self, services: Services, host: SessionHost, ctx: UiContext, *,
                 open_sandbox: Callable[[], Session] | None = None, sandbox: bool = False) -> None:
        """`open_sandbox` starts the built-in sandbox (once) and returns its session; it runs
        in the background. `sandbox`: show the sandbox instead of the user's profiles."""
        super().__init__(ctx.parent)
        self.services = services
        self.host = host
        self.ctx = ctx
        self.sandbox_mode = sandbox
        self._open_sandbox = open_sandbox
        self.dialog: SignInDialog | None = None
        self._opening: Profile | None = None  # the profile whose key check is due

    # --- start-up ----------------------------------------------------------------------

    def start(self) -> None:
        if self.sandbox_mode:
            self.start_sandbox()
            return
        try:
            state = self.services.profiles.load()
        except ProfilesError as error:
            self.ctx.banner.post(Notice(Owner.ACCOUNT, describe(error), Kind.WARNING))
            state = None
        if state is None or state.last is None:
            self.host.detach("Not signed in.")
            self.show_sign_in(first_run=state is None or not state.profiles)
            return
        self._refresh_profile_menu(state.last.id)
        self.open_profile(state.last)

    def start_sandbox(self) -> None:
        """The built-in sandbox: no real profile is read or written."""
        opener = self._open_sandbox
        if opener is None:
            return
        self.host.detach("Starting the sandbox…")
        self.host.show_profiles([], None, sandbox=True)
        self.ctx.ops(opener).success(self.host.attach).doing("start the sandbox").run()

    # --- profiles ----------------------------------------------------------------------

    def _refresh_profile_menu(self, current_id: str | None) -> None:
        try:
            profiles = list(self.services.profiles.load().profiles)
        except ProfilesError:
            profiles = []
        self.host.show_profiles(profiles, current_id)

    def open_profile(self, profile: Profile) -> None:
        """Load the profile's key from the keychain and check it, in the background; meanwhile
        the window names the profile and shows its last list."""
        self._opening = profile
        services = self.services

        def check() -> None:
            if self._opening is not profile:
                return  # another profile (or this one again) is being opened by now
            self.ctx.ops(lambda: Session.verified(services, profile)).success(self._opened) \
                .failure(lambda error: self._open_failed(profile, error)).run()

        self.host.show_opening(profile, then=check)
        self._refresh_profile_menu(profile.id)

    def _opened(self, session: Session) -> None:
        self.host.attach(session)
        self._refresh_profile_menu(session.profile.id)

    def _open_failed(self, profile: Profile, error: BaseException) -> None:
        retry = Action("Retry", lambda: self.open_profile(profile))
        if isinstance(error, InvalidApiKey | AuthenticationRequired):
            self.host.detach("Signed out: the key was revoked.")
            self.show_sign_in(profile, notice=f"The key of profile “{profile.name}” has been revoked "
                              "or is no longer known to MySSL. Sign in with a current key.")
        elif isinstance(error, NotSignedIn):
            self.host.detach(describe(error))
            self.show_sign_in(profile, notice=describe(error))
        elif isinstance(error, KeychainError):
            self.host.detach("The keychain is not available.")
            self.ctx.banner.post(Notice(Owner.ACCOUNT, describe(error), action=Action("Try again", retry.run)))
        elif isinstance(error, NetworkError | ServerError):
            self._open_offline(profile, error)
        else:
            self.host.detach("Could not open the profile.")
            self.ctx.banner.post(Notice(Owner.ACCOUNT, describe(error, f"open “{profile.name}”"), action=retry))

    def _open_offline(self, profile: Profile, error: BaseException) -> None:
        """MySSL cannot be reached: show the profile with its last list (the window says it is
        an offline copy and retries); its key is checked once MySSL answers (`reopen`)."""
        services = self.services

        def opened(session: Session) -> None:
            self.host.attach(session)
            self._refresh_profile_menu(profile.id)

        def failed(_: BaseException) -> None:  # no key to show the list with: say why MySSL was not reached
            self.host.detach("MySSL is answering too slowly." if isinstance(error, AnswerTooSlow) else "Offline.")
            self.ctx.banner.post(Notice(Owner.ACCOUNT, describe(error, f"reach MySSL for “{profile.name}”"),
                                        action=Action("Retry", lambda: self.open_profile(profile))))

        self.ctx.ops(lambda: Session.for_profile(services, profile)).success(opened).failure(failed).run()

    def session_rejected(self) -> None:
        """The key was revoked or removed while the window showed its account."""
        session = self.host.session
        if session is None or session.is_sandbox:
            return
        self._open_failed(session.profile, InvalidApiKey("The key was revoked."))

    def check_session(self) -> None:
        """A profile opened offline reached MySSL: check its key now, for its tier and permissions."""
        session = self.host.session
        if session is None or session.checked:
            return
        services = session.services or self.services

        def checked(new: Session) -> None:
            if self.host.session is session:
                self.host.attach(new)

        def failed(error: BaseException) -> None:
            if not isinstance(error, NetworkError | ServerError):  # those: the next refresh tries again
                self._open_failed(session.profile, error)

        self.ctx.ops(lambda: Session.verified(services, session.profile)).success(checked).failure(failed).run()

    def switch_profile(self, profile_id: str) -> None:
        profile = self.services.profiles.load().find(profile_id)
        if profile is None:
            return
        self.services.profiles.select(profile.id)
        self.open_profile(profile)

    # --- sign in / out -----------------------------------------------------------------

    def show_sign_in(self, profile: Profile | None = None, *, notice: str = "",
                     first_run: bool = False) -> SignInDialog:
        from .signin_dialog import SignInDialog  # when asked for: not on the way to a profile's list

        dialog = SignInDialog(self.services.signin, self.ctx.ops, profile=profile,
                              first_run=first_run and self._open_sandbox is not None, notice=notice,
                              parent=self.ctx.parent)
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
        self.sandbox_mode = False  # signing in from the sandbox leaves it for the real account
        self.open_profile(dialog.profile)

    def _confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.ctx.parent, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def sign_out(self) -> None:
        session = self.host.session
        if session is None or session.is_sandbox:
            return
        name = session.profile.name
        self._leave_profile("Sign out", f"Sign out of “{name}”? Its key is removed from your keychain; you "
                            "will need the key to sign in again.", f"Signing out of “{name}”…", "sign out",
                            self.services.signin.sign_out, self._after_sign_out)

    def _after_sign_out(self, profile: Profile) -> None:
        self.host.detach(f"Signed out of “{profile.name}”.")
        self._refresh_profile_menu(None)
        self.show_sign_in(profile)

    def set_rotation_policy(self) -> None:
        """Days after which this profile's keys are flagged "due for rotation" (90 unless set)."""
        session = self.host.session
        if session is None or session.is_sandbox:
            return
        profile = session.profile
        days, ok = QInputDialog.getInt(self.ctx.parent, "Rotation policy",
                                       f"Flag the keys of “{profile.name}” as due for rotation once they are this "
                                       "many days old:", profile.rotation_policy_days, POLICY_DAYS[0], POLICY_DAYS[1])
        if not ok or days == profile.rotation_policy_days:
            return
        services = session.services or self.services

        def saved(stored: Profile | None) -> None:
            if stored is None or self.host.session is not session:
                return
            self.host.attach(replace(session, profile=stored))  # the flags are worked out again
            self.ctx.status(f"Keys of “{stored.name}” are now due for rotation after {days} days.")

        self.ctx.ops(lambda: services.profiles.modify(profile.id, lambda p: replace(p, rotation_policy_days=days))) \
            .success(saved).doing("save the rotation policy").run()

    def forget(self) -> None:
        session = self.host.session
        if session is None or session.is_sandbox:
            return
        services = session.services or self.services
        running = [r for r in services.rotations.overview()[0]
                   if r.profile_id == session.profile.id and not r.state.finished]
        if running:
            QMessageBox.information(self.ctx.parent, "Forget profile",
                                    f"“{session.profile.name}” has a rotation in progress "
                                    f"(“{running[0].old_key_name}”). Finish or cancel it first: View ▸ Rotations "
                                    "in progress.")
            return
        self._leave_profile("Forget profile", self.services.signin.forget_question(session.profile),
                            f"Forgetting “{session.profile.name}”…", "forget the profile",
                            self.services.signin.forget, lambda _: self._after_forget())

    def _leave_profile(self, title: str, question: str, progress: str, doing: str,
                       work: Callable[[Profile], Any], after: Callable[[Profile], None]) -> None:
        """Confirm, detach the window, run `work(profile)` in the background, then `after(profile)`."""
        session = self.host.session
        if session is None or session.is_sandbox:
            return
        profile = session.profile
        if not self._confirm(title, question):
            return
        self.host.detach(progress)
        self.ctx.ops(lambda: work(profile)).success(lambda _: after(profile)).any_session().doing(doing).run()

    def _after_forget(self) -> None:
        self.host.detach("Profile forgotten.")
        self._refresh_profile_menu(None)
        self.show_sign_in(first_run=not self.services.profiles.load().profiles)


__all__ = ["AccountController"]
