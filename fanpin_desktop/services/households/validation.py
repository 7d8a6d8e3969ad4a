"""Checking a draft before it is saved: errors block saving, warnings are for the clerk to confirm."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import enums as enum_data
from fanpin_desktop.domain import facts, ids, income
from fanpin_desktop.domain.facts import ERROR, WARNING, Issue
from fanpin_desktop.models import Household, Member, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services.households.constants import HEAD, ID_TYPES_CHECKED, MONEY_FIELDS
from fanpin_desktop.services.households.drafts import HouseholdDraft, MemberDraft
from fanpin_desktop.services.households.labels import INCOME_FIELD_LABELS
from fanpin_desktop.services.households.rows import fetch_rows, household_label
from fanpin_desktop.services.households.search import _like_escape

# --------------------------------------------------------------------------- validation


def _issue(code: str, fld: str, message: str, severity: str = ERROR, member: Any = None) -> Issue:
    return Issue(code=code, field=fld, message=message, severity=severity, member=member)


def normalise_member_id(m: MemberDraft, today: dt.date | None = None) -> ids.IdInfo | None:
    """Normalise ``m.id_number`` in place and fill sex and birth date from it.

    Returns the parsed number, or None when it is blank or (for an unchecked ID type such as
    户口簿) not a valid identity number. Raises IdNumberError with the reason when the number of a
    checked type is invalid.
    """
    raw = (m.id_number or "").strip()
    if not raw:
        m.id_number = ""
        return None
    try:
        info = ids.parse(raw, today)
    except ids.IdNumberError:
        if (m.id_type or "居民身份证") in ID_TYPES_CHECKED:
            raise
        m.id_number = ids.normalize(raw)
        return None
    m.id_number = info.number
    m.sex = info.sex
    m.birth_date = info.birth_date
    if info.is_disability_cert and not m.disability_cert_no:
        m.disability_cert_no = info.number
    return info


def _member_message(label: str, message: str) -> str:
    return message if message.startswith(label) else f"{label}：{message}"


def validate_member_draft(m: MemberDraft, today: dt.date | None = None) -> list[Issue]:
    """The member dialog's checks (domain.facts rules) after normalising the ID number."""
    today = today or dt.date.today()
    try:
        normalise_member_id(m, today)
    except ids.IdNumberError:
        pass  # validate_member reports it with the reason
    return facts.validate_member(m, today)


def id_number_owner(session: Session, number: str, exclude_member_ids: Sequence[int] = ()) -> str | None:
    """A message naming the household (head, village) that already holds this person, or None."""
    try:
        base = ids.parse(number).base_id
    except ids.IdNumberError:
        base = ids.normalize(number)[:18]
    if not base:
        return None
    stmt = select(Member.name, Member.household_id).where(
        Member.id_number.like(f"{_like_escape(base)}%", escape="\\")
    )
    if exclude_member_ids:
        stmt = stmt.where(Member.id.not_in(list(exclude_member_ids)))
    row = session.execute(stmt.limit(1)).first()
    if row is None:
        return None
    return (
        f"该身份证号已登记在{holder_label(session, row.household_id)}（成员“{row.name}”），"
        "同一人只能在一户中；如该成员已迁入本户，请先在原户中把他迁出"
    )


def holder_label(session: Session, household_id: int) -> str:
    """“某村 某组 户主张三的家庭（户编号…）” — the household named by the duplicate-ID check
    (an internal screen, so it may name the household and its code)."""
    row = fetch_rows(session, [household_id]).get(household_id)
    if row is None:
        return household_label(session, household_id)
    place = " ".join(p for p in (row.village, row.group) if p)
    code = f"（户编号{row.code}）" if row.code else ""
    return f"{place} 户主{row.head_name or '（未登记）'}的家庭{code}"


