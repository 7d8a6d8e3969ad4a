"""村级公示, 乡镇审核 / 县级审定 lists and the township's 公告: which cases, and the printed data.

Which cases a document lists unless the clerk picks them by hand (``case_ids``):

* **村级公示** (one village): the cases whose procedure — identification for ``inclusion`` (status
  线索/识别中), risk elimination for ``elimination`` (status 消除中) — has its 村级评议 done and its
  乡镇审核 not yet, i.e. whose next step is 公示 (to be posted) or 乡镇审核 (posted, not yet
  reviewed by the township; a reprint). One notice per village and period: a posted case is
  reprinted with its recorded period; the cases to be posted get a new period starting on
  ``start``, else today (never before their 村级评议); it ends by the deadline rules
  (:func:`services.calendar.publicity_end`: 5 working days with holidays and make-up days, or
  calendar days, per settings).
* **乡镇审核 / 县级审定 list**: the cases whose next step in that procedure is 乡镇审核 / 县级审定.
* **公告**: the cases whose 县级审定 of that procedure (not refused) falls in the calendar year of
  ``start`` (default today), on or before it. The 公告 lasts ``publicity_days`` calendar days
  (“公告时间为5天（8月16日—8月20日）”).

Privacy (issue 12 point 8): public documents are built from :class:`NoticeRow`, which has no
field for an ID number, a phone number, a bank account or a health condition; the 备注 column
holds only words this module writes (再次识别), never a free-text note. The 主要风险 column (risk
types such as 因病, never a member's 健康状况) appears only when the township turns on
``notice_shows_risks``. :func:`privacy_findings` is the scan the tests (and the UI) run over the
extracted text of a public document.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.documents import notices_pdf
from fanpin_desktop.documents.appendix_pdf import amount_text
from fanpin_desktop.documents.fonts import FontLibrary
from fanpin_desktop.documents.notices_pdf import (
    ELIMINATION,
    INCLUSION,
    Announcement,
    NoticeRow,
    PublicityNotice,
    ReviewList,
    ReviewRow,
)
from fanpin_desktop.domain import enums
from fanpin_desktop.domain import procedure as rules
from fanpin_desktop.domain.cases import CASE_CLUE, CASE_ELIMINATING, CASE_IDENTIFYING
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Household, MonitoringCase, Village
from fanpin_desktop.services import calendar as calendar_service
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.households.constants import HEAD
from fanpin_desktop.services.households.income import latest_incomes

__all__ = [
    "INCLUSION",
    "ELIMINATION",
    "gather_publicity",
    "gather_review_list",
    "gather_announcement",
    "write_publicity",
    "write_review_list",
    "write_announcement",
    "privacy_findings",
    "official_numbers",
    "health_words",
]

KINDS = {INCLUSION: rules.IDENTIFICATION, ELIMINATION: rules.ELIMINATION}
KIND_WORDS = {INCLUSION: "拟纳入监测对象", ELIMINATION: "拟风险消除对象"}
LEVELS = {"township": "乡镇审核", "county": "县级审定"}
TOWNSHIP_REVIEW = "乡镇审核"
REINCLUDED = "再次识别"
BLANK_ROWS = 12


def _procedure(kind: str) -> str:
    try:
        return KINDS[kind]
    except KeyError:
        raise UserError(
            f"文书种类“{kind}”未知，应为 inclusion（拟纳入监测）或 elimination（拟风险消除）。"
        ) from None


def _level(level: str) -> str:
    try:
        return LEVELS[level]
    except KeyError:
        raise UserError(f"名单级别“{level}”未知，应为 township（乡镇审核）或 county（县级审定）。") from None


# --------------------------------------------------------------------------------------------------
# loading and picking


def _load(session: Session, village_id: int | None, case_ids: Sequence[int] | None) -> list[MonitoringCase]:
    query = select(MonitoringCase).options(
        selectinload(MonitoringCase.steps),
        selectinload(MonitoringCase.risks),
        selectinload(MonitoringCase.household).selectinload(Household.members),
        selectinload(MonitoringCase.household).selectinload(Household.village),
        selectinload(MonitoringCase.household).selectinload(Household.group),
    )
    if village_id is not None:
        query = query.join(Household, MonitoringCase.household_id == Household.id).where(
            Household.village_id == village_id
        )
    if case_ids is not None:
        query = query.where(MonitoringCase.id.in_(list(case_ids)))
    return list(session.scalars(query))


def _entries(case: MonitoringCase, proc: str) -> list[rules.StepEntry]:
    return [
        rules.StepEntry(s.step, s.done_on, result=s.result, end_on=s.end_on)
        for s in sorted(case.steps, key=lambda s: (s.done_on, s.id))
        if s.procedure == proc
    ]


def _open_in(case: MonitoringCase, proc: str) -> bool:
    """The case's procedure of that kind is under way (not a finished or abandoned one)."""
    if proc == rules.IDENTIFICATION:
        return case.status in (CASE_CLUE, CASE_IDENTIFYING)
    return case.status == CASE_ELIMINATING


