"""Problems found in a roster file, each naming row, column, value and reason."""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True, slots=True)
class Issue:
    row: int | None  # 1-based row number as Excel shows it; None for the whole file
    column: str  # column header as in the file (or the field's label)
    letter: str  # column letter, "" if not about one cell
    value: str  # the cell as the clerk sees it
    message: str  # the reason, in Chinese
    severity: str = ERROR
    field: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def where(self) -> str:
        parts = []
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列" + (f"（{self.letter}列）" if self.letter else ""))
        return "".join(parts)

    def __str__(self) -> str:
        value = f"，值“{self.value}”" if self.value != "" else ""
        head = self.where()
        return (
            f"{self.severity}：{head}{value}：{self.message}" if head else f"{self.severity}：{self.message}"
        )


TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总数")


def is_total_text(text: str) -> bool:
    t = text.replace(" ", "").replace("\u3000", "")
    return any(t.startswith(w) for w in TOTAL_WORDS) or t in ("合 计", "总 计")


FOOTER_WORDS = (
    "填表人",
    "制表人",
    "填报人",
    "审核人",
    "负责人",
    "联系人",
    "制表",
    "填表",
    "审核",
    "说明",
    "注：",
    "注:",
    "备注：",
    "单位（盖章）",
    "盖章",
)


def is_footer_text(text: str) -> bool:
    """Sign-off lines under a table (填表人：…, 审核人：…, 注：…), which are not people."""
    t = text.replace(" ", "").replace("\u3000", "")
    return t.startswith(FOOTER_WORDS) or (("：" in t or ":" in t) and len(t) > 4)
