"""数据核查: the data-quality rules (``domain/rules``) run over the database, and their exemptions.

The rules are pure functions over :class:`HouseholdData`; this module builds those in bulk — a
handful of queries for the whole township (or one village), a few per 500 households when given ids,
never one per household — runs the rules and joins the findings with the labels a list needs
(村, 组, 户编号, 户主, 成员) and with the clerk's exemptions.

Exemptions (``models.QualityExemption``): a finding is exempt while a row with the same rule,
household, case, member and ``data_hash`` (the SHA-256 of the finding's ``data_key``, the data the
rule looked at) exists. When that data changes, the hash differs and the finding comes back; the
old row stays for the history.

Entry points: :func:`run_all` (the 数据核查 page, ``fanpin rules run``, the findings xlsx),
:func:`household_findings` / :func:`case_findings` (the editors after a save), :func:`exempt` /
:func:`unexempt`, :func:`export_findings_xlsx`, :func:`open_error_summary` (the national export's
warning).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from fanpin_desktop.domain.cases import MONITORED_CASE_STATUSES, PENDING_CASE_STATUSES
from fanpin_desktop.domain.income import use_local_income
from fanpin_desktop.domain.rules import (
    ERROR,
    GROUPS,
    RULES,
    RULES_BY_CODE,
    CaseData,
    ContactData,
    Finding,
    HouseholdData,
    IncomeData,
    MeasureData,
    MemberData,
    RiskData,
    Rule,
    RuleContext,
    StepData,
    base_id,
)
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    CaseRisk,
    CaseStep,
    Contact,
    Household,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    QualityExemption,
    Village,
    VillageGroup,
    Visit,
)
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.households.constants import SQL_CHUNK
from fanpin_desktop.services.households.income import ThresholdCache

#: households per progress step (and per rule-running chunk)
PROGRESS_CHUNK = 500


class Control(Protocol):
    def report(self, done: int | None = None, total: int | None = None, text: str | None = None) -> None: ...


# ---------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class ExemptionInfo:
    id: int
    reason: str
    exempted_by: str
    exempted_at: dt.datetime


@dataclass(frozen=True, slots=True)
class FindingView:
    """One finding with what a list shows about it, and its exemption (if any)."""

    finding: Finding
    rule: Rule
    village_id: int | None
    village: str
    group: str  # 村民小组
    household_code: str
    head_name: str
    member_name: str
    data_hash: str
    exemption: ExemptionInfo | None = None

    @property
    def rule_code(self) -> str:
        return self.finding.rule_code

    @property
    def household_id(self) -> int:
        return self.finding.household_id

    @property
    def case_id(self) -> int | None:
        return self.finding.case_id

    @property
    def member_id(self) -> int | None:
        return self.finding.member_id

    @property
    def message(self) -> str:
        return self.finding.message

    @property
    def severity(self) -> str:
        return self.rule.severity

    @property
    def title(self) -> str:
        return self.rule.title

    @property
    def rule_group(self) -> str:
        return self.rule.group

    @property
    def exempted(self) -> bool:
        return self.exemption is not None


@dataclass(frozen=True, slots=True)
class RuleCount:
    rule: Rule
    open: int
    exempted: int

    @property
    def total(self) -> int:
        return self.open + self.exempted


@dataclass
class QualityReport:
    """Every finding of one run, in rule order then village / group / household order."""

    today: dt.date
    households: int  # households checked
    findings: list[FindingView]
    villages: list[tuple[int, str]]  # every village of the run's scope, in the township's order
    seconds: float = 0.0

    @property
    def open_findings(self) -> list[FindingView]:
        return [f for f in self.findings if not f.exempted]

    def by_rule(self) -> list[RuleCount]:
        """Every rule (also those with nothing found), in the registry's order."""
        opened: Counter[str] = Counter()
        exempted: Counter[str] = Counter()
        for f in self.findings:
            (exempted if f.exempted else opened)[f.rule_code] += 1
        return [RuleCount(r, opened[r.code], exempted[r.code]) for r in RULES]

    def by_village(self) -> list[tuple[str, int, int]]:
        """(village, open findings, exempted findings) for every village of the scope."""
        opened: Counter[int | None] = Counter()
        exempted: Counter[int | None] = Counter()
        for f in self.findings:
            (exempted if f.exempted else opened)[f.village_id] += 1
        return [(name, opened[vid], exempted[vid]) for vid, name in self.villages]

    def for_village(self, village_id: int) -> list[FindingView]:
        return [f for f in self.findings if f.village_id == village_id]


