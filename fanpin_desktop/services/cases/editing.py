"""Every change a clerk makes to a monitoring case (监测对象): opening it, its facts, each step of
identification and risk elimination, measures, contacts, visits, quarterly reviews, rollback and
re-identification.

Each function checks everything first (the pure rules of ``domain/procedure.py``) and writes only
when every check has passed, so a ``ValidationError`` leaves the session as it was. Nothing here
commits: the caller's unit of work does. All writes go through the ORM, so the audit trail sees
them.

Choices the rules leave open:

* A refused elimination step (结果 不予认定) ends that elimination attempt: the case goes back to
  its monitored status (已纳入, or 已回退 when the case was rolled back before) and its steps stay in
  the history. A later attempt starts again at 村提名; only the steps after the latest refusal
  count as the current attempt. After a rollback the same holds for the steps dated on or before
  the rollback: a new attempt's steps are dated after it.
* A rollback keeps ``eliminated_on`` and ``elimination_mode`` as history (the statistics count
  eliminations by ``status == 已消除``, rollbacks by ``rolled_back_on``).
* ``remove_last_step`` derives the status and dates again from the steps that remain.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import enums
from fanpin_desktop.domain import procedure as rules
from fanpin_desktop.domain.cases import (
    ACTIVE_CASE_STATUSES,
    CASE_CLUE,
    CASE_ELIMINATED,
    CASE_ELIMINATING,
    CASE_IDENTIFYING,
    CASE_INCLUDED,
    CASE_NOT_INCLUDED,
    CASE_ROLLED_BACK,
)
from fanpin_desktop.domain.facts import household_facts
from fanpin_desktop.domain.procedure import (
    COUNTY_DECISION,
    ELIMINATION,
    EXCLUSIONS,
    IDENTIFICATION,
    PROCEDURE_LABELS,
    PUBLICITY,
    CaseFacts,
    Risk,
    SpecialDecision,
    StepEntry,
    split_people,
)
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import (
    Campaign,
    CaseStep,
    Contact,
    Household,
    Measure,
    Member,
    MonitoringCase,
    Visit,
)
from fanpin_desktop.models.monitoring import CaseRisk
from fanpin_desktop.services import calendar as calendar_service
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.cases.types import (
    STATUS_LABELS,
    CaseFactsInput,
    ContactInput,
    MeasureInput,
    StepInput,
    VisitInput,
)
from fanpin_desktop.services.households.income import ThresholdCache, latest_income

_EN = enums.current()
_Row = TypeVar("_Row", Measure, Contact, Visit)
MEASURE_CATEGORIES: tuple[str, ...] = tuple(_EN.values("measure_categories"))
DEVELOPMENT_MEASURES: frozenset[str] = frozenset(_EN.values("development_measures"))
VISIT_MODES: tuple[str, ...] = tuple(_EN.values("visit_modes"))

#: a household has at most one case in any other status (being identified or monitored)
CLOSED_STATUSES = (CASE_ELIMINATED, CASE_NOT_INCLUDED)
LOCAL = "本地"
#: the last step of either procedure (recording in the national system)
SYSTEM_ENTRY = rules.IDENTIFICATION_STEPS[-1]

_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")

# column lengths (models/monitoring.py)
_PEOPLE_MAX = 80
_RESULT_MAX = 20
_UNIT_MAX = 80
_NAME_MAX = 40
_PHONE_MAX = 20
_VISITOR_MAX = 60
_INCOME_CHANGE_MAX = 200


# --------------------------------------------------------------------------- small helpers


def _d(day: dt.date) -> str:
    return f"{day:%Y-%m-%d}"


def _case(session: Session, case_id: int) -> MonitoringCase:
    case = session.get(MonitoringCase, case_id)
    if case is None:
        raise UserError("监测对象记录不存在（可能已被删除或在另一个窗口中更改），请刷新后重试。")
    return case


def _label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def _text(
    value: str | None, field: str, label: str, max_len: int | None = None, *, required: bool = False
) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(field, f"请填写{label}。")
    if max_len is not None and len(text) > max_len:
        raise ValidationError(field, f"{label}最多{max_len}个字，现有{len(text)}个字。")
    return text


def _not_future(day: dt.date, field: str, label: str, today: dt.date) -> None:
    if day > today:
        raise ValidationError(field, f"{label}（{_d(day)}）不能晚于今天（{_d(today)}）。")


def _open_case_of(session: Session, household_id: int, exclude: int | None = None) -> MonitoringCase | None:
    """The household's case being identified or monitored (not 已消除 / 不纳入), newest first."""
    stmt = (
        select(MonitoringCase)
        .where(MonitoringCase.household_id == household_id, MonitoringCase.status.not_in(CLOSED_STATUSES))
        .order_by(MonitoringCase.clue_date.desc(), MonitoringCase.id.desc())
    )
    return next((c for c in session.scalars(stmt) if c.id != exclude), None)


