"""系统设置: township data and time limits, villages with their groups and natural villages,
monitoring thresholds, the 节假日 of years the program does not know (``holidays_panel``), the
医保 limits of department warnings by year (部门预警限额).

Every change is one operation (``ui/operations/settings``: one unit of work on the task runner that
announces ``SETTINGS``); the page keeps no session and no ORM objects, only plain values it reads
through the window's operations and reloads with ``refresh()``.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import qtawesome as qta
from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import regions
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services import thresholds as threshold_service
from fanpin_desktop.services import warnings as warning_service
from fanpin_desktop.services.thresholds import ThresholdRow
from fanpin_desktop.ui.common import ask_yes_no, ok_cancel_buttons, show_refusal
from fanpin_desktop.ui.dialogs.grid_dialog import GridDialog
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.mask_ids import MASK_TIP
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import settings as setting_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.pages.holidays_panel import HolidaysPanel
from fanpin_desktop.ui.table_models.base import ID_ROLE, KEY_ROLE, RIGHT, Column, RowsModel

log = logging.getLogger(__name__)

_PHONE = re.compile(r"^[0-9\-－（）() ]{3,30}$")
WORKING_DAYS, CALENDAR_DAYS = "工作日", "自然日"


def _error_label() -> QLabel:
    label = QLabel()
    label.setStyleSheet("color: #b3261e;")
    label.setWordWrap(True)
    label.hide()
    return label


# =========================================================================== township form


class TownshipForm(QWidget):
    """省/市/县/乡镇, phones printed on notices, publicity rules, deadlines and backup retention."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.province = QLineEdit()
        self.city = QLineEdit()
        self.county = QLineEdit()
        self.township = QLineEdit()
        self.township_phone = QLineEdit()
        self.county_phone = QLineEdit()
        self.supervision_phone = QLineEdit()
        self.publicity_days = QSpinBox()
        self.publicity_days.setRange(1, 30)
        self.publicity_days.setSuffix(" 天")
        self.publicity_kind = QComboBox()
        self.publicity_kind.addItems([WORKING_DAYS, CALENDAR_DAYS])
        self.notice_shows_risks = QCheckBox("村级公示列出“主要风险”（仅风险类型，不含健康状况）")
        self.mask_ids_outgoing = QCheckBox(
            "打印、导出内部表格（附件4、户籍名册、监测对象文书）时隐藏身份证号中间位"
        )
        self.mask_ids_outgoing.setToolTip(MASK_TIP)
        self.clue_days = QSpinBox()
        self.clue_days.setRange(1, 90)
        self.clue_days.setSuffix(" 天")
        self.measure_days = QSpinBox()
        self.measure_days.setRange(1, 90)
        self.measure_days.setSuffix(" 天")
        self.visit_months = QSpinBox()
        self.visit_months.setRange(1, 12)
        self.visit_months.setPrefix("每 ")
        self.visit_months.setSuffix(" 个月至少一次")
        self.review_months = QSpinBox()
        self.review_months.setRange(1, 12)
        self.review_months.setPrefix("每 ")
        self.review_months.setSuffix(" 个月至少一次")
        self.eliminate_months = QSpinBox()
        self.eliminate_months.setRange(1, 36)
        self.eliminate_months.setSuffix(" 个月")
        self.threshold_region = QComboBox()
        self.threshold_region.setEditable(True)
        self.backup_keep = QSpinBox()
        self.backup_keep.setRange(1, 100)
        self.backup_keep.setSuffix(" 份")
        for spin in (
            self.publicity_days,
            self.clue_days,
            self.measure_days,
            self.eliminate_months,
            self.backup_keep,
        ):
            spin.setMinimumWidth(90)
            spin.setMaximumWidth(110)
        for spin in (self.visit_months, self.review_months):
            spin.setMinimumWidth(150)
            spin.setMaximumWidth(170)

        self.province.setPlaceholderText("如：安徽省")
        self.city.setPlaceholderText("如：六安市")
        self.county.setPlaceholderText("如：金寨县")
        self.township.setPlaceholderText("如：梅山镇")
        self.township_phone.setPlaceholderText("如：0564-7012345")
        self.county_phone.setPlaceholderText("县级监督举报电话")
        self.threshold_region.lineEdit().setPlaceholderText("空白表示使用“全国”标准")

        area = QGroupBox("所属地区")
        f = QFormLayout(area)
        f.addRow("省：", self.province)
        f.addRow("市：", self.city)
        f.addRow("县（区）：", self.county)
        f.addRow("乡镇：", self.township)

        phones = QGroupBox("公示用电话")
        f = QFormLayout(phones)
        f.addRow("乡镇电话：", self.township_phone)
        f.addRow("县级电话：", self.county_phone)
        f.addRow("全国监督举报电话：", self.supervision_phone)

        rules = QGroupBox("公示与办理时限")
        f = QFormLayout(rules)
        days = QHBoxLayout()
        days.addWidget(self.publicity_days)
        days.addWidget(self.publicity_kind)
        days.addStretch(1)
        f.addRow("公示天数：", days)
        f.addRow("", self.notice_shows_risks)
        f.addRow("", self.mask_ids_outgoing)
        f.addRow("收到线索后完成识别：", self.clue_days)
        f.addRow("识别后制定帮扶措施：", self.measure_days)
        f.addRow("帮扶联系人走访：", self.visit_months)
        f.addRow("复核未消除的监测对象：", self.review_months)
        f.addRow("帮扶消除须识别满：", self.eliminate_months)
        days_note = QLabel(
            "办理时限按自然日计算；公示期可选工作日或自然日，按工作日计算时，法定节假日和调休上班日"
            "按国家安排处理（程序未内置的年份请在“节假日”页录入）。自然消除不受满期限制。"
        )
        days_note.setWordWrap(True)
        days_note.setStyleSheet("color: #5f6368;")
        f.addRow(days_note)

        other = QGroupBox("监测范围与备份")
        f = QFormLayout(other)
        f.addRow("监测范围适用地区：", self.threshold_region)
        f.addRow("保留自动备份：", self.backup_keep)
        backup_note = QLabel(
            "每天第一次启动时自动备份数据库，只保留最近的若干份自动备份；手动备份不会被删除。"
        )
        backup_note.setWordWrap(True)
        backup_note.setStyleSheet("color: #5f6368;")
        f.addRow(backup_note)

        for box in (area, phones, rules, other):
            box.layout().setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        grid = QGridLayout(self)
        grid.addWidget(area, 0, 0)
        grid.addWidget(phones, 0, 1)
        grid.addWidget(rules, 1, 0)
        grid.addWidget(other, 1, 1)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(2, 1)

    def load(self, s: settings_service.TownshipSettings, regions_known: list[str]) -> None:
        self.province.setText(s.province)
        self.city.setText(s.city)
        self.county.setText(s.county)
        self.township.setText(s.township)
        self.township_phone.setText(s.township_phone)
        self.county_phone.setText(s.county_phone)
        self.supervision_phone.setText(s.supervision_phone)
        self.publicity_days.setValue(int(s.publicity_days))
        self.publicity_kind.setCurrentText(WORKING_DAYS if s.publicity_working_days else CALENDAR_DAYS)
        self.notice_shows_risks.setChecked(bool(s.notice_shows_risks))
        self.mask_ids_outgoing.setChecked(bool(s.mask_ids_outgoing))
        self.clue_days.setValue(int(s.clue_to_identification_days))
        self.measure_days.setValue(int(s.identification_to_measures_days))
        self.visit_months.setValue(int(s.visit_every_months))
        self.review_months.setValue(int(s.review_every_months))
        self.eliminate_months.setValue(int(s.eliminate_after_months))
        self.threshold_region.clear()
        self.threshold_region.addItems([""] + [r for r in regions_known if r != threshold_service.NATIONAL])
        self.threshold_region.setCurrentText(s.threshold_region)
        self.backup_keep.setValue(int(s.backup_keep))

    def values(self) -> dict[str, Any]:
        """The form as settings changes; raises ValidationError naming the field."""
        text = {
            "province": self.province.text().strip(),
            "city": self.city.text().strip(),
            "county": self.county.text().strip(),
            "township": self.township.text().strip(),
            "township_phone": self.township_phone.text().strip(),
            "county_phone": self.county_phone.text().strip(),
            "supervision_phone": self.supervision_phone.text().strip(),
            "threshold_region": self.threshold_region.currentText().strip(),
        }
        if not text["township"]:
            raise ValidationError("township", "乡镇名称不能为空。")
        for key, label in (("province", "省"), ("city", "市"), ("county", "县（区）"), ("township", "乡镇")):
            if len(text[key]) > 30:
                raise ValidationError(key, f"{label}名称不能超过 30 个字。")
        for key, label in (
            ("township_phone", "乡镇电话"),
            ("county_phone", "县级电话"),
            ("supervision_phone", "全国监督举报电话"),
        ):
            if text[key] and not _PHONE.match(text[key]):
                raise ValidationError(key, f"{label}“{text[key]}”格式不对：只能包含数字和“-”。")
        if not text["supervision_phone"]:
            raise ValidationError("supervision_phone", "全国监督举报电话不能为空（通常为 12317）。")
        if text["threshold_region"] == threshold_service.NATIONAL:
            text["threshold_region"] = ""
        return {
            **text,
            "publicity_days": self.publicity_days.value(),
            "publicity_working_days": self.publicity_kind.currentText() == WORKING_DAYS,
            "notice_shows_risks": self.notice_shows_risks.isChecked(),
            "mask_ids_outgoing": self.mask_ids_outgoing.isChecked(),
            "clue_to_identification_days": self.clue_days.value(),
            "identification_to_measures_days": self.measure_days.value(),
            "visit_every_months": self.visit_months.value(),
            "review_every_months": self.review_months.value(),
            "eliminate_after_months": self.eliminate_months.value(),
            "backup_keep": self.backup_keep.value(),
        }

    def focus_field(self, name: str) -> None:
        widget = getattr(self, name, None)
        if isinstance(widget, QWidget):
            widget.setFocus()
            if isinstance(widget, QLineEdit):
                widget.selectAll()


