"""The plain shapes the monitoring-case services take and return (监测对象).

Shared by :mod:`.listing` (the 监测对象 list and its filters), :mod:`.detail` (one case opened),
:mod:`.todo` (the 待办 list), :mod:`.editing` (every change a clerk makes to a case) and the UI. The
status words stored in ``MonitoringCase.status`` are those of ``domain/cases.py``; the list shows
them with :data:`STATUS_LABELS` (已纳入 reads 监测中, 不纳入 reads 不予认定, as the issue and the
national system word them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from fanpin_desktop.domain import todo as _todo_rules
from fanpin_desktop.domain.cases import (
    CASE_CLUE,
    CASE_ELIMINATED,
    CASE_ELIMINATING,
    CASE_IDENTIFYING,
    CASE_INCLUDED,
    CASE_NOT_INCLUDED,
    CASE_ROLLED_BACK,
)

#: stored status → the word the clerk sees, in the filter's order
STATUS_LABELS: dict[str, str] = {
    CASE_CLUE: "线索",
    CASE_IDENTIFYING: "识别中",
    CASE_INCLUDED: "监测中",
    CASE_ELIMINATING: "消除中",
    CASE_ELIMINATED: "已消除",
    CASE_ROLLED_BACK: "已回退",
    CASE_NOT_INCLUDED: "不予认定",
}

# --------------------------------------------------------------------------- the list


@dataclass(frozen=True)
class CaseQuery:
    """The 监测对象 list's filters; every field left at its default filters nothing."""

    text: str = ""  # 户主 name / pinyin initials / 户编号 / ID number, as in the registry
    status: str | None = None  # a stored status (a key of STATUS_LABELS)
    village_id: int | None = None
    group_id: int | None = None
    category: str | None = None
    risk_type: str | None = None  # any of the case's risks
    contact: str | None = None  # 帮扶联系人 name (current contact)
    overdue_only: bool = False  # 只看超期: the next thing's due date is before ``today``
    today: dt.date | None = None  # None = dt.date.today()


@dataclass(frozen=True, slots=True)
class CaseRow:
    """What the 监测对象 table shows for one case."""

    id: int
    household_id: int
    head_name: str
    village: str
    group: str
    code: str  # 户编号
    status: str  # stored status
    category: str  # "" when not yet identified
    risks: tuple[str, ...]  # ordered, 因自然灾害 with its sub-type as 因自然灾害（洪涝）
    identified_on: dt.date | None  # 识别监测时间
    contact: str  # current 帮扶联系人 ("" if none)
    last_visit_on: dt.date | None
    next_thing: str  # 下一件事, e.g. "入户核实" / "走访" / "季度复核" / "落实帮扶措施"; "" when nothing
    next_due: dt.date | None
    overdue: bool
    note: str = ""  # e.g. "（2027年节假日未录入）" when a due date cannot be computed


# --------------------------------------------------------------------------- the to-do list

#: DueItem.kind values (the 待办 groups, in the order the page shows them), as the rules of
#: domain/todo.py name them: 线索超期 (identification past identify_within_days; always overdue),
#: 公示期满 (a 公示 ending this week or next, or ended with the next step not done), 落实帮扶措施
#: (identified, no measure measures_within_days later), 应走访, 季度复核 and 可申请消除 (six months
#: identified and income above the year's threshold)
DUE_CLUE = _todo_rules.DUE_CLUE
DUE_PUBLICITY = _todo_rules.DUE_PUBLICITY
DUE_MEASURES = _todo_rules.DUE_MEASURES
DUE_VISIT = _todo_rules.DUE_VISIT
DUE_REVIEW = _todo_rules.DUE_REVIEW
DUE_ELIMINATION = _todo_rules.DUE_ELIMINATION
DUE_KINDS = _todo_rules.DUE_KINDS
#: kinds whose items are all overdue (their group need not add "其中超期")
OVERDUE_KINDS = _todo_rules.OVERDUE_KINDS


@dataclass(frozen=True, slots=True)
class DueItem:
    case_id: int
    household_id: int
    kind: str  # one of DUE_KINDS
    head_name: str
    village: str
    contact: str
    due_on: dt.date | None  # None: eligible since (elimination) or unknown (holiday year missing)
    overdue: bool
    detail: str  # Chinese sentence, e.g. "线索发现于2026-11-02，应于2026-11-17前完成识别"


# --------------------------------------------------------------------------- one case


@dataclass(frozen=True)
class StepView:
    id: int
    procedure: str  # 识别 / 消除
    step: str
    done_on: dt.date
    end_on: dt.date | None
    people: str
    result: str
    note: str
    authorisation_signed: bool
    from_national: bool


