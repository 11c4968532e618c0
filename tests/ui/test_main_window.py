"""The keys window against the seeded sandbox: rows, sorting, flags, errors in place,
offline copy, refresh pacing, keyboard and remembered layout."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLineEdit, QProgressBar, QTableView, QWidget

from myssl_desktop.api import MysslClient
from myssl_desktop.keycache import KeyCache
from myssl_desktop.keyflags import DUE
from myssl_desktop.profiles import Profile
from myssl_desktop.sandbox import Sandbox
from myssl_desktop.ui.common.banner import Kind
from myssl_desktop.ui.keys.model import FLAGS_ROLE, SIGNS_IN, Column
from myssl_desktop.ui.shell.main_window import MainWindow, WindowSetup
from tests.support import FakeClock, add_settled_window
from tests.ui.helpers import WAIT, attach, open_window, session_for, shown_keys, shown_names


@pytest.fixture(scope="module")
def demo() -> Iterator[Sandbox]:
    with Sandbox(tier="enterprise", seed="demo") as sb:
        yield sb


def flags_of(window: MainWindow, name: str) -> tuple[str, ...]:
    row = shown_names(window).index(name)
    return window.content.keys.model.index(row, Column.FLAGS).data(FLAGS_ROLE)


def test_shows_the_demo_keys_with_usage_and_flags(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    names = shown_names(window)
    assert {"Production Server", "CI/CD Pipeline", "Staging", "Legacy Integration"} <= set(names)
    assert all(key.status != "revoked" for key in shown_keys(window))
    assert "stale" in flags_of(window, "Legacy Integration")
    assert "due" in flags_of(window, "Production Server")
    assert any("spike" in flags_of(window, n) for n in names)
    assert any(window.content.keys.model.row_at(r).usage for r in range(window.content.keys.model.rowCount()))
    bar = window.content.account_bar
    assert bar.quota_gauge.isVisible() and "updated" in bar.updated_label.text()
    assert window.content.keys.count_label.text().endswith("keys")


def test_sorts_by_last_used_from_the_header(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.content.keys.table.horizontalHeader().setSortIndicator(Column.LAST_USED, Qt.SortOrder.DescendingOrder)
    used = [window.content.keys.model.key_at(r).last_used_at for r in range(window.content.keys.model.rowCount())]
    seen = [u for u in used if u is not None]
    assert seen == sorted(seen, reverse=True)
    assert used[len(seen):] == [None] * (len(used) - len(seen))  # never-used keys last


def test_filters_and_needs_attention(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.content.keys.filter_edit.setText("pipe")
    assert shown_names(window) == ["CI/CD Pipeline"]
    window.content.keys.filter_edit.clear()
    window.content.keys.status_combo.setCurrentIndex(window.content.keys.status_combo.findData("revoked"))
    assert [key.status for key in shown_keys(window)] == ["revoked"]
    window.content.keys.status_combo.setCurrentIndex(window.content.keys.status_combo.findData("current"))
    window.content.keys.attention_check.setChecked(True)
    assert all(window.content.keys.model.row_at(r).flags for r in range(window.content.keys.model.rowCount()))


def test_details_pane_and_chart(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.content.keys.table.selectRow(shown_names(window).index("Production Server"))
    assert "Production Server" in window.content.keys.details.title.text()
    assert "domains:read" in window.content.keys.details.fields["Permissions"].text()
    assert window.content.keys.details.chart.summary().startswith("30 days")
    window.content.keys.details.period_buttons.button(90).click()
    qtbot.waitUntil(lambda: window.content.keys.details.chart.summary().startswith("90 days"), timeout=WAIT)
    window.content.keys.details.period_buttons.button(7).click()
    assert window.content.keys.details.chart.summary().startswith("7 days")


def test_revoked_sign_in_key_leads_to_sign_in(qtbot, window: MainWindow, demo: Sandbox) -> None:
    admin = MysslClient(demo.base_url, demo.admin_key)
    created = admin.create_key("Soon revoked", ["keys:read"])
    attach(qtbot, window, session_for(demo, key=created.secret))
    admin.revoke_key(created.api_key.id)
    with qtbot.waitSignal(window.session_rejected, timeout=WAIT) as signal:
        window.refresh()
    assert "revoked" in signal.args[0]
    assert window.content.keys.model.total_count > 0


def test_missing_permission_shows_a_notice_and_keeps_rows(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    before = window.content.keys.model.total_count
    narrow = MysslClient(demo.base_url, demo.admin_key).create_key("No list", ["domains:read"])
    window.session = session_for(demo, key=narrow.secret)
    window.refresh()
    qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)
    assert "keys:read" in window.content.banner.label.text() and window.content.banner.kind == Kind.WARNING
    assert window.content.keys.model.total_count == before


@pytest.mark.parametrize("kind", ["500", "502", "truncated", "reset"])
def test_server_trouble_shows_a_banner_and_keeps_rows(qtbot, window: MainWindow, kind: str) -> None:
    with Sandbox(tier="enterprise", seed="demo") as sb:
        attach(qtbot, window, session_for(sb))
        before = window.content.keys.model.total_count
        sb.set_faults(fail_rate=1.0, kinds=[kind])
        window.refresh()
        qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)
        assert window.content.banner.isVisible() and window.content.banner.kind == Kind.ERROR
        banner = window.content.banner
        assert "Could not refresh" in banner.label.text() and banner.button.text() == "Retry"
        assert window.content.keys.model.total_count == before
        sb.set_faults(fail_rate=0.0)
        qtbot.mouseClick(window.content.banner.button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.content.banner.isHidden(), timeout=WAIT)


def test_rate_limit_counts_down_and_resumes(qtbot, window: MainWindow) -> None:
    clock = FakeClock()
    with Sandbox(tier="free", seed="demo", clock=clock) as sb:
        window.content.schedule._clock = clock  # the same fake clock: the countdown is the sandbox's
        attach(qtbot, window, session_for(sb))
        client = MysslClient(sb.base_url, sb.admin_key)
        while client.rate_limit is None or client.rate_limit.minute_remaining > 0:
            client.current()
        window.refresh()
        qtbot.waitUntil(lambda: "rate limit" in window.content.banner.label.text(), timeout=WAIT)
        assert "Refreshing again in" in window.content.banner.label.text()
        assert window.content.schedule.active and not window.content.schedule.may_refresh_now()
        clock.advance(61)
        with qtbot.waitSignal(window.content.schedule.due, timeout=WAIT):
            window.content.schedule._timer.timeout.emit()  # the countdown's timer fires
        qtbot.waitUntil(lambda: window.is_idle and window.content.banner.isHidden(), timeout=WAIT)


def test_offline_start_shows_the_cached_list(qtbot, window: MainWindow, tmp_path: Path) -> None:
    with Sandbox(tier="enterprise", seed="demo") as sb:
        profile = Profile.new("Cached", sb.base_url)
        attach(qtbot, window, session_for(sb, profile=profile))
        expected = window.content.keys.model.total_count
        session = session_for(sb, profile=profile)
    cache_text = (tmp_path / "cache" / "keys" / f"{profile.id}.json").read_text()
    assert "myssl_k_" in cache_text and sb.admin_key not in cache_text  # prefixes only
    window.detach("Not signed in.")  # as a new start: nothing shown yet
    window.attach(session)  # the sandbox is gone: offline
    qtbot.waitUntil(lambda: window.is_idle and window.content.banner.isVisible(), timeout=WAIT)
    assert window.content.keys.model.total_count == expected
    assert "(offline copy)" in window.content.account_bar.updated_label.text()
    assert "Could not refresh" in window.content.banner.label.text()


def test_no_refresh_while_hidden_or_minimised(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    schedule = window.content.schedule
    assert schedule.active and 55_000 <= schedule._timer.remainingTime() <= 61_000  # coarse timer slack
    window.hide()
    assert not window.content.schedule.active
    window.show()
    assert window.content.schedule.active
    window.showMinimized()
    qtbot.waitUntil(lambda: not window.content.schedule.active, timeout=WAIT)


def test_keyboard(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.activateWindow()
    window.content.keys.table.setFocus()
    window.content.actions.find.trigger()
    assert window.content.keys.filter_edit.hasFocus() or window.focusWidget() is window.content.keys.filter_edit
    assert window.content.actions.refresh.shortcut().toString() == "F5"
    assert window.content.actions.find.shortcut().toString() == "Ctrl+F"
    qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)  # the focused table's first key loads its clients
    served = demo.requests_served
    window.content.actions.refresh.trigger()
    qtbot.waitUntil(lambda: window.is_idle, timeout=WAIT)
    assert demo.requests_served - served == 2  # one list page, one batch usage page
    window.content.keys.table.setFocus()
    window.content.keys.table.selectRow(0)
    QTest.keyClick(window.content.keys.table, Qt.Key.Key_Return)
    assert window.content.keys.details.key_id == window.content.keys.model.key_at(0).id


def test_every_control_has_an_accessible_name(qtbot, window: MainWindow, demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.content.keys.table.selectRow(0)
    kinds = (QLineEdit, QComboBox, QAbstractButton, QProgressBar, QTableView)
    controls = [w for w in window.findChildren(QWidget) if isinstance(w, kinds) and w.isVisibleTo(window)]
    assert len(controls) > 5
    unnamed = [w for w in controls
               if not (w.accessibleName() or (isinstance(w, QAbstractButton) and w.text()))]
    assert unnamed == []


def test_a_new_window_shows_what_a_glance_needs_without_scrolling(qtbot, window: MainWindow,
                                                                   demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    table, header = window.content.keys.table, window.content.keys.table.horizontalHeader()
    assert (window.width(), window.height()) == (1200, 700)  # the first-run size
    glance = [Column.NAME, Column.FLAGS, Column.STATUS, Column.LAST_USED, Column.REQUESTS_24H,
              Column.REQUESTS_TOTAL, Column.USAGE, Column.CREATED]
    assert [header.logicalIndex(n) for n in range(len(glance))] == glance
    right_edges = {Column(c).name: table.columnViewportPosition(c) + table.columnWidth(c) for c in glance}
    assert max(right_edges.values()) <= table.viewport().width(), right_edges
    metrics = table.fontMetrics()
    for row in range(window.content.keys.model.rowCount()):  # the usual texts fit their columns whole
        for column in (Column.LAST_USED, Column.CREATED, Column.REQUESTS_TOTAL):
            text = window.content.keys.model.index(row, column).data()
            assert metrics.horizontalAdvance(text) + 8 <= table.columnWidth(column), (column.name, text)


def test_layout_is_remembered(qtbot, tmp_path: Path) -> None:
    first = MainWindow(WindowSetup(state_dir=tmp_path))
    qtbot.addWidget(first)
    first.show()
    first.resize(700, 450)
    first.content.keys.table.setColumnWidth(Column.NAME, 333)
    header = first.content.keys.table.horizontalHeader()
    header.moveSection(header.visualIndex(Column.PERMISSIONS), 1)
    first.content.keys.table.horizontalHeader().setSortIndicator(Column.NAME, Qt.SortOrder.AscendingOrder)
    first.close()
    second = MainWindow(WindowSetup(state_dir=tmp_path))
    qtbot.addWidget(second)
    second.show()
    assert second.content.keys.table.columnWidth(Column.NAME) == 333
    assert second.content.keys.table.horizontalHeader().visualIndex(Column.PERMISSIONS) == 1
    assert second.content.keys.model.sort_state == (Column.NAME, Qt.SortOrder.AscendingOrder)
    assert (second.width(), second.height()) == (700, 450)


def test_the_selected_key_stays_selected_through_a_refresh_and_a_filter(qtbot, window: MainWindow,
                                                                      demo: Sandbox) -> None:
    admin = MysslClient(demo.base_url, demo.admin_key)
    chosen = admin.create_key("Chosen one", ["domains:read"]).api_key
    attach(qtbot, window, session_for(demo))
    window.content.keys.table.setFocus()
    window.content.keys.table.selectRow(shown_names(window).index("Chosen one"))
    across = window.content.keys.table.horizontalScrollBar()
    across.setValue(across.maximum())  # the user looks at the prefixes, away from the current cell
    admin.update_key(chosen.id, name="Chosen one, renamed")  # the refresh brings new rows for the same key
    window.refresh()
    qtbot.waitUntil(lambda: "renamed" in window.content.keys.details.title.text(), timeout=WAIT)
    assert across.value() == across.maximum() > 0  # not scrolled back to the current cell

    def current_name() -> str | None:
        index = window.content.keys.table.currentIndex()
        return window.content.keys.model.key_at(index.row()).name if index.isValid() else None

    assert current_name() == "Chosen one, renamed"
    assert window.content.keys.table.selectionModel().isRowSelected(window.content.keys.table.currentIndex().row())
    window.content.keys.filter_edit.setText("chosen")
    assert current_name() == "Chosen one, renamed"
    window.content.keys.filter_edit.clear()
    QTest.keyClick(window.content.keys.table, Qt.Key.Key_Down)  # the keyboard goes on from there, not from the top
    assert window.content.keys.table.currentIndex().row() == shown_names(window).index("Chosen one, renamed") + 1
    window.content.keys.filter_edit.setText("pipe")  # no longer shown: nothing is selected, the details say so
    assert not window.content.keys.table.currentIndex().isValid() and window.content.keys.details.key_id is None


def test_a_short_window_scrolls_the_details_instead_of_squeezing_them(qtbot, window: MainWindow,
                                                                      demo: Sandbox) -> None:
    attach(qtbot, window, session_for(demo))
    window.resize(1000, 450)
    window.content.keys.table.selectRow(shown_names(window).index("Production Server"))
    qtbot.waitUntil(lambda: window.content.keys.details.key_id is not None, timeout=WAIT)
    QApplication.processEvents()
    squeezed = {name: (label.height(), label.heightForWidth(label.width()))
                for name, label in window.content.keys.details.fields.items()
                if label.height() < label.heightForWidth(label.width())}
    assert squeezed == {}  # e.g. the prefix's underscores sat in its lowest pixels
    assert window.content.keys.details.chart.height() >= window.content.keys.details.chart.minimumSizeHint().height()


def test_a_window_built_after_its_first_paint_refreshes_by_itself(qtbot, tmp_path: Path, demo: Sandbox) -> None:
    # The app shows the frame first and builds the table after (defer_content); the schedule
    # must still learn that the window is visible.
    window = MainWindow(WindowSetup(state_dir=tmp_path / "config"), defer_content=True)
    add_settled_window(qtbot, window, lambda w: w.content.schedule.stop())
    with qtbot.waitSignal(window.first_painted, timeout=WAIT):
        window.show()
    window.content.schedule.interval_s = 1
    attach(qtbot, window, session_for(demo))
    served = demo.requests_served
    qtbot.waitUntil(lambda: demo.requests_served >= served + 2, timeout=WAIT)  # the next list, unasked


def test_a_starting_window_paints_the_offline_copy_before_building_its_features(
        qtbot, tmp_path: Path, demo: Sandbox) -> None:
    profile = Profile.new("Cached", demo.base_url)
    setup = WindowSetup(state_dir=tmp_path / "config", key_cache=KeyCache(tmp_path / "cache"))
    earlier = open_window(qtbot, setup)
    attach(qtbot, earlier, session_for(demo, profile=profile))  # leaves the offline copy
    expected, total = shown_names(earlier), earlier.content.keys.model.total_count
    earlier.close()

    window = MainWindow(setup, defer_content=True)
    add_settled_window(qtbot, window, lambda w: w.content.schedule.stop())
    seen: dict[str, object] = {}
    list_paints = PaintCounter()

    def opening() -> None:  # what the account controller does once the key list exists
        window.show_profiles([profile], profile.id)
        window.view.keys.table.viewport().installEventFilter(list_paints)
        window.show_opening(profile, then=lambda: seen.setdefault("list painted when the key check starts",
                                                                  list_paints.count > 0))
        seen["rows"] = window.view.keys.model.total_count

    def where(widget: QWidget) -> tuple[int, int, int, int]:
        corner = widget.mapTo(window, QPoint(0, 0))
        return corner.x(), corner.y(), widget.width(), widget.height()

    def painted() -> None:
        seen["list painted"] = list_paints.count > 0
        seen["built when painted"] = window.content_built
        seen["idle watched when painted"] = window.view.hygiene.idle_watcher.running  # its app-wide filter waits
        seen["list at"] = where(window.view.keys)
        seen["account bar at"] = where(window.view.account_bar)
        seen["icon"] = not window.windowIcon().isNull()
        seen["clear button"] = window.view.keys.filter_edit.isClearButtonEnabled()  # its icon lookup waits

    window.view_ready.connect(opening)
    window.view_painted.connect(painted)
    with qtbot.waitSignal(window.first_painted, timeout=WAIT):
        window.show()
    QApplication.processEvents()  # the menus' and toolbar's layout
    assert seen == {"rows": total, "list painted": True, "list painted when the key check starts": True,
                    "built when painted": False, "idle watched when painted": False,
                    "list at": where(window.content.keys), "account bar at": where(window.content.account_bar),
                    "icon": True, "clear button": False}, \
        "the list was painted first, where it stays when the menus and toolbar are filled"
    assert window.content.keys.filter_edit.isClearButtonEnabled()
    assert window.content.hygiene.idle_watcher.running  # with the features that can show a secret
    assert shown_names(window) == expected
    entries = [entry for entry in window.content.actions.profile_menu.actions() if entry.isCheckable()]
    assert [(entry.text(), entry.isChecked()) for entry in entries] == [("Cached (production)", True)]
    assert [entry.text() for entry in window.menuBar().actions()] == ["&Profile", "&Key", "&View", "&Help"]


class PaintCounter(QObject):
    """Counts the paints of the widgets it filters."""

    count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def test_the_offline_copy_of_an_opening_profile_follows_its_policy_and_marks_its_key(
        qtbot, tmp_path: Path, demo: Sandbox) -> None:
    # It flagged keys by the default 90 days and marked no key as the profile's own until the
    # fresh list came: attention icons changed under the user's eyes at every start.
    setup = WindowSetup(state_dir=tmp_path / "config", key_cache=KeyCache(tmp_path / "cache"))
    earlier = open_window(qtbot, setup)
    session = attach(qtbot, earlier, session_for(demo, profile=replace(Profile.new("Weekly", demo.base_url),
                                                                        rotation_policy_days=7)))

    def attention(window: MainWindow) -> dict[str, tuple[tuple[str, ...], bool]]:
        model = window.view.keys.model
        return {key.name: (model.flags_of(key), SIGNS_IN in model.marks_of(key)) for key in model.all_keys()}

    fresh = attention(earlier)
    earlier.close()
    assert any(DUE in flags for flags, _ in fresh.values()) and any(own for _, own in fresh.values())

    window = open_window(qtbot, setup)
    window.show_opening(session.profile)  # as the account controller does before the key check
    qtbot.waitUntil(lambda: window.view.keys.model.total_count > 0, timeout=WAIT)
    assert window.session is None and attention(window) == fresh


def test_a_window_minimised_after_its_first_frame_still_builds_the_rest(qtbot, tmp_path: Path) -> None:
    window = MainWindow(WindowSetup(state_dir=tmp_path / "config"), defer_content=True)
    add_settled_window(qtbot, window, lambda w: w.content.schedule.stop())
    window.view_ready.connect(window.hide)  # as minimised: no paint comes until it is shown again
    with qtbot.waitSignal(window.first_painted, timeout=WAIT):
        window.show()
    assert window.content_built and not window.isVisible()
    assert [entry.text() for entry in window.content.actions.profile_menu.actions() if entry.text()][-1] == "&Quit"


def test_after_next_paint_runs_each_call_once_after_the_paint_or_unpainted_after_a_while(
        qtbot, tmp_path: Path) -> None:
    window = open_window(qtbot, WindowSetup(state_dir=tmp_path / "config"))
    qtbot.waitExposed(window)
    painted = PaintCounter()
    window.installEventFilter(painted)
    ran: list[tuple[str, int]] = []

    def failing() -> None:
        ran.append(("failing", painted.count))
        raise RuntimeError("one call fails")

    window.after_next_paint(failing)
    window.after_next_paint(lambda: ran.append(("next", painted.count)))
    with qtbot.captureExceptions() as raised:
        qtbot.waitUntil(lambda: len(ran) == 2, timeout=WAIT)
    assert [str(error) for _, error, _ in raised] == ["one call fails"]
    assert [name for name, _ in ran] == ["failing", "next"]  # each, though the first failed
    assert all(paints >= 1 for _, paints in ran)  # after the paint

    window.hide()  # as minimised: no paint comes
    before = painted.count
    window.after_next_paint(lambda: ran.append(("unpainted", painted.count)))
    qtbot.waitUntil(lambda: len(ran) == 3, timeout=WAIT)
    window.show()
    qtbot.waitUntil(lambda: painted.count > before, timeout=WAIT)
    QApplication.processEvents()
    assert ran[2:] == [("unpainted", before)]  # once: the paint that came later did not run it again


def test_a_window_closed_before_its_features_are_built_builds_none(qtbot, tmp_path: Path) -> None:
    window = MainWindow(WindowSetup(state_dir=tmp_path / "config"), defer_content=True)
    qtbot.addWidget(window)
    window.view_ready.connect(window.close)
    with qtbot.waitSignal(window.view_ready, timeout=WAIT):
        window.show()
    with qtbot.assertNotEmitted(window.first_painted, wait=500):  # longer than the unpainted fallback
        pass
    assert not window.content_built


def test_a_signed_in_window_narrows_to_900_pixels_and_the_account_bar_wraps(qtbot, window: MainWindow,
                                                                             demo: Sandbox) -> None:
    named = Profile.new("Production servers (EU)", demo.base_url, environment="production")
    attach(qtbot, window, session_for(demo, profile=named))
    qtbot.waitUntil(lambda: window.content.account_bar.quota_words.text() != "", timeout=WAIT)
    assert window.minimumSizeHint().width() <= 900  # a laptop's half screen
    window.resize(900, 500)
    QApplication.processEvents()
    assert window.width() == 900
    bar = window.content.account_bar
    assert bar.profile_label.width() >= bar.profile_label.minimumSizeHint().width()  # the profile shows whole
    for label in (bar.tier_label, bar.quota_words, bar.minute_label, bar.updated_label):
        shown = label.shown_text()  # the others may end in "…", with the whole text in the tooltip
        assert shown == label.text() or (shown.endswith("…") and label.text().startswith(shown[:-1]))
    window.resize(1400, 500)
    QApplication.processEvents()
    assert all(label.shown_text() == label.text() for label in (bar.quota_words, bar.minute_label, bar.updated_label))


def test_reminders_in_a_window_without_them_say_why_instead_of_doing_nothing(qtbot, window: MainWindow) -> None:
    asked: list[int] = []
    window.reminders_requested.connect(lambda: asked.append(1))
    [entry] = [a for a in window.menuBar().actions() if a.text() == "&View"][0].menu().actions()[-1:]
    assert entry.text() == "Re&minders…"
    entry.trigger()  # the sandbox session: no resident app keeps reminders
    qtbot.waitUntil(lambda: window.reminders_box.isVisible(), timeout=WAIT)
    assert "sign in to your account" in window.reminders_box.text() and asked == []
    QTest.keyClick(window.reminders_box, Qt.Key.Key_Escape)
    assert not window.reminders_box.isVisible()
    window.reminders_available = True  # the resident app's window: its settings open
    entry.trigger()
    assert asked == [1]


def test_an_offline_copy_read_during_a_rate_limit_is_not_called_offline(
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    with Sandbox(tier="free", seed="demo", clock=clock) as sb:
        window.content.schedule._clock = clock
        profile = Profile.new("Cached", sb.base_url)
        attach(qtbot, window, session_for(sb, profile=profile))
        expected = window.content.keys.model.total_count
        session = session_for(sb, profile=profile)
        client = MysslClient(sb.base_url, sb.admin_key)
        while client.rate_limit is None or client.rate_limit.minute_remaining > 0:
            client.current()
        window.detach("Not signed in.")
        cache = window.content.setup.key_cache
        read, slow_disk = cache.load, threading.Event()
        monkeypatch.setattr(cache, "load", lambda profile_id: (slow_disk.wait(30), read(profile_id))[1])
        window.attach(session)  # MySSL answers, but with its rate limit, before the offline copy is read
        qtbot.waitUntil(lambda: "rate limit" in window.content.banner.label.text(), timeout=WAIT)
        slow_disk.set()
        qtbot.waitUntil(lambda: window.content.keys.model.total_count == expected and window.is_idle, timeout=WAIT)
        label = window.content.account_bar.updated_label.text()
        assert label.startswith("as of") and "offline" not in label, label  # MySSL was reached: not offline


def test_an_offline_copy_read_after_the_refresh_failed_still_says_it_is_offline(
        qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox(tier="enterprise", seed="demo") as sb:
        profile = Profile.new("Cached", sb.base_url)
        attach(qtbot, window, session_for(sb, profile=profile))
        expected = window.content.keys.model.total_count
        session = session_for(sb, profile=profile)
    window.detach("Not signed in.")
    cache = window.content.setup.key_cache
    read, slow_disk = cache.load, threading.Event()
    monkeypatch.setattr(cache, "load", lambda profile_id: (slow_disk.wait(30), read(profile_id))[1])
    window.attach(session)  # the sandbox is gone: the refresh fails before the offline copy is read
    qtbot.waitUntil(lambda: window.content.banner.isVisible(), timeout=WAIT)
    slow_disk.set()
    qtbot.waitUntil(lambda: window.content.keys.model.total_count == expected and window.is_idle, timeout=WAIT)
    assert "(offline copy)" in window.content.account_bar.updated_label.text()
