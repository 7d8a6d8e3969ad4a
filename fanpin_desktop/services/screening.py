"""The concentrated screening's entry work: appendix 1 per household, appendix 2 per village.

The entry form (附件1 到户排查表) opens with every answer the data already implies pre-filled as a
suggestion (domain.appendix1); the clerk confirms or corrects. What the clerk changed against a
suggestion is kept in ``HouseholdScreening.overrides`` as ``{column: suggested value}``, so the
form and the exports can show it. Questions that do not concern the household are stored empty.
Saving with “该户是否应纳入监测对象 = 是” creates a monitoring-case clue (source 集中排查), and
taking the answer back removes the clue again while nobody has worked on it yet.

Households are visited in village → group → 户编号 order (``next_household_id``), which is also
the order of the paper forms and of the exports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import and_, exists, func, literal, select, tuple_
from sqlalchemy.orm import Session

from fanpin_desktop.domain import appendix1, enums, facts, yesno
from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.domain import income as income_rules
from fanpin_desktop.domain.cases import ACTIVE_CASE_STATUSES, CASE_CLUE, PENDING_CASE_STATUSES
from fanpin_desktop.domain.income import totals
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    Campaign,
    CaseRisk,
    CaseStep,
    Household,
    HouseholdScreening,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Problem,
    Village,
    VillageGroup,
    VillageScreening,
)
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import ledger
from fanpin_desktop.services import settings as settings_service

CLUE_SOURCE = "集中排查"
LEDGER_SOURCE = "集中排查"
SQL_CHUNK = 500
_LAST = 1 << 30
_LAST_TEXT = "\uffff"

TEXT_LIMIT = 500
MAX_HOUSEHOLD_SIZE = 50
MAX_INCOME = Decimal("10000000")

VILLAGE_FIELDS = (
    "monitoring_issues",
    "grid_issues",
    "scale_risk_issues",
    "policy_issues",
    "fund_issues",
    "construction_issues",
    "governance_issues",
    "other_issues",
    "remark",
)


# --------------------------------------------------------------------------- layout for a campaign


def layout_values(
    session: Session,
    campaign: Campaign,
    village: str = "",
    day: dt.date | None = None,
    blank_day: bool = False,
    township: str | None = None,
) -> dict[str, Any]:
    """Placeholder values for a campaign's layouts (year, income period, threshold, township …)."""
    amount = campaign.threshold.amount if campaign.threshold is not None else None
    return {
        "year": campaign.year,
        "income_period": f"{campaign_service.cn_date(campaign.income_period_start)}-"
        f"{campaign_service.cn_date(campaign.income_period_end)}",
        "threshold": campaign_service.amount_text(amount) if amount is not None else "  ",
        "township": settings_service.load(session).township if township is None else township,
        "village": village,
        "date": campaign_service.cn_date(day or dt.date.today(), blank_day=blank_day),
    }


def appendix1_layout(session: Session, campaign: Campaign) -> layouts.Layout:
    """Appendix 1's layout with the campaign's income period and threshold in the labels."""
    return layouts.load(1, campaign.year).render(**layout_values(session, campaign, township=""))


# --------------------------------------------------------------------------- household contexts