@dataclass(frozen=True)
class MeasureView:
    id: int
    category: str
    is_development: bool
    content: str
    start_date: dt.date | None
    end_date: dt.date | None
    responsible_unit: str
    amount: Decimal | None
    member_id: int | None
    member_name: str


@dataclass(frozen=True)
class ContactView:
    id: int
    name: str
    workplace: str  # 工作单位
    phone: str
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass(frozen=True)
class VisitView:
    id: int
    visited_on: dt.date
    mode: str  # 入户 / 电话 / 微信
    visitor: str
    findings: str
    income_change: str


@dataclass(frozen=True)
class MemberLine:
    id: int
    name: str
    relation: str
    age: int | None
    health: str
    labour: str  # 劳动技能
    schooling: str


@dataclass(frozen=True)
class CaseDetail:
    """One case as the case editor shows it, with its household's summary."""

    id: int
    household_id: int
    household_label: str  # how messages name the household, e.g. "红星村 H001 张大山户"
    household_type: str
    village: str
    group: str
    code: str
    members: tuple[MemberLine, ...]
    per_capita_income: Decimal | None  # 人均纯收入 of the latest income year
    income_year: int | None
    threshold: Decimal | None  # that year's monitoring threshold for the region
    guarantees: tuple[str, ...]  # 三保障 and drinking-water problems, e.g. ("住房不安全",); () = all secure
    has_labour: bool
    status: str
    source: str
    clue_date: dt.date
    category: str
    risks: tuple[tuple[str, str | None], ...]  # (risk_type, subtype), ordered
    exclusions: frozenset[str]  # keys of domain.procedure.EXCLUSIONS
    special_decision_on: dt.date | None
    special_decision_text: str
    identified_on: dt.date | None
    elimination_mode: str
    eliminated_on: dt.date | None
    rolled_back_on: dt.date | None
    rollback_reason: str
    not_included_reason: str
    reviewed_on: dt.date | None
    note: str
    origin: str  # 本地 / 国家系统
    previous_case_id: int | None
    next_case_id: int | None  # a re-identification opened after this one
    steps: tuple[StepView, ...]  # both procedures, in date order
    measures: tuple[MeasureView, ...]
    contacts: tuple[ContactView, ...]
    visits: tuple[VisitView, ...]  # newest first
    next_thing: str
    next_due: dt.date | None
    overdue: bool
    next_note: str = ""  # e.g. the unknown-holiday-year sentence
    income_source: str = ""  # where per_capita_income comes from: 收入记录 / 全国系统 ("" = none)


# --------------------------------------------------------------------------- editing inputs


@dataclass(frozen=True)
class StepInput:
    """One step the clerk records. ``end_on`` of a 公示 is computed from the deadline rules when
    None. ``people``: two verifiers for 入户核实, attendees for 村级评议 ("张三、李四")."""

    procedure: str  # 识别 / 消除
    step: str
    done_on: dt.date
    people: str = ""
    result: str = ""  # e.g. 同意 / 无异议 / 不予认定
    note: str = ""  # the reason when result is 不予认定
    end_on: dt.date | None = None
    authorisation_signed: bool = False
    elimination_mode: str | None = None  # 县级审定 of an elimination: 帮扶消除 / 自然消除


@dataclass(frozen=True)
class CaseFactsInput:
    category: str | None
    risks: tuple[tuple[str, str | None], ...]
    exclusions: frozenset[str] = frozenset()
    special_decision_on: dt.date | None = None
    special_decision_text: str = ""
    note: str = ""


@dataclass(frozen=True)
class MeasureInput:
    category: str
    content: str
    is_development: bool | None = None  # None: from the development_measures enumeration
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    responsible_unit: str = ""
    amount: Decimal | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class ContactInput:
    name: str
    workplace: str = ""  # 工作单位
    phone: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None


@dataclass(frozen=True)
class VisitInput:
    visited_on: dt.date
    mode: str = "入户"
    visitor: str = ""
    findings: str = ""
    income_change: str = ""


@dataclass(frozen=True)
class CaseStats:
    """Counts for the statistics panel and 附件3's monitoring columns (same service)."""

    by_status: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)  # monitored now (active statuses)
    by_risk: dict[str, int] = field(default_factory=dict)  # monitored now, any position
    by_village: dict[str, dict[str, int]] = field(default_factory=dict)  # village → status → n
    identified_by_month: dict[str, int] = field(default_factory=dict)  # "2026-03" → n
    eliminated_by_month: dict[str, int] = field(default_factory=dict)
