"""Item models of the concentrated screening and the rectification ledger.

The lists here are small (a village's households, ten or forty villages, a few hundred ledger
lines), so each model holds plain service rows and a column table; the views sort them through a
``QSortFilterProxyModel`` on ``SORT_ROLE`` (native values). ``ID_ROLE`` gives the record's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.domain import ids
from fanpin_desktop.services import ledger, stats
from fanpin_desktop.services.appendix_import import ImportIssue
from fanpin_desktop.services.ledger import ProblemRow
from fanpin_desktop.services.stats import MissingHousehold, StatsReport, VillageProgress
from fanpin_desktop.ui.table_models.base import (  # noqa: F401 - the roles are imported from here too
    CENTER,
    DELTA_ROLE,
    ID_ROLE,
    LEFT,
    RIGHT,
    SORT_ROLE,
    VALUE_ROLE,
    Column,
    Index,
    ReadOnlyTableModel,
    RowsModel,
)

OVERDUE_BACKGROUND = QColor("#fce8e6")
OVERDUE_FOREGROUND = QColor("#a50e0e")
ON_THE_SPOT_FOREGROUND = QColor("#6b7280")
CLOSED_FOREGROUND = QColor("#1e7e34")
MUTED = QColor("#80868b")
CHANGED = QColor("#1a56b0")
TOTAL_BACKGROUND = QColor("#eef3fb")


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


def date_text(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _yn(value: Any) -> str:
    return "是" if value is True else "否" if value is False else ""


# --------------------------------------------------------------------------- appendix 1 list


class HouseholdScreeningModel(RowsModel):
    """Households of a village with their appendix 1 state (rows of ``screening.appendix1_rows``)."""

    COL_GROUP, COL_HEAD, COL_SIZE, COL_TYPE, COL_STATE, COL_METHOD, COL_OVERRIDES, COL_MONITOR, COL_NEEDS = (
        range(9)
    )
    COLUMNS = (
        Column("村组", lambda r: r["village_group"]),
        Column("户主姓名", lambda r: r["head_name"]),
        Column("人口", lambda r: str(r["household_size"] or ""), lambda r: r["household_size"] or 0, RIGHT),
        Column("户属性", lambda r: r["household_type"] or ""),
        Column(
            "排查状态",
            lambda r: "已排查" if r["screened"] else "未排查",
            lambda r: int(r["screened"]),
            CENTER,
        ),
        Column("排查方式", lambda r: r["method"] or ""),
        Column(
            "改动建议",
            lambda r: f"{len(r['overrides'])}项" if r["overrides"] else "",
            lambda r: len(r["overrides"]),
            CENTER,
            "录入时改动了系统建议的答案项数",
        ),
        Column("应纳入监测", lambda r: _yn(r.get("should_monitor")), None, CENTER),
        Column("困难和诉求", lambda r: r.get("difficulties") or ""),
    )

    def row_id(self, row: Any) -> int | None:
        return row["household_id"] if row else None

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            if not row["screened"]:
                return MUTED
            if column == self.COL_OVERRIDES and row["overrides"]:
                return QColor("#b45309")
            if column == self.COL_MONITOR and row.get("should_monitor"):
                return OVERDUE_FOREGROUND
        if role == Qt.ItemDataRole.ToolTipRole and column == self.COL_OVERRIDES and row["overrides"]:
            return "改动了系统建议的项：" + "、".join(row["overrides"])
        return super().style_data(row, column, role)

    def update_row(self, row_values: Mapping[str, Any]) -> None:
        """Replace one household's row after it was saved (a targeted repaint, no reset)."""
        r = self.row_of(row_values["household_id"])
        if r is None:
            return
        self._rows[r] = dict(row_values)
        self.dataChanged.emit(self.index(r, 0), self.index(r, self.columnCount() - 1))


# --------------------------------------------------------------------------- appendix 3


