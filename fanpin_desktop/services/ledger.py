"""附件4 问题整改台账: problems found by the screening and their rectification (四项清单).

A problem sits at one level — 乡镇 (no village, no household), 村 (a village, no household) or 户
(a household, whose village it takes) — and has a type from the year's list, a measure, a
responsible person and a deadline. Its status moves 整改中 → 已整改 → 已销号 (verified, with the
verification date); a rectification that fails verification goes back to 整改中. A closed item is
not reopened: if the problem comes back it is a new problem.

Problems fixed on the spot (立行立改) are recorded — they count among the problems found — but
they are not ledger items and never appear in the ledger export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import Session

from fanpin_desktop.domain import enums
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Household, Member, Problem, Village

IN_PROGRESS = "整改中"
RECTIFIED = "已整改"
CLOSED = "已销号"
STATUSES = (IN_PROGRESS, RECTIFIED, CLOSED)
LEVEL_TOWNSHIP, LEVEL_VILLAGE, LEVEL_HOUSEHOLD = "乡镇", "村", "户"
LEVELS = (LEVEL_TOWNSHIP, LEVEL_VILLAGE, LEVEL_HOUSEHOLD)

#: allowed status changes: (from, to)
TRANSITIONS = {(IN_PROGRESS, RECTIFIED), (RECTIFIED, CLOSED), (RECTIFIED, IN_PROGRESS)}

FIELD_LABELS = {
    "level": "问题层级",
    "village_id": "村（社区）",
    "household_id": "户主姓名",
    "problem_type": "问题类型",
    "description": "具体问题",
    "measure": "整改措施",
    "responsible": "整改责任人",
    "deadline": "整改时限",
    "found_on": "发现日期",
    "rectified_on": "整改完成日期",
    "verified_on": "销号日期",
    "verified_by": "验收人",
    "status": "整改状态",
    "note": "备注",
}


def problem_types(year: int | None = None) -> list[str]:
    return enums.for_year(year).values("problem_types")


def canonical_type(value: Any, year: int | None = None) -> str | None:
    """The listed 问题类型 for ``value``, accepting missing or straight quotes (三保障和饮水安全)."""
    text = str(value or "").strip()
    if not text:
        return None
    listed = problem_types(year)
    if text in listed:
        return text
    bare = text.translate(str.maketrans("", "", "\"'“”‘’"))
    for t in listed:
        if t.translate(str.maketrans("", "", "\"'“”‘’")) == bare:
            return t
    return enums.for_year(year).canonical("problem_types", text)


@dataclass(frozen=True)
class ProblemRow:
    """One ledger line as lists and the export show it."""

    id: int
    campaign_id: int | None
    level: str
    village_id: int | None
    village: str
    household_id: int | None
    head_name: str
    id_number: str
    problem_type: str
    description: str
    measure: str
    responsible: str
    deadline: dt.date | None
    status: str
    found_on: dt.date | None
    rectified_on: dt.date | None
    verified_on: dt.date | None
    verified_by: str
    on_the_spot: bool
    source: str
    note: str
    overdue: bool
    days_overdue: int


def is_overdue(status: str, deadline: dt.date | None, today: dt.date) -> bool:
    """Still being rectified after its deadline."""
    return status == IN_PROGRESS and deadline is not None and deadline < today


# --------------------------------------------------------------------------- validation


def _text(value: Any, fld: str, limit: int | None = None, required: bool = False) -> str | None:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(fld, f"{FIELD_LABELS[fld]}不能为空。")
    if limit and len(text) > limit:
        raise ValidationError(fld, f"{FIELD_LABELS[fld]}不能超过 {limit} 个字。")
    return text or None


def _date(value: Any, fld: str) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise ValidationError(fld, f"{FIELD_LABELS[fld]}“{value}”不是有效的日期。")


def _placement(
    session: Session, level: Any, village_id: int | None, household_id: int | None
) -> tuple[str, int | None, int | None]:
    lvl = str(level or "").strip()
    if lvl not in LEVELS:
        raise ValidationError("level", f"问题层级“{level}”无效，应为乡镇、村或户。")
    if lvl == LEVEL_TOWNSHIP:
        if village_id is not None or household_id is not None:
            raise ValidationError("village_id", "乡镇层面的问题不填写村（社区）、户主姓名和身份证号码。")
        return lvl, None, None
    if lvl == LEVEL_VILLAGE:
        if household_id is not None:
            raise ValidationError("household_id", "村级问题不填写户主姓名和身份证号码。")
        if village_id is None:
            raise ValidationError("village_id", "村级问题必须选择村（社区）。")
        if session.get(Village, village_id) is None:
            raise ValidationError("village_id", "所选村（社区）已不存在。")
        return lvl, village_id, None
    if household_id is None:
        raise ValidationError("household_id", "到户问题必须选择农户。")
    h = session.get(Household, household_id)
    if h is None:
        raise ValidationError("household_id", "所选农户已不存在。")
    if village_id is not None and village_id != h.village_id:
        raise ValidationError("village_id", "所选村（社区）与该户所在村不一致。")
    return lvl, h.village_id, h.id


def _type(value: Any, year: int | None) -> str:
    t = canonical_type(value, year)
    if t is None:
        if not str(value or "").strip():
            raise ValidationError("problem_type", "问题类型不能为空。")
        raise ValidationError(
            "problem_type", f"问题类型“{value}”不在规定的类型中（{'、'.join(problem_types(year))}）。"
        )
    return t


def _check_deadline(found_on: dt.date | None, deadline: dt.date | None) -> None:
    if found_on and deadline and deadline < found_on:
        raise ValidationError("deadline", f"整改时限 {deadline} 早于发现日期 {found_on}。")


# --------------------------------------------------------------------------- create / edit / delete


def get(session: Session, problem_id: int) -> Problem:
    p = session.get(Problem, problem_id)
    if p is None:
        raise UserError("该问题记录已不存在（可能已被删除），请刷新后重试。")
    return p


def create(
    session: Session,
    *,
    level: str,
    problem_type: str,
    description: str,
    village_id: int | None = None,
    household_id: int | None = None,
    campaign_id: int | None = None,
    measure: str | None = None,
    responsible: str | None = None,
    deadline: dt.date | None = None,
    found_on: dt.date | None = None,
    on_the_spot: bool = False,
    source: str | None = None,
    note: str | None = None,
    year: int | None = None,
) -> Problem:
    """A new problem. 立行立改 (``on_the_spot``) is recorded as already rectified on the day found."""
    lvl, vid, hid = _placement(session, level, village_id, household_id)
    found = _date(found_on, "found_on") or dt.date.today()
    dl = _date(deadline, "deadline")
    _check_deadline(found, dl)
    p = Problem(
        campaign_id=campaign_id,
        level=lvl,
        village_id=vid,
        household_id=hid,
        problem_type=_type(problem_type, year),
        description=_text(description, "description", required=True),
        measure=_text(measure, "measure"),
        responsible=_text(responsible, "responsible", 60),
        deadline=dl,
        status=RECTIFIED if on_the_spot else IN_PROGRESS,
        found_on=found,
        rectified_on=found if on_the_spot else None,
        on_the_spot=bool(on_the_spot),
        source=_text(source, "note", 20),
        note=_text(note, "note"),
    )
    session.add(p)
    session.flush()
    return p


_EDITABLE = {
    "level",
    "village_id",
    "household_id",
    "problem_type",
    "description",
    "measure",
    "responsible",
    "deadline",
    "found_on",
    "on_the_spot",
    "note",
    "campaign_id",
}


def edit(session: Session, problem_id: int, year: int | None = None, **changes: Any) -> Problem:
    """Change the problem's facts (not its status: see :func:`mark_rectified` and friends)."""
    unknown = set(changes) - _EDITABLE
    if unknown:
        raise KeyError(f"unknown problem fields: {sorted(unknown)}")
    p = get(session, problem_id)
    if p.status == CLOSED:
        raise ValidationError("status", "已销号的问题不能再修改。")
    lvl, vid, hid = _placement(
        session,
        changes.get("level", p.level),
        changes.get("village_id", p.village_id),
        changes.get("household_id", p.household_id),
    )
    p.level, p.village_id, p.household_id = lvl, vid, hid
    if "problem_type" in changes:
        p.problem_type = _type(changes["problem_type"], year)
    if "description" in changes:
        p.description = _text(changes["description"], "description", required=True)  # type: ignore[assignment]
    for fld, limit in (("measure", None), ("responsible", 60), ("note", None)):
        if fld in changes:
            setattr(p, fld, _text(changes[fld], fld, limit))
    if "found_on" in changes:
        p.found_on = _date(changes["found_on"], "found_on")
    if "deadline" in changes:
        p.deadline = _date(changes["deadline"], "deadline")
    if "campaign_id" in changes:
        p.campaign_id = changes["campaign_id"]
    if "on_the_spot" in changes:
        p.on_the_spot = bool(changes["on_the_spot"])
        if p.on_the_spot and p.status == IN_PROGRESS:
            p.status, p.rectified_on = RECTIFIED, p.found_on or dt.date.today()
    _check_deadline(p.found_on, p.deadline)
    session.flush()
    return p


