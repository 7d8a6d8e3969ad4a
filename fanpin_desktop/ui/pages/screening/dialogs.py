"""Small dialogs of the screening page: appendix 1 print options and the import report."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services.appendix_import import ImportReport
from fanpin_desktop.services.printing import PrintOptions
from fanpin_desktop.ui.common import close_button, ok_cancel_buttons
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.table_models.screening import ImportIssuesModel


class Appendix1PrintDialog(QDialog):
    """Which villages, blank or pre-filled, A4 or A3 (always landscape)."""

    def __init__(self, village: tuple[int, str] | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("打印附件1 到户排查表")
        fit_to_screen(self, "appendix1_print")
        self._village = village
        self.this_village = QRadioButton(f"本村：{village[1]}" if village else "本村（请先选择行政村）")
        self.all_villages = QRadioButton("全部行政村（每村单独起页）")
        scope = QButtonGroup(self)
        scope.addButton(self.this_village)
        scope.addButton(self.all_villages)
        self.this_village.setEnabled(village is not None)
        (self.this_village if village else self.all_villages).setChecked(True)
        self.prefilled = QRadioButton("预填表（已录入的答案；未排查户按系统数据预填，供入户核对）")
        self.blank = QRadioButton("空白表（供入户手工填写）")
        kind = QButtonGroup(self)
        kind.addButton(self.prefilled)
        kind.addButton(self.blank)
        self.prefilled.setChecked(True)
        self.suggest = QCheckBox("未排查户按系统建议预填答案")
        self.suggest.setChecked(True)
        self.a4 = QRadioButton("A4 横向")
        self.a3 = QRadioButton("A3 横向")
        paper = QButtonGroup(self)
        paper.addButton(self.a4)
        paper.addButton(self.a3)
        self.a4.setChecked(True)
        self.prefilled.toggled.connect(self.suggest.setEnabled)

        def box(title: str, *widgets: QWidget, horizontal: bool = False) -> QGroupBox:
            g = QGroupBox(title)
            lay = QHBoxLayout(g) if horizontal else QVBoxLayout(g)
            for w in widgets:
                lay.addWidget(w)
            return g

        buttons = ok_cancel_buttons(self, "生成PDF")
        layout = QVBoxLayout(self)
        layout.addWidget(box("范围", self.this_village, self.all_villages))
        layout.addWidget(box("内容", self.prefilled, self.suggest, self.blank))
        layout.addWidget(box("纸张", self.a4, self.a3, horizontal=True))
        layout.addWidget(QLabel("生成后用系统的PDF阅读器打开，从阅读器中打印。"))
        layout.addWidget(buttons)

    def options(self) -> PrintOptions:
        return PrintOptions(
            paper="A3" if self.a3.isChecked() else "A4",
            blank=self.blank.isChecked(),
            suggest=self.suggest.isChecked(),
        )

    def village_ids(self) -> Sequence[int] | None:
        if self.this_village.isChecked() and self._village is not None:
            return [self._village[0]]
        return None


class ImportReportDialog(QDialog):
    """What an import found: the summary and every issue with its row and column."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"导入附件{report.appendix}：{report.path.name}")
        summary = QLabel(report.summary())
        summary.setWordWrap(True)
        colour = "#a50e0e" if report.errors else "#1e6b34"
        summary.setStyleSheet(f"font-weight:bold; color:{colour}; font-size:11pt")
        self.model = ImportIssuesModel(report.issues, self)
        view = QTableView()
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.verticalHeader().setVisible(False)
        view.horizontalHeader().setStretchLastSection(True)
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.setWordWrap(True)
        for col, width in enumerate((46, 50, 40, 200, 140)):
            view.setColumnWidth(col, width)
        buttons = close_button(self)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if report.issues:
            note = QLabel(
                "请按下表修改Excel表格（行、列为表格中的位置）后重新导入。"
                if report.errors
                else "以下提示不影响导入："
            )
            layout.addWidget(note)
            layout.addWidget(view, 1)
        else:
            view.hide()
        layout.addWidget(buttons)
        fit_to_screen(self, "import_report", (860, 480 if report.issues else 0))
        summary.setAlignment(Qt.AlignmentFlag.AlignLeft)