def _next(case: MonitoringCase, proc: str) -> str | None:
    return rules.next_step(_entries(case, proc), proc)


def _at_publicity(case: MonitoringCase, proc: str) -> bool:
    return _open_in(case, proc) and _next(case, proc) in (rules.PUBLICITY, TOWNSHIP_REVIEW)


def _step_on(case: MonitoringCase, proc: str, step: str) -> dt.date | None:
    for entry in _entries(case, proc):
        if entry.step == step and not entry.refused:
            return entry.done_on
    return None


def _publicity_entry(case: MonitoringCase, proc: str) -> rules.StepEntry | None:
    """The case's recorded 公示 (start and, when recorded, end) in that procedure, if posted."""
    for entry in _entries(case, proc):
        if entry.step == rules.PUBLICITY and not entry.refused:
            return entry
    return None


def _sort_key(case: MonitoringCase) -> tuple:
    h = case.household
    return (
        h.village.sort_order if h.village else 0,
        h.village_id,
        h.group.sort_order if h.group else 10_000,
        h.group.name if h.group else "",
        h.code or "",
        h.id,
        case.id,
    )


def _head_name(h: Household) -> str:
    members = sorted(h.members, key=lambda m: (m.sort_order, m.id))
    head = next((m for m in members if m.relation == HEAD), members[0] if members else None)
    return head.name if head else ""


def _risks(case: MonitoringCase) -> str:
    words = []
    for r in sorted(case.risks, key=lambda r: r.position):
        words.append(f"{r.risk_type}（{r.subtype}）" if r.subtype else r.risk_type)
    return "、".join(words)


def _mode(case: MonitoringCase) -> str:
    """消除方式: the county's decision when made; before it, the proposal (村级评议's result naming
    a mode), else 帮扶消除 when the case had measures, 自然消除 when none."""
    if case.elimination_mode:
        return case.elimination_mode
    for entry in reversed(_entries(case, rules.ELIMINATION)):
        if (entry.result or "").strip() in rules.ELIMINATION_MODES:
            return entry.result.strip()
    return rules.ELIMINATION_MODES[0] if case.measures else rules.ELIMINATION_MODES[-1]


def _notice_row(case: MonitoringCase, kind: str) -> NoticeRow:
    h = case.household
    return NoticeRow(
        group=h.group.name if h.group else "",
        head_name=_head_name(h),
        people=len(h.members),
        category=_mode(case) if kind == ELIMINATION else (case.category or ""),
        risks=_risks(case),
        note=REINCLUDED if kind == INCLUSION and case.previous_case_id else "",
    )


def _village_name(session: Session, village_id: int | None) -> str:
    if village_id is None:
        return ""
    village = session.get(Village, village_id)
    if village is None:
        raise UserError(f"行政村（编号{village_id}）不存在，可能已被删除。")
    return village.name


# --------------------------------------------------------------------------------------------------
# 村级公示


