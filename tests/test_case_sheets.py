"""入户核实表 and 承诺授权查询书 (issue 12, points 3 and 4) on the demo township: what they print
(checked in the PDF's text with pypdf), which cases they cover, blank sheets, paper sizes, the
signature boxes and ``fanpin print verification|authorisation``."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Table
from sqlalchemy import select

from fanpin_desktop import cli
from fanpin_desktop.db import Database, migrate
from fanpin_desktop.demo import build_demo
from fanpin_desktop.documents import case_sheets_pdf
from fanpin_desktop.documents.appendix_pdf import amount_text
from fanpin_desktop.documents.pdf_common import DocStyles, PageSetup, Section
from fanpin_desktop.domain import income
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import CaseRisk, CaseStep, Household, Member, MonitoringCase, Village
from fanpin_desktop.services import case_sheets

TODAY = dt.date(2026, 11, 23)
LABELS = (
    "核实人（签字）",
    "户主签字（按手印）",
    "村委会（盖章）",
    "日期",
    "工资性收入",
    "人均纯收入",
    "合规自付支出",
)
ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")


def text_of(path) -> str:
    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The demo township, with one 识别中 case of 马店村 given a minor member, two ordered risks,
    an income record and a recorded 入户核实 (built once, copied per test)."""
    folder = tmp_path_factory.mktemp("case_sheets")
    path = folder / "demo.sqlite3"
    db = Database(path, user="测试")
    migrate(db)
    build_demo(db, households=300, seed=2022, today=TODAY)
    with db.unit() as s:
        village = s.scalar(select(Village).where(Village.name == "马店村"))
        case = s.scalars(
            select(MonitoringCase)
            .join(Household, Household.id == MonitoringCase.household_id)
            .where(Household.village_id == village.id, MonitoringCase.status.in_(("识别中", "线索")))
            .order_by(MonitoringCase.id)
        ).first()
        household = s.get(Household, case.household_id)
        child = Member(
            household_id=household.id,
            name="高小𬌗",  # a rare character (CJK Extension)
            relation="孙子",
            sex="男",
            birth_date=dt.date(2016, 5, 4),
            id_number="341522201605040017",
            sort_order=99,
            schooling="小学",
        )
        s.add(child)
        for r in list(case.risks):
            s.delete(r)
        s.flush()
        s.add_all(
            [
                CaseRisk(case_id=case.id, position=2, risk_type="因学"),
                CaseRisk(case_id=case.id, position=1, risk_type="因自然灾害", subtype="洪涝"),
            ]
        )
        for st in [st for st in case.steps if st.step == "入户核实"]:
            s.delete(st)
        s.add(
            CaseStep(
                case_id=case.id,
                procedure="识别",
                step="入户核实",
                done_on=dt.date(2026, 11, 12),
                people="李核实、王核实",
                result="情况属实",
            )
        )
        ids = {"case": case.id, "village": village.id, "household": household.id}
    db.dispose()
    return path, ids


@pytest.fixture
def town(template, tmp_path):
    path, ids = template
    copy = tmp_path / "data" / "fanpin.sqlite3"
    copy.parent.mkdir()
    shutil.copyfile(path, copy)
    db = Database(copy, user="测试")
    yield db, ids
    db.dispose()


def test_prefilled_sheet_prints_the_household(town, tmp_path):
    db, ids = town
    out = tmp_path / "核实.pdf"
    with db.reading() as s:
        case_sheets.write_verification(s, out, case_ids=[ids["case"]], today=TODAY)
        members = s.execute(
            select(Member.name, Member.id_number).where(Member.household_id == ids["household"])
        ).all()
        rec = max(s.get(Household, ids["household"]).incomes, key=lambda r: r.period_start)
        t = income.totals(rec.wage, rec.business, rec.property_income, rec.transfer, rec.business_cost,
                          rec.people_count or len(members))  # fmt: skip
        figures = (rec.wage, rec.transfer, t.net, t.per_capita)
    text = flat(text_of(out))
    assert "防止返贫监测对象入户核实表" in text
    for name, id_number in members:
        assert flat(name) in text
        assert id_number and id_number in text  # full ID: an internal document
    assert "高小𬌗" in text
    for value in figures:
        assert amount_text(value) in text
    for label in LABELS:
        assert label in text
    assert "1．因自然灾害（洪涝）2．因学" in text  # in their order, not the insertion order
    assert "2026年11月12日" in text and "情况属实" in text
    assert len(PdfReader(str(out)).pages) == 1


