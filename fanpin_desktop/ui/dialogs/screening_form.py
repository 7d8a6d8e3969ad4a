"""附件1 到户排查表 entry: one household at a time, laid out like the paper form, all by keyboard.

The clerk types a stack of paper forms. Every question sits where it sits on paper (grouped as on
the printed header), in paper order, numbered; Tab, Enter or ↓ moves to the next question that
applies, ↑ goes back. A yes/no answer takes one key — Y or 1 for 是, N or 0 for 否 — and moves on;
a choice takes its number (1 脱贫户, 2 监测户, 3 一般农户). Space brings back the system's suggestion
(or clears the answer when it already shows the suggestion); Delete clears.

What the data implies is pre-filled and marked 建议 (light blue); an answer the clerk changed
against the suggestion is marked 已改 (orange) with the suggestion in its tooltip, and the service
keeps the override. Questions that do not concern the household are greyed (／ 不适用) and skipped.

Ctrl+Enter or PgDn saves and opens the next household in village → group → 户编号 order, PgUp
goes back, Ctrl+S saves, Ctrl+F finds a household by name, initials, 户编号 or ID digits, and
Ctrl+L records a problem in the rectification ledger. The dialog holds no Session: each load is a
read through ``ops`` and each save an operation (``ui.operations.screening``) whose ``success``
shows the result; with the window's task runner that comes back a moment later, so what follows a
save (the next household, the banner) happens in that callback.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QDate, QEvent, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QIntValidator,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QRegularExpressionValidator,
    QShortcut,
)
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDateEdit,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from fanpin_desktop.domain import appendix1
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.services import screening
from fanpin_desktop.services.screening import HouseholdForm, QuestionState, SaveResult
from fanpin_desktop.ui.dialogs.household_picker import HouseholdPickerDialog
from fanpin_desktop.ui.dialogs.problem_dialog import ProblemDialog
from fanpin_desktop.ui.errors import show_error
from fanpin_desktop.ui.geometry import fit_to_screen
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.operations import screening as screening_ops
from fanpin_desktop.ui.tasks import Task
from fanpin_desktop.ui.widgets import icon

log = logging.getLogger(__name__)

KEY_HELP = (
    "Y/1 是　N/0 否　数字 选项　空格 恢复建议/清除　回车 下一项　Ctrl+回车 或 PgDn 保存并下一户　"
    "PgUp 上一户　Ctrl+S 保存　Ctrl+F 查找户　Ctrl+L 记入问题台账"
)

# Marks of an answer (how the answer box and the marker beside it are drawn)
MARK_NONE = ""  # unanswered, nothing suggested
MARK_HINT = "hint"  # unanswered, but the data suggests an answer (Space takes it)
MARK_SUGGESTED = "suggested"  # the answer is the system's suggestion
MARK_ENTERED = "entered"  # answered by the clerk where nothing was suggested
MARK_OVERRIDE = "override"  # the clerk's answer differs from the suggestion
MARK_NA = "na"  # the question does not concern this household

COLOURS = {
    MARK_SUGGESTED: ("#dbe7fd", "#1a4fa0", "#7aa7ec"),  # fill, text, border
    MARK_ENTERED: ("#1a62c6", "#ffffff", "#1a62c6"),
    MARK_OVERRIDE: ("#fde0bd", "#8a3f00", "#e8710a"),
}
MARKER_STYLE = {
    MARK_SUGGESTED: ("建议", "#1a4fa0", "#e3ecfc"),
    MARK_OVERRIDE: ("已改", "#8a3f00", "#fde0bd"),
    MARK_HINT: ("", "#5f6b7a", "transparent"),
    MARK_NA: ("不适用", "#9aa0a6", "transparent"),
}
YES_KEYS = (Qt.Key.Key_Y, Qt.Key.Key_1)
NO_KEYS = (Qt.Key.Key_N, Qt.Key.Key_0)
DIGIT_KEYS = (
    Qt.Key.Key_1,
    Qt.Key.Key_2,
    Qt.Key.Key_3,
    Qt.Key.Key_4,
    Qt.Key.Key_5,
    Qt.Key.Key_6,
    Qt.Key.Key_7,
    Qt.Key.Key_8,
    Qt.Key.Key_9,
)

#: titles for runs of questions that sit under no group on paper (keyed by the run's first question)
RUN_TITLES = {
    "household_size": "基本情况",
    "practical_difficulties": "实际困难和风险",
    "system_data_accurate": "数据核实和纳入监测",
    "difficulties": "困难诉求和备注",
}
_PARENTHESES = re.compile(r"（[^（）]*）$")


def value_text(value: Any) -> str:
    """An answer as the form shows it."""
    if value is None:
        return "（未填）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def mark_of(state: QuestionState, value: Any, applicable: bool) -> str:
    if not applicable:
        return MARK_NA
    if value is None:
        return MARK_HINT if state.suggestion is not None else MARK_NONE
    if state.suggestion is None:
        return MARK_OVERRIDE if state.overridden else MARK_ENTERED
    return MARK_SUGGESTED if appendix1.same(value, state.suggestion) else MARK_OVERRIDE


def display_label(state: QuestionState) -> str:
    """The paper's label; a choice's parenthesised option list is dropped (the options are shown)."""
    if state.kind == "choice":
        return _PARENTHESES.sub("", state.label) or state.label
    return state.label


# --------------------------------------------------------------------------- answer widgets


class AnswerBox(QWidget):
    """A segmented answer: 是/否 or a short list of choices, drawn as one row of cells.

    Keys: an option's key chooses it and moves on; Space takes the suggestion (or clears when it
    is already shown); Delete/Backspace clears; Enter/↓ moves on, ↑ moves back; ←/→ step
    through the options. A click chooses too.
    """

    edited = Signal()  # the clerk changed the value
    advance = Signal(int)  # +1: next question, -1: previous

    PAD = 12
    HEIGHT = 26

    def __init__(
        self,
        options: Sequence[tuple[Any, str, Sequence[Qt.Key]]],
        numbered: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._options = [(v, t, tuple(k)) for v, t, k in options]
        self._numbered = numbered
        self._value: Any = None
        self._suggestion: Any = None
        self._mark = MARK_NONE
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._widths = self._measure()

    def _texts(self) -> list[str]:
        if self._numbered:
            return [f"{i}.{t}" for i, (_v, t, _k) in enumerate(self._options, 1)]
        return [t for _v, t, _k in self._options]

    def _measure(self) -> list[int]:
        fm = QFontMetrics(self.font())
        return [max(fm.horizontalAdvance(t) + self.PAD * 2, 40) for t in self._texts()]

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(sum(self._widths) + 1, self.HEIGHT)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FontChange:
            self._widths = self._measure()
            self.updateGeometry()
        super().changeEvent(event)

    # ------------------------------------------------------------------ value

    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        if value is not None and not any(appendix1.same(value, v) for v, _t, _k in self._options):
            value = None
        self._value = value
        self.update()

    def set_suggestion(self, value: Any) -> None:
        self._suggestion = value

    def set_mark(self, mark: str) -> None:
        if mark != self._mark:
            self._mark = mark
            self.update()

    def mark(self) -> str:
        return self._mark

    def _choose(self, value: Any) -> None:
        changed = not (value is None and self._value is None) and not (
            value is not None and self._value is not None and appendix1.same(value, self._value)
        )
        self._value = value
        self.update()
        if changed:
            self.edited.emit()

    def _index(self) -> int:
        for i, (v, _t, _k) in enumerate(self._options):
            if self._value is not None and appendix1.same(v, self._value):
                return i
        return -1

    # ------------------------------------------------------------------ input

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            super().keyPressEvent(event)
            return
        for value, _text, keys in self._options:
            if key in keys:
                self._choose(value)
                event.accept()
                self.advance.emit(1)
                return
        if key == Qt.Key.Key_Space:
            suggestion = self._suggestion
            if suggestion is not None and (
                self._value is None or not appendix1.same(self._value, suggestion)
            ):
                self._choose(suggestion)
            else:
                self._choose(None)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self._choose(None)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            self.advance.emit(1)
        elif key == Qt.Key.Key_Up:
            self.advance.emit(-1)
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            i, n = self._index(), len(self._options)
            if i < 0:
                i = 0 if key == Qt.Key.Key_Right else n - 1
            else:
                i = max(0, min(n - 1, i + (1 if key == Qt.Key.Key_Right else -1)))
            self._choose(self._options[i][0])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _option_at(self, x: float) -> int:
        left = 0
        for i, w in enumerate(self._widths):
            if left <= x < left + w:
                return i
            left += w
        return -1

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton and self.isEnabled():
            i = self._option_at(event.position().x())
            if i >= 0:
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._choose(self._options[i][0])
                event.accept()
                return
        super().mousePressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusOutEvent(event)
        self.update()

    # ------------------------------------------------------------------ painting

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        enabled = self.isEnabled() and self._mark != MARK_NA
        focused = self.hasFocus()
        h = self.HEIGHT - 2
        outer = QRectF(0.5, 0.5, sum(self._widths), h)
        border = QColor("#1a73e8") if focused else QColor("#b8bec6") if enabled else QColor("#dadce0")
        p.setPen(QPen(border, 2 if focused else 1))
        p.setBrush(QColor("#ffffff") if enabled else QColor("#f3f4f6"))
        p.drawRoundedRect(outer, 4, 4)
        if not enabled:
            p.setPen(QColor("#a0a4aa"))
            p.drawText(outer, Qt.AlignmentFlag.AlignCenter, "／")
            return
        selected = self._index()
        hint = -1
        if self._value is None and self._suggestion is not None:
            hint = next(
                (i for i, (v, _t, _k) in enumerate(self._options) if appendix1.same(v, self._suggestion)), -1
            )
        left = 0.5
        texts = self._texts()
        for i, w in enumerate(self._widths):
            rect = QRectF(left, 0.5, w, h)
            if i > 0:
                p.setPen(QPen(QColor("#d0d4da"), 1))
                p.drawLine(int(left), 4, int(left), h - 3)
            font = QFont(self.font())
            if i == selected:
                fill, fg, edge = COLOURS.get(self._mark, COLOURS[MARK_ENTERED])
                p.setPen(QPen(QColor(edge), 1))
                p.setBrush(QColor(fill))
                p.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 3, 3)
                p.setPen(QColor(fg))
                font.setBold(True)
            elif i == hint:
                p.setPen(QPen(QColor("#7aa7ec"), 1, Qt.PenStyle.DashLine))
                p.setBrush(Qt.BrushStyle.NoBrush)
                p.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 3, 3)
                p.setPen(QColor("#5b7fb8"))
            else:
                p.setPen(QColor("#3c4043"))
            p.setFont(font)
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, texts[i])
            left += w
        p.end()


class LineAnswer(QLineEdit):
    """A typed answer (家庭人口数, 人均纯收入, text) that moves on with Enter like the others."""

    edited = Signal()
    advance = Signal(int)

    def __init__(self, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._suggestion: Any = None
        self.setProperty("mark", MARK_NONE)
        if kind == "int":
            self.setValidator(QIntValidator(0, screening.MAX_HOUSEHOLD_SIZE, self))
            self.setMaxLength(2)
            self.setFixedWidth(64)
            self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif kind == "money":
            self.setValidator(QRegularExpressionValidator(r"^-?\d{0,7}(\.\d{0,2})?$", self))
            self.setFixedWidth(120)
            self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        else:
            self.setMaxLength(screening.TEXT_LIMIT)
        self.textEdited.connect(lambda _t: self.edited.emit())

    def value(self) -> Any:
        text = self.text().strip()
        if not text:
            return None
        if self.kind == "int":
            try:
                return int(text)
            except ValueError:
                return text  # the service names the question and the reason
        if self.kind == "money":
            try:
                return Decimal(text).quantize(Decimal("0.01"))
            except InvalidOperation:
                return text
        return text

    def set_value(self, value: Any) -> None:
        if value is None:
            self.setText("")
        elif self.kind == "money":
            self.setText(f"{Decimal(value):.2f}")
        else:
            self.setText(str(value))

    def set_suggestion(self, value: Any) -> None:
        self._suggestion = value

    def set_mark(self, mark: str) -> None:
        if self.property("mark") != mark:
            self.setProperty("mark", mark)
            self.style().unpolish(self)
            self.style().polish(self)

    def mark(self) -> str:
        return str(self.property("mark"))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key = event.key()
        plain = not (
            event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
        )
        if plain and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down):
            event.accept()
            self.advance.emit(1)
            return
        if plain and key == Qt.Key.Key_Up:
            event.accept()
            self.advance.emit(-1)
            return
        if plain and key == Qt.Key.Key_Space and self.kind in ("int", "money"):
            current = self.value()
            if self._suggestion is not None and (
                current is None or not appendix1.same(current, self._suggestion)
            ):
                self.set_value(self._suggestion)
            else:
                self.clear()
            self.selectAll()
            event.accept()
            self.edited.emit()
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        super().focusInEvent(event)
        if self.kind in ("int", "money"):
            QTimer.singleShot(0, self, self.selectAll)  # typing replaces the pre-filled number


# --------------------------------------------------------------------------- one question row


@dataclass
class QuestionRow:
    """The widgets of one question: number, label, answer and the marker beside it."""

    state: QuestionState
    number: QLabel
    label: QLabel
    editor: AnswerBox | LineAnswer
    marker: QLabel
    applicable: bool = True

    @property
    def key(self) -> str:
        return self.state.key

    def value(self) -> Any:
        return self.editor.value()

    def answer(self) -> Any:
        """What is saved: nothing for a question that does not apply."""
        return self.editor.value() if self.applicable else None

    def load(self, state: QuestionState) -> None:
        self.state = state
        self.editor.set_suggestion(state.suggestion)
        self.editor.set_value(state.value)
        self.applicable = state.applicable

    def refresh(self) -> str:
        """Enable or grey the row and redraw its mark; returns the mark."""
        enabled = self.applicable
        for w in (self.number, self.label, self.editor):
            if w.isEnabled() != enabled:
                w.setEnabled(enabled)
        mark = mark_of(self.state, self.editor.value(), enabled)
        self.editor.set_mark(mark)
        text, fg, bg = MARKER_STYLE.get(mark, ("", "#000", "transparent"))
        if mark == MARK_HINT:
            text = f"建议{value_text(self.state.suggestion)}"
        self.marker.setText(text)
        if self.marker.property("mark") != mark:  # restyling costs more than the text: only on change
            self.marker.setProperty("mark", mark)
            self.marker.setStyleSheet(
                f"color:{fg}; background:{bg}; border-radius:3px; padding:1px 4px; font-size:9pt;"
                if text
                else ""
            )
        self.marker.setToolTip(self.tooltip(mark))
        self.label.setToolTip(self.tooltip(mark))
        return mark

    def tooltip(self, mark: str) -> str:
        s = self.state
        if mark == MARK_NA:
            return f"该户不适用此项（{s.who}填写）" if s.who else "该户不适用此项"
        lines = []
        suggested = s.suggestion if s.suggestion is not None else s.suggested_then
        if suggested is not None:
            lines.append(f"系统建议：{value_text(suggested)}")
        if s.reason:
            lines.append(f"依据：{s.reason}")
        if mark == MARK_OVERRIDE:
            lines.append(f"录入：{value_text(self.editor.value())}（已改动系统建议）")
        if s.suggestion is None and s.suggested_then is not None:
            lines.append(f"录入时的系统建议：{value_text(s.suggested_then)}")
        return "\n".join(lines)


@dataclass
class Section:
    title: str
    items: list[tuple[str | None, QuestionState]] = field(default_factory=list)  # (subgroup, question)

    @property
    def weight(self) -> int:
        return len(self.items) + len({sub for sub, _q in self.items if sub})


def sections_of(questions: Sequence[QuestionState]) -> list[Section]:
    """The paper's groups in paper order; runs of ungrouped questions become titled sections."""
    out: list[Section] = []
    current_group: str | None = "\0"
    for q in questions:
        top = q.group[0] if q.group else None
        if not out or top != current_group or (top is None and q.key in RUN_TITLES):
            title = top if top is not None else RUN_TITLES.get(q.key, "其他")
            out.append(Section(title))
            current_group = top
        sub = q.group[1] if len(q.group) > 1 else None
        out[-1].items.append((sub, q))
    return out