def _refuse_second_open_case(session: Session, household_id: int, exclude: int | None = None) -> None:
    other = _open_case_of(session, household_id, exclude)
    if other is not None:
        raise ValidationError(
            "household",
            f"本户已有一条未办结的监测记录（{_label(other.status)}，发现线索日期{_d(other.clue_date)}），"
            "请在该记录中继续办理，不能再新建。",
        )


def _exclusion_keys(text: str | None) -> list[str]:
    return [k for k in (text or "").split(",") if k]


def _entry(step: CaseStep) -> StepEntry:
    return StepEntry(
        step=step.step,
        done_on=step.done_on,
        people=split_people(step.people),
        result=step.result,
        note=step.note,
        end_on=step.end_on,
        authorisation_signed=bool(step.authorisation_signed),
    )


def _is_refused(step: CaseStep) -> bool:
    return (step.result or "").strip() in rules.REFUSED_ALIASES


def _rows(case: MonitoringCase, proc: str, removed: CaseStep | None = None) -> list[CaseStep]:
    """The case's steps of ``proc`` in date order (then entry order), leaving out ``removed``."""
    rows = [s for s in case.steps if s.procedure == proc and s is not removed]
    return sorted(rows, key=lambda s: (s.done_on, s.id or 0))


def _attempt(case: MonitoringCase, proc: str, removed: CaseStep | None = None) -> list[CaseStep]:
    """The steps of the procedure's current attempt. Identification has one attempt (a refusal
    ends the case); an elimination attempt starts after the latest refused elimination step and
    after the latest rollback."""
    rows = _rows(case, proc, removed)
    if proc != ELIMINATION:
        return rows
    if case.rolled_back_on is not None:
        rows = [s for s in rows if s.done_on > case.rolled_back_on]
    last_refused = max((i for i, s in enumerate(rows) if _is_refused(s)), default=-1)
    return rows[last_refused + 1 :]


def _resting_status(case: MonitoringCase) -> str:
    """The monitored status a case returns to when an elimination attempt ends without success."""
    return CASE_ROLLED_BACK if case.rolled_back_on is not None else CASE_INCLUDED


def _procedure(name: str) -> str:
    if name not in rules.STEPS:
        raise ValidationError("procedure", f"程序“{name}”未知，应为识别或消除。")
    return name


# --------------------------------------------------------------------------- opening a case


def open_case(
    session: Session,
    household_id: int,
    *,
    source: str,
    clue_date: dt.date,
    note: str = "",
    previous_case_id: int | None = None,
    campaign_id: int | None = None,
) -> int:
    """A new case (status 线索, worked here) for a household that has no open case; its id."""
    household = session.get(Household, household_id) if household_id is not None else None
    if household is None:
        raise ValidationError("household", "所选农户不存在（可能已被删除），请重新选择农户。")
    _refuse_second_open_case(session, household.id)
    source = (source or "").strip()
    if not source:
        raise ValidationError("source", f"请选择线索来源：{'、'.join(rules.CLUE_SOURCES)}。")
    if source not in rules.CLUE_SOURCES:
        raise ValidationError(
            "source", f"线索来源“{source}”不在代码表中，应为：{'、'.join(rules.CLUE_SOURCES)}。"
        )
    if clue_date is None:
        raise ValidationError("clue_date", "请填写发现线索日期。")
    _not_future(clue_date, "clue_date", "发现线索日期", dt.date.today())
    note = _text(note, "note", "备注")
    if previous_case_id is not None:
        previous = session.get(MonitoringCase, previous_case_id)
        if previous is None or previous.household_id != household.id:
            raise ValidationError("previous_case_id", "所指的上一条监测记录不存在或不属于本户。")
    if campaign_id is not None and session.get(Campaign, campaign_id) is None:
        raise ValidationError("campaign_id", "所选排查批次不存在（可能已被删除），请重新选择。")
    case = MonitoringCase(
        household_id=household.id,
        source=source,
        clue_date=clue_date,
        status=CASE_CLUE,
        origin=LOCAL,
        note=note or None,
        previous_case_id=previous_case_id,
        campaign_id=campaign_id,
    )
    session.add(case)
    session.flush()
    return case.id


