"""村级公示, 乡镇审核/县级审定 lists and the 公告 (issue 12 points 1, 2, 9) on the 300-household demo
with a few crafted cases; the PDFs are read back with pypdf."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from fanpin_desktop import cli
from fanpin_desktop.context import open_app
from fanpin_desktop.domain.cases import CASE_ELIMINATING, CASE_INCLUDED, CASE_NOT_INCLUDED
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import CaseRisk, CaseStep, Household, MonitoringCase, Village
from fanpin_desktop.services import notices
from fanpin_desktop.services import settings as settings_service

D = dt.date
A4 = (595.3, 841.9)
A3 = (841.9, 1190.6)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def sizes(path: Path) -> list[tuple[float, float]]:
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pypdf.PdfReader(str(path)).pages]


def near(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return abs(a[0] - b[0]) < 1 and abs(a[1] - b[1]) < 1


def head_of(h: Household):
    return next(m for m in h.members if m.relation == "户主")


def _case(s, h: Household, status: str, steps, *, proc="识别", category="边缘易致贫户", risks=("因病",)):
    case = MonitoringCase(
        household_id=h.id, source="干部走访", status=status, clue_date=D(2025, 9, 1), category=category
    )
    case.steps = [CaseStep(procedure=p, step=step, done_on=day) for p, step, day in steps]
    case.risks = [CaseRisk(position=i, risk_type=r) for i, r in enumerate(risks, start=1)]
    s.add(case)
    s.flush()
    return case.id


def craft(db) -> dict:
    """In the first village: A at 公示 (村级评议 done 2025-09-24), B posted (公示 done, waiting for
    乡镇审核), C eliminating at 公示, D decided by the county on 2025-10-20; and an empty village."""
    out: dict = {}
    with db.unit() as s:
        village = s.scalars(select(Village).order_by(Village.sort_order, Village.id)).first()
        busy = set(s.scalars(select(MonitoringCase.household_id)))
        free = [
            h
            for h in s.scalars(
                select(Household).where(Household.village_id == village.id).order_by(Household.id)
            )
            if h.id not in busy and any(m.relation == "户主" for m in h.members)
        ]
        a, b, c, d = free[:4]
        ident = [("识别", "农户申请", D(2025, 9, 10)), ("识别", "入户核实", D(2025, 9, 15))]
        out["A"] = _case(s, a, "识别中", ident + [("识别", "村级评议", D(2025, 9, 24))])
        out["B"] = _case(
            s,
            b,
            "识别中",
            ident + [("识别", "村级评议", D(2025, 9, 24)), ("识别", "公示", D(2025, 9, 26))],
            category="突发严重困难户",
            risks=("因自然灾害",),
        )
        decided = ident + [
            ("识别", "村级评议", D(2025, 9, 24)),
            ("识别", "公示", D(2025, 9, 26)),
            ("识别", "乡镇审核", D(2025, 10, 10)),
            ("识别", "县级审定", D(2025, 10, 20)),
        ]
        out["C"] = _case(
            s,
            c,
            CASE_ELIMINATING,
            decided
            + [
                ("消除", "村提名", D(2026, 5, 6)),
                ("消除", "入户核实", D(2026, 5, 8)),
                ("消除", "村级评议", D(2026, 5, 12)),
            ],
            category="脱贫不稳定户",
            risks=("因学",),
        )
        out["D"] = _case(s, d, CASE_INCLUDED, decided, risks=("缺劳动力",))
        for key, h in zip("ABCD", (a, b, c, d), strict=True):
            out[f"name:{key}"] = head_of(h).name
            out[f"id:{key}"] = head_of(h).id_number
        out["village"] = village.id
        out["village_name"] = village.name
        out["village_phone"] = village.committee_phone
        empty = Village(name="空白村", sort_order=99)
        s.add(empty)
        s.flush()
        out["empty"] = empty.id
    return out


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("notices")
    ctx = open_app(root / "data", demo=True, demo_households=300, auto_backup=False)
    ids = craft(ctx.db)
    yield ctx, ids, root
    ctx.db.dispose()


def test_publicity_lists_the_cases_at_the_publicity_step(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        path = notices.write_publicity(
            s, root / "pub.pdf", village_id=ids["village"], kind="inclusion", start=D(2025, 9, 26)
        )
        township = settings_service.load(s)
    text = flat(pdf_text(path))
    v = ids["village_name"]
    assert f"{v}2025年防止返贫监测对象民主评议结果公示" in text
    assert ids["name:A"] in text and ids["name:B"] in text  # to post, and posted (reprint)
    assert ids["name:D"] not in text  # decided already
    assert "农户申请" in text and "入户核实" in text and "村“两委”（扩大）会议民主评议" in text
    assert "2025年9月24日" in text  # the review meeting
    # 5 working days across 国庆: 9/26, 9/28 (make-up Sunday), 9/29, 9/30, then 10/9
    assert "公示时间：2025年9月26日至10月9日（5个工作日）" in text
    assert ids["village_phone"] in text and township.township_phone in text and "12317" in text
    assert f"{v}村民委员会（公章）" in text
    assert "序号组户主姓名家庭人口数监测对象类别备注" in text
    assert "主要风险" not in text
    assert "边缘易致贫户" in text and "突发严重困难户" in text
    assert ids["id:A"] not in text
    assert all(near(size, A4) for size in sizes(path))


def test_elimination_notice_shows_the_mode(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        path = notices.write_publicity(
            s, root / "pub_e.pdf", village_id=ids["village"], kind="elimination", start=D(2026, 5, 13)
        )
    text = flat(pdf_text(path))
    assert f"{ids['village_name']}2026年防止返贫监测对象风险消除民主评议结果公示" in text
    assert ids["name:C"] in text and ids["name:A"] not in text
    assert "消除方式" in text and ("帮扶消除" in text or "自然消除" in text)
    assert "村提名" in text


def test_a3_is_portrait_a3_with_bigger_type(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        a3 = notices.write_publicity(
            s, root / "a3.pdf", village_id=ids["village"], kind="inclusion", paper="A3", start=D(2025, 9, 26)
        )
    assert all(near(size, A3) for size in sizes(a3))
    assert ids["name:A"] in flat(pdf_text(a3))


def test_the_setting_adds_the_main_risks(demo):
    ctx, ids, root = demo
    with ctx.db.unit() as s:
        settings_service.update(s, notice_shows_risks=True)
    try:
        with ctx.db.reading() as s:
            path = notices.write_publicity(
                s, root / "risks.pdf", village_id=ids["village"], kind="inclusion", start=D(2025, 9, 26)
            )
    finally:
        with ctx.db.unit() as s:
            settings_service.update(s, notice_shows_risks=False)
    text = flat(pdf_text(path))
    assert "主要风险" in text and "因病" in text and "因自然灾害" in text


def test_refusals(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        with pytest.raises(UserError, match="空白村目前没有处于公示环节的拟纳入监测对象"):
            notices.write_publicity(s, root / "x.pdf", village_id=ids["empty"], kind="inclusion")
        with pytest.raises(UserError, match="kind|种类|未知"):
            notices.write_publicity(s, root / "x.pdf", village_id=ids["village"], kind="other")
        with pytest.raises(UserError, match="节假日"):  # a year nobody has described
            notices.write_publicity(
                s, root / "x.pdf", village_id=ids["village"], kind="inclusion", start=D(2099, 3, 2)
            )
        with pytest.raises(UserError, match="空白村目前没有等待县级审定"):
            notices.write_review_list(
                s, root / "x.pdf", level="county", kind="inclusion", village_id=ids["empty"]
            )
    assert not (root / "x.pdf").exists()


def test_blank_notice_has_rows_and_no_dates(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        path = notices.write_publicity(
            s, root / "blank.pdf", village_id=ids["village"], kind="inclusion", blank=True
        )
    text = flat(pdf_text(path))
    assert "公示时间：年月日至月日（5个工作日）" in text
    assert ids["name:A"] not in text


def test_township_review_list_is_internal_with_full_ids(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        path = notices.write_review_list(s, root / "review.pdf", level="township", kind="inclusion")
    text = flat(pdf_text(path))
    assert "乡镇审核名单" in text
    assert ids["name:B"] in text and ids["id:B"] in text  # posted: waits for the township
    assert ids["name:A"] not in text  # still to be posted
    assert "申请2025.9.10核实9.15评议9.24公示9.26" in text
    assert "审核人" in text and "负责人" in text and "人民政府（盖章）" in text
    assert "内部材料" in text


def test_county_list_after_the_township(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        path = notices.write_review_list(
            s, root / "county.pdf", level="county", kind="inclusion", case_ids=[ids["B"], ids["D"]]
        )
    text = flat(pdf_text(path))
    assert "县级审定名单" in text and "乡村振兴部门（盖章）" in text
    assert ids["id:B"] in text and ids["id:D"] in text


def test_announcement_of_the_year(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        township = settings_service.load(s).township
        path = notices.write_announcement(s, root / "ann.pdf", kind="inclusion", start=D(2025, 10, 25))
        before = notices.gather_announcement(s, kind="inclusion", start=D(2025, 10, 19))
    text = flat(pdf_text(path))
    assert f"{township}2025年度新识别监测对象名单公告" in text
    assert ids["name:D"] in text and ids["name:B"] not in text
    assert "公告时间为5天（2025年10月25日—10月29日）" in text
    assert "国家监督电话12317" in text and f"{township}人民政府" in text
    assert ids["id:D"] not in text
    names = {r.head_name for item in before for _v, rows in item.villages for r in rows}
    assert ids["name:D"] not in names  # decided on 10-20, after that start


def test_cli_print_publicity(demo):
    ctx, ids, root = demo
    ctx.db.dispose()
    out = root / "cli.pdf"
    code = cli.main(
        [
            "--data-dir",
            str(root / "data"),
            "print",
            "publicity",
            "--village",
            ids["village_name"],
            "--kind",
            "inclusion",
            "--start",
            "2025-09-26",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    text = flat(pdf_text(out))
    assert ids["name:A"] in text and "2025年9月26日至10月9日" in text


def test_statuses_that_are_closed_are_not_picked(demo):
    ctx, ids, root = demo
    with ctx.db.reading() as s:
        notices_ = notices.gather_publicity(s, kind="inclusion", start=D(2025, 9, 26))
        closed = set(
            s.scalars(
                select(MonitoringCase.id).where(MonitoringCase.status.in_([CASE_NOT_INCLUDED, CASE_INCLUDED]))
            )
        )
    assert notices_
    picked = {r.head_name for n in notices_ for r in n.rows}
    assert ids["name:D"] not in picked
    assert ids["D"] in closed


def test_settings_form_carries_the_risk_column_choice(qapp):
    from fanpin_desktop.ui.pages.settings import TownshipForm

    form = TownshipForm()
    form.load(settings_service.TownshipSettings(township="马店镇", notice_shows_risks=True), [])
    assert form.notice_shows_risks.isChecked()
    assert form.values()["notice_shows_risks"] is True
    form.notice_shows_risks.setChecked(False)
    assert form.values()["notice_shows_risks"] is False
