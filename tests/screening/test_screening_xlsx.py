"""The exported workbooks, read back with openpyxl: headers cell by cell against seed 000's wording
and merge structure, title and date rows, print setup, IDs as text, one village or the township."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from screening_town import REPORT_DAY, D

from fanpin_desktop.domain import appendix_layouts
from fanpin_desktop.errors import UserError
from fanpin_desktop.services import appendix_export, stats

# The header rows of seed 000's four appendix tables as Word lists them: one entry per cell in
# reading order, a horizontally merged cell once, a cell continuing a vertical merge as "".
# Garbled quotes restored (撊Ｕ蠑 = “三保障”, 撘欢盗酥當 = “一兑了之”); whitespace removed.
SEED_HEADERS = {
    1: [
        [
            "序号",
            "村组",
            "户主姓名",
            "家庭人口数",
            "户属性（脱贫户、监测户、一般农户）",
            "排查方式（入户排查、电话核查）",
            "上年度家庭人均纯收入（2021年5月1日-2022年4月30日，单位：元）",
            "是否高于本市监测范围（7000元）",
            "是否刚性支出较大或收入大幅缩减",
            "“三保障”及饮水安全",
            "重点人群和特殊群体",
            "就医、上学、就业、产业等方面是否存在实际困难和潜在风险",
            "是否因疫情导致产业受损或就业不稳",
            "已消除风险监测对象",
            "脱贫户和监测对象帮扶措施落实",
            "系统数据信息是否全面准确（脱贫户监测户填写）",
            "该户是否应纳入监测对象（非监测对象填写）",
            "该户还存在哪些困难和诉求",
            "备注",
        ],
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "是否整户无劳动力",
            "脱贫户",
            "低保对象",
            "特困人员",
            "残疾家庭",
            "多子女家庭",
            "分户独居老人",
            "是否务工收入占比高且务工时间不稳定",
            "是否因病因灾因意外事故导致基本生活出现严重困难",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "现有住房是否安全",
            "医疗是否得到保障",
            "义务教育是否得到保障",
            "饮水是否安全",
            "",
            "是否2020年脱贫",
            "是否近三年家庭人均纯收入持续减少",
            "是否低保户",
            "是否近两年新识别和申请低保",
            "是否分散特困供养户",
            "是否单人户",
            "是否残疾人家庭",
            "是否新致残家庭",
            "是否重度残疾人家庭（一、二级）",
            "是否多未成年子女家庭",
            "是否非义务教育阶段在读子女较多",
            "是否分户独居老人户",
            "子女是否有赡养能力",
            "子女是否履行赡养义务",
            "",
            "",
            "",
            "",
            "是否已标注风险消除户",
            "收入是否半年内持续稳定",
            "返贫致贫风险是否稳定消除",
            "是否落实帮扶措施",
            "帮扶措施是否有针对性",
            "是否存在“一兑了之”现象",
            "是否过度帮扶和福利陷阱",
            "",
            "",
            "",
            "",
        ],
    ],
    2: [
        [
            "序号",
            "乡镇",
            "行政村",
            "防返贫动态监测方面存在问题",
            "网格化管理方面存在问题（网格划分、网格员调整等方面）",
            "规模性返贫风险隐患方面存在问题（自然灾害、农副产品价格下跌、生产经营性成本上涨、疫情影响等方面）",
            "教育、医疗、住房、饮水、产业、就业、兜底保障等政策落实方面存在问题",
            "衔接推进乡村振兴补助资金使用管理（含资产管理）方面存在问题",
            "乡村建设（包括农村基础设施建设和基本公共服务、农村改厕、农村人居环境整治）情况方面存在问题",
            "乡村治理方面存在问题",
            "其他方面问题",
            "备注",
        ],
    ],
    3: [
        [
            "序号",
            "村别",
            "调查情况",
            "调整优化网格化管理情况",
            "排查认定新增监测对象情况",
            "排查已消除风险监测对象稳定情况",
            "排查帮扶措施落实情况",
            "排查规模性返贫风险隐患",
            "排查巩固拓展脱贫攻坚成果同乡村振兴有效衔接中的突出问题",
            "备注",
        ],
        [
            "",
            "",
            "应排查农户（户/人）",
            "已排查农户（户/人）",
            "调整后的网格数",
            "调整后的网格员数",
            "网格员培训人次",
            "脱贫不稳定户（户/人）",
            "边缘易致贫户（户/人）",
            "突发严重困难户（户/人）",
            "风险消除不稳定和整户无劳动力的监测对象回退（户/人）",
            "对标注风险消除后又出现返贫致贫风险的重新识别（户/人）",
            "未消除风险监测对象制定措施条数",
            "本次拟标记消除风险数（户/人）",
            "脱贫户和已消除风险的监测对象2022年帮扶措施条数",
            "是否存在规模性返贫风险隐患",
            "脱贫户和监测对象中因疫情导致的外出务工受阻人数(总人数/已解决）",
            "教育、医疗、住房、饮水、产业、就业、兜底保障等政策落实方面的问题（总数/正在整改）",
            "衔接推进乡村振兴补助资金使用管理（含资产管理）方面的问题（总数/正在整改）",
            "乡村建设（包括农村基础设施建设和基本公共服务、农村改厕、农村人居环境整治）、乡村治理等方面的问题（总数/正在整改）",
            "",
        ],
        [
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "是/否，是请详细说明",
            "",
            "请在自查报告内分类总结归纳问题类型",
            "同上",
            "同上",
            "",
        ],
    ],
    4: [
        [
            "单位",
            "村（社区）",
            "户主姓名",
            "身份证号码",
            "问题类型",
            "具体问题",
            "整改措施",
            "整改责任人",
            "整改时限",
            "备注",
        ],
    ],
}


def word_rows(ws, first: int, count: int) -> list[list[str]]:
    """Rows ``first`` … ``first + count - 1`` as Word would list their cells (see SEED_HEADERS)."""
    ranges = list(ws.merged_cells.ranges)

    def area(r: int, c: int):
        return next((m for m in ranges if m.min_row <= r <= m.max_row and m.min_col <= c <= m.max_col), None)

    out = []
    for r in range(first, first + count):
        cells = []
        for c in range(1, ws.max_column + 1):
            if ws.column_dimensions[openpyxl.utils.get_column_letter(c)].hidden:
                continue
            m = area(r, c)
            if m is not None and c != m.min_col:
                continue
            top = m is None or r == m.min_row
            value = ws.cell(r, c).value if top else None
            cells.append(re.sub(r"\s+", "", str(value)) if value is not None else "")
        out.append(cells)
    return out


def export(db, appendix: int, tmp_path: Path, **kw) -> Path:
    with db.reading() as s:
        result = appendix_export.export_appendix(s, appendix, tmp_path / f"a{appendix}.xlsx", **kw)
    assert result.path.exists()
    return result.path


def header_top(ws) -> int:
    for r in range(1, 8):
        if ws.cell(r, 1).value in ("序号", "单位"):
            return r
    raise AssertionError("header not found")


@pytest.mark.parametrize("appendix", [1, 2, 3, 4])
def test_headers_match_the_seed_cell_by_cell(db, town, tmp_path, appendix):
    path = export(db, appendix, tmp_path, campaign_id=town.campaign_id, fill_date=REPORT_DAY)
    ws = openpyxl.load_workbook(path).active
    top = header_top(ws)
    expected = SEED_HEADERS[appendix]
    assert word_rows(ws, top, len(expected)) == expected
    assert ws.print_title_rows == f"${top}:${top + len(expected) - 1}"


def test_appendix1_merge_structure(db, town, tmp_path):
    ws = openpyxl.load_workbook(export(db, 1, tmp_path, campaign_id=town.campaign_id)).active
    merged = {str(m) for m in ws.merged_cells.ranges}
    # the personal-data warning, title and 填表时间 rows span the 43 official columns (A … AQ)
    assert {"A1:AQ1", "A2:AQ2", "A3:AQ3"} <= merged
    # 序号 spans the three header rows; “三保障”及饮水安全 spans two rows over four columns;
    # 重点人群和特殊群体 spans 17 columns; 脱贫户 two; 是否整户无劳动力 spans rows 2-3 of the header
    assert {"A4:A6", "J4:M5", "N4:AD4", "O5:P5", "N5:N6", "AG4:AI5", "AJ4:AM5"} <= merged
    assert ws["J4"].value == "“三保障”及饮水安全"
    assert ws["AL6"].value == "是否存在“一兑了之”现象"


def test_title_date_and_print_setup(db, town, tmp_path):
    ws = openpyxl.load_workbook(
        export(
            db, 1, tmp_path, campaign_id=town.campaign_id, village_id=town.village_a, fill_date=D(2022, 5, 20)
        )
    ).active
    assert ws["A1"].value == "内含个人敏感信息，请妥善保管，不得外传"
    assert ws["A2"].value == "马店镇甲村2022年防止返贫监测帮扶集中排查到户排查表"
    assert ws["A3"].value == "填表时间：2022年5月20日"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 8  # A3
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.freeze_panes == "D7"
    assert ws.column_dimensions["B"].width == 12
    # one village: its six households in group order, hidden key column outside the print area
    rows = list(ws.iter_rows(min_row=7, max_col=4, values_only=True))
    assert [r[:3] for r in rows] == [
        (1, "甲村一组", "张大山"),
        (2, "甲村一组", "李二"),
        (3, "甲村二组", "王三"),
        (4, "甲村二组", "赵四"),
        (5, "甲村二组", "钱五"),
        (6, "甲村二组", "孙六"),
    ]
    assert ws.column_dimensions["AR"].hidden and ws["AR6"].value == "系统编号（请勿修改）"
    assert ws["AR7"].value == str(town.h[1]) and ws["AR7"].data_type == "s"
    assert ws.print_area == "'附件1 到户排查表'!$A$1:$AQ$12"
    assert ws["F7"].value == "入户排查" and ws["F9"].value is None  # 王三 not yet screened
    assert ws["B7"].border.left.style == "thin"


def test_appendix3_cells_and_total(db, town, tmp_path):
    ws = openpyxl.load_workbook(
        export(db, 3, tmp_path, campaign_id=town.campaign_id, as_of=REPORT_DAY)
    ).active
    assert ws["A1"].value == "附件3"
    assert ws["A2"].value == "2022年防止返贫监测帮扶集中排查情况统计表"
    assert ws["A3"].value.startswith("填报单位：马店镇") and "统计截至：2022年5月27日" in ws["A3"].value
    top = header_top(ws)
    data = list(ws.iter_rows(min_row=top + 3, values_only=True))
    assert [r[1] for r in data] == ["甲村", "乙村", "合计"]
    assert data[0][2:4] == ("6/15", "4/8")
    assert data[2][2:4] == ("10/26", "5/13") and data[2][0] is None
    assert ws.cell(top + 3, 3).data_type == "s"  # 户/人 as text, not a date or a fraction
    assert data[0][4] == 3 and data[2][4] == 5  # grids are numbers


def test_appendix3_from_a_snapshot(db, town, tmp_path):
    with db.unit() as s:
        snap = stats.take_snapshot(s, town.campaign_id, REPORT_DAY, today=REPORT_DAY)
        sid = snap.id
    ws = openpyxl.load_workbook(export(db, 3, tmp_path, campaign_id=town.campaign_id, snapshot_id=sid)).active
    assert "统计截至：2022年5月27日" in ws["A3"].value


def test_appendix4_ids_as_text_and_no_on_the_spot(db, town, tmp_path):
    ws = openpyxl.load_workbook(
        export(db, 4, tmp_path, campaign_id=town.campaign_id, fill_date=D(2022, 7, 5))
    ).active
    assert ws["A1"].value == "附件4" and ws["A2"].value == "集中排查发现问题整改台账"
    assert ws["A3"].value == "日期：2022年7月5日" and ws["A3"].alignment.horizontal == "right"
    top = header_top(ws)
    rows = [
        r
        for r in ws.iter_rows(min_row=top + 1, values_only=True)
        if r[0] and not str(r[0]).startswith("备注")
    ]
    assert len(rows) == 5  # the 立行立改 item stays out of the ledger
    assert all(r[0] == "马店镇" for r in rows)
    township = rows[0]
    assert township[1] is None and township[2] is None and township[3] is None
    household = next(r for r in rows if r[2] == "张大山")
    assert isinstance(household[3], str) and len(household[3]) == 18
    id_cell = next(c for c in ws[f"D{top + 1}:D{top + 5}"] if c[0].value)[0]
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert "已整改" in household[9]
    overdue = next(r for r in rows if r[4] == "资金项目")
    assert "已超期" in overdue[9]
    footer = ws.cell(top + 6, 1).value
    assert footer.startswith("备注：1.若是涉及乡镇的问题") and "“三保障”和饮水安全" in footer
    assert f"A{top + 6}:J{top + 6}" in {str(m) for m in ws.merged_cells.ranges}
    # masked copy for outside use
    ws = openpyxl.load_workbook(export(db, 4, tmp_path, campaign_id=town.campaign_id, mask_ids=True)).active
    masked = [c.value for c in ws["D"] if c.value and "*" in str(c.value)]
    assert masked and all(len(v) == 18 and v[6:14] == "********" for v in masked)


def test_appendix4_for_one_village(db, town, tmp_path):
    ws = openpyxl.load_workbook(
        export(db, 4, tmp_path, campaign_id=town.campaign_id, village_id=town.village_b)
    ).active
    top = header_top(ws)
    villages = [r[1] for r in ws.iter_rows(min_row=top + 1, values_only=True) if r[0] == "马店镇"]
    assert villages == ["乙村", "乙村"]


def test_export_is_atomic_and_reports_bad_targets(db, town, tmp_path):
    target = tmp_path / "out" / "a1.xlsx"
    export(db, 2, tmp_path, campaign_id=town.campaign_id)
    with db.reading() as s:
        appendix_export.export_appendix(s, 1, target, campaign_id=town.campaign_id)
        before = target.read_bytes()
        # a folder where the file should be: a Chinese message, nothing half written
        (tmp_path / "dir.xlsx").mkdir()
        with pytest.raises(UserError):
            appendix_export.export_appendix(s, 1, tmp_path / "dir.xlsx", campaign_id=town.campaign_id)
        appendix_export.export_appendix(s, 1, target, campaign_id=town.campaign_id)
    assert sorted(p.name for p in target.parent.iterdir()) == ["a1.xlsx"]  # no temporary files left
    assert (
        openpyxl.load_workbook(target).active["A1"].value
        == openpyxl.load_workbook(__import__("io").BytesIO(before)).active["A1"].value
    )


def test_default_filename(db, town):
    with db.reading() as s:
        from fanpin_desktop.models import Campaign

        c = s.get(Campaign, town.campaign_id)
        name = appendix_export.default_filename(s, c, 1, town.village_a, D(2022, 5, 20))
    assert name == "附件1_到户排查表_马店镇甲村_2022_20220520.xlsx"


def test_layouts_are_versioned_by_year():
    assert appendix_layouts.load(1, 2022).year == 2022
    assert appendix_layouts.load(1, 2030).year == 2022  # newest file not later than the year
    layout = appendix_layouts.load(3, 2022).render(year=2023)
    assert layout.column("measures_year").label == "脱贫户和已消除风险的监测对象2023年帮扶措施条数"