# --------------------------------------------------------------------------- facts


def save_facts(session: Session, case_id: int, facts: CaseFactsInput) -> None:
    """Category, ordered risks (replacing the old ones), exclusion facts, special decision, note.

    Before identification the category and risks may still be empty; once the case is identified
    (识别监测时间 set) it keeps a category fitting the household, at least one risk, and any
    exclusion fact needs the special decision.
    """
    case = _case(session, case_id)
    household_type = case.household.household_type
    identified = case.identified_on is not None
    category = (facts.category or "").strip() or None
    if category is not None or identified:
        rules.check_category(category, household_type)
    risks = [Risk((t or "").strip(), (s or "").strip() or None) for t, s in facts.risks]
    rules.check_risks(risks)
    if identified and not risks:
        raise ValidationError("risks", "本户已识别纳入监测，请至少保留一项致贫返贫风险。")
    chosen = set(facts.exclusions)
    unknown = sorted(chosen - set(EXCLUSIONS))
    if unknown:
        raise ValidationError("exclusions", f"不纳入监测情形“{'、'.join(unknown)}”不是已知的情形。")
    exclusions = [key for key in EXCLUSIONS if key in chosen]
    decision_text = _text(
        facts.special_decision_text, "special_decision_text", "村民代表会议特殊研究决定内容"
    )
    decision_on = facts.special_decision_on
    if decision_on is not None:
        _not_future(decision_on, "special_decision_date", "特殊研究决定日期", dt.date.today())
    if decision_on is not None and not decision_text:
        raise ValidationError("special_decision_text", "请填写村民代表会议特殊研究决定的内容。")
    if decision_text and decision_on is None:
        raise ValidationError("special_decision_date", "请填写村民代表会议特殊研究决定的日期。")
    if identified:
        rules.check_inclusion(exclusions, SpecialDecision(decision_on, decision_text))
    note = _text(facts.note, "note", "备注")

    case.category = category
    case.exclusions = ",".join(exclusions) or None
    case.special_decision_on = decision_on
    case.special_decision_text = decision_text or None
    case.note = note or None
    _replace_risks(session, case, risks)
    session.flush()


def _replace_risks(session: Session, case: MonitoringCase, risks: Sequence[Risk]) -> None:
    rows = sorted(case.risks, key=lambda r: r.position)
    if [r.position for r in rows] != list(range(1, len(rows) + 1)):
        # positions with gaps (e.g. from an import): start afresh, deleting first so the
        # (case_id, position) uniqueness holds at every statement
        for row in rows:
            case.risks.remove(row)
        session.flush()
        rows = []
    for position, risk in enumerate(risks, start=1):
        if position <= len(rows):
            row = rows[position - 1]
            if row.risk_type != risk.risk_type:
                row.risk_type = risk.risk_type
            if row.subtype != risk.subtype:
                row.subtype = risk.subtype
        else:
            case.risks.append(CaseRisk(position=position, risk_type=risk.risk_type, subtype=risk.subtype))
    for row in rows[len(risks) :]:
        case.risks.remove(row)


# --------------------------------------------------------------------------- steps


def publicity_end_for(session: Session, start: dt.date) -> dt.date:
    """The last day of a 公示 posted on ``start`` under the stored rules and holiday calendar
    (``UnknownHolidayYear``, a ``UserError``, when the calendar does not know a year it needs)."""
    return calendar_service.publicity_end(session, start)


