"""帮助 → 使用说明 (F1): the Chinese guide bundled in ``resources/guide/`` (one HTML file a
section, screenshots in ``resources/guide/images/`` made by ``tools/screenshots.py``), with a
table of contents; F1 opens the section for the page on screen (``PAGE_SECTIONS``)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QUrl
from PySide6.QtGui import QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.paths import resource
from fanpin_desktop.ui.common import close_button
from fanpin_desktop.ui.geometry import fit_to_screen

#: the guide's sections in reading order: (file, title)
SECTIONS: list[tuple[str, str]] = [
    ("first-day.html", "第一天：安装、设置向导、导入名册"),
    ("daily.html", "日常工作：户籍台账与数据核查"),
    ("screening.html", "年度集中排查与整改台账"),
    ("cases.html", "监测对象：识别、帮扶、风险消除"),
    ("printing.html", "打印与公示"),
    ("national.html", "导出国家系统文件"),
    ("backup.html", "备份与恢复码"),
]

#: the sidebar page (``ui/main_window.PAGES`` keys) → the part of the guide F1 opens
PAGE_SECTIONS: dict[str, str] = {
    "home": "daily.html#home",
    "registry": "daily.html#registry",
    "cases": "cases.html",
    "warnings": "cases.html#warnings",
    "screening": "screening.html",
    "ledger": "screening.html#ledger",
    "quality": "daily.html#quality",
    "settings": "first-day.html#settings",
}


_DECLARED_WIDTH = QTextFormat.Property.UserProperty + 1  # an image's width as the HTML gives it


def guide_dir() -> Path:
    return resource("guide")


def anchor_for_page(page_key: str) -> str:
    """The section (``file.html#anchor``) F1 opens for a page; the first day for any other."""
    return PAGE_SECTIONS.get(page_key, SECTIONS[0][0])


class HelpDialog(QDialog):
    """The guide: contents on the left, the section on the right; links between sections work,
    links to web pages open in the browser."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or guide_dir()
        self.setWindowTitle("使用说明")
        self.contents = QListWidget()
        self.contents.setMaximumWidth(300)
        self.contents.setMinimumWidth(160)
        for file, title in SECTIONS:
            item = QListWidgetItem(title)
            item.setData(256, file)
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(True)  # web links open in the browser
        self.browser.setSearchPaths([str(self.folder)])
        self.browser.sourceChanged.connect(self._source_changed)
        self.browser.installEventFilter(self)
        self.contents.currentRowChanged.connect(self._contents_row)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        # the contents as wide as its longest title (no horizontal scroll bar), the rest for the text
        wide = self.contents.sizeHintForColumn(0) + 2 * self.contents.frameWidth() + 8
        self.contents.setMinimumWidth(min(max(160, wide), 300))
        splitter.setSizes([min(max(160, wide), 300), 1000])
        buttons = close_button(self)
        self.back_button = buttons.addButton("返回", QDialogButtonBox.ButtonRole.ActionRole)
        self.back_button.clicked.connect(self.browser.backward)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.back_button.setEnabled(False)
        layout = QVBoxLayout(self)
        body = QHBoxLayout()
        body.addWidget(splitter)
        layout.addLayout(body, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, "help_dialog", (1320, 720))  # pictures near their own size where there is room

    def show_section(self, target: str) -> None:
        """Show ``file.html`` or ``file.html#anchor`` of the guide."""
        file, _hash, anchor = target.partition("#")
        path = self.folder / file
        if not path.exists():
            self.browser.setHtml(f"<p>使用说明文件 {path} 不存在。请重新安装本程序，或联系技术人员。</p>")
            return
        url = QUrl.fromLocalFile(str(path))
        if anchor:
            url.setFragment(anchor)
        self.browser.setSource(url)

    def current_section(self) -> str:
        """``file.html#anchor`` of what is shown (tests read it)."""
        url = self.browser.source()
        name = Path(url.toLocalFile()).name
        return f"{name}#{url.fragment()}" if url.hasFragment() else name

    def _contents_row(self, row: int) -> None:
        if row < 0:
            return
        file = self.contents.item(row).data(256)
        if Path(self.browser.source().toLocalFile()).name != file:
            self.show_section(file)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.browser and event.type() == QEvent.Type.Resize:
            self._fit_images()
        return super().eventFilter(watched, event)

    def _fit_images(self) -> None:
        """Screenshots as wide as the HTML says, or narrower when the window is (never a sideways
        scroll bar); the height follows the width."""
        room = max(200, self.browser.viewport().width() - 40)
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    wanted = image.property(_DECLARED_WIDTH) or image.width()
                    if wanted and image.width() != min(wanted, room):
                        image.setProperty(_DECLARED_WIDTH, wanted)
                        image.setWidth(min(wanted, room))
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(
                            fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor
                        )
                        cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def _source_changed(self, url: QUrl) -> None:
        self._fit_images()
        if url.hasFragment():  # the pictures above it may have become smaller
            self.browser.scrollToAnchor(url.fragment())
        name = Path(url.toLocalFile()).name
        for row in range(self.contents.count()):
            if self.contents.item(row).data(256) == name:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)
                break