def validate_draft(session: Session, draft: HouseholdDraft, today: dt.date | None = None) -> list[Issue]:
    """Every problem with the draft: errors block saving, warnings are for the clerk to confirm.

    Messages name the member (第N名成员“姓名”), the field and the reason; ``Issue.member`` is the
    MemberDraft concerned and ``Issue.field`` its attribute, so the editor can jump to it.
    Normalises the members' ID numbers (and sex/birth date from them) as a side effect.
    """
    today = today or dt.date.today()
    en = enum_data.current()
    issues: list[Issue] = []

    # household
    if draft.village_id is None:
        if session.scalar(select(Village.id).limit(1)) is None:
            issues.append(
                _issue(
                    "H_VILLAGE", "village_id", "行政村：还没有行政村，请先在 系统设置 中建立行政村和村民小组"
                )
            )
        else:
            issues.append(_issue("H_VILLAGE", "village_id", "行政村：必须选择"))
    elif session.get(Village, draft.village_id) is None:
        issues.append(_issue("H_VILLAGE", "village_id", "行政村：所选的村已不存在"))
    if draft.group_id is not None:
        group = session.get(VillageGroup, draft.group_id)
        if group is None or group.village_id != draft.village_id:
            issues.append(_issue("H_GROUP", "group_id", "村民小组：不属于所选的行政村"))
    if draft.natural_village_id is not None:
        nv = session.get(NaturalVillage, draft.natural_village_id)
        if nv is None or nv.village_id != draft.village_id:
            issues.append(_issue("H_NATURAL", "natural_village_id", "自然村：不属于所选的行政村"))
    if draft.household_type not in en.values("household_types"):
        issues.append(_issue("H_TYPE", "household_type", f"户类型：“{draft.household_type}”不在代码表中"))
    code = (draft.code or "").strip()
    if code:
        other = session.scalar(
            select(Household.id).where(Household.code == code, Household.id != (draft.id or -1))
        )
        if other is not None:
            issues.append(
                _issue("H_CODE", "code", f"户编号：“{code}”已被{household_label(session, other)}使用")
            )
    if draft.poverty_exit_year is not None and not 2013 <= draft.poverty_exit_year <= today.year:
        issues.append(
            _issue(
                "H_EXIT_YEAR",
                "poverty_exit_year",
                f"脱贫年度：{draft.poverty_exit_year}不合理（应在2013年至今之间）",
            )
        )
    if draft.household_type == "脱贫户" and draft.poverty_exit_year is None:
        issues.append(_issue("H_EXIT_YEAR", "poverty_exit_year", "脱贫年度：脱贫户应填写脱贫年度", WARNING))
    if (draft.relocation_site or "").strip() and not draft.relocated:
        issues.append(
            _issue("H_RELOCATION", "relocation_site", "安置区：只有易地扶贫搬迁户才填写安置区", WARNING)
        )

    staying = draft.staying_members
    positions = {m.key: i for i, m in enumerate(draft.members, start=1)}

    def label_of(m: MemberDraft) -> str:
        return m.label(positions[m.key])

    # household structure and phone (domain.facts rules)
    if not staying:
        issues.append(_issue("H_HEAD", "members", "家庭成员：至少要有一名成员（户主）"))
    for i in facts.household_issues(staying, today, phone=draft.phone or ""):
        if i.member is not None and i.member.key in positions:
            issues.append(
                _issue(i.code, i.field, _member_message(label_of(i.member), i.message), i.severity, i.member)
            )
        elif staying or i.code != "H_HEAD":
            issues.append(i)

    # members, one by one
    seen_ids: dict[str, MemberDraft] = {}
    for m in draft.members:
        label = label_of(m)
        for i in validate_member_draft(m, today):
            issues.append(_issue(i.code, i.field, _member_message(label, i.message), i.severity, m))
        if m.id_number and (m.id_type or "居民身份证") in ID_TYPES_CHECKED and ids.is_valid(m.id_number):
            base = m.id_number[:18]
            if base in seen_ids:
                issues.append(
                    _issue(
                        "M_ID_DUP",
                        "id_number",
                        f"{label}：证件号码{ids.mask(m.id_number)}与{label_of(seen_ids[base])}相同，同一人只能登记一次",
                        member=m,
                    )
                )
            else:
                seen_ids[base] = m
        if m.move_to_household_id is not None:
            if draft.id is not None and m.move_to_household_id == draft.id:
                issues.append(
                    _issue("M_MOVE", "move_to_household_id", f"{label}：迁入户不能是本户", member=m)
                )
            elif session.get(Household, m.move_to_household_id) is None:
                issues.append(_issue("M_MOVE", "move_to_household_id", f"{label}：迁入户已不存在", member=m))
            if not m.move_relation or m.move_relation not in en.values("relations"):
                issues.append(
                    _issue("M_MOVE", "move_relation", f"{label}：必须选择在迁入户中的与户主关系", member=m)
                )
            elif m.move_relation == HEAD:
                issues.append(
                    _issue("M_MOVE", "move_relation", f"{label}：迁入户已有户主，不能以“户主”迁入", member=m)
                )
            if m.id is None:
                issues.append(
                    _issue(
                        "M_MOVE",
                        "move_to_household_id",
                        f"{label}：尚未保存的成员请直接在迁入户中添加",
                        member=m,
                    )
                )
            elif m.relation == HEAD and staying:
                issues.append(
                    _issue(
                        "M_MOVE",
                        "move_to_household_id",
                        f"{label}：户主不能迁出，请先把另一名成员设为户主",
                        member=m,
                    )
                )

    # the same person in another household
    if seen_ids:
        own_member_ids = [m.id for m in draft.members if m.id is not None]
        clauses = [Member.id_number.like(f"{_like_escape(b)}%", escape="\\") for b in seen_ids]
        stmt = select(Member.name, Member.id_number, Member.household_id).where(or_(*clauses))
        if own_member_ids:
            stmt = stmt.where(Member.id.not_in(own_member_ids))
        for other_name, other_number, other_hid in session.execute(stmt):
            mine = seen_ids.get((other_number or "")[:18])
            if mine is None:
                continue
            where = (
                "本户"
                if draft.id is not None and other_hid == draft.id
                else household_label(session, other_hid)
            )
            issues.append(
                _issue(
                    "M_ID_OTHER",
                    "id_number",
                    f"{label_of(mine)}：证件号码{ids.mask(mine.id_number)}已登记在{where}（成员“{other_name}”），"
                    "同一人只能在一户中；如该成员已迁入本户，请先在原户中把他迁出",
                    member=mine,
                )
            )

    # income records
    seen_periods: set[dt.date] = set()
    for r in draft.incomes:
        label = f"收支情况（{r.year or '未填年度'}年）"
        if r.period_start is None or r.period_end is None:
            issues.append(_issue("I_PERIOD", "period_start", f"{label}：必须填写收入起止日期"))
        elif r.period_start > r.period_end:
            issues.append(_issue("I_PERIOD", "period_start", f"{label}：收入起始日期晚于截止日期"))
        elif r.period_start in seen_periods:
            issues.append(
                _issue(
                    "I_PERIOD", "period_start", f"{label}：起始日期为{r.period_start.isoformat()}的记录有两条"
                )
            )
        else:
            seen_periods.add(r.period_start)
        amounts_ok, item_warned = True, False
        for name in MONEY_FIELDS:
            value = getattr(r, name)
            try:
                amount = Decimal(value or 0)
            except (InvalidOperation, TypeError, ValueError):
                issues.append(
                    _issue("I_AMOUNT", name, f"{label}的{INCOME_FIELD_LABELS[name]}：“{value}”不是金额")
                )
                amounts_ok = False
                continue
            field_label = f"{label}的{INCOME_FIELD_LABELS[name]}"
            refused = income.negative_amount(field_label, amount)
            if refused:
                issues.append(_issue("I_AMOUNT", name, refused))
                amounts_ok = False
            elif warned := income.implausible_amount(field_label, amount):
                issues.append(_issue("I_IMPLAUSIBLE", name, warned, WARNING))
                item_warned = True
        if r.people_count is not None and r.people_count <= 0:
            issues.append(_issue("I_PEOPLE", "people_count", f"{label}的家庭人口数：应大于0"))
        elif amounts_ok:
            people = r.people_count or len(draft.staying_members)
            t = income.totals(r.wage, r.business, r.property_income, r.transfer, r.business_cost, people)
            for warned in (
                income.negative_net(label, t.net),
                None if item_warned else income.implausible_amount(f"{label}的四项收入合计", t.gross),
                income.implausible_per_capita(f"{label}的人均纯收入", t.per_capita or 0),
            ):
                if warned:
                    issues.append(_issue("I_IMPLAUSIBLE", "wage", warned, WARNING))
    return issues
