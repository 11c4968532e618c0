"""The rotation wizard: plan → create → update → verify → watch → done, one page per step.

Every engine call runs in the background (the context's ops); the wizard only shows
results. The journal is the truth: closing the wizard at any step keeps the rotation, and
`resume` opens it at the page for the journal's state. Engine steps are idempotent, so a
call whose result was dropped (the window re-attached the same profile, as a self-rotation
does) is simply made again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from ...errors import AppError
from ...errors import describe as describe_error
from ...rotation import EnvFileTarget, State, TargetChanged, TargetFailed
from ...rotation.targets import target_from
from ..common.confirm import ConfirmKeyAction
from ..common.richtext import html
from .cancel import confirm_cancel
from .pages import (
    CreatePage,
    DeliverPage,
    DrainPage,
    PlanPage,
    StepHeader,
    SummaryPage,
    VerifyPage,
    inspect_target,
    target_line,
)
from .prefill import Prefill

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...api.secret import Secret
    from ...rotation import Rotation, RotationEngine, Target
    from ..common.context import UiContext

POLL_INTERVAL_S = 15
CANCELLABLE = (State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED, State.DRAINING)
SCHEDULE_WORDS = {"1h": "in 1 hour", "24h": "in 24 hours", "3d": "in 3 days", "7d": "in 7 days"}


class WizardHost(Protocol):
    """What a wizard needs of whoever opened it (the rotation coordinator)."""

    ctx: UiContext

    def prepare_engine(self, engine: RotationEngine) -> None: ...

    def register(self, wizard: RotationWizard) -> None: ...

    def wizard_closed(self, wizard: RotationWizard) -> None: ...

    def adopt_sign_in(self, rotation: Rotation) -> None: ...

    def start_with(self, key: ApiKey, prefill: Prefill | None = None) -> RotationWizard | None: ...


class RotationWizard(QDialog):
    rotation_changed = Signal(object)  # a Rotation the journal now holds (for the panel and banner)

    def __init__(self, rotations: WizardHost, engine: RotationEngine, *, key: ApiKey | None = None,
                 rotation: Rotation | None = None, prefill: Prefill | None = None) -> None:
        ctx = rotations.ctx
        super().__init__(ctx.parent)
        self.rotations = rotations
        self.ctx = ctx
        self.engine = engine
        self.key = key
        self.rotation = rotation
        self.secret: Secret | None = None
        self.failures: dict[int, str] = {}
        self.busy = False
        self.confirmation: QDialog | None = None  # the open confirmation (tests answer it)
        self.poll_interval_s = POLL_INTERVAL_S
        self._pending: tuple[Callable[[], Any], Callable[[Any], None], Callable[[BaseException], None]] | None = None
        self._polling = False
        self._primary_slot: Callable[[], None] | None = None
        name = key.name if key is not None else rotation.old_key_name if rotation is not None else ""
        self.setWindowTitle(f"Rotate “{name}”")
        self.setModal(False)
        self.setMinimumSize(640, 500)
        self.resize(760, 600)

        layout = QVBoxLayout(self)
        self.header = StepHeader()
        layout.addWidget(self.header)
        self.stack = QStackedWidget()
        clipboard = ctx.clipboard
        self.plan_page = PlanPage()
        keychain_place = self.engine.keychain.place()
        self.create_page = CreatePage(clipboard, keychain_place)
        self.deliver_page = DeliverPage(clipboard)
        self.verify_page = VerifyPage()
        self.drain_page = DrainPage()
        self.summary_page = SummaryPage(keychain_place)
        for page in (self.plan_page, self.create_page, self.deliver_page, self.verify_page, self.drain_page,
                     self.summary_page):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel &rotation…")
        self.cancel_button.setToolTip("Put every file and keychain entry back and revoke the new key.")
        self.cancel_button.clicked.connect(self.request_cancel)
        self.close_button = QPushButton("Close")
        self.close_button.setToolTip("The rotation is kept: resume it from View ▸ Rotations in progress.")
        self.close_button.clicked.connect(self.reject)
        self.primary_button = QPushButton("")
        self.primary_button.setDefault(True)
        self.primary_button.clicked.connect(lambda: self._primary_slot() if self._primary_slot else None)
        self.cancel_button.setAutoDefault(False)
        self.close_button.setAutoDefault(False)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.primary_button)
        layout.addLayout(buttons)

        self._poll_timer = QTimer(self)
        self._poll_timer.setSingleShot(True)
        self._poll_timer.timeout.connect(self.poll)
        self.plan_page.check_requested.connect(self._inspect)
        self.create_page.revoke_stale_requested.connect(self._revoke_stale)
        self.deliver_page.accept_changed_requested.connect(self._accept_changed)
        self.drain_page.check_requested.connect(self.poll)
        self.drain_page.revoke_now_requested.connect(lambda: self._ask_finish("now"))
        self.drain_page.schedule_requested.connect(self._ask_finish)
        self.drain_page.later_requested.connect(lambda: self._finish("later"))
        ctx.hide_secrets.connect(self.hide_secret)

        if rotation is None:
            self._show_plan(prefill)
        else:
            self.resume(rotation)

    # --- plumbing --------------------------------------------------------------------------

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None], *, background: bool = False) -> None:
        """Run `work` on a worker. `background` (the drain poll) leaves the buttons alone."""
        call, prepare = work, self.rotations.prepare_engine
        if not background:
            self.busy = True
            self._pending = (work, done, failed)
            self._update_buttons()

            def call() -> Any:
                prepare(self.engine)  # on the worker: the profile's current targets, the sandbox's key
                return work()

        def succeeded(result: Any) -> None:
            if not background:
                self.busy, self._pending = False, None
            done(result)
            self._update_buttons()

        def went_wrong(error: BaseException) -> None:
            if not background:
                self.busy, self._pending = False, None
            failed(error)
            self._update_buttons()

        self.ctx.ops(call).success(succeeded).failure(went_wrong).run()

    def session_changed(self, engine: RotationEngine) -> None:
        """The window re-attached the same profile (a self-rotation switched its key): results
        in flight were dropped; make the call again (engine steps are idempotent)."""
        self.engine = engine
        self._polling = False
        if self._pending is not None:
            work, done, failed = self._pending
            self._run(work, done, failed)
        elif self.stack.currentWidget() is self.drain_page and self.isVisible():
            self.poll()

    def _page(self, page: QWidget, step: int, primary: str = "", slot: Callable[[], None] | None = None) -> None:
        if page is not self.drain_page:
            self._poll_timer.stop()
        self.stack.setCurrentWidget(page)
        self.header.set_step(step)
        self._set_primary(primary, slot)

    def _set_primary(self, text: str, slot: Callable[[], None] | None) -> None:
        self._primary_slot = slot
        self.primary_button.setText(text)
        self.primary_button.setVisible(bool(text))
        self._update_buttons()

    def _update_buttons(self) -> None:
        rotation = self.rotation
        cancellable = rotation is not None and rotation.state in CANCELLABLE
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable and not self.busy)
        self.primary_button.setEnabled(not self.busy)
        self.drain_page.set_enabled_actions(not self.busy and self.drain_page.status is not None)
        finished = rotation is not None and rotation.state.finished
        self.close_button.setText("Close" if finished or rotation is None else "Close (keep the rotation)")
        self.close_button.setVisible(self._primary_slot != self.accept)  # "Done" closes already

    def _saved(self, rotation: Rotation) -> None:
        self.rotation = rotation
        self.rotation_changed.emit(rotation)

    def hide_secret(self) -> None:
        self.create_page.hide_secret()

    # --- open and close --------------------------------------------------------------------

    def resume(self, rotation: Rotation) -> None:
        """Show the page for the journal's state and carry on from there."""
        self.rotation = rotation
        state = rotation.state
        if state == State.PLANNED:
            self._create()
        elif state == State.CREATED:
            self._deliver()
        elif state == State.DELIVERED:
            self._verify()
        elif state in (State.VERIFIED, State.DRAINING):
            if rotation.self_rotation:
                self.rotations.adopt_sign_in(rotation)
            self._drain()
        elif state in (State.REVOKED, State.SCHEDULED):
            self._finish(rotation.revoke)
        else:
            self._summary(rotation)

    def done(self, result: int) -> None:  # Close, Escape and the window's close button
        self._poll_timer.stop()
        if self.rotation is not None and not self.rotation.state.finished:
            self.ctx.status(f"The rotation of “{self.rotation.old_key_name}” is kept: resume it from "
                                     "View ▸ Rotations in progress.")
        super().done(result)
        self.rotations.wizard_closed(self)

    def showEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.stack.currentWidget() is self.drain_page and not self._poll_timer.isActive():
            self.poll()

    def hideEvent(self, event: Any) -> None:  # noqa: N802
        super().hideEvent(event)
        self._poll_timer.stop()

    # --- (a) plan --------------------------------------------------------------------------

    def _show_plan(self, prefill: Prefill | None) -> None:
        assert self.key is not None
        session = self.ctx.session()
        own = session is not None and session.actions.is_own_key(self.key)
        self.plan_page.show_key(self.key, own)
        if prefill is not None:
            self.plan_page.prefill(prefill.targets, prefill.quiet_period_s, prefill.revoke)
        self._page(self.plan_page, 0, "Create the &new key", self.start)

    def _inspect(self, row: int, target: Target) -> None:
        keychain, prefix = self.engine.keychain, self.key.prefix if self.key else ""
        self.ctx.ops(lambda: inspect_target(target, prefix, keychain)) \
            .success(lambda result: self.plan_page.set_note(target, *result)) \
            .failure(lambda error: self.plan_page.set_note(target, False, describe(error))).run()

    def start(self) -> None:
        """Plan (the journal is written; files are read now) and create the new key."""
        problem = self.plan_page.problems()
        if problem:
            self.plan_page.show_add_error(problem)
            return
        key, page = self.key, self.plan_page
        assert key is not None
        targets, quiet, revoke = page.chosen_targets(), page.quiet_period_s, page.revoke
        def plan() -> Rotation:
            read = [EnvFileTarget.plan(t.path, t.variable) if isinstance(t, EnvFileTarget) else t for t in targets]
            return self.engine.plan(key, read, quiet_period_s=quiet, revoke=revoke)

        def planned(rotation: Rotation) -> None:
            self._saved(rotation)
            self.rotations.register(self)
            self._create()

        self._run(plan, planned, lambda error: page.show_add_error(describe(error)))

    # --- (b) create ------------------------------------------------------------------------

    def _create(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.create_page, 1)
        self.create_page.show_working(f"Creating “{rotation.new_key_name}” on MySSL, with the same permissions "
                                      "as the old key…")

        def create() -> tuple[Rotation, Secret]:
            created = self.engine.create(rotation)
            return created, self.engine.new_secret(created)

        def created(result: tuple[Rotation, Secret]) -> None:
            self._saved(result[0])
            self.secret = result[1]
            self.create_page.show_secret(*result)
            self._set_primary("&Continue: update the places", self._deliver)

        def failed(error: BaseException) -> None:
            from ...api.errors import KeyLimitReached

            if isinstance(error, KeyLimitReached):
                self.create_page.show_limit(str(error), list(error.stale_keys))
            else:
                self.create_page.show_error(describe(error))
            self._set_primary("&Try again", self._create)

        self._run(create, created, failed)

    def _revoke_stale(self, key: ApiKey) -> None:
        session = self.ctx.session()
        if session is None:
            return
        dialog = ConfirmKeyAction("Revoke key", key, f"Revoke “{html(key.name)}” ({key.prefix}…) to make room "
                                  "for the new key? Anything still using it will get “Invalid API key”.",
                                  "Revoke", parent=self)
        actions = session.actions
        dialog.accepted.connect(lambda: self._run(lambda: actions.revoke(key), lambda _: self._create(),
                                                  lambda error: self.create_page.show_error(describe(error))))
        self.confirmation = dialog
        dialog.open()

    # --- (c) deliver -----------------------------------------------------------------------

    def _deliver(self) -> None:
        """Update files and keychain entries, and record the ticked items; on to verify when
        every place has the new key."""
        rotation = self.rotation
        assert rotation is not None
        self.create_page.hide_secret()
        if self.stack.currentWidget() is not self.deliver_page:
            self._page(self.deliver_page, 2)
            self.deliver_page.show_rotation(rotation, self.secret, self.failures)
        confirmed = self.deliver_page.confirmed()
        self.deliver_page.show_working("Updating files and keychain entries…")
        known = self.secret

        def deliver() -> tuple[Rotation, Secret, dict[int, str], BaseException | None]:
            from ...keychain import KeychainError

            secret = known or self.engine.new_secret(rotation)
            try:
                return self.engine.deliver(rotation, confirmed), secret, {}, None
            except (TargetChanged, TargetFailed, KeychainError, OSError) as error:
                now = self.engine.store.load(rotation.id)  # the targets done before it are journaled
                index = next((i for i, spec in enumerate(now.targets) if i not in now.delivered
                              and spec.get("kind") in ("env-file", "keychain")), -1)
                return now, secret, {index: short_reason(error)}, error

        def delivered(result: tuple[Rotation, Secret, dict[int, str], BaseException | None]) -> None:
            now, self.secret, self.failures, error = result
            self._saved(now)
            self.deliver_page.done_working()
            self.deliver_page.show_rotation(now, self.secret, self.failures)
            if error is not None:
                self.deliver_page.show_problem(explain_delivery(error),
                                               changed_file=isinstance(error, TargetChanged))
                self._set_primary("&Try again", self._deliver)
            elif now.state == State.DELIVERED:
                self._verify()
            else:
                self._set_primary("&Continue", self._deliver)

        def failed(error: BaseException) -> None:
            self.deliver_page.show_problem(describe(error))
            self._set_primary("&Try again", self._deliver)

        self._run(deliver, delivered, failed)

    def _accept_changed(self) -> None:
        """The user checked the changed file: read it as it is now and update it."""
        rotation = self.rotation
        assert rotation is not None

        def accepted(now: Rotation) -> None:
            self._saved(now)
            self.failures = {}
            self._deliver()

        self.deliver_page.show_working("Reading the file as it is now…")
        self._run(lambda: self.engine.accept_changed_files(rotation), accepted,
                  lambda error: self.deliver_page.show_problem(describe(error)))

    # --- (d) verify ------------------------------------------------------------------------

    def _verify(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.verify_page, 3)
        self.verify_page.show_working()

        def verified(now: Rotation) -> None:
            self._saved(now)
            self.verify_page.show_ok(now)
            if now.self_rotation:
                self.rotations.adopt_sign_in(now)
            self._set_primary("&Continue: watch the old key", self._drain)

        def failed(error: BaseException) -> None:
            self.verify_page.show_failed(describe(error))
            self._set_primary("&Try again", self._verify)

        self._run(lambda: self.engine.advance(rotation), verified, failed)

    # --- (e) drain -------------------------------------------------------------------------

    def _drain(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.drain_page, 4)
        self.drain_page.show_rotation(rotation)
        self.drain_page.status = None
        self._update_buttons()
        self.poll()

    def poll(self) -> None:
        """One drain check (two key reads); the next one is armed when it answers, so checks
        never overlap and stay `poll_interval_s` apart."""
        rotation = self.rotation
        if self._polling or rotation is None or self.stack.currentWidget() is not self.drain_page:
            return
        self._poll_timer.stop()
        self._polling = True
        self.drain_page.check_button.setEnabled(False)

        def checked(status: Any) -> None:
            self._polling = False
            self.drain_page.check_button.setEnabled(True)
            if self.stack.currentWidget() is not self.drain_page or self.rotation is None:
                return
            self.drain_page.show_status(status, self.rotation.quiet_period_s)
            self._update_buttons()
            self._arm_poll(self.poll_interval_s)

        def failed(error: BaseException) -> None:
            from ...api.errors import RateLimited

            self._polling = False
            self.drain_page.check_button.setEnabled(True)
            wait = self.poll_interval_s
            if isinstance(error, RateLimited):
                wait = max(wait, error.retry_after)
                self.drain_page.show_check_problem(f"MySSL's rate limit was reached: checking again in {wait} s.")
            else:
                self.drain_page.show_check_problem(f"Could not check the keys: {describe(error)}")
            self._arm_poll(wait)

        self._run(lambda: self.engine.drain_status(rotation), checked, failed, background=True)

    def _arm_poll(self, seconds: float) -> None:
        if self.isVisible() and self.stack.currentWidget() is self.drain_page:
            self._poll_timer.start(int(seconds * 1000))

    def _ask_finish(self, choice: str) -> None:
        rotation, status = self.rotation, self.drain_page.status
        if rotation is None or status is None:
            return
        places = "".join(f"<li>{html(target_line(target_from(spec)))}</li>" for spec in rotation.targets)
        places = f"<ul>{places}</ul>" if places else "<p>(no places were listed for this rotation)</p>"
        what = "Revoke" if choice == "now" else "Schedule the revoke of"
        when = "" if choice == "now" else f" {SCHEDULE_WORDS[choice]}"
        message = (f"{what} the old key “{html(rotation.old_key_name)}” ({rotation.old_prefix}…){when}? "
                   f"These places have the new key ({rotation.new_prefix}…):{places}"
                   "Anything else that still has the old key gets “Invalid API key” from then on.")
        verdict = status.summary(rotation.quiet_period_s)
        usage = f"<b>{html(verdict)}</b>" if status.used_after_delivery else html(verdict)
        dialog = ConfirmKeyAction("Revoke the old key" if choice == "now" else "Schedule the revoke", status.old,
                                  message, "Revoke now" if choice == "now" else "Schedule revoke", parent=self,
                                  usage=usage, needs_typing=status.used_after_delivery)
        dialog.accepted.connect(lambda: self._finish(choice))
        self.confirmation = dialog
        dialog.open()

    def _finish(self, choice: str) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.summary_page, 5)
        self.summary_page.show_working({"now": "Revoking the old key and cleaning up…",
                                        "later": "Saving…"}.get(choice, "Scheduling the old key's revoke…"))

        def finish() -> tuple[Rotation, Any]:
            done = self.engine.finish(rotation, choice)
            expires = None
            if done.state == State.DONE and choice not in ("now", "later"):
                try:
                    expires = self.engine.client.get_key(done.old_key_id).expires_at
                except Exception:  # only for the summary's date
                    expires = None
            return done, expires

        def finished(result: tuple[Rotation, Any]) -> None:
            self._saved(result[0])
            self._summary(result[0], result[1])

        def failed(error: BaseException) -> None:
            self.summary_page.show_working("")
            self.summary_page.bar.hide()
            self.summary_page.title.setText(f"<b>Could not finish:</b> {html(describe(error))}")
            self._set_primary("&Try again", lambda: self._finish(choice))

        self._run(finish, finished, failed)

    # --- (f) summary and cancel --------------------------------------------------------------

    def _summary(self, rotation: Rotation, expires: Any = None) -> None:
        self._page(self.summary_page, 5)
        self.summary_page.show_rotation(rotation, expires)
        if rotation.state == State.CANCELLED:
            self._set_primary("&Start again…", self._start_again)
        else:
            self._set_primary("&Done", self.accept)

    def request_cancel(self) -> None:
        """Cancel rotation…: possible until the old key is revoked; asks first."""
        rotation = self.rotation
        if rotation is None or rotation.state not in CANCELLABLE or self.busy:
            return
        self.confirmation = confirm_cancel(self, rotation, self._cancel)

    def _cancel(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.summary_page, 5)
        self.create_page.hide_secret()
        self.summary_page.show_working("Cancelling: putting files and keychain entries back, revoking the new key…")

        def cancelled(now: Rotation) -> None:
            self._saved(now)
            if now.self_rotation:
                self.rotations.adopt_sign_in(now)
            self._summary(now)

        def failed(error: BaseException) -> None:
            self.summary_page.bar.hide()
            self.summary_page.title.setText(f"<b>Could not cancel:</b> {html(describe(error))}")
            self._set_primary("&Try again", self._cancel)

        self._run(lambda: self.engine.cancel(rotation), cancelled, failed)

    def _start_again(self) -> None:
        """After a cancel: a new plan for the same key with the same places (files re-read)."""
        rotation = self.rotation
        assert rotation is not None
        client = self.engine.client

        def again(key: ApiKey) -> None:
            self.rotations.start_with(key, Prefill.of(rotation))
            self.accept()

        self._run(lambda: client.get_key(rotation.old_key_id), again,
                  lambda error: self.summary_page.title.setText(html(describe(error))))


def short_reason(error: BaseException) -> str:
    if isinstance(error, TargetChanged):
        return "the file changed since the rotation read it, so it was left alone."
    return str(error)


def explain_delivery(error: BaseException) -> str:
    if isinstance(error, TargetChanged):
        return ("A file changed since the rotation read it (someone else may be editing it), so the rotation "
                "stopped before touching it. Look at the change. If it is right, use the file as it is now; if "
                "not, undo it and press Try again.")
    return f"{error} The places already updated keep the new key; Try again continues from here."


def describe(error: BaseException) -> str:
    """Why a step failed, with what to do: transient failures keep the rotation where it was."""
    text = describe_error(error)
    if isinstance(error, AppError) and error.transient and error.retry_after is None:
        text += " The rotation is saved: try again, or close and resume later."
    return text


__all__ = ["RotationWizard"]
