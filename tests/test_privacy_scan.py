"""Issue 12 point 8: no ID number, personal phone, bank account or health condition on any public
document. Every public document is rendered on the 300-household demo and its text (pypdf) is
scanned; the scan itself is shown to find what is planted."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from test_notices import craft, pdf_text

from fanpin_desktop.context import open_app
from fanpin_desktop.documents import notices_pdf
from fanpin_desktop.documents.notices_pdf import NoticeRow, PublicityNotice
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, Member, MonitoringCase, Village
from fanpin_desktop.services import notices
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.notices import privacy_findings

D = dt.date
TOWNSHIP_MOBILE = "13905641234"  # a township whose official phone is a mobile


# --------------------------------------------------------------------------------------------------
# the scan


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("户主 341522197003150012 张三", "身份证号码"),
        ("证件 3415 2219 7003 1500 1X", "身份证号码"),
        ("旧证 341522700315001", "身份证号码"),
        ("联系电话：138 0564 1234", "手机号码"),
        ("电话13805641234。", "手机号码"),
        ("账号 6228480402564890018", "长号码"),
        ("证件号 3415**********0012", "遮挡的证件号码"),
        ("成员健康状况：长期慢性病", "健康状况"),
        ("患有大病", "健康状况"),
        ("肢体残疾二级", "健康状况"),
    ],
)
def test_the_scan_finds(text, what):
    found = privacy_findings(text, ["0564-6012317", "12317"])
    assert any(f.startswith(what) for f in found), found


def test_the_scan_allows_the_official_numbers_and_ordinary_text():
    text = (
        "马店村2026年防止返贫监测对象民主评议结果公示 公示时间：2025年9月26日至10月9日（5个工作日）"
        "村委会电话：0564-6564105 乡镇电话：13905641234 监督举报电话12317 序号 1 一组 张三 4 因病 因残"
    )
    assert privacy_findings(text, ["0564-6564105", TOWNSHIP_MOBILE, "12317"]) == []
    assert privacy_findings(text, ["0564-6564105", "12317"])  # the mobile is not an allowed number


# --------------------------------------------------------------------------------------------------
# every public document on the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    ctx = open_app(root / "data", demo=True, demo_households=300, auto_backup=False)
    craft(ctx.db)
    with ctx.db.unit() as s:
        settings_service.update(s, township_phone=TOWNSHIP_MOBILE)
        # plant what must never reach a notice: phones, bank notes and case notes with health words
        for h in s.scalars(select(Household)):
            h.phone = h.phone or "13912345678"
            h.bank_account_note = "6228480402564890018"
        for m in s.scalars(select(Member)):
            m.phone = m.phone or "13712345678"
        for c in s.scalars(select(MonitoringCase)):
            c.note = "户主长期慢性病，电话13612345678"
    yield ctx, root
    ctx.db.dispose()


def _public_documents(ctx, root, show_risks: bool) -> list:
    with ctx.db.unit() as s:
        settings_service.update(s, notice_shows_risks=show_risks)
    written = []
    with ctx.db.reading() as s:
        villages = list(s.scalars(select(Village.id).order_by(Village.id)))
        years = sorted({c.identified_on.year for c in s.scalars(select(MonitoringCase)) if c.identified_on})
        tag = "r" if show_risks else "n"
        for vid in villages:
            everyone = list(
                s.scalars(
                    select(MonitoringCase.id)
                    .join(Household, MonitoringCase.household_id == Household.id)
                    .where(Household.village_id == vid)
                )
            )
            for kind in ("inclusion", "elimination"):
                for paper in ("A4", "A3"):
                    if everyone:  # the whole village by hand: every household with a case
                        written.append(
                            notices.write_publicity(
                                s,
                                root / f"pub-{tag}-{vid}-{kind}-{paper}.pdf",
                                village_id=vid,
                                kind=kind,
                                paper=paper,
                                case_ids=everyone,  # a new period from today: after every 评议
                            )
                        )
                try:  # the automatic pick
                    written.append(
                        notices.write_publicity(
                            s,
                            root / f"auto-{tag}-{vid}-{kind}.pdf",
                            village_id=vid,
                            kind=kind,
                            start=D(2025, 9, 26),
                        )
                    )
                except UserError:
                    pass
                written.append(
                    notices.write_publicity(
                        s, root / f"blank-{tag}-{vid}-{kind}.pdf", village_id=vid, kind=kind, blank=True
                    )
                )
        every_case = list(s.scalars(select(MonitoringCase.id)))
        for kind in ("inclusion", "elimination"):
            for year in years:
                try:
                    written.append(
                        notices.write_announcement(
                            s, root / f"ann-{tag}-{kind}-{year}.pdf", kind=kind, start=D(year, 12, 31)
                        )
                    )
                except UserError:
                    pass
            written.append(
                notices.write_announcement(
                    s,
                    root / f"ann-all-{tag}-{kind}.pdf",
                    kind=kind,
                    case_ids=every_case,
                    start=D(2026, 8, 16),
                )
            )
        allowed = notices.official_numbers(s)
    return [(path, allowed) for path in written]


@pytest.mark.parametrize("show_risks", [False, True])
def test_no_public_document_shows_private_data(demo, show_risks):
    ctx, root = demo
    documents = _public_documents(ctx, root, show_risks)
    assert len(documents) > 30
    problems = {}
    for path, allowed in documents:
        text = pdf_text(path)
        assert len(text) > 100
        found = privacy_findings(text, allowed)
        if found:
            problems[path.name] = found
    assert problems == {}
    if show_risks:
        assert "主要风险" in pdf_text(documents[0][0])


def test_the_scan_fails_on_an_internal_list_and_a_planted_notice(demo):
    ctx, root = demo
    with ctx.db.reading() as s:
        everyone = list(s.scalars(select(MonitoringCase.id)))
        internal = notices.write_review_list(
            s, root / "internal.pdf", level="township", kind="inclusion", case_ids=everyone
        )
        allowed = notices.official_numbers(s)
    found = privacy_findings(pdf_text(internal), allowed)
    assert any(f.startswith("身份证号码") for f in found)

    planted = PublicityNotice(
        township="马店镇",
        village="马店村",
        kind="inclusion",
        start=D(2025, 9, 26),
        end=D(2025, 10, 9),
        days=5,
        working_days=True,
        rows=[NoticeRow("一组", "张三", 3, "边缘易致贫户", note="13812345678 患有大病 341522197003150012")],
    )
    path = notices_pdf.render_publicity(root / "planted.pdf", [planted])
    found = privacy_findings(pdf_text(path), allowed)
    kinds = {f.split("：")[0] for f in found}
    assert {"手机号码", "健康状况", "身份证号码"} <= kinds, found