def test_village_sheets_cover_identification_and_elimination(town):
    db, ids = town
    with db.reading() as s:
        expected = set(
            s.scalars(
                select(MonitoringCase.id)
                .join(Household, Household.id == MonitoringCase.household_id)
                .where(
                    Household.village_id == ids["village"],
                    MonitoringCase.status.in_(("线索", "识别中", "消除中")),
                )
            )
        )
        sheets = case_sheets.gather_verification(s, village_id=ids["village"], today=TODAY)
        letters = case_sheets.gather_authorisation(s, village_id=ids["village"], today=TODAY)
        statuses = dict(s.execute(select(MonitoringCase.id, MonitoringCase.status)).all())
    assert expected and {int(sh.key) for sh in sheets} == expected
    assert len(sheets) == len(expected)
    assert all(sh.village == "马店村" and not sh.blank for sh in sheets)
    # the letter is an application to be monitored: identification only
    assert {int(le.key) for le in letters} == {c for c in expected if statuses[c] in ("线索", "识别中")}


def test_blank_sheet_has_labels_but_no_names(town, tmp_path):
    db, ids = town
    out = tmp_path / "空白.pdf"
    with db.reading() as s:
        case_sheets.write_verification(s, out, village_id=ids["village"], blank=True)
        names = s.scalars(
            select(Member.name).join(Household).where(Household.village_id == ids["village"])
        ).all()
    text = flat(text_of(out))
    assert len(PdfReader(str(out)).pages) == 1  # 8 empty member rows still fit one page
    assert "马店村" in text
    for label in LABELS + ("证件号码", "与户主关系", "健康状况", "住房安全有保障", "核实结论"):
        assert label in text
    assert not ID_RE.search(text)
    assert not [n for n in names if len(n) > 1 and n in text]


