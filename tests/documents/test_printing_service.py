"""The printing service end to end: what 附件1/3/4 and the work summary show, gathered from a demo
township's records and rendered (PDF text read back with pypdf, the .docx with python-docx)."""

from __future__ import annotations

import datetime as dt

import docx
import pytest
from pdf_testing import A3_LANDSCAPE, flat, is_size, page_sizes, page_texts
from sqlalchemy import func, select

from fanpin_desktop.documents import fonts
from fanpin_desktop.documents import summary_docx as sd
from fanpin_desktop.documents.appendix_pdf import NA, PrintOptions, VillageSheet
from fanpin_desktop.services import campaigns, printing

RARE_NAME = "吉𠮷"  # CJK Extension B


@pytest.fixture(scope="module")
def shipped() -> fonts.FontLibrary:
    return fonts.FontLibrary.discover(include_system=False)


def test_appendices_from_the_database(db, tmp_path, shipped):
    from fanpin_desktop.demo import build_demo
    from fanpin_desktop.models import Household, Problem, Village

    build_demo(db, households=40, seed=5, today=dt.date(2022, 6, 1))
    with db.unit() as s:
        household = s.scalars(select(Household).order_by(Household.id)).first()
        household.head.name = RARE_NAME
        village_id, village = household.village_id, household.village.name
        s.add(
            Problem(
                level="户",
                village_id=village_id,
                household_id=household.id,
                problem_type="政策落实",
                description="医保未参保",
                measure="补办参保",
                responsible="王五",
                on_the_spot=False,
            )
        )
        s.add(
            Problem(
                level="村",
                village_id=village_id,
                problem_type="其他",
                description="当场解决的问题",
                on_the_spot=True,
            )
        )
        head_id = household.head.id_number
        villages = s.scalar(select(Village.id).where(Village.id != village_id))
    with db.reading() as s:
        a1 = printing.write_appendix1(s, tmp_path / "a1.pdf", village_ids=[village_id], fonts=shipped)
        blank = printing.write_appendix1(
            s,
            tmp_path / "blank.pdf",
            village_ids=[village_id, villages],
            options=PrintOptions(paper="A3", blank=True),
            fonts=shipped,
        )
        a3 = printing.write_appendix3(s, tmp_path / "a3.pdf", as_of=dt.date(2022, 6, 1), fonts=shipped)
        a4 = printing.write_appendix4(s, tmp_path / "a4.pdf", fonts=shipped)
    text = flat("".join(page_texts(a1)))
    assert f"马店镇{village}2022年防止返贫监测帮扶集中排查到户排查表" in text
    assert RARE_NAME in text
    assert "是否高于本市监测范围（7000元）" in text  # the campaign's threshold in the header
    assert len(page_texts(blank)) == 2 and is_size(page_sizes(blank)[0], A3_LANDSCAPE)
    assert RARE_NAME not in flat("".join(page_texts(blank)))
    assert "合计" in flat(page_texts(a3)[0])
    ledger = flat("".join(page_texts(a4)))
    assert "医保未参保" in ledger and head_id in ledger
    assert "当场解决的问题" not in ledger  # 立行立改 stays out of the ledger


def test_appendix1_sheets_are_plain_rows_with_suggestions(db):
    from fanpin_desktop.demo import build_demo

    build_demo(db, households=40, seed=5, today=dt.date(2022, 6, 1))
    with db.reading() as s:
        campaign = campaigns.resolve(s, None)
        suggested = printing.appendix1_sheets(s, campaign)
        bare = printing.appendix1_sheets(s, campaign, suggest=False)
        chosen = campaigns.village_ids(s, campaign)[1:2]
        one = printing.appendix1_sheets(s, campaign, [*chosen, 999_999])  # an unknown village is skipped
    assert all(isinstance(sheet, VillageSheet) for sheet in suggested)
    assert [sheet.village for sheet in suggested] == [sheet.village for sheet in bare]
    assert sum(len(sheet.rows) for sheet in suggested) == 40
    assert [sheet.village for sheet in one] == [suggested[1].village]
    rows = [row for sheet in suggested for row in sheet.rows]
    assert all(row["seq"] is None for row in rows)  # numbered by the renderer, per village
    assert any(value is NA for row in rows for value in row.values())  # questions not for the household
    # an unscreened household gets what its records suggest, and nothing when suggestions are off
    unscreened = [
        (a, b)
        for x, y in zip(suggested, bare, strict=True)
        for a, b in zip(x.rows, y.rows, strict=True)
        if not a["screened"]
    ]
    assert unscreened
    with_suggestion, without = unscreened[0]
    assert with_suggestion["above_threshold"] is not None and without["above_threshold"] is None


def test_appendix4_rows_leave_out_on_the_spot_problems(db):
    from fanpin_desktop.demo import build_demo
    from fanpin_desktop.models import Household, Problem

    build_demo(db, households=40, seed=5, today=dt.date(2022, 6, 1))
    with db.unit() as s:
        household = s.scalars(select(Household).order_by(Household.id)).first()
        village_id, head, head_id = household.village_id, household.head.name, household.head.id_number
        s.add(
            Problem(
                level="户",
                village_id=village_id,
                household_id=household.id,
                problem_type="政策落实",
                description="医保未参保",
                on_the_spot=False,
                note="已通知",
            )
        )
        s.add(
            Problem(
                level="村", village_id=village_id, problem_type="其他", description="当场", on_the_spot=True
            )
        )
    with db.reading() as s:
        rows = printing.appendix4_rows(s, village_id=village_id)
    assert all(row["unit"] == "马店镇" for row in rows)
    assert "当场" not in [row["description"] for row in rows]
    (mine,) = [row for row in rows if row["description"] == "医保未参保"]
    assert mine["head_name"] == head and mine["id_number"] == head_id  # the internal sheet: full number
    assert mine["remark"].endswith("；已通知")


def test_summary_docx_from_the_demo_township(db, tmp_path):
    from fanpin_desktop.demo import build_demo
    from fanpin_desktop.models import Household, Member, Problem

    build_demo(db, households=60, seed=11, today=dt.date(2022, 6, 1))
    with db.reading() as s:
        households = s.scalar(select(func.count()).select_from(Household))
        people = s.scalar(select(func.count()).select_from(Member))
        tuopin = s.scalar(
            select(func.count()).select_from(Household).where(Household.household_type == "脱贫户")
        )
        problems = s.scalar(select(func.count()).select_from(Problem).where(Problem.campaign_id.is_not(None)))
        figures = printing.gather_figures(s, as_of=dt.date(2022, 6, 1))
        path = printing.write_summary_docx(
            s, tmp_path / "总结.docx", as_of=dt.date(2022, 6, 1), date=dt.date(2022, 6, 5)
        )
    assert isinstance(figures, sd.SummaryFigures)
    assert figures.households == (households, people)
    assert figures.tuopin[0] == tuopin
    assert figures.problems_found == problems
    assert sum(h for h, _p in figures.monitored_by_category.values()) == figures.monitored[0]
    assert sum(figures.problems_by_type.values()) == problems

    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    assert paragraphs[0] == "马店镇2022年防止返贫监测帮扶"
    assert f"共{households}户{people}人" in "\n".join(paragraphs)
    assert sd.figures_paragraph(figures) in paragraphs  # the figures gathered are the figures written
    assert paragraphs[-1] == "2022年6月5日"
