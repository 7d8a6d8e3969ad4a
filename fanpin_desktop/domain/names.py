"""Pinyin initials of Chinese names, for search-as-you-type (``zs`` finds 张三)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import PHRASES_DICT


@lru_cache(maxsize=65536)
def initials(name: str | None) -> str:
    """Lower-case initials; polyphonic surnames get their common reading (pypinyin's default)."""
    if not name:
        return ""
    letters = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore")
    return "".join(p[:1] for p in letters if p).lower()


_INITIAL_OF_CHAR: dict[int, str] = {}  # code point → its initial ("" drops the character)
_INITIALS_OF_NAME: dict[str, str] = {}


def _has_phrase(name: str, phrases: dict[str, object] = PHRASES_DICT) -> bool:
    """Whether a word of pypinyin's phrase dictionary occurs in ``name``."""
    n = len(name)
    if n == 2:
        return name in phrases
    if n == 3:
        return name[:2] in phrases or name[1:] in phrases or name in phrases
    return any(name[i:j] in phrases for i in range(n - 1) for j in range(i + 2, n + 1))


def initials_many(names: Iterable[str | None]) -> list[str]:
    """``[initials(n) for n in names]`` for a roster of tens of thousands of names.

    pypinyin reads a name character by character unless a word of its phrase dictionary occurs in
    it; such names get each character's own initial by one ``str.translate``, the others (polyphonic
    words such as 长江) go to :func:`initials`.
    """
    names = list(names)
    known = _INITIALS_OF_NAME
    fresh = set(names).difference(known)
    fresh.discard(None)
    fresh.discard("")
    if fresh:
        if len(known) + len(fresh) > 200_000:
            known.clear()
        by_char = _INITIAL_OF_CHAR
        for ch in set("".join(fresh)).difference(map(chr, by_char)):  # type: ignore[arg-type]
            by_char[ord(ch)] = initials(ch)
        for name in fresh:
            known[name] = initials(name) if _has_phrase(name) else name.translate(by_char)  # type: ignore[arg-type]
    get = known.get
    return [get(n, "") if n else "" for n in names]