# ---------------------------------------------------------------------- loading HouseholdData


def data_hash(data_key: str) -> str:
    """What an exemption stores of a finding's looked-at data."""
    return hashlib.sha256(data_key.encode("utf-8")).hexdigest()


def _chunks(values: Sequence[int], size: int = SQL_CHUNK) -> list[Sequence[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


@dataclass
class _Scope:
    """Which households: all, one village's, or given ids (then queries go in IN chunks)."""

    village_id: int | None = None
    household_ids: list[int] | None = None

    def households(self, stmt: Select[Any], column: Any) -> Iterator[Select[Any]]:
        """``stmt`` restricted to the scope through ``column`` (a household id column)."""
        if self.household_ids is not None:
            for chunk in _chunks(self.household_ids):
                yield stmt.where(column.in_(chunk))
        elif self.village_id is not None:
            yield stmt.where(column.in_(select(Household.id).where(Household.village_id == self.village_id)))
        else:
            yield stmt

    def cases(self, stmt: Select[Any], column: Any, case_ids: list[int]) -> Iterator[Select[Any]]:
        """``stmt`` restricted to the scope's cases through ``column`` (a case id column)."""
        if self.household_ids is not None:
            for chunk in _chunks(case_ids):
                yield stmt.where(column.in_(chunk))
        elif self.village_id is not None:
            yield stmt.where(
                column.in_(
                    select(MonitoringCase.id)
                    .join(Household, Household.id == MonitoringCase.household_id)
                    .where(Household.village_id == self.village_id)
                )
            )
        else:
            yield stmt


@dataclass
class _Loaded:
    households: list[HouseholdData]
    village_of: dict[int, int]  # household id → village id
    villages: list[tuple[int, str]]
    duplicates: dict[str, tuple[int, ...]]


#: MemberData / IncomeData are filled positionally from the model columns of the same names (a
#: field the rules add to them must exist on the model, or this import fails)
_MEMBER_FIELDS = tuple(f.name for f in dataclasses.fields(MemberData))
_INCOME_FIELDS = tuple(f.name for f in dataclasses.fields(IncomeData))


def _run(session: Session, statements: Iterable[Select[Any]]) -> Iterator[Any]:
    conn = session.connection()
    for stmt in statements:
        yield from conn.execute(stmt).all()  # fetchall: much faster than row by row


def _load(session: Session, scope: _Scope, control: Control | None = None) -> _Loaded:
    """HouseholdData of the scope's households, in village / group / 户编号 order."""
    villages_all = session.execute(
        select(Village.id, Village.name).order_by(Village.sort_order, Village.id)
    ).all()
    village_names = {vid: name for vid, name in villages_all}
    village_rank = {vid: i for i, (vid, _) in enumerate(villages_all)}
    groups = {
        gid: (name, order)
        for gid, name, order in session.execute(
            select(VillageGroup.id, VillageGroup.name, VillageGroup.sort_order)
        ).all()
    }

    hh_rows = list(
        _run(
            session,
            scope.households(
                select(
                    Household.id,
                    Household.code,
                    Household.village_id,
                    Household.group_id,
                    Household.household_type,
                    Household.phone,
                    Household.poverty_exit_year,
                    Household.national_per_capita_income,
                    Household.national_income_year,
                ),
                Household.id,
            ),
        )
    )
    if control is not None:
        control.report(0, 0, "正在读取户和成员…")

    members: dict[int, list[MemberData]] = {}
    cols = [getattr(Member, f) for f in _MEMBER_FIELDS]
    for row in _run(
        session,
        scope.households(
            select(Member.household_id, *cols).order_by(Member.household_id, Member.sort_order, Member.id),
            Member.household_id,
        ),
    ):
        hid = row[0]
        lst = members.get(hid)
        if lst is None:
            lst = members[hid] = []
        lst.append(MemberData(*row[1:]))  # the columns are in MemberData's field order

    incomes: dict[int, IncomeData] = {}
    icols = [getattr(IncomeRecord, f) for f in _INCOME_FIELDS]
    for row in _run(
        session,
        scope.households(
            select(IncomeRecord.household_id, *icols).order_by(
                IncomeRecord.household_id, IncomeRecord.period_start, IncomeRecord.id
            ),
            IncomeRecord.household_id,
        ),
    ):  # ordered by period: the last one wins
        incomes[row[0]] = IncomeData(*row[1:])

    cases = _load_cases(session, scope, control)
    duplicates = _duplicates(session, scope, members)
    thresholds = ThresholdCache(session)

    if control is not None:
        control.report(0, 0, "正在整理数据…")
    hh_rows.sort(
        key=lambda r: (
            village_rank.get(r.village_id, 1 << 30),
            groups.get(r.group_id, ("", 1 << 30))[1],
            r.code or "",
            r.id,
        )
    )
    out: list[HouseholdData] = []
    village_of: dict[int, int] = {}
    for hid, code, vid, gid, hh_type, phone, exit_year, nat_amount, nat_year in hh_rows:
        ms = tuple(members.get(hid, ()))
        income = incomes.get(hid)
        threshold = None
        year = _income_year(income, len(ms), nat_year, nat_amount)
        if year is not None:
            threshold = thresholds(year)
        village_of[hid] = vid
        out.append(
            HouseholdData(
                id=hid,
                code=code,
                village=village_names.get(vid),
                group=groups[gid][0] if gid in groups else None,
                household_type=hh_type,
                phone=phone,
                poverty_exit_year=exit_year,
                members=ms,
                income=income,
                threshold=threshold,
                national_per_capita_income=nat_amount,
                national_income_year=nat_year,
                cases=cases.get(hid, ()),
            )
        )
    if scope.household_ids is None:
        wanted = {scope.village_id} if scope.village_id is not None else None
        villages = [(vid, name) for vid, name in villages_all if wanted is None or vid in wanted]
    else:
        present = set(village_of.values())
        villages = [(vid, name) for vid, name in villages_all if vid in present]
    return _Loaded(out, village_of, villages, duplicates)


def _income_year(
    income: IncomeData | None, people: int, nat_year: int | None, nat_amount: Decimal | None
) -> int | None:
    """The year of the 人均纯收入 the rules compare with the threshold — the same choice as
    ``domain.rules.income.per_capita`` (``domain.income.use_local_income``)."""
    local_year = income.year if income is not None else None
    has_amount = income is not None and (income.people_count or people) > 0
    local_pc = Decimal(0) if has_amount else None  # only whether it exists matters here
    if use_local_income(local_year, local_pc, nat_year, nat_amount):
        return local_year if has_amount else None
    return nat_year


def _load_cases(session: Session, scope: _Scope, control: Control | None) -> dict[int, tuple[CaseData, ...]]:
    case_rows = list(
        _run(
            session,
            scope.households(
                select(
                    MonitoringCase.id,
                    MonitoringCase.household_id,
                    MonitoringCase.status,
                    MonitoringCase.clue_date,
                    MonitoringCase.category,
                    MonitoringCase.source,
                    MonitoringCase.identified_on,
                    MonitoringCase.eliminated_on,
                    MonitoringCase.elimination_mode,
                    MonitoringCase.rolled_back_on,
                    MonitoringCase.no_labour,
                    MonitoringCase.reviewed_on,
                ).order_by(MonitoringCase.household_id, MonitoringCase.clue_date, MonitoringCase.id),
                MonitoringCase.household_id,
            ),
        )
    )
    if not case_rows:
        return {}
    if control is not None:
        control.report(0, 0, "正在读取监测对象…")
    case_ids = [r.id for r in case_rows]
    risks: dict[int, list[RiskData]] = {}
    for cid, rtype, sub in _run(
        session,
        scope.cases(
            select(CaseRisk.case_id, CaseRisk.risk_type, CaseRisk.subtype).order_by(
                CaseRisk.case_id, CaseRisk.position
            ),
            CaseRisk.case_id,
            case_ids,
        ),
    ):
        risks.setdefault(cid, []).append(RiskData(rtype, sub))
    measures: dict[int, list[MeasureData]] = {}
    for cid, mid, cat, dev, start, end, member in _run(
        session,
        scope.cases(
            select(
                Measure.case_id,
                Measure.id,
                Measure.category,
                Measure.is_development,
                Measure.start_date,
                Measure.end_date,
                Measure.member_id,
            ).order_by(Measure.case_id, Measure.id),
            Measure.case_id,
            case_ids,
        ),
    ):
        measures.setdefault(cid, []).append(MeasureData(mid, cat, bool(dev), start, end, member))
    contacts: dict[int, list[ContactData]] = {}
    for cid, name, phone, role in _run(
        session,
        scope.cases(
            select(Contact.case_id, Contact.name, Contact.phone, Contact.role).order_by(
                Contact.case_id, Contact.id
            ),
            Contact.case_id,
            case_ids,
        ),
    ):
        contacts.setdefault(cid, []).append(ContactData(name, phone, role))
    visits: dict[int, list[dt.date]] = {}
    for cid, day in _run(
        session,
        scope.cases(
            select(Visit.case_id, Visit.visited_on).order_by(Visit.case_id, Visit.visited_on, Visit.id),
            Visit.case_id,
            case_ids,
        ),
    ):
        visits.setdefault(cid, []).append(day)
    steps: dict[int, list[StepData]] = {}
    for cid, proc, step, done in _run(
        session,
        scope.cases(
            select(CaseStep.case_id, CaseStep.procedure, CaseStep.step, CaseStep.done_on).order_by(
                CaseStep.case_id, CaseStep.done_on, CaseStep.id
            ),
            CaseStep.case_id,
            case_ids,
        ),
    ):
        steps.setdefault(cid, []).append(StepData(proc, step, done))
    out: dict[int, list[CaseData]] = {}
    for cid, hid, status, clue, cat, source, ident, elim, mode, rolled, no_labour, reviewed in case_rows:
        out.setdefault(hid, []).append(
            CaseData(
                id=cid,
                status=status,
                clue_date=clue,
                category=cat,
                source=source,
                identified_on=ident,
                eliminated_on=elim,
                elimination_mode=mode,
                rolled_back_on=rolled,
                no_labour=bool(no_labour),
                reviewed_on=reviewed,
                risks=tuple(risks.get(cid, ())),
                measures=tuple(measures.get(cid, ())),
                contacts=tuple(contacts.get(cid, ())),
                visits=tuple(visits.get(cid, ())),
                steps=tuple(steps.get(cid, ())),
            )
        )
    return {hid: tuple(v) for hid, v in out.items()}


def _numbers_like(session: Session, bases: Sequence[str]) -> list[Any]:
    """(id_number, household id) of every member whose number is one of the 18-digit ``bases``, a
    残疾人证号 built on one (more digits after: a range of the unique index on id_number, where a
    prefix test would read every member) or its old 15-digit form."""
    rows: list[Any] = []
    for chunk in _chunks(bases, 200):  # type: ignore[arg-type]
        old = [b[:6] + b[8:17] for b in chunk if b[6:8] == "19"]
        rows.extend(
            session.execute(
                select(Member.id_number, Member.household_id).where(
                    or_(
                        Member.id_number.in_(old),
                        *(and_(Member.id_number >= b, Member.id_number < b + ":") for b in chunk),
                    )
                )
            ).all()
        )
    return rows


def _duplicates(
    session: Session, scope: _Scope, members: dict[int, list[MemberData]]
) -> dict[str, tuple[int, ...]]:
    """Identity numbers (their 18-digit base) held in two or more households → those households,
    for the numbers the scope's members hold. One grouping query for the whole township; for given
    households, one query per 200 of their numbers (index ranges)."""
    base = func.upper(func.substr(Member.id_number, 1, 18))
    pair = select(Member.id_number, Member.household_id)
    if scope.household_ids is None:
        dup_bases = (
            select(base)
            .where(func.length(Member.id_number) >= 18)
            .group_by(base)
            .having(func.count(func.distinct(Member.household_id)) > 1)
        )
        rows = session.execute(pair.where(func.length(Member.id_number) >= 18, base.in_(dup_bases))).all()
        # old 15-digit numbers (rare): the same person as the 18-digit number they convert to
        old = session.execute(pair.where(func.length(Member.id_number) == 15)).all()
        if old:
            rows.extend(old)
            rows.extend(_numbers_like(session, sorted({b for n, _ in old if (b := base_id(n))})))
    else:
        wanted = sorted({b for ms in members.values() for m in ms if (b := base_id(m.id_number))})
        rows = _numbers_like(session, wanted)
    seen: dict[str, list[int]] = {}
    for number, hid in rows:
        b = base_id(number)
        if b:
            lst = seen.setdefault(b, [])
            if hid not in lst:
                lst.append(hid)
    return {k: tuple(sorted(v)) for k, v in seen.items() if len(v) > 1}


def rule_context(
    session: Session, today: dt.date | None = None, duplicates: dict | None = None
) -> RuleContext:
    """The rules' settings: today and the township's time limits (settings)."""
    limits = settings_service.deadline_rules(session)
    return RuleContext(
        today=today or dt.date.today(),
        duplicates=duplicates or {},
        identify_days=limits.identify_within_days,
        visit_days=round(limits.visit_every_months * 30.6),  # 1 → 31
        review_days=round(limits.review_every_months * 30.6),  # 3 → 92
        min_monitor_months=limits.eliminate_after_months,
    )


# ---------------------------------------------------------------------- running


def _exemptions(
    session: Session, household_ids: Sequence[int] | None
) -> dict[tuple[Any, ...], ExemptionInfo]:
    cols = (
        QualityExemption.rule_code,
        QualityExemption.household_id,
        QualityExemption.case_id,
        QualityExemption.member_id,
        QualityExemption.data_hash,
        QualityExemption.id,
        QualityExemption.reason,
        QualityExemption.exempted_by,
        QualityExemption.exempted_at,
    )
    if household_ids is None:
        rows = session.execute(select(*cols).order_by(QualityExemption.id)).all()
    else:
        rows = []
        for chunk in _chunks(list(household_ids)):
            rows.extend(
                session.execute(
                    select(*cols)
                    .where(QualityExemption.household_id.in_(chunk))
                    .order_by(QualityExemption.id)
                ).all()
            )
    return {tuple(r[:5]): ExemptionInfo(r[5], r[6], r[7], r[8]) for r in rows}  # the latest wins


def _views(
    loaded: _Loaded,
    ctx: RuleContext,
    exemptions: dict[tuple[Any, ...], ExemptionInfo],
    control: Control | None,
    rules: Sequence[Rule] = RULES,
) -> list[FindingView]:
    out: list[FindingView] = []
    total = len(loaded.households)
    for start in range(0, total, PROGRESS_CHUNK):
        if control is not None:
            control.report(start, total, f"正在核查 {start}/{total} 户…")
        for h in loaded.households[start : start + PROGRESS_CHUNK]:
            members = None
            for r in rules:
                for f in r.run(h, ctx):
                    if members is None:
                        members = {m.id: m.name for m in h.members}
                    digest = data_hash(f.data_key)
                    out.append(
                        FindingView(
                            finding=f,
                            rule=r,
                            village_id=loaded.village_of.get(h.id),
                            village=h.village or "",
                            group=h.group or "",
                            household_code=h.code or "",
                            head_name=h.head_name,
                            member_name=members.get(f.member_id, "") if f.member_id is not None else "",
                            data_hash=digest,
                            exemption=exemptions.get(
                                (f.rule_code, f.household_id, f.case_id, f.member_id, digest)
                            ),
                        )
                    )
    if control is not None:
        control.report(total, total, "核查完成")
    rank = {r.code: i for i, r in enumerate(RULES)}
    out.sort(key=lambda v: rank.get(v.rule_code, len(rank)))  # stable: village order within a rule
    return out


def run_all(
    session: Session,
    control: Control | None = None,
    village_id: int | None = None,
    today: dt.date | None = None,
    *,
    household_ids: Sequence[int] | None = None,
) -> QualityReport:
    """Every rule over every household (or one village's, or the given ones)."""
    started = time.perf_counter()
    scope = _Scope(
        village_id=village_id,
        household_ids=list(dict.fromkeys(household_ids)) if household_ids is not None else None,
    )
    loaded = _load(session, scope, control)
    ctx = rule_context(session, today, loaded.duplicates)
    ids = (
        None
        if scope.household_ids is None and scope.village_id is None
        else [h.id for h in loaded.households]
    )
    findings = _views(loaded, ctx, _exemptions(session, ids), control)
    return QualityReport(
        today=ctx.today,
        households=len(loaded.households),
        findings=findings,
        villages=loaded.villages,
        seconds=time.perf_counter() - started,
    )


def household_findings(
    session: Session, household_id: int, today: dt.date | None = None
) -> list[FindingView]:
    """One household's findings (the household editor after a save), exempted ones flagged."""
    return run_all(session, today=today, household_ids=[household_id]).findings


def case_findings(session: Session, case_id: int, today: dt.date | None = None) -> list[FindingView]:
    """The findings about one monitoring case (the case editor after a save)."""
    hid = session.scalar(select(MonitoringCase.household_id).where(MonitoringCase.id == case_id))
    if hid is None:
        return []
    return [f for f in household_findings(session, hid, today) if f.case_id == case_id]


# ---------------------------------------------------------------------- exemptions


def exempt(session: Session, finding: Finding | FindingView, reason: str) -> QualityExemption:
    """Waive ``finding`` with ``reason`` (required): it stays waived while the data it looked at is
    unchanged. Who: the database user; when: now. An existing exemption of the same data is returned."""
    if isinstance(finding, FindingView):
        finding = finding.finding
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", "请填写豁免理由：说明为什么这条核查结果不需要改正。")
    if finding.rule_code not in RULES_BY_CODE:
        raise UserError(f"没有编号为“{finding.rule_code}”的核查规则。")
    digest = data_hash(finding.data_key)
    existing = session.scalar(
        select(QualityExemption)
        .where(
            QualityExemption.rule_code == finding.rule_code,
            QualityExemption.household_id == finding.household_id,
            QualityExemption.case_id.is_(None)
            if finding.case_id is None
            else QualityExemption.case_id == finding.case_id,
            QualityExemption.member_id.is_(None)
            if finding.member_id is None
            else QualityExemption.member_id == finding.member_id,
            QualityExemption.data_hash == digest,
        )
        .order_by(QualityExemption.id.desc())
        .limit(1)
    )
    if existing is not None:
        return existing
    row = QualityExemption(
        rule_code=finding.rule_code,
        household_id=finding.household_id,
        case_id=finding.case_id,
        member_id=finding.member_id,
        data_hash=digest,
        reason=reason,
        exempted_by=str(session.info.get("user") or "系统")[:40],
        exempted_at=dt.datetime.now().replace(microsecond=0),
    )
    session.add(row)
    session.flush()
    return row


def unexempt(session: Session, exemption_id: int) -> None:
    """Withdraw an exemption: the finding shows again on the next run."""
    row = session.get(QualityExemption, exemption_id)
    if row is None:
        raise UserError("这条豁免记录已不存在（可能已被撤销）。")
    session.delete(row)
    session.flush()


@dataclass(frozen=True)
class ExemptionRow:
    id: int
    rule_code: str
    rule_title: str
    household_id: int | None
    case_id: int | None
    member_id: int | None
    reason: str
    exempted_by: str
    exempted_at: dt.datetime


def exemptions(session: Session, household_id: int | None = None) -> list[ExemptionRow]:
    """Every exemption (or one household's), newest first — also those that no longer apply."""
    stmt = select(QualityExemption).order_by(QualityExemption.exempted_at.desc(), QualityExemption.id.desc())
    if household_id is not None:
        stmt = stmt.where(QualityExemption.household_id == household_id)
    return [
        ExemptionRow(
            e.id,
            e.rule_code,
            RULES_BY_CODE[e.rule_code].title if e.rule_code in RULES_BY_CODE else e.rule_code,
            e.household_id,
            e.case_id,
            e.member_id,
            e.reason,
            e.exempted_by,
            e.exempted_at,
        )
        for e in session.scalars(stmt)
    ]


# ---------------------------------------------------------------------- summaries and files


def open_error_summary(report: QualityReport) -> str | None:
    """ "数据核查有 12 条错误未处理（身份信息 3 条、…）" for the open 错误 findings, else None."""
    errors = [f for f in report.findings if not f.exempted and f.severity == ERROR]
    if not errors:
        return None
    by_group = Counter(f.rule_group for f in errors)
    parts = "、".join(f"{g} {by_group[g]} 条" for g in GROUPS if by_group[g])
    households = len({f.household_id for f in errors})
    return f"数据核查有 {len(errors)} 条错误未处理（{parts}），涉及 {households} 户"


#: how many households the national export's warning names one by one
WARNING_HOUSEHOLDS = 8


def export_warnings(session: Session, today: dt.date | None = None) -> list[str]:
    """The national export's data-quality warning: the open 错误 findings of the households with a
    monitoring case (the ones the batches list), summed up, then the first households named."""
    hids = list(
        session.scalars(
            select(MonitoringCase.household_id)
            .where(MonitoringCase.status.in_(PENDING_CASE_STATUSES + MONITORED_CASE_STATUSES))
            .distinct()
        )
    )
    if not hids:
        return []
    report = run_all(session, today=today, household_ids=hids)
    summary = open_error_summary(report)
    if summary is None:
        return []
    lines = [f"监测户{summary}，请在“数据核查”中改正或豁免（不影响导出）"]
    errors: dict[int, list[FindingView]] = {}
    for f in report.findings:
        if not f.exempted and f.severity == ERROR:
            errors.setdefault(f.household_id, []).append(f)
    for items in list(errors.values())[:WARNING_HOUSEHOLDS]:
        first = items[0]
        more = f"（另有 {len(items) - 1} 条）" if len(items) > 1 else ""
        lines.append(f"{first.village}：{first.message}{more}")
    if len(errors) > WARNING_HOUSEHOLDS:
        lines.append(f"……另有 {len(errors) - WARNING_HOUSEHOLDS} 户，见“数据核查”")
    return lines


def export_findings_xlsx(
    session: Session,
    path: str | Path,
    village_id: int | None = None,
    *,
    report: QualityReport | None = None,
    include_exempted: bool = True,
    control: Control | None = None,
) -> Path:
    """The findings as xlsx to hand back for correction: one sheet per village (one village's
    file when ``village_id`` is given). The first row is the personal-data warning."""
    from fanpin_desktop.documents import findings_xlsx

    if report is None:
        report = run_all(session, control, village_id=village_id)
    findings = report.findings if include_exempted else report.open_findings
    if village_id is not None:
        findings = [f for f in findings if f.village_id == village_id]
    villages = report.villages if village_id is None else [v for v in report.villages if v[0] == village_id]
    if not villages:
        raise UserError("没有可导出的行政村。")
    by_village: dict[int | None, list[FindingView]] = {vid: [] for vid, _ in villages}
    for f in findings:
        by_village.setdefault(f.village_id, []).append(f)
    sheets = [
        findings_xlsx.VillageFindings(name, [_row(f) for f in by_village.get(vid, ())])
        for vid, name in villages
    ]
    return findings_xlsx.write_findings(Path(path), sheets, today=report.today)


def _row(f: FindingView) -> tuple[str, ...]:
    return (
        f.village,
        f.group,
        f.household_code,
        f.head_name,
        f.member_name,
        f.rule_code,
        f.title,
        f.severity,
        f.message,
        "是" if f.exempted else "否",
        f.exemption.reason if f.exemption else "",
    )


__all__ = [
    "ExemptionInfo",
    "ExemptionRow",
    "FindingView",
    "QualityReport",
    "RuleCount",
    "case_findings",
    "data_hash",
    "exempt",
    "exemptions",
    "export_findings_xlsx",
    "export_warnings",
    "household_findings",
    "open_error_summary",
    "rule_context",
    "run_all",
    "unexempt",
]