def delete(session: Session, problem_id: int) -> None:
    session.delete(get(session, problem_id))
    session.flush()


# --------------------------------------------------------------------------- status changes


def _transition(p: Problem, to: str) -> None:
    if (p.status, to) not in TRANSITIONS:
        if p.status == to:
            raise ValidationError("status", f"该问题已经是“{to}”状态。")
        raise ValidationError(
            "status",
            f"整改状态不能从“{p.status}”改为“{to}”"
            + ("（已销号的问题不能重新打开，如问题反弹请另行登记）。" if p.status == CLOSED else "。"),
        )


def _step_date(
    value: Any, fld: str, label: str, after: dt.date | None, after_label: str, blank_label: str | None = None
) -> dt.date:
    """The date of a status step: required, not before ``after`` (the previous step's date) and
    not after today. ``label`` names it in messages (``blank_label`` when it is missing)."""
    on = _date(value, fld)
    if on is None:
        raise ValidationError(fld, f"{blank_label or label}不能为空。")
    if after and on < after:
        raise ValidationError(fld, f"{label} {on} 早于{after_label} {after}。")
    if on > dt.date.today():
        raise ValidationError(fld, f"{label} {on} 晚于今天。")
    return on


def mark_rectified(session: Session, problem_id: int, on: dt.date, note: str | None = None) -> Problem:
    """整改中 → 已整改, with the date the rectification was completed."""
    p = get(session, problem_id)
    _transition(p, RECTIFIED)
    on = _step_date(on, "rectified_on", "整改完成日期", p.found_on, "发现日期")
    p.status, p.rectified_on = RECTIFIED, on
    if note:
        p.note = _join(p.note, note)
    session.flush()
    return p