class StatsTableModel(ReadOnlyTableModel):
    """附件3 as a table: one row per village and the township total; columns from the layout.

    Display text is the report's (户/人 cells as ``12/35``); with ``show_delta`` a cell that changed
    since the previous weekly report also shows the change on a second line (``12/35\n(+3/+10)``). ``VALUE_ROLE``
    gives the raw value and ``DELTA_ROLE`` the change.
    """

    NUMBERED_ROWS = False

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.report: StatsReport | None = None
        self.columns: list[layouts.Column] = []
        self.deltas: dict[int | None, dict[str, stats.Delta]] = {}
        self.show_delta = True
        self.has_previous = False

    def set_report(
        self,
        report: StatsReport | None,
        columns: Sequence[layouts.Column],
        previous: StatsReport | None = None,
    ) -> None:
        self.beginResetModel()
        self.report = report
        self.columns = [c for c in columns if c.key != "seq"]
        self.has_previous = previous is not None
        self.deltas = stats.diff(report, previous) if report is not None and previous is not None else {}
        self.endResetModel()

    @property
    def shows_changes(self) -> bool:
        """Some cell shows a second line with its change."""
        return self.show_delta and any(self.deltas.values())

    def set_show_delta(self, show: bool) -> None:
        self.show_delta = show
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def _rows(self) -> list[stats.StatsRow]:
        if self.report is None:
            return []
        return [*self.report.rows, self.report.total]

    def stats_row(self, row: int) -> stats.StatsRow | None:
        rows = self._rows()
        return rows[row] if 0 <= row < len(rows) else None

    def column_key(self, column: int) -> str:
        return self.columns[column].key

    def column_of(self, key: str) -> int:
        for i, c in enumerate(self.columns):
            if c.key == key:
                return i
        raise KeyError(key)

    def row_of(self, village_id: int | None) -> int | None:
        for r, row in enumerate(self._rows()):
            if row.village_id == village_id:
                return r
        return None

    def _count(self) -> int:
        return len(self._rows())

    def _headers(self) -> Sequence[str]:
        return [col.label for col in self.columns]

    def _header_tooltip(self, section: int) -> str | None:
        col = self.columns[section]
        return " — ".join((*col.path, col.label)) + (f"\n{col.note}" if col.note else "")

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.report is None:
            return None
        row = self.stats_row(index.row())
        if row is None:
            return None
        col = self.columns[index.column()]
        value = row.cells.get(col.key)
        delta = self.deltas.get(row.village_id, {}).get(col.key)
        is_total = row.village_id is None
        if role == Qt.ItemDataRole.DisplayRole:
            text = self.report.text(row, col.key)
            if self.show_delta and delta is not None:
                text = f"{text}\n({stats.delta_text(delta)})"
            return text
        if role == VALUE_ROLE:
            return value
        if role == DELTA_ROLE:
            return delta
        if role == ID_ROLE:
            return row.village_id
        if role == SORT_ROLE:
            if isinstance(value, tuple):
                return value[0]
            return value if value is not None else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(LEFT if col.kind == "text" else CENTER)
        if role == Qt.ItemDataRole.FontRole and is_total:
            return _bold()
        if role == Qt.ItemDataRole.BackgroundRole and is_total:
            return TOTAL_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and delta is not None and self.show_delta:
            return CHANGED
        if role == Qt.ItemDataRole.ToolTipRole:
            label = " — ".join((*col.path, col.label))
            tip = f"{row.village}：{label}\n{self.report.text(row, col.key) or '（空）'}"
            if delta is not None:
                tip += f"\n较上周：{stats.delta_text(delta)}"
            elif self.has_previous and col.kind in ("pair", "int"):
                tip += "\n较上周：无变化"
            return tip
        return None


# --------------------------------------------------------------------------- progress


def _pair(h: int, p: int) -> str:
    return f"{h}/{p}"


class ProgressModel(RowsModel):
    """已排查/应排查 per village, the township total last."""

    COL_VILLAGE, COL_DUE, COL_SCREENED, COL_MISSING, COL_PERCENT = range(5)
    COLUMNS = (
        Column("行政村", lambda r: r.village),
        Column(
            "应排查（户/人）",
            lambda r: _pair(r.due_households, r.due_people),
            lambda r: r.due_households,
            CENTER,
        ),
        Column(
            "已排查（户/人）",
            lambda r: _pair(r.screened_households, r.screened_people),
            lambda r: r.screened_households,
            CENTER,
        ),
        Column("未排查（户）", lambda r: str(r.missing), lambda r: r.missing, RIGHT),
        Column("已排查/应排查", lambda r: f"{r.text}（{r.percent:.1f}%）", lambda r: r.percent, CENTER),
    )

    def row_id(self, row: VillageProgress | None) -> int | None:
        return row.village_id if row else None

    def style_data(self, row: VillageProgress, column: int, role: int) -> Any:
        if row.village_id is None:
            if role == Qt.ItemDataRole.FontRole:
                return _bold()
            if role == Qt.ItemDataRole.BackgroundRole:
                return TOTAL_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.COL_MISSING, self.COL_PERCENT):
            return (
                CLOSED_FOREGROUND
                if row.missing == 0
                else OVERDUE_FOREGROUND
                if column == self.COL_MISSING
                else None
            )
        return None


