"""The keys model: Qt's model tester, Python-side sorting and filtering over raw values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from myssl_desktop.api.models import ApiKey
from myssl_desktop.ui.keys_model import FLAGS_ROLE, SPARKLINE_ROLE, Column, KeysModel

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def make_key(n: int, name: str, *, status: str = "active", last_used: timedelta | None = timedelta(hours=1),
             age: timedelta = timedelta(days=10), requests_24h: int = 5) -> ApiKey:
    return ApiKey(id=n, name=name, prefix=f"myssl_k_{n:04d}", permissions=("domains:read",), status=status,
                  created_at=NOW - age, last_used_at=None if last_used is None else NOW - last_used,
                  request_count=n * 10, requests_24h=requests_24h, expires_at=None,
                  revoked_at=NOW if status == "revoked" else None)


KEYS = [
    make_key(1, "Production Server", last_used=timedelta(minutes=3), age=timedelta(days=400)),
    make_key(2, "CI Pipeline", last_used=timedelta(hours=5), requests_24h=900),
    make_key(3, "Legacy", last_used=timedelta(days=120), age=timedelta(days=300)),
    make_key(4, "Never used", last_used=None, age=timedelta(days=30)),
    make_key(5, "Old laptop", status="revoked", last_used=timedelta(days=2)),
]
USAGE = {k.id: tuple([10] * 30) for k in KEYS}


def names(model: KeysModel) -> list[str]:
    return [model.key_at(r).name for r in range(model.rowCount())]


def test_model_passes_qt_model_tester(qtmodeltester) -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    qtmodeltester.check(model, force_py=True)
    model.sort(Column.LAST_USED, Qt.SortOrder.AscendingOrder)
    model.set_filter(text="e")
    qtmodeltester.check(model, force_py=True)


def test_revoked_keys_are_hidden_by_default_and_filters_combine() -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    assert "Old laptop" not in names(model) and model.total_count == 5
    model.set_filter(status="all")
    assert "Old laptop" in names(model)
    model.set_filter(status="revoked")
    assert names(model) == ["Old laptop"]
    model.set_filter(status="current", text="myssl_k_0002")
    assert names(model) == ["CI Pipeline"]
    model.set_filter(text="", attention_only=True)
    assert set(names(model)) == {"Production Server", "CI Pipeline", "Legacy", "Never used"}


def test_last_used_sorts_by_time_with_never_last_both_ways() -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    model.sort(Column.LAST_USED, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["Production Server", "CI Pipeline", "Legacy", "Never used"]
    model.sort(Column.LAST_USED, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["Legacy", "CI Pipeline", "Production Server", "Never used"]


def test_numeric_columns_sort_by_number_not_text() -> None:
    keys = [make_key(n, f"k{n}", requests_24h=value) for n, value in ((1, 9), (2, 1000), (3, 80))]
    model = KeysModel()
    model.set_keys(keys, now=NOW)
    model.sort(Column.REQUESTS_24H, Qt.SortOrder.DescendingOrder)
    assert [model.key_at(r).requests_24h for r in range(3)] == [1000, 80, 9]
    assert model.index(0, Column.REQUESTS_24H).data() == "1,000"


def test_flags_and_sparkline_data() -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    flags = {model.key_at(r).name: model.index(r, Column.FLAGS).data(FLAGS_ROLE) for r in range(model.rowCount())}
    assert flags["CI Pipeline"] == ("spike",)
    assert flags["Legacy"] == ("stale", "due") and flags["Never used"] == ("stale",)
    assert flags["Production Server"] == ("due",)
    row = names(model).index("CI Pipeline")
    assert model.index(row, Column.USAGE).data(SPARKLINE_ROLE) == tuple([10] * 30)
    assert "Spike" in model.index(row, Column.FLAGS).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(names(model).index("Never used"), Column.LAST_USED).data() == "never"


def test_selection_follows_its_row_through_a_sort(qtbot) -> None:
    from PySide6.QtWidgets import QTableView

    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.selectRow(names(model).index("Legacy"))
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert model.key_at(view.currentIndex().row()).name == "Legacy"
