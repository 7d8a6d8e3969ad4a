"""身份信息: identity numbers (DOMAIN.md §3)."""

from __future__ import annotations

from collections.abc import Iterator

from fanpin_desktop.domain import ids
from fanpin_desktop.domain.rules.base import (
    ERROR,
    G_IDENTITY,
    REMINDER,
    Finding,
    RuleContext,
    base_id,
    hit,
    parse_id,
    rule,
    text,
)
from fanpin_desktop.domain.rules.data import HouseholdData, MemberData

CHECKED_TYPES = frozenset({"居民身份证", "残疾人证"})


def _checked(m: MemberData) -> bool:
    return (text(m.id_type) or "居民身份证") in CHECKED_TYPES


def _parsed(m: MemberData, ctx: RuleContext) -> ids.IdInfo | None:
    return parse_id(m.id_number, ctx.today)[0] if m.id_number else None


def _who(h: HouseholdData, m: MemberData) -> str:
    return f"{h.label}成员{m.name}"


@rule(code="FP-ID-001", title="证件号码格式或校验位错误", group=G_IDENTITY, severity=ERROR)
def id_invalid(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        number = text(m.id_number)
        if number and _checked(m):
            err = parse_id(number, ctx.today)[1]
            if err:
                yield hit(h, f"{_who(h, m)}：{err}，请核对后改正证件号码", m.id_type, number, member=m)


@rule(code="FP-ID-002", title="证件号码为空", group=G_IDENTITY, severity=ERROR)
def id_missing(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if not text(m.id_number):
            yield hit(h, f"{_who(h, m)}：证件号码为空，请补录证件号码", m.id_type, member=m)


@rule(code="FP-ID-003", title="出生日期与身份证号码不一致", group=G_IDENTITY, severity=ERROR)
def id_birth(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        if m.birth_date is None or not _checked(m):
            continue
        info = _parsed(m, ctx)
        if info and info.birth_date != m.birth_date:
            yield hit(
                h,
                f"{_who(h, m)}：出生日期{m.birth_date.isoformat()}与身份证号码中的"
                f"{info.birth_date.isoformat()}不一致，请改正出生日期或证件号码",
                info.number,
                m.birth_date,
                member=m,
            )


@rule(code="FP-ID-004", title="性别与身份证号码不一致", group=G_IDENTITY, severity=ERROR)
def id_sex(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        sex = text(m.sex)
        if not sex or not _checked(m):
            continue
        info = _parsed(m, ctx)
        if info and info.sex != sex:
            yield hit(
                h,
                f"{_who(h, m)}：性别“{sex}”与身份证号码（{info.sex}）不一致，请改正性别或证件号码",
                info.number,
                sex,
                member=m,
            )


@rule(code="FP-ID-005", title="同一身份证号码在两户中", group=G_IDENTITY, severity=ERROR)
def id_duplicate_households(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    if not ctx.duplicates:
        return
    for m in h.members:
        b = base_id(m.id_number)
        holders = ctx.duplicates.get(b) if b else None
        if holders and len(holders) > 1 and h.id in holders:
            others = sorted(x for x in holders if x != h.id)
            if others:
                yield hit(
                    h,
                    f"{_who(h, m)}：身份证号码{ids.mask(b)}同时登记在另外{len(others)}户中，"
                    "一人只能在一户，请核实后从多余的户中删除或改正",
                    b,
                    tuple(sorted(holders)),
                    member=m,
                )


@rule(code="FP-ID-006", title="同户成员证件号码重复", group=G_IDENTITY, severity=ERROR)
def id_duplicate_in_household(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    seen: dict[str, MemberData] = {}
    for m in h.members:
        b = base_id(m.id_number)
        if not b:
            continue
        if b in seen:
            yield hit(
                h,
                f"{_who(h, m)}：证件号码与本户成员{seen[b].name}相同，请改正其中一人的证件号码",
                b,
                seen[b].id,
                member=m,
            )
        else:
            seen[b] = m


@rule(code="FP-ID-007", title="仍为15位旧身份证号码", group=G_IDENTITY, severity=REMINDER)
def id_old_15(h: HouseholdData, ctx: RuleContext) -> Iterator[Finding]:
    for m in h.members:
        number = ids.normalize(m.id_number)
        if len(number) == 15 and number.isdigit() and _checked(m):
            try:
                new = ids.convert_15_to_18(number)
            except ids.IdNumberError:
                continue
            yield hit(
                h, f"{_who(h, m)}：证件号码为15位旧号码，请改为18位号码{ids.mask(new)}", number, member=m
            )
