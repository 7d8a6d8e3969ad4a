"""工作台: what needs the clerk today, the numbers a 站长 asks for, and three charts.

Three to-do cards lead to the page that deals with each (监测对象 → 待办, 整改台账 → 只看超期,
集中排查 → 排查进度); a row of headline figures; the charts of ``ui/charts.py``. On an empty
database (no village yet) the page says what to do first, with buttons that do it. The figures
are ``services/dashboard.py``'s, read again whenever households, cases, screening, the ledger or
the settings change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.services import dashboard as dashboard_service
from fanpin_desktop.services.dashboard import Dashboard
from fanpin_desktop.ui.charts import MonthChart, ScreeningChart, VillageCategoryChart
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.pages.base import Page
from fanpin_desktop.ui.widgets import icon

ACCENT = "#1a73e8"
ALERT = "#c5221f"
MUTED = "#5f6368"

EMPTY_TEXT = (
    "尚未建立行政村：请先到“系统设置”填写乡镇名称、建立行政村和村民小组，"
    "或直接导入户籍名册；然后在“集中排查”中新建排查批次。"
)
NO_HOUSEHOLDS_TEXT = "还没有农户：请导入户籍名册，或在“户籍台账”中逐户新增。"


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


class TodoCard(QPushButton):
    """A clickable card: an icon, a big number, what it counts and a detail line."""

    def __init__(self, icon_name: str, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todoCard")
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(84)
        self.setStyleSheet(
            "#todoCard { background: #ffffff; border: 1px solid #dadce0; border-radius: 8px; text-align: left; }"
            "#todoCard:hover { border-color: #1a73e8; background: #f8fbff; }"
            "#todoCard:focus { border: 2px solid #1a73e8; }"
        )
        glyph = QLabel()
        glyph.setPixmap(icon(icon_name, ACCENT).pixmap(30, 30))
        self.number = QLabel("0")
        self.number.setStyleSheet(f"font-size: 20pt; font-weight: bold; color: {ACCENT};")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet("font-size: 10.5pt; color: #202124;")
        self.detail = QLabel()
        self.detail.setStyleSheet(f"color: {MUTED};")
        text = QVBoxLayout()
        text.setSpacing(0)
        top = QHBoxLayout()
        top.addWidget(self.caption)
        top.addStretch(1)
        text.addLayout(top)
        text.addWidget(self.number)
        text.addWidget(self.detail)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(14, 8, 14, 8)
        layout.setSpacing(12)
        layout.addWidget(glyph, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(text, 1)
        for label in (glyph, self.number, self.caption, self.detail):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    def show_figures(self, number: str, detail: str, alert: bool = False, tip: str = "") -> None:
        self.number.setText(number)
        colour = ALERT if alert else ACCENT
        self.number.setStyleSheet(f"font-size: 20pt; font-weight: bold; color: {colour};")
        self.detail.setText(detail)
        self.detail.setStyleSheet(f"color: {ALERT if alert else MUTED};")
        self.setToolTip(tip)
        self.setAccessibleName(f"{self.caption.text()} {number} {detail}")


class Figure(QFrame):
    """One headline number with its caption and a detail line."""

    def __init__(self, caption: str, parent: QWidget | None = None, tip: str = "") -> None:
        super().__init__(parent)
        self.tip = tip  # what the caption counts, added to the tooltip
        self.setObjectName("figure")
        self.setStyleSheet("#figure { background: #f8f9fa; border-radius: 6px; }")
        self.caption = QLabel(caption)
        self.caption.setStyleSheet(f"color: {MUTED};")
        self.value = QLabel("0")
        self.value.setStyleSheet("font-size: 14pt; font-weight: bold; color: #202124;")
        self.detail = QLabel()
        self.detail.setStyleSheet(f"color: {MUTED}; font-size: 8.5pt;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(0)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.detail)

    def show_value(self, value: str, detail: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        tip = f"{self.caption.text()}：{value}" + (f"（{detail}）" if detail else "")
        self.setToolTip(tip + (f"\n{self.tip}" if self.tip else ""))


class HomePage(Page):
    """The 工作台. Its cards and buttons act through the main window (``show_page``,
    ``import_roster``); outside one (a test) they emit :attr:`navigate` only."""

    SHOWS = ("households", "cases", "screening", "ledger", "settings")

    #: the page key a card or button led to
    navigate = Signal(str)

    def __init__(self, ops: Operations, parent: QWidget | None = None, today: dt.date | None = None) -> None:
        super().__init__(ops, parent)
        self.today = today  # None: the real date (tests pin one)
        self.data: Dashboard | None = None

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_board())
        self.stack.addWidget(self._build_empty())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self.refresh()

    # ------------------------------------------------------------------ construction

    def _build_board(self) -> QWidget:
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold; color: #202124;")
        self.refresh_button = QPushButton(icon("fa5s.sync-alt"), "刷新")
        self.refresh_button.setToolTip("重新统计（数据变动后会自动刷新）")
        self.refresh_button.clicked.connect(self.refresh)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.refresh_button)

        self.hint = QLabel()
        self.hint.setStyleSheet("background: #fef7e0; color: #3c4043; padding: 6px 10px; border-radius: 4px;")
        self.hint.setWordWrap(True)
        self.hint_button = QPushButton(icon("fa5s.file-import"), "导入户籍名册…")
        self.hint_button.clicked.connect(self.import_roster)
        self.hint_row = QWidget()
        hint_layout = QHBoxLayout(self.hint_row)
        hint_layout.setContentsMargins(0, 0, 0, 0)
        hint_layout.addWidget(self.hint, 1)
        hint_layout.addWidget(self.hint_button)

        self.due_card = TodoCard("fa5s.bell", "监测对象待办")
        self.ledger_card = TodoCard("fa5s.tasks", "整改台账超期")
        self.screening_card = TodoCard("fa5s.clipboard-check", "集中排查进度")
        self.due_card.clicked.connect(self.open_todo)
        self.ledger_card.clicked.connect(self.open_overdue_ledger)
        self.screening_card.clicked.connect(self.open_screening)
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in (self.due_card, self.ledger_card, self.screening_card):
            cards.addWidget(card, 1)

        self.villages_figure = Figure("行政村")
        self.households_figure = Figure("农户")
        self.monitored_figure = Figure(
            dashboard_service.MONITORED_CAPTION, tip=dashboard_service.MONITORED_TIP
        )
        self.identified_figure = Figure("今年识别纳入")
        self.eliminated_figure = Figure("今年风险消除")
        figures = QGridLayout()
        figures.setHorizontalSpacing(10)
        for col, (figure, stretch) in enumerate(
            (
                (self.villages_figure, 2),
                (self.households_figure, 3),
                (self.monitored_figure, 6),
                (self.identified_figure, 2),
                (self.eliminated_figure, 2),
            )
        ):
            figures.addWidget(figure, 0, col)
            figures.setColumnStretch(col, stretch)
        self.status_line = QLabel()
        self.status_line.setStyleSheet(f"color: {MUTED};")
        self.status_line.setWordWrap(True)

        self.village_chart = VillageCategoryChart()
        self.month_chart = MonthChart()
        self.screening_chart = ScreeningChart()
        charts = QHBoxLayout()
        charts.setSpacing(10)
        for chart in (self.village_chart, self.month_chart, self.screening_chart):
            chart.setFrameShape(QFrame.Shape.StyledPanel)
            charts.addWidget(chart, 1)

        board = QWidget()
        layout = QVBoxLayout(board)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(10)
        layout.addLayout(head)
        layout.addWidget(self.hint_row)
        layout.addLayout(cards)
        layout.addLayout(figures)
        layout.addWidget(self.status_line)
        layout.addLayout(charts, 1)
        return board

    def _build_empty(self) -> QWidget:
        title = QLabel("欢迎使用防返贫监测帮扶工作站")
        title.setStyleSheet("font-size: 16pt; font-weight: bold; color: #202124;")
        self.empty_text = QLabel(EMPTY_TEXT)
        self.empty_text.setWordWrap(True)
        self.empty_text.setStyleSheet("font-size: 11pt; color: #3c4043;")
        steps = QLabel(
            "第一天的顺序：① 系统设置：乡镇、行政村、村民小组 → ② 导入户籍名册 → "
            "③ 系统设置：当年监测范围（收入标准） → ④ 集中排查：新建排查批次"
        )
        steps.setWordWrap(True)
        steps.setStyleSheet(f"color: {MUTED};")
        self.wizard_button = QPushButton(icon("fa5s.magic"), "打开设置向导…")
        self.wizard_button.setDefault(True)
        self.wizard_button.clicked.connect(self.open_setup_wizard)
        self.settings_button = QPushButton(icon("fa5s.cog"), "到系统设置建立行政村")
        self.import_button = QPushButton(icon("fa5s.file-import"), "导入户籍名册…")
        self.settings_button.clicked.connect(lambda: self.go("settings"))
        self.import_button.clicked.connect(self.import_roster)
        self.empty_buttons = QHBoxLayout()
        self.empty_buttons.addWidget(self.wizard_button)
        self.empty_buttons.addWidget(self.settings_button)
        self.empty_buttons.addWidget(self.import_button)
        self.empty_buttons.addStretch(1)
        box = QFrame()
        box.setObjectName("emptyBox")
        box.setStyleSheet("#emptyBox { background: #ffffff; border: 1px solid #dadce0; border-radius: 8px; }")
        box.setMaximumWidth(760)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(14)
        inner.addWidget(title)
        inner.addWidget(self.empty_text)
        inner.addLayout(self.empty_buttons)
        inner.addWidget(steps)
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(box, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        return page

    # ------------------------------------------------------------------ data

    def refresh(self) -> None:
        d = self.ops.read(dashboard_service.dashboard, self.today)
        self.data = d
        if d.empty:
            self.stack.setCurrentIndex(1)
            return
        self.stack.setCurrentIndex(0)
        self.heading.setText(f"{d.township or '本乡镇'}　工作台　{_cn(d.today)}")
        self.hint.setText(NO_HOUSEHOLDS_TEXT)
        self.hint_row.setVisible(d.households == 0)
        self._show_todo(d)
        self._show_figures(d)
        for chart in (self.village_chart, self.month_chart, self.screening_chart):
            chart.set_dashboard(d)

    def _show_todo(self, d: Dashboard) -> None:
        t = d.todo
        self.due_card.show_figures(
            f"{t.due} 件",
            f"其中已超期 {t.due_overdue} 件" if t.due_overdue else "本周和下周到期，无超期",
            alert=bool(t.due_overdue),
            tip="线索核实、公示、帮扶措施、走访、季度复核、风险消除：本周和下周到期及已超期的事项",
        )
        self.ledger_card.show_figures(
            f"{t.ledger_overdue} 个",
            f"全部批次整改中 {t.ledger_open} 个" + ("，超期未整改" if t.ledger_overdue else "，均未超期"),
            alert=bool(t.ledger_overdue),
            tip="当前排查批次中，整改期限已过仍在整改中的问题",
        )
        if not t.campaign:
            self.screening_card.show_figures("—", "尚未建立排查批次：点此到集中排查新建")
        else:
            percent = f"{100 * t.screened / t.to_screen:.0f}%" if t.to_screen else "—"
            self.screening_card.show_figures(
                f"{t.screened}/{t.to_screen} 户",
                f"已完成 {percent}",
                tip=t.campaign,
            )
            self.screening_card.detail.setText(f"已完成 {percent}　{t.campaign}")

    def _show_figures(self, d: Dashboard) -> None:
        self.villages_figure.show_value(f"{d.villages} 个")
        self.households_figure.show_value(f"{d.households} 户 {d.people} 人")
        categories = "　".join(f"{c} {n}" for c, n in d.by_category if n)
        self.monitored_figure.show_value(f"{d.monitored_households} 户 {d.monitored_people} 人", categories)
        self.identified_figure.show_value(f"{d.identified_this_year} 户")
        self.eliminated_figure.show_value(f"{d.eliminated_this_year} 户")
        statuses = "　".join(f"{s} {n}" for s, n in d.by_status)
        self.status_line.setText(f"监测对象按状态（户次）：{statuses}" if statuses else "还没有监测对象。")

    # ------------------------------------------------------------------ where the cards lead

    def _main_window(self) -> Any:
        window = self.window()
        return window if hasattr(window, "show_page") and window is not self else None

    def go(self, key: str) -> Any:
        """Show the page ``key`` of the main window; the page, or None outside a window."""
        self.navigate.emit(key)
        window = self._main_window()
        if window is None:
            return None
        window.show_page(key)
        return window.pages[key]

    def open_todo(self) -> None:
        page = self.go("cases")
        tabs = getattr(page, "tabs", None)
        if tabs is not None:
            tabs.setCurrentIndex(0)  # 待办

    def open_overdue_ledger(self) -> None:
        page = self.go("ledger")
        if hasattr(page, "show_every_overdue"):  # the ledger page (a failed page is a notice)
            page.show_every_overdue()

    def open_screening(self) -> None:
        page = self.go("screening")
        progress = getattr(page, "progress_tab", None)
        if progress is not None and self.data is not None and self.data.todo.campaign:
            page.tabs.setCurrentWidget(progress)

    def open_setup_wizard(self) -> None:
        self.navigate.emit("wizard")
        window = self._main_window()
        if window is not None and hasattr(window, "open_setup_wizard"):
            window.open_setup_wizard()

    def import_roster(self) -> None:
        self.navigate.emit("import")
        window = self._main_window()
        if window is not None:
            window.import_roster()
