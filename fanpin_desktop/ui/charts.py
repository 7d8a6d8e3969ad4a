"""The 工作台's charts, drawn with pyqtgraph (MIT; Qt's own Qt Charts is GPL-only outside a
commercial licence), and the same charts as PNG images for the work-summary .docx.

Three charts, each a :class:`pyqtgraph.GraphicsLayoutWidget` with a one-row legend above its plot
(a legend floating over the bars would hide the longest one):

- :class:`VillageCategoryChart`: monitored households per village, stacked by category
  (horizontal bars, so every 村 name reads in full however many villages there are);
- :class:`MonthChart`: identifications and eliminations per month, the last twelve months;
- :class:`ScreeningChart`: the current campaign's screening progress per village (done of total).

:func:`chart_images` renders the three offscreen into PNG bytes in memory (no file), at twice the
widget's resolution so the printed figure stays sharp.
"""

from __future__ import annotations

import atexit
import weakref
from collections.abc import Sequence

import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter
from PySide6.QtWidgets import QWidget

from fanpin_desktop.documents.summary_docx import ChartImage
from fanpin_desktop.services.dashboard import Dashboard

pg.setConfigOptions(antialias=True, background="w", foreground="#3c4043")

#: every chart alive, deleted at exit before the interpreter's teardown: a pyqtgraph view still
#: alive when the QApplication is destroyed crashes the process (a script or test that ends with
#: its window open; the program itself closes its window first)
_LIVE: weakref.WeakSet[QWidget] = weakref.WeakSet()


@atexit.register
def _delete_live_charts() -> None:
    for chart in list(_LIVE):
        if shiboken6.isValid(chart):
            shiboken6.delete(chart)


CATEGORY_COLOURS = {
    "脱贫不稳定户": "#d93025",
    "边缘易致贫户": "#f29900",
    "突发严重困难户": "#1a73e8",
}
OTHER_COLOUR = "#9aa0a6"
IDENTIFIED_COLOUR = "#1a73e8"
ELIMINATED_COLOUR = "#188038"
DONE_COLOUR = "#1a73e8"
LEFT_COLOUR = "#dadce0"
TEXT_COLOUR = "#3c4043"
BAR = 0.6  # a bar's thickness, in category units


