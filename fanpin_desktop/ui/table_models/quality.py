"""The 数据核查 page's tables: the rules with their counts, one rule's findings, and the list of
every rule (规则一览)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from fanpin_desktop.ui.table_models.base import CENTER, RIGHT, Column, RowsModel

ERROR = "错误"
RED = QColor("#a50e0e")
GREY = QColor("#6b7280")
ORANGE = QColor("#9a5b00")


@dataclass(frozen=True)
class RuleCount:
    """One rule with how many open and waived findings the last run gave (after the filters)."""

    code: str
    group: str
    severity: str
    title: str
    count: int = 0  # open findings (not waived)
    exempted: int = 0

    @property
    def id(self) -> str:  # rows are found by the rule code
        return self.code


def _severity_style(severity: str, role: int) -> Any:
    if role == Qt.ItemDataRole.ForegroundRole:
        return RED if severity == ERROR else ORANGE
    return None


class RuleCountModel(RowsModel):
    """规则编号, 分组, 严重程度, 规则, 问题数, 已豁免 — a rule without open findings is grey."""

    COLUMNS = (
        Column("规则编号", lambda r: r.code),
        Column("分组", lambda r: r.group),
        Column("严重程度", lambda r: r.severity, align=CENTER),
        Column("规则", lambda r: r.title),
        Column("问题数", lambda r: str(r.count), sort=lambda r: r.count, align=RIGHT),
        Column(
            "已豁免", lambda r: str(r.exempted) if r.exempted else "", sort=lambda r: r.exempted, align=RIGHT
        ),
    )

    def row_of_code(self, code: str) -> int | None:
        for i, row in enumerate(self._rows):
            if row.code == code:
                return i
        return None

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return row.title
        if column == 2 and row.count:
            return _severity_style(row.severity, role)
        if role == Qt.ItemDataRole.ForegroundRole and not row.count:
            return GREY
        if role == Qt.ItemDataRole.FontRole and column == 4 and row.count:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None


def exempt_text(finding: Any) -> str:
    """ "已豁免：<reason>" for a waived finding (a ``services.quality.FindingView``), else blank."""
    if finding.exemption is None:
        return ""
    reason = finding.exemption.reason
    return f"已豁免：{reason}" if reason else "已豁免"


class FindingModel(RowsModel):
    """One rule's findings: 村, 组, 户主, 成员, 问题说明, 豁免 — waived ones grey."""

    COLUMNS = (
        Column("村", lambda f: f.village or ""),
        Column("组", lambda f: f.group or ""),
        Column("户主", lambda f: f.head_name or ""),
        Column("成员", lambda f: f.member_name or ""),
        Column("问题说明", lambda f: f.message),
        Column("豁免", exempt_text),
    )

    def row_id(self, row: Any) -> Any:
        return row.finding.key

    def style_data(self, row: Any, column: int, role: int) -> Any:
        waived = row.exempted
        if role == Qt.ItemDataRole.ForegroundRole and waived:
            return GREY
        if role == Qt.ItemDataRole.ToolTipRole and column in (4, 5):
            text = self.COLUMNS[column].text(row)
            return text or None
        return super().style_data(row, column, role)


class RuleListModel(RowsModel):
    """规则一览: every rule the check runs, in the registry's order."""

    COLUMNS = (
        Column("规则编号", lambda r: r.code),
        Column("分组", lambda r: r.group),
        Column("严重程度", lambda r: r.severity, align=CENTER),
        Column("规则", lambda r: r.title),
    )

    def row_id(self, row: Any) -> Any:
        return row.code

    def style_data(self, row: Any, column: int, role: int) -> Any:
        if column == 2:
            return _severity_style(row.severity, role)
        if role == Qt.ItemDataRole.ToolTipRole and column == 3:
            return row.title
        return None


def _esc(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def strip_text(findings: list[Any], first: int = 0) -> tuple[str, str]:
    """The editors' findings strip: a short rich text ("数据核查：2 条错误、1 条提醒", followed by
    the first open finding cut to ``first`` characters when ``first``) and the list of every
    finding for the tooltip and the 详情 box (waived ones last, marked)."""
    open_ = [f for f in findings if not f.exempted]
    waived = [f for f in findings if f.exempted]
    errors = sum(1 for f in open_ if f.severity == ERROR)
    reminders = len(open_) - errors
    if not open_:
        text = "数据核查：<span style='color:#1e7b34'>未发现问题</span>"
    else:
        parts = []
        if errors:
            parts.append(f"<b style='color:#a50e0e'>{errors} 条错误</b>")
        if reminders:
            parts.append(f"<b style='color:#9a5b00'>{reminders} 条提醒</b>")
        text = "数据核查：" + "、".join(parts)
        if first:
            top = sorted(open_, key=lambda f: f.severity != ERROR)[0].message
            cut = top if len(top) <= first else top[: first - 1] + "…"
            text += f"<span style='color:#444'>　{_esc(cut)}</span>"
    if waived:
        text += f"<span style='color:#6b7280'>（另有 {len(waived)} 条已豁免）</span>"
    if findings:
        text += "　<a href='details'>详情…</a>"
    lines = [f"【{f.severity}】{f.rule_code} {f.message}" for f in open_]
    lines += [f"【已豁免】{f.rule_code} {f.message}（{exempt_text(f)}）" for f in waived]
    return text, "\n".join(lines)
