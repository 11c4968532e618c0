"""Ask where to save an export (CSV or JSON), then write it off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from ...atomicfile import write_atomic
from ...errors import describe
from ...export import render
from .ops import Ops

FILTERS = "CSV, for a spreadsheet (*.csv);;JSON, for a script (*.json)"


def export_rows(parent: QWidget, ops: Ops, title: str, suggested: str, rows: Callable[[], list[dict[str, object]]],
                columns: Sequence[str], said: Callable[[str], None],
                what: Callable[[list[dict[str, object]]], str] | None = None) -> QFileDialog:
    """A save dialog; the file chosen gets `rows()` as CSV or JSON by its suffix. `said` gets
    what happened, in words; `what` names the rows written ("all 15 keys, …"; "N rows" when
    not given). Returns the dialog (tests choose a file with it)."""
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setNameFilter(FILTERS)
    dialog.selectFile(suggested)
    dialog.setDefaultSuffix("csv")
    dialog.filterSelected.connect(lambda chosen: dialog.setDefaultSuffix("json" if "json" in chosen else "csv"))

    def chosen(name: str) -> None:
        path = Path(name)
        data = rows()  # taken on the GUI thread, where the rows live; written off it

        written = what(data) if what is not None else f"{len(data)} row{'s' if len(data) != 1 else ''}"

        def write() -> None:
            write_atomic(path, render(data, columns, path.suffix).encode(), mode=0o644)

        ops(write).success(lambda _: said(f"Exported {written} to {path}.")) \
            .failure(lambda error: said(describe(error, f"write {path}"))).any_session().run()

    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


__all__ = ["export_rows"]