def _font(points: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


class _Chart(pg.GraphicsLayoutWidget):
    """A titled plot with a legend row above it; subclasses fill it from a :class:`Dashboard`."""

    TITLE = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _LIVE.add(self)
        self.setMinimumSize(260, 200)
        self.ci.setContentsMargins(6, 4, 10, 4)
        self.ci.setSpacing(0)
        self.heading = self.TITLE
        self.title = self.addLabel(self.TITLE, row=0, col=0, size="10.5pt", bold=True, color="#202124")
        self.legend = pg.LegendItem(colCount=4, labelTextColor=TEXT_COLOUR, labelTextSize="9pt")
        self.legend.setBrush(None)
        self.legend.setPen(None)
        self.addItem(self.legend, row=1, col=0)
        self.plot = self.addPlot(row=2, col=0)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTickFont(_font(9))
            axis.setTextPen(TEXT_COLOUR)
            axis.setPen(LEFT_COLOUR)
        self.plot.showGrid(x=False, y=False)
        self.empty_text = pg.TextItem("", color="#80868b", anchor=(0.5, 0.5))
        self.empty_text.setFont(_font(10))
        self.values = ""  # the figures in words, for the tooltip and the tests

    def _reset(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self.plot.showAxis("left")
        self.plot.showAxis("bottom")
        for side in ("left", "bottom"):
            axis = self.plot.getAxis(side)
            axis.setTicks(None)
            axis.setTickSpacing()
            axis.showLabel(False)
        self.plot.getAxis("left").setWidth(None)

    def _show_empty(self, text: str) -> None:
        self.plot.addItem(self.empty_text)
        self.empty_text.setText(text)
        self.empty_text.setPos(0.5, 0.5)
        self.plot.setXRange(0, 1, padding=0)
        self.plot.setYRange(0, 1, padding=0)
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.values = text
        self.setToolTip("")

    def _legend(self, entries: Sequence[tuple[str, str]]) -> None:
        for name, colour in entries:
            sample = pg.BarGraphItem(x=[0], height=[0], width=0, brush=colour, pen=None)
            self.legend.addItem(sample, name)

    def _value_label(self, text: str, x: float, y: float, anchor: tuple[float, float]) -> None:
        label = pg.TextItem(text, color=TEXT_COLOUR, anchor=anchor)
        label.setFont(_font(8.5))
        label.setPos(x, y)
        self.plot.addItem(label)

    def _category_axis(self, names: Sequence[str]) -> None:
        """Village names down the left axis, top to bottom, the axis wide enough for the longest
        (pyqtgraph leaves out a label that does not fit rather than cutting it)."""
        axis = self.plot.getAxis("left")
        axis.setTicks([list(enumerate(names))])
        widest = max((QFontMetrics(_font(9)).horizontalAdvance(n) for n in names), default=0)
        axis.setWidth(widest + 16)
        self.plot.invertY(True)
        self.plot.setYRange(-0.6, len(names) - 0.4, padding=0)

    def _count_axis(self, side: str, top: float) -> None:
        """Whole numbers only on the count axis."""
        step = max(1, _round_step(top / 5))
        self.plot.getAxis(side).setTickSpacing(major=step, minor=step)

    def set_dashboard(self, d: Dashboard) -> None:
        """Draw the chart from the 工作台's figures; each chart class draws its own series."""
        raise NotImplementedError  # every subclass overrides it


def _round_step(raw: float) -> int:
    """1, 2, 5, 10, 20, 50, … at least ``raw``."""
    step = 1
    while True:
        for k in (1, 2, 5):
            if step * k >= raw:
                return step * k
        step *= 10


def _nice_max(value: float) -> float:
    """Room after the longest bar for its value label."""
    return max(1.0, value * 1.18 + 0.5)


class VillageCategoryChart(_Chart):
    TITLE = "各村监测对象（户，按类别）"

    def set_dashboard(self, d: Dashboard) -> None:
        self._reset()
        rows = d.by_village
        if not rows or not any(v.total for v in rows):
            self._show_empty("暂无监测对象" if rows else "尚未建立行政村")
            return
        used = [k for k, c in enumerate(d.categories) if any(v.counts[k] for v in rows)]
        colours = [CATEGORY_COLOURS.get(d.categories[k], OTHER_COLOUR) for k in used]
        self._legend([(d.categories[k], c) for k, c in zip(used, colours, strict=True)])
        ys = list(range(len(rows)))
        left = [0.0] * len(rows)
        for k, colour in zip(used, colours, strict=True):
            widths = [float(v.counts[k]) for v in rows]
            bars = pg.BarGraphItem(
                x0=left, y=ys, width=widths, height=BAR, brush=colour, pen=pg.mkPen("w", width=1)
            )
            self.plot.addItem(bars)
            left = [a + b for a, b in zip(left, widths, strict=True)]
        for y, v in zip(ys, rows, strict=True):
            if v.total:
                self._value_label(str(v.total), v.total, y, (-0.15, 0.5))
        self._category_axis([v.village for v in rows])
        top = max(v.total for v in rows)
        self.plot.setXRange(0, _nice_max(top), padding=0)
        self._count_axis("bottom", top)
        self.values = "；".join(
            f"{v.village}{v.total}户"
            + (
                "（" + "、".join(f"{d.categories[k]}{v.counts[k]}" for k in used if v.counts[k]) + "）"
                if v.total
                else ""
            )
            for v in rows
        )
        self.setToolTip(self.values)


class MonthChart(_Chart):
    TITLE = "近12个月识别与消除（户）"

    def set_dashboard(self, d: Dashboard) -> None:
        self._reset()
        months = d.by_month
        if not any(m.identified or m.eliminated for m in months):
            self._show_empty("近12个月没有识别或消除风险的监测对象")
            return
        self._legend([("识别纳入", IDENTIFIED_COLOUR), ("风险消除", ELIMINATED_COLOUR)])
        xs = list(range(len(months)))
        w = 0.38
        for offset, values, colour in (
            (-w / 2, [m.identified for m in months], IDENTIFIED_COLOUR),
            (w / 2, [m.eliminated for m in months], ELIMINATED_COLOUR),
        ):
            self.plot.addItem(
                pg.BarGraphItem(x=[x + offset for x in xs], height=values, width=w, brush=colour, pen=None)
            )
            for x, n in zip(xs, values, strict=True):
                if n:
                    self._value_label(str(n), x + offset, n, (0.5, 1.0))
        # every other month always labelled, the others when there is room (a narrow chart)
        labels = [(x, f"{int(m.month[5:])}月") for x, m in zip(xs, months, strict=True)]
        bottom = self.plot.getAxis("bottom")
        start = (len(labels) - 1) % 2  # the current month among the labelled ones
        bottom.setTicks([labels[start::2], labels[1 - start :: 2]])
        first, last = months[0].month, months[-1].month
        bottom.setLabel(f"{first[:4]}年{int(first[5:])}月至{last[:4]}年{int(last[5:])}月", color=TEXT_COLOUR)
        bottom.label.setFont(_font(8.5))
        top = max(max(m.identified, m.eliminated) for m in months)
        self.plot.setXRange(-0.6, len(months) - 0.4, padding=0)
        self.plot.setYRange(0, _nice_max(top), padding=0)
        self._count_axis("left", top)
        self.values = "；".join(
            f"{m.label}识别{m.identified}、消除{m.eliminated}" for m in months if m.identified or m.eliminated
        )
        self.setToolTip(self.values)


class ScreeningChart(_Chart):
    TITLE = "集中排查进度（户）"

    def set_dashboard(self, d: Dashboard) -> None:
        self._reset()
        rows = d.screening
        if not rows:
            self._show_empty("尚未建立集中排查批次")
            return
        self.heading = f"{d.todo.campaign or '集中排查'}进度（户）"
        self.title.setText(self.heading, size="10.5pt", bold=True, color="#202124")
        self._legend([("已排查", DONE_COLOUR), ("未排查", LEFT_COLOUR)])
        ys = list(range(len(rows)))
        done = [float(v.done) for v in rows]
        left = [float(max(v.total - v.done, 0)) for v in rows]
        self.plot.addItem(
            pg.BarGraphItem(x0=[0] * len(rows), y=ys, width=done, height=BAR, brush=DONE_COLOUR, pen=None)
        )
        self.plot.addItem(pg.BarGraphItem(x0=done, y=ys, width=left, height=BAR, brush=LEFT_COLOUR, pen=None))
        for y, v in zip(ys, rows, strict=True):
            percent = f"{100 * v.done / v.total:.0f}%" if v.total else "—"
            self._value_label(f"{v.done}/{v.total}  {percent}", max(v.total, v.done), y, (-0.05, 0.5))
        self._category_axis([v.village for v in rows])
        top = max(max(v.total, v.done) for v in rows)
        self.plot.setXRange(0, max(1.0, top * 1.4), padding=0)
        self._count_axis("bottom", top)
        self.values = "；".join(f"{v.village}已排查{v.done}户，共{v.total}户" for v in rows)
        self.setToolTip(self.values)


CHARTS: tuple[type[_Chart], ...] = (VillageCategoryChart, MonthChart, ScreeningChart)


def render_png(widget: QWidget, width: int, height: int, scale: float = 2.0) -> bytes:
    """``widget`` laid out at ``width`` × ``height`` and painted into a PNG, in memory."""
    widget.resize(width, height)
    widget.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    widget.show()  # lays the scene out; never on screen
    image = QImage(round(width * scale), round(height * scale), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(scale)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    try:
        QWidget.render(widget, painter, QPoint(0, 0))  # QWidget's, not QGraphicsView's scene render
    finally:
        painter.end()
    widget.hide()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def chart_images(d: Dashboard, width: int = 760, height: int = 360) -> list[ChartImage]:
    """The charts that have something to show, as PNG images (for the work summary)."""
    out = []
    for kind in CHARTS:
        chart = kind()
        try:
            chart.set_dashboard(d)
            if chart.empty_text.scene() is not None:
                continue  # nothing to draw: the report says it in words
            if kind is not MonthChart:
                rows = len(d.by_village if kind is VillageCategoryChart else d.screening)
                h = max(height, 120 + 34 * rows)
            else:
                h = height
            out.append(ChartImage(chart.heading, render_png(chart, width, h)))
        finally:
            # now, not deleteLater(): a caller without an event loop (a script, a test) would
            # leave the scene to the interpreter's exit, where Qt and pyqtgraph tear down in any order
            shiboken6.delete(chart)
    return out
