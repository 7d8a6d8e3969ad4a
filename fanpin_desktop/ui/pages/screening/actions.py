"""File work shared by the screening and ledger pages: choose a path, then (after the job ran
through an operation of ``ui.operations``, off the GUI thread) open the file or say where it is.

Paths default into the data directory's ``exports/`` folder. Tests replace ``QFileDialog``'s
static functions and ``services.open_file.open_file``; ``inform`` and ``offer_open`` are plain
methods so a test can record them instead of showing a box.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from fanpin_desktop.services import open_file as open_file_service
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations.screening import run_or_tell

log = logging.getLogger(__name__)

XLSX_FILTER = "Excel 工作簿 (*.xlsx)"
PDF_FILTER = "PDF 文件 (*.pdf)"
DOCX_FILTER = "Word 文档 (*.docx)"
OPEN_FILTER = "Excel 工作簿 (*.xlsx *.xlsm);;所有文件 (*)"


class FileJobs:
    """Paths and opening results for one page (its jobs run through ``ops``)."""

    def __init__(self, parent: QWidget, exports_dir: Path | None, ops: Operations) -> None:
        self.parent = parent
        self.exports_dir = Path(exports_dir) if exports_dir else Path.home()
        self.ops = ops
        self.last_path: Path | None = None
        self.messages: list[tuple[str, str]] = []  # what was told to the clerk (tests read it)

    # ------------------------------------------------------------------ paths

    def save_path(self, title: str, default_name: str, file_filter: str) -> Path | None:
        folder = self.exports_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            folder = Path.home()
        chosen, _ = QFileDialog.getSaveFileName(self.parent, title, str(folder / default_name), file_filter)
        if not chosen:
            return None
        path = Path(chosen)
        suffix = ".xlsx" if "xlsx" in file_filter else ".pdf" if "pdf" in file_filter else ".docx"
        if path.suffix.lower() != suffix:
            path = path.with_name(path.name + suffix)
        return path

    def open_path(self, title: str, file_filter: str = OPEN_FILTER) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(self.parent, title, str(self.exports_dir), file_filter)
        return Path(chosen) if chosen else None

    # ------------------------------------------------------------------ results

    def inform(self, title: str, text: str) -> None:
        self.messages.append((title, text))
        QMessageBox.information(self.parent, title, text)

    def offer_open(self, title: str, text: str, path: Path) -> None:
        """Say where the file is and offer to open it or its folder."""
        self.last_path = path
        self.messages.append((title, text))
        box = QMessageBox(
            QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.NoButton, self.parent
        )
        open_button = box.addButton("打开文件", QMessageBox.ButtonRole.AcceptRole)
        folder_button = box.addButton("打开所在文件夹", QMessageBox.ButtonRole.ActionRole)
        box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is open_button:
            self.open(path)
        elif box.clickedButton() is folder_button:
            self.open(path.parent)

    def open(self, path: Path) -> None:
        """Open in the system's program (the PDF viewer, from which the clerk prints)."""
        self.last_path = path
        # a UserError names the file and what to do
        run_or_tell(self.parent, open_file_service.open_file, path)
