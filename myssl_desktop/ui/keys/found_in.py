""""Found in", in the details pane: where scans found the selected key.

Its files, each offered as a rotation target in one click, and the commits that hold it
(marked pushed where a remote-tracking branch contains them). A key in a commit is exposed:
the section says how widely and offers "Rotate now". The pane fills it in; it only shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...timefmt import short
from ..common.richtext import html

if TYPE_CHECKING:
    from ...api.models import ApiKey
    from ...scan import Hit
    from ...scan.store import ScannedFolder

MAX_SHOWN = 8  # files, and commits; the scan dialog lists every hit


class FoundIn(QWidget):
    rotate_now_requested = Signal()  # the exposed key: rotate it with its files, revoking it quickly
    rotate_with_file_requested = Signal(object)  # a Path: rotate the key with this file in the plan

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Found in")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        exposed_row = QHBoxLayout()
        self.exposed = _label()
        self.exposed.setAccessibleName("Exposed in")
        self.rotate_now_button = QPushButton("Rotate &now…")
        self.rotate_now_button.setToolTip("A rotation with the files it was found in, revoking the old key "
                                          "minutes after they have the new one")
        self.rotate_now_button.clicked.connect(self.rotate_now_requested)
        exposed_row.addWidget(self.exposed, 1)
        exposed_row.addWidget(self.rotate_now_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(exposed_row)
        self.heading = _label()
        layout.addWidget(self.heading)
        self.files = QGridLayout()  # a file a row: where, and its rotate button
        self.files.setColumnStretch(0, 1)
        layout.addLayout(self.files)
        self.commits = _label()
        self.commits.setAccessibleName("Commits")
        layout.addWidget(self.commits)
        self.file_buttons: dict[Path, QPushButton] = {}
        self.hide()

    def show_hits(self, key: ApiKey | None, hits: tuple[Hit, ...], folders_scanned: tuple[ScannedFolder, ...]) -> None:
        """`hits` of `key` (None: no key selected); nothing shows before any folder was scanned. The
        words say when the scans were: files change after them (a rotation puts the new key in)."""
        self._clear_files()
        self.setVisible(key is not None and (bool(hits) or bool(folders_scanned)))
        if key is None:
            return
        from ...scan.words import count, exposure  # here: the scan package would hold up the window's first list

        live = not key.is_revoked
        files = list(dict.fromkeys(hit.path for hit in hits if not hit.in_history))
        in_history = [hit for hit in hits if hit.in_history]
        exposed = live and bool(in_history)
        self.exposed.setVisible(exposed)
        self.rotate_now_button.setVisible(exposed)
        if exposed:
            self.exposed.setText(f"⚠ <b>Exposed</b> in {exposure(in_history)}.")
        if not hits:
            self.heading.setText(f"<b>Not found</b> in the {count(len(folders_scanned), 'folder')} "
                                 f"{_scanned_when(folders_scanned)} (Key ▸ Find where keys are used… scans again).")
            self.commits.hide()
            return
        self.heading.setText(f"<b>Found by {_found_by(hits, folders_scanned)} in:</b>")
        lines = {path: sorted({hit.line for hit in hits if hit.path == path and not hit.in_history})
                 for path in files}
        for row, path in enumerate(files[:MAX_SHOWN]):
            where = _label(f"{_path_html(path)} · line{'s' if len(lines[path]) > 1 else ''} "
                           f"{', '.join(map(str, lines[path]))}")
            where.setToolTip(str(path))
            self.files.addWidget(where, row, 0)
            if live:
                button = QPushButton("Rotate with this file…")
                button.setToolTip(f"Rotate “{key.name}” with {path} already in the plan")
                button.clicked.connect(lambda _=False, chosen=path: self.rotate_with_file_requested.emit(chosen))
                self.files.addWidget(button, row, 1, Qt.AlignmentFlag.AlignTop)
                self.file_buttons[path] = button
        if len(files) > MAX_SHOWN:
            self.files.addWidget(_label(f"… and {count(len(files) - MAX_SHOWN, 'more file')}"), MAX_SHOWN, 0)
        self.commits.setVisible(bool(in_history))
        shown = [f"• {_commit_html(hit)}" for hit in in_history[:MAX_SHOWN]]
        if len(in_history) > MAX_SHOWN:
            shown.append(f"… and {len(in_history) - MAX_SHOWN} more")
        self.commits.setText("<br>".join(shown))

    def _clear_files(self) -> None:
        while (item := self.files.takeAt(0)) is not None:
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.file_buttons = {}


def _scanned_when(folders: tuple[ScannedFolder, ...]) -> str:
    """"scanned on 4 Dec, 23:10", or with folders scanned at different times "last scanned on …"."""
    if not folders:
        return "scanned"
    times = {folder.scanned_at for folder in folders}
    return f"{'' if len(times) == 1 else 'last '}scanned on {short(max(times))}"


def _found_by(hits: tuple[Hit, ...], folders: tuple[ScannedFolder, ...]) -> str:
    """"the scan of 4 Dec, 23:10": the latest scan of the folders that hold `hits`."""
    def holds(folder: ScannedFolder, hit: Hit) -> bool:
        where = hit.repository if hit.in_history and hit.repository is not None else hit.path
        return where == folder.path or folder.path in where.parents

    times = [folder.scanned_at for folder in folders if any(holds(folder, hit) for hit in hits)]
    times = times or [folder.scanned_at for folder in folders]
    return f"the scan of {short(max(times))}" if times else "an earlier scan"


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setWordWrap(True)
    return label


def _path_html(path: Path) -> str:
    """The path with `~` for the home folder, breakable after each slash in a narrow pane."""
    home = Path.home()
    shown = f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)
    return html(shown).replace("/", "/\u200b")


def _commit_html(hit: Hit) -> str:
    assert hit.commit is not None
    state = "<b>pushed</b>" if hit.pushed else "not pushed"
    if hit.repository is None:
        return f"<code>{hit.commit[:12]}</code> {_path_html(hit.path)} · line {hit.line} ({state})"
    return (f"<code>{hit.commit[:12]}</code> {_path_html(hit.path.relative_to(hit.repository))} · line "
            f"{hit.line} in {_path_html(hit.repository)} ({state})")
