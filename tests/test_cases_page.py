"""The 监测对象 page: its lazy case model, filters, 待办, statistics, opening a case and the
sidebar count (pytest-qt, offscreen)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtWidgets import QDialog, QMessageBox  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_households_service import TODAY, build_town  # noqa: E402

from fanpin_desktop.models import CaseRisk, Contact, MonitoringCase, Visit  # noqa: E402
from fanpin_desktop.services.cases import listing, stats, todo  # noqa: E402
from fanpin_desktop.services.cases.types import DUE_CLUE, DUE_KINDS, CaseQuery, CaseRow  # noqa: E402
from fanpin_desktop.ui.operations import CASES  # noqa: E402
from fanpin_desktop.ui.pages.cases import TAB_LIST, TAB_STATS, TAB_TODO, CasesPage  # noqa: E402
from fanpin_desktop.ui.table_models.base import ID_ROLE, SORT_ROLE  # noqa: E402
from fanpin_desktop.ui.table_models.cases import OVERDUE, CaseTableModel  # noqa: E402

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NOW = TODAY + dt.timedelta(days=20)  # the page's "today": 陈七's clue (found on TODAY) is overdue
M = CaseTableModel


def build_cases_town(db) -> dict[str, int]:
    """The registry's four-household town with fuller cases: 刘备 监测中 (two risks, contact 王干部,
    visited), 王五 监测中 (contact 李干部), 张三 已消除, 陈七 a clue past its 15 days."""
    ids = build_town(db)
    with db.unit() as s:
        liu_case = s.scalars(select(MonitoringCase).where(MonitoringCase.household_id == ids["liu"])).one()
        liu_case.identified_on = TODAY - dt.timedelta(days=100)
        liu_case.risks = [
            CaseRisk(position=1, risk_type="因病"),
            CaseRisk(position=2, risk_type="因自然灾害", subtype="洪涝"),
        ]
        s.add(Contact(case_id=liu_case.id, household_id=ids["liu"], name="王干部", start_date=TODAY))
        s.add(Visit(case_id=liu_case.id, household_id=ids["liu"], visited_on=NOW - dt.timedelta(days=3)))
        wang_case = MonitoringCase(
            household_id=ids["wang"],
            source="干部走访",
            status="已纳入",
            clue_date=NOW - dt.timedelta(days=30),
            identified_on=NOW - dt.timedelta(days=10),
            category="突发严重困难户",
        )
        wang_case.risks = [CaseRisk(position=1, risk_type="因残")]
        s.add(wang_case)
        s.flush()
        s.add(Contact(case_id=wang_case.id, household_id=ids["wang"], name="李干部", start_date=TODAY))
        s.add(Visit(case_id=wang_case.id, household_id=ids["wang"], visited_on=NOW - dt.timedelta(days=2)))
        s.flush()
        cases = {c.household_id: c.id for c in s.scalars(select(MonitoringCase))}
    ids.update({f"case_{name}": cases[ids[name]] for name in ("liu", "wang", "zhang", "chen")})
    return ids


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("cases_town"), build_cases_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


class FakeEditor:
    """Stands in for the case editor: records what it was opened on."""

    opened: list[tuple[int, dict]] = []
    saved_id = None

    def __init__(self, ops, case_id, parent=None, **kwargs):
        FakeEditor.opened.append((case_id, kwargs))

    def exec(self):
        return QDialog.DialogCode.Rejected

    def deleteLater(self):
        pass


@pytest.fixture
def page(qtbot, ops, town):
    p = CasesPage(ops, today=NOW)
    FakeEditor.opened = []
    p.editor_factory = FakeEditor
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.show()
    return p


def town_ids(town: dict[str, int]) -> list[int]:
    return [v for k, v in town.items() if k.startswith("case_")]


def heads(page: CasesPage) -> list[str]:
    m = page.model
    return [m.data(m.index(r, M.COL_HEAD)) for r in range(m.rowCount())]


def fetcher(db, today=NOW):
    def fetch(ids):
        with db.reading() as s:
            return listing.fetch_case_rows(s, ids, today)

    return fetch


# --------------------------------------------------------------------------- the model


def test_case_model_passes_modeltester_and_shows_the_columns(qtmodeltester, db, town):
    model = CaseTableModel(fetcher(db))
    with db.reading() as s:
        model.set_ids(listing.case_ids(s, CaseQuery(today=NOW)))
    qtmodeltester.check(model)
    assert model.rowCount() == 4
    assert model.HEADERS == (
        "户主",
        "村/组",
        "状态",
        "类别",
        "主要风险",
        "识别监测时间",
        "帮扶联系人",
        "最近走访",
        "下一件事",
        "到期日",
    )
    liu = model.row_of(town["case_liu"])
    cell = lambda row, col, role=Qt.ItemDataRole.DisplayRole: model.data(model.index(row, col), role)  # noqa: E731
    assert cell(liu, M.COL_HEAD) == "刘备"
    assert cell(liu, M.COL_PLACE) == "西河村 一组"
    assert cell(liu, M.COL_STATUS) == "监测中"  # the label, not the stored 已纳入
    assert cell(liu, M.COL_CATEGORY) == "边缘易致贫户"
    assert cell(liu, M.COL_RISKS) == "因病、因自然灾害（洪涝）"
    assert cell(liu, M.COL_IDENTIFIED) == (TODAY - dt.timedelta(days=100)).isoformat()
    assert cell(liu, M.COL_CONTACT) == "王干部"
    assert cell(liu, M.COL_VISIT) == (NOW - dt.timedelta(days=3)).isoformat()
    assert cell(liu, 0, ID_ROLE) == town["case_liu"]
    assert cell(liu, M.COL_IDENTIFIED, SORT_ROLE) == TODAY - dt.timedelta(days=100)
    # the clue past its deadline: next thing and due date in red, nothing else
    chen = model.row_of(town["case_chen"])
    assert cell(chen, M.COL_STATUS) == "线索"
    assert cell(chen, M.COL_NEXT) == "农户申请"
    assert cell(chen, M.COL_DUE) == (TODAY + dt.timedelta(days=15)).isoformat()
    for col in (M.COL_NEXT, M.COL_DUE):
        assert cell(chen, col, Qt.ItemDataRole.ForegroundRole) == OVERDUE
    assert "已超期" in cell(chen, M.COL_DUE, Qt.ItemDataRole.ToolTipRole)
    assert cell(chen, M.COL_HEAD, Qt.ItemDataRole.ForegroundRole) is None
    wang = model.row_of(town["case_wang"])
    assert cell(wang, M.COL_DUE, Qt.ItemDataRole.ForegroundRole) != OVERDUE


def test_rows_are_fetched_in_blocks_and_cached(qtbot, db, town):
    model = CaseTableModel(fetcher(db))
    with db.reading() as s:
        model.set_ids(listing.case_ids(s, CaseQuery(today=NOW)))
    for r in range(model.rowCount()):
        model.data(model.index(r, M.COL_HEAD))
    assert model.fetch_count == 1
    model.invalidate([town["case_liu"]])
    model.data(model.index(model.row_of(town["case_liu"]), M.COL_HEAD))
    assert model.fetch_count == 2


def test_unknown_holiday_year_note_shows_in_the_due_cell(qtbot):
    row = CaseRow(
        id=7,
        household_id=1,
        head_name="赵大",
        village="东山村",
        group="一组",
        code="",
        status="识别中",
        category="",
        risks=(),
        identified_on=None,
        contact="",
        last_visit_on=None,
        next_thing="公示",
        next_due=None,
        overdue=False,
        note="（2031年节假日未录入）",
    )
    model = CaseTableModel(lambda ids: {7: row})
    model.set_ids([7])
    assert model.data(model.index(0, M.COL_DUE)) == "（2031年节假日未录入）"
    assert "系统设置" in model.data(model.index(0, M.COL_DUE), Qt.ItemDataRole.ToolTipRole)


def test_sorting_by_a_header_and_back_to_the_service_order(qtbot, db, town):
    model = CaseTableModel(fetcher(db))
    with db.reading() as s:
        ids = listing.case_ids(s, CaseQuery(today=NOW))
    model.set_ids(ids)
    model.sort(M.COL_IDENTIFIED, Qt.SortOrder.DescendingOrder)
    names = [model.data(model.index(r, M.COL_HEAD)) for r in range(4)]
    assert names[:2] == ["王五", "刘备"]  # newest identification first; unidentified last
    model.sort(-1)
    assert model.ids() == ids
    # a new result keeps the column's order
    model.sort(M.COL_IDENTIFIED, Qt.SortOrder.AscendingOrder)
    model.set_ids(ids)
    assert [model.data(model.index(r, M.COL_HEAD)) for r in range(2)] == ["刘备", "王五"]


# --------------------------------------------------------------------------- the page's filters


def test_filters_change_the_rows(qtbot, page, town):
    page.tabs.setCurrentIndex(TAB_LIST)
    assert sorted(heads(page)) == sorted(["刘备", "陈七", "张三", "王五"])
    assert page.count_label.text() == "共 4 个监测对象"
    page.status_filter.set_value("已纳入")
    assert sorted(heads(page)) == ["刘备", "王五"]
    assert page.status_filter.currentText() == "监测中"
    assert page.count_label.text() == "找到 2 个（共 4 个）"
    page.village.set_value(town["east"])
    assert heads(page) == ["王五"]
    page.clear_filters()
    page.category.set_value("边缘易致贫户")
    assert heads(page) == ["刘备"]
    page.clear_filters()
    page.risk.set_value("因自然灾害")
    assert heads(page) == ["刘备"]
    page.clear_filters()
    page.contact.set_value("李干部")
    assert heads(page) == ["王五"]
    page.clear_filters()
    rows = page.ops.read(listing.fetch_case_rows, list(town_ids(town)), NOW)
    overdue = sorted(r.head_name for r in rows.values() if r.overdue)
    assert "陈七" in overdue and "王五" not in overdue
    page.overdue_only.setChecked(True)
    assert sorted(heads(page)) == overdue
    page.clear_filters()
    assert len(heads(page)) == 4


def test_group_filter_depends_on_the_village(qtbot, page, town):
    assert not page.group.isEnabled()
    page.village.set_value(town["east"])
    assert page.group.isEnabled()
    assert [page.group.itemText(i) for i in range(page.group.count())] == ["全部村民小组", "一组", "二组"]
    assert sorted(heads(page)) == ["张三", "王五"]
    page.group.set_value(town["e2"])
    assert heads(page) == ["张三"]


def test_typing_in_the_search_box_filters_after_a_pause(qtbot, page, town):
    page.search.setText("陈七")  # textChanged starts the pause
    assert page._search_timer.isActive()
    qtbot.waitUntil(lambda: heads(page) == ["陈七"])
    page.search.clear()
    page.run_search()
    assert len(heads(page)) == 4


def test_contact_filter_lists_the_contacts(qtbot, page):
    names = [page.contact.itemText(i) for i in range(page.contact.count())]
    assert names[0] == "全部帮扶联系人"
    assert sorted(names[1:]) == ["李干部", "王干部"]


def test_filter_boxes_show_their_whole_blank_text(qtbot, page):
    for combo in (page.status_filter, page.village, page.group, page.category, page.risk, page.contact):
        text = combo.itemText(0)
        assert combo.width() >= combo.fontMetrics().horizontalAdvance(text) + 20, text


# --------------------------------------------------------------------------- opening a case


def test_enter_and_double_click_open_the_case(qtbot, page, town):
    page.tabs.setCurrentIndex(TAB_LIST)
    assert page.select_case(town["case_liu"])
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert [cid for cid, _kw in FakeEditor.opened] == [town["case_liu"]]
    assert FakeEditor.opened[0][1]["today"] == NOW
    page.view.doubleClicked.emit(page.model.index(page.model.row_of(town["case_liu"]), 0))
    assert len(FakeEditor.opened) == 2


def test_new_clue_for_a_household_with_an_open_case_offers_that_case(qtbot, page, town, monkeypatch):
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    assert page.new_clue_for(town["liu"]) is None
    assert [cid for cid, _kw in FakeEditor.opened] == [town["case_liu"]]


# --------------------------------------------------------------------------- 待办


def tree_lines(page: CasesPage) -> list[tuple[str, int]]:
    tree = page.todo.tree
    out = []
    for g in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(g)
        for c in range(group.childCount()):
            out.append((group.text(0).split("（")[0], group.child(c).data(0, Qt.ItemDataRole.UserRole)))
    return out


def test_todo_lists_the_services_items_grouped_by_kind(qtbot, page, ops, town):
    assert page.tabs.currentIndex() == TAB_TODO  # 待办 comes first
    items = ops.read(todo.due_items, NOW, 2)
    assert items, "the crafted town has something due"
    assert tree_lines(page) == [(i.kind, i.case_id) for i in items]
    assert (DUE_CLUE, town["case_chen"]) in tree_lines(page)
    total = ops.read(todo.due_counts, NOW, 2)["合计"]
    assert page.tabs.tabText(TAB_TODO) == f"待办（{total}）"
    # the overdue clue is red
    group = page.todo.tree.topLevelItem(0)
    assert group.text(0).startswith(DUE_CLUE)
    assert group.child(0).foreground(3).color() == QColor(OVERDUE)
    # a 线索超期 is overdue by definition: its group does not repeat it; other groups say how many
    clues = sum(1 for i in items if i.kind == DUE_CLUE)
    assert group.text(0) == f"{DUE_CLUE}（{clues}）"
    titles = [page.todo.tree.topLevelItem(g).text(0) for g in range(page.todo.tree.topLevelItemCount())]
    for kind in DUE_KINDS[1:]:
        lines = [i for i in items if i.kind == kind]
        late = sum(1 for i in lines if i.overdue)
        if lines:
            assert f"{kind}（{len(lines)}）" + (f"　其中超期 {late}" if late else "") in titles


def test_todo_filters_by_village_and_contact(qtbot, page, ops, town):
    items = ops.read(todo.due_items, NOW, 2)
    page.todo.village.set_value("西河村")
    assert tree_lines(page) == [(i.kind, i.case_id) for i in items if i.village == "西河村"]
    page.todo.village.set_value("东山村")
    assert tree_lines(page) == [(i.kind, i.case_id) for i in items if i.village == "东山村"]
    page.todo.village.set_value(None)
    page.todo.contact.set_value("王干部")
    assert tree_lines(page) == [(i.kind, i.case_id) for i in items if i.contact == "王干部"]
    page.todo.contact.set_value(None)
    page.todo.overdue_only.setChecked(True)
    assert tree_lines(page) == [(i.kind, i.case_id) for i in items if i.overdue]


def test_todo_line_opens_the_case(qtbot, page, town):
    tree = page.todo.tree
    line = tree.topLevelItem(0).child(0)
    tree.setCurrentItem(line)
    tree.setFocus()
    qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert [cid for cid, _kw in FakeEditor.opened] == [line.data(0, Qt.ItemDataRole.UserRole)]
    tree.itemDoubleClicked.emit(line, 0)
    assert len(FakeEditor.opened) == 2


def test_changes_to_cases_reload_the_page(qtbot, page, ops, db, town):
    with db.unit() as s:
        s.add(
            MonitoringCase(
                household_id=town["zhang"],
                source="干部走访",
                status="线索",
                clue_date=NOW - dt.timedelta(days=40),
            )
        )
    page.on_changes(CASES, None)  # what the main window hands every page
    assert heads(page).count("张三") == 2
    assert [k for k, _cid in tree_lines(page)].count(DUE_CLUE) == 2


# --------------------------------------------------------------------------- 统计


def test_stats_tab_shows_the_services_counts(qtbot, page, ops):
    page.tabs.setCurrentIndex(TAB_STATS)
    expected = ops.read(stats.case_stats, NOW)
    model = page.stats.models["按状态"]
    shown = {
        model.data(model.index(r, 0)): model.data(model.index(r, 1), SORT_ROLE)
        for r in range(model.rowCount())
    }
    assert shown["监测中"] == expected.by_status["已纳入"] == 2
    assert shown["线索"] == 1
    village = page.stats.models["按行政村"]
    assert village.rowCount() == len(expected.by_village)


# --------------------------------------------------------------------------- the main window


def test_sidebar_shows_the_todo_total_and_follows_changes(qtbot, tmp_path):
    from fanpin_desktop.context import open_app
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.tasks import TaskRunner

    ctx = open_app(tmp_path / "data", demo=True, demo_households=300, auto_backup=False)
    try:
        qsettings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
        w = MainWindow(ctx, TaskRunner(synchronous=True), qsettings=qsettings)
        qtbot.addWidget(w)
        row = [w.sidebar.item(i).data(Qt.ItemDataRole.UserRole) for i in range(w.sidebar.count())].index(
            "cases"
        )
        assert row == 2  # right after 工作台 and 户籍台账
        total = w.ops.read(todo.due_counts)["合计"]
        assert total > 0, "the demo township has something due"
        assert w.sidebar.item(row).text() == f"监测对象 ({total})"
        w.show_page("cases")
        page = w.pages["cases"]
        assert isinstance(page, CasesPage)
        assert page.tabs.tabText(TAB_TODO) == f"待办（{total}）"
        # a clue found 40 days ago is overdue: the count follows the notice
        with ctx.db.unit() as s:
            hid = s.scalars(select(MonitoringCase.household_id)).first()
            s.add(
                MonitoringCase(
                    household_id=hid,
                    source="干部走访",
                    status="线索",
                    clue_date=dt.date.today() - dt.timedelta(days=40),
                )
            )
        w.ops.announce(CASES)
        assert w.sidebar.item(row).text() == f"监测对象 ({total + 1})"
        w.show_page("registry")
        w.show_page("cases")  # the hidden page reloads when it comes back
        assert page.tabs.tabText(TAB_TODO) == f"待办（{total + 1}）"
    finally:
        ctx.close()


def test_new_clue_picks_the_household_then_opens_a_new_clue(qtbot, page, town, monkeypatch):
    from fanpin_desktop.ui.dialogs import household_picker

    class FakePicker:
        DialogCode = QDialog.DialogCode

        def __init__(self, ops, parent=None, **kwargs):
            self.household_id = town["zhang"]  # 张三's case is eliminated: no open case

        def exec(self):
            return QDialog.DialogCode.Accepted

        def deleteLater(self):
            pass

    asked = []

    def fake_new_clue(ops, household_id, parent=None, **kwargs):
        asked.append((household_id, kwargs["today"], kwargs["household_label"]))
        return town["case_zhang"]

    monkeypatch.setattr(household_picker, "HouseholdPickerDialog", FakePicker)
    page.new_clue_factory = fake_new_clue
    assert page.new_clue() == town["case_zhang"]
    assert asked[0][:2] == (town["zhang"], NOW)
    assert "张三" in asked[0][2]
    assert page.tabs.currentIndex() == TAB_LIST
    assert page.current_case_id() == town["case_zhang"]


def test_the_real_editor_opens_on_the_case(qtbot, page, town, monkeypatch):
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    seen = []
    monkeypatch.setattr(CaseEditor, "exec", lambda self: seen.append(self.case_id) or 0)
    from fanpin_desktop.ui.pages import cases as cases_page

    page.editor_factory = cases_page._default_editor
    page.open_case(town["case_liu"])
    assert seen == [town["case_liu"]]


def test_a_chosen_contact_that_is_gone_goes_back_to_all(qtbot, page, db, town):
    page.contact.set_value("李干部")
    assert heads(page) == ["王五"]
    with db.unit() as s:
        contact = s.scalars(select(Contact).where(Contact.name == "李干部")).one()
        contact.name = "李新干部"
    page.on_changes(CASES, None)
    assert page.contact.value() is None
    assert "李干部" not in [page.contact.itemText(i) for i in range(page.contact.count())]
    assert len(heads(page)) == 4


def test_open_is_disabled_on_an_empty_list(qtbot, tmp_path):
    from fanpin_desktop.context import open_app
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.pages.cases import CasesPage
    from fanpin_desktop.ui.tasks import TaskRunner

    ctx = open_app(tmp_path / "empty", auto_backup=False)
    try:
        page = CasesPage(Operations(ctx.db, TaskRunner(synchronous=True)))
        qtbot.addWidget(page)
        assert page.model.rowCount() == 0
        assert not page.open_button.isEnabled()
    finally:
        ctx.close()