def add_step(session: Session, case_id: int, entry: StepInput, today: dt.date | None = None) -> int:
    """Record one step of identification or elimination and move the case's status; its id.

    The first identification step makes the case 识别中; 县级审定 makes it 已纳入 with
    识别监测时间 (category, a risk and the inclusion check required); a refusal makes it 不纳入
    with the reason. 村提名 makes it 消除中; elimination's 县级审定 makes it 已消除 (the mode is
    required and every elimination refusal is checked); a refused elimination step sends the case
    back to monitoring. 系统录入 is recorded like any other final step.
    """
    today = today or dt.date.today()
    case = _case(session, case_id)
    proc = _procedure(entry.procedure)
    step_name = (entry.step or "").strip()
    if not step_name:
        raise ValidationError("step", f"请选择要办理的{PROCEDURE_LABELS[proc]}环节。")
    if entry.done_on is None:
        raise ValidationError("done_on", f"请填写“{step_name}”的办理日期。")
    _not_future(entry.done_on, "done_on", f"“{step_name}”的办理日期", today)
    people = split_people(entry.people)
    people_text = "、".join(people)
    if len(people_text) > _PEOPLE_MAX:
        raise ValidationError("people", f"人员最多{_PEOPLE_MAX}个字，现有{len(people_text)}个字。")
    result = _text(entry.result, "result", "结果", _RESULT_MAX)
    note = _text(entry.note, "note", "说明")
    refused = result in rules.REFUSED_ALIASES
    if refused and step_name == SYSTEM_ENTRY:
        raise ValidationError("result", "系统录入环节不能不予认定；不予认定请在县级审定及以前的环节填写。")

    if proc == IDENTIFICATION:
        start_on = case.clue_date
        # (a case ended by 不予认定 is refused by check_step, which names the refusal)
        if case.status not in (CASE_CLUE, CASE_IDENTIFYING, CASE_NOT_INCLUDED) and step_name != SYSTEM_ENTRY:
            raise ValidationError(
                "step", f"本户识别程序已完成（{_label(case.status)}），只能再补录“{SYSTEM_ENTRY}”。"
            )
    else:
        start_on = _elimination_start(case, step_name, entry.done_on)
    existing = [_entry(s) for s in _attempt(case, proc)]

    end_on = entry.end_on
    if step_name == PUBLICITY and end_on is None:
        end_on = publicity_end_for(session, entry.done_on)
    new = StepEntry(
        step=step_name,
        done_on=entry.done_on,
        people=people,
        result=result or None,
        note=note or None,
        end_on=end_on,
        authorisation_signed=bool(entry.authorisation_signed),
    )
    rules.check_step(existing, new, start_on=start_on, procedure=proc)

    decided = step_name == COUNTY_DECISION and not refused
    mode: str | None = None
    if decided and proc == IDENTIFICATION:
        _check_ready_for_inclusion(case)
    if decided and proc == ELIMINATION:
        mode = (entry.elimination_mode or "").strip()
        if not mode:
            raise ValidationError(
                "elimination_mode",
                f"县级审定风险消除，请选择消除方式：{'或'.join(rules.ELIMINATION_MODES)}。",
            )
        reasons = _refusals(session, case, mode, entry.done_on)
        if reasons:
            raise ValidationError("elimination_mode", "不能风险消除：" + "".join(reasons))

    row = CaseStep(
        procedure=proc,
        step=step_name,
        done_on=entry.done_on,
        end_on=end_on,
        people=people_text or None,
        result=result or None,
        note=note or None,
        authorisation_signed=bool(entry.authorisation_signed),
        from_national=False,
    )
    case.steps.append(row)
    if proc == IDENTIFICATION:
        if refused:
            case.status = CASE_NOT_INCLUDED
            case.not_included_reason = note
        elif decided:
            case.status = CASE_INCLUDED
            case.identified_on = entry.done_on
        elif case.status == CASE_CLUE:
            case.status = CASE_IDENTIFYING
    elif refused:
        case.status = _resting_status(case)
    elif decided:
        case.status = CASE_ELIMINATED
        case.eliminated_on = entry.done_on
        case.elimination_mode = mode
    elif case.status in ACTIVE_CASE_STATUSES:
        case.status = CASE_ELIMINATING
    session.flush()
    return row.id


