"""导入花名册: file → sheet, header and columns → preview → result.

Reading, checking and writing run on the task runner (off the GUI thread) with a progress bar in
the page and a cancel button; the database is only written on the last step, in one transaction,
after the clerk has seen what will change. The wizard holds no session: each step is one of the
import operations (``ui/operations/data``); the import announces the changed households to every
page.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import importer
from fanpin_desktop.services.importer.fields import FIELDS, IGNORED
from fanpin_desktop.services.importer.headers import (
    ColumnMapping,
    HeaderInfo,
    header_from_row,
    resolve_mapping,
)
from fanpin_desktop.services.importer.normalise import cell_text
from fanpin_desktop.services.importer.plan import ImportPlan, build_plan
from fanpin_desktop.services.importer.reading import column_letter, sheet_names
from fanpin_desktop.services.regions import list_villages
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import data as data_ops
from fanpin_desktop.ui.table_models.base import Column, RowsModel
from fanpin_desktop.ui.tasks import Task

FILE_FILTER = "花名册 (*.xlsx *.xlsm *.xls *.csv);;Excel 工作簿 (*.xlsx *.xlsm *.xls);;CSV 文件 (*.csv)"
NOT_IMPORTED = "（不导入）"
PREVIEW_ROWS = 3


class PreviewRowsModel(RowsModel):
    """A read-only table of dicts (problems, changes, moves) for the preview page, the columns
    given as ``(key, title)``; a cell's full text is its tooltip."""

    NUMBERED_ROWS = False

    def __init__(self, columns: list[tuple[str, str]], parent: Any = None) -> None:
        super().__init__(parent=parent, columns=[_dict_column(key, title) for key, title in columns])

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.COLUMNS[column].text(row)
        return None


def _dict_column(key: str, title: str) -> Column:
    return Column(title, lambda row: "" if row.get(key) is None else str(row.get(key)))


