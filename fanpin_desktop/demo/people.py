"""Generating people and families: one ``random.Random`` makes every choice (names, ages that fit
the family relations, ID numbers, schooling, health, labour, migrant work, insurance) in a fixed
order, so a seed gives the same people every time."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from fanpin_desktop.demo.data import (
    _EMPLOYERS,
    _NAME_POOLS,
    _SURNAME_WEIGHTS,
    _WORK_STATUS_WEIGHTS,
    COUNTY_CODE,
    NEIGHBOUR_CODES,
    OLD_COUNTY_CODE,
    PHONE_PREFIXES,
    SURNAMES,
    WORK_PLACES,
)
from fanpin_desktop.domain import enums, facts, ids
from fanpin_desktop.models import Member

# --------------------------------------------------------------------------- small helpers


class _Person:
    """A member being generated; attribute names are those of ``models.Member`` (facts reads them)."""

    __slots__ = tuple(
        c.key for c in Member.__table__.columns if c.key not in ("created_at", "updated_at")
    ) + ("age",)

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)

    def row(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in _MEMBER_COLS}


_MEMBER_COLS = tuple(c.key for c in Member.__table__.columns if c.key not in ("created_at", "updated_at"))


@dataclass
class _Household:
    """What later phases need to know about a generated household (members are not kept)."""

    id: int
    village_idx: int
    village_id: int
    group_id: int
    household_type: str
    poor: bool
    code: str | None
    size: int
    labour: int
    migrants: int
    elderly: int
    disabled: bool
    severe: bool
    serious_ill: bool
    chronic: bool
    noncompulsory: int
    no_labour: bool
    dibao_people: int
    tekun: bool
    post_months: int
    member_ids: list[int]
    member_codes_needed: bool
    head_name: str
    head_id: str
    ill_member: int | None
    disabled_member: int | None
    student_member: int | None
    worker_member: int | None
    names: list[tuple[int, str, str]]  # (member id, name, id number)


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for value, w in pairs:
        x -= w
        if x < 0:
            return value
    return pairs[-1][0]


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    last = [
        31,
        29 if (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


CHILD_GAP = (20, 35)  # parents are 20–35 years older than their children


def _coherent(specs: Sequence[tuple[str, str, int]]) -> bool:
    """Children 20–35 years younger than the head and the spouse; grandchildren than 之子/之儿媳;
    the head 20–35 years younger than 之父/之母."""
    lo, hi = CHILD_GAP

    def ages(*relations: str) -> list[int]:
        return [a for rel, _s, a in specs if rel in relations]

    def gaps_ok(parents: list[int], kids: list[int]) -> bool:
        return all(lo <= p - c <= hi for p in parents for c in kids)

    head_and_spouse = ages("户主", "配偶")
    children, grand = ages("之子", "之女"), ages("之孙子", "之孙女")
    ok = gaps_ok(head_and_spouse, children) and gaps_ok(ages("之父", "之母"), ages("户主"))
    parents_of_grand = ages("之子", "之儿媳")
    if grand and parents_of_grand:
        ok = ok and gaps_ok(parents_of_grand, grand)
    return ok


def _first(
    pairs: list[tuple[_Person, facts.MemberFacts]], pred: Callable[[facts.MemberFacts], bool]
) -> int | None:
    return next((p.id for p, mf in pairs if pred(mf)), None)


class _Gen:
    """All the random choices, from one Random in a fixed order."""

    def __init__(self, seed: int, today: dt.date) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.used_ids: set[str] = set()
        self.used_phones: set[str] = set()
        self.id_seq: dict[tuple[str, dt.date], int] = {}
        self.enums = enums.for_year(today.year)
        self.compulsory = tuple(self.enums.values("compulsory_schooling"))

    # ---------------------------------------------------------------- people basics

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, weights=_SURNAME_WEIGHTS)[0]

    def given_name(self, birth_year: int, female: bool) -> str:
        cohort = (
            "old"
            if birth_year < 1966
            else "mid"
            if birth_year < 1990
            else "young"
            if birth_year < 2010
            else "child"
        )
        pools = _NAME_POOLS[cohort]
        first, second = (pools[2], pools[3]) if female else (pools[0], pools[1])
        if self.rng.random() < 0.25:
            return self.rng.choice(second)
        return self.rng.choice(first) + self.rng.choice(second)

    def birth(self, age: int) -> dt.date:
        t = self.today
        try:
            anniversary = t.replace(year=t.year - age)
        except ValueError:  # 29 February
            anniversary = t.replace(year=t.year - age, day=28)
        return anniversary - dt.timedelta(days=self.rng.randint(0, 364))

    def id_number(self, birth: dt.date, female: bool, married_in: bool) -> str:
        if married_in and self.rng.random() < 0.3:
            region = self.rng.choice(NEIGHBOUR_CODES)
        elif birth.year < 1995 and self.rng.random() < 0.5:
            region = OLD_COUNTY_CODE
        else:
            region = COUNTY_CODE
        key = (region, birth)
        seq = self.id_seq.get(key)
        if seq is None:
            seq = self.rng.randint(1, 900)
        while True:
            number = ids.make_id(region, birth, seq, female)
            seq = int(number[14:17]) + 1
            if number not in self.used_ids:
                break
        self.id_seq[key] = seq
        self.used_ids.add(number)
        return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randint(0, 99_999_999):08d}"
            if number not in self.used_phones:
                self.used_phones.add(number)
                return number

    def cadre_name(self) -> str:
        female = self.rng.random() < 0.35
        return self.surname() + self.given_name(self.rng.randint(1965, 1998), female)

    # ---------------------------------------------------------------- family composition

    def family(self, size: int) -> list[tuple[str, str, int]]:
        """(relation, sex, age) for each member, head first; ages coherent with relations."""
        for _ in range(50):
            specs = self._family_try(size)
            if specs is not None and len(specs) == size and _coherent(specs):
                return specs
        # Fallback that always works: a middle-aged couple with children close together.
        specs = [("户主", "男", 50), ("配偶", "女", 48)]
        for i in range(size - 2):
            specs.append(("之子" if i % 2 == 0 else "之女", "男" if i % 2 == 0 else "女", 24 - i))
        return specs[:size]

    def _children(self, parents: Sequence[int], k: int) -> list[int] | None:
        """Ages of k children of parents aged ``parents`` (each 20–35 years older), oldest first."""
        if k == 0:
            return []
        lo, hi = max(0, max(parents) - CHILD_GAP[1]), min(parents) - CHILD_GAP[0]
        if hi < lo or hi - lo + 1 < k:
            return None
        ages = sorted(self.rng.sample(range(lo, hi + 1), k), reverse=True)
        return ages

    def _kids(self, ages: list[int], grand: bool = False) -> list[tuple[str, str, int]]:
        out = []
        for a in ages:
            male = self.rng.random() < 0.52
            rel = ("之孙子" if male else "之孙女") if grand else ("之子" if male else "之女")
            out.append((rel, "男" if male else "女", a))
        return out

    def _spouse(self, head_sex: str, head_age: int) -> tuple[str, str, int] | None:
        delta = self.rng.randint(-6, 2) if head_sex == "男" else self.rng.randint(-2, 6)
        age = head_age + delta
        if age < 20:
            return None
        return ("配偶", "女" if head_sex == "男" else "男", age)

    def _family_try(self, size: int) -> list[tuple[str, str, int]] | None:
        r = self.rng
        if size == 1:
            if r.random() < 0.7:
                return [("户主", "男" if r.random() < 0.5 else "女", r.randint(60, 92))]
            return [("户主", "男" if r.random() < 0.9 else "女", r.randint(28, 59))]
        kinds: list[tuple[str, float]]
        if size == 2:
            kinds = [("couple", 55), ("single_parent", 25), ("with_parent", 20)]
        elif size == 3:
            kinds = [
                ("nuclear", 50),
                ("single_parent", 10),
                ("nuclear_parents", 15),
                ("left_behind", 15),
                ("widow_son", 10),
            ]
        elif size == 4:
            kinds = [
                ("nuclear", 45),
                ("nuclear_parents", 20),
                ("three_gen", 10),
                ("left_behind", 10),
                ("widow_son", 15),
            ]
        elif size == 5:
            kinds = [("nuclear", 20), ("nuclear_parents", 35), ("three_gen", 30), ("widow_son", 15)]
        else:
            kinds = [("three_gen", 50), ("nuclear_parents", 30), ("nuclear", 20)]
        kind = _weighted(r, kinds)
        head_sex = "男" if r.random() < 0.88 else "女"
        if kind == "couple":
            age = r.randint(50, 86) if r.random() < 0.75 else r.randint(24, 40)
            sp = self._spouse(head_sex, age)
            return [("户主", head_sex, age), sp] if sp else None
        if kind == "single_parent":
            head_sex = "女" if r.random() < 0.55 else "男"
            age = r.randint(42, 82)
            kids = self._children([age], size - 1)
            return [("户主", head_sex, age), *self._kids(kids)] if kids is not None else None
        if kind == "with_parent":
            age = r.randint(30, 60)
            parent_age = age + r.randint(20, 35)
            if parent_age > 96:
                return None
            parent = ("之母", "女", parent_age) if r.random() < 0.7 else ("之父", "男", parent_age)
            return [("户主", "男", age), parent]
        if kind in ("nuclear", "nuclear_parents"):
            n_parents = 0
            if kind == "nuclear_parents":
                n_parents = 2 if size >= 5 and r.random() < 0.4 else 1
            k = size - 2 - n_parents
            age = r.randint(28, 58) if n_parents else r.randint(26, 62)
            sp = self._spouse(head_sex, age)
            if sp is None:
                return None
            kids = self._children([age, sp[2]], k)
            if kids is None:
                return None
            specs = [("户主", head_sex, age), sp, *self._kids(kids)]
            if n_parents:
                father = age + r.randint(22, 35)
                mother = father - r.randint(0, 5)
                if father > 96:
                    return None
                if n_parents == 2:
                    specs += [("之父", "男", father), ("之母", "女", mother)]
                elif r.random() < 0.65:
                    specs.append(("之母", "女", mother))
                else:
                    specs.append(("之父", "男", father))
            return specs
        if kind == "left_behind":  # grandparents raising grandchildren while the parents work away
            age = r.randint(52, 76)
            sp = self._spouse("男", age)
            k = size - 2
            gk = [r.randint(0, 15) for _ in range(k)]
            gk.sort(reverse=True)
            if sp is None or age - gk[-1] > 76 or age - gk[0] < 40:
                return None
            return [("户主", "男", age), sp, *self._kids(gk, grand=True)]
        if kind in ("three_gen", "widow_son"):
            with_spouse = kind == "three_gen"
            head_sex = "男" if with_spouse else ("女" if r.random() < 0.7 else "男")
            age = r.randint(50, 82)
            specs = [("户主", head_sex, age)]
            if with_spouse:
                sp = self._spouse(head_sex, age)
                if sp is None:
                    return None
                specs.append(sp)
            son_age = age - r.randint(22, 32)
            if son_age < 22:
                return None
            wife = son_age + r.randint(-4, 1)
            if wife < 20:
                return None
            specs += [("之子", "男", son_age), ("之儿媳", "女", wife)]
            k = size - len(specs)
            if k < 0:
                return None
            grand = self._children([son_age, wife], k)
            if grand is None:
                return None
            return specs + self._kids(grand, grand=True)
        return None

    # ---------------------------------------------------------------- member attributes

    def schooling_or_education(self, p: _Person, age: int) -> None:
        r = self.rng
        birth_year = self.today.year - age
        if age < 3:
            p.education = "学龄前儿童"
        elif age <= 5:
            if r.random() < 0.85:
                p.schooling = "学前教育"
            else:
                p.education = "学龄前儿童"
        elif age <= 14:
            p.schooling = self.compulsory[min(age - 6, 8)]
        elif age <= 17:
            if r.random() < 0.8:
                grade = "一二三"[age - 15]
                p.schooling = f"高中{grade}年级" if r.random() < 0.65 else f"中职{grade}年级"
            else:
                p.education = "初中"
        elif age <= 22:
            if r.random() < 0.42:
                if age <= 20 and r.random() < 0.4:
                    p.schooling = f"高职{'一二三'[age - 18]}年级"
                else:
                    p.schooling = "本科" if r.random() < 0.45 else "大专"
            else:
                p.education = _weighted(
                    r, [("初中", 35), ("高中", 30), ("中专", 20), ("大专", 10), ("本科及以上", 5)]
                )
        elif birth_year < 1950:
            p.education = _weighted(r, [("文盲或半文盲", 45), ("小学", 45), ("初中", 10)])
        elif birth_year < 1965:
            p.education = _weighted(r, [("文盲或半文盲", 25), ("小学", 45), ("初中", 25), ("高中", 5)])
        elif birth_year < 1980:
            p.education = _weighted(
                r, [("文盲或半文盲", 3), ("小学", 25), ("初中", 55), ("高中", 12), ("中专", 5)]
            )
        elif birth_year < 1995:
            p.education = _weighted(
                r, [("小学", 3), ("初中", 50), ("高中", 20), ("中专", 12), ("大专", 10), ("本科及以上", 5)]
            )
        else:
            p.education = _weighted(
                r, [("初中", 25), ("高中", 25), ("中专", 15), ("大专", 20), ("本科及以上", 15)]
            )

    def health(self, p: _Person, age: int, poor: bool) -> None:
        r = self.rng
        m = 1.8 if poor else 1.0
        parts: list[str] = []
        if r.random() < (0.005 if age < 30 else 0.05 if age < 60 else 0.24) * m:
            parts.append("长期慢性病")
        if r.random() < (0.003 if age < 18 else 0.012 if age < 60 else 0.035) * m:
            parts.append("患有大病")
        if r.random() < (0.015 if age < 18 else 0.04 if age < 60 else 0.08) * m:
            parts.append("残疾")
            cat = _weighted(
                r,
                [
                    ("肢体残疾", 45),
                    ("视力残疾", 12),
                    ("听力残疾", 12),
                    ("言语残疾", 3),
                    ("智力残疾", 10),
                    ("精神残疾", 10),
                    ("多重残疾", 8),
                ],
            )
            grade = _weighted(r, [("一级", 10), ("二级", 20), ("三级", 35), ("四级", 35)])
            p.disability_category, p.disability_grade = cat, grade
            cat_digit = "1234567"[self.enums.values("disability_categories").index(cat)]
            grade_digit = "1234"[self.enums.values("disability_grades").index(grade)]
            p.disability_cert_no = f"{p.id_number}{cat_digit}{grade_digit}"
        p.health = "、".join(parts) if parts else "健康"

    def labour(self, p: _Person, age: int) -> str:
        r = self.rng
        if p.schooling or age < 16:
            return "无劳动力"
        parts = p.health.split("、")
        severe = "残疾" in parts and p.disability_grade in facts.SEVERE_GRADES
        if severe:
            return "丧失劳动力" if age < 70 else "无劳动力"
        if age <= 60:
            if "患有大病" in parts:
                return "弱劳动力或半劳动力" if r.random() < 0.5 else "丧失劳动力"
            if "长期慢性病" in parts or "残疾" in parts:
                return "普通劳动力" if r.random() < 0.6 else "弱劳动力或半劳动力"
            return "技能劳动力" if r.random() < 0.2 else "普通劳动力"
        if age < 70:
            if parts == ["健康"]:
                return "普通劳动力" if r.random() < 0.5 else "弱劳动力或半劳动力"
            return "弱劳动力或半劳动力" if r.random() < 0.7 else "丧失劳动力"
        if parts == ["健康"]:
            return "弱劳动力或半劳动力" if r.random() < 0.5 else "无劳动力"
        return "丧失劳动力" if r.random() < 0.5 else "无劳动力"

    def work(self, p: _Person, age: int) -> None:
        r = self.rng
        able = p.labour_skill in facts.ABLE_LABOUR
        if not able or p.schooling:
            return
        chance = 0.62 if age <= 55 else 0.35 if age <= 60 else 0.12
        if r.random() >= chance:
            return
        status = _weighted(r, _WORK_STATUS_WEIGHTS)
        p.work_status = status
        p.work_place = r.choice(WORK_PLACES[status])
        p.work_months = min(12, max(1, int(r.triangular(3, 12, 11))))
        if r.random() < 0.3 and status != "其他":
            p.work_employer = p.work_place + r.choice(_EMPLOYERS)

    def insurance(self, p: _Person, age: int, poor: bool) -> None:
        r = self.rng
        employee = p.labour_skill == "技能劳动力" and r.random() < (0.3 if p.work_status else 0.1)
        p.ins_employee_medical = employee
        p.ins_resident_medical = not employee
        p.ins_critical_illness = not employee
        p.ins_commercial = r.random() < (0.9 if poor else 0.05)
        p.medical_assistance = poor and p.health != "健康"
        adult = age >= 16 and not p.schooling
        p.pension_employee = employee and adult
        p.pension_resident = adult and not employee and r.random() < 0.93