def close(session: Session, problem_id: int, on: dt.date, by: str | None = None) -> Problem:
    """已整改 → 已销号 after verification, with the verification date and verifier."""
    p = get(session, problem_id)
    _transition(p, CLOSED)
    on = _step_date(
        on, "verified_on", "销号日期", p.rectified_on, "整改完成日期", blank_label="销号（验收）日期"
    )
    p.status, p.verified_on, p.verified_by = CLOSED, on, _text(by, "verified_by", 60)
    session.flush()
    return p


def send_back(session: Session, problem_id: int, reason: str) -> Problem:
    """已整改 → 整改中: verification found the rectification incomplete (reason required)."""
    p = get(session, problem_id)
    _transition(p, IN_PROGRESS)
    text = _text(reason, "note", required=True)
    p.status, p.rectified_on = IN_PROGRESS, None
    p.note = _join(p.note, f"验收未通过：{text}")
    session.flush()
    return p


def _join(old: str | None, new: str) -> str:
    return f"{old}；{new}" if old else new


# --------------------------------------------------------------------------- lists


def _head_parts() -> tuple[Any, Any]:
    head = (
        select(
            Member.household_id.label("hid"),
            func.min(Member.name).label("name"),
            func.min(Member.id_number).label("idn"),
        )
        .where(Member.relation == "户主")
        .group_by(Member.household_id)
        .subquery()
    )
    return head, head.c


