"""防止返贫监测对象信息采集表 (issue 12 point 5): the layout file, the gathered values, the PDF and
xlsx renderings, a province's layout variant, and ``fanpin print collection``.

The town is the demo township, with one 马店村 case crafted so that every value on its form is
known here (a rare-character name, a 因自然灾害 risk with its sub-type, measures in two categories,
a contact, an income record).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from db_templates import build_template, open_copy
from documents.pdf_testing import flat, page_sizes, page_texts
from sqlalchemy import delete, select

from fanpin_desktop import cli
from fanpin_desktop.demo import build_demo
from fanpin_desktop.documents.collection_pdf import CollectionForm
from fanpin_desktop.documents.collection_xlsx import sheet_names
from fanpin_desktop.domain import collection_layout
from fanpin_desktop.domain.collection_layout import LayoutError
from fanpin_desktop.domain.income import totals
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import (
    CaseRisk,
    Contact,
    Household,
    IncomeRecord,
    Measure,
    MonitoringCase,
    Village,
)
from fanpin_desktop.services import collection

TODAY = dt.date(2026, 11, 23)
SECTIONS = ("基本信息", "家庭成员", "三保障和饮水安全", "收支情况", "帮扶措施", "风险消除")
RARE_NAME = "刘䶮"  # 䶮 is in CJK Extension A
LAYOUT_FILE = Path(collection_layout.__file__).parents[2] / "resources" / "layouts" / "collection_2023.json"


def _craft(db) -> dict:
    build_demo(db, households=300, seed=2022, today=TODAY)
    with db.unit() as s:
        village = s.scalar(select(Village).where(Village.name == "马店村"))
        case = s.scalars(
            select(MonitoringCase)
            .join(Household, Household.id == MonitoringCase.household_id)
            .where(Household.village_id == village.id, MonitoringCase.status == "已纳入")
            .order_by(MonitoringCase.id)
        ).first()
        h = case.household
        head = h.head
        head.name = RARE_NAME
        h.address = "马店村一组桥头5号"
        h.phone = "13855556666"
        case.category = "突发严重困难户"
        case.no_labour = False
        s.execute(delete(CaseRisk).where(CaseRisk.case_id == case.id))
        s.execute(delete(Measure).where(Measure.case_id == case.id))
        s.execute(delete(Contact).where(Contact.case_id == case.id))
        s.execute(delete(IncomeRecord).where(IncomeRecord.household_id == h.id))
        s.flush()
        s.add_all(
            [
                CaseRisk(case_id=case.id, position=1, risk_type="因病"),
                CaseRisk(
                    case_id=case.id, position=2, risk_type="因自然灾害", subtype="地震", note="房屋墙体开裂"
                ),
                Measure(
                    case_id=case.id,
                    household_id=h.id,
                    category="产业帮扶",
                    content="发放养殖补贴3000元",
                    is_development=True,
                    start_date=dt.date(2026, 3, 1),
                ),
                Measure(
                    case_id=case.id,
                    household_id=h.id,
                    member_id=head.id,
                    category="健康帮扶",
                    content="办理慢性病卡",
                ),
                Contact(
                    case_id=case.id,
                    household_id=h.id,
                    name="周帮扶",
                    phone="13900001111",
                    start_date=dt.date(2026, 3, 1),
                ),
                IncomeRecord(
                    household_id=h.id,
                    year=2026,
                    period_start=dt.date(2025, 11, 1),
                    period_end=dt.date(2026, 10, 31),
                    wage=Decimal("12000"),
                    business=Decimal("3000.50"),
                    property_income=Decimal("200"),
                    transfer=Decimal("1800"),
                    business_cost=Decimal("1000"),
                    claims_income=Decimal("500"),
                    rigid_spending=Decimal("2600"),
                ),
            ]
        )
        # an eliminated and a not-included case of 马店村 must not get a form
        excluded = set(
            s.scalars(
                select(MonitoringCase.household_id)
                .join(Household, Household.id == MonitoringCase.household_id)
                .where(Household.village_id == village.id, MonitoringCase.status.in_(("已消除", "不纳入")))
            )
        )
        return {
            "case_id": case.id,
            "village_id": village.id,
            "household_id": h.id,
            "code": h.code,
            "id_number": head.id_number,
            "size": len(h.members),
            "excluded_households": excluded,
        }


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("collection"), _craft)


@pytest.fixture
def town(template, data_paths):
    path, ids = template
    database = open_copy(path, data_paths.database)
    yield database, ids
    database.dispose()


# ------------------------------------------------------------------------------------------- layout


def test_layout_file_lists_the_sections_in_domain_order():
    layout = collection_layout.load()
    titles = [s.title for s in layout.sections if s.title]
    assert [re.sub(r"^[一二三四五六七八九十]+、|（.*）$", "", t) for t in titles] == list(SECTIONS)
    labels = layout.labels()
    for a, b in [
        ("家庭住址", "联系电话"),
        ("联系电话", "是否居住在易地扶贫搬迁集中安置区"),
        ("监测对象类别", "是否脱贫户"),
        ("是否脱贫户", "整户无劳动能力兜底保障户"),
        ("姓名", "证件号码"),
        ("健康状况", "劳动技能"),
        ("居民医保", "易地搬迁人口"),
        ("工资性收入", "生产经营性收入"),
        ("生产经营性支出", "家庭纯收入"),
        ("家庭人均纯收入", "合规自付支出"),
        ("是否实施开发式帮扶措施", "产业帮扶"),
        ("产业帮扶", "基础设施建设"),
        ("风险消除方式", "信息采集人"),
        ("户主签字（按手印）", "填表时间"),
    ]:
        assert labels.index(a) < labels.index(b), (a, b)
    measures = [f.source for s in layout.sections for f in s.fields if f.source.startswith("measures.")]
    assert len(measures) == 14


def test_layout_errors_name_the_bad_entry(tmp_path):
    raw = json.loads(LAYOUT_FILE.read_text(encoding="utf-8"))
    raw["sections"][0]["fields"][0]["source"] = "head_nmae"
    with pytest.raises(LayoutError, match="head_nmae"):
        collection_layout.build(raw)
    raw = json.loads(LAYOUT_FILE.read_text(encoding="utf-8"))
    raw["sections"][1]["grids"][0]["columns"][1]["kind"] = "colour"
    with pytest.raises(LayoutError, match="colour"):
        collection_layout.build(raw)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match="表样文件"):
        collection.resolve_layout(bad)


# ------------------------------------------------------------------------------------------- gather


def test_village_cases_are_the_monitored_and_identifying_ones(town):
    db, ids = town
    with db.reading() as s:
        case_ids = collection.collection_case_ids(s, ids["village_id"])
        cases = s.scalars(select(MonitoringCase).where(MonitoringCase.id.in_(case_ids))).all()
        statuses = {c.status for c in cases}
        households = [c.household_id for c in cases]
    assert ids["case_id"] in case_ids
    assert statuses <= set(collection.COLLECTION_STATUSES)
    assert "识别中" in statuses and "已纳入" in statuses
    assert len(households) == len(set(households))
    assert not (set(households) & (ids["excluded_households"] - set(households)))


def test_values_come_from_the_records(town):
    db, ids = town
    with db.reading() as s:
        (form,) = collection.gather_collection(s, case_ids=[ids["case_id"]], today=TODAY)
    v = form.values
    assert v["head_name"] == RARE_NAME and form.head_name == RARE_NAME
    assert v["household_code"] == ids["code"] and v["household_size"] == ids["size"]
    assert v["address"] == "马店村一组桥头5号" and v["phone"] == "13855556666"
    assert v["category"] == "突发严重困难户" and v["no_labour"] is False
    t = totals(12000, Decimal("3000.50"), 200, 1800, 1000, ids["size"])
    assert v["net_income"] == t.net == Decimal("16000.50")
    assert v["per_capita_income"] == t.per_capita
    assert v["claims_income"] == Decimal("500") and v["rigid_spending"] == Decimal("2600")
    assert v["income_period"] == "2025年11月—2026年10月"
    assert v["wage_work"] is None and v["transfer_ecological"] is None  # not in the records
    assert v["measures.产业帮扶"] == "发放养殖补贴3000元（2026年3月起）"
    assert v["measures.健康帮扶"] == f"{RARE_NAME}：办理慢性病卡"
    assert "measures.就业帮扶" not in v
    assert v["development"] is True
    assert v["contact_name"] == "周帮扶" and v["contact_phone"] == "13900001111"
    risks = form.rows["risks"]
    assert [(r["risk_type"], r["subtype"], r["note"]) for r in risks] == [
        ("因病", "", ""),
        ("因自然灾害", "地震", "房屋墙体开裂"),
    ]
    members = form.rows["members"]
    assert members[0]["name"] == RARE_NAME and members[0]["id_number"] == ids["id_number"]
    assert [m["seq"] for m in members] == list(range(1, ids["size"] + 1))
    uninsured = any(not (m["ins_resident_medical"] or m["ins_employee_medical"]) for m in members)
    assert v["medical_problem"] is uninsured


def test_a_village_without_cases_is_refused(town):
    db, _ids = town
    with db.unit() as s:
        empty = Village(name="空白村", sort_order=99)
        s.add(empty)
        s.flush()
        vid = empty.id
    with db.reading() as s, pytest.raises(UserError, match="空白村没有监测中或识别中的监测对象"):
        collection.gather_collection(s, village_id=vid)


# ------------------------------------------------------------------------------------------- PDF


def _in_order(text: str, parts) -> None:
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} missing (or out of order) after position {at}"
        at = found + len(part)


def test_pdf_prints_sections_in_order_with_the_values(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        path = collection.write_collection_pdf(s, tmp_path / "c.pdf", case_ids=[ids["case_id"]])
    text = flat("".join(page_texts(path)))
    _in_order(text, ["防止返贫监测对象信息采集表", *SECTIONS])
    _in_order(
        text,
        [
            ids["code"],
            RARE_NAME,
            "马店村一组桥头5号",
            "13855556666",
            "突发严重困难户",
            "因自然灾害",
            "地震",
            "房屋墙体开裂",
            ids["id_number"],  # internal document: the full ID
            "16000.50",
            "发放养殖补贴3000元",
            "办理慢性病卡",
            "周帮扶",
            "13900001111",
            "户主签字（按手印）",
        ],
    )
    sizes = page_sizes(path)
    assert all(w < h for w, h in sizes) and abs(sizes[0][0] - 595.3) < 1  # portrait A4
    assert len(sizes) <= 2


def test_pdf_of_a_village_one_form_per_household_and_a3(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        n = len(collection.collection_case_ids(s, ids["village_id"]))
        path = collection.write_collection_pdf(
            s, tmp_path / "v.pdf", village_id=ids["village_id"], paper="A3"
        )
    texts = page_texts(path)
    assert sum(flat(t).count("一、基本信息") for t in texts) == n
    w, h = page_sizes(path)[0]
    assert abs(w - 841.9) < 1 and h > w


def test_blank_pdf_has_labels_and_empty_boxes(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        path = collection.write_collection_pdf(s, tmp_path / "b.pdf", blank=True)
    texts = page_texts(path)
    text = flat("".join(texts))
    _in_order(text, ["防止返贫监测对象信息采集表", *SECTIONS, "填表时间"])
    assert "□是□否" in text and "年月日" in text
    assert not re.search(r"\d{15,18}", text)
    assert RARE_NAME not in text and "马店村" not in text
    assert len(texts) == 2
    # six empty member rows in each member grid: the grid's numbers are not printed
    layout = collection_layout.load()
    member_grids = [g for s in layout.sections for g in s.grids if g.rows == "members"]
    assert all(g.blank_rows == 6 for g in member_grids)
    blank = CollectionForm(layout, blank=True)
    from fanpin_desktop.documents.collection_pdf import grid_rows

    assert [len(grid_rows(blank, g)) for g in member_grids] == [6, 6]
    assert all(cell == "" for g in member_grids for row in grid_rows(blank, g) for cell in row)


# ------------------------------------------------------------------------------------------- xlsx


def _sheet_rows(ws) -> list[list]:
    return [[c for c in row if c not in (None, "")] for row in ws.iter_rows(values_only=True)]


def test_xlsx_reads_back_in_layout_order(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        n = len(collection.collection_case_ids(s, ids["village_id"]))
        path = collection.write_collection_xlsx(s, tmp_path / "c.xlsx", village_id=ids["village_id"])
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == n == len(set(wb.sheetnames))
    assert all(len(name) <= 31 for name in wb.sheetnames)
    name = next(n for n in wb.sheetnames if n.startswith(RARE_NAME))
    assert name == RARE_NAME + ids["code"][-6:]
    ws = wb[name]
    rows = _sheet_rows(ws)
    assert rows[0] == ["内含个人敏感信息，请妥善保管，不得外传"]
    assert rows[1] == ["防止返贫监测对象信息采集表"]
    assert ids["code"] in rows[2][0] and "马店村" in rows[2][0]
    layout = collection_layout.load()
    field_labels = [f.label for s in layout.sections for f in s.fields]
    labels = [r[0] for r in rows[3:] if r and r[0] in field_labels]
    assert labels == field_labels
    values = {r[0]: (r[1] if len(r) > 1 else None) for r in rows[3:] if r and r[0] in field_labels}
    assert values["户主姓名"] == RARE_NAME and values["家庭住址"] == "马店村一组桥头5号"
    assert values["家庭纯收入"] == pytest.approx(16000.5)
    assert values["产业帮扶"] == "发放养殖补贴3000元（2026年3月起）"
    assert values["是否实施开发式帮扶措施"] == "是"
    id_cell = next(c for row in ws.iter_rows() for c in row if c.value == ids["id_number"])
    assert id_cell.data_type == "s" and id_cell.number_format == "@"
    assert ws.page_setup.orientation == "portrait" and str(ws.page_setup.paperSize) == "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1

    calamine = pytest.importorskip("python_calamine")
    book = calamine.CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == wb.sheetnames
    first = book.get_sheet_by_name(name).to_python()
    assert first[0][0] == "内含个人敏感信息，请妥善保管，不得外传"
    assert any(ids["id_number"] in [str(c) for c in row] for row in first)


def test_blank_xlsx(town, tmp_path):
    db, _ids = town
    with db.reading() as s:
        path = collection.write_collection_xlsx(s, tmp_path / "b.xlsx", blank=True)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["信息采集表（空白）"]
    rows = _sheet_rows(wb.active)
    assert rows[0] == ["内含个人敏感信息，请妥善保管，不得外传"]
    assert ["户主姓名"] in rows and ["是否脱贫户", "□是　□否"] in rows


def test_sheet_names_are_unique_and_short():
    layout = collection_layout.load()
    forms = [
        CollectionForm(layout, head_name="张三", household_code="3415220101000001"),
        CollectionForm(layout, head_name="张三", household_code="3415229999000001"),
        CollectionForm(layout, head_name="欧阳" * 20 + "[x]", household_code="1234567"),
        CollectionForm(layout, head_name="李四", household_code=""),
    ]
    names = sheet_names(forms)
    assert names[0] == "张三000001" and names[1] == "张三000001(2)"
    assert len(names[2]) <= 31 and "[" not in names[2]
    assert names[3] == "李四"


# ------------------------------------------------------------------------------------------- variant


def test_a_province_variant_is_a_data_edit(town, tmp_path):
    db, ids = town
    raw = json.loads(LAYOUT_FILE.read_text(encoding="utf-8"))
    basic = raw["sections"][0]["fields"]
    address = next(f for f in basic if f["source"] == "address")
    address["label"] = "现居住地址"
    income = raw["sections"][3]["fields"]
    raw["sections"][3]["fields"] = [f for f in income if f["source"] != "claims_income"]
    variant = tmp_path / "collection_variant.json"
    variant.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with db.reading() as s:
        standard = collection.write_collection_pdf(s, tmp_path / "a.pdf", case_ids=[ids["case_id"]])
        edited = collection.write_collection_pdf(
            s, tmp_path / "b.pdf", case_ids=[ids["case_id"]], layout=variant
        )
        book = collection.write_collection_xlsx(
            s, tmp_path / "b.xlsx", case_ids=[ids["case_id"]], layout=variant
        )
    before = flat("".join(page_texts(standard)))
    after = flat("".join(page_texts(edited)))
    assert "家庭理赔收入" in before and "家庭理赔收入" not in after
    assert "现居住地址" not in before and "现居住地址马店村一组桥头5号" in after
    labels = [r[0] for r in _sheet_rows(openpyxl.load_workbook(book).active) if r]
    assert "现居住地址" in labels and "家庭住址" not in labels and "家庭理赔收入" not in labels


# ------------------------------------------------------------------------------------------- CLI


def test_cli_print_collection(town, data_paths, capsys):
    db, ids = town
    db.dispose()
    base = ["--data-dir", str(data_paths.root), "print", "collection", "--village", "马店村"]
    pdf = data_paths.root / "out.pdf"
    assert cli.main([*base, "-o", str(pdf)]) == 0
    assert "已生成信息采集表" in capsys.readouterr().out
    assert RARE_NAME in flat("".join(page_texts(pdf)))
    xlsx = data_paths.root / "out.xlsx"
    assert cli.main([*base, "--xlsx", "-o", str(xlsx)]) == 0
    assert openpyxl.load_workbook(xlsx).worksheets[0]["A1"].value == "内含个人敏感信息，请妥善保管，不得外传"
    blank = data_paths.root / "blank.pdf"
    assert cli.main([*base, "--blank", "-o", str(blank)]) == 0
    assert len(page_texts(blank)) == 2
    # the default file name goes to the exports folder
    assert cli.main(base) == 0
    assert list(data_paths.exports.glob("马店村信息采集表_*.pdf"))
