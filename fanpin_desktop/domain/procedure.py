"""The monitoring procedure's rules (DOMAIN.md §5): identification and risk elimination as pure
functions over plain data.

A case's procedure is a list of dated :class:`StepEntry` values. The clue (线索: source and the
day it was found) is the case itself (``MonitoringCase.source`` / ``clue_date``), not a step; the
identification steps then follow in the order of the ``identification_steps`` enumeration
(农户申请 → 入户核实 → 村级评议 → 公示 → 乡镇审核 → 县级审定 → 系统录入), and risk elimination follows
``elimination_steps`` (村提名 → … → 县级审定 → 系统录入); the elimination's mode and date are then
checked by :func:`elimination_refusals`.

The code lists (steps, clue sources, categories, risk types and natural-disaster sub-types,
measure categories, elimination modes) are the year-versioned enumerations of
``resources/enums/*.json`` (read through ``domain/enums.py``) and are not repeated here; only the
names the rules themselves refer to (入户核实, 公示, 综合保障 …) are spelled out, and a test checks each
of them against the enumerations. The exclusion facts (不纳入监测情形) are not a national code list
and are defined here.

Bad input raises ``ValidationError(field, message)`` with a Chinese message naming the field; a
refused elimination is a list of Chinese reasons (empty = allowed), so the clerk sees every
reason at once. Nothing here saves anything: a service checks first and writes only when all
checks pass.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from fanpin_desktop.domain import enums
from fanpin_desktop.domain.deadlines import (
    ASSISTED_ELIMINATION,
    DeadlineRules,
    earliest_elimination,
)
from fanpin_desktop.errors import ValidationError

# --------------------------------------------------------------------------- code lists

_EN = enums.current()

#: ``CaseStep.procedure`` values
IDENTIFICATION = "识别"
ELIMINATION = "消除"
PROCEDURE_LABELS = {IDENTIFICATION: "识别", ELIMINATION: "风险消除"}

IDENTIFICATION_STEPS: tuple[str, ...] = tuple(_EN.values("identification_steps"))
ELIMINATION_STEPS: tuple[str, ...] = tuple(_EN.values("elimination_steps"))
STEPS: dict[str, tuple[str, ...]] = {IDENTIFICATION: IDENTIFICATION_STEPS, ELIMINATION: ELIMINATION_STEPS}
CLUE_SOURCES: tuple[str, ...] = tuple(_EN.values("case_sources"))
CATEGORIES: tuple[str, ...] = tuple(_EN.values("monitoring_categories"))
RISK_TYPES: tuple[str, ...] = tuple(_EN.values("risk_types"))
DISASTER_SUBTYPES: tuple[str, ...] = tuple(_EN.values("natural_disaster_subtypes"))
ELIMINATION_MODES: tuple[str, ...] = tuple(_EN.values("elimination_modes"))

# names the rules refer to (each checked against the enumerations in tests/test_procedure.py)
APPLICATION = "农户申请"
VERIFICATION = "入户核实"
REVIEW = "村级评议"
PUBLICITY = "公示"
COUNTY_DECISION = "县级审定"  # its date is 识别监测时间 (identification) / 风险消除时间 (elimination)

TUOPIN = "脱贫户"
UNSTABLE = "脱贫不稳定户"  # 脱贫户 only
MARGINAL = "边缘易致贫户"  # non-脱贫户 only
SUDDEN = "突发严重困难户"  # either
NATURAL_DISASTER = "因自然灾害"
WELFARE_MEASURE = "综合保障"
MAX_RISKS = 5

#: the result that ends a procedure (any step may end in it, with a reason in ``note``);
#: the demo builder writes the older wording 不同意纳入, read the same way
REFUSED = "不予认定"
REFUSED_ALIASES = frozenset({REFUSED, "不同意纳入"})

#: 不纳入监测情形 (DOMAIN.md §5): key → label. Any one blocks inclusion unless the village
#: representatives' special decision is recorded.
EXCLUSIONS: dict[str, str] = {
    "vehicle": "家庭成员拥有豪华车辆、船舶或大型农机具",
    "commercial_housing": "家庭在城镇购买商品房",
    "public_payroll": "家庭成员为财政供养人员",
    "enterprise": "家庭成员经营有雇工的企业",
    "deposits": "家庭拥有大额存款或有价证券",
}

# --------------------------------------------------------------------------- plain data

_PEOPLE_SPLIT = re.compile(r"[、,，;；/\s]+")


def split_people(text: str | None) -> tuple[str, ...]:
    """The names in ``CaseStep.people`` ("张三、李四") as a tuple, blanks dropped."""
    return tuple(p for p in _PEOPLE_SPLIT.split(text or "") if p)


@dataclass(frozen=True)
class StepEntry:
    """One dated step of a procedure (the plain shape of ``CaseStep``).

    ``people``: the two verifiers of 入户核实, those attending 村级评议. ``end_on``: 公示 only (its
    end is computed by ``deadlines.publicity_end`` before the check). ``authorisation_signed``:
    农户申请 only, the signed 承诺授权书 (no column yet: to be stored when the case editor lands).
    """

    step: str
    done_on: dt.date
    people: tuple[str, ...] = ()
    result: str | None = None
    note: str | None = None
    end_on: dt.date | None = None
    authorisation_signed: bool = False

    @property
    def refused(self) -> bool:
        return (self.result or "").strip() in REFUSED_ALIASES


@dataclass(frozen=True)
class Risk:
    risk_type: str
    subtype: str | None = None


@dataclass(frozen=True)
class SpecialDecision:
    """村民代表会议 special decision that lets an excluded household in."""

    decided_on: dt.date | None
    text: str | None


@dataclass(frozen=True)
class CaseFacts:
    """What the category, inclusion and elimination checks need to know about a case."""

    household_type: str | None = None
    per_capita_income: Decimal | None = None  # 人均纯收入 of the year checked
    threshold: Decimal | None = None  # that year's monitoring threshold for the region
    measures: tuple[tuple[str, bool], ...] = ()  # (category, is_development)
    has_labour: bool = True  # False: 整户无劳动能力
    identified_on: dt.date | None = None  # 识别监测时间
    exclusions: frozenset[str] = frozenset()  # keys of EXCLUSIONS
    special_decision: SpecialDecision | None = None


# --------------------------------------------------------------------------- category and risks


def check_category(category: str | None, household_type: str | None) -> None:
    """The category must be a known one and fit the household (DOMAIN.md §5)."""
    if not category:
        raise ValidationError("category", "请选择监测对象类别。")
    if category not in CATEGORIES:
        raise ValidationError(
            "category", f"监测对象类别“{category}”不在代码表中，应为：{'、'.join(CATEGORIES)}。"
        )
    is_tuopin = household_type == TUOPIN
    if category == UNSTABLE and not is_tuopin:
        raise ValidationError(
            "category",
            f"监测对象类别“{UNSTABLE}”只适用于脱贫户，本户户类型为“{household_type or '未填写'}”。",
        )
    if category == MARGINAL and is_tuopin:
        raise ValidationError("category", f"监测对象类别“{MARGINAL}”只适用于非脱贫户，本户是脱贫户。")


def check_risks(risks: Sequence[Risk]) -> None:
    """At most five risks, in the given order (position 1 first), each a known type, none twice.

    因自然灾害 requires a sub-type from the enumeration (the national system asks for it); no other
    risk type takes a sub-type. An empty list passes: a case still being identified may have no
    risk yet.
    """
    if len(risks) > MAX_RISKS:
        raise ValidationError(
            "risks",
            f"致贫返贫风险最多填写{MAX_RISKS}项，现有{len(risks)}项，请删去第{MAX_RISKS + 1}项及以后。",
        )
    seen: set[str] = set()
    for position, risk in enumerate(risks, start=1):
        where = f"第{position}项风险"
        if not risk.risk_type:
            raise ValidationError("risks", f"{where}的风险类型未填写。")
        if risk.risk_type not in RISK_TYPES:
            raise ValidationError("risks", f"{where}的风险类型“{risk.risk_type}”不在代码表中。")
        if risk.risk_type in seen:
            raise ValidationError("risks", f"{where}的风险类型“{risk.risk_type}”重复填写。")
        seen.add(risk.risk_type)
        if risk.risk_type == NATURAL_DISASTER:
            if not risk.subtype:
                raise ValidationError(
                    "risks", f"{where}为因自然灾害，请选择灾害类型（{'、'.join(DISASTER_SUBTYPES)}）。"
                )
            if risk.subtype not in DISASTER_SUBTYPES:
                raise ValidationError("risks", f"{where}的灾害类型“{risk.subtype}”不在代码表中。")
        elif risk.subtype:
            raise ValidationError(
                "risks", f"{where}的风险类型“{risk.risk_type}”没有细分类型，只有因自然灾害需填写灾害类型。"
            )


# --------------------------------------------------------------------------- inclusion


def check_inclusion(exclusions: Iterable[str], special_decision: SpecialDecision | None) -> None:
    """Any exclusion fact blocks inclusion unless the special decision (date and text) is recorded."""
    present = list(dict.fromkeys(exclusions))
    unknown = [key for key in present if key not in EXCLUSIONS]
    if unknown:
        raise ValidationError("exclusions", f"不纳入监测情形“{'、'.join(unknown)}”不是已知的情形。")
    if not present:
        return
    labels = "；".join(EXCLUSIONS[key] for key in present)
    if special_decision is None or (
        not special_decision.decided_on and not (special_decision.text or "").strip()
    ):
        raise ValidationError(
            "exclusions",
            f"本户存在不纳入监测情形（{labels}），原则上不纳入监测；"
            "如经村民代表会议特殊研究决定纳入，请填写决定日期和决定内容。",
        )
    if not special_decision.decided_on:
        raise ValidationError("special_decision_date", "请填写村民代表会议特殊研究决定的日期。")
    if not (special_decision.text or "").strip():
        raise ValidationError("special_decision_text", "请填写村民代表会议特殊研究决定的内容。")


# --------------------------------------------------------------------------- steps


def refusal(steps: Iterable[StepEntry]) -> StepEntry | None:
    """The step that ended the procedure with 不予认定, if any."""
    return next((s for s in steps if s.refused), None)


def next_step(steps: Sequence[StepEntry], procedure: str = IDENTIFICATION) -> str | None:
    """The step to do next, or None when the procedure is complete or ended by 不予认定."""
    order = _order(procedure)
    if refusal(steps) is not None:
        return None
    done = {s.step for s in steps}
    return next((name for name in order if name not in done), None)


def county_decision_on(steps: Iterable[StepEntry]) -> dt.date | None:
    """The 县级审定 date (识别监测时间 for identification) unless that step refused."""
    for s in steps:
        if s.step == COUNTY_DECISION and not s.refused:
            return s.done_on
    return None


def _order(procedure: str) -> tuple[str, ...]:
    try:
        return STEPS[procedure]
    except KeyError:
        raise ValidationError("procedure", f"程序“{procedure}”未知，应为识别或消除。") from None


def check_step(
    existing: Sequence[StepEntry],
    new: StepEntry,
    *,
    start_on: dt.date,
    procedure: str = IDENTIFICATION,
) -> None:
    """Whether ``new`` may be added after the ``existing`` steps of one procedure.

    ``start_on``: the clue's date for identification, 识别监测时间 for elimination; no step is
    dated before it. A step comes only after the one before it is done, not before that step's
    date, and not on or before the end of a 公示 (the publicity must have run its course).
    """
    order = _order(procedure)
    label = PROCEDURE_LABELS[procedure]
    if new.step not in order:
        raise ValidationError("step", f"“{new.step}”不是{label}程序的环节，应为：{'→'.join(order)}。")
    ended = refusal(existing)
    if ended is not None:
        raise ValidationError(
            "step",
            f"本次{label}已于{ended.done_on:%Y-%m-%d}在“{ended.step}”环节不予认定，不能再办理“{new.step}”。",
        )
    if any(s.step == new.step for s in existing):
        raise ValidationError("step", f"“{new.step}”环节已经办理过，不能重复添加；如需更正请修改原记录。")
    expected = next_step(existing, procedure)
    if new.step != expected:
        raise ValidationError("step", f"须先办理“{expected}”，才能办理“{new.step}”。")
    if new.done_on is None:
        raise ValidationError("done_on", f"请填写“{new.step}”的办理日期。")
    start_label = "发现线索日期" if procedure == IDENTIFICATION else "识别监测时间"
    if new.done_on < start_on:
        raise ValidationError(
            "done_on",
            f"“{new.step}”的办理日期（{new.done_on:%Y-%m-%d}）不能早于{start_label}（{start_on:%Y-%m-%d}）。",
        )
    position = order.index(new.step)
    previous = next((s for s in existing if s.step == order[position - 1]), None) if position else None
    if previous is not None:
        if new.done_on < previous.done_on:
            raise ValidationError(
                "done_on",
                f"“{new.step}”的办理日期（{new.done_on:%Y-%m-%d}）不能早于上一环节"
                f"“{previous.step}”（{previous.done_on:%Y-%m-%d}）。",
            )
        if previous.step == PUBLICITY and previous.end_on is not None and new.done_on <= previous.end_on:
            raise ValidationError(
                "done_on",
                f"公示到{previous.end_on:%Y-%m-%d}结束，“{new.step}”的办理日期"
                f"（{new.done_on:%Y-%m-%d}）须在公示期满之后。",
            )
    _check_step_details(new)


def _check_step_details(new: StepEntry) -> None:
    if new.step == PUBLICITY:
        if new.end_on is None:
            raise ValidationError("end_on", "请填写公示结束日期。")
        if new.end_on < new.done_on:
            raise ValidationError(
                "end_on",
                f"公示结束日期（{new.end_on:%Y-%m-%d}）不能早于公示开始日期（{new.done_on:%Y-%m-%d}）。",
            )
    elif new.end_on is not None:
        raise ValidationError("end_on", f"只有公示环节有结束日期，“{new.step}”不填结束日期。")
    if new.step == APPLICATION and not new.refused and not new.authorisation_signed:
        raise ValidationError("authorisation_signed", "农户申请须签署承诺授权书（授权核查家庭经济状况）。")
    if new.step == VERIFICATION:
        people = list(dict.fromkeys(p.strip() for p in new.people if p and p.strip()))
        if len(people) < 2:
            raise ValidationError(
                "people", "入户核实须两人同行，请填写两名不同的核实人员；一人核实不予受理。"
            )
    if new.step == REVIEW:
        if not any(p.strip() for p in new.people if p):
            raise ValidationError("people", "请填写村级评议的参会人员。")
        if not (new.result or "").strip():
            raise ValidationError("result", "请填写村级评议的评议结果。")
    if new.refused and not (new.note or "").strip():
        raise ValidationError("note", f"“{new.step}”不予认定，请填写不予认定的理由。")


# --------------------------------------------------------------------------- elimination


def elimination_refusals(
    facts: CaseFacts, mode: str, today: dt.date, rules: DeadlineRules | None = None
) -> list[str]:
    """Why the risk may not be marked eliminated on ``today`` in ``mode``; empty = allowed.

    The four refusals of the issue: under ``eliminate_after_months`` since 识别监测时间 (not for
    自然消除; national rule 2_11_002); per-capita income below the year's threshold (4_11_010);
    帮扶消除 without any measure; a household without labour whose only help is 综合保障 (it stays
    monitored). Income or threshold not entered is a refusal too, as is a case not yet identified.
    """
    if mode not in ELIMINATION_MODES:
        raise ValidationError("elimination_mode", f"请选择消除方式：{'或'.join(ELIMINATION_MODES)}。")
    rules = rules or DeadlineRules()
    reasons: list[str] = []
    if facts.identified_on is None:
        reasons.append("本户尚未识别纳入监测（没有识别监测时间），不能风险消除。")
    else:
        earliest = earliest_elimination(facts.identified_on, rules, mode)
        if earliest is not None and today < earliest:
            reasons.append(
                f"识别监测时间为{facts.identified_on:%Y-%m-%d}，监测帮扶不满{rules.eliminate_after_months}个月，"
                f"{mode}最早于{earliest:%Y-%m-%d}办理（自然消除除外）。"
            )
    if facts.per_capita_income is None:
        reasons.append("未录入家庭人均纯收入，无法判断是否稳定超过监测范围。")
    elif facts.threshold is None:
        reasons.append("未设置本年度本地区的监测范围（收入标准），无法判断收入是否达标。")
    elif facts.per_capita_income < facts.threshold:
        reasons.append(
            f"家庭人均纯收入{facts.per_capita_income}元低于本年度监测范围{facts.threshold}元，不能风险消除。"
        )
    if mode == ASSISTED_ELIMINATION and not facts.measures:
        reasons.append("帮扶消除须已落实帮扶措施，本户没有任何帮扶措施。")
    if (
        not facts.has_labour
        and facts.measures
        and all(category == WELFARE_MEASURE for category, _ in facts.measures)
    ):
        reasons.append("本户无劳动能力，仅靠综合保障（兜底）帮扶，不标注风险消除，继续监测。")
    return reasons
