"""The household editor: 基本信息, 家庭成员, 收支情况, 派生信息, 变更记录.

The dialog edits a ``HouseholdDraft`` (plain dataclasses) and holds no Session: it reads through
the window's operations when it opens, and ``save`` writes everything in one unit of work through
the ``save_household`` operation (the service validates again and writes the audit trail); the
dialog closes when that write has succeeded, and every page hears of it from the change notice.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import enums, ids
from fanpin_desktop.domain.facts import Issue
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import households as svc
from fanpin_desktop.services.households import HouseholdDraft, IncomeDraft, MemberDraft, VillageOption
from fanpin_desktop.ui.common import ask_discard, ask_yes_no, history_table, list_keys
from fanpin_desktop.ui.dialogs.member_dialog import MemberDialog, MoveMemberDialog
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import households as household_ops
from fanpin_desktop.ui.operations import quality as quality_ops
from fanpin_desktop.ui.table_models.households import HistoryTableModel, MemberTableModel
from fanpin_desktop.ui.table_models.quality import strip_text
from fanpin_desktop.ui.widgets import (
    IdCombo,
    MoneySpinBox,
    OptionalDateEdit,
    OptionalSpinBox,
    ValueCombo,
    icon,
)

log = logging.getLogger(__name__)

TAB_BASIC, TAB_MEMBERS, TAB_INCOME, TAB_FACTS, TAB_HISTORY = range(5)

_HOUSEHOLD_FIELD_TAB = {
    "village_id": "village",
    "group_id": "group",
    "natural_village_id": "natural_village",
    "code": "code",
    "household_type": "household_type",
    "poverty_exit_year": "poverty_exit_year",
    "phone": "phone",
    "relocation_site": "relocation_site",
    "address": "address",
}


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def default_old_head_relation(new_head: MemberDraft, old_head: MemberDraft | None) -> str:
    """A sensible first guess for the old head's relation to the new head."""
    female = old_head is not None and old_head.sex == "女"
    if new_head.relation == "配偶":
        return "配偶"
    if new_head.relation in ("之子", "之女"):
        return "之母" if female else "之父"
    if new_head.relation in ("之儿媳",):
        return "之婆婆" if female else "之公公"
    if new_head.relation in ("之女婿",):
        return "之岳母" if female else "之岳父"
    if new_head.relation in ("之孙子", "之孙女", "之外孙子", "之外孙女"):
        return "之祖母" if female else "之祖父"
    return "其他"


def _open(
    session: Any, household_id: int | None, village_id: int | None, group_id: int | None
) -> tuple[list[VillageOption], HouseholdDraft, str, list[str] | None]:
    """What the editor shows when it opens, in one read-only unit: the village lists, the draft,
    the title and (for a saved household) its monitoring statuses."""
    options = svc.region_options(session)
    if household_id is None:
        return options, svc.new_household_draft(village_id, group_id), "新增户", None
    return (
        options,
        svc.load_household(session, household_id),
        f"编辑户：{svc.household_label(session, household_id)}",
        svc.case_statuses(session, household_id),
    )


