"""Discovery in the app: Key ▸ Find where keys are used…, and "Rotate now" for an exposed key.

`KeyDiscovery` runs scans (one at a time, on their own thread), records what each found for
the profile shown (`myssl_desktop.scan.store`, in the profile's data folder) and hands the
profile's findings to the window (`findings_changed`), which shows them in the keys table and
the details pane. A session without a data folder keeps its findings in memory only.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Signal

from ...errors import describe
from ...scan.keys import match_keys
from ...scan.model import ScanCancelled
from ...scan.store import Findings, FoundStore
from ...scan.words import count, found, secrets
from ..common.actions import make_action
from .job import ScanJob

if TYPE_CHECKING:
    import threading

    from ...api.models import ApiKey
    from ...scan import Hit, ScanReport
    from ...scan.progress import ProgressCallback
    from ...session import Session
    from ..common.context import UiContext
    from .dialog import ScanDialog


class Rotate(Protocol):
    """Opens the rotation of a key, with where a scan found it (the rotation coordinator's `start`)."""

    def __call__(self, key: ApiKey, found: tuple[Hit, ...] = (), *, exposed: bool = False) -> None: ...


class KeyDiscovery(QObject):
    findings_changed = Signal(object)  # the Findings of the profile shown
    keys_exposed = Signal(object, object)  # a scan newly found these keys in a commit: Profile, list[ApiKey]

    def __init__(self, ctx: UiContext, *, keys: Callable[[], Sequence[ApiKey]],
                 selected: Callable[[], ApiKey | None], rotate: Rotate, show_key: Callable[[str], object]) -> None:
        """`keys`: the account's keys as listed (hits are named by them); `selected`: the key the
        table is on; `rotate`: open a rotation of a key with its hits; `show_key`: select the key
        of a prefix in the table."""
        super().__init__(ctx.parent)
        self._ctx = ctx
        self._keys = keys
        self._selected = selected
        self._show_key = show_key
        self._rotate = rotate
        self.job = ScanJob(self)
        self.findings = Findings()
        self.dialog: ScanDialog | None = None
        self._store: FoundStore | None = None  # where the profile shown keeps its findings (None: nowhere)
        self._shown: tuple[Path | None, str] | None = None  # that store's folder and the profile's id
        self.find_action = make_action(ctx.parent, "&Find where keys are used…", self.open_dialog, "Ctrl+Shift+F")
        self.find_action.setToolTip("Search folders and their git history for key secrets")
        self.rotate_now_action = make_action(ctx.parent, "Rotate e&xposed key now…", self.rotate_now,
                                             icon_name="exposed")
        self.rotate_now_action.setToolTip("The key is in a git commit: rotate it with the files it was found in, "
                                          "revoking it minutes after they have the new key")
        self.job.progressed.connect(lambda progress: self.dialog.show_progress(progress) if self.dialog else None)
        self.session_changed()

    # --- the profile's findings --------------------------------------------------------------

    def session_changed(self) -> None:
        """Show the findings of the session's profile (read in the background)."""
        session = self._ctx.session()
        store = None if session is None else _store_of(session)
        shown = None if session is None else (None if store is None else store.folder, session.profile.id)
        self.find_action.setEnabled(session is not None)
        if shown == self._shown:
            self.update()
            return  # the same profile again (its key was checked, or it now signs in with a new one)
        self._store, self._shown = store, shown
        if self.dialog is not None and not self.job.running:
            self.dialog.clear_results()
            self.dialog.hide()
        self._show(Findings())
        if store is None or shown is None:
            return
        profile_id = shown[1]
        self._ctx.ops(lambda: store.load(profile_id)).any_session() \
            .success(lambda findings: self._show(findings) if self._shown == shown else None) \
            .doing("read where scans found the keys").run()

    def _show(self, findings: Findings) -> None:
        self.findings = findings
        self.findings_changed.emit(findings)
        self.update()

    def update(self) -> None:
        """"Rotate now" is there for a selected key that is exposed and can be rotated."""
        self.rotate_now_action.setEnabled(self._exposed(self._selected()))

    def _exposed(self, key: ApiKey | None) -> bool:
        session = self._ctx.session()
        return (key is not None and not key.is_revoked and session is not None and not session.profile.read_only
                and key.prefix in self.findings.exposed())

    # --- scanning ----------------------------------------------------------------------------

    def open_dialog(self) -> ScanDialog | None:
        if self._ctx.session() is None:
            return None
        if self.dialog is None:
            from .dialog import ScanDialog  # on first use: the window starts without it

            self.dialog = ScanDialog(self._ctx.parent)
            self.dialog.start_requested.connect(self._start)
            self.dialog.cancel_requested.connect(self.job.cancel)
            self.dialog.key_chosen.connect(self._show_key)
            self.dialog.finished.connect(lambda _: self.job.cancel())  # closed: a running scan stops
        if not self.job.running:
            self.dialog.set_folders([folder.path for folder in self.findings.folders])
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog

    def _start(self, folders: list[Path], history: bool) -> None:
        dialog, shown, store = self.dialog, self._shown, self._store
        if dialog is None or shown is None or self.job.running:
            return
        profile_id = shown[1]
        session = self._ctx.session()
        profile = None if session is None else session.profile
        before, keys = self.findings, tuple(self._keys())

        def work(progress: ProgressCallback, cancel: threading.Event) -> tuple[ScanReport, Findings]:
            from ...scan.scanner import scan  # on the worker: the window starts without it

            report = scan(folders, history=history, on_progress=progress, cancel=cancel)
            if store is None:
                return report, before.updated(report, history=history, now=datetime.now(UTC))
            return report, store.record(profile_id, report, history=history)

        def done(result: tuple[ScanReport, Findings]) -> None:
            report, findings = result
            if self._shown == shown:  # still the profile the scan was recorded for
                self._show(findings)
            newly = findings.exposed() - before.exposed()
            exposed = [key for key in keys if key.prefix in newly and not key.is_revoked]
            if exposed and profile is not None:
                self.keys_exposed.emit(profile, exposed)
            prefixes = {key.prefix for key in keys}
            dialog.show_done(report, _key_words(report, keys), prefixes.__contains__)
            self._ctx.status(_status_words(report, keys, findings))

        def failed(error: BaseException) -> None:
            if isinstance(error, ScanCancelled):
                dialog.show_cancelled(error.progress)
                self._ctx.status("The scan was cancelled.")
            else:
                dialog.show_failed(describe(error, "scan"))

        dialog.show_running()
        self.job.start(work, done, failed)

    # --- rotating what was found ---------------------------------------------------------------

    def rotate_now(self) -> None:
        """The selected exposed key: a rotation with its files, a short quiet period, a revoke at once."""
        key = self._rotatable()
        if key is not None and self._exposed(key):
            self._rotate(key, self.findings.by_prefix().get(key.prefix, ()), exposed=True)

    def rotate_with_file(self, path: Path) -> None:
        """The selected key, with the file `path` (where a scan found it) in the plan."""
        key = self._rotatable()
        if key is not None:
            self._rotate(key, tuple(hit for hit in self.findings.by_prefix().get(key.prefix, ()) if hit.path == path))

    def _rotatable(self) -> ApiKey | None:
        """The selected key, if this profile may rotate it; else None, and the status line says why."""
        session, key = self._ctx.session(), self._selected()
        if session is not None and key is not None and session.profile.read_only:
            self._ctx.status("This profile's key lacks the “keys:manage” permission, so it cannot rotate keys: sign "
                             "in with a key that has it.")
            return None
        return key

    def shutdown(self) -> None:
        self.job.shutdown()


def _store_of(session: Session) -> FoundStore | None:
    return None if session.services is None else FoundStore(session.services.dirs.data)


def _key_words(report: ScanReport, keys: Sequence[ApiKey]) -> Callable[[str], str]:
    """Names the key of a prefix: "Production Server (myssl_k_ab12…)"."""
    by_prefix: dict[str, list[str]] = {}
    for key in keys:
        by_prefix.setdefault(key.prefix, []).append(key.name + (" (revoked)" if key.is_revoked else ""))

    def words(prefix: str) -> str:
        names = by_prefix.get(prefix)
        return f"{' or '.join(names)} ({prefix}…)" if names else f"{prefix}… (not a key of this account)"

    return words


def _status_words(report: ScanReport, keys: Sequence[ApiKey], findings: Findings) -> str:
    if not report.hits:
        return "The scan found no key secret."
    matched = match_keys(report.hits, [(key.id, key.prefix) for key in keys])
    exposed = {key.id for key in keys if key.prefix in findings.exposed() and not key.is_revoked}
    text = f"The scan found {found(report.hits)}: {count(len(matched.by_key), 'key')} of this account"
    if matched.unknown:  # each secret once, however many places it is in
        text += f", {count(secrets(matched.unknown), 'secret')} of no key here"
    if exposed:
        them = "it" if len(exposed) == 1 else "them"
        text += f". {count(len(exposed), 'key is', 'keys are')} exposed in a git commit: rotate {them} now"
    return text + "."


__all__ = ["KeyDiscovery"]
