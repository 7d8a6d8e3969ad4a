"""PDF consistency: 附件1 carries its corner label like 附件2–4, and header text never breaks
inside a number and its unit (ReportLab's CJK wrapping would print "是否2 020年脱贫")."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from reportlab.platypus import Paragraph

sys.path.insert(0, str(Path(__file__).parent / "documents"))
from pdf_testing import page_texts  # noqa: E402

from fanpin_desktop.documents import appendix_pdf as ap  # noqa: E402
from fanpin_desktop.documents import fonts  # noqa: E402
from fanpin_desktop.documents.pdf_common import DocStyles  # noqa: E402
from fanpin_desktop.documents.pdf_text import break_lines, tokens  # noqa: E402

HEADER = "是否2020年脱贫，是否高于监测范围（9100元），2026年收入"
#: a digit run with what belongs to it
NUMBER = re.compile(r"[（(]?\d+(?:年|元)?[）)]?")


@pytest.fixture(scope="module")
def styles() -> DocStyles:
    return DocStyles(fonts.FontLibrary.discover(include_system=False))


def lines_of(para: Paragraph) -> list[str]:
    bl = para.blPara
    if bl.kind == 0:
        return [" ".join(line[1]) for line in bl.lines]
    return ["".join(getattr(w, "text", "") for w in line.words) for line in bl.lines]


def whole_numbers(lines: list[str]) -> bool:
    """Every number of HEADER is whole on one line with its unit and brackets."""
    found = [m.group(0) for line in lines for m in NUMBER.finditer(line)]
    return found == ["2020年", "（9100元）", "2026年"]


def test_tokens_keep_numbers_with_units_and_brackets():
    assert tokens("是否2020年脱贫") == ["是", "否", "2020年", "脱", "贫"]
    assert tokens("收入(9100元)") == ["收", "入", "(9100元)"]
    # a whole date stays on one line (review: "2026年7月3 / 日验收")
    assert tokens("（2025年5月1日-2026年4月30日，单位：元）")[:2] == ["（2025年5月1日-", "2026年4月30日，"]
    assert tokens("已销号（2026年7月3日验收）")[3] == "（2026年7月3日"
    assert tokens("经2026年12月2日村“两委”") == ["经", "2026年12月2日", "村", "“两", "委”"]
    # a short bracket stays whole (review: "（户 / 人）")
    assert tokens("监测对象（户/人）")[-1] == "（户/人）"
    assert tokens("户属性（脱贫户、监测户）") == ["户", "属", "性", "（脱", "贫", "户、", "监", "测", "户）"]


def test_break_lines_keeps_explicit_newlines_and_puts_a_long_piece_alone():
    assert break_lines("2020年\n脱贫", 1000, len) == ["2020年", "脱贫"]
    assert break_lines("是否2020年", 2, len) == ["是否", "2020年"]


def test_break_lines_leaves_room_for_the_first_line_indent():
    assert break_lines("根据要求经2026年12月2日评议", 12, len) == ["根据要求经", "2026年12月2日评议"]
    assert break_lines("根据要求经2026年12月2日评议", 12, len, first_indent=2) == [
        "根据要求经",
        "2026年12月2日评议",
    ]
    assert break_lines("根据要求经评议", 5, len, first_indent=2) == ["根据要", "求经评议"]


def test_plain_reportlab_breaks_numbers_but_the_header_helper_does_not(styles):
    plain_broken = False
    for width in (10, 15, 20, 25, 30, 35, 40, 50, 60, 80):
        plain = Paragraph(styles.hei.markup(HEADER), styles.header)
        plain.wrap(width, 1e6)
        plain_broken = plain_broken or not whole_numbers(lines_of(plain))
        para = styles.header_para(HEADER)
        para.wrap(width, 1e6)
        lines = lines_of(para)
        assert whole_numbers(lines), (width, lines)
        assert "".join(lines) == HEADER.replace(" ", "")
    assert plain_broken, "the test would not notice the bug"


def test_appendix1_has_its_corner_label(tmp_path, styles):
    path = ap.render_appendix1(
        tmp_path / "a1.pdf",
        [ap.VillageSheet("马店村")],
        township="马店镇",
        year=2026,
        income_period="2025年5月1日-2026年4月30日",
        threshold="9100",
        fill_date=dt.date(2026, 5, 20),
        paper="A4",
        blank=True,
        fonts=styles.fonts,
    )
    first = page_texts(path)[0]
    assert first.lstrip().startswith("附件1")
    assert "（9100元）" in "".join(first.split())


def test_notice_body_and_table_cells_never_break_a_date(styles):
    """Review: "2026年12月2 / 日" in the 公示 body, "2026年7月3 / 日验收" in 附件4's 备注."""
    from fanpin_desktop.documents.notices_pdf import NoticeStyles
    from fanpin_desktop.documents.pdf_common import CellMaker

    ns = NoticeStyles(styles, "A4")
    body = "根据防止返贫动态监测和帮扶工作有关要求，经2026年12月2日村“两委”（扩大）会议民主评议，以下1户2人拟纳入。"
    note = "已销号（2026年7月3日验收）"
    for width in range(100, 420, 7):
        para = ns.p(body, ns.body)
        para.wrap(width, 1e6)
        lines = para.lines_text()
        assert any("2026年12月2日" in line for line in lines), (width, lines)
        assert "".join(lines) == body
        assert max(ns.base.fangsong.string_width(line, ns.body.fontSize) for line in lines[1:]) <= width
    for width in range(40, 160, 3):
        cell = CellMaker(styles, [width], ["LEFT"])(note, 0)
        if isinstance(cell, str):  # fits on one line
            continue
        cell.wrap(width - 3, 1e6)
        assert any("2026年7月3日" in line for line in cell.lines_text()), (width, cell.lines_text())


def test_ideographic_spaces_of_a_blank_date_are_kept():
    assert break_lines("日期：\u3000\u3000年\u3000\u3000月", 100, len) == [
        "日期：\u3000\u3000年\u3000\u3000月"
    ]
    assert break_lines("\u3000\u3000年 月", 100, len) == ["\u3000\u3000年 月"]
