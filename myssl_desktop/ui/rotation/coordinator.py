"""Rotations in the app: the wizards, the background runner, the panel and the banner.

`RotationCoordinator` opens one wizard per rotation (a new one, or the one already running for
a key), keeps the background runner going over every journal it knows (the app's, and that of
the session shown, such as the sandbox's), lists what is in progress in the panel and the
banner, and re-attaches the window when a rotation switched the profile's sign-in key. Journal
reads and machine calls run in the background.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from ...errors import describe
from ...keychain import Entry
from ...rotation import Finished, NeedsUser, Rotation, RotationMachine, State
from ...rotation.found_places import places_of
from ...rotation.runner import RunReport
from ..common.banner import Action, Kind, Notice, Owner
from .cancel import confirm_cancel
from .panel import RotationsPanel, state_words
from .prefill import Prefill
from .runner import RotationRunner

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...scan import Hit
    from ...services import Services
    from ...session import Session
    from ..common.context import UiContext
    from .wizard import RotationWizard


class RotationCoordinator(QObject):
    def __init__(self, ctx: UiContext, *, refresh_keys: Callable[[], None], attach: Callable[[Session], None],
                 services: Services | None = None) -> None:
        """`refresh_keys`: reload the key list (a key appeared or was revoked); `attach`: show a
        session again with the key its profile now signs in with (after a self-rotation or its
        cancel); `services`: the app's own, whose rotations run even before anyone signs in."""
        super().__init__(ctx.parent)
        self.ctx = ctx
        self._refresh_keys = refresh_keys
        self._attach = attach
        self._machines: dict[int, RotationMachine] = {}
        if services is not None:
            self._machines[id(services)] = services.rotations
        self.wizards: dict[str, RotationWizard] = {}  # by rotation id, kept while the session lasts
        self.wizard: RotationWizard | None = None  # the last one opened
        self.panel: RotationsPanel | None = None
        self.in_progress: list[Rotation] = []
        self.confirmation: QMessageBox | None = None
        self._identity: int | None = None
        self.panel_action = QAction("Rotations in &progress…", ctx.parent)
        self.panel_action.triggered.connect(lambda _=False: self.open_panel())
        self.runner = RotationRunner(ctx.ops, lambda: list(self._machines.values()), held=self._held,
                                     watched=self._watched, report=ctx.status, parent=self)
        self.runner.updated.connect(self._ran)
        self.runner.poke()

    # --- the machine ---------------------------------------------------------------------

    def machine(self) -> RotationMachine | None:
        """The rotation machine of the session shown (None without one that can rotate)."""
        session = self.ctx.session()
        if session is None or session.services is None:
            return None
        return self._machines.setdefault(id(session.services), session.services.rotations)

    def _held(self) -> frozenset[str]:
        """Rotations an open wizard drives step by step (before the watch): the runner leaves them."""
        return frozenset(rid for rid, w in self.wizards.items()
                         if w.isVisible() and w.rotation is not None and w.rotation.state in
                         (State.PLANNED, State.CREATED, State.DELIVERED, State.VERIFIED))

    def _watched(self) -> bool:
        return any(w.isVisible() and w.showing_drain for w in self.wizards.values())

    # --- opening wizards -----------------------------------------------------------------

    def start(self, key: ApiKey, found: tuple[Hit, ...] = (), *, exposed: bool = False) -> None:
        """Rotate `key`: open its rotation if one is running, else plan a new one filled in
        with where the key lives (remembered from its last rotation). `found`: where a scan
        found it, whose files are put in the plan first; `exposed`: it is in a git commit, so the
        old key goes quickly (see `Prefill.with_found`)."""
        session, machine = self.ctx.session(), self.machine()
        if session is None:
            return
        if machine is None:
            self.ctx.status("Rotation needs a signed-in profile.")
            return
        base_url = session.profile.base_url

        def look() -> tuple[Rotation | None, Prefill]:
            rotations, _ = machine.overview()
            running = next((r for r in rotations if not r.state.finished and r.old_key_id == key.id
                            and r.base_url.rstrip("/") == base_url.rstrip("/")), None)
            last = next((r for r in reversed(rotations) if r.new_key_id == key.id and r.state == State.DONE), None)
            targets = machine.remembered_targets(base_url, key)
            prefill = Prefill(targets, last.quiet_period_s if last else None, last.revoke if last else None)
            if found or exposed:
                prefill = prefill.with_found(places_of(found, key.prefix), found, exposed=exposed)
            return running, prefill

        def looked(result: tuple[Rotation | None, Prefill]) -> None:
            running, prefill = result
            if running is not None:
                self.ctx.status(f"“{key.name}” is being rotated already: here is that rotation.")
                self.resume(running)
            else:
                self.start_with(key, prefill)

        self.ctx.ops(look).success(looked).doing(f"rotate “{key.name}”").run()

    def start_with(self, key: ApiKey, prefill: Prefill | None = None) -> RotationWizard | None:
        from .wizard import RotationWizard

        machine = self.machine()
        if machine is None:
            return None
        wizard = RotationWizard(self, machine, key=key, prefill=prefill)
        self._show(wizard)
        return wizard

    def resume(self, rotation: Rotation) -> RotationWizard | None:
        from .wizard import RotationWizard

        wizard = self.wizards.get(rotation.id)
        if wizard is None:
            machine = self.machine()
            if machine is None:
                return None
            wizard = RotationWizard(self, machine, rotation=rotation)
            self.register(wizard)
        elif not wizard.isVisible() and not wizard.busy:
            wizard.resume(rotation)
        self._show(wizard)
        return wizard

    def _show(self, wizard: RotationWizard) -> None:
        self.wizard = wizard
        wizard.show()  # not modal: the keys window stays usable while the old key drains
        wizard.raise_()
        wizard.activateWindow()
        self._update_banner()

    def register(self, wizard: RotationWizard) -> None:
        if wizard.rotation is not None and self.wizards.get(wizard.rotation.id) is not wizard:
            self.wizards[wizard.rotation.id] = wizard

    def wizard_closed(self, wizard: RotationWizard) -> None:
        self.refresh()
        self.runner.poke()  # the runner takes over what the wizard drove

    def rotation_changed(self, rotation: Rotation) -> None:
        """A wizard moved its rotation on."""
        if rotation.state in (State.CREATED, State.DONE, State.CANCELLED, State.SCHEDULED):
            self._refresh_keys()  # a key appeared, or one was revoked
        if rotation.state == State.DRAINING:
            self.runner.poke()
        self.refresh()

    # --- cancelling from the list --------------------------------------------------------

    def cancel(self, rotation: Rotation) -> None:
        wizard = self.wizards.get(rotation.id)
        if wizard is not None:
            self._show(wizard)
            wizard.request_cancel()
            return
        machine = self.machine()
        if machine is None:
            return

        def cancel() -> None:
            self.ctx.ops(lambda: machine.cancel(rotation.id)) \
                .busy(f"Cancelling the rotation of “{rotation.old_key_name}”…") \
                .success(self._cancelled).failure(lambda error: self._cancel_failed(rotation, error)).run()

        self.confirmation = confirm_cancel(self.panel or self.ctx.parent, rotation, cancel)

    def _cancelled(self, outcome: Finished | NeedsUser) -> None:
        rotation = outcome.rotation
        if isinstance(outcome, NeedsUser):
            self._cancel_failed(rotation, None, outcome.message)
            return
        self.ctx.status(f"The rotation of “{rotation.old_key_name}” was cancelled: the new key was revoked and "
                        "every place put back.")
        self.adopt_sign_in(rotation)
        self.rotation_changed(rotation)

    def _cancel_failed(self, rotation: Rotation, error: BaseException | None, message: str = "") -> None:
        text = message or describe(error or Exception(), f"cancel the rotation of “{rotation.old_key_name}”")
        box = QMessageBox(QMessageBox.Icon.Warning, "Cancel rotation", text, parent=self.panel or self.ctx.parent)
        self.confirmation = box
        box.open()

    # --- the session ---------------------------------------------------------------------

    def session_changed(self) -> None:
        """Called by the window on attach and detach."""
        session = self.ctx.session()
        identity = None if session is None else id(session.services)
        if session is not None and session.profile.id and identity != self._identity:
            for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
                wizard.close()  # the rotation is journaled: it waits for its profile
                wizard.deleteLater()
            self.wizards.clear()
            self.wizard = None
            self._identity = identity
        self.machine()  # the runner knows this session's journals from now on
        self.in_progress = []
        self.refresh()
        self.runner.poke()

    def adopt_sign_in(self, rotation: Rotation) -> None:
        """A rotation switched the shown profile's sign-in key (or a cancel switched it back):
        show the session again with the key the profile signs in with now."""
        from ...api.client import MysslClient

        session = self.ctx.session()
        if session is None or session.services is None or session.profile.id not in (
                rotation.profile_id, *rotation.switch_profiles):
            return
        services = session.services
        profile_id = session.profile.id

        def load() -> Session | None:
            secret = services.keychain.load(Entry.sign_in(profile_id))
            if secret is None or secret.prefix == session.client.key_prefix:
                return None
            stored = services.profiles.load().find(profile_id) or session.profile
            return replace(session, profile=stored, client=MysslClient(session.client.base_url, secret))

        def switch(new: Session | None) -> None:
            if new is None or self.ctx.session() is not session:
                return
            self._attach(new)
            self.ctx.status(f"This profile now signs in with “{new.profile.key_name}” ({new.profile.key_prefix}…).")

        self.ctx.ops(load).success(switch).doing("read the profile's new key from the keychain").run()

    # --- the list, the banner and the panel ----------------------------------------------

    def refresh(self) -> None:
        session, machine = self.ctx.session(), self.machine()
        if session is None or machine is None:
            self._listed([])
            return
        profile_id = session.profile.id

        def listed() -> list[Rotation]:
            return [r for r in machine.overview()[0] if not r.state.finished and r.profile_id == profile_id]

        self.ctx.ops(listed).success(self._listed).doing("read the rotations in progress").run()

    def _ran(self, reports: list[RunReport]) -> None:
        """A pass of the runner: show what moved; reload keys where one was revoked or renamed."""
        moved = False
        for report in reports:
            outcome = report.outcome
            if outcome is None:
                continue
            wizard = self.wizards.get(report.rotation_id)
            if wizard is not None:
                wizard.show_outcome(outcome)
            old = next((r for r in self.in_progress if r.id == report.rotation_id), None)
            moved |= old is None or old.state != outcome.rotation.state
        if moved:
            self._refresh_keys()
        self.refresh()

    def _listed(self, rotations: list[Rotation]) -> None:
        self.in_progress = rotations
        self._update_banner()
        if self.panel is not None:
            self.panel.show_rotations(rotations)

    def _update_banner(self) -> None:
        open_ids = {rid for rid, wizard in self.wizards.items() if wizard.isVisible()}
        waiting = [r for r in self.in_progress if r.id not in open_ids]
        if not waiting:
            self.ctx.banner.withdraw(Owner.ROTATIONS)
            return
        needs_you = [r for r in waiting if r.attention]
        kind = Kind.WARNING if needs_you else Kind.INFO
        if len(waiting) == 1:
            rotation = waiting[0]
            text = f"1 rotation in progress: {rotation.old_key_name} ({state_words(rotation)})."
            action = Action("Resume", lambda: self.resume(rotation))
        else:
            names = ", ".join(r.old_key_name for r in waiting[:3]) + ("…" if len(waiting) > 3 else "")
            text = f"{len(waiting)} rotations in progress: {names}."
            if needs_you:
                text += f" {len(needs_you)} need{'s' if len(needs_you) == 1 else ''} you."
            action = Action("Show", self.open_panel)
        self.ctx.banner.post(Notice(Owner.ROTATIONS, text, kind, action))

    def open_panel(self) -> RotationsPanel:
        if self.panel is None:
            self.panel = RotationsPanel(self.ctx.parent, resume=self.resume, cancel=self.cancel)
        self.panel.show_rotations(self.in_progress)
        self.panel.show()
        self.panel.raise_()
        self.refresh()
        return self.panel

    def shutdown(self) -> None:
        self.runner.stop()
        for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
            wizard.hide()


__all__ = ["RotationCoordinator"]