def gather_publicity(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    kind: str = INCLUSION,
    start: dt.date | None = None,
) -> list[PublicityNotice]:
    """The notices for the cases at the 公示 step (just ``village_id``'s when given), or the cases
    ``case_ids`` picked by hand; none when no case is there.

    One notice per village and 公示 period, as posted: the cases already posted are grouped by
    their recorded period (a reprint); the cases still to be posted share one new period from
    ``start`` (else today; from their latest 村级评议 when that is recorded after today). With
    an explicit ``start``, a case reviewed after it is left out of the village's list (refused
    when picked by hand or when nothing else is left). A notice cites its own cases' 评议 only."""
    proc = _procedure(kind)
    settings = settings_service.load(session)
    show_risks = bool(getattr(settings, "notice_shows_risks", False))
    common = {
        "township": settings.township,
        "kind": kind,
        "days": int(settings.publicity_days),
        "working_days": bool(settings.publicity_working_days),
        "show_risks": show_risks,
        "township_phone": settings.township_phone,
        "supervision_phone": settings.supervision_phone or "12317",
    }
    if blank:
        village = session.get(Village, village_id) if village_id is not None else None
        return [
            PublicityNotice(
                village=village.name if village else "　　　　村",
                start=None,
                end=None,
                village_phone=(village.committee_phone or "") if village else "",
                blank_rows=BLANK_ROWS,
                **common,
            )
        ]
    cases = _load(session, village_id, case_ids)
    if case_ids is None:
        cases = [c for c in cases if _at_publicity(c, proc)]
    # one notice per village and 公示 period: a posted case keeps its recorded period, the cases
    # still to be posted share one new period (``start``, else today); never one case under
    # another's period, nor a notice dated before the 村级评议 it cites
    groups: dict[tuple[int, dt.date], list[MonitoringCase]] = {}
    waiting: dict[int, list[MonitoringCase]] = {}
    for case in sorted(cases, key=_sort_key):
        posted = _publicity_entry(case, proc)
        if posted is None:
            waiting.setdefault(case.household.village_id, []).append(case)
        else:
            groups.setdefault((case.household.village_id, posted.done_on), []).append(case)
    too_early: list[tuple[MonitoringCase, dt.date]] = []  # reviewed after an explicit ``start``
    for village_id_, cases_here in waiting.items():
        begin = start or dt.date.today()
        fits = []
        for case in cases_here:
            reviewed = _step_on(case, proc, rules.REVIEW)
            if reviewed is not None and reviewed > begin:
                if start is not None:
                    too_early.append((case, reviewed))
                    continue
                begin = reviewed  # a 评议 recorded ahead of today: post from that day
            fits.append(case)
        if fits:
            groups.setdefault((village_id_, begin), []).extend(fits)
            groups[(village_id_, begin)].sort(key=_sort_key)
    if too_early and (case_ids is not None or not groups):
        case, reviewed = too_early[0]
        raise UserError(
            f"公示开始日期{notices_pdf.cn_date(start)}早于{_head_name(case.household)}户的村级评议日期"
            f"{notices_pdf.cn_date(reviewed)}：公示应在评议之后张贴，请改用评议当天或以后的日期。"
        )
    notices = []
    for (_village, begin), cases_here in sorted(
        groups.items(), key=lambda kv: (_sort_key(kv[1][0])[:2], kv[0][1])
    ):
        village = cases_here[0].household.village
        recorded = [e.end_on for c in cases_here if (e := _publicity_entry(c, proc)) and e.end_on]
        end = max(recorded) if recorded else calendar_service.publicity_end(session, begin)
        reviews = sorted({d for c in cases_here if (d := _step_on(c, proc, rules.REVIEW)) is not None})
        notices.append(
            PublicityNotice(
                village=village.name,
                start=begin,
                end=end,
                review_dates=reviews,
                rows=[_notice_row(c, kind) for c in cases_here],
                village_phone=village.committee_phone or "",
                **common,
            )
        )
    return notices


def write_publicity(
    session: Session,
    path: str | os.PathLike[str],
    *,
    village_id: int | None,
    kind: str,
    paper: str = "A4",
    start: dt.date | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    fonts: FontLibrary | None = None,
) -> Path:
    """The 村级公示 of one village (of every village with cases there when ``village_id`` is None)."""
    notices = gather_publicity(
        session, village_id=village_id, case_ids=case_ids, blank=blank, kind=kind, start=start
    )
    if not notices:
        where = _village_name(session, village_id) or "各村"
        if case_ids is not None:
            raise UserError(f"所选的监测对象不在{where}，没有可公示的农户。")
        raise UserError(
            f"{where}目前没有处于公示环节的{KIND_WORDS[kind]}（村级评议已完成、乡镇审核尚未完成的）。"
            "请先在监测对象中登记村级评议，或手工选择要公示的农户。"
        )
    return notices_pdf.render_publicity(path, notices, paper=paper, fonts=fonts)


# --------------------------------------------------------------------------------------------------
# 乡镇审核 / 县级审定 名单 (internal)


SHORT_STEPS = {
    "农户申请": "申请",
    "村提名": "提名",
    "入户核实": "核实",
    "村级评议": "评议",
    "公示": "公示",
    "乡镇审核": "审核",
    "县级审定": "审定",
    "系统录入": "录入",
}


