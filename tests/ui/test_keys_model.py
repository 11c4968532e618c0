"""The keys model: Qt's model tester, Python-side sorting and filtering over raw values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from myssl_desktop.api.models import ApiKey
from myssl_desktop.ui.keys.model import FLAGS_ROLE, SPARKLINE_ROLE, Column, KeysModel

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


def test_every_column_sorts_by_its_raw_value() -> None:
    keys = [make_key(1, "beta", requests_24h=500, age=timedelta(days=200)),  # spike and due
            make_key(2, "Alpha", status="expiring", age=timedelta(days=2)),
            make_key(3, "gamma", last_used=timedelta(days=100), age=timedelta(days=95))]  # stale and due
    usage = {1: tuple([1] * 30), 2: tuple([50] * 30), 3: tuple([2] * 30)}
    model = KeysModel()
    model.set_keys(keys, usage, now=NOW)
    expected = {
        Column.NAME: ["Alpha", "beta", "gamma"],  # case-insensitive
        Column.FLAGS: ["Alpha", "beta", "gamma"],  # by how many: 0, 2, 2 (a tie keeps the name order)
        Column.STATUS: ["beta", "gamma", "Alpha"],  # active before expiring (a tie again)
        Column.CREATED: ["beta", "gamma", "Alpha"],
        Column.USAGE: ["beta", "gamma", "Alpha"],  # 30-day totals 30, 60, 1500
    }
    for column, order in expected.items():
        model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)  # a known order for the ties
        model.sort(column, Qt.SortOrder.AscendingOrder)
        assert names(model) == order, column.name
        model.sort(column, Qt.SortOrder.DescendingOrder)
        if column not in (Column.FLAGS, Column.STATUS):
            assert names(model) == order[::-1], column.name


def test_a_refresh_works_out_flags_afresh() -> None:
    model = KeysModel()
    stale = make_key(1, "Backup", last_used=timedelta(days=120))
    model.set_keys([stale], now=NOW)
    assert model.index(0, Column.FLAGS).data(FLAGS_ROLE) == ("stale",)
    used_again = make_key(1, "Backup", last_used=timedelta(minutes=1))
    model.set_keys([used_again], now=NOW)
    assert model.index(0, Column.FLAGS).data(FLAGS_ROLE) == ()
    assert model.row_at(0).flags == () and model.row_at(0).key is used_again


def test_badges_and_flag_icons_are_painted_in_their_cells(qtbot) -> None:
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QTableView

    from myssl_desktop.ui.keys.status_delegates import BADGE_COLOURS, FLAG_COLOURS, FlagsDelegate, StatusBadgeDelegate

    model = KeysModel()
    model.set_keys([make_key(1, "Legacy", last_used=timedelta(days=120))], now=NOW)  # stale
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(Column.STATUS, StatusBadgeDelegate(view))
    view.setItemDelegateForColumn(Column.FLAGS, FlagsDelegate(view))
    view.resize(1200, 200)
    view.show()
    qtbot.waitExposed(view)

    def colours_in(column: Column) -> set[str]:
        image = view.viewport().grab(view.visualRect(model.index(0, column))).toImage()
        return {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}

    for _ in range(2):  # the second paint comes from the delegates' caches
        assert QColor(BADGE_COLOURS["active"]).name() in colours_in(Column.STATUS)
        assert QColor(FLAG_COLOURS["stale"]).name() in colours_in(Column.FLAGS)
    assert QColor(FLAG_COLOURS["stale"]).name() not in colours_in(Column.NAME)
    highlight = view.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight).name()
    assert highlight not in colours_in(Column.STATUS)
    view.selectRow(0)
    view.activateWindow()
    qtbot.waitUntil(lambda: highlight in colours_in(Column.NAME))
    assert highlight in colours_in(Column.STATUS) and highlight in colours_in(Column.FLAGS)  # the selected row


def test_a_refresh_sorts_by_its_own_values() -> None:
    # Sort values worked out for one refresh must not be reused by the next.
    keys = [make_key(1, "a"), make_key(2, "b")]
    model = KeysModel()
    model.set_keys(keys, {1: (5,), 2: (1,)}, now=NOW)
    model.sort(Column.USAGE, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["a", "b"]
    model.set_keys([make_key(1, "a"), make_key(2, "b")], {1: (1,), 2: (5,)}, now=NOW)
    assert names(model) == ["b", "a"]
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    model.set_keys([make_key(1, "zeta"), make_key(2, "b")], now=NOW)
    assert names(model) == ["zeta", "b"]


def test_sorting_keeps_the_previous_order_among_equals() -> None:
    keys = [make_key(n, name, status=status) for n, (name, status) in
            enumerate([("d", "expiring"), ("b", "active"), ("c", "expiring"), ("a", "active")], 1)]
    model = KeysModel()
    model.set_keys(keys, now=NOW)
    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    model.sort(Column.STATUS, Qt.SortOrder.AscendingOrder)
    assert names(model) == ["a", "b", "c", "d"]
    model.sort(Column.NAME, Qt.SortOrder.DescendingOrder)
    model.sort(Column.STATUS, Qt.SortOrder.DescendingOrder)
    assert names(model) == ["d", "c", "b", "a"]  # expiring first, each group still by name descending


def test_sorting_tells_views_that_only_rows_moved(qtbot) -> None:
    # Without the hint a header saves and restores every moved or resized column on each sort.
    from PySide6.QtCore import QAbstractItemModel

    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    hints = []
    model.layoutChanged.connect(lambda parents=None, hint=None: hints.append(hint))
    model.sort(Column.NAME)
    assert hints == [QAbstractItemModel.LayoutChangeHint.VerticalSortHint]


def test_display_text_is_what_the_cells_show() -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    for row in range(model.rowCount()):
        for column in Column:
            assert model.display_text(row, column) == model.index(row, column).data()
    created = model.index(names(model).index("Production Server"), Column.CREATED).data()
    local = (NOW - timedelta(days=400)).astimezone().date()
    assert created == f"{local:%Y-%m-%d} (13 months)"


@given(st.lists(st.tuples(st.sampled_from(["", "p", "pr", "pro", "e", "r", "0", "00", "myssl_k_0"]),
                          st.sampled_from([None, "current", "all", "revoked"]),
                          st.sampled_from([None, True, False])), max_size=12))
def test_typing_on_in_the_filter_matches_filtering_afresh(steps) -> None:
    model = KeysModel()
    model.set_keys(KEYS, USAGE, now=NOW)
    for text, status, attention in steps:
        model.set_filter(text=text, status=status, attention_only=attention)
        fresh = KeysModel()
        fresh.set_keys(KEYS, USAGE, now=NOW)
        fresh.set_filter(text=model._text, status=model._status, attention_only=model._attention_only)
        assert names(model) == names(fresh)


def test_status_badges_follow_a_new_font(qtbot) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QFont, QImage, QPainter
    from PySide6.QtWidgets import QStyleOptionViewItem, QTableView

    from myssl_desktop.ui.keys.status_delegates import BADGE_COLOURS, StatusBadgeDelegate

    model = KeysModel()
    model.set_keys([make_key(1, "Staging")], now=NOW)
    view = QTableView()
    qtbot.addWidget(view)
    delegate = StatusBadgeDelegate(view)

    def pill_height(font: QFont) -> int:
        option = QStyleOptionViewItem()
        option.rect, option.font, option.widget = QRect(0, 0, 120, 60), font, view
        option.fontMetrics = view.fontMetrics().__class__(font)
        image = QImage(120, 60, QImage.Format.Format_RGB32)
        image.fill(QColor("white"))
        painter = QPainter(image)
        delegate.paint(painter, option, model.index(0, Column.STATUS))
        painter.end()
        green = QColor(BADGE_COLOURS["active"])
        return sum(1 for y in range(60) if image.pixelColor(10, y) == green)

    small = pill_height(view.font())
    big = QFont(view.font())
    big.setPointSizeF(big.pointSizeF() * 2)
    assert pill_height(big) > small + 5
    assert pill_height(view.font()) == small


def test_a_key_found_in_a_commit_is_exposed_in_the_flags_the_filter_and_the_sort(qtbot) -> None:
    from pathlib import Path

    from PySide6.QtGui import QColor
    from PySide6.QtWidgets import QTableView

    from myssl_desktop.scan import Hit
    from myssl_desktop.ui.keys.status_delegates import FLAG_COLOURS, FlagsDelegate

    quiet = make_key(6, "Quiet", last_used=timedelta(minutes=1))
    model = KeysModel()
    model.set_keys([*KEYS, quiet], USAGE | {6: tuple([10] * 30)}, now=NOW)
    model.set_filter(attention_only=True)
    assert "Quiet" not in names(model)
    in_file = Hit(prefix=quiet.prefix, sha256="0" * 64, path=Path("/app/.env"), line=1)
    model.set_found({quiet.prefix: (in_file,)})
    assert "Quiet" not in names(model) and model.found_of(quiet) == (in_file,)  # a file alone: not exposed
    committed = Hit(prefix=quiet.prefix, sha256="0" * 64, path=Path("/app/config.py"), line=3, commit="a" * 40,
                    pushed=True, repository=Path("/app"))
    model.set_found({quiet.prefix: (in_file, committed), "myssl_k_0005": (committed,)})  # 5: revoked
    row = names(model).index("Quiet")
    assert model.index(row, Column.FLAGS).data(FLAGS_ROLE) == ("exposed",)
    assert "Exposed: found in a git commit" in model.index(row, Column.FLAGS).data(Qt.ItemDataRole.ToolTipRole)
    model.set_filter(attention_only=False, status="all")
    assert model.row_at(names(model).index("Old laptop")).flags == ()  # revoked: harmless wherever it is
    model.sort(Column.FLAGS, Qt.SortOrder.DescendingOrder)
    assert names(model)[0] == "Quiet"  # most urgent first, though "Legacy" has two flags

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(Column.FLAGS, FlagsDelegate(view))
    view.resize(1200, 300)
    view.show()
    qtbot.waitExposed(view)
    def cell_colours() -> set[str]:
        image = view.viewport().grab(view.visualRect(model.index(0, Column.FLAGS))).toImage()
        return {image.pixelColor(x, y).name() for x in range(image.width()) for y in range(image.height())}

    assert QColor(FLAG_COLOURS["exposed"]).name() in cell_colours()
    view.selectRow(0)  # on the selection's blue, the icon takes the highlighted text's colour
    selected = cell_colours()
    assert QColor(FLAG_COLOURS["exposed"]).name() not in selected
    assert view.palette().highlightedText().color().name() in selected
    model.set_found({})
    assert model.row_at(names(model).index("Quiet")).flags == ()  # no hit left: no flag