def _elimination_start(case: MonitoringCase, step_name: str, done_on: dt.date) -> dt.date:
    """识别监测时间, the first day of any elimination step, after checking the case may be
    eliminated at all and the step falls in the current attempt."""
    if case.identified_on is None:
        raise ValidationError(
            "procedure", "本户尚未经县级审定纳入监测（没有识别监测时间），不能办理风险消除。"
        )
    finishing = case.status == CASE_ELIMINATED and step_name == SYSTEM_ENTRY
    if case.status not in ACTIVE_CASE_STATUSES and not finishing:
        raise ValidationError(
            "procedure", f"监测对象状态为“{_label(case.status)}”，不能办理风险消除的“{step_name}”。"
        )
    if case.status in ACTIVE_CASE_STATUSES:
        if case.rolled_back_on is not None and done_on <= case.rolled_back_on:
            raise ValidationError(
                "done_on",
                f"本户的风险消除已于{_d(case.rolled_back_on)}回退，新一轮风险消除各环节的日期须在回退之后。",
            )
        last_refused = next((s for s in reversed(_rows(case, ELIMINATION)) if _is_refused(s)), None)
        if last_refused is not None and done_on < last_refused.done_on:
            raise ValidationError(
                "done_on",
                f"上一轮风险消除已于{_d(last_refused.done_on)}不予认定，新一轮各环节的日期不能早于该日。",
            )
    return case.identified_on


def _check_ready_for_inclusion(case: MonitoringCase) -> None:
    if not case.category:
        raise ValidationError("category", "县级审定纳入监测前，请先填写并保存监测对象类别。")
    rules.check_category(case.category, case.household.household_type)
    if not case.risks:
        raise ValidationError("risks", "县级审定纳入监测前，请先填写并保存至少一项致贫返贫风险。")
    rules.check_inclusion(
        _exclusion_keys(case.exclusions),
        SpecialDecision(case.special_decision_on, case.special_decision_text),
    )


def remove_last_step(session: Session, case_id: int, procedure: str) -> None:
    """Undo the latest step of one procedure (a mistaken entry) and restore what it set.

    Refused when a later stage depends on it: identification steps once elimination has begun,
    elimination steps from before a rollback, and the 县级审定 of an elimination that a
    re-identification follows. Removing a refusal is refused when the household has opened
    another case since.
    """
    case = _case(session, case_id)
    proc = _procedure(procedure)
    rows = _rows(case, proc)
    if not rows:
        raise ValidationError("step", f"本监测对象没有{PROCEDURE_LABELS[proc]}环节可以撤销。")
    last = rows[-1]
    if proc == IDENTIFICATION:
        if any(s.procedure == ELIMINATION for s in case.steps) or case.status in (
            CASE_ELIMINATING,
            CASE_ELIMINATED,
            CASE_ROLLED_BACK,
        ):
            raise ValidationError(
                "step", "本户已开始风险消除，识别环节不能再撤销；如需更正，请先撤销风险消除的各环节。"
            )
        if _is_refused(last):
            _refuse_second_open_case(session, case.household_id, exclude=case.id)
    else:
        if case.rolled_back_on is not None and last.done_on <= case.rolled_back_on:
            raise ValidationError(
                "step", f"本户的风险消除已于{_d(case.rolled_back_on)}回退，回退以前的消除环节不能撤销。"
            )
        if last.step == COUNTY_DECISION and not _is_refused(last):
            follower = session.scalar(
                select(MonitoringCase.id).where(MonitoringCase.previous_case_id == case.id).limit(1)
            )
            if follower is not None:
                raise ValidationError("step", "本户在这次风险消除之后已重新识别，县级审定不能再撤销。")

    case.steps.remove(last)
    if proc == IDENTIFICATION:
        entries = [_entry(s) for s in _rows(case, IDENTIFICATION)]
        refused = rules.refusal(entries)
        decided_on = rules.county_decision_on(entries)
        case.identified_on = decided_on
        if refused is not None:
            case.status = CASE_NOT_INCLUDED
            case.not_included_reason = refused.note
        else:
            case.not_included_reason = None
            case.status = CASE_INCLUDED if decided_on else (CASE_IDENTIFYING if entries else CASE_CLUE)
    else:
        attempt = _attempt(case, ELIMINATION)
        if any(s.step == COUNTY_DECISION and not _is_refused(s) for s in attempt):
            case.status = CASE_ELIMINATED
        else:
            case.status = CASE_ELIMINATING if attempt else _resting_status(case)
            earlier = [
                s for s in _rows(case, ELIMINATION) if s.step == COUNTY_DECISION and not _is_refused(s)
            ]
            case.eliminated_on = earlier[-1].done_on if earlier else None
            if case.eliminated_on is None:
                case.elimination_mode = None
    session.flush()


