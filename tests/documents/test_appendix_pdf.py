"""附件1/3/4 PDFs from plain rows (no database): titles, merged header labels, rows, rare-character
names, paper, atomic save. The gathering from the records is tested in ``test_printing_service``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pdf_testing import A3_LANDSCAPE, A4_LANDSCAPE, flat, is_size, page_fonts, page_sizes, page_texts

from fanpin_desktop.documents import appendix_pdf as ap
from fanpin_desktop.documents import fonts
from fanpin_desktop.documents.pdf_common import (
    DocStyles,
    PageSetup,
    TableSpec,
    atomic_write,
    col,
    fit_widths,
    group,
    header_grid,
    leaves,
    tree_from_data,
)
from fanpin_desktop.errors import UserError

RARE_NAME = "吉𠮷"  # CJK Extension B
RARE_NAME_A = "刘䶮"  # CJK Extension A


@pytest.fixture(scope="module")
def shipped() -> fonts.FontLibrary:
    return fonts.FontLibrary.discover(include_system=False)


def _households(n: int, village: str = "马店村") -> list[dict]:
    rows = []
    for i in range(n):
        rows.append(
            {
                "village_group": f"{village}{i % 9 + 1}组",
                "head_name": [RARE_NAME, RARE_NAME_A, "王㑇", f"张{i:03d}"][min(i, 3)],
                "household_size": i % 6 + 1,
                "household_type": ["脱贫户", "监测户", "一般农户"][i % 3],
                "method": "入户排查",
                "per_capita_income": Decimal("6523.5") + i,
                "above_threshold": i % 4 != 0,
                "housing_safe": True,
                "exited_2020": ap.NA if i % 3 else True,
                "difficulties": "住房漏雨，希望帮助维修" if i == 2 else "",
            }
        )
    return rows


def test_header_tree_gives_merged_cells():
    tree = (
        col("序号", "seq"),
        group("“三保障”及饮水安全", col("住房", "a"), col("饮水", "b")),
        group("重点人群", col("无劳动力", "c"), group("脱贫户", col("2020年", "d"), col("减收", "e"))),
    )
    rows, spans = header_grid(tree)
    assert rows[0] == ["序号", "“三保障”及饮水安全", "", "重点人群", "", ""]
    assert rows[1] == ["", "住房", "饮水", "无劳动力", "脱贫户", ""]
    assert rows[2] == ["", "", "", "", "2020年", "减收"]
    assert ((0, 0), (0, 2)) in spans  # 序号 spans all three header rows
    assert ((1, 0), (2, 0)) in spans  # the group spans its two leaves
    assert ((3, 1), (3, 2)) in spans  # 无劳动力 (a leaf on row 1) spans down
    assert ((4, 1), (5, 1)) in spans
    spec = TableSpec.from_tree(tree)
    assert spec.header_rows == 3 and spec.keys == ["seq", "a", "b", "c", "d", "e"]
    data = tree_from_data(
        [
            {"label": "序号", "key": "seq", "width": 5},
            {"label": "组", "children": [{"header": "甲", "field": "x"}, {"label": "乙", "key": "y"}]},
        ]
    )
    assert [n.key for n in leaves(data)] == ["seq", "x", "y"] and data[0].width == 5


def test_widths_fit_the_page_and_long_values(shipped):
    styles = DocStyles(fonts=shipped, body_size=7, header_size=6)
    tree = (col("序号", "seq", 1), col("户主姓名", "head_name", 1), col("该户还存在哪些困难和诉求", "x", 30))
    spec = TableSpec.from_tree(tree)
    widths = fit_widths(spec, 300, styles, [["1", "欧阳娜娜娜", "很长的一段话" * 5]])
    assert abs(sum(widths) - 300) < 0.01
    assert widths[1] >= shipped.chain().string_width("欧阳娜娜娜", 7)  # the name stays on one line
    assert widths[2] > widths[1]


def test_prefilled_appendix1_a4(tmp_path, shipped):
    path = tmp_path / "a1.pdf"
    ap.render_appendix1(
        path,
        [ap.VillageSheet("马店村", _households(60)), ap.VillageSheet("王楼村", _households(3, "王楼村"))],
        township="马店镇",
        year=2022,
        income_period="2021年5月1日-2022年4月30日",
        threshold="7000",
        fill_date=dt.date(2022, 5, 20),
        paper="A4",
        fonts=shipped,
    )
    texts = page_texts(path)
    assert len(texts) >= 3
    assert all(is_size(size, A4_LANDSCAPE) for size in page_sizes(path))
    first = flat(texts[0])
    assert "马店镇马店村2022年防止返贫监测帮扶集中排查到户排查表" in first
    assert "填表时间：2022年5月" in first
    for label in (
        "序号",
        "村组",
        "户主姓名",
        "“三保障”及饮水安全",
        "重点人群和特殊群体",
        "是否2020年脱贫",
        "是否高于本市监测范围（7000元）",
        "（2021年5月1日-2022年4月30日，单位：元）",
        "是否存在“一兑了之”现象",
        "该户还存在哪些困难和诉求",
    ):
        assert label in first, label
    for value in (RARE_NAME, RARE_NAME_A, "王㑇", "马店村1组", "6523.50", "住房漏雨，希望帮助维修", "／"):
        assert value in first, value
    # the rare characters are drawn with the fonts that have their glyphs, not as empty boxes
    used = page_fonts(path, 0)
    assert {"FanpinRareA", "FanpinRareB"} <= used, used
    # the header repeats on every page; each village starts its own numbered section
    assert all("户主姓名" in flat(t) for t in texts)
    assert "张059" in flat("".join(texts))
    last = flat(texts[-1])
    assert "马店镇王楼村2022年" in last and "第1页共1页" in last
    assert "身份证" not in flat("".join(texts))  # appendix 1 has no ID column


def test_blank_appendix1_a3_fills_one_page_per_village(tmp_path, shipped):
    path = tmp_path / "blank.pdf"
    ap.render_appendix1(
        path,
        [ap.VillageSheet("马店村"), ap.VillageSheet("新华村")],
        township="马店镇",
        year=2022,
        paper="A3",
        blank=True,
        fonts=shipped,
    )
    texts = page_texts(path)
    assert len(texts) == 2
    assert all(is_size(size, A3_LANDSCAPE) for size in page_sizes(path))
    assert "马店镇马店村2022年防止返贫监测帮扶集中排查到户排查表" in flat(texts[0])
    assert "马店镇新华村2022年" in flat(texts[1])
    assert "户主姓名" in flat(texts[1])
    assert "第1页共1页" in flat(texts[1])


def test_unknown_paper_is_refused(tmp_path):
    with pytest.raises(UserError, match="纸张"):
        PageSetup(paper="B5")


def test_appendix3(tmp_path, shipped):
    path = tmp_path / "a3.pdf"
    rows = [
        {"village": "马店村", "due": (263, 757), "screened": (12, 35), "grid_count": 6, "scale_risk": "否"},
        {"village": "王楼村", "due": (249, 687), "screened": (0, 0), "grid_count": 5},
    ]
    total = {"due": (512, 1444), "screened": (12, 35), "grid_count": 11}
    ap.render_appendix3(
        path, rows, township="马店镇", year=2022, report_date=dt.date(2022, 5, 20), total=total, fonts=shipped
    )
    (text,) = page_texts(path)
    text = flat(text)
    assert is_size(page_sizes(path)[0], A4_LANDSCAPE)
    for expected in (
        "附件3",
        "2022年防止返贫监测帮扶集中排查情况统计表",
        "填报单位：马店镇",
        "统计截至：2022年5月20日",
        "调查情况",
        "应排查农户（户/人）",
        "排查认定新增监测对象情况",
        "脱贫不稳定户（户/人）",
        "是/否，是请详细说明",
        "马店村",
        "263/757",
        "12/35",
        "合计",
        "512/1444",
    ):
        assert expected in text, expected


def test_appendix4_shows_full_id_on_the_internal_ledger(tmp_path, shipped):
    path = tmp_path / "a4.pdf"
    rows = [
        {
            "unit": "马店镇",
            "village": "",
            "problem_type": "资金项目",
            "description": "项目资产未登记",
            "measure": "登记入账",
            "responsible": "张三",
            "deadline": dt.date(2022, 6, 30),
            "remark": "整改中",
        },
        {
            "unit": "马店镇",
            "village": "马店村",
            "head_name": RARE_NAME,
            "id_number": "34152219800101123X",
            "problem_type": "“三保障”和饮水安全",
            "description": "住房漏雨",
            "measure": "危房改造",
            "responsible": "李四",
            "deadline": dt.date(2022, 7, 15),
        },
    ]
    ap.render_appendix4(path, rows, township="马店镇", year=2022, date=dt.date(2022, 5, 27), fonts=shipped)
    text = flat(page_texts(path)[0])
    for expected in (
        "附件4",
        "集中排查发现问题整改台账",
        "日期：2022年5月27日",
        "单位",
        "村（社区）",
        "身份证号码",
        "问题类型",
        "整改责任人",
        "整改时限",
        RARE_NAME,
        "34152219800101123X",
        "2022年6月30日",
        "立行立改的问题不需要建立整改台账",
    ):
        assert expected in text, expected


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "out.pdf"
    target.write_bytes(b"old")

    def broken(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(b"half")
        raise RuntimeError("layout failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, broken)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.pdf"]


def test_cell_values():
    assert ap.format_value(True, "bool") == "是" and ap.format_value(False, "bool") == "否"
    assert ap.format_value(None, "bool") == ""
    assert ap.format_value(ap.NA, "bool") == ap.NOT_APPLICABLE
    assert ap.format_value((12, 35), "pair") == "12/35"
    assert ap.format_value(dt.date(2022, 6, 30), "date") == "2022年6月30日"
    assert ap.format_value(Decimal("11362"), "money") == "11362.00"
    assert ap.format_value(Decimal("6523.5"), "money") == "6523.50"
    assert ap.amount_text(Decimal("7000.00")) == "7000"
    assert ap.cn_date(dt.date(2022, 5, 3), blank_day=True).startswith("2022年5月")
    assert ap.cn_date(dt.date(2022, 5, 3), blank_day=True).endswith("日")


def test_text_taller_than_a_page_is_cut_instead_of_failing(tmp_path, shipped):
    path = tmp_path / "long.pdf"
    rows = [
        {
            "unit": "马店镇",
            "problem_type": "其他",
            "description": "问题描述" * 400,
            "measure": "整改措施" * 300,
        }
    ]
    ap.render_appendix4(path, rows, township="马店镇", year=2022, fonts=shipped)
    texts = page_texts(path)
    assert len(texts) <= 2  # the row fits on the first page (the form's footnote may go over)
    assert "…" in texts[0] and "问题描述问题描述" in flat(texts[0])