def _steps_text(case: MonitoringCase, proc: str) -> str:
    """申请2026.1.20 核实1.21 评议1.22 公示1.23—1.30: the year written when it changes."""
    parts = []
    year = None
    for entry in _entries(case, proc):
        day = entry.done_on
        when = f"{day.month}.{day.day}" if day.year == year else f"{day.year}.{day.month}.{day.day}"
        year = day.year
        text = SHORT_STEPS.get(entry.step, entry.step) + when
        if entry.step == rules.PUBLICITY and entry.end_on:
            text += f"—{entry.end_on.month}.{entry.end_on.day}"
        parts.append(text)
    return " ".join(parts)


def _head_id(h: Household) -> str:
    members = sorted(h.members, key=lambda m: (m.sort_order, m.id))
    head = next((m for m in members if m.relation == HEAD), members[0] if members else None)
    return (head.id_number or "") if head else ""


def gather_review_list(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    level: str = "township",
    kind: str = INCLUSION,
    today: dt.date | None = None,
) -> list[ReviewList]:
    """The one list of the cases waiting for that level's decision (or ``case_ids``)."""
    proc = _procedure(kind)
    step = _level(level)
    settings = settings_service.load(session)
    item = ReviewList(
        township=settings.township,
        county=settings.county,
        level=level,
        kind=kind,
        printed_on=today or dt.date.today(),
        village=_village_name(session, village_id),
    )
    if blank:
        return [item]
    cases = _load(session, village_id, case_ids)
    if case_ids is None:
        cases = [c for c in cases if _open_in(c, proc) and _next(c, proc) == step]
    cases.sort(key=_sort_key)
    incomes = latest_incomes(session, [c.household_id for c in cases])
    for case in cases:
        h = case.household
        found = incomes.get(h.id)
        per_capita = found.per_capita if found is not None else None
        year = found.year if found is not None else None
        item.rows.append(
            ReviewRow(
                village=h.village.name if h.village else "",
                group=h.group.name if h.group else "",
                head_name=_head_name(h),
                id_number=_head_id(h),
                people=len(h.members),
                category=case.category or "",
                mode=_mode(case) if kind == ELIMINATION else "",
                risks=_risks(case),
                per_capita="" if per_capita is None else amount_text(per_capita),
                income_year=year,
                steps=_steps_text(case, proc),
                note=REINCLUDED if case.previous_case_id else "",
            )
        )
    return [item] if item.rows else []


def write_review_list(
    session: Session,
    path: str | os.PathLike[str],
    *,
    level: str,
    kind: str,
    village_id: int | None = None,
    paper: str = "A4",
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    fonts: FontLibrary | None = None,
) -> Path:
    """The internal 乡镇审核 / 县级审定 list (full ID numbers), all villages unless ``village_id``."""
    lists = gather_review_list(
        session, village_id=village_id, case_ids=case_ids, blank=blank, level=level, kind=kind
    )
    if not lists:
        where = _village_name(session, village_id) or "全镇"
        raise UserError(f"{where}目前没有等待{_level(level)}的{KIND_WORDS[kind]}。")
    return notices_pdf.render_review_list(path, lists, paper=paper, fonts=fonts)


# --------------------------------------------------------------------------------------------------
# 公告 (public)


def gather_announcement(
    session: Session,
    *,
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    kind: str = INCLUSION,
    start: dt.date | None = None,
) -> list[Announcement]:
    """The township's 公告: the cases the county decided this year (or ``case_ids``), by village.

    A 公告 is the township's: ``village_id`` is accepted (batch printing passes it) but ignored,
    so the total it states (“共新识别…N户M人”) is always the whole township's."""
    proc = _procedure(kind)
    settings = settings_service.load(session)
    begin = start or dt.date.today()
    days = int(settings.publicity_days)
    item = Announcement(
        township=settings.township,
        kind=kind,
        year=begin.year,
        start=None if blank else begin,
        end=None if blank else begin + dt.timedelta(days=days - 1),
        days=days,
        township_phone=settings.township_phone,
        supervision_phone=settings.supervision_phone or "12317",
        blank_rows=BLANK_ROWS if blank else 0,
    )
    if blank:
        return [item]
    cases = _load(session, None, case_ids)
    if case_ids is None:
        picked = []
        for case in cases:
            decided = rules.county_decision_on(_entries(case, proc))
            if decided is not None and decided.year == begin.year and decided <= begin:
                picked.append(case)
        cases = picked
    by_village: dict[int, tuple[str, list[NoticeRow]]] = {}
    for case in sorted(cases, key=_sort_key):
        h = case.household
        name = h.village.name if h.village else ""
        by_village.setdefault(h.village_id, (name, []))[1].append(_notice_row(case, kind))
    item.villages = list(by_village.values())
    return [item] if item.villages else []