def list_problems(
    session: Session,
    *,
    campaign_id: int | None = None,
    village_id: int | None = None,
    household_id: int | None = None,
    statuses: Sequence[str] | None = None,
    include_on_the_spot: bool = True,
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> list[ProblemRow]:
    """Ledger lines, township ones first, then by village order, deadline and id."""
    today = today or dt.date.today()
    head, hc = _head_parts()
    stmt = (
        select(Problem, Village.name, hc.name, hc.idn)
        .outerjoin(Village, Village.id == Problem.village_id)
        .outerjoin(head, hc.hid == Problem.household_id)
    )
    if campaign_id is not None:
        stmt = stmt.where(Problem.campaign_id == campaign_id)
    if village_id is not None:
        stmt = stmt.where(Problem.village_id == village_id)
    if household_id is not None:
        stmt = stmt.where(Problem.household_id == household_id)
    if statuses:
        stmt = stmt.where(Problem.status.in_(list(statuses)))
    if not include_on_the_spot:
        stmt = stmt.where(Problem.on_the_spot.is_(False))
    if overdue_only:
        stmt = stmt.where(Problem.status == IN_PROGRESS, Problem.deadline < today)
    level_order = func.coalesce(Village.sort_order, -1)
    stmt = stmt.order_by(
        level_order,
        Problem.village_id.is_not(None),
        Problem.village_id,
        Problem.household_id.is_not(None),
        Problem.found_on,
        Problem.id,
    )
    out = []
    for p, vname, hname, idn in session.execute(stmt):
        over = is_overdue(p.status, p.deadline, today)
        out.append(
            ProblemRow(
                id=p.id,
                campaign_id=p.campaign_id,
                level=p.level,
                village_id=p.village_id,
                village=vname or "",
                household_id=p.household_id,
                head_name=hname or "",
                id_number=idn or "",
                problem_type=p.problem_type,
                description=p.description,
                measure=p.measure or "",
                responsible=p.responsible or "",
                deadline=p.deadline,
                status=p.status,
                found_on=p.found_on,
                rectified_on=p.rectified_on,
                verified_on=p.verified_on,
                verified_by=p.verified_by or "",
                on_the_spot=p.on_the_spot,
                source=p.source or "",
                note=p.note or "",
                overdue=over,
                days_overdue=(today - p.deadline).days if over and p.deadline else 0,
            )
        )
    return out


def overdue(
    session: Session, today: dt.date | None = None, campaign_id: int | None = None
) -> list[ProblemRow]:
    return list_problems(
        session, campaign_id=campaign_id, overdue_only=True, include_on_the_spot=False, today=today
    )


@dataclass(frozen=True)
class LedgerCounts:
    total: int
    in_progress: int
    rectified: int
    closed: int
    overdue: int
    on_the_spot: int


def counts(session: Session, campaign_id: int | None = None, today: dt.date | None = None) -> LedgerCounts:
    today = today or dt.date.today()
    cond = Problem.campaign_id == campaign_id if campaign_id is not None else true()
    ledger = Problem.on_the_spot.is_(False)

    def n(*where: Any) -> Any:
        return func.sum(func.iif(and_(*where), 1, 0)) if where else func.count()

    row = session.execute(
        select(
            n(ledger),
            n(ledger, Problem.status == IN_PROGRESS),
            n(ledger, Problem.status == RECTIFIED),
            n(ledger, Problem.status == CLOSED),
            n(ledger, Problem.status == IN_PROGRESS, Problem.deadline < today),
            n(Problem.on_the_spot.is_(True)),
        ).where(cond)
    ).one()
    return LedgerCounts(*(int(v or 0) for v in row))


def status_text(row: ProblemRow) -> str:
    """The status as the ledger's 备注 column shows it."""
    if row.status == CLOSED:
        return f"已销号（{_cn(row.verified_on)}验收）" if row.verified_on else "已销号"
    if row.status == RECTIFIED:
        return f"已整改（{_cn(row.rectified_on)}）" if row.rectified_on else "已整改"
    return "整改中，已超期" if row.overdue else "整改中"


def _cn(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


__all__ = [
    "CLOSED",
    "IN_PROGRESS",
    "RECTIFIED",
    "STATUSES",
    "LEVELS",
    "ProblemRow",
    "LedgerCounts",
    "create",
    "edit",
    "delete",
    "get",
    "mark_rectified",
    "close",
    "send_back",
    "list_problems",
    "overdue",
    "counts",
    "is_overdue",
    "status_text",
    "canonical_type",
    "problem_types",
]