# =========================================================================== villages


# the village tree's items: their kind and village (this page's own); their id in the one ID_ROLE
ROLE_KIND = Qt.ItemDataRole.UserRole
ROLE_VILLAGE = KEY_ROLE + 1  # past the shared roles of table_models.base
KIND_VILLAGE, KIND_GROUP, KIND_NATURAL = setting_ops.VILLAGE, setting_ops.GROUP, setting_ops.NATURAL
KIND_GROUP_FOLDER, KIND_NATURAL_FOLDER = "groups", "naturals"
KIND_GRID, KIND_GRID_FOLDER = "grid", "grids"
ROLE_GRID = ROLE_VILLAGE + 1  # a grid item's GridInfo (its name and worker, for the dialog)


def grid_text(g: regions.GridInfo) -> str:
    """A grid in the tree: "第一网格　网格员 张三 13912345678（已培训）"."""
    worker = " ".join(x for x in (g.worker_name, g.worker_phone) if x)
    text = f"{g.name}　网格员 {worker}" if worker else f"{g.name}　（未登记网格员）"
    return text + ("（已培训）" if g.trained else "")


class VillagesPanel(QWidget):
    """行政村 → 村民小组 / 自然村 / 网格, with add, rename (a grid: edit) and delete (each one
    operation)."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["名称", "户数"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # names and counts side by side (a stretched name column pushes the counts far away)
        self.tree.header().setStretchLastSection(False)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.tree.setColumnWidth(0, 360)
        self.tree.setColumnWidth(1, 70)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(lambda *_: self.rename_selected())

        self.add_village_button = QPushButton(qta.icon("fa5s.plus"), "添加行政村")
        self.add_group_button = QPushButton(qta.icon("fa5s.plus"), "添加村民小组")
        self.add_natural_button = QPushButton(qta.icon("fa5s.plus"), "添加自然村")
        self.add_grid_button = QPushButton(qta.icon("fa5s.plus"), "添加网格…")
        self.rename_button = QPushButton(qta.icon("fa5s.edit"), "重命名")
        self.delete_button = QPushButton(qta.icon("fa5s.trash-alt"), "删除")
        self.add_village_button.clicked.connect(self.add_village)
        self.add_group_button.clicked.connect(self.add_group)
        self.add_natural_button.clicked.connect(self.add_natural_village)
        self.add_grid_button.clicked.connect(self.add_grid)
        self.rename_button.clicked.connect(self.rename_selected)
        self.delete_button.clicked.connect(self.delete_selected)

        hint = QLabel(
            "选中一个行政村后可添加村民小组、自然村或网格（附件3按登记的网格统计网格数、网格员和培训人次）。"
            "有户的村、组不能删除。双击可重命名，双击网格可修改网格员。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        buttons = QVBoxLayout()
        for b in (
            self.add_village_button,
            self.add_group_button,
            self.add_natural_button,
            self.add_grid_button,
            self.rename_button,
            self.delete_button,
        ):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.tree.setMinimumWidth(420)
        self.tree.setMaximumWidth(560)
        row = QHBoxLayout()
        row.addWidget(self.tree, 1)
        row.addLayout(buttons)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(row, 1)
        self._update_buttons()

    # ---------------------------------------------------------------- dialogs (tests replace these)

    def ask_text(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, label, QLineEdit.EchoMode.Normal, text)
        return value if ok else None

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def run_dialog(self, dialog: QDialog) -> int:
        return dialog.exec()

    # ---------------------------------------------------------------- data

    def refresh(self) -> None:
        selected = self._selection()
        expanded = {
            self.tree.topLevelItem(i).data(0, ID_ROLE)
            for i in range(self.tree.topLevelItemCount())
            if self.tree.topLevelItem(i).isExpanded()
        }
        villages = self.ops.read(regions.list_villages)
        self.tree.clear()
        for v in villages:
            top = self._item(
                None,
                v.name + ("（脱贫村）" if v.is_poverty_village else ""),
                v.households,
                KIND_VILLAGE,
                v.id,
                v.id,
            )
            top.setIcon(0, qta.icon("fa5s.map-marker-alt", color="#1a73e8"))
            groups = self._item(top, f"村民小组（{len(v.groups)}）", None, KIND_GROUP_FOLDER, None, v.id)
            for g in v.groups:
                self._item(groups, g.name, g.households, KIND_GROUP, g.id, v.id)
            naturals = self._item(
                top, f"自然村（{len(v.natural_villages)}）", None, KIND_NATURAL_FOLDER, None, v.id
            )
            for n in v.natural_villages:
                self._item(naturals, n.name, n.households, KIND_NATURAL, n.id, v.id)
            grids = self._item(top, f"网格（{len(v.grids)}）", None, KIND_GRID_FOLDER, None, v.id)
            for g in v.grids:
                item = self._item(grids, grid_text(g), None, KIND_GRID, g.id, v.id)
                item.setData(0, ROLE_GRID, g)
                item.setToolTip(0, grid_text(g) + "\n双击修改网格员")
            if v.id in expanded:
                top.setExpanded(True)
        self._select(selected)
        self._update_buttons()

    def _item(
        self,
        parent: QTreeWidgetItem | None,
        name: str,
        households: int | None,
        kind: str,
        ident: int | None,
        village_id: int,
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem([name, "" if households is None else str(households)])
        item.setData(0, ROLE_KIND, kind)
        item.setData(0, ID_ROLE, ident)
        item.setData(0, ROLE_VILLAGE, village_id)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _selection(self) -> tuple[str, int | None, int] | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        it = items[0]
        return it.data(0, ROLE_KIND), it.data(0, ID_ROLE), it.data(0, ROLE_VILLAGE)

    def _select(self, wanted: tuple[str, int | None, int] | None) -> None:
        if wanted is None:
            return
        it = self._find(*wanted)
        if it is not None:
            parent = it.parent()
            while parent is not None:
                parent.setExpanded(True)
                parent = parent.parent()
            self.tree.setCurrentItem(it)

    def _find(self, kind: str, ident: int | None, village_id: int) -> QTreeWidgetItem | None:
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            it = stack.pop()
            if (it.data(0, ROLE_KIND), it.data(0, ID_ROLE), it.data(0, ROLE_VILLAGE)) == (
                kind,
                ident,
                village_id,
            ):
                return it
            stack.extend(it.child(i) for i in range(it.childCount()))
        return None

    def _update_buttons(self) -> None:
        sel = self._selection()
        kind = sel[0] if sel else None
        self.add_group_button.setEnabled(sel is not None)
        self.add_natural_button.setEnabled(sel is not None)
        self.add_grid_button.setEnabled(kind in (KIND_VILLAGE, KIND_GRID_FOLDER, KIND_GRID))
        self.rename_button.setText("修改网格…" if kind == KIND_GRID else "重命名")
        self.rename_button.setEnabled(kind in (KIND_VILLAGE, KIND_GROUP, KIND_NATURAL, KIND_GRID))
        self.delete_button.setEnabled(kind in (KIND_VILLAGE, KIND_GROUP, KIND_NATURAL, KIND_GRID))

    def _done(
        self, select: Callable[[Any], tuple[str, int | None, int]] | None = None
    ) -> Callable[[Any], None]:
        """What follows a change (refused ones show their Chinese message through the operation):
        the tree reloads, with what was made or renamed selected."""

        def done(result: Any) -> None:
            self.refresh()
            if select is not None:
                self._select(select(result))

        return done

    # ---------------------------------------------------------------- actions

    def add_village(self) -> None:
        name = self.ask_text("添加行政村", "行政村名称：")
        if name is None:
            return
        setting_ops.add_village(
            self.ops, name, parent=self, success=self._done(lambda v: (KIND_VILLAGE, v, v)), origin=self
        )

    def add_group(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        village_id = sel[2]
        name = self.ask_text("添加村民小组", "组名（留空则按“一组、二组……”自动命名）：")
        if name is None:
            return
        setting_ops.add_group(
            self.ops,
            village_id,
            name.strip() or None,
            parent=self,
            success=self._done(lambda g: (KIND_GROUP, g, village_id)),
            origin=self,
        )

    def add_natural_village(self) -> None:
        sel = self._selection()
        if sel is None:
            return
        village_id = sel[2]
        name = self.ask_text("添加自然村", "自然村名称：")
        if name is None:
            return
        setting_ops.add_natural_village(
            self.ops,
            village_id,
            name,
            parent=self,
            success=self._done(lambda n: (KIND_NATURAL, n, village_id)),
            origin=self,
        )

    def add_grid(self) -> None:
        sel = self._selection()
        if sel is not None and sel[0] in (KIND_VILLAGE, KIND_GRID_FOLDER, KIND_GRID):
            self._open_grid_dialog(sel[2], None)

    def _village_name(self, village_id: int) -> str:
        it = self._find(KIND_VILLAGE, village_id, village_id)
        return it.text(0).removesuffix("（脱贫村）") if it is not None else ""

    def _open_grid_dialog(self, village_id: int, grid: regions.GridInfo | None) -> None:
        """The grid dialog: 保存 runs the operation; a refusal keeps the dialog open with the
        message, what was typed kept."""
        saved: list[int] = []

        def save(
            values: dict[str, Any], success: Callable[[Any], None], refused: Callable[[UserError], None]
        ) -> None:
            def done(grid_id: int) -> None:
                saved.append(grid_id)
                success(grid_id)

            setting_ops.save_grid(
                self.ops,
                village_id,
                grid.id if grid else None,
                values,
                parent=self,
                success=done,
                user_error=refused,
                origin=self,
            )

        dialog = GridDialog(save, self._village_name(village_id), grid, self)
        if self.run_dialog(dialog) == QDialog.DialogCode.Accepted and saved:
            self.refresh()
            self._select((KIND_GRID, saved[-1], village_id))

    def rename_selected(self) -> None:
        sel = self._selection()
        if sel is not None and sel[0] == KIND_GRID:
            self._open_grid_dialog(sel[2], self.tree.selectedItems()[0].data(0, ROLE_GRID))
            return
        if sel is None or sel[0] not in (KIND_VILLAGE, KIND_GROUP, KIND_NATURAL):
            return
        kind, ident, village_id = sel
        current = self.tree.selectedItems()[0].text(0).removesuffix("（脱贫村）")
        label = {KIND_VILLAGE: "行政村名称：", KIND_GROUP: "组名：", KIND_NATURAL: "自然村名称："}[kind]
        name = self.ask_text("重命名", label, current)
        if name is None or name.strip() == current:
            return
        setting_ops.rename_place(
            self.ops,
            kind,
            ident,
            name,
            parent=self,
            success=self._done(lambda _r: (kind, ident, village_id)),
            origin=self,
        )

    def delete_selected(self) -> None:
        sel = self._selection()
        if sel is None or sel[0] not in (KIND_VILLAGE, KIND_GROUP, KIND_NATURAL, KIND_GRID):
            return
        kind, ident, _village_id = sel
        if kind == KIND_GRID:
            self._delete_grid(self.tree.selectedItems()[0].data(0, ROLE_GRID))
            return
        name = self.tree.selectedItems()[0].text(0).removesuffix("（脱贫村）")
        what = {KIND_VILLAGE: "行政村", KIND_GROUP: "村民小组", KIND_NATURAL: "自然村"}[kind]
        extra = "（其下的村民小组、自然村和网格会一并删除）" if kind == KIND_VILLAGE else ""
        if not self.confirm("确认删除", f"确定要删除{what}“{name}”吗？{extra}"):
            return
        setting_ops.delete_place(self.ops, kind, ident, parent=self, success=self._done(), origin=self)

    def _delete_grid(self, grid: regions.GridInfo) -> None:
        worker = f"（网格员{grid.worker_name}）" if grid.worker_name else ""
        if not self.confirm("确认删除", f"确定要删除网格“{grid.name}”{worker}吗？"):
            return
        setting_ops.delete_grid(self.ops, grid.id, parent=self, success=self._done(), origin=self)


# =========================================================================== thresholds


def _amount_text(row: ThresholdRow) -> str:
    return f"{row.amount:,.0f}" if row.amount == row.amount.to_integral() else f"{row.amount:,.2f}"


class ThresholdModel(RowsModel):
    """The thresholds, read-only (they are edited in ``ThresholdDialog``)."""

    YEAR, REGION, AMOUNT, DOCUMENT, DATE, NOTE = range(6)
    NUMBERED_ROWS = False
    COLUMNS = (
        Column("年度", lambda r: str(r.year), sort=lambda r: r.year, align=RIGHT),
        Column("适用地区", lambda r: r.region),
        Column("监测范围（元/人·年）", _amount_text, sort=lambda r: r.amount, align=RIGHT),
        Column("文号", lambda r: r.document_no),
        Column(
            "执行日期",
            lambda r: r.effective_date.isoformat() if r.effective_date else "",
            sort=lambda r: r.effective_date or dt.date.min,
        ),
        Column("备注", lambda r: r.note),
    )


class ThresholdDialog(QDialog):
    """Add or edit one threshold. 保存 calls ``save(values, success, user_error)`` (the operation);
    the dialog closes in ``success`` and shows a refused value beside the field in ``user_error``."""

    def __init__(
        self,
        save: Callable[[dict[str, Any], Callable[[Any], None], Callable[[UserError], None]], object],
        regions_known: list[str],
        row: ThresholdRow | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._save = save
        self._warned_amount = ""
        self.setWindowTitle("修改监测范围" if row else "新增监测范围")
        fit_to_screen(self, "threshold")
        self.year = QSpinBox()
        self.year.setRange(threshold_service.MIN_YEAR, dt.date.today().year + 1)
        self.year.setValue(row.year if row else dt.date.today().year)
        self.region = QComboBox()
        self.region.setEditable(True)
        self.region.addItems(regions_known)
        self.region.setCurrentText(row.region if row else threshold_service.NATIONAL)
        self.amount = QLineEdit(str(row.amount.normalize()) if row else "")
        self.amount.setPlaceholderText("如：7000")
        self.document_no = QLineEdit(row.document_no if row else "")
        self.document_no.setPlaceholderText("如：皖乡振〔2022〕12号")
        self.effective = QDateEdit()
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("yyyy-MM-dd")
        self.effective.setSpecialValueText("（不填）")
        self.effective.setMinimumDate(QDate(2000, 1, 1))
        if row and row.effective_date:
            d = row.effective_date
            self.effective.setDate(QDate(d.year, d.month, d.day))
        else:
            self.effective.setDate(self.effective.minimumDate())
        self.note = QLineEdit(row.note if row else "")
        self.error = _error_label()

        form = QFormLayout()
        form.addRow("年度：", self.year)
        form.addRow("适用地区：", self.region)
        form.addRow("监测范围（元/人·年）：", self.amount)
        form.addRow("文号：", self.document_no)
        form.addRow("执行日期：", self.effective)
        form.addRow("备注：", self.note)
        buttons = ok_cancel_buttons(self, "保存", on_ok=self.try_accept)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def values(self) -> dict[str, Any]:
        date = self.effective.date()
        return {
            "year": self.year.value(),
            "region": self.region.currentText(),
            "amount": self.amount.text(),
            "document_no": self.document_no.text(),
            "effective_date": None if date == self.effective.minimumDate() else date.toPython(),
            "note": self.note.text(),
        }

    def try_accept(self) -> None:
        values = self.values()
        warning = threshold_service.implausible_amount(values["amount"])
        if warning and values["amount"] != self._warned_amount:  # asked once; 保存 again saves
            self._warned_amount = values["amount"]
            self.error.setText(f"{warning}；确认无误再点一次保存。")
            self.amount.setFocus()
            return
        self._save(values, lambda _result: self.accept(), self.show_refusal)

    def show_refusal(self, exc: UserError) -> None:
        """A value the service refused: named beside the fields, the focus on the field."""
        fields = {
            "year": self.year,
            "region": self.region,
            "amount": self.amount,
            "document_no": self.document_no,
        }
        show_refusal(self, self.error, fields, exc)


class ThresholdsPanel(QWidget):
    """Thresholds by year and region with their 文号: list, add, edit, delete."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.model = ThresholdModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ThresholdModel.DOCUMENT, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda *_: self.edit_selected())
        self.view.selectionModel().selectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton(qta.icon("fa5s.plus"), "新增")
        self.edit_button = QPushButton(qta.icon("fa5s.edit"), "修改")
        self.delete_button = QPushButton(qta.icon("fa5s.trash-alt"), "删除")
        self.add_button.clicked.connect(self.add)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        hint = QLabel("监测范围按年度和地区设置，并注明发文文号。没有本地区标准的年度，使用“全国”标准。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")
        buttons = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(row, 1)
        self.regions_known: list[str] = [threshold_service.NATIONAL]
        self._update_buttons()

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def refresh(self) -> None:
        self.model.set_rows(self.ops.read(threshold_service.list_rows))
        self.regions_known = self.ops.read(threshold_service.regions)
        self._update_buttons()

    def selected_row(self) -> ThresholdRow | None:
        indexes = self.view.selectionModel().selectedRows()
        return self.model.row_data(indexes[0].row()) if indexes else None

    def _update_buttons(self, *_: Any) -> None:
        has = self.selected_row() is not None
        self.edit_button.setEnabled(has)
        self.delete_button.setEnabled(has)

    def _select_id(self, ident: int) -> None:
        row = self.model.row_of(ident)
        if row is not None:
            self.view.selectRow(row)

    def add(self) -> None:
        self._open_dialog(None)

    def edit_selected(self) -> None:
        row = self.selected_row()
        if row is not None:
            self._open_dialog(row)

    def _open_dialog(self, row: ThresholdRow | None) -> None:
        saved: list[int] = []

        def save(
            values: dict[str, Any], success: Callable[[Any], None], refused: Callable[[UserError], None]
        ) -> None:
            def done(threshold_id: int) -> None:
                saved.append(threshold_id)
                success(threshold_id)

            setting_ops.save_threshold(
                self.ops,
                row.id if row else None,
                values,
                parent=self,
                success=done,
                user_error=refused,
                origin=self,
            )

        dialog = ThresholdDialog(save, self.regions_known, row, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and saved:
            self.refresh()
            self._select_id(saved[-1])

    def delete_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if not self.confirm(
            "确认删除", f"确定要删除 {row.year} 年“{row.region}”的监测范围（{row.amount} 元）吗？"
        ):
            return
        setting_ops.delete_threshold(
            self.ops, row.id, parent=self, success=lambda _r: self.refresh(), origin=self
        )


# =========================================================================== department warning limits


@dataclass(frozen=True)
class WarningLimitRow:
    """One year's stored 医保 limits (``id`` is the year, for the table's selection)."""

    id: int
    single: Decimal
    yearly: Decimal
    doc: str


def _yuan(v: Decimal) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if v != v.to_integral() else f"{int(v):,}"


def _stored_limits(session: Any) -> list[WarningLimitRow]:
    table = settings_service.load(session).warning_thresholds or {}
    rows = []
    for year, entry in table.items():
        entry = entry or {}
        rows.append(
            WarningLimitRow(
                int(year),
                Decimal(str(entry.get("single") or warning_service.DEFAULT_SINGLE_LIMIT)),
                Decimal(str(entry.get("yearly") or warning_service.DEFAULT_YEARLY_LIMIT)),
                str(entry.get("doc") or ""),
            )
        )
    return sorted(rows, key=lambda r: r.id)


class WarningLimitModel(RowsModel):
    """The years with stored limits, read-only (edited in the form beside)."""

    YEAR, SINGLE, YEARLY, DOC = range(4)
    NUMBERED_ROWS = False
    COLUMNS = (
        Column("年度", lambda r: str(r.id), sort=lambda r: r.id, align=RIGHT),
        Column("单次自付限额（元）", lambda r: _yuan(r.single), sort=lambda r: r.single, align=RIGHT),
        Column("年度累计自付限额（元）", lambda r: _yuan(r.yearly), sort=lambda r: r.yearly, align=RIGHT),
        Column("文号", lambda r: r.doc),
    )


def _money_value(text: str, field: str, label: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not cleaned:
        raise ValidationError(field, f"请填写{label}（元），如 10000。")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(field, f"{label}“{text.strip()}”不是金额，请只填数字，如 10000。") from None
    if not value.is_finite():
        raise ValidationError(field, f"{label}“{text.strip()}”不是金额，请只填数字，如 10000。")
    return value


class WarningLimitsPanel(QWidget):
    """部门预警限额: the 医保 single and yearly self-paid limits of each year with their 文号; 保存 is
    one operation (``setting_ops.save_warning_thresholds``) that re-flags the medical warnings."""

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.model = WarningLimitModel(parent=self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.setAlternatingRowColors(True)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.view.setMinimumWidth(520)
        self.view.selectionModel().selectionChanged.connect(self._row_selected)

        self.year = QSpinBox()
        self.year.setRange(2020, dt.date.today().year + 10)
        self.year.setValue(dt.date.today().year)
        self.year.setSuffix(" 年")
        self.year.setGroupSeparatorShown(False)
        self.year.setMinimumWidth(100)
        self.year.setMaximumWidth(120)
        self.single = QLineEdit()
        self.single.setPlaceholderText("如：10000")
        self.yearly = QLineEdit()
        self.yearly.setPlaceholderText("如：30000")
        self.doc = QLineEdit()
        self.doc.setPlaceholderText("如：金医保〔2026〕5号")
        for edit in (self.single, self.yearly):
            edit.setMaximumWidth(160)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.error = _error_label()
        self.message = QLabel()
        self.message.setStyleSheet("color: #188038;")
        self.save_button = QPushButton(qta.icon("fa5s.save"), "保存")
        self.save_button.clicked.connect(self.save)

        hint = QLabel(
            "医保部门推送的预警：单次自付超过“单次自付限额”、或当年累计自付超过“年度累计自付限额”的，"
            "列为需核实的预警。限额按年度设置并注明文号；某年未设置时沿用之前最近一年的限额，"
            f"都未设置时按默认 {_yuan(warning_service.DEFAULT_SINGLE_LIMIT)} / "
            f"{_yuan(warning_service.DEFAULT_YEARLY_LIMIT)} 元。保存后重新判断全部医保预警。"
        )
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #5f6368;")

        box = QGroupBox("设置某一年度的限额")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("年度：", self.year)
        form.addRow("", self.status)
        form.addRow("单次自付限额（元）：", self.single)
        form.addRow("年度累计自付限额（元）：", self.yearly)
        form.addRow("文号：", self.doc)
        form.addRow(self.error)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.save_button)
        form.addRow(bar)
        box.setMinimumWidth(420)
        box.setMaximumWidth(560)

        side = QVBoxLayout()
        side.addWidget(box)
        side.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.view, 1)
        row.addLayout(side)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addLayout(row, 1)

        self._rows: list[WarningLimitRow] = []
        self.year.valueChanged.connect(lambda _year: self._show_year())

    def refresh(self) -> None:
        self._rows = self.ops.read(_stored_limits)
        self.model.set_rows(self._rows)
        self._show_year()

    def _row_selected(self, *_: Any) -> None:
        indexes = self.view.selectionModel().selectedRows()
        if indexes:
            row = self.model.row_data(indexes[0].row())
            if row is not None and row.id != self.year.value():
                self.year.setValue(row.id)

    def _show_year(self) -> None:
        """The chosen year's limits in the form: its own, or the ones it falls back to."""
        year = self.year.value()
        self.error.hide()
        self.message.clear()
        stored = next((r for r in self._rows if r.id == year), None)
        if stored is not None:
            single, yearly, doc = stored.single, stored.yearly, stored.doc
            self.status.setText(f"{year} 年已设置" + (f"（{doc}）" if doc else "（未填文号）") + "。")
            self.status.setStyleSheet("color: #188038;")
        else:
            effective = self.ops.read(lambda s: warning_service.thresholds_for(s, year))
            single, yearly, doc = effective.single, effective.yearly, ""
            earlier = [r for r in self._rows if r.id < year]
            if earlier:
                self.status.setText(
                    f"{year} 年未设置，沿用 {earlier[-1].id} 年的 {_yuan(single)} / {_yuan(yearly)} 元。"
                )
            else:
                self.status.setText(f"{year} 年未设置，按默认 {_yuan(single)} / {_yuan(yearly)} 元。")
            self.status.setStyleSheet("color: #b06000;")
        self.single.setText(_money_plain(single))
        self.yearly.setText(_money_plain(yearly))
        self.doc.setText(doc)
        index = self.model.row_of(year)
        if index is None:
            self.view.clearSelection()
        elif not self.view.selectionModel().isRowSelected(index):
            self.view.selectRow(index)

    def values(self) -> tuple[int, Decimal, Decimal, str]:
        """The form; raises ValidationError naming the field."""
        single = _money_value(self.single.text(), "single", "单次自付限额")
        yearly = _money_value(self.yearly.text(), "yearly", "年度累计自付限额")
        doc = self.doc.text().strip()
        if len(doc) > 60:
            raise ValidationError("doc", "文号不能超过 60 个字。")
        return self.year.value(), single, yearly, doc

    def save(self) -> None:
        self.error.hide()
        self.message.clear()
        try:
            year, single, yearly, doc = self.values()
        except ValidationError as exc:
            self.show_refusal(exc)
            return

        def saved(_result: object) -> None:
            self.refresh()
            self.message.setText(
                f"已保存 {year} 年的限额，医保预警已按新限额重新判断（{dt.datetime.now():%H:%M:%S}）。"
            )

        setting_ops.save_warning_thresholds(
            self.ops,
            year,
            single,
            yearly,
            doc,
            parent=self,
            success=saved,
            user_error=self.show_refusal,
            origin=self,
        )

    def show_refusal(self, exc: UserError) -> None:
        show_refusal(self, self.error, {"single": self.single, "yearly": self.yearly, "doc": self.doc}, exc)


def _money_plain(v: Decimal) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".") if v != v.to_integral() else str(int(v))


