"""Text that never breaks inside a number ("是否2 020年脱贫", "(910 0元)"), a date ("2026年7月3
日") or a short bracket ("（户/人）").

ReportLab's CJK wrapping may end a line between any two characters, digits included, and a
word joiner (U+2060) does not stop it: its CJK splitter looks at characters one by one. So the
text is broken here instead: :func:`tokens` cuts it into pieces that must stay whole — a run of
digits with its unit (年, 元, 岁 …) and the brackets around it, one CJK character, a Latin word —
with punctuation that may not start (or end) a line glued to its neighbour; :func:`break_lines`
packs the pieces greedily into lines of a given width; and :class:`KeepNumbersParagraph` does
that at whatever width its table cell gets, leaving ReportLab nothing to break (Western wrapping
with long words kept whole, so a piece wider than its cell sticks out, which
``pdf_common.fit_widths`` sees and widens the column for).
"""

from __future__ import annotations

import re
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from fanpin_desktop.documents.fonts import FontChain

#: units that belong to the number before them
_UNITS = "万元|周岁|个月|平方米|年|元|月|日|岁|万|%|％|人|户|个|亩|天|次|项|倍|号|分|kg|㎡"
_PIECE = re.compile(
    r"[（(\[【]?(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?[）)\]】]?"  # a date: 2026年7月3日, 12月2日
    rf"|[（(\[【]?\d[\d.,，:：/\-]*\d?(?:{_UNITS})?[）)\]】]?"  # a number with its unit and brackets
    r"|[（(][^（）()\s\d]{1,3}[）)]"  # a short bracket: （户/人）, （元）
    r"|[A-Za-z][A-Za-z0-9._\-]*"  # a Latin word
    r"|\s+"  # spaces (a place to break)
    r"|."  # anything else: one character
)
#: may not start a line: glued to the piece before
_NO_START = set("，。、；：！？）」』》〉】〕”’…—,.;:!?)]}%％·-－~～")
#: may not end a line: glued to the piece after
_NO_END = set("（「『《〈【〔“‘([{")


def tokens(text: str) -> list[str]:
    """The pieces of one line of ``text`` that must stay together on a printed line."""
    out: list[str] = []
    glue_next = False
    for m in _PIECE.finditer(text):
        piece = m.group(0)
        if out and (glue_next or piece[0] in _NO_START) and not piece.isspace():
            out[-1] += piece
        else:
            out.append(piece)
        glue_next = piece[-1] in _NO_END
    return out


def break_lines(text: str, width: float, measure: Any, first_indent: float = 0.0) -> list[str]:
    """``text`` in lines no wider than ``width`` (``measure(s)`` gives a string's width; the
    very first line is ``first_indent`` narrower), breaking only between :func:`tokens`;
    explicit newlines are kept. A piece wider than ``width`` gets a line of its own (and
    sticks out)."""
    lines: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for piece in tokens(paragraph):
            if piece.isspace():
                if piece.strip(" \t"):  # ideographic spaces (a blank date "　　年　　月") are kept
                    line += piece
                elif line:
                    line += " "
                continue
            candidate = line + piece
            room = width - (first_indent if not lines else 0.0)
            if line.strip() and measure(candidate.rstrip(" \t")) > room + 0.01:
                lines.append(line.rstrip(" \t"))
                line = piece
            else:
                line = candidate
        lines.append(line.rstrip(" \t"))
    return lines


class KeepNumbersParagraph(Paragraph):
    """A Paragraph broken by :func:`break_lines` at the width it is wrapped to."""

    def __init__(self, text: str, style: ParagraphStyle, chain: FontChain) -> None:
        self._fp_text = str(text)
        self._fp_chain = chain
        self._fp_style = ParagraphStyle(
            f"{style.name}-keep-numbers", parent=style, wordWrap=None, splitLongWords=0
        )
        self._fp_width: float | None = None
        super().__init__(chain.markup(self._fp_text), self._fp_style)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if availWidth != self._fp_width:
            size = self._fp_style.fontSize
            style = self._fp_style
            room = availWidth - style.leftIndent - style.rightIndent
            lines = break_lines(
                self._fp_text,
                room,
                lambda s: self._fp_chain.string_width(s, size),
                style.firstLineIndent,
            )
            Paragraph.__init__(self, self._fp_chain.markup("\n".join(lines)), self._fp_style)
            self._fp_width = availWidth
        return super().wrap(availWidth, availHeight)

    def lines_text(self) -> list[str]:
        """The printed lines after the last wrap (for tests)."""
        style = self._fp_style
        return break_lines(
            self._fp_text,
            (self._fp_width or 1e9) - style.leftIndent - style.rightIndent,
            lambda s: self._fp_chain.string_width(s, style.fontSize),
            style.firstLineIndent,
        )
