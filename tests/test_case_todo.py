"""The 待办 service on a crafted town: exactly the due items, their order and counts.

``build_town`` is shared with tests/test_case_listing.py and tests/test_cli_cases.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from fanpin_desktop.domain import ids
from fanpin_desktop.models import (
    Campaign,
    CaseRisk,
    CaseStep,
    Contact,
    Household,
    HouseholdScreening,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Threshold,
    Village,
    VillageGroup,
    Visit,
)
from fanpin_desktop.services.cases import todo
from fanpin_desktop.services.cases.types import (
    DUE_CLUE,
    DUE_ELIMINATION,
    DUE_KINDS,
    DUE_MEASURES,
    DUE_PUBLICITY,
    DUE_REVIEW,
    DUE_VISIT,
)

TODAY = dt.date(2026, 12, 2)  # a Wednesday: the window (weeks=2) ends Sunday 2026-12-13
REGION = "341523"
D = dt.date


def pid(year: int, seq: int, female: bool = False) -> str:
    return ids.make_id(REGION, dt.date(year, 3, 15), seq, female)


def person(name: str, relation: str, number: str, labour: str = "普通劳动力", order: int = 0) -> Member:
    info = ids.parse(number)
    return Member(
        name=name,
        relation=relation,
        id_number=number,
        sex=info.sex,
        birth_date=info.birth_date,
        health="健康",
        labour_skill=labour,
        sort_order=order,
    )


IDENT = ("农户申请", "入户核实", "村级评议", "公示", "乡镇审核", "县级审定", "系统录入")


def ident_steps(identified: dt.date) -> list[CaseStep]:
    """A complete identification finishing with 县级审定 on ``identified``."""
    start = identified - dt.timedelta(days=14)
    out = []
    for i, name in enumerate(IDENT):
        day = start + dt.timedelta(days=2 * i) if name not in ("县级审定", "系统录入") else identified
        end = day + dt.timedelta(days=1) if name == "公示" else None
        out.append(CaseStep(procedure="识别", step=name, done_on=day, end_on=end, people="甲、乙"))
    return out


def build_town(db) -> dict[str, int]:
    """Two villages (西河村 before 东山村), households A–L with one case each (I also has I2, its
    re-identification). Returns name → case id, plus "hh:<name>" → household id."""
    ids_out: dict[str, int] = {}
    with db.unit() as s:
        west = Village(name="西河村", sort_order=0)
        east = Village(name="东山村", sort_order=1)
        s.add_all([west, east])
        s.flush()
        w1 = VillageGroup(village_id=west.id, name="一组", sort_order=1)
        w2 = VillageGroup(village_id=west.id, name="二组", sort_order=2)
        e1 = VillageGroup(village_id=east.id, name="一组", sort_order=1)
        s.add_all([w1, w2, e1])
        s.flush()
        s.add(Threshold(year=2026, region="全国", amount=Decimal("7000")))
        campaign = Campaign(
            year=2026,
            name="2026年集中排查",
            start_date=D(2026, 9, 1),
            end_date=D(2026, 10, 31),
            income_period_start=D(2025, 9, 1),
            income_period_end=D(2026, 8, 31),
        )
        s.add(campaign)
        s.flush()

        def household(key, village, group, code, head, seq, htype="一般农户", labour="普通劳动力", extra=()):
            h = Household(village_id=village.id, group_id=group.id, code=code, household_type=htype)
            h.members = [person(head, "户主", pid(1970, seq), labour, 0)]
            for i, (name, rel, year) in enumerate(extra, start=1):
                h.members.append(person(name, rel, pid(year, seq + i), labour, i))
            s.add(h)
            s.flush()
            ids_out[f"hh:{key}"] = h.id
            return h

        def case(key, h, status, clue, identified=None, category=None, **kw):
            c = MonitoringCase(
                household_id=h.id,
                source="干部走访",
                status=status,
                clue_date=clue,
                identified_on=identified,
                category=category,
                **kw,
            )
            s.add(c)
            s.flush()
            ids_out[key] = c.id
            return c

        def income(h, per_capita_total):
            s.add(
                IncomeRecord(
                    household_id=h.id,
                    year=2026,
                    period_start=D(2025, 9, 1),
                    period_end=D(2026, 8, 31),
                    wage=Decimal(per_capita_total),
                )
            )

        # A: a clue past its 15 days (due 2026-11-16), nothing done
        ha = household("A", west, w1, "3415230010010001", "张三", 10)
        case("A", ha, "线索", D(2026, 11, 1))
        # B: identification under way, due 2026-12-10, nothing due yet
        hb = household("B", west, w1, "3415230010010002", "李四", 20)
        cb = case("B", hb, "识别中", D(2026, 11, 25))
        cb.steps = [
            CaseStep(procedure="识别", step="农户申请", done_on=D(2026, 11, 26), authorisation_signed=True)
        ]
        # C: 公示 ended 2026-12-01, 乡镇审核 not done
        hc = household("C", west, w2, "3415230010020001", "王五", 30)
        cc = case("C", hc, "识别中", D(2026, 11, 20))
        cc.steps = [
            CaseStep(procedure="识别", step="农户申请", done_on=D(2026, 11, 20), authorisation_signed=True),
            CaseStep(procedure="识别", step="入户核实", done_on=D(2026, 11, 21), people="甲、乙"),
            CaseStep(procedure="识别", step="村级评议", done_on=D(2026, 11, 23), people="丙", result="同意"),
            CaseStep(procedure="识别", step="公示", done_on=D(2026, 11, 24), end_on=D(2026, 12, 1)),
        ]
        # D: identified 2026-11-25, no measures (due 2026-12-05)
        hd = household("D", east, e1, "3415230020010001", "赵六", 40)
        cd = case("D", hd, "已纳入", D(2026, 11, 1), D(2026, 11, 25), "边缘易致贫户")
        cd.steps = ident_steps(D(2026, 11, 25))
        cd.contacts = [Contact(household_id=hd.id, name="李干部", start_date=D(2026, 11, 25))]
        # E: visit due 2026-12-05; eligible for elimination (labour, income 8000 ≥ 7000)
        he = household("E", east, e1, "3415230020010002", "孙七", 50, htype="脱贫户")
        ce = case(
            "E", he, "已纳入", D(2026, 2, 20), D(2026, 3, 10), "脱贫不稳定户", reviewed_on=D(2026, 10, 1)
        )
        ce.steps = ident_steps(D(2026, 3, 10))
        ce.risks = [
            CaseRisk(position=1, risk_type="因病"),
            CaseRisk(position=2, risk_type="因自然灾害", subtype="洪涝"),
        ]
        ce.measures = [Measure(household_id=he.id, category="产业帮扶", content="养牛", is_development=True)]
        ce.contacts = [
            Contact(household_id=he.id, name="旧干部", start_date=D(2026, 3, 10), end_date=D(2026, 6, 30)),
            Contact(household_id=he.id, name="王干部", start_date=D(2026, 7, 1)),
        ]
        ce.visits = [
            Visit(household_id=he.id, visited_on=D(2026, 10, 5)),
            Visit(household_id=he.id, visited_on=D(2026, 11, 5)),
        ]
        income(he, "8000")
        s.add(
            HouseholdScreening(
                campaign_id=campaign.id,
                household_id=he.id,
                screened_on=D(2026, 9, 10),
                housing_safe=False,
                medical_secured=True,
                education_secured=None,
                water_safe=True,
            )
        )
        # F: no labour, only 综合保障 (not eligible although income is above); review overdue
        hf = household("F", east, e1, "3415230020010003", "周八", 60, labour="无劳动力")
        cf = case(
            "F", hf, "已纳入", D(2026, 2, 20), D(2026, 3, 10), "突发严重困难户", reviewed_on=D(2026, 8, 15)
        )
        cf.steps = ident_steps(D(2026, 3, 10))
        cf.risks = [CaseRisk(position=1, risk_type="缺劳动力")]
        cf.measures = [Measure(household_id=hf.id, category="综合保障", content="低保")]
        cf.contacts = [Contact(household_id=hf.id, name="李干部", start_date=D(2026, 3, 10))]
        cf.visits = [Visit(household_id=hf.id, visited_on=D(2026, 11, 28))]
        income(hf, "9000")
        # G: income below the threshold; nothing due; its only contact has left
        hg = household("G", west, w1, "3415230010010003", "吴九", 70)
        cg = case(
            "G", hg, "已纳入", D(2025, 12, 20), D(2026, 1, 5), "边缘易致贫户", reviewed_on=D(2026, 11, 1)
        )
        cg.steps = ident_steps(D(2026, 1, 5))
        cg.measures = [Measure(household_id=hg.id, category="就业帮扶", content="务工")]
        cg.contacts = [
            Contact(household_id=hg.id, name="赵干部", start_date=D(2026, 1, 5), end_date=D(2026, 6, 30))
        ]
        cg.visits = [Visit(household_id=hg.id, visited_on=D(2026, 11, 30))]
        income(hg, "5000")
        # H: elimination 公示 ends 2026-12-09 (in the window); 消除中 is never "eligible"
        hh = household("H", west, w2, "3415230010020002", "郑十", 80)
        ch = case(
            "H", hh, "消除中", D(2025, 12, 20), D(2026, 1, 10), "边缘易致贫户", reviewed_on=D(2026, 10, 1)
        )
        ch.steps = ident_steps(D(2026, 1, 10)) + [
            CaseStep(procedure="消除", step="村提名", done_on=D(2026, 11, 20)),
            CaseStep(procedure="消除", step="入户核实", done_on=D(2026, 11, 21), people="甲、乙"),
            CaseStep(procedure="消除", step="村级评议", done_on=D(2026, 11, 23), people="丙", result="同意"),
            CaseStep(procedure="消除", step="公示", done_on=D(2026, 12, 3), end_on=D(2026, 12, 9)),
        ]
        ch.measures = [Measure(household_id=hh.id, category="产业帮扶", content="种茶")]
        ch.visits = [Visit(household_id=hh.id, visited_on=D(2026, 11, 22))]
        income(hh, "9000")
        # I: eliminated, re-identified as I2 (a fresh clue, due 2026-12-16)
        hi = household("I", east, e1, "3415230020010004", "钱一", 90)
        ci = case(
            "I", hi, "已消除", D(2024, 1, 1), D(2024, 1, 20), "边缘易致贫户", eliminated_on=D(2024, 9, 1)
        )
        case("I2", hi, "线索", D(2026, 12, 1), previous_case_id=ci.id)
        # J: not included
        hj = household("J", east, e1, "3415230020010005", "冯二", 100)
        case("J", hj, "不纳入", D(2026, 10, 1), not_included_reason="收入超过监测范围")
        # K: rolled back, eligible again
        hk = household("K", west, w2, "3415230010020003", "陈三", 110)
        ck = case(
            "K", hk, "已回退", D(2025, 4, 10), D(2025, 5, 1), "边缘易致贫户", reviewed_on=D(2026, 11, 20)
        )
        ck.rolled_back_on = D(2026, 6, 1)
        ck.steps = ident_steps(D(2025, 5, 1))
        ck.measures = [Measure(household_id=hk.id, category="就业帮扶", content="务工")]
        ck.visits = [Visit(household_id=hk.id, visited_on=D(2026, 11, 25))]
        income(hk, "7000")
        # L: visit and review both due Monday 2026-12-14, one day after the window
        hl = household("L", west, w2, "3415230010020004", "褚四", 120, extra=[("褚小四", "之子", 2000)])
        cl = case("L", hl, "已纳入", D(2026, 8, 30), D(2026, 9, 14), "边缘易致贫户")
        cl.steps = ident_steps(D(2026, 9, 14))
        cl.measures = [Measure(household_id=hl.id, category="产业帮扶", content="养鸡")]
        cl.visits = [Visit(household_id=hl.id, visited_on=D(2026, 11, 14))]
    return ids_out


EXPECTED = {
    ("A", DUE_CLUE),
    ("C", DUE_PUBLICITY),
    ("D", DUE_MEASURES),
    ("E", DUE_VISIT),
    ("E", DUE_ELIMINATION),
    ("F", DUE_REVIEW),
    ("H", DUE_PUBLICITY),
    ("K", DUE_ELIMINATION),
}


def named(town: dict[str, int], items) -> set[tuple[str, str]]:
    by_id = {v: k for k, v in town.items() if not k.startswith("hh:")}
    return {(by_id[i.case_id], i.kind) for i in items}


def test_the_todo_names_exactly_the_due_items(db):
    town = build_town(db)
    with db.reading() as s:
        items = todo.due_items(s, today=TODAY)
    assert named(town, items) == EXPECTED
    assert len(items) == len(EXPECTED)


def test_a_wider_window_adds_what_falls_due_the_week_after(db):
    town = build_town(db)
    with db.reading() as s:
        items = todo.due_items(s, today=TODAY, weeks=3)
    assert named(town, items) == EXPECTED | {("L", DUE_VISIT), ("L", DUE_REVIEW)}


def test_items_are_ordered_by_kind_village_and_date_and_carry_their_details(db):
    town = build_town(db)
    with db.reading() as s:
        items = todo.due_items(s, today=TODAY)
    kinds = [DUE_KINDS.index(i.kind) for i in items]
    assert kinds == sorted(kinds)
    publicity = [i for i in items if i.kind == DUE_PUBLICITY]
    # 西河村 (sort 0) before 东山村; both C and H are in 西河村: by due date (C ended 12-01, H ends 12-09)
    assert [i.case_id for i in publicity] == [town["C"], town["H"]]
    c, h = publicity
    assert c.overdue and c.due_on == D(2026, 12, 1) and "乡镇审核" in c.detail
    assert not h.overdue and h.due_on == D(2026, 12, 9) and "风险消除公示" in h.detail
    clue = next(i for i in items if i.kind == DUE_CLUE)
    assert clue.head_name == "张三" and clue.village == "西河村" and clue.due_on == D(2026, 11, 16)
    assert (
        clue.overdue and clue.detail == "线索发现于2026-11-01，应于2026-11-16前完成识别，下一环节：农户申请"
    )
    visit = next(i for i in items if i.kind == DUE_VISIT)
    assert visit.contact == "王干部" and visit.due_on == D(2026, 12, 5) and not visit.overdue
    review = next(i for i in items if i.kind == DUE_REVIEW)
    assert review.case_id == town["F"] and review.due_on == D(2026, 11, 15) and review.overdue
    eliminations = [i for i in items if i.kind == DUE_ELIMINATION]
    assert [i.case_id for i in eliminations] == [town["K"], town["E"]]  # 西河村 first
    assert all(i.due_on is None and not i.overdue for i in eliminations)
    assert "8000.00元不低于监测范围7000.00元" in eliminations[1].detail


def test_counts_agree_with_the_list(db):
    build_town(db)
    with db.reading() as s:
        counts = todo.due_counts(s, today=TODAY)
        items = todo.due_items(s, today=TODAY)
    assert counts == {
        DUE_CLUE: 1,
        DUE_PUBLICITY: 2,
        DUE_MEASURES: 1,
        DUE_VISIT: 1,
        DUE_REVIEW: 1,
        DUE_ELIMINATION: 2,
        "合计": 8,
    }
    assert counts["合计"] == len(items)


def test_an_empty_town_has_nothing_due(db):
    with db.reading() as s:
        assert todo.due_items(s, today=TODAY) == []
        assert todo.due_counts(s, today=TODAY)["合计"] == 0


def test_the_identification_deadline_follows_the_settings(db):
    from fanpin_desktop.services import settings as settings_service

    town = build_town(db)
    with db.unit() as s:
        settings_service.update(s, clue_to_identification_days=5)
    with db.reading() as s:
        items = todo.due_items(s, today=TODAY)
    # B (clue 2026-11-25 + 5 = 11-30) and C (11-20 + 5) are now past their deadline too
    assert {(k, kind) for k, kind in named(town, items) if kind == DUE_CLUE} == {
        ("A", DUE_CLUE),
        ("B", DUE_CLUE),
        ("C", DUE_CLUE),
    }