class _WorkPage(QWizardPage):
    """A page whose "next" runs a background task first (progress bar and status in the page)."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: #b00020")
        self._passing = False  # set when the work is done, so the next validatePage lets the wizard move on

    def add_footer(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self.progress)
        layout.addWidget(self.status)

    def before_work(self) -> None:
        """Read what the work needs from the widgets (on the GUI thread)."""

    def start(self, success: Callable[[Any], None], user_error: Callable[[UserError], None]) -> Task:
        """Start the step's operation (its work runs on the worker thread: no widgets there)."""
        raise NotImplementedError

    def work_done(self, result: Any) -> None:
        pass

    def validatePage(self) -> bool:  # noqa: N802
        if self._passing:
            self._passing = False
            return True
        if self.wiz.busy:
            return False
        self.before_work()
        self.status.clear()
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)

        def done(result: Any) -> None:
            self.progress.setVisible(False)
            self.wiz.task = None
            self.work_done(result)
            self._passing = True
            self.wiz.next()

        def failed(exc: UserError) -> None:  # a bug is reported by the operation
            self.progress.setVisible(False)
            self.wiz.task = None
            self.status.setText(str(exc))

        self.wiz.task = self.start(done, failed)
        return False

    def work_ended(self, cancelled: bool) -> None:
        """The step's task ended without ``done`` or ``failed`` (cancelled, or a bug already shown)."""
        self.progress.setVisible(False)
        if cancelled:
            self.status.setText("已取消，数据库没有任何改动")

    def show_progress(self, done: int, total: int, text: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        self.progress.setFormat(f"{text} %p%" if text else "%p%")


class FilePage(_WorkPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle("选择文件")
        self.setSubTitle("全国系统导出的家庭成员表，或村里的 Excel / CSV 名单（.xlsx .xlsm .xls .csv）。")
        self.path = QLineEdit()
        self.path.setPlaceholderText("文件路径")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        self.sheet = QComboBox()
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("文件：", row)
        form.addRow("工作表：", self.sheet)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addStretch(1)
        self.add_footer(layout)
        self.path.editingFinished.connect(self.load_sheets)
        self.path.textChanged.connect(self.completeChanged)

    def browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择花名册文件", self.path.text(), FILE_FILTER)
        if name:
            self.set_file(name)

    def set_file(self, name: str) -> None:
        self.path.setText(name)
        self.load_sheets()

    def load_sheets(self) -> None:
        self.sheet.clear()
        self.status.clear()
        text = self.path.text().strip()
        if not text or not Path(text).exists():
            return
        try:
            self.sheet.addItems(sheet_names(text))
        except UserError as exc:
            self.status.setText(str(exc))

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.path.text().strip())

    def before_work(self) -> None:
        if self.sheet.count() == 0:
            self.load_sheets()
        self.chosen = (self.path.text().strip(), self.sheet.currentText() if self.sheet.count() > 1 else None)

    def start(self, success: Callable[[Any], None], user_error: Callable[[UserError], None]) -> Task:
        # not found by name: the first non-empty row is the header and the clerk chooses
        path, sheet = self.chosen
        return data_ops.read_roster(
            self.wiz.ops, path, sheet, parent=self, success=success, user_error=user_error
        )

    def work_done(self, result: Any) -> None:
        if self.wiz.source is not None:
            self.wiz.source.close()
        self.wiz.source, self.wiz.header, self.wiz.mapping, villages = result
        self.wiz.mapping_page.load(villages)


class MappingPage(_WorkPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle("表头和列")
        self.setSubTitle(
            "程序已按列名找到表头并对应各列；请核对，必要时调整。对应关系可以保存，下次遇到相同表头自动使用。"
        )
        self.header_row = QSpinBox()
        self.header_row.setRange(1, 30)
        self.two_rows = QCheckBox("两行表头")
        reread = QPushButton("按此表头重新识别")
        reread.clicked.connect(self.reread)
        self.source_label = QLabel()
        self.village = QComboBox()
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["列", "表头", "示例值", "导入为"])
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.missing = QLabel()
        self.missing.setStyleSheet("color: #b00020")
        self.save_name = QLineEdit()
        self.save_name.setPlaceholderText("对应关系名称，例如：某村自制名单")
        save = QPushButton("保存对应关系")
        save.clicked.connect(self.save_mapping)
        self.saved_label = QLabel()
        top = QHBoxLayout()
        top.addWidget(QLabel("表头在第"))
        top.addWidget(self.header_row)
        top.addWidget(QLabel("行"))
        top.addWidget(self.two_rows)
        top.addWidget(reread)
        top.addStretch(1)
        vrow = QHBoxLayout()
        vrow.addWidget(QLabel("文件中没有“行政村”列时，所有人属于："))
        vrow.addWidget(self.village, 1)
        srow = QHBoxLayout()
        srow.addWidget(self.save_name, 1)
        srow.addWidget(save)
        srow.addWidget(self.saved_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.source_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(vrow)
        layout.addWidget(self.missing)
        layout.addLayout(srow)
        self.add_footer(layout)
        self.combos: list[QComboBox] = []
        self.village.currentIndexChanged.connect(self.update_missing)

    # ------------------------------------------------------------------ filling

    def load(self, villages: list[str]) -> None:
        self.village.blockSignals(True)
        self.village.clear()
        self.village.addItem("")
        self.village.addItems(villages)
        self.village.blockSignals(False)
        header = self.wiz.header
        assert header is not None
        self.header_row.setValue(header.header_rows[0] + 1)
        self.two_rows.setChecked(len(header.header_rows) == 2)
        self.fill()

    def fill(self) -> None:
        header, mapping, src = self.wiz.header, self.wiz.mapping, self.wiz.source
        assert header is not None and mapping is not None and src is not None
        self.source_label.setText(f"{header.describe()}；{mapping.source}")
        head = src.head(header.first_data_row + PREVIEW_ROWS)
        samples = head[header.first_data_row :]
        self.table.setRowCount(len(header.labels))
        self.combos = []
        for i, label in enumerate(header.labels):
            values = [cell_text(r[i]) for r in samples if i < len(r) and cell_text(r[i])]
            for c, text in enumerate((column_letter(i), label, " | ".join(values))):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(i, c, item)
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, IGNORED)
            for f in FIELDS:
                combo.addItem(f.label, f.key)
            key = mapping.columns[i] if i < len(mapping.columns) else None
            combo.setCurrentIndex(max(combo.findData(key), 0) if key else 0)
            combo.currentIndexChanged.connect(self.update_missing)
            self.table.setCellWidget(i, 3, combo)
            self.combos.append(combo)
        self.table.resizeColumnsToContents()
        self.saved_label.setText(f"已保存为“{mapping.saved_name}”" if mapping.saved_name else "")
        self.update_missing()

    def current_mapping(self) -> ColumnMapping:
        mapping = self.wiz.mapping
        assert mapping is not None
        cols: list[str | None] = [c.currentData() for c in self.combos]
        return ColumnMapping(cols, mapping.source, mapping.layout_name, mapping.saved_name)

    def default_village(self) -> str | None:
        return self.village.currentText() or None

    def update_missing(self) -> None:
        missing = self.current_mapping().missing_required(bool(self.default_village())) if self.combos else []
        self.missing.setText(("还缺少必需的列：" + "、".join(missing)) if missing else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        return bool(self.combos) and not self.missing.text()

    def reread(self) -> None:
        src = self.wiz.source
        assert src is not None
        try:
            header = header_from_row(
                src.head(), self.header_row.value() - 1, 2 if self.two_rows.isChecked() else 1
            )
            mapping = self.wiz.ops.read(resolve_mapping, header.labels)
        except (ValueError, LookupError) as exc:
            self.status.setText(str(exc))
            return
        self.wiz.header, self.wiz.mapping = header, mapping
        self.fill()

    def save_mapping(self) -> None:
        name = self.save_name.text().strip()
        if not name:
            self.status.setText("请先填写对应关系的名称")
            return
        header = self.wiz.header
        assert header is not None
        mapping = self.current_mapping()

        def saved(_result: object) -> None:
            self.wiz.mapping = mapping
            self.saved_label.setText(f"已保存为“{name}”")
            self.status.clear()

        data_ops.save_column_mapping(self.wiz.ops, name, header.labels, mapping, parent=self, success=saved)

    # ------------------------------------------------------------------ next: parse and compare

    def before_work(self) -> None:
        self.chosen = (self.current_mapping(), self.default_village())

    def start(self, success: Callable[[Any], None], user_error: Callable[[UserError], None]) -> Task:
        src, header = self.wiz.source, self.wiz.header
        assert src is not None and header is not None
        mapping, village = self.chosen
        return data_ops.analyse_roster(
            self.wiz.ops,
            src,
            header,
            mapping,
            # a first import into a township with no villages yet creates them (ticked; can be unticked)
            self.wiz.options(default_village=village, create_places=not self.wiz.ops.read(list_villages)),
            self.wiz.progress_callback,
            parent=self,
            success=success,
            user_error=user_error,
        )

    def work_done(self, result: Any) -> None:
        self.wiz.plan = result
        self.wiz.default_village = self.chosen[1]
        self.wiz.preview_page.show_plan()


class PreviewPage(_WorkPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle("预览")
        self.setSubTitle("下面是导入后将发生的变化。有错误的行不会导入；点“导入”写入其余各行，或点“取消”。")
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(170)
        self.create_places = QCheckBox("新建文件中出现、但本乡镇还没有的行政村、村民小组和自然村")
        self.create_places.toggled.connect(self.replan)
        # the message last, where the table stretches: it is what the clerk reads
        self.issues = PreviewRowsModel(
            [("row", "行"), ("severity", "类别"), ("column", "列"), ("value", "值"), ("message", "问题")]
        )
        self.changes = PreviewRowsModel(
            [
                ("row", "行"),
                ("household", "户"),
                ("person", "人"),
                ("field", "项目"),
                ("old", "原值"),
                ("new", "新值"),
            ]
        )
        self.moves = PreviewRowsModel(
            [("row", "行"), ("person", "姓名"), ("id", "证件号码"), ("from", "原所在户"), ("to", "迁入")]
        )
        self.tabs = QTabWidget()
        for model, title in ((self.issues, "问题"), (self.changes, "已有人员的变化"), (self.moves, "迁户")):
            view = QTableView()
            view.setModel(model)
            view.horizontalHeader().setStretchLastSection(True)
            view.verticalHeader().setVisible(False)
            self.tabs.addTab(view, title)
        report = QPushButton("保存错误清单…")
        report.clicked.connect(self.save_report)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.create_places)
        layout.addWidget(self.tabs, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(report)
        layout.addLayout(row)
        self.add_footer(layout)

    def initializePage(self) -> None:  # noqa: N802
        self.wiz.setButtonText(QWizard.WizardButton.NextButton, "导入")

    def cleanupPage(self) -> None:  # noqa: N802
        self.wiz.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")

    def show_plan(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.summary.setPlainText("\n".join(plan.summary_lines()))
        self.issues.set_rows(
            [
                {
                    "row": i.row or "",
                    "column": i.column,
                    "value": i.value,
                    "message": i.message,
                    "severity": i.severity,
                }
                for i in plan.issues
            ]
        )
        self.changes.set_rows(plan.member_changes())
        self.moves.set_rows(plan.moves())
        self.tabs.setTabText(0, f"问题（{len(plan.issues)}）")
        self.tabs.setTabText(1, f"已有人员的变化（{self.changes.rowCount()}）")
        self.tabs.setTabText(2, f"迁户（{self.moves.rowCount()}）")
        self.create_places.setVisible(bool(plan.unknown_places) or plan.create_places)
        self.create_places.blockSignals(True)
        self.create_places.setChecked(plan.create_places)
        self.create_places.blockSignals(False)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802
        plan = self.wiz.plan
        return plan is not None and plan.has_changes and not self.wiz.busy

    def replan(self) -> None:
        plan = self.wiz.plan
        assert plan is not None
        self.wiz.plan = self.wiz.ops.read(
            build_plan, plan.parsed, create_places=self.create_places.isChecked()
        )
        self.show_plan()

    def save_report(self) -> None:
        plan = self.wiz.plan
        if plan is None:
            return
        default = str(plan.parsed.path.with_name(plan.parsed.path.stem + "_错误清单.xlsx"))
        name, _ = QFileDialog.getSaveFileName(self, "保存错误清单", default, "Excel 工作簿 (*.xlsx)")
        if name:
            self.save_report_to(Path(name))

    def save_report_to(self, path: Path) -> None:
        plan = self.wiz.plan
        assert plan is not None
        try:
            importer.write_error_report(path, plan, self.wiz.source)
        except UserError as exc:
            self.status.setText(str(exc))
            return
        self.status.setStyleSheet("")
        self.status.setText(f"错误清单已保存：{path}")

    def before_work(self) -> None:
        self.chosen = self.create_places.isChecked()

    def start(self, success: Callable[[Any], None], user_error: Callable[[UserError], None]) -> Task:
        plan = self.wiz.plan
        assert plan is not None
        options = self.wiz.options(default_village=self.wiz.default_village, create_places=self.chosen)
        return data_ops.import_roster(
            self.wiz.ops,
            plan,
            options,
            self.wiz.progress_callback,
            parent=self,
            success=success,
            user_error=user_error,
        )

    def work_done(self, result: Any) -> None:
        # every page has heard of the changed households (the operation's notice) by now
        self.wiz.result = result
        self.wiz.result_page.text.setPlainText("\n".join(result.summary_lines()))


class ResultPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("完成")
        self.setSubTitle("导入已完成。数据库中的每一处改动都记入了修改记录。")
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.setFinalPage(True)


class ImportWizard(QWizard):
    """The import wizard. Its steps run on the window's task runner through ``ops`` (synchronous
    in tests); the import announces what it changed to every page."""

    progressed = Signal(int, int, str)

    def __init__(
        self,
        ops: Operations,
        parent: QWidget | None = None,
        path: str | Path | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops = ops
        self.task: Task | None = None
        self.source: importer.Source | None = None
        self.header: HeaderInfo | None = None
        self.mapping: ColumnMapping | None = None
        self.plan: ImportPlan | None = None
        self.result: importer.ImportResult | None = None
        self.default_village: str | None = None
        self.setWindowTitle("导入花名册")
        fit_to_screen(self, "import_wizard", (900, 640))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage()
        for page in (self.file_page, self.mapping_page, self.preview_page, self.result_page):
            self.addPage(page)
        self.progressed.connect(self._show_progress)
        ops.runner.task_finished.connect(self._task_finished)
        if path:
            self.file_page.set_file(str(path))

    @property
    def busy(self) -> bool:
        return self.task is not None and not getattr(self.task, "finished", True)

    def options(self, **kw: Any) -> importer.ImportOptions:
        return importer.ImportOptions(**kw)

    def progress_callback(self, control: Any) -> Any:
        def report(done: int, total: int, text: str) -> None:
            control.report(done, total, text)  # raises when cancelled
            self.progressed.emit(done, total, text)

        return report

    def _task_finished(self, _label: str) -> None:
        """A step that ended without its ``done`` or ``failed``: cancelled, or a bug (shown)."""
        task = self.task
        if task is None or not task.finished:
            return
        self.task = None
        page = self.currentPage()
        if isinstance(page, _WorkPage):
            page.work_ended(task.control.cancelled)

    def _show_progress(self, done: int, total: int, text: str) -> None:
        page = self.currentPage()
        if isinstance(page, _WorkPage):
            page.show_progress(done, total, text)

    def reject(self) -> None:
        """取消: stop the running step first (nothing is written), close on the next click."""
        if self.busy:
            self.task.control.cancel()
            return
        self._close_source()
        super().reject()

    def accept(self) -> None:
        self._close_source()
        super().accept()

    def _close_source(self) -> None:
        if self.source is not None:
            self.source.close()
            self.source = None