def _chunks(values: Sequence[int], size: int = SQL_CHUNK) -> Iterator[Sequence[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _income_facts(r: Any, members: int) -> appendix1.IncomeFacts:
    people = r.people_count or members
    t = totals(r.wage, r.business, r.property_income, r.transfer, r.business_cost, people)
    return appendix1.IncomeFacts(
        period_start=r.period_start,
        period_end=r.period_end,
        people=people,
        gross=t.gross,
        net=t.net,
        per_capita=t.per_capita,
        wage=Decimal(r.wage or 0),
        rigid_spending=Decimal(r.rigid_spending or 0),
    )


def _pick_income(records: list[Any], campaign: Campaign) -> int | None:
    """Index of the record for the campaign's income period: the exact period, else the latest
    one ending by the end of that period."""
    for i, r in enumerate(records):
        if r.period_start == campaign.income_period_start:
            return i
    best = None
    for i, r in enumerate(records):
        if r.period_end <= campaign.income_period_end:
            best = i
    return best


def _in_year(m: Any, year: int) -> bool:
    if m.year is not None:
        return m.year == year
    return m.start_date is not None and m.start_date.year == year


def contexts(
    session: Session, campaign: Campaign, household_ids: Sequence[int]
) -> dict[int, appendix1.ScreeningContext]:
    """The rules' view of each household, loaded in a few chunked queries (import, prefill)."""
    on = campaign.start_date
    threshold = campaign.threshold.amount if campaign.threshold is not None else None
    out: dict[int, appendix1.ScreeningContext] = {}
    ids = list(dict.fromkeys(household_ids))
    # Core rows (attribute access by column name) instead of ORM objects: the rules only read them,
    # and skipping the identity map halves the time for a whole village or township.
    for chunk in _chunks(ids):
        households = {
            h.id: h
            for h in session.execute(
                select(Household.id, Household.household_type, Household.poverty_exit_year).where(
                    Household.id.in_(chunk)
                )
            )
        }
        members: dict[int, list[Any]] = defaultdict(list)
        for m in session.execute(
            select(Member.__table__)
            .where(Member.household_id.in_(chunk))
            .order_by(Member.household_id, Member.sort_order, Member.id)
        ):
            members[m.household_id].append(m)
        incomes: dict[int, list[Any]] = defaultdict(list)
        for r in session.execute(
            select(IncomeRecord.__table__)
            .where(IncomeRecord.household_id.in_(chunk))
            .order_by(IncomeRecord.household_id, IncomeRecord.period_start)
        ):
            incomes[r.household_id].append(r)
        cases: dict[int, list[Any]] = defaultdict(list)
        for c in session.execute(
            select(
                MonitoringCase.id, MonitoringCase.household_id, MonitoringCase.status, MonitoringCase.category
            )
            .where(MonitoringCase.household_id.in_(chunk))
            .order_by(MonitoringCase.household_id, MonitoringCase.clue_date, MonitoringCase.id)
        ):
            cases[c.household_id].append(c)
        active_ids = [c.id for cs in cases.values() for c in cs if c.status in ACTIVE_CASE_STATUSES]
        risks: dict[int, list[str]] = defaultdict(list)
        if active_ids:
            for cid, rtype in session.execute(
                select(CaseRisk.case_id, CaseRisk.risk_type)
                .where(CaseRisk.case_id.in_(active_ids))
                .order_by(CaseRisk.case_id, CaseRisk.position)
            ):
                risks[cid].append(rtype)
        measures: dict[int, list[Any]] = defaultdict(list)
        for m in session.execute(
            select(Measure.household_id, Measure.case_id, Measure.year, Measure.start_date).where(
                Measure.household_id.in_(chunk)
            )
        ):
            measures[m.household_id].append(m)

        for hid in chunk:
            h = households.get(hid)
            if h is None:
                continue
            ms = members[hid]
            people = facts.household_facts(ms, on)
            recs = incomes[hid]
            idx = _pick_income(recs, campaign)
            income = _income_facts(recs[idx], people.size) if idx is not None else None
            earlier = tuple(_income_facts(r, people.size) for r in recs[:idx]) if idx is not None else ()
            hcases = cases[hid]
            active = [c for c in hcases if c.status in ACTIVE_CASE_STATUSES]
            latest = active[-1] if active else None
            active_case_ids = {c.id for c in active}
            n_measures = sum(
                1 for m in measures[hid] if _in_year(m, campaign.year) or m.case_id in active_case_ids
            )
            out[hid] = appendix1.ScreeningContext(
                household_type=h.household_type or appendix1.ORDINARY,
                poverty_exit_year=h.poverty_exit_year,
                people=people,
                on=on,
                income=income,
                earlier_incomes=earlier,
                threshold=threshold,
                case_statuses=tuple(c.status for c in hcases),
                active_case_category=latest.category if latest else None,
                active_case_risks=tuple(r for c in active for r in risks[c.id]),
                measure_count=n_measures,
                member_medical=tuple(
                    (m.name, bool(m.ins_resident_medical or m.ins_employee_medical)) for m in ms
                ),
            )
    return out


def context(session: Session, campaign: Campaign, household_id: int) -> appendix1.ScreeningContext:
    found = contexts(session, campaign, [household_id])
    if household_id not in found:
        raise UserError("该农户已不存在（可能已被删除），请刷新后重试。")
    return found[household_id]


# --------------------------------------------------------------------------- the form


@dataclass
class QuestionState:
    """One question of the entry form as the form shows it."""

    key: str
    label: str
    group: tuple[str, ...]  # enclosing group labels on paper, outermost first
    kind: str  # bool / int / money / choice / text
    choices: tuple[str, ...]
    applicable: bool
    who: str  # who answers it, when not every household ("脱贫户")
    depends_on: tuple[str, ...]
    value: Any  # the answer: saved, else the suggestion
    suggestion: Any  # what the data implies now (None: nothing)
    reason: str  # why the suggestion
    overridden: bool  # the saved answer differs from the suggestion made when it was saved
    suggested_then: Any  # that earlier suggestion, from the overrides record

    @property
    def differs(self) -> bool:
        """Answer and current suggestion disagree (overridden, or the data changed since)."""
        return (
            self.value is not None
            and self.suggestion is not None
            and not appendix1.same(self.value, self.suggestion)
        )


@dataclass
class HouseholdForm:
    campaign_id: int
    household_id: int
    record_id: int | None  # None: not yet screened
    village_id: int
    village: str
    group: str
    head_name: str
    household_code: str
    phone: str
    screened_on: dt.date | None
    screener: str
    questions: list[QuestionState]
    context: appendix1.ScreeningContext = field(repr=False)
    clue_case_id: int | None = None  # the open clue or case of this household, if any

    def question(self, key: str) -> QuestionState:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def answers(self) -> dict[str, Any]:
        return {q.key: q.value for q in self.questions}

    def applicability(self, answers: Mapping[str, Any]) -> dict[str, bool]:
        """Re-evaluate which questions apply after the clerk changed ``answers`` (no database)."""
        return appendix1.applicability(self.context, answers)

    def unanswered(self, answers: Mapping[str, Any] | None = None) -> list[str]:
        return appendix1.unanswered(self.context, answers if answers is not None else self.answers())


def _choices(q: appendix1.Question, year: int) -> tuple[str, ...]:
    if q.kind == "choice" and q.enum:
        return tuple(enums.for_year(year).values(q.enum))
    return ()


def _record(session: Session, campaign_id: int, household_id: int) -> HouseholdScreening | None:
    return session.scalar(
        select(HouseholdScreening).where(
            HouseholdScreening.campaign_id == campaign_id, HouseholdScreening.household_id == household_id
        )
    )


def _open_case_id(session: Session, household_id: int) -> int | None:
    return session.scalar(
        select(MonitoringCase.id)
        .where(
            MonitoringCase.household_id == household_id,
            MonitoringCase.status.in_(PENDING_CASE_STATUSES + ACTIVE_CASE_STATUSES),
        )
        .order_by(MonitoringCase.id.desc())
        .limit(1)
    )


def _head_name(members: Iterable[facts.MemberFacts]) -> str:
    return next((m.name for m in members if m.is_head), "")


def load_form(session: Session, campaign_id: int | None, household_id: int) -> HouseholdForm:
    """The entry form of one household: saved answers, or suggestions for a new record."""
    campaign = campaign_service.resolve(session, campaign_id)
    h = session.get(Household, household_id)
    if h is None:
        raise UserError("该农户已不存在（可能已被删除），请刷新后重试。")
    ctx = context(session, campaign, household_id)
    layout = appendix1_layout(session, campaign)
    rec = _record(session, campaign.id, household_id)
    suggested = appendix1.suggestions(ctx)
    if rec is not None:
        answers = {k: getattr(rec, k) for k in appendix1.ANSWER_KEYS}
        overrides = dict(rec.overrides or {})
    else:
        answers = appendix1.initial_answers(ctx)
        overrides = {}
    applies = appendix1.applicability(ctx, answers)
    states = []
    for q in appendix1.QUESTIONS:
        col = layout.column(q.key)
        s = suggested.get(q.key)
        states.append(
            QuestionState(
                key=q.key,
                label=col.label,
                group=col.path,
                kind=q.kind,
                choices=_choices(q, campaign.year),
                applicable=applies[q.key],
                who=q.who,
                depends_on=q.depends_on,
                value=answers.get(q.key),
                suggestion=s.value if s else None,
                reason=s.reason if s else "",
                overridden=q.key in overrides,
                suggested_then=overrides.get(q.key),
            )
        )
    return HouseholdForm(
        campaign_id=campaign.id,
        household_id=h.id,
        record_id=rec.id if rec else None,
        village_id=h.village_id,
        village=h.village.name,
        group=h.group.name if h.group else "",
        head_name=_head_name(ctx.people.members),
        household_code=h.code or "",
        phone=h.phone or "",
        screened_on=rec.screened_on if rec else None,
        screener=(rec.screener or "") if rec else "",
        questions=states,
        context=ctx,
        clue_case_id=_open_case_id(session, h.id),
    )


# --------------------------------------------------------------------------- validation


def _label(labels: Mapping[str, str], key: str) -> str:
    return labels.get(key, key)


class AnswerError(ValidationError):
    """An answer that cannot be stored; ``reason`` is the message without the question's label
    (the importer puts row, column and value in front of it)."""

    def __init__(self, key: str, label: str, reason: str, value: Any = None) -> None:
        super().__init__(
            key, f"{label}：“{value}”{reason}" if value not in (None, "") else f"{label}：{reason}"
        )
        self.reason = reason


def clean_answer(q: appendix1.Question, value: Any, label: str, year: int) -> Any:
    """The stored form of one answer, or AnswerError naming the question and the reason."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if q.kind == "bool":
        if isinstance(value, bool):
            return value
        answer = yesno.parse(str(value))
        if answer is not None:
            return answer
        raise AnswerError(q.key, label, "应填“是”或“否”", value)
    if q.kind == "int":
        try:
            number = Decimal(str(value).strip())
            n = int(number)
            if number != n:
                raise ValueError
        except (InvalidOperation, ValueError):
            raise AnswerError(q.key, label, "不是整数", value) from None
        if not 1 <= n <= MAX_HOUSEHOLD_SIZE:
            raise AnswerError(q.key, label, f"应在1到{MAX_HOUSEHOLD_SIZE}之间", value)
        return n
    if q.kind == "money":
        if isinstance(value, bool):
            raise AnswerError(q.key, label, "不是有效的金额", value)
        try:
            amount = Decimal(str(value).strip().replace(",", "").replace("，", "").removesuffix("元"))
        except InvalidOperation:
            raise AnswerError(q.key, label, "不是有效的金额", value) from None
        if not amount.is_finite() or abs(amount) >= MAX_INCOME:
            raise AnswerError(q.key, label, "金额超出合理范围", value)
        if amount < 0:
            raise AnswerError(q.key, label, income_rules.NEGATIVE_REASON, value)
        return amount.quantize(Decimal("0.01"))
    if q.kind == "choice":
        assert q.enum
        canonical = enums.for_year(year).canonical(q.enum, str(value))
        if canonical is None:
            allowed = "、".join(enums.for_year(year).values(q.enum))
            raise AnswerError(q.key, label, f"应为{allowed}之一", value)
        return canonical
    text = str(value).strip()
    if len(text) > TEXT_LIMIT:
        raise AnswerError(q.key, label, f"不能超过{TEXT_LIMIT}个字（现有{len(text)}个字）")
    return text


def answer_warnings(answers: Mapping[str, Any], labels: Mapping[str, str]) -> list[tuple[str, str]]:
    """(question, message) for cleaned answers that are allowed but look like typing slips (a
    人均纯收入 typed in 分 or with an extra 0): the form asks the clerk to confirm them, the
    importer lists them as 提示."""
    out = []
    amount = answers.get("per_capita_income")
    if isinstance(amount, Decimal):
        message = income_rules.implausible_per_capita(_label(labels, "per_capita_income"), amount)
        if message:
            out.append(("per_capita_income", message))
    return out


def clean_answers(answers: Mapping[str, Any], labels: Mapping[str, str], year: int) -> dict[str, Any]:
    unknown = set(answers) - set(appendix1.ANSWER_KEYS)
    if unknown:
        raise KeyError(f"unknown appendix 1 answers: {sorted(unknown)}")
    return {
        k: clean_answer(appendix1.BY_KEY[k], answers.get(k), _label(labels, k), year)
        for k in appendix1.ANSWER_KEYS
    }


def _check_date(day: Any, campaign: Campaign) -> dt.date:
    if isinstance(day, dt.datetime):
        day = day.date()
    if not isinstance(day, dt.date):
        raise ValidationError("screened_on", "排查日期不能为空。")
    if day > dt.date.today():
        raise ValidationError("screened_on", f"排查日期 {day} 晚于今天。")
    if day < campaign.income_period_start:
        raise ValidationError("screened_on", f"排查日期 {day} 早于本批次的收入统计期。")
    return day


# --------------------------------------------------------------------------- saving


@dataclass(frozen=True)
class SaveResult:
    record_id: int
    created: bool  # a new record (the household was not screened before)
    overrides: dict[str, Any]  # {column: suggested value} the clerk changed
    cleared: tuple[str, ...]  # answers dropped because the question does not apply
    clue_case_id: int | None  # the household's open clue or case after saving
    clue_created: bool
    clue_removed: bool


def apply_answers(
    session: Session,
    campaign: Campaign,
    household_id: int,
    ctx: appendix1.ScreeningContext,
    cleaned: dict[str, Any],
    screened_on: dt.date,
    screener: str | None,
    rec: HouseholdScreening | None,
) -> SaveResult:
    answers, cleared = appendix1.clear_inapplicable(ctx, cleaned)
    applies = appendix1.applicability(ctx, answers)
    over = appendix1.overrides(appendix1.suggestions(ctx), answers, applies)
    created = rec is None
    if rec is None:
        rec = HouseholdScreening(campaign_id=campaign.id, household_id=household_id)
        session.add(rec)
    for k in appendix1.ANSWER_KEYS:
        setattr(rec, k, answers[k])
    rec.screened_on = screened_on
    rec.screener = (screener or "").strip()[:60] or None
    if (rec.overrides or {}) != over:
        rec.overrides = over
    session.flush()
    case_id, made, removed = _sync_clue(
        session,
        campaign,
        household_id,
        answers.get("should_monitor"),
        screened_on,
        answers.get("difficulties"),
    )
    return SaveResult(rec.id, created, over, tuple(cleared), case_id, made, removed)


def save_form(
    session: Session,
    campaign_id: int | None,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None = None,
) -> SaveResult:
    """Validate and store one household's appendix 1 answers (keys: HouseholdScreening columns,
    including ``method``). Missing keys count as unanswered."""
    campaign = campaign_service.resolve(session, campaign_id)
    layout = appendix1_layout(session, campaign)
    labels = {c.key: c.label for c in layout.columns}
    full = {k: answers.get(k) for k in appendix1.ANSWER_KEYS}
    extra = set(answers) - set(appendix1.ANSWER_KEYS)
    if extra:
        raise KeyError(f"unknown appendix 1 answers: {sorted(extra)}")
    cleaned = clean_answers(full, labels, campaign.year)
    if cleaned["method"] is None:
        raise ValidationError("method", f"{labels['method']}：请选择入户排查或电话核查。")
    if cleaned["household_size"] is None:
        raise ValidationError("household_size", f"{labels['household_size']}不能为空。")
    if cleaned["household_type"] is None:
        raise ValidationError("household_type", f"{labels['household_type']}不能为空。")
    day = _check_date(screened_on, campaign)
    ctx = context(session, campaign, household_id)
    return apply_answers(
        session,
        campaign,
        household_id,
        ctx,
        cleaned,
        day,
        screener,
        _record(session, campaign.id, household_id),
    )


def delete_form(session: Session, campaign_id: int, household_id: int) -> bool:
    """Remove a household's record (back to 未排查); its untouched clue goes too."""
    campaign = campaign_service.get(session, campaign_id)
    rec = _record(session, campaign_id, household_id)
    if rec is None:
        return False
    session.delete(rec)
    session.flush()
    _sync_clue(session, campaign, household_id, None, None, None)
    return True


def _sync_clue(
    session: Session,
    campaign: Campaign,
    household_id: int,
    should_monitor: bool | None,
    day: dt.date | None,
    difficulties: str | None,
) -> tuple[int | None, bool, bool]:
    open_id = _open_case_id(session, household_id)
    if should_monitor is True:
        if open_id is not None:
            return open_id, False, False
        note = "集中排查认为该户应纳入监测对象" + (f"；困难和诉求：{difficulties}" if difficulties else "")
        case = MonitoringCase(
            household_id=household_id,
            campaign_id=campaign.id,
            source=CLUE_SOURCE,
            status=CASE_CLUE,
            clue_date=day or dt.date.today(),
            note=note,
        )
        session.add(case)
        session.flush()
        return case.id, True, False
    # the answer was taken back: drop this screening's clue if nobody has worked on it yet
    stale = session.scalar(
        select(MonitoringCase).where(
            MonitoringCase.household_id == household_id,
            MonitoringCase.campaign_id == campaign.id,
            MonitoringCase.source == CLUE_SOURCE,
            MonitoringCase.status == CASE_CLUE,
            ~exists().where(CaseStep.case_id == MonitoringCase.id),
        )
    )
    if stale is not None:
        session.delete(stale)
        session.flush()
        return _open_case_id(session, household_id), False, True
    return open_id, False, False


def send_to_ledger(
    session: Session,
    campaign_id: int | None,
    household_id: int,
    *,
    problem_type: str,
    description: str,
    measure: str | None = None,
    responsible: str | None = None,
    deadline: dt.date | None = None,
    on_the_spot: bool = False,
    found_on: dt.date | None = None,
) -> Problem:
    """A difficulty or problem seen during the household's screening, as a 户-level ledger item."""
    campaign = campaign_service.resolve(session, campaign_id)
    return ledger.create(
        session,
        level=ledger.LEVEL_HOUSEHOLD,
        household_id=household_id,
        campaign_id=campaign.id,
        problem_type=problem_type,
        description=description,
        measure=measure,
        responsible=responsible,
        deadline=deadline,
        on_the_spot=on_the_spot,
        found_on=found_on,
        source=LEDGER_SOURCE,
        year=campaign.year,
    )


# --------------------------------------------------------------------------- household order


def _order_columns() -> tuple[Any, ...]:
    return (
        Village.sort_order,
        Village.id,
        func.coalesce(VillageGroup.sort_order, _LAST),
        func.coalesce(Household.group_id, _LAST),
        func.coalesce(Household.code, _LAST_TEXT),
        Household.id,
    )


def _ordered_households(campaign: Campaign, village_ids: Sequence[int], village_id: int | None) -> Any:
    stmt = (
        select(Household.id)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
    )
    if village_id is not None:
        stmt = stmt.where(Household.village_id == village_id)
    else:
        stmt = stmt.where(Household.village_id.in_(village_ids))
    return stmt


def _unscreened(campaign_id: int) -> Any:
    return ~exists().where(
        HouseholdScreening.household_id == Household.id, HouseholdScreening.campaign_id == campaign_id
    )


def next_household_id(
    session: Session,
    campaign_id: int | None,
    after_household_id: int | None = None,
    *,
    village_id: int | None = None,
    unscreened_only: bool = False,
    backwards: bool = False,
) -> int | None:
    """The household after (or before) ``after_household_id`` in village → group → 户编号 order,
    within one village or the campaign's villages; the first one when ``after_household_id`` is None.

    Searches the current household's village first (an indexed range of at most a few thousand
    rows), then the following villages one by one, so it stays fast on a 20,000-household township.
    """
    campaign = campaign_service.resolve(session, campaign_id)
    villages = [village_id] if village_id is not None else campaign_service.village_ids(session, campaign)
    if backwards:
        villages = villages[::-1]
    cols = _order_columns()[2:]  # within a village: group, 户编号, id
    order = [c.desc() for c in cols] if backwards else list(cols)
    start = 0
    here = None
    if after_household_id is not None:
        key = session.execute(
            select(Household.village_id, *cols)
            .select_from(Household)
            .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
            .where(Household.id == after_household_id)
        ).one_or_none()
        if key is not None and key[0] in villages:
            start = villages.index(key[0])
            here = tuple_(*[literal(v) for v in key[1:]])
    for i in range(start, len(villages)):
        stmt = (
            select(Household.id)
            .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
            .where(Household.village_id == villages[i])
        )
        if unscreened_only:
            stmt = stmt.where(_unscreened(campaign.id))
        if here is not None and i == start:
            stmt = stmt.where(tuple_(*cols) < here if backwards else tuple_(*cols) > here)
        found = session.scalar(stmt.order_by(*order).limit(1))
        if found is not None:
            return found
    return None


def household_ids_in_order(
    session: Session, campaign_id: int | None, village_id: int | None = None
) -> list[int]:
    campaign = campaign_service.resolve(session, campaign_id)
    stmt = _ordered_households(campaign, campaign_service.village_ids(session, campaign), village_id)
    return list(session.scalars(stmt.order_by(*_order_columns())))


def save_and_next(
    session: Session,
    campaign_id: int | None,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None = None,
    village_id: int | None = None,
    unscreened_only: bool = False,
) -> tuple[SaveResult, HouseholdForm | None]:
    """Save this household and open the next one in order (None after the last)."""
    result = save_form(
        session, campaign_id, household_id, answers, screened_on=screened_on, screener=screener
    )
    nxt = next_household_id(
        session, campaign_id, household_id, village_id=village_id, unscreened_only=unscreened_only
    )
    return result, (load_form(session, campaign_id, nxt) if nxt is not None else None)


# --------------------------------------------------------------------------- appendix 1 rows


def _head_subquery() -> Any:
    return (
        select(Member.household_id.label("hid"), func.min(Member.name).label("name"))
        .where(Member.relation == facts.HEAD)
        .group_by(Member.household_id)
        .subquery()
    )


def _size_subquery() -> Any:
    return (
        select(Member.household_id.label("hid"), func.count().label("n"))
        .group_by(Member.household_id)
        .subquery()
    )


def appendix1_rows(
    session: Session,
    campaign: Campaign,
    village_id: int | None = None,
    include_unscreened: bool = True,
) -> Iterator[dict[str, Any]]:
    """One dict per household in paper order: identity columns, then the saved answers (or only
    household size and type from the registry for a household not yet screened). ``household_id``
    and ``screened`` are included for the importer's key column and for highlighting."""
    head, size = _head_subquery(), _size_subquery()
    rec = HouseholdScreening
    answer_cols = [getattr(rec, k) for k in appendix1.ANSWER_KEYS]
    stmt = (
        select(
            Household.id,
            Household.household_type,
            Village.name,
            VillageGroup.name,
            head.c.name,
            size.c.n,
            rec.id,
            rec.overrides,
            *answer_cols,
        )
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
        .outerjoin(head, head.c.hid == Household.id)
        .outerjoin(size, size.c.hid == Household.id)
        .outerjoin(rec, and_(rec.household_id == Household.id, rec.campaign_id == campaign.id))
    )
    if village_id is not None:
        stmt = stmt.where(Household.village_id == village_id)
    else:
        stmt = stmt.where(Household.village_id.in_(campaign_service.village_ids(session, campaign)))
    if not include_unscreened:
        stmt = stmt.where(rec.id.is_not(None))
    stmt = stmt.order_by(*_order_columns())
    n_fixed = 8
    for row in session.execute(stmt):
        hid, htype, vname, gname, hname, n, rid, over = row[:n_fixed]
        values = dict(zip(appendix1.ANSWER_KEYS, row[n_fixed:], strict=True))
        if rid is None:
            values = {k: None for k in appendix1.ANSWER_KEYS}
            values["household_size"] = n or None
            values["household_type"] = htype
        values.update(
            household_id=hid,
            village_group=f"{vname}{gname or ''}",
            village=vname,
            group=gname or "",
            head_name=hname or "",
            screened=rid is not None,
            overrides=over or {},
        )
        yield values


# --------------------------------------------------------------------------- appendix 2 (村级排查表)


def load_village_screening(session: Session, campaign_id: int | None, village_id: int) -> dict[str, str]:
    campaign = campaign_service.resolve(session, campaign_id)
    rec = session.scalar(
        select(VillageScreening).where(
            VillageScreening.campaign_id == campaign.id, VillageScreening.village_id == village_id
        )
    )
    return {k: (getattr(rec, k) or "") if rec else "" for k in VILLAGE_FIELDS}


def save_village_screening(
    session: Session, campaign_id: int | None, village_id: int, texts: Mapping[str, Any]
) -> VillageScreening:
    unknown = set(texts) - set(VILLAGE_FIELDS)
    if unknown:
        raise KeyError(f"unknown appendix 2 fields: {sorted(unknown)}")
    campaign = campaign_service.resolve(session, campaign_id)
    if session.get(Village, village_id) is None:
        raise UserError("该行政村已不存在，请刷新后重试。")
    layout = layouts.load(2, campaign.year)
    rec = session.scalar(
        select(VillageScreening).where(
            VillageScreening.campaign_id == campaign.id, VillageScreening.village_id == village_id
        )
    )
    if rec is None:
        rec = VillageScreening(campaign_id=campaign.id, village_id=village_id)
        session.add(rec)
    for k, v in texts.items():
        text = str(v or "").strip()
        if len(text) > 2000:
            raise ValidationError(k, f"{layout.column(k).label}：不能超过2000个字。")
        if (getattr(rec, k) or "") != text:
            setattr(rec, k, text or None)
    session.flush()
    return rec


def appendix2_rows(
    session: Session, campaign: Campaign, village_id: int | None = None
) -> list[dict[str, Any]]:
    township = settings_service.load(session).township
    ids = [village_id] if village_id is not None else campaign_service.village_ids(session, campaign)
    names = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(ids))).all())
    recs = {
        r.village_id: r
        for r in session.scalars(
            select(VillageScreening).where(
                VillageScreening.campaign_id == campaign.id, VillageScreening.village_id.in_(ids)
            )
        )
    }
    out = []
    for vid in ids:
        if vid not in names:
            continue
        r = recs.get(vid)
        row: dict[str, Any] = {k: (getattr(r, k) if r else None) for k in VILLAGE_FIELDS}
        row.update(village_id=vid, township=township, village=names[vid])
        out.append(row)
    return out