# --------------------------------------------------------------------------- elimination checks


def _case_facts(session: Session, case: MonitoringCase, on: dt.date) -> CaseFacts:
    """What the elimination checks need: household type, the latest 人均纯收入 (local income
    record or the national system's figure, ``households.income``) and that year's threshold
    (township region, else national), the case's measures, labour."""
    household = case.household
    members = list(household.members)
    facts = household_facts(members, on)
    per_capita: Decimal | None = None
    threshold: Decimal | None = None
    income = latest_income(session, household.id)
    if income is not None:
        per_capita = income.per_capita
        threshold = ThresholdCache(session)(income.year)
    return CaseFacts(
        household_type=household.household_type,
        per_capita_income=per_capita,
        threshold=threshold,
        measures=tuple((m.category, bool(m.is_development)) for m in case.measures),
        has_labour=not (facts.no_labour_household or case.no_labour),
        identified_on=case.identified_on,
        exclusions=frozenset(_exclusion_keys(case.exclusions)),
        special_decision=SpecialDecision(case.special_decision_on, case.special_decision_text),
    )


def _refusals(session: Session, case: MonitoringCase, mode: str, on: dt.date) -> list[str]:
    return rules.elimination_refusals(
        _case_facts(session, case, on), mode, on, settings_service.deadline_rules(session)
    )


def elimination_refusals_for(session: Session, case_id: int, mode: str, on: dt.date) -> list[str]:
    """Why the case's risk may not be marked eliminated on ``on`` in ``mode`` (empty = allowed);
    writes nothing."""
    return _refusals(session, _case(session, case_id), mode, on)


# --------------------------------------------------------------------------- measures


def _owned(session: Session, model: type[_Row], row_id: int, case: MonitoringCase | None, what: str) -> _Row:
    row = session.get(model, row_id)
    if row is None or (case is not None and row.case_id != case.id):
        raise UserError(f"这条{what}已不存在（可能已被删除或在另一个窗口中更改），请刷新后重试。")
    return row


def _check_period(start: dt.date | None, end: dt.date | None, what: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError("end_date", f"{what}的结束日期（{_d(end)}）不能早于开始日期（{_d(start)}）。")


def save_measure(session: Session, case_id: int, data: MeasureInput, measure_id: int | None = None) -> int:
    """Add a 帮扶措施 to the case (``measure_id`` None) or change one; its id."""
    case = _case(session, case_id)
    row = _owned(session, Measure, measure_id, case, "帮扶措施") if measure_id is not None else None
    if case.status == CASE_NOT_INCLUDED:
        raise ValidationError("category", "本户未纳入监测（不予认定），不能填写帮扶措施。")
    category = (data.category or "").strip()
    if not category:
        raise ValidationError("category", "请选择帮扶措施类别。")
    if category not in MEASURE_CATEGORIES:
        raise ValidationError(
            "category", f"帮扶措施类别“{category}”不在代码表中，应为：{'、'.join(MEASURE_CATEGORIES)}。"
        )
    content = _text(data.content, "content", "帮扶措施内容", required=True)
    _check_period(data.start_date, data.end_date, "帮扶措施")
    unit = _text(data.responsible_unit, "responsible_unit", "责任单位", _UNIT_MAX)
    amount = data.amount
    if amount is not None:
        amount = Decimal(str(amount))
        if not amount.is_finite() or amount < 0:
            raise ValidationError("amount", "帮扶金额不能为负数。")
        if amount >= Decimal("10000000000"):
            raise ValidationError("amount", f"帮扶金额{amount}元过大，请检查是否多输了位数。")
        amount = amount.quantize(Decimal("0.01"))
    if data.member_id is not None:
        member = session.get(Member, data.member_id)
        if member is None or member.household_id != case.household_id:
            raise ValidationError("member_id", "所选家庭成员不属于本户，请重新选择。")
    development = data.is_development if data.is_development is not None else category in DEVELOPMENT_MEASURES

    if row is None:
        row = Measure(case_id=case.id, household_id=case.household_id)
        case.measures.append(row)
    values = {
        "category": category,
        "content": content,
        "is_development": bool(development),
        "start_date": data.start_date,
        "end_date": data.end_date,
        "responsible_unit": unit or None,
        "amount": amount,
        "member_id": data.member_id,
        "year": data.start_date.year if data.start_date else row.year,
    }
    _assign(row, values)
    session.flush()
    return row.id


def _assign(row: object, values: dict[str, object]) -> None:
    """Set only what changed (the audit trail then lists only real changes)."""
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)