# =========================================================================== the page


class SettingsPage(Page):
    """系统设置. Its saves announce ``SETTINGS`` to the window (title, status bar, other pages).

    From the change notices: its own changes (``origin`` one of its parts) are already shown, a
    new threshold region is offered in the form; household changes elsewhere only recount the
    village tree (unsaved form edits are kept); anything else reloads the page."""

    SHOWS = ("settings", "households")

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(ops, parent)
        self.form = TownshipForm()
        self.villages = VillagesPanel(ops)
        self.thresholds = ThresholdsPanel(ops)
        self.holidays = HolidaysPanel(ops)
        self.warning_limits = WarningLimitsPanel(ops)
        self._counts_stale = False

        self.save_button = QPushButton(qta.icon("fa5s.save", color="white"), "保存")
        self.save_button.setDefault(True)
        self.save_button.setStyleSheet(
            "QPushButton { background: #1a73e8; color: white; padding: 5px 18px; border-radius: 3px; }"
            "QPushButton:hover { background: #1765cc; }"
        )
        self.revert_button = QPushButton("放弃修改")
        self.save_button.clicked.connect(self.save)
        self.revert_button.clicked.connect(self.refresh)
        self.message = QLabel()
        self.message.setWordWrap(True)

        township_tab = QWidget()
        t = QVBoxLayout(township_tab)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        t.addWidget(scroll, 1)
        bar = QHBoxLayout()
        bar.addWidget(self.message, 1)
        bar.addWidget(self.revert_button)
        bar.addWidget(self.save_button)
        t.addLayout(bar)

        self.tabs = QTabWidget()
        self.tabs.addTab(township_tab, qta.icon("fa5s.home"), "乡镇信息")
        self.tabs.addTab(self.villages, qta.icon("fa5s.sitemap"), "行政村与村民小组")
        self.tabs.addTab(self.thresholds, qta.icon("fa5s.coins"), "监测范围标准")
        self.tabs.addTab(self.holidays, qta.icon("fa5s.calendar-alt"), "节假日")
        self.tabs.addTab(self.warning_limits, qta.icon("fa5s.bell"), "部门预警限额")

        title = QLabel("系统设置")
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)
        self.refresh()

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if origin is self.thresholds:
            self._reload_regions()
            return
        if origin in (self, self.villages, self.holidays, self.warning_limits) or not changes.touches(
            *self.SHOWS
        ):
            return
        if changes.settings:
            super().on_changes(changes, origin)
        elif self.isVisible():
            self.villages.refresh()  # household counts of the villages and groups
        else:
            self._counts_stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._counts_stale:
            self._counts_stale = False
            self.villages.refresh()

    def refresh(self) -> None:
        view = self.ops.read(settings_service.load_view)
        self.form.load(view.township, view.threshold_regions)
        self._show_message("")
        self._counts_stale = False
        self.villages.refresh()
        self.thresholds.refresh()
        self.holidays.refresh()
        self.warning_limits.refresh()

    def _reload_regions(self) -> None:
        known = self.ops.read(threshold_service.regions)
        keep = self.form.threshold_region.currentText()
        self.form.threshold_region.clear()
        self.form.threshold_region.addItems([""] + [r for r in known if r != threshold_service.NATIONAL])
        self.form.threshold_region.setCurrentText(keep)

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #b3261e;" if error else "color: #188038;")

    def save(self) -> bool:
        """Save the township form (one operation); a refused value is named beside the button.

        False when the form was refused; True when saved (or, on the worker thread, being saved)."""
        try:
            changes = self.form.values()
        except ValidationError as exc:
            self._refused(exc)
            return False
        done: list[bool] = []

        def saved(_settings: object) -> None:
            log.info("township settings saved")
            done.append(True)
            self._show_message(f"已保存（{dt.datetime.now():%H:%M:%S}）")

        task = setting_ops.save_township(
            self.ops, changes, parent=self, success=saved, user_error=self._refused, origin=self
        )
        return bool(done) or not task.finished

    def _refused(self, exc: UserError) -> None:
        self._show_message(str(exc), error=True)
        if isinstance(exc, ValidationError):
            self.tabs.setCurrentIndex(0)
            self.form.focus_field(exc.field)
