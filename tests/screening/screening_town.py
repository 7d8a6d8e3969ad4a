"""A small hand-counted township for the screening tests (see ``town`` for the expected figures).

Campaign: 2022, 2022-05-10 … 2022-05-31, income period 2021-05-01 … 2022-04-30, threshold 7000
(六安市). Report day for the hand counts: Friday 2022-05-27.

甲村 (groups 一组, 二组):
  H1 脱贫户 3人 一组, screened 05-12; case 脱贫不稳定户 identified 05-20 (campaign), 已纳入, 2 measures
  H2 一般农户 2人 一组, screened 05-13; case 边缘易致贫户 identified 05-25 (no campaign, in dates), 1 measure
  H3 一般农户 4人 二组, not screened; case 突发严重困难户 identified 04-01 (before), 消除中, 1 measure
  H4 脱贫户 1人 二组, screened 05-20; no case; measures: 2 of 2022, 1 of 2021
  H5 一般农户 2人 二组, screened 05-26; case 已消除 on 2021-12-01; 1 measure of 2022
  H6 一般农户 3人 二组, not screened; case 已回退 on 05-18 (identified 2021), no measure
  inputs: grids 3, workers 3, training 5, scale risk 是（暴雨）, covid 4/2
乙村 (group 一组):
  H7 一般农户 5人, screened 05-15; old case 已消除 2021-06-01 + re-identified case 05-22 边缘易致贫户
     (previous_case_id), 已纳入, 1 measure
  H8 一般农户 2人, screened 05-30 (after the report day); case 突发严重困难户 identified 05-28 (campaign)
  H9 一般农户 3人; case 不纳入
  H10 一般农户 1人; case 已消除 on 05-21, 1 measure of 2022 on that case
  grids table: 2 grids, 1 with a worker, 1 trained; no inputs
Problems of the campaign: township 资金项目 整改中; 甲村 政策落实 整改中; H1 “三保障”和饮水安全 已整改;
  乙村 乡村治理 立行立改; 乙村 乡村建设 整改中; 乙村 其他 整改中.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from fanpin_desktop.db import Database
from fanpin_desktop.domain import ids
from fanpin_desktop.models import (
    Campaign,
    CaseRisk,
    Grid,
    Household,
    HouseholdScreening,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Problem,
    Threshold,
    Village,
    VillageGroup,
    VillageStatsInput,
)
from fanpin_desktop.services import settings as settings_service

D = dt.date
REPORT_DAY = D(2022, 5, 27)
_seq = [0]


@dataclass
class Town:
    campaign_id: int
    village_a: int
    village_b: int
    groups: dict[str, int]
    h: dict[int, int]  # H1..H10 -> household id
    heads: dict[int, str] = field(default_factory=dict)


def person(name: str, relation: str, birth: dt.date, sex: str = "男", **kw) -> Member:
    _seq[0] += 1
    number = ids.make_id("341522", birth, 2 * (_seq[0] % 450) + 10, female=sex == "女")
    defaults = dict(ins_resident_medical=True, labour_skill="普通劳动力", health="健康", education="初中")
    defaults.update(kw)
    return Member(name=name, relation=relation, sex=sex, birth_date=birth, id_number=number, **defaults)


def family(head: str, n: int, *, head_birth: dt.date = D(1970, 3, 1), **head_kw) -> list[Member]:
    members = [person(head, "户主", head_birth, **head_kw)]
    relations = ["配偶", "之子", "之女", "之子", "之女"]
    for i in range(1, n):
        sex = "女" if relations[i - 1] in ("配偶", "之女") else "男"
        birth = D(1972, 5, 1) if i == 1 else D(1995 + i, 6, 1)
        members.append(person(f"{head}家{i}", relations[i - 1], birth, sex=sex))
    for i, m in enumerate(members):
        m.sort_order = i
    return members


def _case(hid: int, status: str, **kw) -> MonitoringCase:
    kw.setdefault("source", "干部走访")
    kw.setdefault("clue_date", D(2021, 3, 1))
    return MonitoringCase(household_id=hid, status=status, **kw)


def build_town(db: Database) -> Town:
    with db.unit() as s:
        settings_service.update(s, township="马店镇", county="霍邱县", threshold_region="六安市")
        t = Threshold(year=2022, region="六安市", amount=Decimal(7000), document_no="六乡振〔2022〕15号")
        s.add(t)
        a = Village(name="甲村", sort_order=1)
        b = Village(name="乙村", sort_order=2)
        s.add_all([a, b])
        s.flush()
        a1, a2 = (
            VillageGroup(village_id=a.id, name="一组", sort_order=1),
            VillageGroup(village_id=a.id, name="二组", sort_order=2),
        )
        b1 = VillageGroup(village_id=b.id, name="一组", sort_order=1)
        s.add_all([a1, a2, b1])
        s.flush()
        c = Campaign(
            year=2022,
            name="2022年防止返贫监测帮扶集中排查",
            start_date=D(2022, 5, 10),
            end_date=D(2022, 5, 31),
            income_period_start=D(2021, 5, 1),
            income_period_end=D(2022, 4, 30),
            threshold=t,
            is_current=True,
        )
        s.add(c)
        s.flush()

        spec = {  # n: (village, group, type, head, size, code)
            1: (a, a1, "脱贫户", "张大山", 3, "A001"),
            2: (a, a1, "一般农户", "李二", 2, "A002"),
            3: (a, a2, "一般农户", "王三", 4, "A003"),
            4: (a, a2, "脱贫户", "赵四", 1, "A004"),
            5: (a, a2, "一般农户", "钱五", 2, "A005"),
            6: (a, a2, "一般农户", "孙六", 3, "A006"),
            7: (b, b1, "一般农户", "周七", 5, "B001"),
            8: (b, b1, "一般农户", "吴八", 2, "B002"),
            9: (b, b1, "一般农户", "郑九", 3, "B003"),
            10: (b, b1, "一般农户", "冯十", 1, "B004"),
        }
        h: dict[int, int] = {}
        heads: dict[int, str] = {}
        for n, (v, g, htype, head, size, code) in spec.items():
            hh = Household(
                village_id=v.id,
                group_id=g.id,
                household_type=htype,
                code=code,
                poverty_exit_year=2020 if htype == "脱贫户" else None,
                phone="13800000000",
            )
            hh.members = family(head, size)
            s.add(hh)
            s.flush()
            h[n], heads[n] = hh.id, head

        # H4: single elderly 脱贫户 with no labour and a severe disability; income below threshold
        h4 = s.get(Household, h[4])
        m = h4.members[0]
        m.birth_date = D(1950, 1, 1)
        m.id_number = ids.make_id("341522", D(1950, 1, 1), 77, female=False)
        m.labour_skill, m.health, m.disability_category, m.disability_grade = (
            "无劳动力",
            "残疾",
            "肢体残疾",
            "二级",
        )
        m.dibao = True
        s.add(
            IncomeRecord(
                household_id=h[4],
                year=2021,
                period_start=D(2021, 5, 1),
                period_end=D(2022, 4, 30),
                wage=Decimal(0),
                transfer=Decimal(6000),
            )
        )
        # H2: income above threshold
        s.add(
            IncomeRecord(
                household_id=h[2],
                year=2021,
                period_start=D(2021, 5, 1),
                period_end=D(2022, 4, 30),
                wage=Decimal(30000),
                business=Decimal(2000),
            )
        )

        cases = {
            1: _case(
                h[1],
                "已纳入",
                category="脱贫不稳定户",
                identified_on=D(2022, 5, 20),
                campaign_id=c.id,
                clue_date=D(2022, 5, 12),
            ),
            2: _case(
                h[2],
                "已纳入",
                category="边缘易致贫户",
                identified_on=D(2022, 5, 25),
                clue_date=D(2022, 5, 13),
            ),
            3: _case(h[3], "消除中", category="突发严重困难户", identified_on=D(2022, 4, 1)),
            5: _case(
                h[5],
                "已消除",
                category="边缘易致贫户",
                identified_on=D(2021, 4, 1),
                eliminated_on=D(2021, 12, 1),
                elimination_mode="帮扶消除",
            ),
            6: _case(
                h[6],
                "已回退",
                category="边缘易致贫户",
                identified_on=D(2021, 4, 1),
                rolled_back_on=D(2022, 5, 18),
            ),
            70: _case(
                h[7],
                "已消除",
                category="边缘易致贫户",
                identified_on=D(2020, 9, 1),
                eliminated_on=D(2021, 6, 1),
            ),
            8: _case(
                h[8],
                "已纳入",
                category="突发严重困难户",
                identified_on=D(2022, 5, 28),
                campaign_id=c.id,
                clue_date=D(2022, 5, 26),
            ),
            9: _case(h[9], "不纳入", not_included_reason="收入高"),
            10: _case(
                h[10],
                "已消除",
                category="突发严重困难户",
                identified_on=D(2021, 10, 1),
                eliminated_on=D(2022, 5, 21),
            ),
        }
        s.add_all(cases.values())
        s.flush()
        c7 = _case(
            h[7],
            "已纳入",
            category="边缘易致贫户",
            identified_on=D(2022, 5, 22),
            previous_case_id=cases[70].id,
            clue_date=D(2022, 5, 15),
        )
        s.add(c7)
        s.flush()
        s.add(CaseRisk(case_id=cases[3].id, position=1, risk_type="住房出现安全问题"))
        s.add(CaseRisk(case_id=cases[3].id, position=2, risk_type="因病"))

        def measure(n: int, case: MonitoringCase | None, year: int, cat: str = "产业帮扶") -> Measure:
            return Measure(
                household_id=h[n], case_id=case.id if case else None, category=cat, content="帮扶", year=year
            )

        s.add_all(
            [
                measure(1, cases[1], 2022),
                measure(1, cases[1], 2022, "就业帮扶"),
                measure(2, cases[2], 2022),
                measure(3, cases[3], 2022),
                measure(4, None, 2022),
                measure(4, None, 2022, "健康帮扶"),
                measure(4, None, 2021),
                measure(5, None, 2022),
                measure(7, c7, 2022),
                measure(10, cases[10], 2022),
            ]
        )

        for n, day in (
            (1, D(2022, 5, 12)),
            (2, D(2022, 5, 13)),
            (4, D(2022, 5, 20)),
            (5, D(2022, 5, 26)),
            (7, D(2022, 5, 15)),
            (8, D(2022, 5, 30)),
        ):
            hh = s.get(Household, h[n])
            s.add(
                HouseholdScreening(
                    campaign_id=c.id,
                    household_id=h[n],
                    method="入户排查",
                    screened_on=day,
                    household_size=len(hh.members),
                    household_type=hh.household_type,
                )
            )

        s.add(
            VillageStatsInput(
                campaign_id=c.id,
                village_id=a.id,
                grid_count=3,
                grid_worker_count=3,
                grid_training_count=5,
                scale_risk=True,
                scale_risk_note="暴雨",
                covid_blocked_total=4,
                covid_blocked_solved=2,
            )
        )
        s.add_all(
            [
                Grid(village_id=b.id, name="一网格", worker_name="网格员甲", trained=True),
                Grid(village_id=b.id, name="二网格"),
            ]
        )

        def problem(level: str, ptype: str, status: str = "整改中", **kw) -> Problem:
            kw.setdefault("description", f"{ptype}问题")
            return Problem(
                campaign_id=c.id,
                level=level,
                problem_type=ptype,
                status=status,
                found_on=D(2022, 5, 15),
                deadline=D(2022, 6, 30),
                **kw,
            )

        s.add_all(
            [
                problem("乡镇", "资金项目"),
                problem("村", "政策落实", village_id=a.id),
                problem(
                    "户",
                    "“三保障”和饮水安全",
                    "已整改",
                    village_id=a.id,
                    household_id=h[1],
                    rectified_on=D(2022, 5, 20),
                ),
                problem(
                    "村", "乡村治理", "已整改", village_id=b.id, on_the_spot=True, rectified_on=D(2022, 5, 15)
                ),
                problem("村", "乡村建设", village_id=b.id),
                problem("村", "其他", village_id=b.id),
            ]
        )
        return Town(c.id, a.id, b.id, {"甲一": a1.id, "甲二": a2.id, "乙一": b1.id}, h, heads)
