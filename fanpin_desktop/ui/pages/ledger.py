"""问题整改台账 (附件4): the problems found and their rectification, 四项清单 followed to 销号.

A list with filters (批次, 村, 状态, 问题类型, 只看超期, 立行立改), add and edit, and the status
steps 整改中 → 已整改 → 已销号 (with the verification date and verifier; a failed verification
goes back to 整改中). Items still being rectified after their deadline are shaded red; problems
fixed on the spot (立行立改) are listed grey and marked — they count as found but are not ledger
items. The ledger exports as appendix 4 (xlsx) and prints as PDF.

Every write is an operation of ``ui.operations.ledger``; the page reloads from the change notice
(``LEDGER`` from here, from the entry form's Ctrl+L, or a campaign deleted) like every page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import appendix_export, ledger
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services.ledger import ProblemRow
from fanpin_desktop.ui import empty_hint as hints
from fanpin_desktop.ui.common import (
    ask_yes_no,
    current_proxied_row,
    list_keys,
    ok_cancel_buttons,
    record_table,
    select_proxied_row,
)
from fanpin_desktop.ui.dialogs.problem_dialog import ProblemDialog
from fanpin_desktop.ui.geometry import fit_to_screen, show_whole_items, wrap_rows
from fanpin_desktop.ui.mask_ids import MaskIdsCheckBox
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import ledger as ledger_ops
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.pages.screening.actions import PDF_FILTER, XLSX_FILTER, FileJobs
from fanpin_desktop.ui.table_models.screening import SORT_ROLE, ProblemTableModel
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import IdCombo, ValueCombo, icon

log = logging.getLogger(__name__)

ALL_CAMPAIGNS = -1
NEEDS_A_CAMPAIGN = (
    "整改台账中的问题都属于某个排查批次（附件4按批次打印和导出）。"
    "请先在“集中排查”页面新建排查批次，再登记问题。"
)
APPENDIX4_NEEDS_CAMPAIGN = (
    "附件4按排查批次打印和导出（一张附件4只属于一个年度的排查批次），请先在“批次”中选择一个排查批次。"
)


class StatusDialog(QDialog):
    """A date and a text for a status step (整改完成 / 验收销号 / 退回整改)."""

    def __init__(
        self,
        title: str,
        date_label: str | None,
        text_label: str,
        parent: QWidget | None = None,
        text_required: bool = False,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self._required = text_required
        self.day = QDateEdit()
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.day.setCalendarPopup(True)
        self.day.setDate(QDate(today or dt.date.today()))
        self.text = QLineEdit()
        self.message = QLabel()
        self.message.setStyleSheet("color:#a50e0e")
        form = QFormLayout()
        if date_label:
            form.addRow(date_label, self.day)
        form.addRow(text_label, self.text)
        buttons = ok_cancel_buttons(self)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        fit_to_screen(self, "ledger_status", (380, 140))

    def accept(self) -> None:
        if self._required and not self.text.text().strip():
            self.message.setText("请填写原因。")
            return
        super().accept()

    def result_values(self) -> tuple[dt.date, str]:
        return self.day.date().toPython(), self.text.text().strip()


class LedgerPage(Page):
    """The rectification ledger page."""

    #: problems; the campaigns (批次 filter), villages and household names it lists
    SHOWS = ("ledger", "screening", "households", "settings")

    def __init__(
        self,
        ops: Operations,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ops, parent)
        self._today = today
        self._loading = False
        self.jobs = FileJobs(self, exports_dir, ops)
        self.last_problem_id: int | None = None  # the problem added last (selected in the list)

        # ---- filters
        self.campaign = IdCombo(blank_text=None)
        self.village = IdCombo(blank_text="全部村")
        self.status = ValueCombo(ledger.STATUSES, blank_text="全部状态")
        self.problem_type = ValueCombo(ledger.problem_types(), blank_text="全部问题类型")
        self.overdue_only = QCheckBox("只看超期")
        self.include_spot = QCheckBox("含立行立改")
        self.include_spot.setChecked(True)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("批次"))
        filters.addWidget(self.campaign, 1)
        filters.addWidget(self.village, 1)
        filters.addWidget(self.status)
        filters.addWidget(self.problem_type)
        filters.addWidget(self.overdue_only)
        filters.addWidget(self.include_spot)
        show_whole_items(self.village, self.status, self.problem_type)
        filters.addStretch(1)

        # ---- actions
        self.add_button = QPushButton(icon("fa5s.plus"), "新增问题")
        self.edit_button = QPushButton(icon("fa5s.edit"), "编辑")
        self.delete_button = QPushButton(icon("fa5s.trash-alt"), "删除")
        self.rectified_button = QPushButton(icon("fa5s.check"), "标记已整改…")
        self.close_button = QPushButton(icon("fa5s.check-double"), "验收销号…")
        self.back_button = QPushButton(icon("fa5s.undo"), "退回整改…")
        self.export_button = QPushButton(icon("fa5s.file-excel"), "导出附件4")
        self.print_button = QPushButton(icon("fa5s.print"), "打印附件4")
        actions = QHBoxLayout()
        for b in (
            self.add_button,
            self.edit_button,
            self.delete_button,
            self.rectified_button,
            self.close_button,
            self.back_button,
        ):
            actions.addWidget(b)
        actions.addStretch(1)
        self.mask_ids = MaskIdsCheckBox(self.ops)  # the copy of 附件4 that leaves the office
        actions.addWidget(self.mask_ids)
        actions.addWidget(self.export_button)
        actions.addWidget(self.print_button)

        self.counts_label = QLabel()
        self.counts_label.setTextFormat(Qt.TextFormat.RichText)

        # ---- table
        self.model = ProblemTableModel(parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.view = record_table(
            self.proxy, (36, 72, 60, 136, 96, 164, 140, 72, 84, 120, 84, 84, 84), sortable=True
        )
        wrap_rows(self.view)  # 问题类型, 具体问题, 整改措施, 责任人 and 整改状态 shown whole

        legend = QLabel(
            "<span style='background:#fce8e6;color:#a50e0e'>&nbsp;红色&nbsp;</span> 超过整改时限仍在整改中"
            "　<span style='color:#6b7280'><i>灰色</i></span> 立行立改（不列入台账和附件4）"
            "　<span style='color:#1e7e34'>绿色</span> 已销号"
        )
        legend.setTextFormat(Qt.TextFormat.RichText)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(actions)
        layout.addWidget(self.counts_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(legend)
        self.empty_hint = hints.EmptyHint(
            "台账中还没有问题",
            "集中排查中发现的问题在这里登记（到户、村级或乡镇级），整改后标记已整改，验收后销号。",
        )
        self.empty_hint.add_button("新增问题…", lambda: self.add_problem(), "fa5s.plus")
        layout.insertWidget(0, self.empty_hint)

        for combo in (self.campaign, self.village):
            combo.valueChanged.connect(lambda _v: self.reload())
        for combo2 in (self.status, self.problem_type):
            combo2.valueChanged.connect(lambda _v: self.reload())
        self.overdue_only.toggled.connect(lambda _c: self.reload())
        self.include_spot.toggled.connect(lambda _c: self.reload())
        self.add_button.clicked.connect(lambda: self.add_problem())
        self.edit_button.clicked.connect(lambda: self.edit_current())
        self.delete_button.clicked.connect(lambda: self.delete_current())
        self.rectified_button.clicked.connect(lambda: self.mark_rectified())
        self.close_button.clicked.connect(lambda: self.close_current())
        self.back_button.clicked.connect(lambda: self.send_back())
        self.export_button.clicked.connect(lambda: self.export_appendix4())
        self.print_button.clicked.connect(lambda: self.print_appendix4())
        self.view.doubleClicked.connect(lambda _i: self.edit_current())
        self.view.selectionModel().currentRowChanged.connect(lambda _a, _b: self._update_buttons())
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_problem)
        list_keys(self.view, opens=self.edit_current, deletes=self.delete_current)
        self.refresh()

    # ------------------------------------------------------------------ data

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def refresh(self) -> None:
        campaigns = self.ops.read(campaign_service.list_campaigns)
        current = self.ops.read(campaign_service.current_id)
        villages = [(v.id, v.name) for v in self.ops.read(household_service.region_options)]
        chosen = self.campaign.value() if self.campaign.count() else current
        self._loading = True
        try:
            self.campaign.set_items(
                [(ALL_CAMPAIGNS, "全部批次"), *((c.id, c.name) for c in campaigns)], keep=False
            )
            if not self.campaign.set_value(chosen if chosen is not None else current):
                self.campaign.set_value(current if current is not None else ALL_CAMPAIGNS)
            self.village.set_items(villages)
        finally:
            self._loading = False
        self.reload()

    def show_every_overdue(self) -> None:
        """The overdue problems of every batch, 立行立改 left out (what the 工作台's card counts)."""
        self.campaign.set_value(ALL_CAMPAIGNS)
        self.include_spot.setChecked(False)
        self.overdue_only.setChecked(True)

    def campaign_id(self) -> int | None:
        value = self.campaign.value()
        return None if value in (None, ALL_CAMPAIGNS) else value

    def year(self) -> int | None:
        cid = self.campaign_id()
        if cid is None:
            return None
        return self.ops.read(campaign_service.info, cid).year

    def reload(self) -> None:
        if self._loading:
            return
        keep = self.current_problem_id()
        self._update_file_buttons()
        rows = self.ops.read(
            ledger.list_problems,
            campaign_id=self.campaign_id(),
            village_id=self.village.value(),
            statuses=[self.status.value()] if self.status.value() else None,
            include_on_the_spot=self.include_spot.isChecked(),
            overdue_only=self.overdue_only.isChecked(),
            today=self.today(),
        )
        counts = self.ops.read(ledger.counts, self.campaign_id(), self.today())
        wanted = self.problem_type.value()
        if wanted:
            rows = [r for r in rows if r.problem_type == wanted]
        self.model.set_rows(rows)
        self.empty_hint.set_empty(counts.total == 0 and counts.on_the_spot == 0)
        over = f"<b style='color:#a50e0e'>超期 {counts.overdue}</b>" if counts.overdue else "超期 0"
        self.counts_label.setText(
            f"台账共 {counts.total} 条：整改中 {counts.in_progress}，已整改 {counts.rectified}，"
            f"已销号 {counts.closed}，{over}；另有立行立改 {counts.on_the_spot} 条。　当前列出 {len(rows)} 条。"
        )
        if keep is not None:
            self.select_problem(keep)
        self._update_buttons()

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if origin is self:  # its own write: reloaded and selected in the operation's success
            return
        super().on_changes(changes, origin)

    # ------------------------------------------------------------------ selection

    def current_row(self) -> ProblemRow | None:
        return current_proxied_row(self.view, self.proxy, self.model)

    def current_problem_id(self) -> int | None:
        row = self.current_row()
        return row.id if row else None

    def select_problem(self, problem_id: int) -> bool:
        return select_proxied_row(self.view, self.proxy, self.model, problem_id)

    def _update_buttons(self) -> None:
        row = self.current_row()
        has = row is not None
        self.edit_button.setEnabled(has and row.status != ledger.CLOSED)  # type: ignore[union-attr]
        self.delete_button.setEnabled(has)
        self.rectified_button.setEnabled(has and row.status == ledger.IN_PROGRESS)  # type: ignore[union-attr]
        self.close_button.setEnabled(has and row.status == ledger.RECTIFIED)  # type: ignore[union-attr]
        self.back_button.setEnabled(has and row.status == ledger.RECTIFIED)  # type: ignore[union-attr]

    # ------------------------------------------------------------------ add / edit / delete
    #
    # Each returns the operation's Task (None when nothing was started); the list reloads from the
    # change notice, and what follows (selecting the row) happens when the write is done.

    def add_problem(self, values: dict[str, Any] | None = None) -> Task | None:
        year, cid = self.year(), self.campaign_id()
        if cid is None:  # 全部批次 shown: a new problem belongs to the current batch (附件4 is per batch)
            cid = self.ops.read(campaign_service.current_id)
            if cid is None:
                self.jobs.inform("请先新建排查批次", NEEDS_A_CAMPAIGN)
                return None
            year = self.ops.read(campaign_service.info, cid).year

        def save(
            v: dict[str, Any],
            saved: Callable[[int], None],
            refused: Callable[[UserError], None] | None = None,
        ) -> Task:
            def added(pid: int) -> None:
                self.last_problem_id = pid
                self.reload()
                self.select_problem(pid)
                saved(pid)

            return ledger_ops.create_problem(
                self.ops,
                v,
                campaign_id=cid,
                year=year,
                parent=self,
                success=added,
                user_error=refused,
                origin=self,
            )

        if values is not None:
            return save(values, lambda _pid: None)
        dialog = ProblemDialog(
            self.ops, self, year=year, village_id=self.village.value(), save=save, today=self.today()
        )
        dialog.exec()
        dialog.deleteLater()
        return None

    def edit_current(self, values: dict[str, Any] | None = None) -> Task | None:
        row = self.current_row()
        if row is None:
            return None
        if row.status == ledger.CLOSED:
            self.jobs.inform("不能修改", "已销号的问题不能再修改；如问题反弹，请另行登记。")
            return None
        year = self.year()

        def save(
            v: dict[str, Any],
            saved: Callable[[int], None],
            refused: Callable[[UserError], None] | None = None,
        ) -> Task:
            def edited(pid: int) -> None:
                self.reload()
                saved(pid)

            return ledger_ops.edit_problem(
                self.ops, row.id, v, year=year, parent=self, success=edited, user_error=refused, origin=self
            )

        if values is not None:
            return save(values, lambda _pid: None)
        dialog = ProblemDialog(self.ops, self, problem=row, year=year, save=save, today=self.today())
        dialog.exec()
        dialog.deleteLater()
        return None

    def confirm(self, title: str, text: str) -> bool:
        return ask_yes_no(self, title, text)

    def delete_current(self) -> Task | None:
        row = self.current_row()
        if row is None or not self.confirm("删除问题", f"确定删除问题“{row.description[:40]}”吗？"):
            return None
        return ledger_ops.delete_problem(
            self.ops, row.id, parent=self, success=lambda _r: self.reload(), origin=self
        )

    # ------------------------------------------------------------------ status steps

    def ask_status(
        self, title: str, date_label: str | None, text_label: str, required: bool = False
    ) -> tuple[dt.date, str] | None:
        dialog = StatusDialog(title, date_label, text_label, self, required, self.today())
        result = dialog.result_values() if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return result

    def _step(self, step: Callable[..., Task]) -> Task | None:
        """A status step of the selected problem; a refused step (ValidationError) shows its message."""
        row = self.current_row()
        if row is None:
            return None

        def done(_result: object) -> None:
            self.reload()
            self.select_problem(row.id)

        return step(self.ops, row.id, parent=self, success=done, origin=self)

    def mark_rectified(self, on: dt.date | None = None, note: str | None = None) -> Task | None:
        """整改中 → 已整改 with the completion date."""
        if on is None:
            asked = self.ask_status("标记已整改", "整改完成日期", "整改情况（可不填）")
            if asked is None:
                return None
            on, note = asked
        day = on
        return self._step(lambda ops, pid, **kw: ledger_ops.mark_rectified(ops, pid, day, note or None, **kw))

    def close_current(self, on: dt.date | None = None, by: str | None = None) -> Task | None:
        """已整改 → 已销号 after verification, with the verification date."""
        if on is None:
            asked = self.ask_status("验收销号", "销号（验收）日期", "验收人")
            if asked is None:
                return None
            on, by = asked
        day = on
        return self._step(lambda ops, pid, **kw: ledger_ops.close_problem(ops, pid, day, by or None, **kw))

    def send_back(self, reason: str | None = None) -> Task | None:
        """已整改 → 整改中: the verification found the rectification incomplete."""
        if reason is None:
            asked = self.ask_status("退回整改", None, "验收未通过的原因", required=True)
            if asked is None:
                return None
            reason = asked[1]
        why = reason
        return self._step(lambda ops, pid, **kw: ledger_ops.send_back(ops, pid, why, **kw))

    # ------------------------------------------------------------------ files

    def _appendix4_campaign(self) -> int | None:
        """The batch 附件4 is printed or exported for; with 全部批次 both refuse alike (an official
        附件4 belongs to one campaign year, so problems of several batches are never mixed)."""
        cid = self.campaign_id()
        if cid is None:
            self.jobs.inform("请选择批次", APPENDIX4_NEEDS_CAMPAIGN)
        return cid

    def _update_file_buttons(self) -> None:
        """Say up front that 附件4 needs one batch (the buttons still explain when clicked)."""
        chosen = self.campaign_id() is not None
        for button, verb in ((self.export_button, "导出"), (self.print_button, "打印")):
            button.setToolTip(f"{verb}所选批次的附件4 问题整改台账" if chosen else APPENDIX4_NEEDS_CAMPAIGN)

    def export_appendix4(self, path: Path | None = None) -> None:
        cid = self._appendix4_campaign()
        if cid is None:
            return
        village = self.village.value()
        name = self.ops.read(appendix_export.default_filename_for, cid, 4, village)
        path = path or self.jobs.save_path("导出附件4 问题整改台账", name, XLSX_FILTER)
        if path is None:
            return
        screening_ops.export_appendix(
            self.ops,
            4,
            path,
            campaign_id=cid,
            village_id=village,
            mask_ids=self.mask_ids.isChecked(),
            parent=self,
            success=lambda r: self.jobs.offer_open(
                "导出完成", f"已导出附件4（{r.rows}条）到：\n{r.path}", r.path
            ),
        )

    def print_appendix4(self, path: Path | None = None, paper: str = "A4") -> None:
        cid = self._appendix4_campaign()
        if cid is None:
            return
        village = self.village.value()
        path = path or self.jobs.save_path(
            "打印附件4 问题整改台账", f"附件4_问题整改台账_{self.today():%Y%m%d}.pdf", PDF_FILTER
        )
        if path is None:
            return
        screening_ops.print_appendix4(
            self.ops,
            path,
            campaign_id=cid,
            village_id=village,
            paper=paper,
            mask_ids=self.mask_ids.isChecked(),
            parent=self,
            success=self.jobs.open,
        )