def columns_of(sections: list[Section], count: int = 3) -> list[list[Section]]:
    """Sections into ``count`` columns in paper order: the largest group alone in the middle."""
    if len(sections) <= 1 or count < 3:
        return [sections]
    big = max(range(len(sections)), key=lambda i: sections[i].weight)
    before, after = sections[:big], sections[big + 1 :]
    if not before:
        return [[sections[big]], after]
    return [before, [sections[big]], after]


# --------------------------------------------------------------------------- the dialog


class ScreeningFormDialog(QDialog):
    """Enter 附件1 household by household. ``saved`` is emitted with each saved household's id."""

    saved = Signal(int)
    household_changed = Signal(int)

    def __init__(
        self,
        ops: Operations,
        household_id: int | None = None,
        parent: QWidget | None = None,
        *,
        campaign_id: int | None = None,
        village_id: int | None = None,
        unscreened_only: bool = False,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._village_id = village_id
        self._today = today or dt.date.today()
        self._form: HouseholdForm | None = None
        self._initial: dict[str, Any] = {}
        self._rows: dict[str, QuestionRow] = {}
        self._order: list[str] = []
        self.last_result: SaveResult | None = None
        self.last_problem_id: int | None = None
        # a UserError (no household in the scope) is the caller's to show: the dialog does not open
        start = ops.read(screening.form_start, campaign_id, household_id, village_id, unscreened_only)
        self._campaign = start.campaign
        self._sequence = start.sequence
        self._village_name = start.village_name
        form = start.form
        self._position = {hid: i for i, hid in enumerate(self._sequence)}
        self.setWindowTitle(f"到户排查表录入 — {self._campaign.name}")
        self.setSizeGripEnabled(True)
        self.setObjectName("screeningForm")
        self._build(form, unscreened_only)
        self._apply_form(form, focus=True)
        fit_to_screen(self, "screening_form", (1400, 900))

    # ------------------------------------------------------------------ construction

    def _build(self, form: HouseholdForm, unscreened_only: bool) -> None:
        self.setStyleSheet(STYLE)
        # header: who the household is
        self.title = QLabel()
        self.title.setObjectName("formTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("formSubtitle")
        self.subtitle.setTextFormat(Qt.TextFormat.RichText)
        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.position_label = QLabel()
        self.position_label.setObjectName("formSubtitle")
        self.position_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.screened_on = QDateEdit()
        self.screened_on.setDisplayFormat("yyyy-MM-dd")
        self.screened_on.setCalendarPopup(True)
        c = self._campaign
        self.screened_on.setMinimumDate(
            QDate(c.income_period_start.year, c.income_period_start.month, c.income_period_start.day)
        )
        self.screened_on.setMaximumDate(QDate(self._today.year, self._today.month, self._today.day))
        self.screened_on.setDate(QDate(self.default_date()))
        self.screener = QLineEdit()
        self.screener.setMaxLength(60)
        self.screener.setPlaceholderText("排查人员（可不填）")
        self.screener.setFixedWidth(180)
        self.unscreened_only = QCheckBox("只跳到未排查户")
        self.unscreened_only.setChecked(unscreened_only)
        self.unscreened_only.setToolTip("保存并下一户时跳过已录入的农户")

        head = QFrame()
        head.setObjectName("formHead")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.state_label)
        top.addStretch(1)
        top.addWidget(self.position_label)
        second = QHBoxLayout()
        second.addWidget(self.subtitle, 1)
        second.addWidget(QLabel("排查日期"))
        second.addWidget(self.screened_on)
        second.addSpacing(8)
        second.addWidget(QLabel("排查人"))
        second.addWidget(self.screener)
        second.addSpacing(8)
        second.addWidget(self.unscreened_only)
        head_layout = QVBoxLayout(head)
        head_layout.setContentsMargins(12, 8, 12, 8)
        head_layout.setSpacing(4)
        head_layout.addLayout(top)
        head_layout.addLayout(second)

        # the paper form
        paper = QWidget()
        paper.setObjectName("paper")
        columns = QHBoxLayout(paper)
        columns.setContentsMargins(8, 8, 8, 8)
        columns.setSpacing(10)
        number = 0
        for col_sections in columns_of(sections_of(form.questions)):
            col = QVBoxLayout()
            col.setSpacing(8)
            for section in col_sections:
                box, number = self._section_box(section, number)
                col.addWidget(box)
            col.addStretch(1)
            columns.addLayout(col, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(paper)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll = scroll

        # what the focused question is about, the keys, messages
        self.hint = QLabel()
        self.hint.setObjectName("hintBar")
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        self.hint.setMinimumHeight(44)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        keys = QLabel(KEY_HELP)
        keys.setObjectName("keysHelp")
        keys.setWordWrap(True)

        self.prev_button = QPushButton(icon("fa5s.chevron-left"), "上一户 PgUp")
        self.find_button = QPushButton(icon("fa5s.search"), "查找户 Ctrl+F")
        self.ledger_button = QPushButton(icon("fa5s.clipboard-list"), "记入问题台账 Ctrl+L")
        self.save_button = QPushButton(icon("fa5s.save"), "保存 Ctrl+S")
        self.save_next_button = QPushButton(icon("fa5s.chevron-right", "#ffffff"), "保存并下一户 Ctrl+回车")
        self.save_next_button.setObjectName("primary")
        self.close_button = QPushButton("关闭")
        for b in (
            self.prev_button,
            self.find_button,
            self.ledger_button,
            self.save_button,
            self.close_button,
        ):
            b.setAutoDefault(False)
            b.setDefault(False)
        self.save_next_button.setAutoDefault(True)  # Enter on it (after the last question) saves
        self.prev_button.clicked.connect(self.previous)
        self.find_button.clicked.connect(self.find_household)
        self.ledger_button.clicked.connect(self.send_to_ledger)
        self.save_button.clicked.connect(self.save)
        self.save_next_button.clicked.connect(self.save_and_next)
        self.close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.prev_button)
        buttons.addWidget(self.find_button)
        buttons.addWidget(self.ledger_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.save_next_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(head)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.banner)
        layout.addWidget(self.hint)
        layout.addWidget(keys)
        layout.addLayout(buttons)

        # keyboard
        for seq in ("Ctrl+Return", "Ctrl+Enter", "PgDown"):
            QShortcut(QKeySequence(seq), self, activated=self.save_and_next)
        QShortcut(QKeySequence("PgUp"), self, activated=self.previous)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        QShortcut(QKeySequence.StandardKey.Find, self, activated=self.find_household)
        QShortcut(QKeySequence("Ctrl+L"), self, activated=self.send_to_ledger)

        chain: list[QWidget] = [self._rows[k].editor for k in self._order]
        chain += [
            self.save_next_button,
            self.save_button,
            self.screened_on,
            self.screener,
            self.unscreened_only,
            self.prev_button,
            self.find_button,
            self.ledger_button,
            self.close_button,
        ]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        QApplication.instance().focusChanged.connect(self._on_focus_changed)  # type: ignore[union-attr]

    # grid columns of a section: the subgroup's merged cell, number, label, answer, marker
    C_SUB, C_NUM, C_LABEL, C_EDIT, C_MARK = range(5)

    def _section_box(self, section: Section, number: int) -> tuple[QGroupBox, int]:
        box = QGroupBox(section.title)
        box.setObjectName("section")
        grid = QGridLayout(box)
        grid.setContentsMargins(8, 14, 8, 8)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(self.C_LABEL, 1)
        row = 0
        sub_start: tuple[str, int] | None = None

        def close_sub(end: int) -> None:
            if sub_start is not None:
                cell = QLabel(sub_start[0])
                cell.setObjectName("subgroup")
                cell.setWordWrap(True)
                cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
                cell.setFixedWidth(64)
                grid.addWidget(cell, sub_start[1], self.C_SUB, end - sub_start[1], 1)

        for sub, q in section.items:
            if sub_start is not None and sub != sub_start[0]:
                close_sub(row)
                sub_start = None
            if sub and sub_start is None:
                sub_start = (sub, row)
            number += 1
            row = self._add_row(grid, row, number, q)
            if q.key == "should_monitor":
                self.clue_note = QLabel()
                self.clue_note.setObjectName("clueNote")
                self.clue_note.setWordWrap(True)
                self.clue_note.hide()
                grid.addWidget(self.clue_note, row, self.C_LABEL, 1, 3)
                row += 1
        close_sub(row)
        return box, number

    def _add_row(self, grid: QGridLayout, row: int, number: int, q: QuestionState) -> int:
        """Place one question from ``row``; returns the next free row. A choice, an amount or a text
        takes two lines (label above the answer), so yes/no labels keep their width."""
        num = QLabel(str(number))
        num.setObjectName("qnum")
        num.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        num.setFixedWidth(22)
        label = QLabel(display_label(q))
        label.setWordWrap(True)
        label.setObjectName("qlabel")
        editor: AnswerBox | LineAnswer
        if q.kind == "bool":
            editor = AnswerBox([(True, "是", YES_KEYS), (False, "否", NO_KEYS)])
        elif q.kind == "choice":
            editor = AnswerBox([(c, c, (DIGIT_KEYS[i],)) for i, c in enumerate(q.choices[:9])], numbered=True)
        else:
            editor = LineAnswer(q.kind)
        editor.setObjectName(f"answer_{q.key}")
        label.setBuddy(editor)
        marker = QLabel()
        marker.setObjectName("marker")
        marker.setMinimumWidth(44)
        marker.setAlignment(Qt.AlignmentFlag.AlignCenter)
        marker.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        middle = Qt.AlignmentFlag.AlignVCenter
        grid.addWidget(num, row, self.C_NUM)
        if q.kind in ("choice", "money", "text"):
            grid.addWidget(label, row, self.C_LABEL, 1, 3)
            row += 1
            if q.kind == "text":
                grid.addWidget(editor, row, self.C_LABEL, 1, 3)
            else:
                grid.addWidget(editor, row, self.C_LABEL, 1, 2, Qt.AlignmentFlag.AlignLeft | middle)
                grid.addWidget(marker, row, self.C_MARK, middle)
        else:
            grid.addWidget(label, row, self.C_LABEL)
            grid.addWidget(editor, row, self.C_EDIT, Qt.AlignmentFlag.AlignLeft | middle)
            grid.addWidget(marker, row, self.C_MARK, middle)
        qrow = QuestionRow(q, num, label, editor, marker)
        self._rows[q.key] = qrow
        self._order.append(q.key)
        editor.edited.connect(lambda key=q.key: self._on_edited(key))
        editor.advance.connect(lambda step, key=q.key: self.move_focus(key, step))
        return row + 1

    # ------------------------------------------------------------------ loading a household

    def default_date(self) -> dt.date:
        """Today, or the campaign's last day once it is over (forms typed in afterwards)."""
        c = self._campaign
        day = min(self._today, c.end_date) if self._today >= c.start_date else self._today
        return max(day, c.income_period_start)

    def _apply_form(self, form: HouseholdForm, focus: bool = True) -> None:
        self._form = form
        for q in form.questions:
            self._rows[q.key].load(q)
        self._reapply()
        self._initial = self.answers()
        if form.screened_on is not None:
            self.screened_on.setDate(QDate(form.screened_on))
        if form.record_id is not None:  # a saved record shows its own; a new one keeps the last typed
            self.screener.setText(form.screener)
        self._show_header()
        if focus:
            self.focus_first()
        self.household_changed.emit(form.household_id)

    def _show_header(self) -> None:
        f = self.form
        head = f.head_name or "（无户主）"
        self.title.setText(f"{f.village}{f.group}　{head}户")
        ctx = f.context
        bits = []
        if f.household_code:
            bits.append(f"户编号 {f.household_code}")
        bits.append(f"登记户类型 {ctx.household_type}")
        bits.append(f"家庭成员 {ctx.people.size} 人")
        if f.phone:
            bits.append(f"电话 {f.phone}")
        if f.clue_case_id is not None:
            bits.append("<span style='color:#a50e0e'>已有监测线索或监测记录</span>")
        self.subtitle.setText("　·　".join(bits))
        if f.record_id is None:
            self.state_label.setText("未排查")
            self.state_label.setProperty("state", "new")
        else:
            when = f.screened_on.isoformat() if f.screened_on else ""
            method = f.question("method").value or ""
            self.state_label.setText(f"已排查 {when} {method}".strip())
            self.state_label.setProperty("state", "saved")
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)
        pos = self._position.get(f.household_id)
        scope = self._village_name or "全乡镇"
        self.position_label.setText(
            f"{scope} 第 {pos + 1} / {len(self._sequence)} 户" if pos is not None else ""
        )
        self._update_clue_note()

    # ------------------------------------------------------------------ state

    @property
    def form(self) -> HouseholdForm:
        assert self._form is not None
        return self._form

    @property
    def household_id(self) -> int:
        return self.form.household_id

    def row(self, key: str) -> QuestionRow:
        return self._rows[key]

    def answers(self) -> dict[str, Any]:
        """The answers as they would be saved (nothing for questions that do not apply)."""
        return {k: self._rows[k].answer() for k in self._order}

    def raw_values(self) -> dict[str, Any]:
        return {k: self._rows[k].value() for k in self._order}

    def is_dirty(self) -> bool:
        return self.answers() != self._initial

    def _reapply(self) -> None:
        rules = self.form.applicability(self.raw_values())
        for k in self._order:
            r = self._rows[k]
            r.applicable = rules.get(k, True)
            r.refresh()

    def _on_edited(self, key: str) -> None:
        row = self._rows[key]
        if key in self._dependants():
            self._reapply()
        else:
            row.refresh()
        self._update_clue_note()
        self._show_hint(row)

    def _dependants(self) -> set[str]:
        return {d for q in self.form.questions for d in q.depends_on}

    def _update_clue_note(self) -> None:
        note = getattr(self, "clue_note", None)
        if note is None or self._form is None:
            return
        row = self._rows.get("should_monitor")
        value = row.answer() if row else None
        if value is True and self.form.clue_case_id is not None:
            note.setText("该户已有监测线索或监测记录，保存时不再重复新建。")
        elif value is True:
            note.setText("保存后将为该户新建监测对象线索（来源：集中排查）。")
        else:
            note.setText("")
        note.setVisible(bool(note.text()))

    # ------------------------------------------------------------------ focus

    def applicable_keys(self) -> list[str]:
        return [k for k in self._order if self._rows[k].applicable]

    def focus_first(self) -> None:
        keys = self.applicable_keys()
        if keys:
            self.focus_question(keys[0])

    def focus_question(self, key: str) -> None:
        row = self._rows[key]
        row.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll.ensureWidgetVisible(row.editor, 20, 20)
        self._show_hint(row)

    def move_focus(self, key: str, step: int) -> None:
        keys = self.applicable_keys()
        if key not in keys:
            keys = [k for k in self._order if self._rows[k].applicable or k == key]
        i = keys.index(key) + step
        if i >= len(keys):
            self.save_next_button.setFocus(Qt.FocusReason.TabFocusReason)
            self.hint.setText("<b>已到最后一项。</b>按回车（或 Ctrl+回车）保存并打开下一户。")
            return
        self.focus_question(keys[max(i, 0)])

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is None or self._form is None:
            return
        for r in self._rows.values():
            if r.editor is new:
                self._show_hint(r)
                return

    def _show_hint(self, row: QuestionRow) -> None:
        s = row.state
        path = " › ".join(s.group)
        title = f"{path} › {s.label}" if path else s.label
        lines = [f"<b>{_esc(title)}</b>"]
        mark = mark_of(s, row.editor.value(), row.applicable)
        if mark == MARK_NA:
            lines.append(
                f"<span style='color:#80868b'>该户不适用此项（{_esc(s.who or '部分农户')}填写），不保存答案。</span>"
            )
        else:
            bits = []
            if s.suggestion is not None:
                bits.append(f"系统建议：<b>{_esc(value_text(s.suggestion))}</b>")
            if s.reason:
                bits.append(f"依据：{_esc(s.reason)}")
            if mark == MARK_OVERRIDE:
                bits.append("<span style='color:#8a3f00'><b>已改动系统建议</b>（保存后保留改动记录）</span>")
            if not bits:
                bits.append(
                    "<span style='color:#80868b'>系统数据中没有可参考的信息，请按排查结果填写。</span>"
                )
            lines.append("　".join(bits))
        self.hint.setText("<br>".join(lines))

    # ------------------------------------------------------------------ messages (tests replace these)

    def confirm_incomplete(self, labels: list[str]) -> bool:
        shown = "、".join(labels[:6]) + ("等" if len(labels) > 6 else "")
        answer = QMessageBox.question(
            self,
            "还有未填写的项目",
            f"还有 {len(labels)} 项未填写：{shown}。\n\n仍要保存吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' for a form with changes when leaving the household."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "尚未保存",
            "该户的排查表有修改尚未保存。是否保存？",
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.button(QMessageBox.StandardButton.Save).setText("保存(&S)")
        box.button(QMessageBox.StandardButton.Discard).setText("不保存(&N)")
        box.button(QMessageBox.StandardButton.Cancel).setText("取消")
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save", QMessageBox.StandardButton.Discard: "discard"}.get(
            QMessageBox.StandardButton(answer), "cancel"
        )

    def show_banner(self, text: str, kind: str = "ok") -> None:
        self.banner.setText(text)
        self.banner.setProperty("kind", kind)
        self.banner.style().unpolish(self.banner)
        self.banner.style().polish(self.banner)
        self.banner.show()

    # ------------------------------------------------------------------ saving

    def _screened_on(self) -> dt.date:
        d = self.screened_on.date()
        return dt.date(d.year(), d.month(), d.day())

    def _check_before_save(self) -> dict[str, Any] | None:
        answers = self.answers()
        missing = self.form.unanswered(self.raw_values())
        required = [k for k in missing if appendix1.BY_KEY[k].required]
        if required:
            label = display_label(self._rows[required[0]].state)
            self.show_banner(f"“{label}”不能为空，请填写后再保存。", "error")
            self.focus_question(required[0])
            return None
        if missing and not self.confirm_incomplete([display_label(self._rows[k].state) for k in missing]):
            self.focus_question(missing[0])
            return None
        labels = {k: display_label(row.state) for k, row in self._rows.items()}
        for key, message in screening.answer_warnings(answers, labels):
            if not self.confirm_implausible(message):
                self.focus_question(key)
                return None
        return answers

    def confirm_implausible(self, message: str) -> bool:
        """An answer allowed but unlikely (an income typed in 分): save it anyway?"""
        answer = QMessageBox.question(
            self,
            "请核实",
            f"{message}。\n\n核实无误，仍要保存吗？",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _failed(self, exc: UserError) -> None:
        """A save the service refused: a field's error in the banner with the focus on the field."""
        if isinstance(exc, ValidationError) and exc.field in self._rows:
            self.show_banner(str(exc), "error")
            self.focus_question(exc.field)
        elif isinstance(exc, ValidationError) and exc.field == "screened_on":
            self.show_banner(str(exc), "error")
            self.screened_on.setFocus()
        else:
            show_error(exc, self)  # its Chinese message (a UserError)

    def _saved_text(self, form: HouseholdForm, result: SaveResult) -> str:
        who = f"{form.village}{form.group} {form.head_name or ''}户"
        text = f"✓ 已保存：{who}（{'新录入' if result.created else '已更新'}）。"
        if result.overrides:
            text += f"改动系统建议 {len(result.overrides)} 项，已记录。"
        if result.clue_created:
            text += "已为该户新建监测对象线索（来源：集中排查），请在监测对象中跟进识别。"
        elif result.clue_removed:
            text += "已撤销本次排查新建的监测线索。"
        if result.cleared:
            text += f"不适用的 {len(result.cleared)} 项答案未保存。"
        return text

    def save(self, then: Callable[[], None] | None = None) -> Task | None:
        """Save this household and stay on it (``then()`` after it is saved). None when the check
        before saving stopped it (the clerk has been told); a refused save shows in the banner."""
        answers = self._check_before_save()
        if answers is None:
            return None
        saved_form = self.form

        def done(outcome: tuple[SaveResult, HouseholdForm]) -> None:
            result, form = outcome
            self.last_result = result
            self.show_banner(self._saved_text(saved_form, result), "clue" if result.clue_created else "ok")
            focused = self._focused_key()
            self._apply_form(form, focus=False)
            if focused:
                self.focus_question(focused) if self._rows[focused].applicable else self.focus_first()
            self.saved.emit(saved_form.household_id)
            if then is not None:
                then()

        return screening_ops.save_form(
            self._ops,
            saved_form.campaign_id,
            saved_form.household_id,
            answers,
            screened_on=self._screened_on(),
            screener=self.screener.text(),
            parent=self,
            success=done,
            user_error=self._failed,
            origin=self,
        )

    def save_and_next(self) -> Task | None:
        """Save this household and open the next one in order (stays on the last one)."""
        answers = self._check_before_save()
        if answers is None:
            return None
        saved_form = self.form
        unscreened_only = self.unscreened_only.isChecked()

        def done(outcome: tuple[SaveResult, HouseholdForm, bool]) -> None:
            result, nxt, last = outcome
            self.last_result = result
            text = self._saved_text(saved_form, result)
            if last:
                text += "　已是最后一户" + ("（本范围内没有未排查的农户了）。" if unscreened_only else "。")
            self.show_banner(text, "clue" if result.clue_created else "ok")
            self._apply_form(nxt, focus=True)
            self.saved.emit(saved_form.household_id)

        return screening_ops.save_form_and_next(
            self._ops,
            saved_form.campaign_id,
            saved_form.household_id,
            answers,
            screened_on=self._screened_on(),
            screener=self.screener.text(),
            village_id=self._village_id,
            unscreened_only=unscreened_only,
            parent=self,
            success=done,
            user_error=self._failed,
            origin=self,
        )

    def _focused_key(self) -> str | None:
        w = QApplication.focusWidget()
        for k, r in self._rows.items():
            if r.editor is w:
                return k
        return None

    # ------------------------------------------------------------------ moving between households

    def _leave_then(self, proceed: Callable[[], None]) -> None:
        """Before opening another household or closing: save (then ``proceed`` once it is
        saved), drop the changes, or stay."""
        if not self.is_dirty():
            proceed()
            return
        choice = self.ask_unsaved()
        if choice == "save":
            self.save(then=proceed)
        elif choice == "discard":
            proceed()

    def open_household(self, household_id: int) -> None:
        if household_id == self.form.household_id:
            return
        campaign_id = self.form.campaign_id

        def show() -> None:
            form = screening_ops.run_or_tell(
                self, self._ops.read, screening.load_form, campaign_id, household_id
            )
            if form is not None:
                self.banner.hide()
                self._apply_form(form, focus=True)

        self._leave_then(show)

    def previous(self) -> None:
        hid = self._ops.read(
            screening.next_household_id,
            self.form.campaign_id,
            self.form.household_id,
            village_id=self._village_id,
            backwards=True,
        )
        if hid is None:
            self.show_banner("已是第一户。", "info")
            return
        self.open_household(hid)

    def next(self) -> None:
        """The next household without saving (the ↓ button of a list, for the page)."""
        hid = self._ops.read(
            screening.next_household_id,
            self.form.campaign_id,
            self.form.household_id,
            village_id=self._village_id,
            unscreened_only=self.unscreened_only.isChecked(),
        )
        if hid is None:
            self.show_banner("已是最后一户。", "info")
            return
        self.open_household(hid)

    def pick_household(self) -> int | None:
        dialog = HouseholdPickerDialog(self._ops, self, village_id=self._village_id)
        chosen = dialog.household_id if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return chosen

    def find_household(self) -> None:
        hid = self.pick_household()
        if hid is None:
            return
        if hid not in self._position and self._village_id is not None:
            self.show_banner("该户不在当前录入的行政村范围内。", "error")
            return
        self.open_household(hid)

    # ------------------------------------------------------------------ ledger

    def _household_label(self) -> str:
        f = self.form
        return f"{f.village}{f.group} {f.head_name}户"

    def _write_problem(
        self,
        values: dict[str, Any],
        saved: Callable[[int], None],
        refused: Callable[[UserError], None] | None = None,
    ) -> Task:
        return screening_ops.send_to_ledger(
            self._ops,
            self.form.campaign_id,
            self.form.household_id,
            values,
            parent=self,
            success=saved,
            user_error=refused,
            origin=self,
        )

    def send_to_ledger(self, values: dict[str, Any] | None = None) -> None:
        """Record a difficulty or problem of this household in the rectification ledger (asks for
        type, description, measure, responsible person and deadline unless ``values`` are given)."""

        def recorded(pid: int, values: dict[str, Any]) -> None:
            self.last_problem_id = pid
            kind = "（立行立改，不列入台账）" if values.get("on_the_spot") else ""
            self.show_banner(f"✓ 已将“{values['description'][:30]}”记入问题整改台账{kind}。", "ok")

        if values is not None:
            given = values
            self._write_problem(given, lambda pid: recorded(pid, given))
            return
        dialog = ProblemDialog(
            self._ops,
            self,
            year=self._campaign.year,
            fixed_household=(self.form.household_id, self._household_label()),
            description=self._rows["difficulties"].value() or "",
            found_on=self._screened_on(),
            save=lambda v, saved, refused: self._write_problem(v, saved, refused),
            today=self._today,
        )
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted and dialog.saved_id is not None:
            recorded(dialog.saved_id, dialog.values())
        dialog.deleteLater()

    # ------------------------------------------------------------------ closing

    def reject(self) -> None:
        if self._form is None:
            super().reject()
            return
        self._leave_then(lambda: QDialog.reject(self))

    def done(self, result: int) -> None:
        app = QApplication.instance()
        if app is not None:
            try:
                app.focusChanged.disconnect(self._on_focus_changed)  # type: ignore[attr-defined]
            except (RuntimeError, TypeError):
                pass
        super().done(result)


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


STYLE = """
#formHead { background: #f6f8fb; border: 1px solid #d5dbe3; border-radius: 6px; }
#formTitle { font-size: 15pt; font-weight: bold; color: #1f2937; }
#formSubtitle { color: #4b5563; }
#stateLabel { border-radius: 9px; padding: 2px 10px; font-weight: bold; }
#stateLabel[state="new"] { background: #fff4e5; color: #9a4d00; border: 1px solid #f3c58a; }
#stateLabel[state="saved"] { background: #e6f4ea; color: #1e6b34; border: 1px solid #a8d5b5; }
#paper { background: #ffffff; }
QGroupBox#section { border: 1px solid #9aa4b1; border-radius: 4px; margin-top: 12px; font-weight: bold;
    color: #1f2937; background: #fcfcfd; }
QGroupBox#section::title { subcontrol-origin: margin; left: 8px; padding: 0 4px; background: #ffffff; }
QLabel#subgroup { background: #eef1f5; color: #374151; font-weight: bold; padding: 2px 4px;
    border: 1px solid #c9d0d9; border-radius: 3px; }
QLabel#qlabel { color: #1f2937; font-weight: normal; }
QLabel#qlabel:disabled { color: #a3a8b0; }
QLabel#qnum { color: #6b7280; font-weight: normal; }
QLabel#qnum:disabled { color: #c4c7cc; }
QLabel#clueNote { color: #a50e0e; font-weight: bold; }
QLineEdit[mark="suggested"] { background: #dbe7fd; color: #1a4fa0; border: 1px solid #7aa7ec; border-radius: 3px;
    padding: 2px 4px; }
QLineEdit[mark="override"] { background: #fde0bd; color: #8a3f00; border: 1px solid #e8710a; border-radius: 3px;
    padding: 2px 4px; font-weight: bold; }
QLineEdit:disabled { background: #f3f4f6; color: #a3a8b0; }
#hintBar { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 4px; padding: 4px 8px; }
#keysHelp { color: #6b7280; font-size: 9pt; }
#banner { border-radius: 4px; padding: 5px 8px; }
#banner[kind="ok"] { background: #e6f4ea; color: #1e6b34; }
#banner[kind="clue"] { background: #fce8e6; color: #a50e0e; font-weight: bold; }
#banner[kind="error"] { background: #fce8e6; color: #a50e0e; }
#banner[kind="info"] { background: #e8f0fe; color: #174ea6; }
QPushButton#primary { background: #1a62c6; color: #ffffff; font-weight: bold; padding: 5px 14px;
    border-radius: 4px; border: 1px solid #174ea6; }
QPushButton#primary:focus { border: 2px solid #0b3d91; }
"""


__all__ = [
    "AnswerBox",
    "LineAnswer",
    "QuestionRow",
    "ScreeningFormDialog",
    "mark_of",
    "MARK_ENTERED",
    "MARK_HINT",
    "MARK_NA",
    "MARK_NONE",
    "MARK_OVERRIDE",
    "MARK_SUGGESTED",
]