def test_blank_sheet_of_a_case_fills_only_its_header(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        (sheet,) = case_sheets.gather_verification(s, case_ids=[ids["case"]], blank=True)
    assert sheet.blank and sheet.village == "马店村" and sheet.head_name
    assert sheet.members == () and sheet.income is None and sheet.risks == ()


def test_authorisation_lists_adults_with_big_signature_boxes(town, tmp_path):
    db, ids = town
    out = tmp_path / "授权.pdf"
    with db.reading() as s:
        (letter,) = case_sheets.gather_authorisation(s, case_ids=[ids["case"]], today=TODAY)
        case_sheets.write_authorisation(s, out, case_ids=[ids["case"]], today=TODAY)
        members = s.scalars(select(Member).where(Member.household_id == ids["household"])).all()
        adults = sorted(
            [m for m in members if m.name != "高小𬌗"],
            key=lambda m: (m.relation != "户主", m.sort_order, m.id),
        )
        adults = [(m.name, m.id_number) for m in adults]
    assert adults
    assert [(m.name, m.id_number) for m in letter.signers] == adults
    assert letter.people == len(members)
    text = flat(text_of(out))
    assert AUTHOR_TITLE in text
    for name, id_number in adults:
        assert flat(name) in text and id_number in text
    assert "341522201605040017" not in text and "高小𬌗" not in text  # the minor does not sign
    for words in (
        "申请人（户主）",
        "签字（按手印）",
        "收入",
        "车辆",
        "房产",
        "存款",
        "工商",
        "社会保障",
        "代写",
    ):
        assert words in text
    assert "因自然灾害（洪涝）、因学" in text
    # one signature row per adult, each at least 15 mm high (room to sign and press a fingerprint)
    story = case_sheets_pdf.story_authorisation(letter, DocStyles(), PageSetup("A4", landscape=False))
    grid = next(f for f in story if isinstance(f, Table) and "身份证号码" in str(f._cellvalues[0][3].text))
    assert len(grid._cellvalues) == 1 + len(adults)
    assert all(h >= 15 * mm for h in grid._argH[1:])


AUTHOR_TITLE = "防止返贫监测对象申请及承诺授权查询书"


def test_blank_authorisation_has_empty_signature_rows(town, tmp_path):
    db, ids = town
    out = tmp_path / "空白授权.pdf"
    with db.reading() as s:
        case_sheets.write_authorisation(s, out, village_id=ids["village"], blank=True)
    text = flat(text_of(out))
    assert AUTHOR_TITLE in text and "马店村" in text and "签字（按手印）" in text
    assert not ID_RE.search(text)


def test_story_contract_and_signature_boxes():
    setup = PageSetup("A4", landscape=False)
    story = case_sheets_pdf.story_verification(
        case_sheets_pdf.VerificationSheet(blank=True), DocStyles(), setup
    )
    assert isinstance(story[0], Section) and isinstance(story[-1], PageBreak)
    story = case_sheets_pdf.story_authorisation(
        case_sheets_pdf.AuthorisationLetter(blank=True), DocStyles(), setup
    )
    assert isinstance(story[0], Section) and isinstance(story[-1], PageBreak)


@pytest.mark.parametrize(("paper", "size"), [("A4", (595, 842)), ("A3", (842, 1191))])
def test_paper_is_portrait(town, tmp_path, paper, size):
    db, ids = town
    out = tmp_path / f"{paper}.pdf"
    with db.reading() as s:
        case_sheets.write_verification(s, out, case_ids=[ids["case"], ids["case"]], paper=paper, today=TODAY)
        case_sheets.write_authorisation(s, tmp_path / "a.pdf", case_ids=[ids["case"]], paper=paper)
    for file in (out, tmp_path / "a.pdf"):
        reader = PdfReader(str(file))
        for page in reader.pages:
            assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size
    pages = PdfReader(str(out)).pages
    assert len(pages) == 2  # a case asked for twice prints twice, each numbered on its own
    assert all("第1页共1页" in flat(p.extract_text()) for p in pages)


def test_errors(town, tmp_path):
    db, ids = town
    with db.reading() as s:
        with pytest.raises(UserError, match="不存在"):
            case_sheets.write_verification(s, tmp_path / "x.pdf", case_ids=[999_999])
        busy = set(
            s.scalars(
                select(Household.village_id)
                .join(MonitoringCase, MonitoringCase.household_id == Household.id)
                .where(MonitoringCase.status.in_(("线索", "识别中", "消除中")))
            )
        )
        idle = s.scalar(select(Village.id).where(Village.id.not_in(busy)))
        if idle is not None:
            with pytest.raises(UserError, match="空白表"):
                case_sheets.write_verification(s, tmp_path / "y.pdf", village_id=idle)
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("action", ["verification", "authorisation"])
def test_cli_prints_a_village(town, tmp_path, capsys, action):
    db, ids = town
    db.dispose()
    out = tmp_path / f"{action}.pdf"
    root = tmp_path / "data"
    code = cli.main(["--data-dir", str(root), "print", action, "--village", "马店村", "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert str(out) in captured.out
    text = flat(text_of(out))
    assert "马店村" in text and ID_RE.search(text)
    code = cli.main(["--data-dir", str(root), "print", action, "--village", "马店村", "--blank",
                     "--paper", "A3", "-o", str(tmp_path / "blank.pdf")])  # fmt: skip
    assert code == 0
    assert len(PdfReader(str(tmp_path / "blank.pdf")).pages) == 1