class MissingHouseholdsModel(RowsModel):
    COLUMNS = (
        Column("行政村", lambda r: r.village),
        Column("村民小组", lambda r: r.group),
        Column("户编号", lambda r: r.code),
        Column("户主姓名", lambda r: r.head_name),
        Column("人口", lambda r: str(r.people), lambda r: r.people, RIGHT),
        Column("户类型", lambda r: r.household_type),
        Column("联系电话", lambda r: r.phone),
    )

    def row_id(self, row: MissingHousehold | None) -> int | None:
        return row.household_id if row else None


# --------------------------------------------------------------------------- appendix 4


def status_label(p: ProblemRow) -> str:
    if p.on_the_spot:
        return "立行立改"
    if p.overdue:
        # word joiners keep "超期148天" whole when the column wraps: the break falls before "（"
        return "整改中（" + "\u2060".join(f"超期{p.days_overdue}天") + "）"
    return p.status


class ProblemTableModel(RowsModel):
    """问题整改台账 lines. Overdue items are shaded red; 立行立改 items are grey and marked."""

    (
        COL_LEVEL,
        COL_VILLAGE,
        COL_HEAD,
        COL_ID,
        COL_TYPE,
        COL_DESCRIPTION,
        COL_MEASURE,
        COL_RESPONSIBLE,
        COL_DEADLINE,
        COL_STATUS,
        COL_FOUND,
        COL_RECTIFIED,
        COL_VERIFIED,
        COL_NOTE,
    ) = range(14)
    COLUMNS = (
        Column("层级", lambda p: p.level, None, CENTER),
        Column("村（社区）", lambda p: p.village),
        Column("户主姓名", lambda p: p.head_name),
        Column("身份证号码", lambda p: ids.mask(p.id_number) if p.id_number else ""),
        Column("问题类型", lambda p: p.problem_type),
        Column("具体问题", lambda p: p.description),
        Column("整改措施", lambda p: p.measure),
        Column("整改责任人", lambda p: p.responsible),
        Column("整改时限", lambda p: date_text(p.deadline), lambda p: p.deadline or dt.date.max, CENTER),
        Column("整改状态", status_label, lambda p: (ledger.STATUSES.index(p.status), not p.overdue), CENTER),
        Column("发现日期", lambda p: date_text(p.found_on), lambda p: p.found_on or dt.date.min, CENTER),
        Column(
            "整改完成", lambda p: date_text(p.rectified_on), lambda p: p.rectified_on or dt.date.min, CENTER
        ),
        Column(
            "销号日期", lambda p: date_text(p.verified_on), lambda p: p.verified_on or dt.date.min, CENTER
        ),
        Column("备注", lambda p: p.note),
    )

    def style_data(self, p: ProblemRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.BackgroundRole and p.overdue:
            return OVERDUE_BACKGROUND
        if role == Qt.ItemDataRole.ForegroundRole:
            if p.overdue:
                return OVERDUE_FOREGROUND
            if p.on_the_spot:
                return ON_THE_SPOT_FOREGROUND
            if column == self.COL_STATUS and p.status == ledger.CLOSED:
                return CLOSED_FOREGROUND
        if role == Qt.ItemDataRole.FontRole:
            if p.on_the_spot and column == self.COL_STATUS:
                font = QFont()
                font.setItalic(True)
                return font
            if p.overdue and column in (self.COL_DEADLINE, self.COL_STATUS):
                return _bold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if p.on_the_spot:
                return "立行立改：当场已整改，计入发现问题数，但不列入整改台账和导出的附件4。"
            if p.overdue:
                return f"已超过整改时限{p.days_overdue}天，仍在整改中。"
        return super().style_data(p, column, role)


# --------------------------------------------------------------------------- import issues


class ImportIssuesModel(RowsModel):
    COLUMNS = (
        Column("类型", lambda i: "错误" if i.severity == "error" else "提示", None, CENTER),
        Column("行", lambda i: str(i.row) if i.row else "", lambda i: i.row, RIGHT),
        Column("列", lambda i: i.column, None, CENTER),
        Column("表头", lambda i: i.header),
        Column("填写内容", lambda i: i.value),
        Column("问题", lambda i: i.reason),
    )

    def row_id(self, row: ImportIssue | None) -> int | None:
        return row.row if row else None

    def style_data(self, issue: ImportIssue, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole:
            return OVERDUE_FOREGROUND if issue.severity == "error" else QColor("#8a5300")
        return super().style_data(issue, column, role)
