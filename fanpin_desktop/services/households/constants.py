"""Constants the registry modules share: the registry's flags, the labour rule, ID types, money fields."""

from __future__ import annotations

from fanpin_desktop.domain import facts

FLAG_RELOCATED = "易地搬迁"
FLAG_MILITARY = "军烈属"
FLAG_URBAN = "农转非"
FLAG_NO_LABOUR = "整户无劳动能力"
FLAG_DISABLED = "有残疾人"
FLAG_DIBAO = "低保"
FLAG_TEKUN = "特困"
HOUSEHOLD_FLAGS = (
    FLAG_RELOCATED,
    FLAG_MILITARY,
    FLAG_URBAN,
    FLAG_NO_LABOUR,
    FLAG_DISABLED,
    FLAG_DIBAO,
    FLAG_TEKUN,
)

#: 劳动技能 values that count as labour: a household with nobody of these is 整户无劳动能力
#: (the same rule as domain.facts, written here once more as SQL for the search filter).
LABOUR_SKILLS_ABLE = tuple(sorted(facts.ABLE_LABOUR))

HEAD = facts.HEAD
SPOUSE = facts.SPOUSE

#: ID types whose number must be a valid 居民身份证号码 (or a 残疾人证号 built on one).
ID_TYPES_CHECKED = ("居民身份证", "残疾人证")

SQL_CHUNK = 500  # ids per IN (...) list

MONEY_FIELDS = (
    "wage",
    "business",
    "property_income",
    "transfer",
    "business_cost",
    "claims_income",
    "rigid_spending",
)
