"""Rules, findings, the registry and the runner.

A rule is a small pure function ``check(household, ctx) -> Iterable[Finding]`` registered with
:func:`rule`. Each finding carries a ``data_key``: a stable string of exactly the data the rule
looked at for it, so an exemption (services.quality) can stay while that data is unchanged and
lapse when it changes (see :attr:`Finding.fingerprint`).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from fanpin_desktop.domain import ids
from fanpin_desktop.domain.rules.data import CaseData, HouseholdData, MemberData

_LAST = frozenset("0123456789X")

ERROR = "错误"
REMINDER = "提醒"
SEVERITIES = (ERROR, REMINDER)

G_IDENTITY = "身份信息"
G_MEMBERS = "家庭成员"
G_INCOME = "收入"
G_GUARANTEES = "三保障"
G_CASES = "监测对象"
G_MEASURES = "帮扶措施"
G_ELIMINATION = "风险消除"
GROUPS = (G_IDENTITY, G_MEMBERS, G_INCOME, G_GUARANTEES, G_CASES, G_MEASURES, G_ELIMINATION)


@dataclass(frozen=True)
class Finding:
    rule_code: str
    household_id: int
    message: str  # Chinese: names the record and what to change
    case_id: int | None = None
    member_id: int | None = None
    data_key: str = ""  # exactly the data the rule looked at for this finding

    @property
    def key(self) -> tuple[str, int, int | None, int | None]:
        """Which record the finding is about (stable across runs, independent of the data)."""
        return (self.rule_code, self.household_id, self.case_id, self.member_id)

    @property
    def fingerprint(self) -> str:
        """Hash of the record and the looked-at data: an exemption stored with it lapses when it changes."""
        raw = "\x1f".join(str(p) for p in (*self.key, self.data_key))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class RuleContext:
    today: dt.date
    # normalised 18-digit identity number -> ids of every household holding it (duplicate check);
    # build it with :func:`duplicates_of` over all households, or from the database
    duplicates: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    identify_days: int = 15  # 识别 within 15 days of the clue (seed 000)
    measure_days: int = 30  # a measure within a month of identification
    visit_days: int = 31  # at least one visit a month while monitored
    review_days: int = 92  # 季度复核
    min_monitor_months: int = 6  # eliminated no sooner than six months after identification


Check = Callable[[HouseholdData, RuleContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    group: str
    severity: str
    check: Check = field(repr=False)
    module: str = ""

    def run(self, household: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
        for f in self.check(household, ctx):
            yield f if f.rule_code == self.code else dataclasses.replace(f, rule_code=self.code)


RULES: list[Rule] = []
RULES_BY_CODE: dict[str, Rule] = {}


def rule(*, code: str, title: str, group: str, severity: str) -> Callable[[Check], Check]:
    """Register ``check`` as a rule, in definition order."""
    if group not in GROUPS:
        raise ValueError(f"unknown rule group {group!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")

    def register(check: Check) -> Check:
        if code in RULES_BY_CODE:
            raise ValueError(f"duplicate rule code {code!r}")
        r = Rule(code, title, group, severity, check, check.__module__.rsplit(".", 1)[-1])
        RULES.append(r)
        RULES_BY_CODE[code] = r
        return check

    return register


def run_rules(
    households: Iterable[HouseholdData], ctx: RuleContext, codes: Iterable[str] | None = None
) -> Iterator[Finding]:
    """Every finding of the chosen rules (all by default) over the households, household by household."""
    chosen = [(r.code, r.check) for r in (RULES if codes is None else [RULES_BY_CODE[c] for c in codes])]
    replace = dataclasses.replace
    for h in households:
        for code, check in chosen:
            for f in check(h, ctx):
                yield f if f.rule_code == code else replace(f, rule_code=code)


# --------------------------------------------------------------------------- helpers for rules


def hit(
    h: HouseholdData,
    message: str,
    *key_parts: object,
    case: CaseData | None = None,
    member: MemberData | None = None,
) -> Finding:
    """A finding about ``h`` (and a case / member); ``key_parts`` are the data looked at."""
    return Finding(
        rule_code="",
        household_id=h.id,
        message=message,
        case_id=case.id if case else None,
        member_id=member.id if member else None,
        data_key=data_key(*key_parts),
    )


def data_key(*parts: object) -> str:
    out = []
    for p in parts:
        if p is None:
            out.append("")
        elif isinstance(p, (list, tuple, set, frozenset)):
            items = sorted(p, key=str) if isinstance(p, (set, frozenset)) else p
            out.append("[" + ",".join(str(i) for i in items) + "]")
        else:
            out.append(str(p))
    return "|".join(out)


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


@lru_cache(maxsize=8192)
def parse_id(number: str, today: dt.date) -> tuple[ids.IdInfo | None, str]:
    """``ids.parse`` once per number (several rules look at the same number): (info, error)."""
    try:
        return ids.parse(number, today), ""
    except ids.IdNumberError as err:
        return None, str(err)


def base_id(number: object) -> str:
    """The normalised 18-digit identity number inside an ID / 残疾人证号 (converting 15 digits), or ""."""
    if isinstance(number, str) and len(number) == 18 and number[:17].isdigit() and number[17] in _LAST:
        return number  # already normalised (how the database stores it)
    n = ids.normalize(number)
    if len(n) == 15 and n.isdigit():
        try:
            return ids.convert_15_to_18(n)
        except ids.IdNumberError:
            return ""
    return n[:18] if len(n) in (18, 20, 22) else ""


def duplicates_of(households: Iterable[HouseholdData]) -> dict[str, tuple[int, ...]]:
    """Identity numbers held by members of two or more households -> those households' ids."""
    seen: dict[str, list[int]] = {}
    for h in households:
        for m in h.members:
            b = base_id(m.id_number)
            if b:
                lst = seen.setdefault(b, [])
                if h.id not in lst:
                    lst.append(h.id)
    return {k: tuple(v) for k, v in seen.items() if len(v) > 1}


def months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from ``a`` to ``b`` (202304 -> 202305 is 1)."""
    return (b.year - a.year) * 12 + b.month - a.month


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    y += day.year
    m += 1
    return dt.date(y, m, min(day.day, calendar.monthrange(y, m)[1]))


# --------------------------------------------------------------------------- case and household facts

MONITORED = frozenset({"已纳入", "消除中"})  # identified and not (yet) eliminated
IN_PROCEDURE = frozenset({"线索", "识别中"})
ELIMINATED = "已消除"
HELPED = MONITORED | {ELIMINATED}  # identified cases that should carry measures
NATURAL = "自然消除"
ABLE_LABOUR = frozenset({"普通劳动力", "技能劳动力"})


def monitored_cases(h: HouseholdData) -> list[CaseData]:
    return [c for c in h.cases if c.status in MONITORED]


def helped_cases(h: HouseholdData) -> list[CaseData]:
    return [c for c in h.cases if c.status in HELPED]


def eliminated_cases(h: HouseholdData) -> list[CaseData]:
    return [c for c in h.cases if c.status == ELIMINATED]


def is_monitored(h: HouseholdData) -> bool:
    return any(c.status in MONITORED for c in h.cases)


def labour_members(h: HouseholdData) -> list[MemberData]:
    return [m for m in h.members if text(m.labour_skill) in ABLE_LABOUR]


def case_label(h: HouseholdData, c: CaseData) -> str:
    when = f"{c.identified_on.isoformat()}识别的" if c.identified_on else ""
    return f"{h.label}{when}监测记录"
