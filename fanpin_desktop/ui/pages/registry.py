"""户籍台账: search and filter the registry, see a household's derived facts, open the editor.

Searching uses ``RegistryIndex`` (the registry in memory, built when the page first needs it
and kept fresh from the audit trail), so each keystroke costs a few milliseconds; the table
model fetches only the rows on screen.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Sequence

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import enums
from fanpin_desktop.services import households as svc
from fanpin_desktop.services import quality
from fanpin_desktop.services.households import HouseholdQuery, HouseholdRow, RegistryIndex, VillageOption
from fanpin_desktop.ui import empty_hint as hints
from fanpin_desktop.ui.common import (
    ask_yes_no,
    close_button,
    current_record_id,
    history_table,
    list_keys,
    select_record_row,
)
from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor
from fanpin_desktop.ui.geometry import fit_to_screen, remember_columns, show_whole_items
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import households as household_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.table_models.households import HistoryTableModel, HouseholdTableModel
from fanpin_desktop.ui.widgets import IdCombo, ValueCombo, fill_group_filter, fill_village_filter, icon

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
SYNC_INDEX_LIMIT = 4000  # up to this many households the index is built at once, beyond it in the background
DETAILS_DELAY_MS = 80
NO_VILLAGES = "请先在 系统设置 中建立行政村（或用 帮助—设置向导），再新增户"


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_NUMBER_AND_UNIT = re.compile(r"(\d[\d,.]*)\s*(?=[^\d\s,.，、（）()])")


def _value(text: object) -> str:
    """A details-pane value: a number never wraps away from its unit ("0人", not "0 / 人")."""
    return _NUMBER_AND_UNIT.sub(lambda m: m.group(1) + "\u2060", _esc(text))


class RegistryPage(Page):
    """The household registry page. It reloads from the window's change notices: households
    (and their monitoring status) changed elsewhere, villages renamed, the database restored. Its
    own saves and deletes (``origin`` is the page) update the list in place instead."""

    SHOWS = ("households", "cases", "settings")

    index_ready = Signal()  # the in-memory search index of a big registry is built

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self._index: RegistryIndex | None = None
        self._index_generation = 0
        self._total = 0
        self._query = HouseholdQuery()
        self._options: list[VillageOption] = []
        self.editor_factory = HouseholdEditor  # tests and the benchmark may replace it

        # ---- filters
        self.search = QLineEdit()
        self.search.setPlaceholderText(
            "查找：姓名、身份证号（任意几位）、电话、户编号或姓名拼音首字母（如 zs）"
        )
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("fa5s.search", "#666"), QLineEdit.ActionPosition.LeadingPosition)
        self.village = IdCombo(blank_text="全部行政村")
        self.group = IdCombo(blank_text="全部村民小组")
        e = enums.current()
        self.household_type = ValueCombo(e.values("household_types"), blank_text="全部户类型")
        self.status_filter = ValueCombo(svc.MONITORING_STATUSES, blank_text="全部监测状态")
        show_whole_items(self.village, self.group, self.household_type, self.status_filter)
        self.flags_button = QToolButton()
        self.flags_button.setText("户标识")
        self.flags_button.setToolTip("只列出同时具有所勾选的全部标识的户（勾选越多，列出的户越少）")
        self.flags_button.setIcon(icon("fa5s.filter"))
        self.flags_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.flags_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.flags_menu = QMenu(self.flags_button)
        self.flag_actions: dict[str, QAction] = {}
        for flag in svc.HOUSEHOLD_FLAGS:
            action = self.flags_menu.addAction(flag)
            action.setCheckable(True)
            action.toggled.connect(self._on_flags)
            self.flag_actions[flag] = action
        self.flags_button.setMenu(self.flags_menu)
        self.clear_button = QPushButton(icon("fa5s.eraser"), "清除条件")

        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.village)
        filters.addWidget(self.group)
        filters.addWidget(self.household_type)
        filters.addWidget(self.status_filter)
        filters.addWidget(self.flags_button)
        filters.addWidget(self.clear_button)

        # ---- actions
        self.add_button = QPushButton(icon("fa5s.plus"), "新增户")
        self.edit_button = QPushButton(icon("fa5s.edit"), "编辑")
        self.delete_button = QPushButton(icon("fa5s.trash-alt"), "删除户")
        self.history_button = QPushButton(icon("fa5s.history"), "查看变更记录")
        self.count_label = QLabel()
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        actions = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button, self.history_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.count_label)

        # ---- table
        self.model = HouseholdTableModel(self._fetch_rows, self._sorted_ids, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        widths = {
            HouseholdTableModel.COL_VILLAGE: 72,
            HouseholdTableModel.COL_GROUP: 64,
            HouseholdTableModel.COL_CODE: 142,
            HouseholdTableModel.COL_HEAD: 64,
            HouseholdTableModel.COL_HEAD_ID: 140,
            HouseholdTableModel.COL_SIZE: 40,
            HouseholdTableModel.COL_TYPE: 64,
            HouseholdTableModel.COL_STATUS: 64,
            HouseholdTableModel.COL_PHONE: 96,
        }
        for col, width in widths.items():
            self.view.setColumnWidth(col, width)
        self.view.setSortingEnabled(True)  # the model sorts through the search (all rows, not a page)
        remember_columns(self.view, "registry")

        self.details = QTextBrowser()
        self.details.setOpenLinks(False)
        self.details.setMinimumWidth(240)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([900, 280])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(splitter, 1)
        self.empty_hint = self._empty_hint()
        layout.insertWidget(0, self.empty_hint)

        # ---- behaviour
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.run_search)
        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(DETAILS_DELAY_MS)
        self._details_timer.timeout.connect(self._show_details)

        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._search_now_and_focus_table)
        self.village.valueChanged.connect(self._on_village)
        self.group.valueChanged.connect(lambda _v: self.run_search())
        self.household_type.valueChanged.connect(lambda _v: self.run_search())
        self.status_filter.valueChanged.connect(lambda _v: self.run_search())
        self.clear_button.clicked.connect(self.clear_filters)
        self.add_button.clicked.connect(self.add_household)
        self.edit_button.clicked.connect(self.edit_current)
        self.delete_button.clicked.connect(self.delete_current)
        self.history_button.clicked.connect(self.show_history)
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self._on_model_reset)
        list_keys(self.view, opens=self.edit_current, deletes=self.delete_current)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self._focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_household)

        self.setTabOrder(self.search, self.village)
        self.setTabOrder(self.village, self.group)
        self.setTabOrder(self.group, self.household_type)
        self.setTabOrder(self.household_type, self.status_filter)
        self.setTabOrder(self.status_filter, self.flags_button)
        self.setTabOrder(self.flags_button, self.clear_button)
        self.setTabOrder(self.clear_button, self.view)

        self.refresh()
        self._on_model_reset()  # an empty first result resets nothing: 编辑 / 删除户 start disabled

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        """Reload everything (after a restore, an import, or changes made elsewhere)."""
        self._index = None
        self._index_generation += 1
        self._options, self._total, self._index = self.ops.read(_load_registry)
        self._fill_villages()
        self.model.invalidate(None)
        self.run_search()
        if self._index is None:
            self._build_index_in_background()

    def _build_index_in_background(self) -> None:
        """A big registry is indexed on a worker thread; until then searches run in SQL."""
        generation = self._index_generation

        def done(index: RegistryIndex) -> None:
            if not shiboken6.isValid(self) or generation != self._index_generation:
                return  # page closed, or refreshed meanwhile (a newer build is on its way)
            self._index = index
            log.info("registry index ready: %s households", len(index))
            self.index_ready.emit()
            self.run_search()  # catches up with changes made during the build

        def failed(exc: BaseException) -> None:
            log.warning("registry index not built, searching in SQL: %s", exc)

        household_ops.build_registry_index(self.ops, done, failed)

    @property
    def index_ready_now(self) -> bool:
        return self._index is not None

    def _fill_villages(self) -> None:
        fill_village_filter(self.village, self.group, self._options)

    def _fill_groups(self) -> None:
        fill_group_filter(self.group, self._options, self.village.value())

    def _fetch_rows(self, ids: Sequence[int]) -> dict[int, HouseholdRow]:
        return self.ops.read(svc.fetch_rows, ids)

    def _sorted_ids(self, key: str | None, descending: bool) -> list[int]:
        self._query = dataclasses.replace(self._query, sort=key, descending=descending)
        return self._search_ids()

    def current_query(self) -> HouseholdQuery:
        return dataclasses.replace(
            self._query,
            text=self.search.text(),
            village_id=self.village.value(),
            group_id=self.group.value(),
            household_type=self.household_type.value(),
            monitoring_status=self.status_filter.value(),
            flags=frozenset(f for f, a in self.flag_actions.items() if a.isChecked()),
        )

    def _search_ids(self) -> list[int]:
        if self._index is None:
            return self.ops.read(svc.search_household_ids, self._query)
        changed = self.ops.read(self._index.sync)
        if changed is None:  # villages or groups changed: the filter lists too
            self._options = self.ops.read(svc.region_options)
            self._fill_villages()
            self.model.invalidate(None)
        elif changed:
            self.model.invalidate(changed)
        self._total = len(self._index)
        return self._index.search(self._query)

    def run_search(self) -> None:
        """Apply the search box and filters now (the box waits ~150 ms after the last key)."""
        self._search_timer.stop()
        self._query = self.current_query()
        current = self.current_household_id()
        ids = self._search_ids()
        self.model.set_ids(ids)
        self._update_count()
        if current is not None:
            self.select_household(current)

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        """Its own saves and deletes are already shown (``after_change``); everything else
        reloads the page, now if it is visible, else when it is next shown."""
        if origin is self:
            return
        super().on_changes(changes, origin)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Coming back to the page: a stale page reloads; otherwise it picks up changes that
        came without a notice (one cheap audit query)."""
        was_stale = self.stale
        super().showEvent(event)
        if not was_stale and self._index is not None and not event.spontaneous():
            self.run_search()

    def _search_now_and_focus_table(self) -> None:
        self.run_search()
        if self.model.rowCount() and not self.view.currentIndex().isValid():
            self.view.selectRow(0)
        self.view.setFocus()

    def _focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _empty_hint(self) -> hints.EmptyHint:
        hint = hints.EmptyHint(
            "还没有户籍数据",
            "第一次使用：先用设置向导填写乡镇和行政村、村民小组，再导入户籍名册（国家系统导出的 Excel）；"
            "也可以逐户新增。",
        )
        hint.add_button("导入户籍名册…", hints.window_call(self, "import_roster"), "fa5s.file-import")
        hint.add_button("打开设置向导…", hints.window_call(self, "open_setup_wizard"), "fa5s.magic")
        self.hint_add_button = hint.add_button("新增户", self.add_household, "fa5s.plus")
        return hint

    def _update_empty_hint(self) -> None:
        self.empty_hint.set_empty(self._total == 0)
        no_villages = not self._options
        self.hint_add_button.setEnabled(not no_villages)
        self.hint_add_button.setToolTip(NO_VILLAGES if no_villages else "")

    def _update_count(self) -> None:
        self._update_empty_hint()
        total = self._total
        shown = self.model.rowCount()
        filtered = self._query != dataclasses.replace(
            HouseholdQuery(), sort=self._query.sort, descending=self._query.descending
        )
        if filtered:
            self.count_label.setText(f"找到 {shown:,} 户（共 {total:,} 户）")
        else:
            self.count_label.setText(f"共 {total:,} 户")

    def _on_village(self, _value: object) -> None:
        self._fill_groups()
        self.run_search()

    def _on_flags(self) -> None:
        chosen = [f for f, a in self.flag_actions.items() if a.isChecked()]
        self.flags_button.setText(f"户标识（{len(chosen)}）" if chosen else "户标识")
        self.flags_button.setToolTip("、".join(chosen))
        self.run_search()

    def clear_filters(self) -> None:
        for w in (self.search, self.village, self.group, self.household_type, self.status_filter):
            w.blockSignals(True)
        self.search.clear()
        self.village.set_value(None)
        self._fill_groups()
        self.household_type.set_value(None)
        self.status_filter.set_value(None)
        for w in (self.search, self.village, self.group, self.household_type, self.status_filter):
            w.blockSignals(False)
        for a in self.flag_actions.values():
            a.blockSignals(True)
            a.setChecked(False)
            a.blockSignals(False)
        self.flags_button.setText("户标识")
        self.run_search()

    # ------------------------------------------------------------------ selection and details

    def current_household_id(self) -> int | None:
        return current_record_id(self.view, self.model)

    def select_household(self, household_id: int) -> bool:
        return select_record_row(self.view, self.model, household_id)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        has = current.isValid()
        for b in (self.edit_button, self.delete_button, self.history_button):
            b.setEnabled(has)
        self._details_timer.start()

    def _on_model_reset(self) -> None:
        has = self.view.currentIndex().isValid()
        for b in (self.edit_button, self.delete_button, self.history_button):
            b.setEnabled(has)
        if has:
            self._details_timer.start()
        else:
            self._show_details()  # no selection: clear the pane at once

    def _show_details(self) -> None:
        hid = self.current_household_id()
        if hid is None:
            self.details.setHtml(
                "<p style='color:#777'>选中一户，这里显示该户成员和派生信息。</p>"
                "<p style='color:#777'>回车或双击打开编辑；Delete 删除；Ctrl+F 查找；Ctrl+N 新增户。</p>"
            )
            return
        try:
            summary = self.ops.read(svc.household_summary, hid)
        except svc.RegistryError:
            self.details.setHtml("<p>该户已不存在。</p>")
            return
        self.details.setHtml(self.summary_html(summary) + self.findings_html(hid))

    def findings_html(self, household_id: int) -> str:
        """The household's open 数据核查 findings, so a save shows at once what is still wrong. A
        failing rule must not hide the household: it is logged and the section left out."""
        try:
            views = self.ops.read(quality.household_findings, household_id)
        except Exception:
            log.exception("data-quality rules failed for household %s", household_id)
            return ""
        open_views = [v for v in views if v.exemption is None]
        if not open_views:
            return "<h4 style='margin-bottom:2px'>数据核查</h4><p style='color:#2e7d32'>未发现问题。</p>"
        rows = "".join(
            f"<tr><td style='color:{'#c5221f' if v.rule.severity == '错误' else '#a15c00'};"
            f"padding-right:6px' valign='top'>{_esc(v.rule.severity)}</td>"
            f"<td>{_esc(v.finding.message)}</td></tr>"
            for v in open_views
        )
        return (
            f"<h4 style='margin-bottom:2px'>数据核查（{len(open_views)}）</h4>"
            f"<table cellspacing='0' cellpadding='2'>{rows}</table>"
        )

    @staticmethod
    def summary_html(summary: svc.HouseholdSummary) -> str:
        facts = "".join(
            f"<tr><td style='color:#555;padding-right:8px' nowrap>{_esc(a)}</td><td>{_value(b)}</td></tr>"
            for a, b in summary.facts
        )
        members = "".join(
            f"<tr><td>{_esc(n)}</td><td>{_esc(r)}</td><td align='right' nowrap>{_esc(a)}</td><td>{_esc(x)}</td></tr>"
            for n, r, a, x in summary.members
        )
        return (
            f"<h3 style='margin-bottom:4px'>{_esc(summary.title)}</h3>"
            "<table cellspacing='0' cellpadding='2' width='100%'>"
            "<tr style='background:#eef'><th align='left'>姓名</th><th align='left'>关系</th>"
            f"<th align='right'>年龄</th><th align='left'>情况</th></tr>{members}</table>"
            f"<h4 style='margin-bottom:2px'>派生信息</h4><table cellspacing='0' cellpadding='2'>{facts}</table>"
        )

    # ------------------------------------------------------------------ actions

    def _open_editor(self, household_id: int | None) -> int | None:
        """The editor saves through the household operation with this page as the origin: the
        notice reaches the other pages, and this one selects the saved row itself."""
        kwargs: dict[str, object] = {"origin": self}
        if household_id is None:
            kwargs.update(village_id=self.village.value(), group_id=self.group.value())
        editor = self.editor_factory(self.ops, household_id, self, **kwargs)
        editor.exec()
        saved = editor.saved_id
        editor.deleteLater()
        if saved is not None:
            self.after_change(saved)
        return saved

    def after_change(self, household_id: int | None = None) -> None:
        """Bring the list up to date after a change made here, and keep the household selected."""
        if self._index is None:
            self.model.invalidate(None)  # no index yet to tell which rows changed
        self.run_search()
        if household_id is not None and not self.select_household(household_id):
            self.details.setHtml("<p>已保存。该户不符合当前的查找条件，所以不在列表中。</p>")
        self._details_timer.start()

    def add_household(self) -> None:
        if not self._options:  # the editor could only refuse with 行政村：必须选择
            self.tell_no_villages()
            return
        self._open_editor(None)

    def tell_no_villages(self) -> None:
        """Villages come first: say so instead of opening an editor that cannot be saved."""
        QMessageBox.information(self, "新增户", NO_VILLAGES + "。")

    def edit_current(self) -> None:
        hid = self.current_household_id()
        if hid is not None:
            self._open_editor(hid)

    def delete_current(self) -> None:
        hid = self.current_household_id()
        if hid is None:
            return
        row = self.model.row_data(self.view.currentIndex().row())
        name = (
            (
                f"{row.village}{row.group} {row.head_name}户（{row.size}人"
                + (f"，户编号{row.code}" if row.code else "")
                + "）"
            )
            if row
            else "该户"
        )
        if not ask_yes_no(
            self,
            "删除户",
            f"确定删除“{name}”吗？\n\n该户的家庭成员和收支记录将一并删除；变更记录会保留。",
        ):
            return
        next_row = self.view.currentIndex().row()

        def deleted(label: str) -> None:
            log.info("household %s deleted", hid)
            if not shiboken6.isValid(self):
                return
            if self._index is None:
                self.model.invalidate(None)
            self.run_search()
            if self.model.rowCount():
                self.view.selectRow(min(next_row, self.model.rowCount() - 1))
            self.count_label.setText(self.count_label.text() + f"　已删除：{label}")

        # a refusal (monitoring records) is a RegistryError: shown as its Chinese message
        household_ops.delete_household(self.ops, hid, parent=self, success=deleted, origin=self)

    def show_history(self) -> None:
        hid = self.current_household_id()
        if hid is None:
            return
        entries = self.ops.read(svc.household_history, hid)
        title = self.ops.read(svc.household_label, hid)
        dialog = HistoryDialog(title, entries, self)
        dialog.exec()
        dialog.deleteLater()


def _load_registry(session: object) -> tuple[list[VillageOption], int, RegistryIndex | None]:
    """The filter lists, the number of households and, for a registry small enough to index at
    once, the search index: one read-only unit."""
    options = svc.region_options(session)
    total = svc.household_count(session)
    index = RegistryIndex.build(session) if total <= SYNC_INDEX_LIMIT else None
    return options, total, index


class HistoryDialog(QDialog):
    def __init__(
        self, title: str, entries: Sequence[svc.HistoryEntry], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"变更记录：{title}")
        self.model = HistoryTableModel(entries, self)
        view = history_table(self.model)
        buttons = close_button(self)
        layout = QVBoxLayout(self)
        note = QLabel(f"共 {len(entries)} 条，最新的在前。" if entries else "没有变更记录。")
        layout.addWidget(note)
        layout.addWidget(view, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, "registry_history", (900, 480))
