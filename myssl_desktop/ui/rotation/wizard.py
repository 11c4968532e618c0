"""The rotation wizard: plan → create → update → verify → watch → done, one page per step.

The wizard shows a rotation and collects the user's choices; the rotation machine does every
step (in the background, through the context's ops). Before the watch the user goes on step
by step; from the watch on, the background runner drives the rotation as planned and the
wizard shows what it finds (the user may still revoke earlier, schedule, or finish later).
The journal is the truth: closing the wizard at any step keeps the rotation, and `resume`
opens it at the page for the journal's state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtWidgets import QDialog, QHBoxLayout, QPushButton, QStackedWidget, QVBoxLayout

from ...errors import AppError
from ...errors import describe as describe_error
from ...revoke_when import RevokeWhen
from ...rotation import (
    DeliveryFailed,
    Finished,
    KeyLimit,
    NeedsConfirmation,
    NeedsUser,
    NewKeyRejected,
    Outcome,
    Progress,
    State,
    Waiting,
    WaitingForTicks,
)
from ..common.confirm import ConfirmKeyAction
from ..common.forms import FormDialog
from ..common.richtext import html
from .cancel import confirm_cancel
from .pages import CreatePage, DeliverPage, DrainPage, PlanPage, StepHeader, SummaryPage, VerifyPage
from .pages.widgets import label
from .prefill import Prefill

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ...api.models import ApiKey
    from ...api.secret import Secret
    from ...rotation import Rotation, RotationMachine, Target
    from ...rotation.commands import Ran
    from ..common.context import UiContext


class WizardHost(Protocol):
    """What a wizard needs of whoever opened it (the rotation coordinator)."""

    ctx: UiContext

    def register(self, wizard: RotationWizard) -> None: ...

    def wizard_closed(self, wizard: RotationWizard) -> None: ...

    def rotation_changed(self, rotation: Rotation) -> None: ...

    def adopt_sign_in(self, rotation: Rotation) -> None: ...

    def start_with(self, key: ApiKey, prefill: Prefill | None = None) -> RotationWizard | None: ...


class RotationWizard(FormDialog):
    def __init__(self, host: WizardHost, machine: RotationMachine, *, key: ApiKey | None = None,
                 rotation: Rotation | None = None, prefill: Prefill | None = None) -> None:
        ctx = host.ctx
        super().__init__(ctx.parent)
        self.host = host
        self.ctx = ctx
        self.machine = machine
        self.key = key
        self.rotation = rotation
        self.secret: Secret | None = None
        self.failures: dict[int, str] = {}
        self.runs: dict[int, list[Ran]] = {}  # what each command target's programs printed, last run
        self.busy = False
        self.confirmation: QDialog | None = None  # the open confirmation (tests answer it)
        self._primary_slot: Callable[[], None] | None = None
        name = key.name if key is not None else rotation.old_key_name if rotation is not None else ""
        self.setWindowTitle(f"Rotate “{name}”")
        self.setModal(False)
        self.setMinimumSize(640, 500)
        self.resize(760, 600)

        layout = QVBoxLayout(self)
        self.header = StepHeader()
        layout.addWidget(self.header)
        self.note = label(rich=True)  # why the plan is filled in as it is (a scan found the key)
        self.note.setAccessibleName("About this plan")
        self.note.hide()
        layout.addWidget(self.note)
        self.stack = QStackedWidget()
        keychain_place = machine.keychain.place()
        self.plan_page = PlanPage()
        self.create_page = CreatePage(ctx.clipboard, keychain_place)
        self.deliver_page = DeliverPage(ctx.clipboard)
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
        self.primary_button.clicked.connect(lambda: self._primary_slot() if self._primary_slot else None)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.primary_button)
        layout.addLayout(buttons)
        self.set_accept_button(self.primary_button)  # Enter: the step's own button, no other

        self.plan_page.check_requested.connect(self._inspect)
        self.create_page.revoke_stale_requested.connect(self._revoke_stale)
        self.deliver_page.replace_requested.connect(self._replace)
        self.drain_page.check_requested.connect(self.check_drain)
        self.drain_page.revoke_now_requested.connect(lambda: self._ask_finish(RevokeWhen.NOW))
        self.drain_page.schedule_requested.connect(self._ask_finish)
        self.drain_page.later_requested.connect(self._finish_later)
        ctx.hide_secrets.connect(self.hide_secret)

        if rotation is None:
            self._show_plan(prefill)
        else:
            self.resume(rotation)

    # --- plumbing --------------------------------------------------------------------------

    @property
    def showing_drain(self) -> bool:
        return self.stack.currentWidget() is self.drain_page

    def _run(self, work: Callable[[], Any], done: Callable[[Any], None],
             failed: Callable[[BaseException], None]) -> None:
        """Run a machine call in the background; the buttons wait for it. Rotations are not
        about the account shown, so a profile switch meanwhile does not drop the answer."""
        self.busy = True
        self._update_buttons()

        def succeeded(result: Any) -> None:
            self.busy = False
            done(result)
            self._update_buttons()

        def went_wrong(error: BaseException) -> None:
            self.busy = False
            failed(error)
            self._update_buttons()

        self.ctx.ops(work).any_session().success(succeeded).failure(went_wrong).run()

    def _page(self, page: QWidget, step: int, primary: str = "", slot: Callable[[], None] | None = None) -> None:
        self.stack.setCurrentWidget(page)
        self.header.set_step(step)
        self.note.setVisible(page is self.plan_page and bool(self.note.text()))
        self._set_primary(primary, slot)

    def _set_primary(self, text: str, slot: Callable[[], None] | None) -> None:
        self._primary_slot = slot
        self.primary_button.setText(text)
        self.primary_button.setVisible(bool(text))
        self._update_buttons()

    def _update_buttons(self) -> None:
        rotation = self.rotation
        cancellable = rotation is not None and rotation.cancellable
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.setEnabled(cancellable and not self.busy)
        self.primary_button.setEnabled(not self.busy)
        self.drain_page.set_enabled_actions(not self.busy and self.drain_page.status is not None)
        finished = rotation is not None and rotation.state.finished
        self.close_button.setText("Close" if finished or rotation is None else "Close (keep the rotation)")
        self.close_button.setVisible(self._primary_slot != self.accept)  # "Done" closes already

    def _saved(self, rotation: Rotation) -> None:
        first = self.rotation is None or self.rotation.id != rotation.id
        self.rotation = rotation
        if first:
            self.host.register(self)
        self.host.rotation_changed(rotation)

    def hide_secret(self) -> None:
        self.create_page.hide_secret()

    # --- open and close --------------------------------------------------------------------

    def resume(self, rotation: Rotation) -> None:
        """Show the page for the journal's state and carry on from there."""
        self.rotation = rotation
        state = rotation.state
        if rotation.cancelling:
            self._cancel()
        elif state == State.PLANNED:
            self._create()
        elif state == State.CREATED:
            self._deliver()
        elif state in (State.DELIVERED, State.VERIFIED):
            self._verify()
        elif state == State.DRAINING:
            self._drain()
        else:
            self._summary(rotation)

    def done(self, result: int) -> None:  # Close, Escape and the window's close button
        if self.rotation is not None and not self.rotation.state.finished:
            after = " It goes on by itself from here." if self.rotation.state == State.DRAINING else ""
            self.ctx.status(f"The rotation of “{self.rotation.old_key_name}” is kept: resume it from View ▸ "
                            f"Rotations in progress.{after}")
        super().done(result)
        self.host.wizard_closed(self)

    # --- (a) plan --------------------------------------------------------------------------

    def _show_plan(self, prefill: Prefill | None) -> None:
        assert self.key is not None
        session, key, machine = self.ctx.session(), self.key, self.machine
        self.plan_page.show_key(key, session is not None and session.actions.is_own_key(key))
        if session is not None:
            profile = session.profile
            self.ctx.ops(lambda: machine.preflight(profile, key, [])).any_session() \
                .success(lambda check: self.plan_page.show_key(key, check.self_rotation,
                                                              [p.name for p in check.other_profiles])) \
                .failure(lambda _: None).run()
        if prefill is not None:
            self.plan_page.prefill(prefill.targets, prefill.quiet_period_s, prefill.revoke)
            if prefill.note:
                self.plan_page.hint.clear()  # the note says where the places came from
                self.note.setText(prefill.note)
        self._page(self.plan_page, 0, "Create the &new key", self.start)

    def _inspect(self, row: int, target: Target) -> None:
        """What a file or entry holds; whether a command's program is there and its check passes."""
        session, key, machine = self.ctx.session(), self.key, self.machine
        if session is None or key is None:
            return
        profile, others = session.profile, list(self.plan_page.drafts)
        self.ctx.ops(lambda: machine.inspect(profile, key, target, others)).any_session() \
            .success(lambda contents: self.plan_page.set_contents(target, contents)) \
            .failure(lambda error: self.plan_page.show_add_error(describe(error))).run()

    def start(self) -> None:
        """Journal the plan (files are read now) and create the new key."""
        problem = self.plan_page.problems()
        session = self.ctx.session()
        if problem or session is None:
            self.plan_page.show_add_error(problem or "Sign in again to rotate.")
            return
        key, page, machine, profile = self.key, self.plan_page, self.machine, session.profile
        assert key is not None
        targets, quiet, revoke, forced = page.chosen_targets(), page.quiet_period_s, page.revoke, page.forced()

        def plan() -> Rotation:
            return machine.plan(profile, key, targets, quiet_period_s=quiet, revoke=revoke, force=forced)

        def planned(rotation: Rotation) -> None:
            self._saved(rotation)
            self._create()

        self._run(plan, planned, lambda error: page.show_add_error(describe(error)))

    # --- (b) create ------------------------------------------------------------------------

    def _create(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.create_page, 1)
        self.create_page.show_working(f"Creating “{rotation.new_key_name}” on MySSL, with the same permissions "
                                      "as the old key…")
        machine = self.machine

        def create() -> tuple[Outcome, Secret | None]:
            outcome = machine.step(rotation.id)
            created = outcome.rotation.at_least(State.CREATED)
            return outcome, machine.new_secret(outcome.rotation) if created else None

        def created(result: tuple[Outcome, Secret | None]) -> None:
            outcome, secret = result
            self._saved(outcome.rotation)
            if secret is not None:
                self.secret = secret
                self.create_page.show_secret(outcome.rotation, secret)
                self._set_primary("&Continue: update the places", self._deliver)
            elif isinstance(outcome, NeedsUser) and isinstance(outcome.problem, KeyLimit):
                self.create_page.show_limit(outcome.message, outcome.problem.stale_keys)
                self._set_primary("&Try again", self._create)
            else:
                self.create_page.show_error(_message(outcome))
                self._set_primary("&Try again", self._create)

        def failed(error: BaseException) -> None:
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
            self.deliver_page.show_rotation(rotation, self.secret, self.failures, self.runs)
        ticked = self.deliver_page.confirmed()
        self.deliver_page.show_working("Updating files and keychain entries, running commands…")
        machine, known = self.machine, self.secret

        def deliver() -> tuple[Outcome, Secret]:
            return machine.step(rotation.id, ticked=ticked), known or machine.new_secret(rotation)

        def delivered(result: tuple[Outcome, Secret]) -> None:
            outcome, self.secret = result
            now = outcome.rotation
            self._saved(now)
            self._keep_runs(outcome.runs)
            self.deliver_page.done_working()
            problem = outcome.problem if isinstance(outcome, NeedsUser) else None
            self.failures = {problem.index: problem.reason} if isinstance(problem, DeliveryFailed) else {}
            if isinstance(problem, NeedsConfirmation):
                self.failures = {problem.index: problem.contents.note(problem.target).lstrip("⚠ ")}
            self.deliver_page.show_rotation(now, self.secret, self.failures, self.runs)
            if isinstance(problem, WaitingForTicks):
                self._set_primary("&Continue", self._deliver)
            elif isinstance(problem, NeedsConfirmation):
                self.deliver_page.show_problem(_message(outcome), replaceable=problem.index)
                self._set_primary("&Try again", self._deliver)
            elif problem is not None:
                self.deliver_page.show_problem(f"{_message(outcome)} The places already updated keep the new key; "
                                               "Try again continues from here.")
                self._set_primary("&Try again", self._deliver)
            elif outcome.runs:  # commands ran: what they printed stays in view until the user goes on
                self.deliver_page.status.setText(f"{self.deliver_page.status.text()} {_message(outcome)} What "
                                                 "each command printed is under it.")
                self._set_primary("&Continue: verify the new key", self._verify)
            else:
                self._verify()

        def failed(error: BaseException) -> None:
            self.deliver_page.show_problem(describe(error))
            self._set_primary("&Try again", self._deliver)

        self._run(deliver, delivered, failed)

    def _keep_runs(self, runs: tuple[Ran, ...]) -> None:
        for index in {ran.index for ran in runs}:
            self.runs[index] = [ran for ran in runs if ran.index == index]

    def _replace(self, index: int) -> None:
        """The user agrees to overwrite a place that holds something other than the old key."""
        rotation = self.rotation
        assert rotation is not None
        machine = self.machine
        self.deliver_page.show_working("Replacing its value…")
        self._run(lambda: machine.confirm_target(rotation.id, index), lambda _: self._deliver(),
                  lambda error: self.deliver_page.show_problem(describe(error)))

    # --- (d) verify ------------------------------------------------------------------------

    def _verify(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.verify_page, 3)
        self.verify_page.show_working()
        machine = self.machine

        def verify() -> Outcome:
            outcome = machine.step(rotation.id)  # verify; a rotation journaled as verified moves to the watch
            if isinstance(outcome, Progress) and outcome.rotation.state == State.VERIFIED:
                outcome = machine.step(rotation.id)
            return outcome

        def verified(outcome: Outcome) -> None:
            self._saved(outcome.rotation)
            if isinstance(outcome, NeedsUser):
                self.verify_page.show_failed(outcome.message)
                retry = not isinstance(outcome.problem, NewKeyRejected)
                self._set_primary("&Try again" if retry else "", self._verify if retry else None)
                return
            self.verify_page.show_ok(outcome.rotation)
            self.host.adopt_sign_in(outcome.rotation)
            self._set_primary("&Continue: watch the old key", self._drain)

        def failed(error: BaseException) -> None:
            self.verify_page.show_failed(describe(error))
            self._set_primary("&Try again", self._verify)

        self._run(verify, verified, failed)

    # --- (e) drain -------------------------------------------------------------------------

    def _drain(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.drain_page, 4)
        self.drain_page.show_rotation(rotation)
        self.drain_page.status = None
        self._update_buttons()
        self.check_drain()

    def check_drain(self) -> None:
        """One look at the old key (two key reads); as planned, a quiet old key is revoked."""
        rotation = self.rotation
        if rotation is None or self.busy:
            return
        machine = self.machine
        self.drain_page.check_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.drain_page.check_button.setEnabled(True)
            self.drain_page.show_check_problem(f"Could not check the keys: {describe(error)}")

        self._run(lambda: _until_settled(machine, rotation.id), self.show_outcome, failed)

    def show_outcome(self, outcome: Outcome) -> None:
        """What a step (the wizard's or the background runner's) came to, once the watch began."""
        if self.busy or self.rotation is None or outcome.rotation.id != self.rotation.id:
            return
        self.rotation = outcome.rotation
        self.drain_page.check_button.setEnabled(True)
        if isinstance(outcome, Waiting) and outcome.rotation.state == State.DRAINING:
            if self.stack.currentWidget() is self.drain_page:
                self.drain_page.show_rotation(outcome.rotation)
                if outcome.drain is not None:
                    self.drain_page.show_status(outcome.drain)
            self._update_buttons()
        elif isinstance(outcome, NeedsUser):
            self.drain_page.show_check_problem(outcome.message)
        elif self.stack.currentWidget() in (self.drain_page, self.verify_page):
            self._summary(outcome.rotation)

    def _ask_finish(self, choice: RevokeWhen) -> None:
        rotation, status = self.rotation, self.drain_page.status
        if rotation is None or status is None:
            return
        places = "".join(f"<li>{html(target.label)}</li>" for target in rotation.targets)
        places = f"<ul>{places}</ul>" if places else "<p>(no places were listed for this rotation)</p>"
        what = "Revoke" if choice is RevokeWhen.NOW else "Schedule the revoke of"
        when = "" if choice is RevokeWhen.NOW else f" {choice.label.lower()}"
        message = (f"{what} the old key “{html(rotation.old_key_name)}” ({rotation.old_prefix}…){when}? "
                   f"These places have the new key ({rotation.new_prefix}…):{places}"
                   "Anything else that still has the old key gets “Invalid API key” from then on.")
        verdict = status.summary()
        used = status.used_after_delivery and not status.quiet_enough
        usage = f"<b>{html(verdict)}</b>" if used else html(verdict)
        if who := status.who():
            usage += f"<br>{html(who)}"
        dialog = ConfirmKeyAction("Revoke the old key" if choice is RevokeWhen.NOW else "Schedule the revoke",
                                  status.old, message, "Revoke now" if choice is RevokeWhen.NOW else "Schedule revoke",
                                  parent=self, usage=usage, needs_typing=used)
        dialog.accepted.connect(lambda: self._finish(choice))
        self.confirmation = dialog
        dialog.open()

    def _finish(self, choice: RevokeWhen) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.summary_page, 5)
        self.summary_page.show_working("Revoking the old key…" if choice is RevokeWhen.NOW
                                       else "Scheduling the old key's revoke…")
        machine = self.machine

        def finish() -> Outcome:
            machine.finish_now(rotation.id, choice)
            return _until_settled(machine, rotation.id)

        def failed(error: BaseException) -> None:
            self.summary_page.bar.hide()
            self.summary_page.title.setText(f"<b>Could not finish:</b> {html(describe(error))}")
            self._set_primary("&Try again", lambda: self._finish(choice))

        self._run(finish, lambda outcome: self._settled(outcome), failed)

    def _finish_later(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        machine = self.machine
        def left(now: Rotation) -> None:
            self._saved(now)
            self._summary(now)

        self._run(lambda: machine.set_revoke(rotation.id, RevokeWhen.LATER), left,
                  lambda error: self.drain_page.show_check_problem(describe(error)))

    def _settled(self, outcome: Outcome) -> None:
        self._saved(outcome.rotation)
        if isinstance(outcome, NeedsUser):
            self.summary_page.bar.hide()
            self.summary_page.title.setText(f"<b>Stopped:</b> {html(outcome.message)}")
            self._set_primary("", None)
            return
        self._summary(outcome.rotation, getattr(getattr(outcome, "drain", None), "old", None))

    # --- (f) summary and cancel --------------------------------------------------------------

    def _summary(self, rotation: Rotation, old: ApiKey | None = None) -> None:
        self.rotation = rotation
        self._page(self.summary_page, 5)
        self.summary_page.show_rotation(rotation, old.expires_at if old is not None else None)
        if rotation.state == State.CANCELLED:
            self._set_primary("&Start again…", self._start_again)
        else:
            self._set_primary("&Done", self.accept)

    def request_cancel(self) -> None:
        """Cancel rotation…: possible until the old key is revoked; asks first."""
        rotation = self.rotation
        if rotation is None or not rotation.cancellable or self.busy:
            return
        self.confirmation = confirm_cancel(self, rotation, self._cancel)

    def _cancel(self) -> None:
        rotation = self.rotation
        assert rotation is not None
        self._page(self.summary_page, 5)
        self.create_page.hide_secret()
        self.summary_page.show_working("Cancelling: putting files and keychain entries back, revoking the new key…")
        machine = self.machine

        def cancelled(outcome: Outcome) -> None:
            self._saved(outcome.rotation)
            self._keep_runs(outcome.runs)
            self.host.adopt_sign_in(outcome.rotation)
            if isinstance(outcome, NeedsUser):
                self.summary_page.bar.hide()
                self.summary_page.title.setText(f"<b>Could not cancel:</b> {html(outcome.message)}")
                self._set_primary("&Try again", self._cancel)
            else:
                self._summary(outcome.rotation)
            self.summary_page.show_runs(outcome.runs)

        def failed(error: BaseException) -> None:
            self.summary_page.bar.hide()
            self.summary_page.title.setText(f"<b>Could not cancel:</b> {html(describe(error))}")
            self._set_primary("&Try again", self._cancel)

        self._run(lambda: machine.cancel(rotation.id), cancelled, failed)

    def _start_again(self) -> None:
        """After a cancel: a new plan for the same key with the same places (files looked at anew)."""
        rotation, session = self.rotation, self.ctx.session()
        if rotation is None or session is None:
            return
        client = session.client

        def again(key: ApiKey) -> None:
            self.host.start_with(key, Prefill.of(rotation))
            self.accept()

        self._run(lambda: client.get_key(rotation.old_key_id), again,
                  lambda error: self.summary_page.title.setText(html(describe(error))))


def _until_settled(machine: RotationMachine, rotation_id: str) -> Outcome:
    """Steps while they progress (the watch may revoke, then finish); the last outcome."""
    while True:
        outcome = machine.step(rotation_id)
        if not isinstance(outcome, Progress):
            return outcome


def _message(outcome: Outcome) -> str:
    if isinstance(outcome, NeedsUser | Finished):
        return outcome.message
    return outcome.reason if isinstance(outcome, Waiting) else outcome.did


def describe(error: BaseException) -> str:
    """`errors.describe`, and what to do: after a transient failure the rotation is where it was."""
    text = describe_error(error)
    if isinstance(error, AppError) and error.transient and error.retry_after is None:
        text += " The rotation is saved: try again, or close and resume later."
    return text


__all__ = ["RotationWizard", "WizardHost"]
