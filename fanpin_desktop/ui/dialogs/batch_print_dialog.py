"""批量打印: the chosen case documents of a village (or of the selected cases) in one PDF.

The clerk ticks the documents (公示, 入户核实表, 承诺授权书, 信息采集表), picks the village or keeps
the list's selection, A4 or A3, pre-filled or blank, and the file. The batch runs on the task
runner with progress and cancel (``ui/operations/cases.print_batch``) and the PDF opens in the
system viewer, from which the clerk prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services.batch_print import DOCUMENTS, BatchResult
from fanpin_desktop.services.households import VillageOption
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.mask_ids import MASK_LABEL, MaskIdsCheckBox
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import cases as case_ops
from fanpin_desktop.ui.pages.screening.actions import PDF_FILTER, FileJobs
from fanpin_desktop.ui.widgets import IdCombo

#: ticked when the dialog opens for a village or a selection / for 全部行政村
PER_VILLAGE_DEFAULT = ("verification", "authorisation", "collection")
TOWNSHIP_DEFAULT = "review_township_inclusion"
PUBLIC_TIP = "公开张贴的文书：不含身份证号、电话号码、银行账号和健康状况"
PER_VILLAGE_TIP = "按村打印的文书：请先选择一个行政村，或在监测对象列表中选中要打印的农户"


class BatchPrintDialog(QDialog):
    """``result_path`` is set once the PDF has been written."""

    def __init__(
        self,
        ops: Operations,
        villages: Sequence[VillageOption],
        exports_dir: Path | None = None,
        parent: QWidget | None = None,
        *,
        village_id: int | None = None,
        case_ids: Sequence[int] = (),
        selection_label: str = "",
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("批量打印监测对象文书")
        fit_to_screen(self, "batch_print")
        self.ops = ops
        self.jobs = FileJobs(self, exports_dir or ops.exports_dir, ops)
        self.case_ids = list(case_ids)
        self.today = today or dt.date.today()
        self.result_path: Path | None = None
        self.result: BatchResult | None = None
        self.file_label = f"选中{len(self.case_ids)}户"

        scope = QGroupBox("打印范围")
        self.by_village = QRadioButton("整个行政村：")
        self.village = IdCombo(blank_text="全部行政村（仅审核审定名单和公告）")
        self.village.set_items([(v.id, v.name) for v in villages])
        if village_id is not None:
            self.village.set_value(village_id)
        self.by_selection = QRadioButton(selection_label or f"列表中选中的 {len(self.case_ids)} 个监测对象")
        self.by_selection.setEnabled(bool(self.case_ids))
        group = QButtonGroup(self)
        group.addButton(self.by_village)
        group.addButton(self.by_selection)
        (self.by_selection if self.case_ids else self.by_village).setChecked(True)
        self.by_village.setEnabled(bool(villages))
        self.village.setEnabled(bool(villages))
        row = QHBoxLayout()
        row.addWidget(self.by_village)
        row.addWidget(self.village, 1)
        scope_layout = QVBoxLayout(scope)
        scope_layout.addLayout(row)
        scope_layout.addWidget(self.by_selection)

        documents = QGroupBox("文书（按下列顺序合并为一个PDF）")
        doc_layout = QGridLayout(documents)
        self.documents: dict[str, QCheckBox] = {}
        half = (len(DOCUMENTS) + 1) // 2
        for n, kind in enumerate(DOCUMENTS):
            box = QCheckBox(kind.label)
            if kind.public:
                box.setToolTip(PUBLIC_TIP)
            box.setChecked(kind.key in PER_VILLAGE_DEFAULT)
            self.documents[kind.key] = box
            doc_layout.addWidget(box, n % half, n // half)
        # a per-village document cannot be printed for 全部行政村: greyed out (and unticked, its
        # tick kept for when a village is chosen) so the default ticks always print
        self._kept: dict[str, bool] = {}
        if not self._per_village_possible():
            self.documents[TOWNSHIP_DEFAULT].setChecked(True)
        self._sync_documents()
        self.village.currentIndexChanged.connect(lambda _i: self._sync_documents())
        self.by_village.toggled.connect(lambda _on: self._sync_documents())

        self.paper = QComboBox()
        self.paper.addItem("A4 纵向", "A4")
        self.paper.addItem("A3 纵向（公示栏张贴）", "A3")
        self.fill = QComboBox()
        self.fill.addItem("预填数据", False)
        self.fill.addItem("空白表（现场手填；公示仍按数据打印）", True)
        form = QFormLayout()
        form.addRow("纸张：", self.paper)
        form.addRow("填写方式：", self.fill)
        self.mask_ids = MaskIdsCheckBox(self.ops, label=f"{MASK_LABEL}（内部文书带出办公室时）")
        form.addRow("身份证号：", self.mask_ids)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c5221f;")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.print_button = buttons.addButton("生成PDF并打开…", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.run)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(scope)
        layout.addWidget(documents)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    # ------------------------------------------------------------------ choices

    def kinds(self) -> list[str]:
        return [key for key, box in self.documents.items() if box.isChecked() and box.isEnabled()]

    def _per_village_possible(self) -> bool:
        return self.by_selection.isChecked() or self.village.value() is not None

    def _sync_documents(self) -> None:
        possible = self._per_village_possible()
        for kind in DOCUMENTS:
            if kind.township_wide:
                continue
            box = self.documents[kind.key]
            if possible and not box.isEnabled():
                box.setEnabled(True)
                box.setToolTip(PUBLIC_TIP if kind.public else "")
                box.setChecked(self._kept.pop(kind.key, box.isChecked()))
            elif not possible and box.isEnabled():
                self._kept[kind.key] = box.isChecked()
                box.setChecked(False)
                box.setEnabled(False)
                box.setToolTip(PER_VILLAGE_TIP)

    def chosen_scope(self) -> tuple[int | None, list[int] | None, str]:
        """(village_id, case_ids, label for the file name)."""
        if self.by_selection.isChecked():
            return None, self.case_ids, self.file_label
        vid = self.village.value()
        return vid, None, self.village.currentText() if vid is not None else "全镇"

    def problem(self) -> str:
        village_id, case_ids, _label = self.chosen_scope()
        if not self.kinds():
            return "请至少勾选一种文书。"
        wide = {k.key for k in DOCUMENTS if k.township_wide}
        if village_id is None and not case_ids and not set(self.kinds()) <= wide:
            return "请选择要打印的行政村（全部行政村只能打印审核审定名单和公告）。"
        return ""

    # ------------------------------------------------------------------ running

    def run(self, path: Path | None = None) -> None:
        problem = self.problem()
        self.message.setText(problem)
        if problem:
            return
        village_id, case_ids, label = self.chosen_scope()
        path = path or self.jobs.save_path(
            "保存批量打印的PDF", f"{label}_监测对象文书_{self.today:%Y%m%d}.pdf", PDF_FILTER
        )
        if path is None:
            return
        case_ops.print_batch(
            self.ops,
            path,
            kinds=self.kinds(),
            village_id=village_id,
            case_ids=case_ids,
            blank=bool(self.fill.currentData()),
            paper=str(self.paper.currentData()),
            mask_ids=self.mask_ids.isChecked(),
            parent=self,
            success=self._done,
            user_error=lambda exc: self.message.setText(exc.message),
        )

    def _done(self, result: BatchResult) -> None:
        self.result = result
        self.result_path = result.path
        if result.skipped:
            skipped = "；".join(f"{label}：{why}" for label, why in result.skipped.items())
            self.jobs.inform("部分文书未打印", f"以下文书没有可打印的内容，已跳过：{skipped}")
        self.jobs.open(result.path)
        self.accept()
