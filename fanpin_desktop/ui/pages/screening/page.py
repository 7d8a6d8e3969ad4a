"""集中排查: the current campaign and its four appendices.

At the top: the campaign (several may exist, one is current; 批次管理 edits them) and the village
the page works on (全部行政村 = the township). Tabs: 到户排查 (appendix 1 list and the keyboard
entry form), 村级排查 (appendix 2), 统计表 (appendix 3 with weekly reports and the inputs that are
not records) and 排查进度 (已排查/应排查 and the households still missing). The 导出, 导入 and 打印
menus export xlsx for the village or the township, read back files filled in by villages, and
print PDFs that open in the system's viewer; 工作总结 drafts the self-inspection report (.docx).

The page refreshes from the window's change notices (``on_changes``): a write of one of its tabs
marks the other tabs stale (the tab shows its own write already), a write made while the entry
form is open waits until the form closes, and anything else reloads the page (or, hidden, when it
is shown again).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services import appendix_export
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import households as household_service
from fanpin_desktop.services.appendix_import import ImportReport
from fanpin_desktop.services.printing import PrintOptions
from fanpin_desktop.ui.dialogs.screening_form import ScreeningFormDialog
from fanpin_desktop.ui.mask_ids import MASK_LABEL, add_mask_action, mask_setting
from fanpin_desktop.ui.operations import Changes, Operations
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.pages.screening.actions import DOCX_FILTER, PDF_FILTER, XLSX_FILTER, FileJobs
from fanpin_desktop.ui.pages.screening.dialogs import Appendix1PrintDialog, ImportReportDialog
from fanpin_desktop.ui.pages.screening.households_tab import HouseholdsTab
from fanpin_desktop.ui.pages.screening.progress_tab import ProgressTab
from fanpin_desktop.ui.pages.screening.stats_tab import StatsTab
from fanpin_desktop.ui.pages.screening.village_tab import VillageTab
from fanpin_desktop.ui.widgets import IdCombo, icon

log = logging.getLogger(__name__)

TAB_HOUSEHOLDS, TAB_VILLAGE, TAB_STATS, TAB_PROGRESS = range(4)
APPENDIX_NAMES = {1: "到户排查表", 2: "村级排查表", 3: "排查情况统计表", 4: "问题整改台账"}


class ScreeningPage(Page):
    """The concentrated-screening page."""

    #: campaigns and records; the registry (households, villages), clues and ledger problems
    #: appear in its lists and statistics
    SHOWS = ("screening", "households", "cases", "ledger", "settings")

    def __init__(
        self,
        ops: Operations,
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(ops, parent)
        self._today = today
        self.jobs = FileJobs(self, exports_dir, ops)
        self.form_factory = ScreeningFormDialog  # tests and the benchmark may replace it
        self._form_open = False  # changes made in the entry form reload the page once it closes
        self._campaigns: list[campaign_service.CampaignInfo] = []
        self._all_villages: list[tuple[int, str]] = []
        self._loading = False  # filling the combos: their signals are ignored (IdCombo unblocks itself)
        self._stale: set[int] = set()

        # ---- campaign and village
        self.campaign = IdCombo(blank_text=None)
        self.campaign.setSizeAdjustPolicy(IdCombo.SizeAdjustPolicy.AdjustToContents)
        self.manage_button = QPushButton(icon("fa5s.calendar-alt"), "批次管理…")
        self.campaign_info = QLabel()
        self.campaign_info.setStyleSheet("color:#4b5563")
        self.village = IdCombo(blank_text="全部行政村")
        self.village.setMinimumContentsLength(8)
        # ---- files
        self.export_button = self._menu_button("导出Excel", "fa5s.file-excel", self._fill_export_menu)
        self.import_button = self._menu_button("导入村里填的表", "fa5s.file-import", self._fill_import_menu)
        self.print_button = self._menu_button("打印PDF", "fa5s.print", self._fill_print_menu)
        self.summary_button = QPushButton(icon("fa5s.file-word"), "生成工作总结")
        self.summary_button.clicked.connect(lambda: self.write_summary())
        top = QHBoxLayout()
        top.addWidget(QLabel("排查批次"))
        top.addWidget(self.campaign)
        top.addWidget(self.manage_button)
        top.addSpacing(12)
        top.addWidget(QLabel("行政村"))
        top.addWidget(self.village)
        top.addStretch(1)
        for b in (self.export_button, self.import_button, self.print_button, self.summary_button):
            top.addWidget(b)

        # ---- tabs
        self.households_tab = HouseholdsTab(ops)
        self.village_tab = VillageTab(ops)
        self.stats_tab = StatsTab(ops, today=today)
        self.progress_tab = ProgressTab(ops)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.households_tab, icon("fa5s.home"), "到户排查（附件1）")
        self.tabs.addTab(self.village_tab, icon("fa5s.flag"), "村级排查（附件2）")
        self.tabs.addTab(self.stats_tab, icon("fa5s.table"), "统计表（附件3）")
        self.tabs.addTab(self.progress_tab, icon("fa5s.tasks"), "排查进度")

        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addWidget(self.tabs, 1)

        empty = QWidget()
        el = QVBoxLayout(empty)
        note = QLabel(
            "还没有建立集中排查批次。\n\n请先新建排查批次：填写年度、排查起止日期、收入统计期和监测范围。"
        )
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.create_button = QPushButton(icon("fa5s.plus"), "新建排查批次…")
        self.create_button.clicked.connect(lambda: self.manage_campaigns())
        el.addStretch(1)
        el.addWidget(note)
        el.addWidget(self.create_button, 0, Qt.AlignmentFlag.AlignCenter)
        el.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(body)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.campaign_info)
        layout.addWidget(self.stack, 1)

        self.campaign.valueChanged.connect(lambda _v: None if self._loading else self._campaign_changed())
        self.village.valueChanged.connect(lambda _v: None if self._loading else self._scope_changed())
        self.manage_button.clicked.connect(lambda: self.manage_campaigns())
        self.tabs.currentChanged.connect(self._tab_shown)
        self.households_tab.open_requested.connect(lambda hid, only: self.open_form(hid, only))
        self.progress_tab.open_requested.connect(
            lambda hid, only: self.open_form(hid, only, village_id=self.progress_tab.selected_village())
        )
        self.refresh()

    def _menu_button(self, text: str, icon_name: str, fill: Any) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setIcon(icon(icon_name))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.aboutToShow.connect(lambda m=menu: fill(m))
        button.setMenu(menu)
        fill(menu)
        return button

    # ------------------------------------------------------------------ scope

    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def campaign_id(self) -> int | None:
        return self.campaign.value()

    def campaign_info_now(self) -> campaign_service.CampaignInfo | None:
        cid = self.campaign_id()
        return next((c for c in self._campaigns if c.id == cid), None)

    def village_id(self) -> int | None:
        return self.village.value()

    def village_name(self) -> str:
        return self.village.currentText() if self.village.value() is not None else ""

    def set_village(self, village_id: int | None) -> None:
        self.village.set_value(village_id)

    def refresh(self) -> None:
        """Reload campaigns and villages, then the tab on screen (the others when shown)."""
        self._campaigns = self.ops.read(campaign_service.list_campaigns)
        current = self.ops.read(campaign_service.current_id)
        villages = self.ops.read(household_service.region_options)
        keep_c, keep_v = self.campaign.value(), self.village.value()
        self._loading = True
        try:
            self.campaign.set_items(
                [(c.id, c.name + ("（当前）" if c.is_current else "")) for c in self._campaigns], keep=False
            )
            if keep_c is None or not self.campaign.set_value(keep_c):
                self.campaign.set_value(current)
            self._all_villages = [(v.id, v.name) for v in villages]
            self._fill_village_combo(keep_v)
        finally:
            self._loading = False
        self._scope_changed()

    def _fill_village_combo(self, keep: int | None) -> None:
        info = self.campaign_info_now()
        covered = set(info.village_ids) if info and info.village_ids else None
        items = [(vid, name) for vid, name in self._all_villages if covered is None or vid in covered]
        self.village.set_items(items, keep=False)
        if keep is not None and self.village.set_value(keep):
            return
        self.village.set_value(items[0][0] if items else None)

    def _campaign_changed(self) -> None:
        """Another campaign: its villages in the village list, then everything reloads."""
        self._loading = True
        try:
            self._fill_village_combo(self.village.value())
        finally:
            self._loading = False
        self._scope_changed()

    def _scope_changed(self) -> None:
        info = self.campaign_info_now()
        self.stack.setCurrentIndex(1 if info else 0)
        for w in (
            self.export_button,
            self.import_button,
            self.print_button,
            self.summary_button,
            self.village,
        ):
            w.setEnabled(info is not None)
        if info is None:
            self.campaign_info.setText("")
            return
        threshold = (
            f"监测范围 {info.threshold_label}元（{info.threshold_region}"
            + (f"，{info.threshold_document}" if info.threshold_document else "")
            + "）"
            if info.threshold_amount is not None
            else "未设置监测范围"
        )
        self.campaign_info.setText(
            f"{info.start_date} 至 {info.end_date}　收入统计期 {info.income_period_label}　{threshold}"
        )
        self._stale = {TAB_HOUSEHOLDS, TAB_VILLAGE, TAB_STATS, TAB_PROGRESS}
        self._tab_shown(self.tabs.currentIndex())

    def _tab_shown(self, index: int) -> None:
        if index not in self._stale:
            return
        self._stale.discard(index)
        cid, vid = self.campaign_id(), self.village_id()
        if index == TAB_HOUSEHOLDS:
            self.households_tab.set_scope(cid, vid)
        elif index == TAB_VILLAGE:
            self.village_tab.set_scope(cid, vid)
        elif index == TAB_STATS:
            self.stats_tab.set_campaign(cid)
            self.stats_tab.select_village(vid)
        elif index == TAB_PROGRESS:
            self.progress_tab.set_campaign(cid)
            self.progress_tab.select_village(vid)

    def _data_changed(self, source_tab: int | None = None) -> None:
        self._stale = {TAB_HOUSEHOLDS, TAB_VILLAGE, TAB_STATS, TAB_PROGRESS} - {source_tab}
        self._tab_shown(self.tabs.currentIndex())

    def on_changes(self, changes: Changes, origin: object | None) -> None:
        if not changes.touches(*self.SHOWS):
            return
        tabs = {
            id(self.households_tab): TAB_HOUSEHOLDS,
            id(self.village_tab): TAB_VILLAGE,
            id(self.stats_tab): TAB_STATS,
            id(self.progress_tab): TAB_PROGRESS,
        }
        source = tabs.get(id(origin))
        if origin is self:  # an import of this page: every tab reloads (the one on screen now)
            self._data_changed()
        elif source is not None:  # one of the tabs saved: it shows that already, the others reload
            self._data_changed(source)
        elif self._form_open:  # the entry form saves household after household: reload once, after
            self.stale = True
        else:
            super().on_changes(changes, origin)

    # ------------------------------------------------------------------ campaigns

    def manage_campaigns(self) -> None:
        from fanpin_desktop.ui.dialogs.campaign_dialog import CampaignDialog

        dialog = CampaignDialog(self.ops, self, today=self.today())
        changed: list[bool] = []
        dialog.changed.connect(lambda: changed.append(True))
        dialog.exec()
        dialog.deleteLater()
        if changed:  # saved, made current or deleted: the page takes the (new) current campaign
            self._loading = True
            try:
                self.campaign.set_items([], keep=False)
            finally:
                self._loading = False
            self.refresh()

    # ------------------------------------------------------------------ entry form

    def make_form(
        self,
        household_id: int | None = None,
        unscreened_only: bool = False,
        village_id: int | None | str = "page",
    ) -> ScreeningFormDialog:
        vid = self.village_id() if village_id == "page" else village_id
        return self.form_factory(
            self.ops,
            household_id,
            self,
            campaign_id=self.campaign_id(),
            village_id=vid,
            unscreened_only=unscreened_only,
        )

    def open_form(
        self,
        household_id: int | None = None,
        unscreened_only: bool = False,
        village_id: int | None | str = "page",
    ) -> None:
        dialog = screening_ops.run_or_tell(self, self.make_form, household_id, unscreened_only, village_id)
        if dialog is None:  # e.g. no household in the village: the clerk has been told
            return
        self._form_open = True
        try:
            dialog.exec()
        finally:
            self._form_open = False
        last = dialog.household_id
        dialog.deleteLater()
        self.refresh_if_stale()  # saved in the form: reload now
        if last is not None:
            self.households_tab.select_household(last)

    # ------------------------------------------------------------------ export / import

    def _fill_export_menu(self, menu: QMenu) -> None:
        menu.clear()
        place = self.village_name() or "全乡镇"
        for n in (1, 2, 3, 4):
            menu.addAction(f"附件{n} {APPENDIX_NAMES[n]}（{place}）…", lambda n=n: self.export_appendix(n))
        if self.village_id() is not None:
            menu.addSeparator()
            for n in (1, 2, 3):
                menu.addAction(
                    f"附件{n} {APPENDIX_NAMES[n]}（全乡镇）…",
                    lambda n=n: self.export_appendix(n, township=True),
                )
        menu.addSeparator()
        add_mask_action(menu, self.ops, f"附件4{MASK_LABEL}")  # only 附件4 holds ID numbers

    def _fill_import_menu(self, menu: QMenu) -> None:
        menu.clear()
        menu.addAction("导入附件1 到户排查表（村里填写的Excel）…", lambda: self.import_appendix(1))
        menu.addAction("导入附件2 村级排查表（村里填写的Excel）…", lambda: self.import_appendix(2))

    def _fill_print_menu(self, menu: QMenu) -> None:
        menu.clear()
        menu.addAction("附件1 到户排查表（空白或预填，A4/A3）…", lambda: self.print_appendix1())
        menu.addAction("附件3 排查情况统计表…", lambda: self.print_appendix3())
        menu.addAction("附件4 问题整改台账…", lambda: self.print_appendix4())
        menu.addSeparator()
        add_mask_action(menu, self.ops, f"附件4{MASK_LABEL}")

    def export_appendix(self, appendix: int, path: Path | None = None, township: bool = False) -> None:
        cid = self.campaign_id()
        if cid is None:
            return
        vid = None if township else self.village_id()
        snapshot = self.stats_tab.snapshot_id() if appendix == 3 else None
        name = self.ops.read(appendix_export.default_filename_for, cid, appendix, vid, self.today())
        path = path or self.jobs.save_path(
            f"导出附件{appendix} {APPENDIX_NAMES[appendix]}", name, XLSX_FILTER
        )
        if path is None:
            return

        def done(r: appendix_export.ExportResult) -> None:
            self.jobs.offer_open(
                "导出完成",
                f"已导出附件{appendix} {APPENDIX_NAMES[appendix]}（{r.rows}行）到：\n{r.path}",
                r.path,
            )

        screening_ops.export_appendix(
            self.ops,
            appendix,
            path,
            campaign_id=cid,
            village_id=vid,
            fill_date=self.today(),
            snapshot_id=snapshot,
            mask_ids=appendix == 4 and mask_setting(self.ops),
            parent=self,
            success=done,
        )

    def import_appendix(self, appendix: int, path: Path | None = None) -> None:
        """Read a workbook filled in by a village; nothing is saved when any cell is wrong."""
        cid = self.campaign_id()
        if cid is None:
            return
        path = path or self.jobs.open_path(f"选择要导入的附件{appendix} {APPENDIX_NAMES[appendix]}")
        if path is None:
            return
        # a file that saved something is announced (the page reloads), then the report is shown
        screening_ops.import_appendix(
            self.ops,
            appendix,
            path,
            cid,
            self.village_id(),
            parent=self,
            success=self.show_import_report,
            origin=self,
        )

    def show_import_report(self, report: ImportReport) -> None:
        dialog = ImportReportDialog(report, self)
        dialog.exec()
        dialog.deleteLater()

    # ------------------------------------------------------------------ printing

    def ask_print_options(self) -> tuple[PrintOptions, Sequence[int] | None] | None:
        vid = self.village_id()
        dialog = Appendix1PrintDialog((vid, self.village_name()) if vid is not None else None, self)
        result = (
            (dialog.options(), dialog.village_ids()) if dialog.exec() == QDialog.DialogCode.Accepted else None
        )
        dialog.deleteLater()
        return result

    def _pdf_name(self, appendix: int, place: str = "") -> str:
        return f"附件{appendix}_{APPENDIX_NAMES[appendix]}_{place or '全乡镇'}_{self.today():%Y%m%d}.pdf"

    def print_appendix1(
        self,
        options: PrintOptions | None = None,
        village_ids: Sequence[int] | None = None,
        path: Path | None = None,
    ) -> None:
        cid = self.campaign_id()
        if cid is None:
            return
        if options is None:
            asked = self.ask_print_options()
            if asked is None:
                return
            options, village_ids = asked
        place = self.village_name() if village_ids else ""
        kind = "空白" if options.blank else "预填"
        name = self._pdf_name(1, place).replace(".pdf", f"_{kind}_{options.paper}.pdf")
        path = path or self.jobs.save_path("打印附件1 到户排查表", name, PDF_FILTER)
        if path is None:
            return
        screening_ops.print_appendix1(
            self.ops,
            path,
            campaign_id=cid,
            village_ids=village_ids,
            options=options,
            fill_date=None if options.blank else self.today(),
            parent=self,
            success=self.jobs.open,
        )

    def print_appendix3(self, path: Path | None = None, paper: str = "A4") -> None:
        cid = self.campaign_id()
        if cid is None:
            return
        report = self.stats_tab.report if self.stats_tab.snapshot_id() is not None else None
        as_of = self.stats_tab.as_of_date()
        day = report.as_of if report is not None else as_of
        path = path or self.jobs.save_path(
            "打印附件3 排查情况统计表",
            self._pdf_name(3).replace(f"{self.today():%Y%m%d}", f"{day:%Y%m%d}"),
            PDF_FILTER,
        )
        if path is None:
            return
        screening_ops.print_appendix3(
            self.ops,
            path,
            campaign_id=cid,
            as_of=as_of,
            report=report,
            paper=paper,
            parent=self,
            success=self.jobs.open,
        )

    def print_appendix4(self, path: Path | None = None, paper: str = "A4") -> None:
        cid = self.campaign_id()
        if cid is None:
            return
        vid = self.village_id()
        path = path or self.jobs.save_path(
            "打印附件4 问题整改台账", self._pdf_name(4, self.village_name()), PDF_FILTER
        )
        if path is None:
            return
        screening_ops.print_appendix4(
            self.ops,
            path,
            campaign_id=cid,
            village_id=vid,
            paper=paper,
            mask_ids=mask_setting(self.ops),
            parent=self,
            success=self.jobs.open,
        )

    def write_summary(self, path: Path | None = None) -> None:
        """Draft the self-inspection / work-summary report (.docx) with the figures filled in."""
        cid = self.campaign_id()
        info = self.campaign_info_now()
        if cid is None or info is None:
            return
        path = path or self.jobs.save_path(
            "生成工作总结", f"{info.name}工作总结_{self.today():%Y%m%d}.docx", DOCX_FILTER
        )
        if path is None:
            return
        screening_ops.write_summary(self.ops, path, campaign_id=cid, parent=self, success=self.jobs.open)