def write_announcement(
    session: Session,
    path: str | os.PathLike[str],
    *,
    kind: str,
    paper: str = "A4",
    start: dt.date | None = None,
    case_ids: Sequence[int] | None = None,
    village_id: int | None = None,
    blank: bool = False,
    fonts: FontLibrary | None = None,
) -> Path:
    items = gather_announcement(
        session, village_id=village_id, case_ids=case_ids, blank=blank, kind=kind, start=start
    )
    if not items:
        year = (start or dt.date.today()).year
        what = "新识别的监测对象" if kind == INCLUSION else "风险消除的监测对象"
        raise UserError(f"{year}年（截至公告日）还没有经县级审定{what}，没有可公告的名单。")
    return notices_pdf.render_announcement(path, items, paper=paper, fonts=fonts)


# --------------------------------------------------------------------------------------------------
# privacy scan


def health_words() -> list[str]:
    """The 健康状况 values (other than 健康), their aliases and the disability categories."""
    en = enums.current()
    words = {w for w in en.values("health") if w != "健康"}
    words |= {k for k, v in en.aliases("health").items() if v != "健康"}
    words |= set(en.values("disability_categories"))
    return sorted(words, key=lambda w: (-len(w), w))


def official_numbers(session: Session) -> list[str]:
    """The numbers a public document may print: the township's, the county's, 12317 and the
    village committees' phones."""
    s = settings_service.load(session)
    numbers = [s.township_phone, s.county_phone, s.supervision_phone]
    numbers += [p for p in session.scalars(select(Village.committee_phone)) if p]
    return [n for n in numbers if n]


_SEP = r"[ \t\u00a0\u3000\-]"
_NUMBER = re.compile(rf"(?<![0-9])[0-9](?:{_SEP}?[0-9])*(?:{_SEP}?[Xx])?(?![0-9])")
_MASKED = re.compile(r"[0-9]{2,}[*＊]{4,}[0-9Xx]*|[0-9]*[*＊]{4,}[0-9]{2,}[0-9Xx]*")
_WRAPPED_DIGITS = re.compile(r"(?<=[0-9*＊])[ \t]*\r?\n[ \t]*(?=[0-9Xx*＊])")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


@dataclass(frozen=True)
class _Allowed:
    numbers: frozenset[str]

    @classmethod
    def of(cls, values: Iterable[str]) -> _Allowed:
        return cls(frozenset(re.sub(r"[^0-9]", "", v) for v in values if v))


def privacy_findings(text: str, allowed_numbers: Iterable[str] = ()) -> list[str]:
    """What a public document must not show, found in its text: ID numbers (15/18 digits, also
    spaced), masked IDs, bank-account-like numbers (16+ digits), 11-digit mobile numbers other
    than ``allowed_numbers`` (the official phones), and health words (:func:`health_words`).
    Empty list = clean."""
    allowed = _Allowed.of(allowed_numbers)
    findings: list[str] = []
    # a number wrapped in a narrow cell comes out of the PDF split over lines: join them again
    joined = _WRAPPED_DIGITS.sub("", text)
    for match in _NUMBER.finditer(joined):
        raw = match.group(0)
        digits = re.sub(r"[^0-9Xx]", "", raw)
        if digits in allowed.numbers:
            continue
        if len(digits) == 18 and digits[:17].isdigit() or len(digits) == 15 and digits.isdigit():
            findings.append(f"身份证号码：{raw}")
        elif len(digits) >= 15:
            findings.append(f"长号码（证件号或银行账号）：{raw}")
        elif len(digits) == 11 and _MOBILE.fullmatch(digits):
            findings.append(f"手机号码：{raw}")
    for match in _MASKED.finditer(joined):
        findings.append(f"遮挡的证件号码：{match.group(0)}")
    solid = "".join(text.split())  # a word wrapped over two lines reads whole
    for word in health_words():
        if word in solid:
            findings.append(f"健康状况：{word}")
    return findings
