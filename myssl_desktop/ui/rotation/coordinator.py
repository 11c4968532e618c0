"""Rotations in progress: the window's link to the rotation journal.

`RotationCoordinator` builds the engine for the shown session, opens one wizard per rotation,
offers to resume (a banner when a profile with unfinished rotations is attached) and keeps
the window signed in after a self-rotation switched (or a cancel switched back) the
profile's key. `RotationsPanel` lists the journal's unfinished rotations with Resume and
Cancel. Journal reads and engine calls run on workers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QMessageBox,
)

from ...errors import describe
from ...rotation import JournalStore, Rotation, State
from ..common.banner import Action, Kind, Notice, Owner
from .cancel import confirm_cancel
from .panel import RotationsPanel, state_words
from .prefill import Prefill

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...rotation import RotationEngine
    from ...session import Session
    from ..common.context import UiContext
    from .wizard import RotationWizard


class RotationCoordinator(QObject):
    """The shown session's rotations: engine, wizards, the resume offer and the panel."""

    def __init__(self, ctx: UiContext, *, refresh_keys: Callable[[], None],
                 attach: Callable[[Session], None]) -> None:
        """`refresh_keys`: reload the key list (a key appeared or was revoked); `attach`: show a
        session again with the key its profile now signs in with (after a self-rotation)."""
        super().__init__(ctx.parent)
        self.ctx = ctx
        self._refresh_keys = refresh_keys
        self._attach = attach
        self.wizards: dict[str, RotationWizard] = {}  # by rotation id, kept while the session lasts
        self.wizard: RotationWizard | None = None  # the last one opened
        self.panel: RotationsPanel | None = None
        self.in_progress: list[Rotation] = []
        self.confirmation: QMessageBox | None = None
        self._identity: tuple[Any, ...] | None = None
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self.panel_action = QAction("Rotations in &progress…", ctx.parent)
        self.panel_action.triggered.connect(lambda _=False: self.open_panel())

    # --- the engine ----------------------------------------------------------------------

    def data_dir(self) -> Path:
        """The journal's folder: the session's data folder (the sandbox has a throw-away one of
        its own), or a throw-away one for a session built without services (tests)."""
        session = self.ctx.session()
        if session is not None and session.services is not None:
            return session.services.dirs.data
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="myssl-rotations-")
        return Path(self._scratch.name)

    def store(self) -> JournalStore:
        return JournalStore(self.data_dir())

    def engine(self) -> RotationEngine | None:
        from ...rotation import RotationEngine

        session = self.ctx.session()
        if session is None:
            return None
        profiles = session.services.profiles if session.services is not None else None
        return RotationEngine(session.client, session.actions.keychain, self.store(), session.profile,
                              profiles=profiles)

    def prepare_engine(self, engine: RotationEngine) -> None:
        """On a worker, before each step. The engine writes the profile back (the targets it
        remembers per key, a self-rotation's new key): give it the stored profile's current
        targets, so a session opened before an earlier rotation does not write stale ones."""
        if engine.profiles is not None:
            try:
                stored = engine.profiles.load().find(engine.profile.id)
            except Exception:  # an unreadable profiles file is reported where profiles are opened
                stored = None
            if stored is not None and stored.targets != engine.profile.targets:
                engine.profile = replace(engine.profile, targets=stored.targets)

    # --- opening wizards -----------------------------------------------------------------

    def start(self, key: ApiKey) -> None:
        """Rotate `key`: resume its rotation if one is running, else plan a new one filled in
        with where the key lives (remembered in the profile by the last rotation)."""
        store, session = self.store(), self.ctx.session()
        if session is None:
            return
        profile_id = session.profile.id
        profiles = session.services.profiles if session.services is not None else None

        def look() -> tuple[Rotation | None, Prefill]:
            from ...rotation.targets import target_from

            running = store.active_for_key(profile_id, key.id)
            previous = [r for r in store.all() if r.profile_id == profile_id and r.new_key_id == key.id
                        and r.state == State.DONE]
            last = previous[-1] if previous else None
            stored = profiles.load().find(profile_id) if profiles is not None else None
            specs = stored.targets_for(key.id) if stored is not None else []
            if not specs and last is not None:
                specs = [dict(spec) for spec in last.targets]
            targets = [target_from({k: v for k, v in spec.items() if k != "read_digest"}) for spec in specs]
            return running, Prefill(targets, last.quiet_period_s if last else None, last.revoke if last else None)

        def found(result: tuple[Rotation | None, Prefill]) -> None:
            running, prefill = result
            if running is not None:
                self.ctx.status(f"“{key.name}” is being rotated already: here is that rotation.")
                self.resume(running)
            else:
                self.start_with(key, prefill)

        self.ctx.ops(look).success(found).doing(f"rotate “{key.name}”").run()

    def start_with(self, key: ApiKey, prefill: Prefill | None = None) -> RotationWizard | None:
        from .wizard import RotationWizard

        engine = self.engine()
        if engine is None:
            return None
        wizard = RotationWizard(self, engine, key=key, prefill=prefill)
        self._show(wizard)
        return wizard

    def resume(self, rotation: Rotation) -> RotationWizard | None:
        from .wizard import RotationWizard

        wizard = self.wizards.get(rotation.id)
        if wizard is not None:
            if not wizard.isVisible() and not wizard.busy:
                wizard.resume(rotation)
        else:
            engine = self.engine()
            if engine is None:
                return None
            wizard = RotationWizard(self, engine, rotation=rotation)
            self.register(wizard)
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
            wizard.rotation_changed.connect(self._rotation_saved)

    def wizard_closed(self, wizard: RotationWizard) -> None:
        self.refresh()

    def _rotation_saved(self, rotation: Rotation) -> None:
        if rotation.state in (State.CREATED, State.DONE, State.CANCELLED):
            self._refresh_keys()  # a key appeared, or one was revoked
        self.refresh()

    # --- cancelling from the list --------------------------------------------------------

    def cancel(self, rotation: Rotation) -> None:
        wizard = self.wizards.get(rotation.id)
        if wizard is not None:
            self._show(wizard)
            wizard.request_cancel()
            return
        engine = self.engine()
        if engine is None:
            return

        def cancel() -> None:
            self.ctx.ops(lambda: engine.cancel(rotation)) \
                .busy(f"Cancelling the rotation of “{rotation.old_key_name}”…") \
                .success(self._cancelled).failure(lambda error: self._cancel_failed(rotation, error)).run()

        self.confirmation = confirm_cancel(self.panel or self.ctx.parent, rotation, cancel)

    def _cancelled(self, rotation: Rotation) -> None:
        self.ctx.status(f"The rotation of “{rotation.old_key_name}” was cancelled: the new key was "
                                "revoked and every file put back.")
        if rotation.self_rotation:
            self.adopt_sign_in(rotation)
        self._rotation_saved(rotation)

    def _cancel_failed(self, rotation: Rotation, error: BaseException) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "Cancel rotation",
                          describe(error, f"cancel the rotation of “{rotation.old_key_name}”"),
                          parent=self.panel or self.ctx.parent)
        self.confirmation = box
        box.open()

    # --- the session ---------------------------------------------------------------------

    def session_changed(self) -> None:
        """Called by the window on attach and detach."""
        session = self.ctx.session()
        identity = None if session is None else (session.profile.id, id(session.services))
        if identity != self._identity:
            for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
                wizard.close()  # the rotation is journaled: it waits for its profile
                wizard.deleteLater()
            self.wizards.clear()
            self.wizard = None
            if self._scratch is not None:
                self._scratch.cleanup()
                self._scratch = None
            self._identity = identity
        else:
            engine = self.engine()
            for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
                if engine is not None:
                    wizard.session_changed(engine)
        self.in_progress = []
        self.refresh()

    def adopt_sign_in(self, rotation: Rotation) -> None:
        """After a self-rotation switched the profile's key (or a cancel switched it back),
        re-attach the window with the key the profile now signs in with."""
        from ...api.client import MysslClient
        from ...keychain import Entry

        session = self.ctx.session()
        if session is None or session.profile.id != rotation.profile_id:
            return
        keychain, base_url = session.actions.keychain, session.client.base_url

        def load() -> MysslClient | None:
            secret = keychain.load(Entry.sign_in(rotation.profile_id))
            if secret is None or secret.prefix == session.client.key_prefix:
                return None
            return MysslClient(base_url, secret)

        def switch(client: MysslClient | None) -> None:
            if client is None or self.ctx.session() is not session:
                return
            prefix = client.key_prefix
            name = rotation.new_key_name if prefix == rotation.new_prefix else rotation.old_key_name
            profile = replace(session.profile, key_prefix=prefix, key_name=name)
            self._attach(replace(session, profile=profile, client=client))
            self.ctx.status(f"This profile now signs in with “{name}” ({prefix}…).")

        self.ctx.ops(load).success(switch).doing("read the profile's new key from the keychain").run()

    # --- the list, the banner and the panel ----------------------------------------------

    def refresh(self) -> None:
        session = self.ctx.session()
        if session is None or (session.services is None and self._scratch is None):  # no journal written yet
            self._listed([])
            return
        store, profile_id = self.store(), session.profile.id
        self.ctx.ops(lambda: store.in_progress(profile_id)).success(self._listed) \
            .doing("read the rotations in progress").run()

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
        if len(waiting) == 1:
            rotation = waiting[0]
            text = f"1 rotation in progress: {rotation.old_key_name} ({state_words(rotation)})."
            action = Action("Resume", lambda: self.resume(rotation))
        else:
            names = ", ".join(r.old_key_name for r in waiting[:3]) + ("…" if len(waiting) > 3 else "")
            text = f"{len(waiting)} rotations in progress: {names}."
            action = Action("Show", self.open_panel)
        self.ctx.banner.post(Notice(Owner.ROTATIONS, text, Kind.INFO, action))

    def open_panel(self) -> RotationsPanel:
        if self.panel is None:
            self.panel = RotationsPanel(self.ctx.parent, resume=self.resume, cancel=self.cancel)
        self.panel.show_rotations(self.in_progress)
        self.panel.show()
        self.panel.raise_()
        self.refresh()
        return self.panel

    def shutdown(self) -> None:
        for wizard in {*self.wizards.values(), *([self.wizard] if self.wizard else [])}:
            wizard.hide()
        if self._scratch is not None:
            self._scratch.cleanup()
            self._scratch = None