# --------------------------------------------------------------------------- what the window shows
#
# The window reads through these (one read-only unit each) and never holds an ORM object: each
# takes ids and returns plain rows, so a page needs no Session of its own.


def appendix1_list(session: Session, campaign_id: int, village_id: int | None = None) -> list[dict[str, Any]]:
    """The appendix 1 list of the screening page (every household, screened or not)."""
    return list(appendix1_rows(session, campaign_service.get(session, campaign_id), village_id))


@dataclass(frozen=True)
class VillageSheet:
    """The appendix 2 tab: the layout of the campaign's year and one row per covered village."""

    layout: layouts.Layout
    rows: list[dict[str, Any]]


def appendix2_sheet(session: Session, campaign_id: int) -> VillageSheet:
    campaign = campaign_service.get(session, campaign_id)
    return VillageSheet(layouts.load(2, campaign.year), appendix2_rows(session, campaign))


def appendix3_layout(session: Session, campaign_id: int) -> layouts.Layout:
    """Appendix 3's layout with the campaign's figures in its labels (the statistics tab)."""
    campaign = campaign_service.get(session, campaign_id)
    return layouts.load(3, campaign.year).render(**layout_values(session, campaign, township=""))


@dataclass(frozen=True)
class FormStart:
    """What the entry form needs to open: the campaign, the households in paper order, the first
    household's form."""

    campaign: campaign_service.CampaignInfo
    sequence: list[int]
    village_name: str
    form: HouseholdForm


