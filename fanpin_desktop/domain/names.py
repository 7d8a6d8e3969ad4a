"""Pinyin initials of Chinese names, for search-as-you-type (``zs`` finds 张三)."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=65536)
def initials(name: str | None) -> str:
    """Lower-case initials; polyphonic surnames get their common reading (pypinyin's default)."""
    if not name:
        return ""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(p[:1] for p in letters if p).lower()
