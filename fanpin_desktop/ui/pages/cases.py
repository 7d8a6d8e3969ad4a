"""监测对象: the 待办 list, every monitoring case with filters and search, and the statistics.

Three tabs: 待办 first (what is due or overdue this week and next, grouped by kind, filterable
by village and by 帮扶联系人), then the whole list (a lazy id-based table like the registry's)
and 统计 (counts by status, category, risk type, village and month). A line of either list
opens the case in the case editor. The sidebar shows the 待办 total (``sidebar_count``).
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import enums
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services.cases import detail, listing, todo
from fanpin_desktop.services.cases.types import (
    DUE_KINDS,
    OVERDUE_KINDS,
    STATUS_LABELS,
    CaseQuery,
    CaseRow,
    DueItem,
)
from fanpin_desktop.services.households import VillageOption
from fanpin_desktop.ui import empty_hint as hints
from fanpin_desktop.ui.common import ask_yes_no, current_record_id, list_keys, record_table, select_record_row
from fanpin_desktop.ui.dialogs.batch_print_dialog import BatchPrintDialog
from fanpin_desktop.ui.geometry import remember_columns
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.table_models.base import RIGHT, Column, RowsModel
from fanpin_desktop.ui.table_models.cases import OVERDUE, CaseTableModel
from fanpin_desktop.ui.widgets import IdCombo, ValueCombo, fill_group_filter, fill_village_filter, icon

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
TODO_WEEKS = 2  # this week and next

TAB_TODO = 0
TAB_LIST = 1
TAB_STATS = 2

#: the list's column widths: 1366×768 with the sidebar leaves ~1150 px for the table
COLUMN_WIDTHS = {
    CaseTableModel.COL_HEAD: 64,
    CaseTableModel.COL_PLACE: 118,
    CaseTableModel.COL_STATUS: 62,
    CaseTableModel.COL_CATEGORY: 104,
    CaseTableModel.COL_RISKS: 190,
    CaseTableModel.COL_IDENTIFIED: 96,
    CaseTableModel.COL_CONTACT: 82,
    CaseTableModel.COL_VISIT: 86,
    CaseTableModel.COL_NEXT: 96,
    CaseTableModel.COL_DUE: 100,
}
TODO_WIDTHS = (130, 90, 90, 90)  # 户主 (under the group titles), 村, 帮扶联系人, 到期日; 说明 stretches


def sidebar_count(ops: Operations, today: dt.date | None = None) -> int:
    """The 待办 total the sidebar shows beside 监测对象 (what is due this week and next)."""
    return int(ops.read(todo.due_counts, today, TODO_WEEKS).get("合计", 0))


def stats_available() -> bool:
    """The statistics service (``services/cases/stats.py``) is part of this build."""
    return importlib.util.find_spec("fanpin_desktop.services.cases.stats") is not None


def _default_editor(ops: Operations, case_id: int, parent: QWidget | None = None, **kwargs: Any) -> Any:
    """The case editor, imported when first needed (start-up pays nothing for it)."""
    from fanpin_desktop.ui.dialogs.case_editor import CaseEditor

    return CaseEditor(ops, case_id, parent, **kwargs)


def _default_new_clue(
    ops: Operations, household_id: int, parent: QWidget | None = None, **kwargs: Any
) -> Any:
    """新建线索 for a chosen household, then the case editor on it (``case_editor.open_new_clue``)."""
    from fanpin_desktop.ui.dialogs.case_editor import open_new_clue

    return open_new_clue(ops, household_id, parent, **kwargs)


def _filter_combo(blank_text: str, fit_contents: bool = True) -> ValueCombo:
    """A filter's combo box, never narrower than its blank text ("全部…"); ``fit_contents``: as wide
    as its longest entry too (short code tables), else long entries show in a wider drop-down."""
    combo = ValueCombo(blank_text=blank_text)
    _fit_blank(combo, blank_text, fit_contents)
    return combo


def _fit_blank(combo: QComboBox, blank_text: str, fit_contents: bool = True) -> None:
    if fit_contents:
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    else:
        combo.setMinimumContentsLength(1)
    combo.setMinimumWidth(combo.fontMetrics().horizontalAdvance(blank_text) + 44)


def _set_choices(combo: ValueCombo, values: Sequence[str]) -> None:
    """New choices for a filter; a chosen value that is no longer among them (a contact replaced,
    a village renamed) goes back to 全部 instead of being kept as a stray entry. Quietly: the
    caller shows the result once."""
    combo.blockSignals(True)
    if combo.value() not in values:
        combo.set_value(None)
    combo.set_values(values)
    combo.blockSignals(False)


def _fit_popup(combo: QComboBox) -> None:
    """Let the drop-down list be wider than the box, so long entries are readable."""
    view = combo.view()
    view.setMinimumWidth(view.sizeHintForColumn(0) + 24)


class CasesPage(Page):
    """The 监测对象 page. It reloads from the window's change notices (cases, households,
    villages); its own editor's saves reach it the same way."""

    SHOWS = ("cases", "households", "settings")

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        *,
        today: dt.date | None = None,
        exports_dir: Path | None = None,
    ) -> None:
        super().__init__(ops, parent)
        self.today = today  # None: the real date (tests pin one)
        self.exports_dir = exports_dir
        self.print_dialog_factory: Callable[..., Any] = BatchPrintDialog  # tests replace it
        self.editor_factory: Callable[..., Any] = _default_editor  # tests replace it
        self.new_clue_factory: Callable[..., int | None] = _default_new_clue  # tests replace it
        self._options: list[VillageOption] = []
        self._total = 0
        self._query = CaseQuery()
        self._stats_stale = True

        self.tabs = QTabWidget()
        self.todo = TodoPanel(self)
        self.tabs.addTab(self.todo, icon("fa5s.bell"), "待办")
        self.tabs.addTab(self._build_list(), icon("fa5s.list"), "全部监测对象")
        self.stats: StatsPanel | None = None
        if stats_available():
            self.stats = StatsPanel(self)
            self.tabs.addTab(self.stats, icon("fa5s.chart-bar"), "统计")
        self.tabs.currentChanged.connect(self._on_tab)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        self.empty_hint = hints.EmptyHint(
            "还没有监测对象",
            "发现有返贫致贫风险的农户（部门预警、集中排查、农户申请）后，先为该户新建线索，再按程序识别纳入监测。",
        )
        self.empty_hint.add_button("新建线索…", self.new_clue, "fa5s.plus")
        self.empty_hint.add_button(
            "导入户籍名册…", hints.window_call(self, "import_roster"), "fa5s.file-import"
        )
        layout.insertWidget(0, self.empty_hint)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_clue)
        self.refresh()

    # ------------------------------------------------------------------ the list tab

    def _build_list(self) -> QWidget:
        self.search = QLineEdit()
        self.search.setPlaceholderText("查找：户主姓名、拼音首字母（如 zs）、户编号或身份证号（任意几位）")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("fa5s.search", "#666"), QLineEdit.ActionPosition.LeadingPosition)
        self.overdue_only = QCheckBox("只看超期")
        self.clear_button = QPushButton(icon("fa5s.eraser"), "清除条件")
        self.new_button = QPushButton(icon("fa5s.plus"), "新建线索…")
        self.new_button.setToolTip("为一户新建监测对象线索（先选择农户）")
        self.open_button = QPushButton(icon("fa5s.folder-open"), "打开")
        self.print_button = QPushButton(icon("fa5s.print"), "批量打印…")
        self.print_button.setToolTip(
            "公示、入户核实表、承诺授权书、信息采集表：整村或选中的监测对象合并为一个PDF"
        )
        self.national_button = QPushButton(icon("fa5s.exchange-alt"), "全国系统…")
        self.national_button.setToolTip("导出新识别、风险消除、信息更正清单，标记已录入全国系统")
        self.national_button.clicked.connect(lambda: self.open_national())
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.overdue_only)
        top.addWidget(self.clear_button)
        top.addWidget(self.open_button)
        top.addWidget(self.new_button)
        top.addWidget(self.print_button)
        top.addWidget(self.national_button)

        self.status_filter = _filter_combo("全部状态")
        for stored, label in STATUS_LABELS.items():
            self.status_filter.addItem(label, stored)
        self.village = IdCombo(blank_text="全部行政村")
        self.group = IdCombo(blank_text="全部村民小组")
        _fit_blank(self.village, "全部行政村")
        _fit_blank(self.group, "全部村民小组")
        e = enums.current()
        self.category = _filter_combo("全部类别")
        self.category.set_values(e.values("monitoring_categories"))
        self.risk = _filter_combo("全部风险类型", fit_contents=False)
        self.risk.set_values(e.values("risk_types"))
        _fit_popup(self.risk)
        self.contact = _filter_combo("全部帮扶联系人")
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        filters = QHBoxLayout()
        for label, combo in (
            ("状态", self.status_filter),
            ("村", self.village),
            ("组", self.group),
            ("类别", self.category),
            ("风险", self.risk),
            ("联系人", self.contact),
        ):
            caption = QLabel(label)
            caption.setBuddy(combo)
            filters.addWidget(caption)
            filters.addWidget(combo)
        filters.addStretch(1)
        filters.addWidget(self.count_label)

        self.model = CaseTableModel(self._fetch_rows, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(col, width)
        # 主要风险 takes the room left over: up to five risks read in full on a wide screen
        header.setSectionResizeMode(CaseTableModel.COL_RISKS, QHeaderView.ResizeMode.Stretch)
        self.view.setSortingEnabled(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        remember_columns(self.view, "cases")
        self.hint = QLabel("回车或双击打开监测对象；红色为已超期。点击列标题排序。")
        self.hint.setStyleSheet("color:#5f6368")

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_now_and_focus_table)
        self.village.valueChanged.connect(self._on_village)
        for combo in (self.group, self.status_filter, self.category, self.risk, self.contact):
            combo.valueChanged.connect(lambda _v: self.run_search())
        self.overdue_only.toggled.connect(lambda _c: self.run_search())
        self.clear_button.clicked.connect(self.clear_filters)
        self.new_button.clicked.connect(self.new_clue)
        self.open_button.clicked.connect(self.open_current)
        self.print_button.clicked.connect(self.print_batch)
        self.view.doubleClicked.connect(lambda _i: self.open_current())
        self.view.selectionModel().currentRowChanged.connect(lambda *_a: self._update_buttons())
        self.model.modelReset.connect(self._update_buttons)
        self._update_buttons()  # an empty first result resets nothing
        list_keys(self.view, opens=self.open_current)
        return panel

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        """Reload everything: filter lists, the list, the 待办 and (when shown) the statistics."""
        self._options = self.ops.read(household_service.region_options)
        self._fill_villages()
        _set_choices(self.contact, self.ops.read(listing.contact_names, self.today))
        _fit_popup(self.contact)
        self.model.invalidate(None)
        self._total = len(self.ops.read(listing.case_ids, CaseQuery(today=self.today)))
        self.empty_hint.set_empty(self._total == 0)
        if self._total == 0:  # without households there is nobody to open a clue for yet
            no_households = not self._options or self.ops.read(household_service.household_count) == 0
            self.empty_hint.buttons["新建线索…"].setVisible(not no_households)
            self.empty_hint.buttons["导入户籍名册…"].setVisible(no_households)
        self.run_search()
        self.todo.reload()
        self._stats_stale = True
        if self.tabs.currentIndex() == TAB_STATS:
            self._load_stats()

    def _fill_villages(self) -> None:
        fill_village_filter(self.village, self.group, self._options)

    def _fill_groups(self) -> None:
        fill_group_filter(self.group, self._options, self.village.value())

    def _fetch_rows(self, ids: Sequence[int]) -> dict[int, CaseRow]:
        return self.ops.read(listing.fetch_case_rows, list(ids), self.today)

    def current_query(self) -> CaseQuery:
        return CaseQuery(
            text=self.search.text().strip(),
            status=self.status_filter.value(),
            village_id=self.village.value(),
            group_id=self.group.value(),
            category=self.category.value(),
            risk_type=self.risk.value(),
            contact=self.contact.value(),
            overdue_only=self.overdue_only.isChecked(),
            today=self.today,
        )

    def run_search(self) -> None:
        """Apply the search box and the filters now (the box waits ~150 ms after the last key)."""
        self._search_timer.stop()
        self._query = self.current_query()
        current = self.current_case_id()
        ids = self.ops.read(listing.case_ids, self._query)
        if self._query == CaseQuery(today=self.today):
            self._total = len(ids)
        self.model.set_ids(ids)
        self._update_count()
        if current is not None:
            self.select_case(current)

    def _update_count(self) -> None:
        shown = self.model.rowCount()
        if self._query != CaseQuery(today=self.today):
            self.count_label.setText(f"找到 {shown:,} 个（共 {self._total:,} 个）")
        else:
            self.count_label.setText(f"共 {self._total:,} 个监测对象")
        self.tabs.setTabText(TAB_LIST, f"全部监测对象（{self._total:,}）")

    def _on_village(self, _value: object) -> None:
        self._fill_groups()
        self.run_search()

    def clear_filters(self) -> None:
        widgets = (
            self.search,
            self.village,
            self.group,
            self.status_filter,
            self.category,
            self.risk,
            self.contact,
            self.overdue_only,
        )
        for w in widgets:
            w.blockSignals(True)
        self.search.clear()
        self.village.set_value(None)
        self._fill_groups()
        for combo in (self.status_filter, self.category, self.risk, self.contact):
            combo.set_value(None)
        self.overdue_only.setChecked(False)
        for w in widgets:
            w.blockSignals(False)
        self.run_search()

    def _search_now_and_focus_table(self) -> None:
        self.run_search()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.selectRow(0)
        self.view.setFocus()

    def _focus_search(self) -> None:
        self.tabs.setCurrentIndex(TAB_LIST)
        self.search.setFocus()
        self.search.selectAll()

    def _on_tab(self, index: int) -> None:
        if index == TAB_STATS and self._stats_stale:
            self._load_stats()

    def _load_stats(self) -> None:
        self._stats_stale = False
        if self.stats is not None:
            self.stats.reload()

    # ------------------------------------------------------------------ selection and opening

    def current_case_id(self) -> int | None:
        return current_record_id(self.view, self.model)

    def select_case(self, case_id: int) -> bool:
        return select_record_row(self.view, self.model, case_id)

    def selected_case_ids(self) -> list[int]:
        rows = sorted(index.row() for index in self.view.selectionModel().selectedRows())
        return [cid for cid in (self.model.case_id(row) for row in rows) if cid is not None]

    def print_batch(self) -> None:
        """批量打印: the village filtered on (or the selected cases) into one PDF."""
        selected = self.selected_case_ids()
        dialog = self.print_dialog_factory(
            self.ops,
            self._options,
            self.exports_dir,
            self,
            village_id=self.village.value(),
            case_ids=selected,  # one selected row is a selection of one
            today=self.today,
        )
        dialog.exec()
        dialog.deleteLater()

    def open_national(self) -> None:
        """全国系统数据交换 (its marks announce CASES: this page reloads from the notice)."""
        from fanpin_desktop.ui.dialogs.national_dialog import NationalDialog

        dialog = NationalDialog(self.ops, self.exports_dir, self, today=self.today)
        dialog.exec()
        dialog.deleteLater()

    def _update_buttons(self) -> None:
        self.open_button.setEnabled(self.view.currentIndex().isValid())

    def open_current(self) -> None:
        cid = self.current_case_id()
        if cid is not None:
            self.open_case(cid)

    def open_case(self, case_id: int) -> int | None:
        """Open one case in the case editor; its saves announce CASES, which reloads this page."""
        editor = self.editor_factory(self.ops, case_id, self, today=self.today, origin=self)
        editor.exec()
        saved = getattr(editor, "saved_id", None)
        editor.deleteLater()
        self.refresh_if_stale()
        self.select_case(saved if saved is not None else case_id)
        return saved

    def new_clue(self) -> int | None:
        """新建线索: choose the household, then open the case editor on a new clue (or on the
        household's case still in progress, which a second clue would only duplicate)."""
        from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog

        picker = HouseholdPickerDialog(
            self.ops, self, village_id=self.village.value(), title="新建线索：选择农户"
        )
        accepted = picker.exec() == HouseholdPickerDialog.DialogCode.Accepted
        household_id = picker.household_id
        picker.deleteLater()
        if not accepted or household_id is None:
            return None
        return self.new_clue_for(household_id)

    def new_clue_for(self, household_id: int) -> int | None:
        existing = self.ops.read(detail.household_open_case, household_id)
        if existing is not None:
            if ask_yes_no(
                self,
                "新建线索",
                "该户已有未办结的监测对象记录（线索、识别中或监测中），不需要再新建线索。\n\n打开该记录吗？",
                default_yes=True,
            ):
                self.open_case(existing)
            return None
        label = self.ops.read(household_service.household_label, household_id)
        case_id = self.new_clue_factory(
            self.ops, household_id, self, household_label=label, today=self.today, origin=self
        )
        if case_id is not None:
            self.tabs.setCurrentIndex(TAB_LIST)
            self.select_case(case_id)
        return case_id


# --------------------------------------------------------------------------- 待办


class TodoPanel(QWidget):
    """What is due or overdue this week and next, one group per kind, filterable by village and
    by 帮扶联系人; Enter or a double click opens the case."""

    COLUMNS = ("户主 / 事项", "行政村", "帮扶联系人", "到期日", "说明")

    def __init__(self, page: CasesPage) -> None:
        super().__init__(page)
        self.page = page
        self.items: list[DueItem] = []
        self.village = _filter_combo("全部行政村")
        self.contact = _filter_combo("全部帮扶联系人")
        self.overdue_only = QCheckBox("只看超期")
        self.summary = QLabel()
        bar = QHBoxLayout()
        for caption, combo in (("村", self.village), ("联系人", self.contact)):
            label = QLabel(caption)
            label.setBuddy(combo)
            bar.addWidget(label)
            bar.addWidget(combo)
        bar.addWidget(self.overdue_only)
        bar.addStretch(1)
        bar.addWidget(self.summary)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(self.COLUMNS))
        self.tree.setHeaderLabels(list(self.COLUMNS))
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)  # a long 说明 wraps instead of being cut off
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setStretchLastSection(True)
        for col, width in enumerate(TODO_WIDTHS):
            self.tree.setColumnWidth(col, width)
        self.hint = QLabel("本周和下周到期或已超期的事项，红色为已超期。回车或双击打开监测对象。")
        self.hint.setStyleSheet("color:#5f6368")

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.hint)

        self.village.valueChanged.connect(lambda _v: self.show_items())
        self.contact.valueChanged.connect(lambda _v: self.show_items())
        self.overdue_only.toggled.connect(lambda _c: self.show_items())
        self.tree.itemDoubleClicked.connect(lambda item, _col: self._open(item))
        list_keys(self.tree, opens=lambda: self._open(self.tree.currentItem()))

    def reload(self) -> None:
        self.items = self.page.ops.read(todo.due_items, self.page.today, TODO_WEEKS)
        _set_choices(self.village, [v.name for v in self.page._options])
        contacts = sorted({i.contact for i in self.items if i.contact})
        _set_choices(self.contact, contacts)
        _fit_popup(self.contact)
        self.show_items()

    def visible_items(self) -> list[DueItem]:
        village, contact = self.village.value(), self.contact.value()
        return [
            i
            for i in self.items
            if (village is None or i.village == village)
            and (contact is None or i.contact == contact)
            and (not self.overdue_only.isChecked() or i.overdue)
        ]

    def show_items(self) -> None:
        shown = self.visible_items()
        current = self.tree.currentItem()
        current_key = current.data(0, Qt.ItemDataRole.UserRole + 1) if current is not None else None
        self.tree.clear()
        red = QBrush(OVERDUE)
        restore = None
        for kind in DUE_KINDS:
            lines = [i for i in shown if i.kind == kind]
            if not lines:
                continue
            overdue = sum(1 for i in lines if i.overdue)
            title = f"{kind}（{len(lines)}）"
            if overdue and kind not in OVERDUE_KINDS:  # 线索超期 are all overdue: no need to say so
                title += f"　其中超期 {overdue}"
            group = QTreeWidgetItem([title])
            font = group.font(0)
            font.setBold(True)
            group.setFont(0, font)
            group.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(group)
            group.setFirstColumnSpanned(True)
            for i in lines:
                due = i.due_on.isoformat() if i.due_on else ""
                child = QTreeWidgetItem([i.head_name, i.village, i.contact, due, i.detail])
                child.setData(0, Qt.ItemDataRole.UserRole, i.case_id)
                key = (i.kind, i.case_id)
                child.setData(0, Qt.ItemDataRole.UserRole + 1, key)
                child.setToolTip(4, i.detail)
                if i.overdue:
                    for col in (3, 4):
                        child.setForeground(col, red)
                    child.setToolTip(3, "已超期")
                group.addChild(child)
                if key == current_key:
                    restore = child
            group.setExpanded(True)
        if restore is not None:
            self.tree.setCurrentItem(restore)
        total = len(shown)
        overdue = sum(1 for i in shown if i.overdue)
        if total:
            self.summary.setText(f"共 {total} 件待办" + (f"，其中超期 {overdue} 件" if overdue else ""))
        elif self.items:
            self.summary.setText("符合条件的待办事项为零")
        else:
            self.summary.setText("本周和下周没有到期的事项")
        self.page.tabs.setTabText(TAB_TODO, f"待办（{len(self.items)}）" if self.items else "待办")

    def _open(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        case_id = item.data(0, Qt.ItemDataRole.UserRole)
        if case_id is None:  # a group title: Enter folds it
            item.setExpanded(not item.isExpanded())
            return
        self.page.open_case(int(case_id))


# --------------------------------------------------------------------------- 统计


def _count_table(title_col: str, counts: dict[str, int]) -> tuple[RowsModel, QTableView]:
    model = RowsModel(
        list(counts.items()),
        columns=(
            Column(title_col, lambda r: r[0]),
            Column("数量", lambda r: f"{r[1]:,}", lambda r: r[1], RIGHT),
        ),
    )
    view = record_table(model, (150,))
    view.verticalHeader().setVisible(False)
    return model, view


class StatsPanel(QWidget):
    """Case counts (``stats.case_stats``): by status, category, risk type, village and month."""

    def __init__(self, page: CasesPage) -> None:
        super().__init__(page)
        self.page = page
        self.note = QLabel()
        self.note.setStyleSheet("color:#5f6368")
        self.refresh_button = QPushButton(icon("fa5s.sync"), "重新统计")
        self.refresh_button.clicked.connect(self.reload)
        top = QHBoxLayout()
        top.addWidget(self.note, 1)
        top.addWidget(self.refresh_button)
        self.grid = QGridLayout()
        self.tables: dict[str, QTableView] = {}
        self.models: dict[str, RowsModel] = {}
        inner = QWidget()
        inner.setLayout(self.grid)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(inner)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)

    def reload(self) -> None:
        from fanpin_desktop.services.cases import stats

        result = self.page.ops.read(stats.case_stats, self.page.today)
        self.show_stats(result)

    def show_stats(self, s: Any) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.tables.clear()
        self.models.clear()
        by_status = {STATUS_LABELS.get(k, k): v for k, v in s.by_status.items()}
        self._add("按状态", "状态", by_status, 0, 0)
        self._add("按类别（在监测）", "类别", dict(s.by_category), 0, 1)
        self._add("按风险类型（在监测）", "风险类型", dict(s.by_risk), 0, 2)
        statuses = [k for k in STATUS_LABELS if any(k in row for row in s.by_village.values())]
        village_rows = [(name, counts) for name, counts in s.by_village.items()]
        village_columns = [Column("行政村", lambda r: r[0])] + [
            Column(
                STATUS_LABELS[k],
                lambda r, k=k: f"{r[1].get(k, 0):,}",
                lambda r, k=k: r[1].get(k, 0),
                RIGHT,
            )
            for k in statuses
        ]
        village_columns.append(
            Column("合计", lambda r: f"{sum(r[1].values()):,}", lambda r: sum(r[1].values()), RIGHT)
        )
        widths = (84, *(60 for _ in statuses))
        self._add_model("按行政村", RowsModel(village_rows, columns=village_columns), 1, 0, 2, widths)
        months = sorted(set(s.identified_by_month) | set(s.eliminated_by_month), reverse=True)
        month_model = RowsModel(
            [(m, s.identified_by_month.get(m, 0), s.eliminated_by_month.get(m, 0)) for m in months],
            columns=(
                Column("月份", lambda r: r[0]),
                Column("新识别", lambda r: f"{r[1]:,}", lambda r: r[1], RIGHT),
                Column("风险消除", lambda r: f"{r[2]:,}", lambda r: r[2], RIGHT),
            ),
        )
        self._add_model("按月份", month_model, 1, 2, 1, (80, 70))
        total = sum(s.by_status.values())
        as_of = (self.page.today or dt.date.today()).isoformat()
        self.note.setText(f"截至 {as_of}，共 {total:,} 个监测对象记录；“在监测”指监测中、消除中和已回退。")

    def _add(self, title: str, first: str, counts: dict[str, int], row: int, col: int) -> None:
        model, view = _count_table(first, counts)
        self._place(title, model, view, row, col, 1)

    def _add_model(
        self, title: str, model: RowsModel, row: int, col: int, span: int, widths: Sequence[int]
    ) -> None:
        view = record_table(model, widths, sortable=True)
        view.verticalHeader().setVisible(False)
        self._place(title, model, view, row, col, span)

    def _place(self, title: str, model: RowsModel, view: QTableView, row: int, col: int, span: int) -> None:
        box = QGroupBox(title)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(view)
        view.setMinimumHeight(180)
        self.grid.addWidget(box, row, col, 1, span)
        self.tables[title] = view
        self.models[title] = model