class HouseholdEditor(QDialog):
    """Edit (or, with ``household_id=None``, create) one household. ``saved_id`` is set on save.

    ``origin`` is passed on with the change notice (the registry page, which then shows the saved
    row itself instead of reloading)."""

    saved = Signal(int)

    def __init__(
        self,
        ops: Operations,
        household_id: int | None = None,
        parent: QWidget | None = None,
        *,
        village_id: int | None = None,
        group_id: int | None = None,
        today: dt.date | None = None,
        origin: object | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self._origin = origin
        self._today = today or dt.date.today()
        self.saved_id: int | None = None
        self._saving = False
        self._history_loaded = False
        self._options: list[VillageOption]
        self._case_statuses: list[str] | None
        self._options, draft, self._title, self._case_statuses = ops.read(
            _open, household_id, village_id, group_id
        )
        self._draft: HouseholdDraft = draft
        self._original: HouseholdDraft = copy.deepcopy(draft)
        self._loading = True
        self.setWindowTitle(self._title)
        self.setModal(True)
        self.setSizeGripEnabled(True)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_basic(), icon("fa5s.home"), "基本信息")
        self.tabs.addTab(self._build_members(), icon("fa5s.users"), "家庭成员")
        self.tabs.addTab(self._build_income(), icon("fa5s.yen-sign"), "收支情况")
        self.tabs.addTab(self._build_facts(), icon("fa5s.info-circle"), "派生信息")
        self.tabs.addTab(self._build_history(), icon("fa5s.history"), "变更记录")
        self.tabs.setTabEnabled(TAB_HISTORY, draft.id is not None)
        self.tabs.currentChanged.connect(self._on_tab)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.save_button = QPushButton(icon("fa5s.save"), "保存(&S)")
        self.save_button.setToolTip("保存全部修改（Ctrl+S）")
        self.save_button.setDefault(False)
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.cancel_button = QPushButton(icon("fa5s.times"), "取消")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.case_button = QPushButton(icon("fa5s.user-shield"), "监测对象…")
        self.case_button.setToolTip("打开本户正在办理的监测记录；没有时可新建线索")
        self.case_button.setAutoDefault(False)
        self.case_button.setEnabled(draft.id is not None)
        self.case_button.clicked.connect(self.open_case)
        bottom = QHBoxLayout()
        bottom.addWidget(self.case_button)
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.cancel_button)

        # the household's data-quality findings (数据核查), read on opening and after each save
        self.findings_strip = QLabel()
        self.findings_strip.setTextFormat(Qt.TextFormat.RichText)
        self.findings_strip.linkActivated.connect(lambda _href: self.show_findings())
        self.findings: list[Any] = []

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.findings_strip)
        layout.addLayout(bottom)

        self.refresh_findings(draft.id)
        self._load_basic()
        self._load_income_list()
        self._loading = False
        self._update_relocation()
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        fit_to_screen(self, "household_editor", (980, 640))
        self.village.setFocus()

    # ------------------------------------------------------------------ 基本信息

    def _build_basic(self) -> QWidget:
        page = QWidget()
        e = enums.current()
        self.village = IdCombo(blank_text="（请选择）")
        self.village.set_items([(v.id, v.name) for v in self._options])
        self.group = IdCombo()
        self.natural_village = IdCombo()
        self.code = QLineEdit()
        self.code.setMaxLength(30)
        self.code.setPlaceholderText("全国系统的户编号；一般农户可以不填")
        self.household_type = ValueCombo(e.values("household_types"), blank=False)
        self.poverty_exit_year = OptionalSpinBox(1980, self._today.year)
        self.poverty_exit_year.setSuffix(" 年")
        self.address = QLineEdit()
        self.address.setMaxLength(120)
        self.phone = QLineEdit()
        self.phone.setMaxLength(20)
        self.phone.setPlaceholderText("11位手机号码")
        self.relocated = QCheckBox("易地扶贫搬迁户")
        self.relocation_site = QLineEdit()
        self.relocation_site.setMaxLength(80)
        self.relocation_site.setPlaceholderText("安置区（集中安置点名称）")
        self.military_family = QCheckBox("军烈属")
        self.urban_registered = QCheckBox("农转非（城镇户籍但未享受城镇待遇）")
        self.bank_account_note = QLineEdit()
        self.bank_account_note.setMaxLength(80)
        self.note = QPlainTextEdit()
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(70)

        where = QGroupBox("所在村组")
        where_form = QFormLayout(where)
        where_form.addRow("行政村*", self.village)
        where_form.addRow("村民小组", self.group)
        where_form.addRow("自然村", self.natural_village)
        where_form.addRow("住址", self.address)

        ident = QGroupBox("户信息")
        ident_form = QFormLayout(ident)
        ident_form.addRow("户编号", self.code)
        ident_form.addRow("户类型*", self.household_type)
        ident_form.addRow("脱贫年度", self.poverty_exit_year)
        ident_form.addRow("户联系电话", self.phone)
        ident_form.addRow("银行账户备注", self.bank_account_note)

        flags = QGroupBox("户标识")
        flags_grid = QGridLayout(flags)
        flags_grid.addWidget(self.relocated, 0, 0)
        flags_grid.addWidget(self.relocation_site, 0, 1)
        flags_grid.addWidget(self.military_family, 1, 0)
        flags_grid.addWidget(self.urban_registered, 2, 0, 1, 2)
        flags_grid.setColumnStretch(1, 1)

        grid = QGridLayout(page)
        grid.addWidget(where, 0, 0)
        grid.addWidget(ident, 0, 1)
        grid.addWidget(flags, 1, 0, 1, 2)
        note_box = QGroupBox("备注")
        QVBoxLayout(note_box).addWidget(self.note)
        grid.addWidget(note_box, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)

        chain = (
            self.village,
            self.group,
            self.natural_village,
            self.address,
            self.code,
            self.household_type,
            self.poverty_exit_year,
            self.phone,
            self.bank_account_note,
            self.relocated,
            self.relocation_site,
            self.military_family,
            self.urban_registered,
            self.note,
        )
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self.village.valueChanged.connect(self._on_village)
        self.relocated.toggled.connect(self._update_relocation)
        self.household_type.valueChanged.connect(self._update_relocation)
        return page

    def _on_village(self, village_id: int | None) -> None:
        option = next((v for v in self._options if v.id == village_id), None)
        self.group.set_items(
            [(g.id, g.name) for g in option.groups] if option else [], keep=not self._loading
        )
        self.natural_village.set_items(
            [(n.id, n.name) for n in option.natural_villages] if option else [], keep=not self._loading
        )

    def _update_relocation(self) -> None:
        self.relocation_site.setEnabled(self.relocated.isChecked())
        self.poverty_exit_year.setEnabled(
            self.household_type.value() == "脱贫户" or self.poverty_exit_year.optional_value() is not None
        )

    def _load_basic(self) -> None:
        d = self._draft
        self.village.set_value(d.village_id)
        self._on_village(d.village_id)
        self.group.set_value(d.group_id)
        self.natural_village.set_value(d.natural_village_id)
        self.code.setText(d.code)
        self.household_type.set_value(d.household_type)
        self.poverty_exit_year.set_optional_value(d.poverty_exit_year)
        self.address.setText(d.address)
        self.phone.setText(d.phone)
        self.relocated.setChecked(d.relocated)
        self.relocation_site.setText(d.relocation_site)
        self.military_family.setChecked(d.military_family)
        self.urban_registered.setChecked(d.urban_registered)
        self.bank_account_note.setText(d.bank_account_note)
        self.note.setPlainText(d.note)
        self.member_model.set_members(d.members)

    def _read_basic(self) -> None:
        d = self._draft
        d.village_id = self.village.value()
        d.group_id = self.group.value()
        d.natural_village_id = self.natural_village.value()
        d.code = self.code.text().strip()
        d.household_type = self.household_type.value() or "一般农户"
        d.poverty_exit_year = self.poverty_exit_year.optional_value()
        d.address = self.address.text().strip()
        d.phone = self.phone.text().strip()
        d.relocated = self.relocated.isChecked()
        d.relocation_site = self.relocation_site.text().strip()
        d.military_family = self.military_family.isChecked()
        d.urban_registered = self.urban_registered.isChecked()
        d.bank_account_note = self.bank_account_note.text().strip()
        d.note = self.note.toPlainText().strip()

    # ------------------------------------------------------------------ 家庭成员

    def _build_members(self) -> QWidget:
        page = QWidget()
        self.member_model = MemberTableModel(self._draft.members, self._today, self)
        self.member_view = QTableView()
        self.member_view.setModel(self.member_model)
        self.member_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.member_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.member_view.setAlternatingRowColors(True)
        self.member_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.member_view.verticalHeader().setDefaultSectionSize(26)
        header = self.member_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.member_model.modelReset.connect(self._fit_member_columns)
        self.member_view.doubleClicked.connect(lambda _i: self.edit_member())
        list_keys(self.member_view, opens=self.edit_member, deletes=self.remove_member)

        self.add_member_button = QPushButton(icon("fa5s.user-plus"), "添加")
        self.edit_member_button = QPushButton(icon("fa5s.user-edit"), "编辑")
        self.remove_member_button = QPushButton(icon("fa5s.user-minus"), "删除")
        self.move_member_button = QPushButton(icon("fa5s.exchange-alt"), "迁移到其他户")
        self.head_button = QPushButton(icon("fa5s.user-tie"), "设为户主")
        self.up_button = QPushButton(icon("fa5s.arrow-up"), "上移")
        self.down_button = QPushButton(icon("fa5s.arrow-down"), "下移")
        self.add_member_button.clicked.connect(self.add_member)
        self.edit_member_button.clicked.connect(self.edit_member)
        self.remove_member_button.clicked.connect(self.remove_member)
        self.move_member_button.clicked.connect(self.move_member)
        self.head_button.clicked.connect(self.make_head)
        self.up_button.clicked.connect(lambda: self._shift_member(-1))
        self.down_button.clicked.connect(lambda: self._shift_member(1))
        buttons = QVBoxLayout()
        for b in (
            self.add_member_button,
            self.edit_member_button,
            self.remove_member_button,
            self.move_member_button,
            self.head_button,
            self.up_button,
            self.down_button,
        ):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.member_hint = QLabel("双击或按回车编辑成员；按 Delete 删除。迁移和删除在保存本户时生效。")
        self.member_hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.member_view, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(page)
        layout.addLayout(row, 1)
        layout.addWidget(self.member_hint)
        self.member_view.selectionModel().currentRowChanged.connect(lambda *_: self._update_member_buttons())
        self._update_member_buttons()
        return page

    def _fit_member_columns(self) -> None:
        self.member_view.resizeColumnsToContents()
        for col in range(self.member_model.columnCount() - 1):
            self.member_view.setColumnWidth(col, min(self.member_view.columnWidth(col) + 6, 170))

    def _selected_member(self) -> MemberDraft | None:
        index = self.member_view.currentIndex()
        return self.member_model.member_at(index.row()) if index.isValid() else None

    def _select_member(self, key: int) -> None:
        row = self.member_model.row_of_key(key)
        if row is not None:
            self.member_view.selectionModel().setCurrentIndex(
                self.member_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _update_member_buttons(self) -> None:
        m = self._selected_member()
        has = m is not None
        for b in (self.edit_member_button, self.remove_member_button, self.up_button, self.down_button):
            b.setEnabled(has)
        self.move_member_button.setEnabled(has and m.id is not None and self._draft.id is not None)
        self.move_member_button.setText(
            "取消迁移" if has and m.move_to_household_id is not None else "迁移到其他户"
        )
        self.head_button.setEnabled(has and m.relation != svc.HEAD and m.move_to_household_id is None)

    def _members_changed(self, select_key: int | None = None) -> None:
        self.member_model.refresh()
        if select_key is not None:
            self._select_member(select_key)
        self._update_member_buttons()
        self._refresh_facts()

    def _check_id(self, member_key: int) -> object:
        """A callable for MemberDialog: is this number used by another member or household?"""

        def check(number: str) -> str | None:
            try:
                base = ids.parse(number, self._today).base_id
            except ids.IdNumberError:
                return None
            for other in self._draft.members:
                if other.key != member_key and other.id_number and other.id_number[:18] == base:
                    return f"证件号码：本户成员“{other.name}”已使用该号码，同一人只能登记一次"
            own = [m.id for m in self._draft.members if m.id is not None]
            return self.ops.read(svc.id_number_owner, base, exclude_member_ids=own)

        return check

    def add_member(self) -> None:
        relation = "" if self._draft.head is not None else svc.HEAD
        member = svc.new_member_draft(relation)
        dialog = MemberDialog(
            member, self, title="添加成员", check_id=self._check_id(member.key), today=self._today
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            new = dialog.member()
            self._draft.members.append(new)
            self._members_changed(new.key)

    def edit_member(self) -> None:
        m = self._selected_member()
        if m is None:
            return
        dialog = MemberDialog(
            m, self, title=f"编辑成员：{m.name}", check_id=self._check_id(m.key), today=self._today
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            i = self._draft.members.index(m)
            self._draft.members[i] = dialog.member()
            self._members_changed(m.key)

    def remove_member(self) -> None:
        m = self._selected_member()
        if m is None:
            return
        if m.relation == svc.HEAD and len(self._draft.staying_members) > 1:
            QMessageBox.warning(self, "删除成员", f"“{m.name}”是户主。请先把另一名成员设为户主，再删除。")
            return
        what = "（该成员尚未保存）" if m.id is None else "删除在保存本户时生效，变更记录会保留。"
        if not ask_yes_no(
            self,
            "删除成员",
            f"确定从本户删除成员“{m.name or '（未填姓名）'}”吗？\n{what}",
        ):
            return
        row = self._draft.members.index(m)
        self._draft.members.remove(m)
        self._members_changed()
        if self._draft.members:
            self._select_member(self._draft.members[min(row, len(self._draft.members) - 1)].key)

    def move_member(self) -> None:
        m = self._selected_member()
        if m is None or m.id is None:
            return
        if m.move_to_household_id is not None:
            m.move_to_household_id = None
            m.move_relation = None
            self._members_changed(m.key)
            return
        if m.relation == svc.HEAD and len(self._draft.staying_members) > 1:
            QMessageBox.warning(self, "迁移成员", f"“{m.name}”是户主。请先把另一名成员设为户主，再迁移。")
            return
        dialog = MoveMemberDialog(self.ops, m.name, self._draft.id, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        choice = dialog.choice()
        if choice is None:
            return
        target_id, relation, label = choice
        if not ask_yes_no(
            self,
            "迁移成员",
            f"确定把“{m.name}”迁到{label}，与户主关系为“{relation}”吗？\n迁移在保存本户时生效。",
        ):
            return
        m.move_to_household_id = target_id
        m.move_relation = relation
        self.member_model.set_move_label(target_id, label)
        self._members_changed(m.key)

    def make_head(self) -> None:
        m = self._selected_member()
        if m is None or m.relation == svc.HEAD:
            return
        old = self._draft.head
        relations = [r for r in enums.current().values("relations") if r != svc.HEAD]
        default = default_old_head_relation(m, old)
        if old is not None:
            relation, ok = QInputDialog.getItem(
                self,
                "设为户主",
                f"把“{m.name}”设为户主。\n原户主“{old.name}”与新户主的关系：",
                relations,
                relations.index(default) if default in relations else 0,
                False,
            )
            if not ok:
                return
        else:
            relation = default
        try:
            svc.set_head(self._draft, m.key, relation)
        except svc.RegistryError as exc:
            QMessageBox.warning(self, "设为户主", str(exc))
            return
        self._members_changed(m.key)
        self.status.setText(
            "已更换户主；请核对其他成员的“与户主关系”（例如原户主的子女可能成为新户主的兄弟姐妹）。"
        )

    def _shift_member(self, step: int) -> None:
        m = self._selected_member()
        if m is None:
            return
        i = self._draft.members.index(m)
        j = i + step
        if not 0 <= j < len(self._draft.members):
            return
        members = self._draft.members
        members[i], members[j] = members[j], members[i]
        self._members_changed(m.key)

    # ------------------------------------------------------------------ 收支情况

    def _build_income(self) -> QWidget:
        page = QWidget()
        self.income_period = QComboBox()
        self.income_period.setMinimumContentsLength(24)
        self.add_income_button = QPushButton(icon("fa5s.plus"), "新增一期")
        self.remove_income_button = QPushButton(icon("fa5s.trash-alt"), "删除本期")
        self.add_income_button.setAutoDefault(False)
        self.remove_income_button.setAutoDefault(False)
        top = QHBoxLayout()
        top.addWidget(QLabel("收支期间"))
        top.addWidget(self.income_period, 1)
        top.addWidget(self.add_income_button)
        top.addWidget(self.remove_income_button)

        self.income_year = OptionalSpinBox(2000, self._today.year + 1)
        self.income_year.setSuffix(" 年度")
        self.period_start = OptionalDateEdit()
        self.period_end = OptionalDateEdit()
        self.money: dict[str, MoneySpinBox] = {name: MoneySpinBox() for name in svc.MONEY_FIELDS}
        self.people_count = OptionalSpinBox(1, 30, blank_text="按现有成员数")
        self.people_count.setSuffix(" 人")
        self.income_note = QLineEdit()
        self.gross_label = QLabel()
        self.net_label = QLabel()
        self.per_capita_label = QLabel()
        for label in (self.gross_label, self.net_label, self.per_capita_label):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.net_label.setStyleSheet("font-weight: bold;")
        self.per_capita_label.setStyleSheet("font-weight: bold; color: #0b57d0;")

        period = QGroupBox("期间")
        period_form = QFormLayout(period)
        period_form.addRow("年度", self.income_year)
        period_form.addRow("起始日期", self.period_start)
        period_form.addRow("截止日期", self.period_end)
        period_form.addRow("家庭人口数", self.people_count)
        period_form.addRow("备注", self.income_note)

        amounts = QGroupBox("收入与支出")
        amounts_form = QFormLayout(amounts)
        for name in svc.MONEY_FIELDS:
            amounts_form.addRow(svc.INCOME_FIELD_LABELS[name], self.money[name])

        totals = QGroupBox("计算结果")
        totals_form = QFormLayout(totals)
        totals_form.addRow("四项收入合计", self.gross_label)
        totals_form.addRow("家庭纯收入", self.net_label)
        totals_form.addRow("人均纯收入", self.per_capita_label)
        formula = QLabel(
            "家庭纯收入 = 工资性 + 生产经营性 + 财产性 + 转移性收入 − 生产经营性支出；"
            "人均纯收入 = 家庭纯收入 ÷ 家庭人口数"
        )
        formula.setWordWrap(True)
        formula.setStyleSheet("color: #555;")
        totals_form.addRow(formula)

        self.income_form = QWidget()
        grid = QGridLayout(self.income_form)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(period, 0, 0)
        grid.addWidget(totals, 1, 0)
        grid.addWidget(amounts, 0, 1, 2, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.income_empty = QLabel("本户还没有收支记录。点击“新增一期”，默认期间为本月之前的12个月。")
        self.income_empty.setWordWrap(True)

        layout = QVBoxLayout(page)
        layout.addLayout(top)
        layout.addWidget(self.income_empty)
        layout.addWidget(self.income_form)
        layout.addStretch(1)

        self.income_period.currentIndexChanged.connect(self._show_income)
        self.add_income_button.clicked.connect(self.add_income)
        self.remove_income_button.clicked.connect(self.remove_income)
        for box in self.money.values():
            box.valueChanged.connect(self._income_edited)
        for w in (self.income_year, self.people_count):
            w.valueChanged.connect(self._income_edited)
        for w in (self.period_start, self.period_end):
            w.dateChanged.connect(self._income_edited)
        self.income_note.textChanged.connect(self._income_edited)
        self._income_loading = False
        return page

    @staticmethod
    def _income_label(r: IncomeDraft) -> str:
        if r.period_start and r.period_end:
            return f"{r.year}年度（{r.period_start.isoformat()} 至 {r.period_end.isoformat()}）"
        return f"{r.year or '未填'}年度"

    def _load_income_list(self, select_key: int | None = None) -> None:
        self.income_period.blockSignals(True)
        self.income_period.clear()
        for r in self._draft.incomes:
            self.income_period.addItem(self._income_label(r), r.key)
        self.income_period.blockSignals(False)
        if self._draft.incomes:
            i = (
                self.income_period.findData(select_key)
                if select_key is not None
                else len(self._draft.incomes) - 1
            )
            self.income_period.setCurrentIndex(max(i, 0))
        self._show_income()

    def _current_income(self) -> IncomeDraft | None:
        key = self.income_period.currentData()
        return next((r for r in self._draft.incomes if r.key == key), None)

    def _show_income(self) -> None:
        r = self._current_income()
        self.income_form.setVisible(r is not None)
        self.income_empty.setVisible(r is None)
        self.remove_income_button.setEnabled(r is not None)
        if r is None:
            return
        self._income_loading = True
        self.income_year.set_optional_value(r.year or None)
        self.period_start.set_optional_date(r.period_start)
        self.period_end.set_optional_date(r.period_end)
        for name, box in self.money.items():
            box.set_decimal(getattr(r, name))
        self.people_count.set_optional_value(r.people_count)
        self.income_note.setText(r.note or "")
        self._income_loading = False
        self._update_totals()

    def _income_edited(self) -> None:
        if self._income_loading or self._loading:
            return
        r = self._current_income()
        if r is None:
            return
        r.year = self.income_year.optional_value() or 0
        r.period_start = self.period_start.optional_date()
        r.period_end = self.period_end.optional_date()
        for name, box in self.money.items():
            setattr(r, name, box.decimal())
        r.people_count = self.people_count.optional_value()
        r.note = self.income_note.text().strip() or None
        i = self.income_period.currentIndex()
        self.income_period.setItemText(i, self._income_label(r))
        self._update_totals()

    def _update_totals(self) -> None:
        r = self._current_income()
        if r is None:
            return
        people = len(self._draft.staying_members)
        t = svc.income_totals(r, people)
        shown_people = r.people_count or people
        self.gross_label.setText(f"{t.gross:,.2f} 元")
        self.net_label.setText(f"{t.net:,.2f} 元")
        self.per_capita_label.setText(
            f"{t.per_capita:,.2f} 元（{shown_people}人）"
            if t.per_capita is not None
            else "—（家庭人口数为0）"
        )

    def add_income(self) -> None:
        r = svc.new_income_draft(self._today)
        taken = {x.period_start for x in self._draft.incomes}
        if r.period_start in taken:
            QMessageBox.information(self, "新增一期", "默认期间已有记录；请修改新记录的起止日期。")
            r.period_start = r.period_end = None
        self._draft.incomes.append(r)
        self._load_income_list(r.key)
        self.money["wage"].setFocus()

    def remove_income(self) -> None:
        r = self._current_income()
        if r is None:
            return
        if ask_yes_no(
            self,
            "删除收支记录",
            f"确定删除“{self._income_label(r)}”的收支记录吗？删除在保存本户时生效。",
        ):
            self._draft.incomes.remove(r)
            self._load_income_list()

    # ------------------------------------------------------------------ 派生信息 and 变更记录

    def _build_facts(self) -> QWidget:
        self.facts_view = QTextBrowser()
        self.facts_view.setOpenLinks(False)
        return self.facts_view

    def _refresh_facts(self) -> None:
        if getattr(self, "tabs", None) is not None and self.tabs.currentIndex() == TAB_FACTS:
            self.facts_view.setHtml(self.facts_html())

    def facts_html(self) -> str:
        lines = svc.derived_facts(self._draft, self._today, self._case_statuses)
        rows = "".join(
            f"<tr><td style='padding:3px 12px 3px 0;color:#555'>{_esc(a)}</td>"
            f"<td style='padding:3px 0'>{_esc(b)}</td></tr>"
            for a, b in lines
        )
        people = []
        for m in self._draft.staying_members:
            age = ids.age_on(m.birth_date, self._today) if m.birth_date else ""
            people.append(
                f"<tr><td>{_esc(m.name)}</td><td>{_esc(m.relation)}</td><td>{age}</td>"
                f"<td>{_esc(m.health or '')}</td><td>{_esc(m.labour_skill or '')}</td></tr>"
            )
        member_table = (
            (
                "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>"
                "<tr><th>姓名</th><th>关系</th><th>年龄</th><th>健康状况</th><th>劳动技能</th></tr>"
                + "".join(people)
                + "</table>"
            )
            if people
            else ""
        )
        return (
            f"<h3>派生信息（按{self._today.isoformat()}计算，含未保存的修改）</h3><table>{rows}</table>"
            f"<h4>成员年龄</h4>{member_table}"
        )

    def _build_history(self) -> QWidget:
        page = QWidget()
        self.history_model = HistoryTableModel(parent=self)
        self.history_view = history_table(self.history_model)
        self.history_note = QLabel("切换到本页时读取变更记录。")
        self.history_note.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.history_note)
        layout.addWidget(self.history_view)
        return page

    def load_history(self) -> None:
        if self._draft.id is None:
            return
        entries = self.ops.read(svc.household_history, self._draft.id)
        self.history_model.set_entries(entries)
        self.history_note.setText(
            f"共 {len(entries)} 条变更记录，最新的在前（含成员和收支的变更）。"
            if entries
            else "本户还没有变更记录。通过演示数据或批量导入建立的数据不逐条记录，此后的每次修改都会记录在这里。"
        )
        self._history_loaded = True

    def _on_tab(self, index: int) -> None:
        if index == TAB_FACTS:
            self._read_basic()
            self.facts_view.setHtml(self.facts_html())
        elif index == TAB_HISTORY and not self._history_loaded:
            self.load_history()
        elif index == TAB_INCOME:
            self._update_totals()

    # ------------------------------------------------------------------ 监测对象

    def open_case(self) -> None:
        """Open the household's open monitoring case, or offer a new clue (线索) when it has none."""
        household_id = self._draft.id
        if household_id is None:
            return
        from fanpin_desktop.services.cases import detail as case_detail
        from fanpin_desktop.ui.dialogs.case_editor import CaseEditor, open_new_clue

        case_id = self.ops.read(case_detail.household_open_case, household_id)
        if case_id is not None:
            CaseEditor(self.ops, case_id, self, today=self._today, origin=self._origin).exec()
        elif ask_yes_no(
            self,
            "监测对象",
            "本户没有正在办理的监测记录（线索、识别中或监测中）。\n要为本户新建一条线索吗？",
            default_yes=True,
        ):
            open_new_clue(
                self.ops,
                household_id,
                self,
                household_label=self._title.removeprefix("编辑户："),
                today=self._today,
                origin=self._origin,
            )
        self._case_statuses = self.ops.read(svc.case_statuses, household_id)
        self._refresh_facts()

    # ------------------------------------------------------------------ saving and leaving

    def draft(self) -> HouseholdDraft:
        """The draft with the current widget values (for tests and for saving)."""
        self._read_basic()
        return self._draft

    def is_dirty(self) -> bool:
        return self.draft() != self._original

    def _focus_issue(self, issue: Issue) -> None:
        member = getattr(issue, "member", None)
        if isinstance(member, MemberDraft):
            self.tabs.setCurrentIndex(TAB_MEMBERS)
            self._select_member(member.key)
            self.member_view.setFocus()
            return
        if issue.code.startswith("I_"):
            self.tabs.setCurrentIndex(TAB_INCOME)
            return
        if issue.code.startswith("H_HEAD") or issue.code.startswith("H_SPOUSE") or issue.field == "members":
            self.tabs.setCurrentIndex(TAB_MEMBERS)
            return
        attr = _HOUSEHOLD_FIELD_TAB.get(issue.field)
        if attr:
            self.tabs.setCurrentIndex(TAB_BASIC)
            getattr(self, attr).setFocus()

    def save(self) -> bool:
        """Validate, confirm warnings, then store everything in one unit of work (the
        ``save_household`` operation); the dialog closes when the write has succeeded.

        False when the draft was refused (the field is focused) or the write failed; True when it
        was saved, or (a write still running on the worker thread) is being saved."""
        if self._saving:
            return False
        draft = self.draft()
        issues = self.ops.read(svc.validate_draft, draft, self._today)
        self.member_model.refresh()  # IDs were normalised, sex/birth filled in
        errors = [i for i in issues if i.is_error]
        warnings = [i for i in issues if not i.is_error]
        if errors:
            self.status.setText(f'<span style="color:#b3261e">有{len(errors)}个问题需要修改，未保存。</span>')
            shown = "\n".join(f"· {i.message}" for i in errors[:15])
            more = f"\n……另有{len(errors) - 15}个问题" if len(errors) > 15 else ""
            QMessageBox.warning(self, "不能保存", f"请修改以下问题后再保存：\n\n{shown}{more}")
            self._focus_issue(errors[0])
            return False
        if warnings:
            shown = "\n".join(f"· {i.message}" for i in warnings[:15])
            more = f"\n……另有{len(warnings) - 15}条" if len(warnings) > 15 else ""
            if not ask_yes_no(
                self,
                "请核实",
                f"以下情况需要核实：\n\n{shown}{more}\n\n仍然保存吗？",
                default_yes=True,
            ):
                self._focus_issue(warnings[0])
                return False
        saved_draft = copy.deepcopy(draft)

        def saved(new_id: int) -> None:
            self._saving = False
            self.saved_id = new_id
            self._original = saved_draft
            self.refresh_findings(new_id)
            self.saved.emit(new_id)
            self.accept()

        def refused(exc: UserError) -> None:
            self._saving = False
            self.save_button.setEnabled(True)
            if isinstance(exc, svc.ValidationFailed):  # changed by someone else since the check
                QMessageBox.warning(self, "不能保存", "\n".join(f"· {i.message}" for i in exc.errors))
                if exc.errors:
                    self._focus_issue(exc.errors[0])
            else:
                QMessageBox.warning(self, "不能保存", str(exc))

        self._saving = True
        self.save_button.setEnabled(False)
        task = household_ops.save_household(
            self.ops,
            draft,
            self._today,
            parent=self,
            success=saved,
            user_error=refused,
            origin=self._origin,
        )
        if task.finished:
            self._saving = False  # a bug, already reported, leaves the dialog open with the edits
        else:
            self._unlock_when_finished(task)
        self.save_button.setEnabled(not self._saving and self.saved_id is None)
        return self.saved_id is not None or self._saving

    def _unlock_when_finished(self, task: Any) -> None:
        """A write on the worker thread: whatever its end (a bug is reported by the operation),
        the dialog takes edits and 保存 again unless it closed."""
        runner = self.ops.runner

        def finished(_label: str) -> None:
            if not task.finished:
                return
            runner.task_finished.disconnect(finished)
            if self.saved_id is None:
                self._saving = False
                self.save_button.setEnabled(True)

        runner.task_finished.connect(finished)

    def refresh_findings(self, household_id: int | None) -> None:
        """The strip of the household's 数据核查 findings (hidden for a household not saved yet)."""
        if household_id is None:
            self.findings = []
            self.findings_strip.setVisible(False)
            return
        try:
            self.findings = quality_ops.household_findings(self.ops, household_id)
        except Exception:  # noqa: BLE001 - the strip is a help; editing the household must still work
            log.exception("数据核查 of household %s failed", household_id)
            self.findings_strip.setVisible(False)
            return
        text, details = strip_text(self.findings, first=60)
        self.findings_strip.setText(text)
        self.findings_strip.setToolTip(details)
        self.findings_strip.setVisible(True)

    def show_findings(self) -> None:
        _text, details = strip_text(self.findings)
        QMessageBox.information(self, "数据核查", details or "未发现问题。")

    def _confirm_discard(self) -> bool:
        if not self.is_dirty():
            return True
        return ask_discard(self, "本户有未保存的修改，确定放弃这些修改吗？")

    def reject(self) -> None:
        if self._confirm_discard():
            super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.result() == QDialog.DialogCode.Accepted or self._confirm_discard():
            event.accept()
        else:
            event.ignore()
