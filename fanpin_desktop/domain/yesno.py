"""是/否 as clerks and spreadsheets write it: 是/否, √/×, 1/0, Y/N, 有/无 …"""

from __future__ import annotations

import unicodedata

YES = frozenset(
    {"是", "√", "✓", "✔", "☑", "1", "y", "yes", "true", "t", "有", "参加", "已参加", "享受", "是的"}
)
NO = frozenset(
    {"否", "×", "✗", "✘", "☒", "0", "n", "no", "false", "f", "无", "没有", "未参加", "不享受", "不是"}
)


def parse(text: str) -> bool | None:
    """True or False for a recognised spelling, None for anything else (blank included)."""
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if key in YES:
        return True
    if key in NO:
        return False
    return None