def _delete(
    session: Session, model: type[Measure] | type[Contact] | type[Visit], row_id: int, what: str
) -> None:
    row = _owned(session, model, row_id, None, what)
    case = row.case
    if case is not None:
        collection = {Measure: case.measures, Contact: case.contacts, Visit: case.visits}[model]
        collection.remove(row)
    else:
        session.delete(row)
    session.flush()


def delete_measure(session: Session, measure_id: int) -> None:
    _delete(session, Measure, measure_id, "帮扶措施")


# --------------------------------------------------------------------------- contacts


def save_contact(session: Session, case_id: int, data: ContactInput, contact_id: int | None = None) -> int:
    """Add a 帮扶联系人 to the case (``contact_id`` None) or change one; its id."""
    case = _case(session, case_id)
    row = _owned(session, Contact, contact_id, case, "帮扶联系人") if contact_id is not None else None
    name = _text(data.name, "name", "帮扶联系人姓名", _NAME_MAX, required=True)
    workplace = _text(data.workplace, "workplace", "工作单位", _UNIT_MAX)
    phone = _text(data.phone, "phone", "联系电话", _PHONE_MAX).replace(" ", "")
    if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise ValidationError(
            "phone", f"联系电话“{phone}”格式不对：手机号为11位数字，固定电话如 0564-1234567。"
        )
    _check_period(data.start_date, data.end_date, "帮扶联系人任期")

    if row is None:
        row = Contact(case_id=case.id, household_id=case.household_id)
        case.contacts.append(row)
    _assign(
        row,
        {
            "name": name,
            "unit": workplace or None,
            "phone": phone or None,
            "start_date": data.start_date,
            "end_date": data.end_date,
        },
    )
    session.flush()
    return row.id


def delete_contact(session: Session, contact_id: int) -> None:
    _delete(session, Contact, contact_id, "帮扶联系人")


# --------------------------------------------------------------------------- visits


def save_visit(session: Session, case_id: int, data: VisitInput, visit_id: int | None = None) -> int:
    """Add a 走访记录 to the case (``visit_id`` None) or change one; its id."""
    case = _case(session, case_id)
    row = _owned(session, Visit, visit_id, case, "走访记录") if visit_id is not None else None
    if data.visited_on is None:
        raise ValidationError("visited_on", "请填写走访日期。")
    if data.visited_on < case.clue_date:
        raise ValidationError(
            "visited_on", f"走访日期（{_d(data.visited_on)}）不能早于发现线索日期（{_d(case.clue_date)}）。"
        )
    _not_future(data.visited_on, "visited_on", "走访日期", dt.date.today())
    mode = (data.mode or "").strip()
    if mode not in VISIT_MODES:
        raise ValidationError("mode", f"走访方式应为：{'、'.join(VISIT_MODES)}。")
    visitor = _text(data.visitor, "visitor", "走访人", _VISITOR_MAX)
    findings = _text(data.findings, "findings", "走访情况")
    income_change = _text(data.income_change, "income_change", "收入变化", _INCOME_CHANGE_MAX)

    if row is None:
        row = Visit(case_id=case.id, household_id=case.household_id)
        case.visits.append(row)
    _assign(
        row,
        {
            "visited_on": data.visited_on,
            "mode": mode,
            "visitor": visitor or None,
            "findings": findings or None,
            "income_change": income_change or None,
        },
    )
    session.flush()
    return row.id