def form_start(
    session: Session,
    campaign_id: int | None,
    household_id: int | None,
    village_id: int | None = None,
    unscreened_only: bool = False,
) -> FormStart:
    """The entry form on ``household_id``, or on the first household (not yet screened, when
    ``unscreened_only``; any household when all are screened) of the village or township."""
    campaign = campaign_service.resolve(session, campaign_id)
    sequence = household_ids_in_order(session, campaign.id, village_id)
    village = session.get(Village, village_id) if village_id is not None else None
    if household_id is None:
        household_id = next_household_id(
            session, campaign.id, None, village_id=village_id, unscreened_only=unscreened_only
        )
        if household_id is None and unscreened_only:
            household_id = next_household_id(session, campaign.id, None, village_id=village_id)
    if household_id is None:
        raise UserError("所选范围内没有农户，无法录入到户排查表。")
    return FormStart(
        campaign_service.info(session, campaign.id),
        list(sequence),
        village.name if village is not None else "",
        load_form(session, campaign.id, household_id),
    )


def save_and_reload(
    session: Session,
    campaign_id: int | None,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None = None,
) -> tuple[SaveResult, HouseholdForm]:
    """Save a household's form and read it back as saved (the form stays on it)."""
    result = save_form(
        session, campaign_id, household_id, answers, screened_on=screened_on, screener=screener
    )
    return result, load_form(session, campaign_id, household_id)


def save_and_open_next(
    session: Session,
    campaign_id: int | None,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None = None,
    village_id: int | None = None,
    unscreened_only: bool = False,
) -> tuple[SaveResult, HouseholdForm, bool]:
    """``save_and_next``, staying on the saved household after the last one: (result, form to
    show, whether it was the last)."""
    result, nxt = save_and_next(
        session,
        campaign_id,
        household_id,
        answers,
        screened_on=screened_on,
        screener=screener,
        village_id=village_id,
        unscreened_only=unscreened_only,
    )
    if nxt is None:
        return result, load_form(session, campaign_id, household_id), True
    return result, nxt, False
