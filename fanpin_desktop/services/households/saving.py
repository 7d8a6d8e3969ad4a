"""Storing drafts and the other editing use cases: members added, changed, moved or removed,
a new head, income records, a household deleted.

Everything goes through the ORM so the audit trail records each change; the caller's unit of work
commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from fanpin_desktop.domain import enums as enum_data
from fanpin_desktop.models import (
    Contact,
    Household,
    HouseholdScreening,
    IncomeRecord,
    Measure,
    Member,
    MonitoringCase,
    Visit,
)
from fanpin_desktop.services.households.constants import HEAD, MONEY_FIELDS
from fanpin_desktop.services.households.drafts import (
    _HOUSEHOLD_FIELDS,
    _INCOME_FIELDS,
    _MEMBER_FIELDS,
    HouseholdDraft,
    IncomeDraft,
    MemberDraft,
    _blank_to_none,
    load_household,
    set_head,
)
from fanpin_desktop.services.households.errors import RegistryError, ValidationFailed
from fanpin_desktop.services.households.rows import household_label
from fanpin_desktop.services.households.validation import validate_draft

# --------------------------------------------------------------------------- saving


def _apply(obj: Any, draft_obj: Any, names: Iterable[str], blank_as_none: bool = True) -> None:
    for name in names:
        value = getattr(draft_obj, name)
        if blank_as_none:
            value = _blank_to_none(value)
        if getattr(obj, name) != value:
            setattr(obj, name, value)


_MEMBER_REQUIRED_TEXT = {"name", "relation", "id_type"}


def _apply_member(m: Member, d: MemberDraft) -> None:
    for name in _MEMBER_FIELDS:
        value = getattr(d, name)
        if isinstance(value, str):
            value = value.strip()
            if not value and name not in _MEMBER_REQUIRED_TEXT:
                value = None
        if getattr(m, name) != value:
            setattr(m, name, value)


def _next_sort_order(session: Session, household_id: int) -> int:
    current = session.scalar(select(func.max(Member.sort_order)).where(Member.household_id == household_id))
    return (current or 0) + 1


_Child = TypeVar("_Child", Member, IncomeRecord)


def _drop_missing(children: list[_Child], drafts: Iterable[Any]) -> dict[int, _Child]:
    """Remove from the ORM collection ``children`` those no draft keeps (by id); all of them by id."""
    existing = {c.id: c for c in children}
    keep = {d.id for d in drafts if d.id is not None}
    for cid, c in list(existing.items()):
        if cid not in keep:
            children.remove(c)
    return existing


def save_household(session: Session, draft: HouseholdDraft, today: dt.date | None = None) -> int:
    """Validate and store the draft (household, members, pending moves, incomes); returns its id.

    Raises ValidationFailed when any error is found; warnings do not block (get them from
    ``validate_draft`` first to show the clerk). Everything goes through the ORM so the audit
    trail records each change; the caller's unit of work commits.
    """
    issues = validate_draft(session, draft, today)
    if any(i.is_error for i in issues):
        raise ValidationFailed(issues)

    if draft.id is None:
        h = Household()
        session.add(h)
    else:
        h = session.get(
            Household, draft.id, options=[selectinload(Household.members), selectinload(Household.incomes)]
        )
        if h is None:
            raise RegistryError("该户已被删除，无法保存")
    _apply(h, draft, _HOUSEHOLD_FIELDS)
    if h.household_type is None:
        h.household_type = "一般农户"
    for flag in ("relocated", "military_family", "urban_registered"):
        setattr(h, flag, bool(getattr(draft, flag)))

    # Removed members first, so a number may move from a deleted member to a new one.
    existing = _drop_missing(h.members, draft.members)
    session.flush()

    moves: list[tuple[Member, MemberDraft]] = []
    order = 0
    for d in draft.members:
        if d.id is not None:
            m = existing.get(d.id)
            if m is None:
                raise RegistryError(f"{d.label()}已不在本户（可能已被迁走或删除），请重新打开本户")
        else:
            m = Member()
            h.members.append(m)
        _apply_member(m, d)
        if d.move_to_household_id is not None:
            moves.append((m, d))
        else:
            order += 1
            if m.sort_order != order:
                m.sort_order = order

    existing_incomes = _drop_missing(h.incomes, draft.incomes)
    session.flush()
    for d in draft.incomes:
        if d.id is not None:
            r = existing_incomes.get(d.id)
            if r is None:
                raise RegistryError("收支记录已被删除，请重新打开本户")
        else:
            r = IncomeRecord()
            h.incomes.append(r)
        for name in _INCOME_FIELDS:
            value = getattr(d, name)
            if name in MONEY_FIELDS:
                value = Decimal(value or 0).quantize(Decimal("0.01"))
            elif isinstance(value, str):
                value = value.strip() or None
            if getattr(r, name) != value:
                setattr(r, name, value)
        if not r.year and r.period_end:
            r.year = r.period_end.year
    session.flush()

    for m, d in moves:
        _move(session, m, d.move_to_household_id, d.move_relation or "其他")
    session.flush()
    return h.id


def _move(session: Session, member: Member, target_id: int | None, relation: str) -> None:
    target = session.get(Household, target_id)
    if target is None:
        raise RegistryError("迁入户已不存在")
    order = _next_sort_order(session, target.id)
    with session.no_autoflush:
        # Assigning the parent moves the member between the two collections in one step,
        # so it is never an orphan (which delete-orphan would delete).
        member.household = target
        member.relation = relation
        member.sort_order = order


def move_member(session: Session, member_id: int, target_household_id: int, relation: str) -> None:
    """Move a member into another household under ``relation`` to its head (not 户主)."""
    member = session.get(Member, member_id)
    if member is None:
        raise RegistryError("该成员已不存在")
    if relation == HEAD:
        raise RegistryError("与户主关系：迁入户已有户主，不能以“户主”迁入")
    if relation not in enum_data.current().values("relations"):
        raise RegistryError(f"与户主关系：“{relation}”不在代码表中")
    if member.household_id == target_household_id:
        raise RegistryError("迁入户不能是本户")
    if member.relation == HEAD and len(member.household.members) > 1:
        raise RegistryError(f"成员“{member.name}”是户主，请先把另一名成员设为户主再迁移")
    _move(session, member, target_household_id, relation)
    session.flush()


def change_head(session: Session, household_id: int, new_head_member_id: int, old_head_relation: str) -> None:
    """Make a member the head of its household; the previous head gets ``old_head_relation``."""
    draft = load_household(session, household_id)
    key = next((m.key for m in draft.members if m.id == new_head_member_id), None)
    if key is None:
        raise RegistryError("该成员不在本户")
    set_head(draft, key, old_head_relation)
    save_household(session, draft)


def add_member(session: Session, household_id: int, member: MemberDraft, today: dt.date | None = None) -> int:
    """Add one member to a household (validated with the whole household); returns its id."""
    draft = load_household(session, household_id)
    member.id = None
    draft.members.append(member)
    save_household(session, draft, today)
    return session.scalars(
        select(Member.id).where(Member.household_id == household_id).order_by(Member.id.desc()).limit(1)
    ).one()


def update_member(session: Session, member: MemberDraft, today: dt.date | None = None) -> None:
    """Store the edited fields of one existing member (validated with the whole household)."""
    household_id = session.scalar(select(Member.household_id).where(Member.id == member.id))
    if member.id is None or household_id is None:
        raise RegistryError("该成员已不存在")
    draft = load_household(session, household_id)
    draft.members = [member if m.id == member.id else m for m in draft.members]
    save_household(session, draft, today)


def remove_member(session: Session, member_id: int, today: dt.date | None = None) -> None:
    """Remove one member (not the head of a household with other members)."""
    household_id = session.scalar(select(Member.household_id).where(Member.id == member_id))
    if household_id is None:
        raise RegistryError("该成员已不存在")
    draft = load_household(session, household_id)
    member = next(m for m in draft.members if m.id == member_id)
    if member.relation == HEAD and len(draft.members) > 1:
        raise RegistryError(f"成员“{member.name}”是户主，请先把另一名成员设为户主再删除")
    draft.members.remove(member)
    save_household(session, draft, today)


def save_income(
    session: Session, household_id: int, income: IncomeDraft, today: dt.date | None = None
) -> None:
    """Add or replace one income record of a household (validated with the whole household)."""
    draft = load_household(session, household_id)
    if income.id is None:
        draft.incomes.append(income)
    else:
        draft.incomes = [income if r.id == income.id else r for r in draft.incomes]
    save_household(session, draft, today)


def delete_household(session: Session, household_id: int) -> str:
    """Delete a household with its members and income records (each written to the audit trail).

    Refuses when monitoring, screening or assistance records refer to the household: the
    database would remove those silently. Returns the household's label for the status bar.
    """
    h = session.get(
        Household, household_id, options=[selectinload(Household.members), selectinload(Household.incomes)]
    )
    if h is None:
        raise RegistryError("该户已不存在")
    label = household_label(session, household_id)
    blockers = []
    for model, what in (
        (MonitoringCase, "监测记录"),
        (HouseholdScreening, "排查记录"),
        (Measure, "帮扶措施"),
        (Contact, "帮扶联系人"),
        (Visit, "走访记录"),
    ):
        n = session.scalar(select(func.count()).select_from(model).where(model.household_id == household_id))
        if n:
            blockers.append(f"{n}条{what}")
    if blockers:
        raise RegistryError(f"{label}有{'、'.join(blockers)}，不能删除；如确需删除，请先处理这些记录")
    session.delete(h)
    session.flush()
    return label