def delete_visit(session: Session, visit_id: int) -> None:
    _delete(session, Visit, visit_id, "走访记录")


# --------------------------------------------------------------------------- review, rollback, re-identification


def record_review(session: Session, case_id: int, on: dt.date, note: str = "") -> None:
    """The quarterly review (季度复核) of a monitored case."""
    case = _case(session, case_id)
    if case.status not in ACTIVE_CASE_STATUSES:
        raise ValidationError(
            "reviewed_on", f"监测对象状态为“{_label(case.status)}”，只有监测中的对象需要季度复核。"
        )
    if on is None:
        raise ValidationError("reviewed_on", "请填写复核日期。")
    _not_future(on, "reviewed_on", "复核日期", dt.date.today())
    if case.identified_on is not None and on < case.identified_on:
        raise ValidationError(
            "reviewed_on", f"复核日期（{_d(on)}）不能早于识别监测时间（{_d(case.identified_on)}）。"
        )
    if case.reviewed_on is not None and on < case.reviewed_on:
        raise ValidationError(
            "reviewed_on", f"上次复核日期为{_d(case.reviewed_on)}，新的复核日期不能早于它。"
        )
    note = _text(note, "review_note", "复核情况")
    case.reviewed_on = on
    case.review_note = note or None
    session.flush()


def roll_back(session: Session, case_id: int, on: dt.date, reason: str) -> None:
    """Undo an elimination (回头看 finds the risk not eliminated): 已消除 → 已回退, monitored again.

    ``eliminated_on`` and ``elimination_mode`` are kept as history.
    """
    case = _case(session, case_id)
    if case.status != CASE_ELIMINATED:
        raise ValidationError(
            "rolled_back_on", f"只有已消除的监测对象可以回退，本记录状态为“{_label(case.status)}”。"
        )
    if on is None:
        raise ValidationError("rolled_back_on", "请填写回退日期。")
    if case.eliminated_on is not None and on < case.eliminated_on:
        raise ValidationError(
            "rolled_back_on", f"回退日期（{_d(on)}）不能早于风险消除时间（{_d(case.eliminated_on)}）。"
        )
    _not_future(on, "rolled_back_on", "回退日期", dt.date.today())
    reason = _text(reason, "rollback_reason", "回退原因", required=True)
    follower = session.scalar(
        select(MonitoringCase.id).where(MonitoringCase.previous_case_id == case.id).limit(1)
    )
    if follower is not None:
        raise ValidationError(
            "rolled_back_on", "本户在这次风险消除之后已重新识别（另有监测记录），不能再回退。"
        )
    _refuse_second_open_case(session, case.household_id, exclude=case.id)
    case.status = CASE_ROLLED_BACK
    case.rolled_back_on = on
    case.rollback_reason = reason
    session.flush()


def reidentify(session: Session, case_id: int, *, clue_date: dt.date, source: str, note: str = "") -> int:
    """A new risk after elimination: a new case (线索) for the same household, linked to this
    one (``previous_case_id``); this case stays 已消除. The new case's id."""
    case = _case(session, case_id)
    if case.status != CASE_ELIMINATED:
        raise ValidationError(
            "clue_date", f"只有已消除的监测对象可以重新识别，本记录状态为“{_label(case.status)}”。"
        )
    if clue_date is not None and case.eliminated_on is not None and clue_date < case.eliminated_on:
        raise ValidationError(
            "clue_date",
            f"重新识别的发现线索日期（{_d(clue_date)}）不能早于风险消除时间（{_d(case.eliminated_on)}）。",
        )
    return open_case(
        session, case.household_id, source=source, clue_date=clue_date, note=note, previous_case_id=case.id
    )


__all__ = [
    "add_step",
    "delete_contact",
    "delete_measure",
    "delete_visit",
    "elimination_refusals_for",
    "open_case",
    "publicity_end_for",
    "record_review",
    "reidentify",
    "remove_last_step",
    "roll_back",
    "save_contact",
    "save_facts",
    "save_measure",
    "save_visit",
]
