"""Writing the demo township: ``build_demo`` and the phases that fill an empty database.

Rows are written with SQLAlchemy Core ``insert`` executemany in a single transaction (20,000
households in seconds); the per-row audit trail is bypassed on purpose and one summary AuditEntry
("生成演示数据") records the whole operation.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from fanpin_desktop.db import Database
from fanpin_desktop.demo.data import (
    CITY,
    COUNTY,
    COUNTY_CODE,
    DEMO_MARK,
    NATURAL_SUFFIXES,
    PROVINCE,
    RARE_CHARS,
    THRESHOLD_REGION,
    THRESHOLDS,
    TOWNSHIP,
    TOWNSHIP_NO,
    VILLAGE_NAMES,
)
from fanpin_desktop.demo.people import (
    _add_months,
    _first,
    _Gen,
    _Household,
    _Person,
    _weighted,
)
from fanpin_desktop.domain import deadlines, facts
from fanpin_desktop.domain.names import initials
from fanpin_desktop.domain.workdays import WorkdayCalendar
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import (
    AuditEntry,
    Campaign,
    CaseRisk,
    CaseStep,
    Contact,
    DepartmentWarning,
    Grid,
    Household,
    HouseholdScreening,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    NaturalVillage,
    Problem,
    Threshold,
    Village,
    VillageGroup,
    Visit,
)
from fanpin_desktop.models.screening import campaign_villages
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.regions import chinese_number, default_group_name

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
CHUNK = 500  # households per executemany batch


class DemoError(UserError):
    """The demo cannot be built here (e.g. the database already holds households)."""


@dataclass
class DemoSummary:
    villages: int = 0
    groups: int = 0
    natural_villages: int = 0
    grids: int = 0
    households: int = 0
    people: int = 0
    poverty_households: int = 0  # 脱贫户
    poverty_people: int = 0
    monitored_households: int = 0  # household_type 监测户
    monitored_people: int = 0
    cases: int = 0
    cases_by_status: dict[str, int] = field(default_factory=dict)
    income_records: int = 0
    problems: int = 0
    warnings: int = 0
    screenings: int = 0  # 附件1 records
    elapsed: float = field(default=0.0, compare=False)

    def describe(self) -> str:
        statuses = "、".join(f"{k}{v}" for k, v in self.cases_by_status.items())
        return (
            f"{self.villages}个行政村、{self.groups}个村民小组、{self.natural_villages}个自然村；"
            f"{self.households}户{self.people}人，其中脱贫户{self.poverty_households}户{self.poverty_people}人，"
            f"监测户{self.monitored_households}户{self.monitored_people}人；监测对象记录{self.cases}条（{statuses}）"
        )


# --------------------------------------------------------------------------- the build


def build_demo(
    db: Database,
    households: int = 2500,
    seed: int = 2022,
    progress: Progress | None = None,
    today: dt.date | None = None,
    screenings: bool = True,
) -> DemoSummary:
    """Fill an empty database with a demo township; returns what was created.

    Raises DemoError (Chinese message) if the database already holds households or villages.
    ``today`` is the reference day for ages and case timelines (default: the real today).
    ``screenings``: 附件1 records for the campaigns (False: nobody screened yet, for tests of entry).
    """
    if households < 1:
        raise DemoError("演示数据的户数至少为1户")
    started = time.perf_counter()
    today = today or dt.date.today()
    with db.unit() as session:
        existing = session.scalar(select(func.count()).select_from(Household)) or 0
        if existing:
            raise DemoError(f"数据库中已有{existing}户数据，不能生成演示数据；请新建一个空的数据文件后再生成")
        if session.scalar(select(func.count()).select_from(Village)):
            raise DemoError("数据库中已有行政村设置，不能生成演示数据；请新建一个空的数据文件后再生成")
        builder = _Builder(session, households, seed, today, progress)
        builder.with_screenings = screenings
        summary = builder.run()
        summary.elapsed = time.perf_counter() - started
        session.connection().execute(
            insert(AuditEntry.__table__),
            [
                {
                    "at": dt.datetime.now().replace(microsecond=0),
                    "user": session.info.get("user", "系统"),
                    "action": "insert",
                    "table_name": "households",
                    "record_id": None,
                    "household_id": None,
                    "field": None,
                    "old_value": None,
                    "new_value": json.dumps(
                        {
                            "seed": seed,
                            "households": summary.households,
                            "people": summary.people,
                            "cases": summary.cases_by_status,
                        },
                        ensure_ascii=False,
                    ),
                    "summary": f"{DEMO_MARK}：{summary.households}户{summary.people}人（种子{seed}）",
                }
            ],
        )
    log.info(
        "demo township built: %s households, %s people in %.1f s",
        summary.households,
        summary.people,
        summary.elapsed,
    )
    return summary


class _Builder:
    def __init__(
        self, session: Session, n: int, seed: int, today: dt.date, progress: Progress | None
    ) -> None:
        self.session = session
        self.conn: Connection = session.connection()
        self.n = n
        self.today = today
        self.g = _Gen(seed, today)
        self.rng = self.g.rng
        self.progress = progress
        self.total_steps = 2 * n + 1
        self.summary = DemoSummary()
        self.next_id: dict[str, int] = {}
        self.villages: list[dict[str, Any]] = []
        self.groups: dict[int, list[dict[str, Any]]] = {}  # village idx -> groups
        self.households: list[_Household] = []
        self.campaigns: list[dict[str, Any]] = []
        self.thresholds: dict[int, Decimal] = {}
        # 公示 ends by the app's rule (deadlines.publicity_end) on chinese_calendar's working days;
        # a year the package does not know counts Monday to Friday here (the demo never refuses)
        self.calendar = WorkdayCalendar.of(years=range(1990, today.year + 11))
        self.rules = deadlines.DeadlineRules()
        self.rosters: dict[int, list[str]] = {}  # village idx -> 村两委成员 and 村民代表
        self.with_screenings = True

    # ---------------------------------------------------------------- plumbing

    def _ids(self, table: Table, count: int) -> int:
        """First of ``count`` fresh primary keys for ``table`` (explicit keys let rows refer to each other)."""
        name = table.name
        if name not in self.next_id:
            self.next_id[name] = (self.conn.execute(select(func.max(table.c.id))).scalar() or 0) + 1
        first = self.next_id[name]
        self.next_id[name] += count
        return first

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(insert(table), rows)

    def _tick(self, done: int) -> None:
        if self.progress is not None:
            self.progress(min(done, self.total_steps), self.total_steps)

    # ---------------------------------------------------------------- phases

    def run(self) -> DemoSummary:
        self._settings()
        self.rules = settings_service.deadline_rules(self.session)
        self._structure()
        self._thresholds_and_campaigns()
        self._households()
        plan = self._plan_cases()
        self._incomes(plan)
        self._cases(plan)
        self._problems()
        if self.with_screenings:
            self._screenings()
        self._warnings()
        self._tick(self.total_steps)
        s = self.summary
        s.cases_by_status = dict(
            sorted(s.cases_by_status.items(), key=lambda kv: _STATUS_ORDER.get(kv[0], 99))
        )
        s.cases = sum(s.cases_by_status.values())
        return s

    def _settings(self) -> None:
        current = settings_service.load(self.session)
        extra = dict(current.extra)
        extra.update({"demo": True, "county_code": COUNTY_CODE})
        settings_service.update(
            self.session,
            province=PROVINCE,
            city=CITY,
            county=COUNTY,
            township=TOWNSHIP,
            township_phone="0564-6012317",
            county_phone="0564-6022317",
            threshold_region=THRESHOLD_REGION,
            extra=extra,
        )
        self.session.flush()

    def _structure(self) -> None:
        r = self.rng
        n_villages = min(len(VILLAGE_NAMES), 40, max(4, round(self.n / 210)))
        names = list(VILLAGE_NAMES[:n_villages])
        v_first = self._ids(Village.__table__, n_villages)
        village_rows, group_rows, natural_rows, grid_rows = [], [], [], []
        self.natural_of_group: dict[int, tuple[int, str, str]] = {}  # group id -> (natural id, name, surname)
        for i, name in enumerate(names):
            vid = v_first + i
            row = {
                "id": vid,
                "name": name,
                "code": f"{COUNTY_CODE}{100 + TOWNSHIP_NO:03d}{i + 1:03d}",
                "sort_order": i + 1,
                "is_poverty_village": r.random() < 0.6,
                "committee_phone": f"0564-6{r.randint(100000, 999999)}",
            }
            village_rows.append(row)
            self.villages.append(row)
            n_groups = r.randint(5, 15)
            g_first = self._ids(VillageGroup.__table__, n_groups)
            groups = [
                {"id": g_first + k, "village_id": vid, "name": default_group_name(k + 1), "sort_order": k + 1}
                for k in range(n_groups)
            ]
            group_rows += groups
            self.groups[i] = groups
            n_natural = r.randint(2, 5)
            nv_first = self._ids(NaturalVillage.__table__, n_natural)
            used: list[str] = []
            naturals = []
            for k in range(n_natural):
                while True:
                    surname = self.g.surname()
                    nv_name = surname + r.choice(NATURAL_SUFFIXES)
                    if nv_name not in used:
                        break
                used.append(nv_name)
                naturals.append((nv_first + k, nv_name, surname))
                natural_rows.append(
                    {"id": nv_first + k, "village_id": vid, "name": nv_name, "sort_order": k + 1}
                )
            # consecutive groups belong to the same natural village
            for k, grp in enumerate(groups):
                self.natural_of_group[grp["id"]] = naturals[k * n_natural // n_groups]
            n_grids = max(1, (n_groups + 1) // 2)
            grid_first = self._ids(Grid.__table__, n_grids)
            for k in range(n_grids):
                grid_rows.append(
                    {
                        "id": grid_first + k,
                        "village_id": vid,
                        "name": f"第{chinese_number(k + 1)}网格",
                        "worker_name": self.g.cadre_name(),
                        "worker_phone": self.g.phone(),
                        "trained": r.random() < 0.85,
                    }
                )
        self._insert(Village.__table__, village_rows)
        self._insert(VillageGroup.__table__, group_rows)
        self._insert(NaturalVillage.__table__, natural_rows)
        self._insert(Grid.__table__, grid_rows)
        s = self.summary
        s.villages, s.groups, s.natural_villages, s.grids = (
            len(village_rows),
            len(group_rows),
            len(natural_rows),
            len(grid_rows),
        )

    def _thresholds_and_campaigns(self) -> None:
        t = self.today
        latest = t.year if t >= dt.date(t.year, 5, 15) else t.year - 1
        latest = max(latest, 2022)
        rows = list(THRESHOLDS)
        known = {y for y, *_ in rows}
        last_amount = rows[-1][2]
        for year in range(max(known) + 1, latest + 1):
            last_amount += 500
            rows.append((year, CITY, last_amount, f"六农〔{year}〕10号", dt.date(year, 4, 1)))
        first = self._ids(Threshold.__table__, len(rows))
        threshold_rows = []
        threshold_ids: dict[int, int] = {}
        for k, (year, region, amount, doc, eff) in enumerate(rows):
            threshold_rows.append(
                {
                    "id": first + k,
                    "year": year,
                    "region": region,
                    "amount": amount,
                    "document_no": doc,
                    "effective_date": eff,
                    "note": "演示数据：监测范围及文号为示例",
                }
            )
            threshold_ids[year] = first + k
            self.thresholds[year] = amount
        self._insert(Threshold.__table__, threshold_rows)

        years = [2022] if latest == 2022 else [2022, latest]
        c_first = self._ids(Campaign.__table__, len(years))
        for k, year in enumerate(years):
            self.campaigns.append(
                {
                    "id": c_first + k,
                    "year": year,
                    "name": f"{year}年防止返贫监测帮扶集中排查",
                    "start_date": dt.date(year, 5, 15),
                    "end_date": dt.date(year, 6, 30),
                    "income_period_start": dt.date(year - 1, 5, 1),
                    "income_period_end": dt.date(year, 4, 30),
                    "threshold_id": threshold_ids[year],
                    "is_current": year == latest,
                    "note": "演示数据",
                }
            )
        self._insert(Campaign.__table__, self.campaigns)
        self._insert(
            campaign_villages,
            [{"campaign_id": c["id"], "village_id": v["id"]} for c in self.campaigns for v in self.villages],
        )

    # ---------------------------------------------------------------- households and members

    def _allocation(self) -> list[tuple[int, dict[str, Any]]]:
        """(village index, group row) for each household, in roster order."""
        slots = [(vi, g) for vi in range(len(self.villages)) for g in self.groups[vi]]
        weights = [self.rng.uniform(0.6, 1.4) for _ in slots]
        total = sum(weights)
        counts = [int(self.n * w / total) for w in weights]
        rest = self.n - sum(counts)
        order = sorted(range(len(slots)), key=lambda k: -(self.n * weights[k] / total - counts[k]))
        for k in order[:rest]:
            counts[k] += 1
        out: list[tuple[int, dict[str, Any]]] = []
        for slot, c in zip(slots, counts, strict=True):
            out += [slot] * c
        return out

    def _households(self) -> None:
        r = self.rng
        allocation = self._allocation()
        rare_at = set(r.sample(range(self.n), min(self.n, max(3, self.n // 800))))
        rare_count = 0
        h_table, m_table = Household.__table__, Member.__table__
        h_rows: list[dict[str, Any]] = []
        m_rows: list[dict[str, Any]] = []
        code_seq: Counter[int] = Counter()
        house_no: Counter[int] = Counter()
        sizes = [(1, 20), (2, 30), (3, 19), (4, 16), (5, 10), (6, 4), (7, 1)]
        today = self.today
        for idx, (vi, grp) in enumerate(allocation):
            village = self.villages[vi]
            hid = self._ids(h_table, 1)
            size = _weighted(r, sizes)
            poor = r.random() < 0.35
            specs = self.g.family(size)
            nv_id, nv_name, nv_surname = self.natural_of_group[grp["id"]]
            family_surname = nv_surname if r.random() < 0.45 else self.g.surname()
            head_sex = specs[0][1]
            spouse_surname = self.g.surname()
            head_surname = family_surname if head_sex == "男" else self.g.surname()
            # children carry the father's surname: the head's if male, else the husband's
            line_surname = (
                head_surname
                if head_sex == "男"
                else (spouse_surname if any(rel == "配偶" for rel, *_ in specs) else family_surname)
            )
            people: list[_Person] = []
            taken: list[str] = []
            m_first = self._ids(m_table, size)
            for k, (relation, sex, age) in enumerate(specs):
                female = sex == "女"
                if relation == "户主":
                    surname = head_surname
                elif relation == "配偶":
                    surname = spouse_surname if head_sex == "男" else line_surname
                elif relation in ("之子", "之女", "之孙子", "之孙女"):
                    surname = line_surname
                elif relation == "之父":
                    surname = head_surname
                else:  # 之母, 之儿媳: married in
                    surname = self.g.surname()
                p = _Person()
                p.id = m_first + k
                p.household_id = hid
                p.sort_order = k + 1
                p.relation = relation
                p.sex = sex
                p.age = age
                p.birth_date = self.g.birth(age)
                while True:
                    name = surname + self.g.given_name(p.birth_date.year, female)
                    if name not in taken:
                        break
                taken.append(name)
                p.name = name
                p.id_type = "居民身份证"
                p.id_number = self.g.id_number(p.birth_date, female, relation in ("配偶", "之儿媳", "之母"))
                p.ethnicity = "汉族" if r.random() < 0.995 else "回族"
                if age >= 25 and r.random() < 0.05:
                    p.political_status = "中共党员"
                elif 14 <= age <= 28 and r.random() < 0.4:
                    p.political_status = "共青团员"
                else:
                    p.political_status = "群众"
                self.g.schooling_or_education(p, age)
                self.g.health(p, age, poor)
                p.labour_skill = self.g.labour(p, age)
                self.g.work(p, age)
                if (
                    poor
                    and 35 <= age <= 68
                    and not p.work_status
                    and not p.schooling
                    and p.labour_skill in ("普通劳动力", "弱劳动力或半劳动力")
                    and r.random() < 0.12
                ):
                    p.public_post_type = _weighted(
                        r, [("保洁员", 40), ("护林员", 25), ("护路员", 20), ("水管员", 5), ("其他公益岗", 10)]
                    )
                    p.public_post_months = r.choice((6, 9, 12, 12, 12))
                self.g.insurance(p, age, poor)
                if k == 0 or (16 <= age <= 75 and not p.schooling and r.random() < 0.55):
                    p.phone = self.g.phone() if (k > 0 or age < 85 or r.random() < 0.5) else None
                p.dibao = False
                p.tekun = False
                p.code = None
                people.append(p)
            if idx in rare_at:
                target = people[r.randrange(size)]
                char = RARE_CHARS[rare_count % len(RARE_CHARS)]
                rare_count += 1
                surname = target.name[0]
                given = (
                    char
                    if r.random() < 0.5
                    else char + self.g.given_name(target.birth_date.year, target.sex == "女")[-1]
                )
                target.name = surname + given

            hf = facts.household_facts(people, today)
            tekun = False
            if (
                size == 1
                and hf.no_labour_household
                and (hf.elderly_count or hf.has_severe_disability)
                and r.random() < (0.5 if poor else 0.2)
            ):
                people[0].tekun = True
                people[0].medical_assistance = True
                tekun = True
            needy = hf.no_labour_household or hf.has_severe_disability or hf.has_serious_illness
            dibao_p = (0.55 if needy else 0.08) if poor else (0.12 if needy else 0.005)
            if not tekun and r.random() < dibao_p:
                whole = r.random() < 0.7
                for p, mf in zip(people, hf.members, strict=True):
                    if whole or mf.is_severely_disabled or mf.has_serious_illness or not mf.can_work:
                        p.dibao = True
                        p.medical_assistance = True
            household_type = "脱贫户" if poor else "一般农户"
            code = None
            if poor or r.random() < 0.3:
                code_seq[vi] += 1
                code = f"{COUNTY_CODE}{TOWNSHIP_NO:02d}{vi + 1:02d}{code_seq[vi]:06d}"
                for k, p in enumerate(people):
                    p.code = f"{code}{k + 1:02d}"
            phone = people[0].phone or next((p.phone for p in people if p.phone), None)
            if phone is None:
                phone = self.g.phone() if r.random() < 0.7 else None
            house_no[nv_id] += 1
            relocated = poor and r.random() < 0.04
            h_rows.append(
                {
                    "id": hid,
                    "code": code,
                    "village_id": village["id"],
                    "group_id": grp["id"],
                    "natural_village_id": nv_id,
                    "address": f"{village['name']}{grp['name']}{nv_name}{house_no[nv_id]}号",
                    "phone": phone,
                    "household_type": household_type,
                    "poverty_exit_year": _weighted(
                        r, [(2014, 5), (2015, 10), (2016, 20), (2017, 20), (2018, 20), (2019, 15), (2020, 10)]
                    )
                    if poor
                    else None,
                    "relocated": relocated,
                    "relocation_site": (
                        f"{TOWNSHIP}{r.choice(('幸福家园', '集中安置点', '新居小区'))}" if relocated else None
                    ),
                    "military_family": r.random() < 0.01,
                    "urban_registered": r.random() < 0.005,
                    "bank_account_note": None,
                    "note": None,
                }
            )
            for p in people:
                row = p.row()
                row["name_initials"] = initials(p.name)
                m_rows.append(row)
            pairs = list(zip(people, hf.members, strict=True))
            self.households.append(
                _Household(
                    id=hid,
                    village_idx=vi,
                    village_id=village["id"],
                    group_id=grp["id"],
                    household_type=household_type,
                    poor=poor,
                    code=code,
                    size=size,
                    labour=hf.labour_count,
                    migrants=hf.migrant_workers,
                    elderly=hf.elderly_count,
                    disabled=hf.has_disabled,
                    severe=hf.has_severe_disability,
                    serious_ill=hf.has_serious_illness,
                    chronic=hf.has_chronic_illness,
                    noncompulsory=hf.noncompulsory_students,
                    no_labour=hf.no_labour_household,
                    dibao_people=sum(p.dibao for p in people),
                    tekun=tekun,
                    post_months=sum(p.public_post_months or 0 for p in people),
                    member_ids=[p.id for p in people],
                    member_codes_needed=code is None,
                    head_name=people[0].name,
                    head_id=people[0].id_number,
                    ill_member=_first(pairs, lambda mf: mf.has_serious_illness or mf.has_chronic_illness),
                    disabled_member=_first(pairs, lambda mf: mf.is_disabled),
                    student_member=_first(pairs, lambda mf: mf.is_noncompulsory_student),
                    worker_member=_first(pairs, lambda mf: mf.is_migrant_worker),
                    names=[(p.id, p.name, p.id_number) for p in people],
                )
            )
            s = self.summary
            s.households += 1
            s.people += size
            if poor:
                s.poverty_households += 1
                s.poverty_people += size
            if len(h_rows) >= CHUNK:
                self._insert(h_table, h_rows)
                self._insert(m_table, m_rows)
                h_rows, m_rows = [], []
                self._tick(idx + 1)
        self._insert(h_table, h_rows)
        self._insert(m_table, m_rows)
        self._tick(self.n)

    # ---------------------------------------------------------------- monitoring plan

    def _plan_cases(self) -> list[dict[str, Any]]:
        """Choose case households and states; households that enter monitoring become 监测户."""
        r = self.rng
        n_cases = max(24, round(self.n * 0.015))
        quota = [
            ("线索", 0.08),
            ("识别中", 0.08),
            ("不纳入", 0.04),
            ("已纳入", 0.25),
            ("消除中", 0.04),
            ("已回退", 0.04),
            ("重新识别", 0.04),
        ]
        counts = {k: max(1, round(n_cases * f)) for k, f in quota}
        counts["已消除"] = max(2, n_cases - sum(counts.values()))

        def weight(h: _Household) -> float:
            return (
                0.3
                + 3 * h.serious_ill
                + 1.5 * h.chronic
                + 2 * h.disabled
                + 2 * h.no_labour
                + 1.5 * (h.noncompulsory > 0)
                + 0.5 * (h.migrants > 0)
                + 0.5 * h.poor
            )

        taken: set[int] = set()
        pools: dict[str, tuple[list[_Household], list[float]]] = {}
        for key, pred in (
            ("labour", lambda h: h.labour > 0),
            ("weak", lambda h: h.no_labour or h.labour == 1),
            ("any", lambda h: True),
        ):
            members = [h for h in self.households if pred(h)] or list(self.households)
            cum, total = [], 0.0
            for h in members:
                total += weight(h)
                cum.append(total)
            pools[key] = (members, cum)

        def pick(key: str) -> _Household:
            members, cum = pools[key]
            if len(taken) >= len(self.households):
                raise DemoError("户数太少，无法生成监测对象演示数据")
            for _ in range(200):
                h = r.choices(members, cum_weights=cum)[0]
                if h.id not in taken:
                    break
            else:
                h = next(h for h in self.households if h.id not in taken)
            taken.add(h.id)
            return h

        plan: list[dict[str, Any]] = []
        limit = self.n // 3  # tiny demos: keep most households out of monitoring
        for status in ("已回退", "重新识别", "已消除", "消除中", "已纳入", "识别中", "线索", "不纳入"):
            for _ in range(counts[status]):
                if len(plan) >= limit:
                    break
                if status in ("已消除", "消除中", "重新识别"):
                    h = pick("labour")  # 整户无劳动能力 households are not eliminated
                elif status == "已回退":
                    h = pick("weak")
                else:
                    h = pick("any")
                plan.append({"status": status, "household": h, "scenario": None})
        # the situations every list and the 待办 page should show on first start, always present
        for status, scenario in _SCENARIOS:
            if len(plan) >= limit:
                break
            h = pick("labour" if scenario == "eligible" else "any")
            plan.append({"status": status, "household": h, "scenario": scenario})
        # households that entered monitoring become 监测户 and get a national 户编号
        changed = []
        for item in plan:
            h = item["household"]
            if item["status"] in ("线索", "识别中", "不纳入"):
                continue
            h.household_type = "监测户"
            if h.code is None:
                vi = h.village_idx
                h.code = f"{COUNTY_CODE}{TOWNSHIP_NO:02d}{vi + 1:02d}{900000 + len(changed) + 1:06d}"
            changed.append(h)
        if changed:
            t = Household.__table__
            self.conn.execute(
                update(t)
                .where(t.c.id == bindparam("hid"))
                .values(household_type=bindparam("htype"), code=bindparam("hcode")),
                [{"hid": h.id, "htype": h.household_type, "hcode": h.code} for h in changed],
            )
            m = Member.__table__
            member_updates = [
                {"mid": mid, "mcode": f"{h.code}{k + 1:02d}"}
                for h in changed
                if h.member_codes_needed
                for k, mid in enumerate(h.member_ids)
            ]
            if member_updates:
                self.conn.execute(
                    update(m).where(m.c.id == bindparam("mid")).values(code=bindparam("mcode")),
                    member_updates,
                )
            for h in changed:
                if h.poor:
                    self.summary.poverty_households -= 1
                    self.summary.poverty_people -= h.size
                self.summary.monitored_households += 1
                self.summary.monitored_people += h.size
        return plan

    # ---------------------------------------------------------------- incomes

    def _income_row(self, h: _Household, year: int, factor: float, rid: int) -> dict[str, Any]:
        r = self.rng
        threshold = float(self.thresholds.get(year, self.thresholds[max(self.thresholds)]))
        net = round(threshold * factor * h.size)
        transfer = (
            h.elderly * r.randint(1300, 2200)
            + h.dibao_people * r.randint(3000, 4500)
            + (r.randint(8000, 10000) if h.tekun else 0)
            + (r.randint(300, 800) if h.poor else 0)
        )
        transfer = min(transfer, int(net * 0.95))
        rest = net - transfer
        prop = int(rest * r.uniform(0.0, 0.05))
        business_share = r.uniform(0.1, 0.35) if h.migrants else r.uniform(0.4, 0.85)
        business_net = int((rest - prop) * business_share)
        wage = rest - prop - business_net
        business = round(business_net / 0.65) if business_net > 0 else 0
        cost = business - business_net
        rigid = r.randint(8000, 45000) if h.serious_ill and r.random() < 0.6 else 0
        claims = r.randint(2000, 15000) if rigid and r.random() < 0.5 else 0
        start = dt.date(year - 1, 5, 1)
        return {
            "id": rid,
            "household_id": h.id,
            "year": year,
            "period_start": start,
            "period_end": dt.date(year, 4, 30),
            "wage": Decimal(wage),
            "business": Decimal(business),
            "property_income": Decimal(prop),
            "transfer": Decimal(transfer),
            "business_cost": Decimal(cost),
            "claims_income": Decimal(claims),
            "rigid_spending": Decimal(rigid),
            "people_count": h.size,
            "note": None,
        }

    def _incomes(self, plan: list[dict[str, Any]]) -> None:
        r = self.rng
        status_of = {
            item["household"].id: "可申请消除" if item["scenario"] == "eligible" else item["status"]
            for item in plan
        }
        years = [c["year"] for c in self.campaigns]
        latest = years[-1]
        rows: list[dict[str, Any]] = []
        table = IncomeRecord.__table__
        for k, h in enumerate(self.households):
            base = min(6.0, max(0.75, r.lognormvariate(0.74, 0.42)))  # median ≈ 2.1 × threshold
            status = status_of.get(h.id)
            for year in years:
                f = base * (r.uniform(0.95, 1.25) if year != years[0] else 1.0)
                if status is not None and year == latest:
                    f = {
                        "线索": r.uniform(0.8, 1.05),
                        "识别中": r.uniform(0.75, 1.0),
                        "不纳入": r.uniform(1.6, 3.0),
                        "已纳入": r.uniform(0.7, 0.98),
                        "可申请消除": r.uniform(1.25, 1.6),
                        "消除中": r.uniform(1.15, 1.5),
                        "已回退": r.uniform(0.8, 1.05),
                        "重新识别": r.uniform(0.7, 1.05),
                        "已消除": r.uniform(1.2, 2.0),
                    }[status]
                elif (
                    status in ("已纳入", "可申请消除", "已回退", "重新识别", "已消除")
                    and year == years[0]
                    and len(years) > 1
                ):
                    f = r.uniform(0.75, 1.3)
                rows.append(self._income_row(h, year, f, self._ids(table, 1)))
            if len(rows) >= 2 * CHUNK:
                self._insert(table, rows)
                rows = []
                self._tick(self.n + k + 1)
        self._insert(table, rows)
        self.summary.income_records = len(self.households) * len(years)
        self._tick(2 * self.n)

    # ---------------------------------------------------------------- cases

    def _case_dates(self, status: str, scenario: str | None = None) -> dt.date:
        """The clue date for a case of this status (and situation), relative to today."""
        r, t = self.rng, self.today
        earliest = max(dt.date(2021, 3, 1), t - dt.timedelta(days=5 * 365))
        span = lambda lo, hi: t - dt.timedelta(days=r.randint(lo, hi))  # noqa: E731
        if scenario == "clue_overdue":
            return span(18, 30) if status == "线索" else span(20, 28)
        if scenario == "no_measures":
            return span(36, 44)  # identified some 20 days ago
        if scenario == "eligible":
            return span(250, 420)
        if scenario in ("visit_overdue", "review_overdue"):
            return span(150, 400)
        if scenario == "special_decision":
            return span(60, 300)
        if status == "线索":
            return span(1, 10)
        if status == "识别中":
            return span(6, 12)
        if status == "不纳入":
            return span(40, 360)
        if status == "已纳入":
            return span(40, 540)
        if status == "消除中":
            return span(220, 500)
        latest_start = (t - earliest).days
        if status in ("已消除", "已回退", "重新识别"):
            return span(min(400, latest_start), max(400, latest_start))
        return span(30, 300)

    def _working_day(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next one."""
        return self.calendar.next_working_day(day, include=True)

    def _publicity_end(self, start: dt.date) -> dt.date:
        return deadlines.publicity_end(start, self.rules, self.calendar)

    def _publicity_this_week(self) -> dt.date:
        """A 公示 start on or before today whose period ends this week, today or later (one ending
        next week when today is a rest day at the end of the week)."""
        t = self.today
        sunday = t + dt.timedelta(days=6 - t.weekday())
        starts = [t - dt.timedelta(days=back) for back in range(15)]
        starts = [d for d in starts if self.calendar.is_working_day(d)]
        for d in starts:
            if t <= self._publicity_end(d) <= sunday:
                return d
        later = [(self._publicity_end(d), d) for d in starts if self._publicity_end(d) >= t]
        return min(later)[1] if later else t

    def _attendance(self, village_idx: int) -> str:
        """Those attending a 村级评议: some of the village's 村两委成员 and 村民代表."""
        roster = self.rosters.get(village_idx)
        if roster is None:
            roster = self.rosters[village_idx] = list(dict.fromkeys(self.g.cadre_name() for _ in range(11)))
        return "、".join(self.rng.sample(roster, min(len(roster), self.rng.randint(5, 7))))

    _STEP_RESULTS = {
        "入户核实": "情况属实",
        "村级评议": "同意",
        "公示": "无异议",
        "乡镇审核": "同意",
        "县级审定": "同意",
    }

    def _steps(
        self,
        case_id: int,
        procedure: str,
        start: dt.date,
        names: Sequence[str],
        upto: int | None = None,
        verifiers: str = "",
        village_idx: int = 0,
        publicity_on: dt.date | None = None,
    ) -> tuple[list[dict[str, Any]], dt.date]:
        """Dated steps of the procedure from ``start`` on working days, each after the one before
        and after the end of the 公示; returns the rows and the 县级审定 date. ``publicity_on``:
        the 公示 starts that day (or as soon after as the steps before allow)."""
        r = self.rng
        rows: list[dict[str, Any]] = []
        d = start
        decided = start
        for k, step in enumerate(names):
            if upto is not None and k >= upto:
                break
            end_on = None
            if k == 0:
                d = start
            elif step == "公示":
                d = self._working_day(d + dt.timedelta(days=r.randint(1, 2)))
                if publicity_on is not None:
                    d = max(d, publicity_on)
                end_on = self._publicity_end(d)
            elif rows and rows[-1]["end_on"] is not None:
                d = self.calendar.next_working_day(rows[-1]["end_on"])
            else:
                d = self._working_day(d + dt.timedelta(days=r.randint(1, 2)))
            if d > self.today:
                break
            if step == "县级审定":
                decided = d
            people = None
            if step == "入户核实":
                people = verifiers
            elif step == "村级评议":
                people = self._attendance(village_idx)
            rows.append(
                {
                    "id": self._ids(CaseStep.__table__, 1),
                    "case_id": case_id,
                    "procedure": procedure,
                    "step": step,
                    "done_on": d,
                    "end_on": end_on,
                    "people": people,
                    "result": self._STEP_RESULTS.get(step),
                    "note": None,
                    "authorisation_signed": step == "农户申请",
                    "from_national": False,
                }
            )
        return rows, decided

    def _risks_for(self, h: _Household, category: str) -> list[tuple[str, str | None]]:
        r = self.rng
        risks: list[tuple[str, str | None]] = []
        if h.serious_ill or (h.chronic and r.random() < 0.6):
            risks.append(("因病", None))
        if h.disabled:
            risks.append(("因残", None))
        if h.noncompulsory:
            risks.append(("因学", None))
        if h.no_labour or (h.labour == 1 and h.size >= 4):
            risks.append(("缺劳动力", None))
        if h.migrants and r.random() < 0.4:
            risks.append(("因务工就业不稳", None))
        if category == "突发严重困难户" or r.random() < 0.12:
            risks.insert(
                0,
                ("因意外事故", None)
                if r.random() < 0.6
                else ("因自然灾害", "洪涝" if r.random() < 0.7 else r.choice(("旱灾", "气象", "地质"))),
            )
        if h.labour and r.random() < 0.05:
            risks.append(("因产业项目失败", None))
        if not risks:
            risks.append(("因病", None) if h.chronic else ("其他", None))
        seen: list[tuple[str, str | None]] = []
        for risk in risks:
            if risk[0] not in [x[0] for x in seen]:
                seen.append(risk)
        return seen[:3]

    _MEASURES = {
        "因病": (
            "健康帮扶",
            "落实基本医保、大病保险、医疗救助三重保障，办理慢性病门诊证，家庭医生签约服务",
            False,
        ),
        "因残": ("综合保障", "落实困难残疾人生活补贴和重度残疾人护理补贴", False),
        "因学": ("其他教育帮扶", "申请雨露计划职业教育补助，落实国家助学金", False),
        "缺劳动力": ("综合保障", "按程序申请纳入农村低保，落实临时救助", False),
        "因务工就业不稳": ("就业帮扶", "推荐到县经济开发区企业就业，落实一次性交通补助", True),
        "因意外事故": ("综合保障", "申请临时救助，协助办理意外保险理赔", False),
        "因自然灾害": ("产业帮扶", "发放灾后恢复生产补助，提供种苗和技术指导", True),
        "因产业项目失败": ("金融帮扶", "办理脱贫人口小额信贷续贷，调整种养结构", True),
        "其他": ("社会帮扶", "联系社会组织开展结对帮扶", False),
    }
    _DEVELOPMENT = (
        ("产业帮扶", "发展稻虾共养，落实到户产业奖补", True),
        ("产业帮扶", "发展养牛（养羊）等特色养殖，落实到户产业奖补", True),
        ("就业帮扶", "开展技能培训，推荐就近就业", True),
        ("公益岗位帮扶", "安排村保洁员公益岗位", True),
    )
    _VISIT_NOTES = (
        "了解家庭收支情况，宣讲防返贫政策",
        "核实务工情况，务工收入稳定",
        "督促按时复诊，医疗费用已按政策报销",
        "了解子女在校情况，教育补助已落实",
        "查看住房和饮水情况，安全无隐患",
        "产业发展正常，长势良好",
        "了解低保金发放情况，已按月足额发放",
        "电话联系户主，家庭情况无变化",
    )

    _RESPONSIBLE = {
        "健康帮扶": f"{COUNTY}医保局",
        "综合保障": f"{TOWNSHIP}民政办",
        "其他教育帮扶": f"{COUNTY}教育局",
        "就业帮扶": f"{TOWNSHIP}人社所",
        "公益岗位帮扶": f"{TOWNSHIP}人社所",
        "产业帮扶": f"{TOWNSHIP}农业综合服务站",
        "金融帮扶": f"{COUNTY}农村商业银行",
        "社会帮扶": f"{TOWNSHIP}乡村振兴工作站",
    }
    _INCOME_CHANGES = (
        "收入基本稳定，无明显变化",
        "务工收入增加，月均约3000元",
        "因病医疗支出增加，家庭收入减少",
        "产业收入增加约2000元",
        "低保金按月发放，收入稳定",
        "公益岗位工资按月发放，月增收600元",
    )
    _REVIEW_NOTES = (
        "季度复核：帮扶措施已落实，家庭收入稳定，继续监测",
        "季度复核：务工收入有所增加，风险尚未消除，继续帮扶",
        "季度复核：医疗费用已按政策报销，继续落实健康帮扶",
    )

    def _cases(self, plan: list[dict[str, Any]]) -> None:
        r = self.rng
        e = self.g.enums
        id_steps, elim_steps = e.values("identification_steps"), e.values("elimination_steps")
        development = set(e.values("development_measures"))
        tables: dict[str, list[dict[str, Any]]] = {
            name: [] for name in ("cases", "steps", "risks", "measures", "contacts", "visits")
        }
        counts: Counter[str] = Counter()
        t = self.today
        self.case_rows: list[dict[str, Any]] = []
        for item in plan:
            status, h, scenario = item["status"], item["household"], item["scenario"]
            village = self.villages[h.village_idx]["name"]
            publicity_on = self._publicity_this_week() if scenario == "publicity" else None
            clue = publicity_on - dt.timedelta(days=9) if publicity_on else self._case_dates(status, scenario)
            category = (
                ("脱贫不稳定户" if r.random() < 0.75 else "突发严重困难户")
                if h.poor
                else ("边缘易致贫户" if r.random() < 0.65 else "突发严重困难户")
            )
            source = _weighted(
                r, [("干部走访", 35), ("农户自主申报", 30), ("集中排查", 20), ("部门预警", 15)]
            )
            contact_name = self.g.cadre_name()
            verifiers = f"{contact_name}、{self.g.cadre_name()}"
            previous_id = None
            last_end = clue
            episodes = [status]
            if status == "重新识别":
                episodes = ["已消除", "已纳入"]
            for episode_no, ep in enumerate(episodes):
                cid = self._ids(MonitoringCase.__table__, 1)
                if episode_no == 1:
                    # re-identified: a new clue some months after the first elimination
                    clue = max(last_end + dt.timedelta(days=60), t - dt.timedelta(days=r.randint(45, 420)))
                    clue = min(clue, t - dt.timedelta(days=45))
                    source = "干部走访"
                row: dict[str, Any] = {
                    "id": cid,
                    "household_id": h.id,
                    "campaign_id": self._campaign_for(clue, source),
                    "previous_case_id": previous_id,
                    "source": source,
                    "category": None,
                    "status": ep,
                    "clue_date": clue,
                    "identified_on": None,
                    "elimination_mode": None,
                    "eliminated_on": None,
                    "rolled_back_on": None,
                    "not_included_reason": None,
                    "no_labour": h.no_labour,
                    "exemption_note": None,
                    "note": None,
                    "exclusions": None,
                    "special_decision_on": None,
                    "special_decision_text": None,
                    "rollback_reason": None,
                    "reviewed_on": None,
                    "review_note": None,
                    "origin": "本地",
                }
                counts[ep] += 1
                tables["cases"].append(row)
                self.case_rows.append(row)
                if ep == "线索":
                    row["note"] = self._clue_note(h)
                    previous_id, last_end = cid, clue
                    continue
                upto = None
                if ep == "识别中":
                    upto = 2 if scenario == "clue_overdue" else 4 if publicity_on else r.randint(2, 3)
                elif ep == "不纳入":
                    upto = 3
                steps, identified = self._steps(
                    cid, "识别", clue, id_steps, upto, verifiers, h.village_idx, publicity_on
                )
                tables["steps"] += steps
                review = next((s for s in steps if s["step"] == "村级评议"), None)
                if scenario == "special_decision" and review is not None:
                    row["exclusions"] = "commercial_housing"
                    row["special_decision_on"] = review["done_on"]
                    row["special_decision_text"] = (
                        "经村民代表会议讨论，该户在县城所购商品房系子女婚前购置、按揭未还清，"
                        "家庭因病负债较重，同意纳入监测"
                    )
                if ep == "识别中" and review is not None:
                    # the 村级评议 proposed a category and named the risks (the 公示 prints them);
                    # a generator of its own keeps the rest of the demo as it was
                    row["category"] = category
                    main_rng, self.rng = self.rng, random.Random(cid)
                    try:
                        proposed = self._risks_for(h, category)
                    finally:
                        self.rng = main_rng
                    for pos, (risk, sub) in enumerate(proposed, start=1):
                        tables["risks"].append(
                            {
                                "id": self._ids(CaseRisk.__table__, 1),
                                "case_id": cid,
                                "position": pos,
                                "risk_type": risk,
                                "subtype": sub,
                                "note": None,
                            }
                        )
                if ep in ("识别中", "不纳入"):
                    if ep == "不纳入":
                        if scenario == "excluded":
                            row["exclusions"] = "vehicle"
                            reason = "家庭成员拥有大型农机具（联合收割机），属于不纳入监测情形"
                        else:
                            reason = "经入户核实，家庭人均纯收入高于监测范围，无刚性支出，不存在返贫致贫风险"
                        steps[-1]["result"] = "不予认定"
                        steps[-1]["note"] = reason
                        row["not_included_reason"] = reason
                    previous_id, last_end = cid, clue
                    continue
                row["identified_on"] = identified
                row["category"] = category
                risks = self._risks_for(h, category)
                for pos, (risk, sub) in enumerate(risks, start=1):
                    tables["risks"].append(
                        {
                            "id": self._ids(CaseRisk.__table__, 1),
                            "case_id": cid,
                            "position": pos,
                            "risk_type": risk,
                            "subtype": sub,
                            "note": None,
                        }
                    )
                if scenario != "no_measures":
                    tables["measures"] += self._case_measures(cid, h, risks, identified, development)
                # contacts
                unit = r.choice(
                    (
                        f"{TOWNSHIP}人民政府",
                        f"{village}村民委员会",
                        f"{COUNTY}农业农村局",
                        f"{COUNTY}人力资源和社会保障局",
                    )
                )
                tables["contacts"].append(
                    {
                        "id": self._ids(Contact.__table__, 1),
                        "case_id": cid,
                        "household_id": h.id,
                        "name": contact_name,
                        "role": "帮扶联系人",
                        "unit": unit,
                        "phone": self.g.phone(),
                        "start_date": identified,
                        "end_date": None,
                    }
                )
                if r.random() < 0.4:
                    tables["contacts"].append(
                        {
                            "id": self._ids(Contact.__table__, 1),
                            "case_id": cid,
                            "household_id": h.id,
                            "name": self.g.cadre_name(),
                            "role": "帮扶责任人",
                            "unit": f"{village}村民委员会",
                            "phone": self.g.phone(),
                            "start_date": identified,
                            "end_date": None,
                        }
                    )
                # elimination
                end = t
                if ep in ("已消除", "已回退", "消除中"):
                    natural = ep == "已消除" and r.random() < 0.15
                    months = r.randint(2, 5) if natural else r.randint(7, 16)
                    nominated = _add_months(identified, months)
                    if episode_no == 0 and status == "重新识别":
                        nominated = min(nominated, t - dt.timedelta(days=330))
                    nominated = min(nominated, t - dt.timedelta(days=40 if ep != "消除中" else 8))
                    nominated = max(nominated, _add_months(identified, 2 if natural else 6))
                    upto = r.randint(2, 4) if ep == "消除中" else None
                    e_steps, eliminated = self._steps(
                        cid, "消除", nominated, elim_steps, upto, verifiers, h.village_idx
                    )
                    tables["steps"] += e_steps
                    if ep != "消除中":
                        row["elimination_mode"] = "自然消除" if natural else "帮扶消除"
                        row["eliminated_on"] = eliminated
                        end = eliminated
                    if ep == "已回退":
                        back = min(
                            t - dt.timedelta(days=5), eliminated + dt.timedelta(days=r.randint(60, 240))
                        )
                        row["rolled_back_on"] = max(back, eliminated + dt.timedelta(days=1))
                        row["rollback_reason"] = (
                            "回头看发现风险消除后务工收入不稳定，家庭人均纯收入低于监测范围，按程序回退"
                            if h.labour
                            else "回头看发现整户无劳动能力，风险消除不稳定，按程序回退继续监测"
                        )
                        end = t
                monitored_now = ep in ("已纳入", "消除中", "已回退")
                tables["visits"] += self._case_visits(
                    cid, h, identified, end, contact_name, monitored_now, scenario
                )
                if monitored_now and (t - identified).days >= 80:
                    back = r.randint(100, 130) if scenario == "review_overdue" else r.randint(5, 75)
                    row["reviewed_on"] = max(identified, t - dt.timedelta(days=back))
                    row["review_note"] = r.choice(self._REVIEW_NOTES)
                previous_id = cid
                last_end = row["eliminated_on"] or t
        self._insert(MonitoringCase.__table__, tables["cases"])
        self._insert(CaseStep.__table__, tables["steps"])
        self._insert(CaseRisk.__table__, tables["risks"])
        self._insert(Measure.__table__, tables["measures"])
        self._insert(Contact.__table__, tables["contacts"])
        self._insert(Visit.__table__, tables["visits"])
        self.summary.cases_by_status = dict(counts)

    def _case_measures(
        self,
        cid: int,
        h: _Household,
        risks: list[tuple[str, str | None]],
        identified: dt.date,
        development: set[str],
    ) -> list[dict[str, Any]]:
        """One measure per risk, then a development measure where the household can work, all
        started within ``measures_within_days`` of identification (never after today)."""
        r, t = self.rng, self.today
        chosen: list[tuple[str, str, bool]] = []
        for risk, _sub in risks:
            cat, content, _dev = self._MEASURES.get(risk, self._MEASURES["其他"])
            if risk == "缺劳动力" and h.labour:
                cat, content = "公益岗位帮扶", "安排弱劳动力家庭成员从事村保洁员公益岗位"
            chosen.append((cat, content, cat in development))
        if h.labour and not any(dev for *_, dev in chosen):
            chosen.append(r.choice(self._DEVELOPMENT))
        if not h.labour and not any(c == "综合保障" for c, *_ in chosen):
            chosen.append(("综合保障", "按程序申请纳入农村低保", False))
        member_for = {
            "健康帮扶": h.ill_member,
            "其他教育帮扶": h.student_member,
            "就业帮扶": h.worker_member,
        }
        rows = []
        within = max(1, min(9, self.rules.measures_within_days - 1))
        for cat, content, _dev in chosen:
            start = min(identified + dt.timedelta(days=r.randint(1, within)), t)
            amount = (
                Decimal(r.choice((1000, 2000, 3000, 5000))) if cat in ("产业帮扶", "其他教育帮扶") else None
            )
            disability = content.startswith("落实困难残疾人")
            rows.append(
                {
                    "id": self._ids(Measure.__table__, 1),
                    "case_id": cid,
                    "household_id": h.id,
                    "member_id": member_for.get(cat) or (h.disabled_member if disability else None),
                    "category": cat,
                    "content": content,
                    "is_development": cat in development,
                    "start_date": start,
                    "end_date": None,
                    "amount": amount,
                    "year": start.year,
                    "responsible_unit": f"{COUNTY}残联" if disability else self._RESPONSIBLE.get(cat),
                }
            )
        return rows

    def _case_visits(
        self,
        cid: int,
        h: _Household,
        identified: dt.date,
        end: dt.date,
        visitor: str,
        monitored_now: bool,
        scenario: str | None,
    ) -> list[dict[str, Any]]:
        """Monthly visits from identification to ``end``; a case monitored now was last visited
        within the month, except the ``visit_overdue`` ones (last visit six to ten weeks ago)."""
        r, t = self.rng, self.today
        last = end
        if scenario == "visit_overdue":
            last = max(identified + dt.timedelta(days=1), t - dt.timedelta(days=r.randint(45, 70)))
        days: list[dt.date] = []
        month = _add_months(identified, 1)
        while month <= last and len(days) < 60:
            day = month.replace(day=r.randint(1, 28))
            if identified < day <= last:
                days.append(day)
            month = _add_months(month, 1)
        if monitored_now and scenario != "visit_overdue" and (t - identified).days > 25:
            recent = t - dt.timedelta(days=r.randint(2, 20))
            if not days or days[-1] < recent:
                days.append(max(recent, identified + dt.timedelta(days=1)))
        rows = []
        for day in days:
            mode = _weighted(r, [("入户", 70), ("电话", 20), ("微信", 10)])
            rows.append(
                {
                    "id": self._ids(Visit.__table__, 1),
                    "case_id": cid,
                    "household_id": h.id,
                    "visited_on": day,
                    "mode": mode,
                    "visitor": visitor,
                    "findings": r.choice(self._VISIT_NOTES),
                    "income_change": r.choice(self._INCOME_CHANGES) if r.random() < 0.3 else None,
                }
            )
        return rows

    def _campaign_for(self, day: dt.date, source: str) -> int | None:
        if source != "集中排查":
            return None
        for c in reversed(self.campaigns):
            if c["year"] <= day.year:
                return c["id"]
        return self.campaigns[0]["id"]

    def _clue_note(self, h: _Household) -> str:
        if h.serious_ill:
            return "家庭成员患大病，自付医疗费用较高"
        if h.disabled:
            return "家庭成员残疾，家庭收入偏低"
        if h.migrants:
            return "外出务工人员返乡，收入大幅减少"
        return "家庭人均纯收入接近监测范围"

    # ---------------------------------------------------------------- ledger problems

    _PROBLEMS = {
        "乡镇": (
            (
                "其他",
                "防返贫监测帮扶政策宣传不到位，部分农户不知晓自主申报渠道",
                "印发政策明白纸，利用村村响广播每周宣传",
            ),
            ("资金项目", "部分衔接资金项目资产未及时确权登记", "开展项目资产清查，限期完成确权登记"),
            ("防止返贫监测和帮扶", "部门预警信息反馈核实不及时", "建立预警信息台账，明确5个工作日内核实反馈"),
        ),
        "村": (
            ("乡村建设", "部分自然村道路破损，群众出行不便", "申报道路维修项目，先行修补坑洼路段"),
            ("乡村建设", "农村改厕后续管护不到位，部分厕所无法正常使用", "落实管护人员，逐户排查维修"),
            ("乡村治理", "网格员调整后未及时公示，部分群众不知晓网格员联系方式", "重新制作网格公示牌并张贴"),
            (
                "“三保障”和饮水安全",
                "自来水供水不稳定，夏季高峰时段水压不足",
                "协调供水公司更换管网、增设加压设备",
            ),
            ("政策落实", "部分脱贫户小额信贷到期未及时续贷", "逐户对接，符合条件的办理续贷"),
            ("乡村治理", "村务公开栏内容未及时更新", "每月更新村务公开内容"),
        ),
        "户": (
            (
                "“三保障”和饮水安全",
                "房屋年久失修，墙体开裂，经鉴定为C级危房",
                "纳入农村危房改造，限期完成加固",
            ),
            (
                "防止返贫监测和帮扶",
                "家庭成员患大病，年度自付医疗费用较高，存在返贫风险",
                "启动监测识别程序，落实健康帮扶",
            ),
            (
                "防止返贫监测和帮扶",
                "监测户帮扶措施针对性不强，仅落实综合保障措施",
                "补充开发式帮扶措施，落实产业到户奖补",
            ),
            ("政策落实", "残疾人两项补贴未及时申领", "协助申领困难残疾人生活补贴"),
            ("“三保障”和饮水安全", "家庭饮用水为浅水井，水质不达标", "接通自来水管网"),
            ("其他", "系统中家庭成员信息与实际不一致", "核实后在系统中更正"),
        ),
    }

    #: answers a screener gives where the data suggests nothing: the household is fine on that point
    _USUAL_YES = frozenset(
        {
            "housing_safe",
            "medical_secured",
            "education_secured",
            "water_safe",
            "children_can_support",
            "children_do_support",
            "income_stable_half_year",
            "risk_stably_eliminated",
            "measures_in_place",
            "measures_targeted",
            "system_data_accurate",
        }
    )

    def _screenings(self) -> None:
        """附件1 records as the screeners left them: every household in 2022, and in the latest
        campaign most of them (all but a few when its period is over, about two thirds while it
        runs). Answers are the form's own suggestions; questions it leaves open get the usual
        answer; 应纳入监测 follows the household's monitoring record, as the clerk's clue did."""
        from fanpin_desktop.domain import appendix1
        from fanpin_desktop.models import Campaign
        from fanpin_desktop.services import screening as screening_service

        r = self.rng
        rows = []
        for c in self.campaigns:
            latest = c is self.campaigns[-1]
            campaign = self.session.get(Campaign, c["id"])
            last_day = min(c["end_date"], self.today)
            if last_day < c["start_date"]:
                continue
            share = 1.0 if not latest else (0.97 if self.today > c["end_date"] else 0.65)
            chosen = [h for h in self.households if r.random() < share]
            contexts = screening_service.contexts(self.session, campaign, [h.id for h in chosen])
            span = (last_day - c["start_date"]).days
            for h in chosen:
                ctx = contexts[h.id]
                answers = appendix1.initial_answers(ctx)
                answers["method"] = "入户排查" if r.random() < 0.9 else "电话核查"
                for key in appendix1.unanswered(ctx, answers):
                    if answers.get(key) is None:
                        answers[key] = key in self._USUAL_YES
                if answers.get("should_monitor") is not None:
                    answers["should_monitor"] = False  # the demo's clues come with their cases
                answers, _cleared = appendix1.clear_inapplicable(ctx, answers)
                row = {k: answers.get(k) for k in appendix1.ANSWER_KEYS}
                row.update(
                    {
                        "id": self._ids(HouseholdScreening.__table__, 1),
                        "campaign_id": c["id"],
                        "household_id": h.id,
                        "screened_on": c["start_date"] + dt.timedelta(days=r.randint(0, span)),
                        "screener": self.g.cadre_name(),
                        "difficulties": None,
                        "remark": None,
                        "overrides": {},
                    }
                )
                rows.append(row)
        self._insert(HouseholdScreening.__table__, rows)
        self.summary.screenings = len(rows)

    def _problems(self) -> None:
        r = self.rng
        rows = []
        t = self.today
        for c in self.campaigns:
            latest = c is self.campaigns[-1]
            n_village = max(1, round(len(self.villages) * 0.6))
            n_house = max(3, round(self.n * 0.004))
            plan = (
                [("乡镇", None, None)] * r.randint(2, 3)
                + [("村", r.randrange(len(self.villages)), None) for _ in range(n_village)]
                + [("户", None, r.choice(self.households)) for _ in range(n_house)]
            )
            for level, vi, h in plan:
                ptype, desc, measure = r.choice(self._PROBLEMS[level])
                found = c["start_date"] + dt.timedelta(days=r.randint(0, 40))
                found = min(found, t)
                deadline = found + dt.timedelta(days=r.choice((15, 30, 30, 60)))
                if latest and deadline > t - dt.timedelta(days=30):
                    status = _weighted(r, [("整改中", 50), ("已整改", 30), ("已销号", 20)])
                else:
                    status = _weighted(r, [("整改中", 5), ("已整改", 15), ("已销号", 80)])
                rectified = (
                    min(t, found + dt.timedelta(days=r.randint(5, 50))) if status != "整改中" else None
                )
                verified = (
                    min(t, rectified + dt.timedelta(days=r.randint(3, 20)))
                    if status == "已销号" and rectified
                    else None
                )
                if h is not None:
                    vi = h.village_idx
                village = self.villages[vi] if vi is not None else None
                responsible = (
                    f"乡村振兴工作站 {self.g.cadre_name()}"
                    if level == "乡镇"
                    else f"{village['name']}党支部书记 {self.g.cadre_name()}"
                    if level == "村"
                    else f"包村干部 {self.g.cadre_name()}"
                )
                on_the_spot = level == "户" and r.random() < 0.1
                if on_the_spot:
                    status, rectified, verified = "已销号", found, found
                rows.append(
                    {
                        "id": self._ids(Problem.__table__, 1),
                        "campaign_id": c["id"],
                        "level": level,
                        "village_id": village["id"] if village else None,
                        "household_id": h.id if h else None,
                        "problem_type": ptype,
                        "description": desc,
                        "measure": measure,
                        "responsible": responsible,
                        "deadline": deadline,
                        "status": status,
                        "found_on": found,
                        "rectified_on": rectified,
                        "verified_on": verified,
                        "verified_by": f"{TOWNSHIP}乡村振兴工作站" if verified else None,
                        "on_the_spot": on_the_spot,
                        "source": "集中排查",
                        "note": None,
                    }
                )
        self._insert(Problem.__table__, rows)
        self.summary.problems = len(rows)

    # ---------------------------------------------------------------- department warnings

    _WARNINGS = (
        ("医保", "个人年度自付医疗费用累计超过3万元", (30000, 80000)),
        ("医保", "单次自付医疗费用超过1万元", (10000, 30000)),
        ("残联", "新增重度残疾（一、二级）", None),
        ("住建", "唯一住房经鉴定为C级危房", None),
        ("民政", "新纳入农村低保", None),
        ("人社", "外出务工人员失业返乡", None),
        ("应急", "洪涝灾害导致房屋及农作物受损", (3000, 20000)),
        ("教委", "义务教育阶段学生辍学", None),
    )

    def _warnings(self) -> None:
        r = self.rng
        t = self.today
        rows = []
        # warnings that became cases (source 部门预警)
        by_household = {c["household_id"]: c for c in self.case_rows if c["source"] == "部门预警"}
        hh_by_id = {h.id: h for h in self.households}
        for hid, case in by_household.items():
            h = hh_by_id[hid]
            dept, reason, amount = r.choice(self._WARNINGS)
            _mid, name, number = r.choice(h.names)
            received = case["clue_date"] - dt.timedelta(days=r.randint(0, 5))
            closed = case["status"] not in ("线索", "识别中")
            outcome = "不符合" if case["status"] == "不纳入" else "纳入监测"
            rows.append(
                self._warning_row(
                    dept,
                    received,
                    name,
                    number,
                    hid,
                    reason,
                    amount,
                    "已办结" if closed else "核实中",
                    outcome if closed else None,
                    case["not_included_reason"] if closed and outcome == "不符合" else None,
                    case["id"] if closed and outcome == "纳入监测" else None,
                )
            )
        extra = max(5, round(self.n * 0.004))
        for k in range(extra):
            dept, reason, amount = r.choice(self._WARNINGS)
            received = t - dt.timedelta(days=r.randint(3, 360))
            if k == 0:  # a person who is not on the roster: stays unmatched until checked
                birth = self.g.birth(r.randint(30, 70))
                number = self.g.id_number(birth, r.random() < 0.5, married_in=True)
                name = self.g.surname() + self.g.given_name(birth.year, False)
                rows.append(
                    self._warning_row(
                        dept, received, name, number, None, reason, amount, "待核实", None, None, None
                    )
                )
                continue
            h = r.choice(self.households)
            _mid, name, number = r.choice(h.names)
            status = _weighted(r, [("待核实", 30), ("核实中", 20), ("已办结", 50)])
            if received > t - dt.timedelta(days=10):
                status = "待核实"
            outcome = reason_text = None
            if status == "已办结":
                outcome = "不符合"
                reason_text = r.choice(
                    (
                        "经核实，医疗费用已通过基本医保和大病保险报销，家庭人均纯收入高于监测范围，无返贫风险",
                        "经核实，该户家庭收入稳定，已落实相关政策，不符合纳入监测条件",
                        "经核实，房屋已完成维修加固，住房安全有保障",
                    )
                )
            rows.append(
                self._warning_row(
                    dept, received, name, number, h.id, reason, amount, status, outcome, reason_text, None
                )
            )
        from fanpin_desktop.services import warnings as warning_service

        for w in rows:  # the columns the limits read, as an imported row has them
            for key in (*warning_service.THRESHOLD_COLUMNS, "over_threshold", "threshold_reason"):
                w.setdefault(key, None)
            w["over_threshold"] = bool(w["over_threshold"])
        for department in warning_service.MEDICAL_DEPARTMENTS:  # 超标 flags, as an import sets them
            warning_service.flag_new_rows(
                self.session, department, [w for w in rows if w["department"] == department]
            )
        self._insert(DepartmentWarning.__table__, rows)
        self.summary.warnings = len(rows)

    def _warning_row(
        self,
        dept: str,
        received: dt.date,
        name: str,
        number: str,
        hid: int | None,
        reason: str,
        amount: tuple[int, int] | None,
        status: str,
        outcome: str | None,
        outcome_reason: str | None,
        case_id: int | None,
    ) -> dict[str, Any]:
        r = self.rng
        checked = status == "已办结"
        return {
            "id": self._ids(DepartmentWarning.__table__, 1),
            "department": dept,
            "received_on": received,
            "batch_label": f"{received.year}年{received.month}月{dept}部门预警",
            "person_name": name,
            "id_number": number,
            "household_id": hid,
            "reason": reason,
            "amount": Decimal(r.randint(*amount)) if amount else None,
            "status": status,
            "outcome": outcome,
            "outcome_reason": outcome_reason,
            "checked_on": min(self.today, received + dt.timedelta(days=r.randint(2, 10)))
            if checked
            else None,
            "checked_by": f"{TOWNSHIP}乡村振兴工作站" if checked else None,
            "case_id": case_id,
        }


#: situations the demo always has (status, scenario), so that every list and every kind of 待办
#: shows something on first start
_SCENARIOS = (
    ("线索", "clue_overdue"),  # clue older than identify_within_days
    ("识别中", "clue_overdue"),
    ("识别中", "publicity"),  # a 公示 ending this week
    ("已纳入", "no_measures"),  # identified some 20 days ago, no measure yet
    ("已纳入", "visit_overdue"),  # last visit six to ten weeks ago
    ("已纳入", "visit_overdue"),
    ("已纳入", "review_overdue"),  # last quarterly review over three months ago
    ("已纳入", "eligible"),  # over six months, income above the threshold: may be eliminated
    ("已纳入", "special_decision"),  # an exclusion (商品房) let in by the representatives' decision
    ("不纳入", "excluded"),  # refused for an exclusion (大型农机具)
)

_STATUS_ORDER = {
    s: k for k, s in enumerate(("线索", "识别中", "不纳入", "已纳入", "消除中", "已消除", "已回退"))
}
