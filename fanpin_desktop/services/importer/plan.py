"""Comparing a parsed file with the database: what is new, changed, unchanged or moved.

Everything is loaded in a handful of queries (all villages, all households, all members); each
member's compared values are read in one query and compared as a tuple with the file's row, so
re-importing an unchanged 60,000-person roster is a lookup and a tuple comparison per row.
Inside the write transaction the plan is used as previewed when the database is unchanged
(:func:`database_state`), else made again and it must match what the clerk previewed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, count, repeat
from operator import is_, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from fanpin_desktop.domain.ids import mask
from fanpin_desktop.models import Household, Member, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services import settings as settings_mod
from fanpin_desktop.services.households import income as income_mod
from fanpin_desktop.services.importer import cases as cases_mod
from fanpin_desktop.services.importer.fields import BY_KEY, MEMBER_FIELDS
from fanpin_desktop.services.importer.parse import (
    RULE_CODE,
    HouseholdGroup,
    ImportCancelled,
    ParsedFile,
)
from fanpin_desktop.services.importer.reading import column_letter
from fanpin_desktop.services.importer.validate import ERROR, WARNING, Issue

NEW, CHANGED, UNCHANGED, MOVED = "new", "changed", "unchanged", "moved"
ACTION_TEXT = {NEW: "新增", CHANGED: "修改", UNCHANGED: "无变化", MOVED: "迁入"}

MEMBER_LABELS = {f.attr: f.label for f in MEMBER_FIELDS if f.attr}
MEMBER_LABELS.update({"household_id": "所在户", "disability_cert_no": "残疾证号"})
HOUSEHOLD_LABELS = {
    "code": "户编号",
    "village_id": "行政村",
    "group_id": "村民小组",
    "natural_village_id": "自然村",
    "household_type": "户类型",
    "phone": "户联系电话",
    "address": "家庭住址",
    "relocated": "是否易地扶贫搬迁",
    "military_family": "是否军烈属",
    "national_per_capita_income": "人均纯收入（全国系统）",
    "national_income_year": "人均纯收入年度",
}
_HH_FIELD_ATTR = {
    "hh_code": "code",
    "household_type": "household_type",
    "hh_phone": "phone",
    "address": "address",
    "relocated": "relocated",
    "military_family": "military_family",
}
_BOOL_ATTRS = {f.attr for f in MEMBER_FIELDS if f.kind == "bool"} | {"relocated", "military_family"}


class PlannedMember(NamedTuple):
    """One person row's fate (what ``PlannedHousehold.members`` gives)."""

    index: int  # row index in the ParsedFile
    action: str
    existing_id: int | None = None
    from_household_id: int | None = None
    changes: list[tuple[str, Any, Any]] | tuple[()] = ()  # (attr, old, new)


@dataclass
class PlannedHousehold:
    """One household's fate.

    Python's cyclic garbage collector walks every object, list and dict it watches at each full
    collection, and starts one once a quarter as many as it watches have outlived two younger
    collections. It stops watching a plain tuple of numbers and strings (not a named tuple), and a
    dict of such values. So a household's members, changes and new places are kept as plain
    tuples, as are a group's rows (:class:`HouseholdGroup`), and a place to create is named by one
    tuple that its households share: a 60,000-person plan leaves some 55,000 watched objects
    instead of 185,000, and the benchmark's first import no full collection (0.13 s) to make.
    """

    group: HouseholdGroup
    action: str
    existing_id: int | None
    values: dict[str, Any]  # Household attributes to store (village_id may be a pending place key)
    changes: tuple[tuple[str, Any, Any], ...]  # (attr, old, new)
    member_rows: tuple[tuple[Any, ...], ...]  # each PlannedMember as a plain tuple
    head_name: str
    village_name: str
    new_places: tuple[tuple[str, str, str | None], ...] = ()  # (kind, village, name)
    case: cases_mod.PlannedCase | None = None  # the household's monitoring case (importer/cases.py)

    @property
    def members(self) -> list[PlannedMember]:
        return list(map(PlannedMember._make, self.member_rows))

    @property
    def label(self) -> str:
        code = f"（户编号{self.values.get('code')}）" if self.values.get("code") else ""
        return f"{self.village_name} {self.head_name}户{code}"


@dataclass
class UnknownPlace:
    kind: str  # 行政村 / 村民小组 / 自然村
    village: str
    name: str | None
    rows: int


@dataclass
class ImportPlan:
    parsed: ParsedFile
    households: list[PlannedHousehold]
    issues: list[Issue]  # the file's issues plus those found against the database
    unknown_places: list[UnknownPlace]
    create_places: bool
    counts: dict[str, int]
    existing_names: dict[int, str]  # household id → "村 户主" for messages about moves
    place_names: dict[tuple[str, int], str] = field(default_factory=dict)
    db_state: tuple[Any, ...] | None = None  # database_state() when the plan was made

    @property
    def fingerprint(self) -> tuple[int, ...]:
        c = self.counts
        return tuple(
            c[k]
            for k in (
                "hh_new",
                "hh_changed",
                "m_new",
                "m_changed",
                "m_moved",
                "rows_error",
                "c_new",
                "c_changed",
                "c_kept",
            )
        )

    @property
    def error_rows(self) -> int:
        return self.counts["rows_error"]

    @property
    def has_changes(self) -> bool:
        c = self.counts
        return bool(
            c["hh_new"]
            or c["hh_changed"]
            or c["m_new"]
            or c["m_changed"]
            or c["m_moved"]
            or c["c_new"]
            or c["c_changed"]
        )

    @property
    def has_case_columns(self) -> bool:
        return cases_mod.has_case_columns(self.parsed)

    def case_differences(self, kept_only: bool = False) -> list[dict[str, Any]]:
        """The monitoring cases' differences (row, household, action, field, old = local value,
        new = national value): the kept-local ones, and unless ``kept_only`` the ones to be updated."""
        actions = (cases_mod.CASE_KEPT,) if kept_only else (cases_mod.CASE_KEPT, cases_mod.CASE_CHANGED)
        return cases_mod.difference_rows(self, actions)

    def member_changes(self) -> list[dict[str, Any]]:
        """Rows for the preview: what will change for people already in the database."""
        p = self.parsed
        out = []
        for hh in self.households:
            for m in hh.members:
                if m.action not in (CHANGED, MOVED):
                    continue
                name = p.values["name"][m.index]
                who = f"{name}（{mask(p.id_numbers[m.index])}）"
                if m.action == MOVED:
                    old = self.existing_names.get(m.from_household_id or 0, "另一户")
                    out.append(
                        {
                            "row": p.rownums[m.index],
                            "household": hh.label,
                            "person": who,
                            "field": "所在户",
                            "old": old,
                            "new": hh.label,
                        }
                    )
                for attr, old, new in m.changes:
                    out.append(
                        {
                            "row": p.rownums[m.index],
                            "household": hh.label,
                            "person": who,
                            "field": MEMBER_LABELS.get(attr, attr),
                            "old": _show(old),
                            "new": _show(new),
                        }
                    )
            for attr, old, new in hh.changes:
                out.append(
                    {
                        "row": self.parsed.rownums[hh.group.rows[0]],
                        "household": hh.label,
                        "person": "（户）",
                        "field": HOUSEHOLD_LABELS.get(attr, attr),
                        "old": _show(old, attr, self),
                        "new": _show(new, attr, self),
                    }
                )
        for d in cases_mod.difference_rows(self, (cases_mod.CASE_CHANGED,)):
            out.append(
                {**{k: d[k] for k in ("row", "household", "field", "old", "new")}, "person": "（监测对象）"}
            )
        return out

    def moves(self) -> list[dict[str, Any]]:
        p = self.parsed
        return [
            {
                "row": p.rownums[m.index],
                "person": p.values["name"][m.index],
                "id": mask(p.id_numbers[m.index]),
                "from": self.existing_names.get(m.from_household_id or 0, "另一户"),
                "to": hh.label,
            }
            for hh in self.households
            for m in hh.members
            if m.action == MOVED
        ]

    def summary_lines(self, written: bool = False) -> list[str]:
        """The preview's summary; ``written``: after the import (places "已新建", not "将新建")."""
        c = self.counts
        p = self.parsed
        lines = [
            f"文件：{p.path.name}　工作表：{p.sheet}" + (f"　编码：{p.encoding}" if p.encoding else ""),
            f"{p.header.describe()}；列：{p.mapping.source}；分户方式：按{p.rule or '（无人员行）'}",
            f"人员行 {p.count} 行"
            + (f"，空行 {p.blank_rows} 行" if p.blank_rows else "")
            + (f"，跳过 {p.skipped_rows} 行（合计等）" if p.skipped_rows else ""),
            f"户：新增 {c['hh_new']}，修改 {c['hh_changed']}，无变化 {c['hh_unchanged']}"
            + (f"，有错误未导入 {c['hh_blocked']}" if c["hh_blocked"] else ""),
            f"人：新增 {c['m_new']}，修改 {c['m_changed']}，迁入其他户 {c['m_moved']}，无变化 {c['m_unchanged']}",
            f"有错误的行 {c['rows_error']}（不导入），有警告的行 {c['rows_warning']}",
        ]
        if self.has_case_columns:
            lines.append(
                f"监测对象：新建 {c['c_new']}，更新 {c['c_changed']}，无变化 {c['c_unchanged']}，"
                f"本地正在办理、未覆盖 {c['c_kept']}"
            )
            kept = self.case_differences(kept_only=True)
            for d in kept[:KEPT_LISTED]:
                lines.append(
                    f"　第{d['row']}行 {d['household']}：{d['field']} 本地为“{d['old']}”，"
                    f"国家系统为“{d['new']}”（本地正在办理，未覆盖）"
                )
            if len(kept) > KEPT_LISTED:
                lines.append(f"　……另有 {len(kept) - KEPT_LISTED} 处不同未列出，见问题清单工作簿")
        for old_new, n in sorted(p.alias_counts.items(), key=lambda x: -x[1]):
            lines.append(f"旧版代码“{old_new[0]}”已按现行代码记为“{old_new[1]}”：{n} 处")
        for kind in ("行政村", "村民小组", "自然村"):
            found = [p for p in self.unknown_places if p.kind == kind]
            if not found:
                continue
            names = [p.village if kind == "行政村" else f"{p.village}/{p.name}" for p in found]
            shown = "、".join(names[:10]) + (f"等{len(names)}个" if len(names) > 10 else "")
            verb = ("已新建" if written else "将新建") if self.create_places else "不在本乡镇名单中（未新建）"
            lines.append(f"{kind}{verb}：{shown}")
        ignored = [
            p.header.labels[i] for i, k in enumerate(p.mapping.columns) if k == "-" and p.header.labels[i]
        ]
        if ignored:
            lines.append("以下列能识别但不导入：" + "、".join(ignored))
        unknown = [
            p.header.labels[i] for i, k in enumerate(p.mapping.columns) if k is None and p.header.labels[i]
        ]
        if unknown:
            lines.append("以下列未能识别，未导入：" + "、".join(unknown))
        return lines


KEPT_LISTED = 20  # kept-local differences listed in the summary


def _show(value: Any, attr: str | None = None, plan: ImportPlan | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if plan is not None and attr in ("village_id", "group_id", "natural_village_id"):
        if isinstance(value, tuple):
            return f"{value[-1]}（新建）"
        return plan.place_names.get((attr, value), str(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


# ---------------------------------------------------------------------- places

_NUM = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_GROUP_NO = re.compile(r"^(?:第)?([0-9]+|[零一二两三四五六七八九十]+)(?:村民小组|村民组|小组|组|队|社)?$")


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return (_NUM.get(tens, 1) if tens else 1) * 10 + (_NUM.get(ones, 0) if ones else 0)
    if all(ch in _NUM for ch in text):
        n = 0
        for ch in text:
            n = n * 10 + _NUM[ch]
        return n
    return None


@lru_cache(maxsize=4096)
@lru_cache(maxsize=4096)
def place_key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).replace(" ", "").replace("\u3000", "")
    for suffix in ("村民委员会", "村委会", "居民委员会", "社区居委会"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    if s.endswith("村") and len(s) > 1:
        s = s[:-1]
    return s


@lru_cache(maxsize=4096)
def group_key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).replace(" ", "")
    m = _GROUP_NO.match(s)
    if m:
        n = _cn_number(m.group(1))
        if n is not None:
            return f"#{n}"
    return s


class Places:
    """The township's villages, groups and natural villages, matched tolerantly by name."""

    def __init__(self, session: Session) -> None:
        self.villages: dict[str, tuple[int, str]] = {}
        for vid, name in session.execute(select(Village.id, Village.name)):
            self.villages.setdefault(place_key(name), (vid, name))
        self.groups: dict[tuple[int, str], int] = {}
        for gid, vid, name in session.execute(
            select(VillageGroup.id, VillageGroup.village_id, VillageGroup.name)
        ):
            self.groups.setdefault((vid, group_key(name)), gid)
        self.naturals: dict[tuple[int, str], int] = {}
        for nid, vid, name in session.execute(
            select(NaturalVillage.id, NaturalVillage.village_id, NaturalVillage.name)
        ):
            self.naturals.setdefault((vid, place_key(name)), nid)
        self.names: dict[tuple[str, int], str] = {}
        for vid, name in session.execute(select(Village.id, Village.name)):
            self.names[("village_id", vid)] = name
        for gid, name in session.execute(select(VillageGroup.id, VillageGroup.name)):
            self.names[("group_id", gid)] = name
        for nid, name in session.execute(select(NaturalVillage.id, NaturalVillage.name)):
            self.names[("natural_village_id", nid)] = name

    def village(self, name: str) -> int | None:
        hit = self.villages.get(place_key(name))
        return hit[0] if hit else None


# ---------------------------------------------------------------------- planning

_STATE_SQL = (
    "SELECT (SELECT max(id) FROM audit_entries), "
    "(SELECT max(id) FROM households), (SELECT count(*) FROM households), "
    "(SELECT max(id) FROM members), (SELECT count(*) FROM members), "
    "(SELECT max(id) FROM villages), (SELECT count(*) FROM villages), "
    "(SELECT max(id) FROM village_groups), (SELECT count(*) FROM village_groups), "
    "(SELECT max(id) FROM natural_villages), (SELECT count(*) FROM natural_villages), "
    "(SELECT max(id) FROM monitoring_cases), (SELECT count(*) FROM monitoring_cases), "
    "(SELECT max(id) FROM case_risks), (SELECT count(*) FROM case_risks), "
    "(SELECT group_concat(key || '=' || ifnull(value, ''), char(31)) FROM settings)"
)


def database_state(session: Session) -> tuple[Any, ...]:
    """A cheap fingerprint of what :func:`build_plan` reads. Every change to villages, groups,
    households and members writes an audit entry (a new, higher id); the counts and highest ids
    catch anything else, and the settings hold the township's name."""
    return tuple(session.execute(text(_STATE_SQL)).one())


MEMBER_COMPARE_BASE = ("sex", "birth_date")


def member_compare_attrs(parsed: ParsedFile) -> list[str]:
    return compare_attrs(parsed.fields)


def compare_attrs(fields: Iterable[str]) -> list[str]:
    """The Member columns compared for a file with these fields (in table order)."""
    attrs = [BY_KEY[k].attr for k in fields if BY_KEY[k].level == "member" and BY_KEY[k].attr]
    for a in MEMBER_COMPARE_BASE:
        if a not in attrs:
            attrs.append(a)
    return sorted(set(attrs), key=lambda a: list(Member.__table__.c.keys()).index(a))  # type: ignore[arg-type]


def member_columns(parsed: ParsedFile, attrs: list[str]) -> list[list[Any]]:
    """The stored value of each compared attribute, column by column, for every row (made once
    per file and list of attributes: the plan and the write both need them)."""
    key = ("member_columns", tuple(attrs))
    if key not in parsed.derived:
        parsed.derived[key] = _member_columns(parsed, attrs)
    return parsed.derived[key]


def _member_columns(parsed: ParsedFile, attrs: list[str]) -> list[list[Any]]:
    attr_to_key = {BY_KEY[k].attr: k for k in parsed.fields if BY_KEY[k].level == "member" and BY_KEY[k].attr}
    cols: list[list[Any]] = []
    for a in attrs:
        if a in ("sex", "birth_date"):
            derived = parsed.sexes if a == "sex" else parsed.births
            given = parsed.values.get(a)
            if given is None or None not in derived:  # the identity number's, when it has one
                cols.append(list(derived))
            else:
                cols.append([d if d is not None else g for d, g in zip(derived, given, strict=True)])
        elif a == "id_number":
            cols.append(parsed.id_numbers)
        elif a in _BOOL_ATTRS:
            cols.append(list(map(bool, parsed.values[attr_to_key[a]])))
        elif a == "id_type":
            given = parsed.values[attr_to_key[a]]
            cols.append(
                list(given) if None not in given and "" not in given else [v or "居民身份证" for v in given]
            )
        else:
            cols.append(parsed.values[attr_to_key[a]])
    return cols


HH_ATTRS = (
    "id",
    "code",
    "village_id",
    "group_id",
    "natural_village_id",
    "household_type",
    "phone",
    "address",
    "relocated",
    "military_family",
    "national_per_capita_income",
    "national_income_year",
)
_HH_POS = {a: k for k, a in enumerate(HH_ATTRS)}


@dataclass
class DatabaseSnapshot:
    """What :func:`build_plan` reads from the database, except the members' compared values (they
    depend on the file's columns). Read in a few queries, no per-row queries; ``state`` tells
    whether it is still current (:func:`database_state`)."""

    state: tuple[Any, ...]
    places: Places
    town: str | None
    households: dict[int, tuple[Any, ...]]  # id → HH_ATTRS values
    members: dict[str, tuple[Any, ...]]  # id number → (id, household_id, id_number, relation, name)
    hh_sizes: Counter
    existing_names: dict[int, str]  # household id → "村 户主户（户编号…）"
    cases: dict[int, tuple[cases_mod.StoredCase, ...]] = field(default_factory=dict)  # household id → cases


def read_snapshot(session: Session) -> DatabaseSnapshot:
    state = database_state(session)
    places = Places(session)
    town = settings_mod.load(session).township
    hh_columns = [Household.__table__.c[a] for a in HH_ATTRS]
    households = {r[0]: tuple(r) for r in session.execute(select(*hh_columns))}
    rows = session.execute(
        select(Member.id, Member.household_id, Member.id_number, Member.relation, Member.name)
    ).all()
    members = {r[2]: tuple(r) for r in rows if r[2]}
    hh_sizes = Counter(map(itemgetter(1), rows))
    hh_heads = {r[1]: (r[4], r[2]) for r in rows if r[3] == "户主"}
    del rows
    existing_names = {}
    for hid, row in households.items():
        head = hh_heads.get(hid)
        vname = places.names.get(("village_id", row[2]), "")
        existing_names[hid] = f"{vname} {head[0] if head else '（无户主）'}户" + (
            f"（户编号{row[1]}）" if row[1] else ""
        )
    cases = cases_mod.stored_cases(session)
    return DatabaseSnapshot(state, places, town, households, members, hh_sizes, existing_names, cases)


def _member_differences(
    session: Session,
    attrs: list[str],
    compare_cols: list[list[Any]],
    index_of: dict[int, int],
) -> dict[int, list[tuple[str, Any, Any]]]:
    """The changes (attr, stored, file) of each member whose stored values differ from the file's
    row ``index_of[member id]``. The stored values are streamed (not all kept), each row compared
    with the file's as one tuple."""
    file_rows = list(zip(*compare_cols, strict=True))
    columns = [Member.__table__.c[a] for a in attrs]
    differences: dict[int, list[tuple[str, Any, Any]]] = {}
    result = session.execute(select(Member.id, *columns).execution_options(yield_per=5000))
    for mid, *stored in result:
        i = index_of.get(mid)
        if i is None:
            continue
        row = file_rows[i]
        if tuple(stored) != row:
            differences[mid] = [
                (a, old, new) for a, old, new in zip(attrs, stored, row, strict=True) if old != new
            ]
    return differences


def build_plan(
    session: Session,
    parsed: ParsedFile,
    *,
    create_places: bool = False,
    cancelled: Callable[[], bool] | None = None,
    snapshot: DatabaseSnapshot | None = None,
) -> ImportPlan:
    """Compare ``parsed`` with the database. ``snapshot`` (read earlier) is used if still current."""
    if snapshot is None or snapshot.state != database_state(session):
        snapshot = read_snapshot(session)
    state = snapshot.state
    issues = list(parsed.issues)
    bad_rows = set(parsed.bad_rows)
    places = snapshot.places
    extra: list[Issue] = []

    def add(i: int, key: str | None, value: Any, message: str, severity: str = ERROR) -> None:
        column = ""
        letter = ""
        if key:
            col = parsed.mapping.field_columns().get(key)
            column = (parsed.header.labels[col] if col is not None else "") or BY_KEY[key].label
            letter = column_letter(col) if col is not None else ""
        extra.append(
            Issue(
                parsed.rownums[i], column, letter, "" if value is None else str(value), message, severity, key
            )
        )
        if severity == ERROR:
            bad_rows.add(i)

    # township check (file-level, once per distinct value)
    town = snapshot.town
    if town and "township" in parsed.values:
        seen: set[str] = set()
        for i, v in enumerate(parsed.values["township"]):
            if v and v not in seen and _town_key(v) != _town_key(town):
                seen.add(v)
                add(i, "township", v, f"乡(镇)“{v}”与本乡镇“{town}”不同，请确认文件属于本乡镇", WARNING)

    existing_hh = snapshot.households
    by_code = {r[1]: r[0] for r in existing_hh.values() if r[1]}
    members_db = snapshot.members
    hh_sizes = snapshot.hh_sizes
    existing_names = snapshot.existing_names
    if cancelled is not None and cancelled():
        raise ImportCancelled()

    # Members already in the database: their compared values, read in one query, against the
    # file's row (only those that differ are kept).
    attrs = member_compare_attrs(parsed)
    compare_cols = member_columns(parsed, attrs)
    differences: dict[int, list[tuple[str, Any, Any]]] = {}
    if members_db:
        index_of = {
            db[0]: i
            for i, number in enumerate(parsed.id_numbers)
            if number is not None and (db := members_db.get(number)) is not None
        }
        differences = _member_differences(session, attrs, compare_cols, index_of)
    names = parsed.values["name"]

    unknown: dict[tuple[str, str, str | None], int] = Counter()  # type: ignore[assignment]
    households: list[PlannedHousehold] = []
    moved_out: Counter = Counter()
    heads_moved: set[int] = set()
    counts: Counter = Counter()
    village_default = parsed.default_village
    vals = parsed.values
    id_numbers = parsed.id_numbers
    village_col = vals.get("village")
    place_cols = [
        (key, attr, kind, store, vals[key])
        for key, attr, kind, store in (
            ("group", "group_id", "村民小组", places.groups),
            ("natural_village", "natural_village_id", "自然村", places.naturals),
        )
        if key in vals
    ]
    hh_cols = [(attr, vals[key]) for key, attr in _HH_FIELD_ATTR.items() if key in vals]
    village_ids: dict[str, int | None] = {}
    # A place to create is named by one tuple, shared by its households: the garbage collector soon
    # stops watching it, and then does not watch the ``values`` dicts it is put in (see PlannedHousehold).
    places_to_create: dict[tuple[str, ...], tuple[str, ...]] = {}

    def to_create(*key: str) -> tuple[str, ...]:
        return places_to_create.setdefault(key, key)

    # Each household's value of a household-level column (household_value(): the head's, else the
    # first member's that has one), for all households at once.
    live = [g for g in parsed.groups if not g.blocked]
    counts["hh_blocked"] += len(parsed.groups) - len(live)
    heads = [g.head for g in live]

    def head_values(col: list[Any]) -> list[Any]:
        out = list(map(col.__getitem__, heads))
        for j in list(compress(count(), map(is_, out, repeat(None)))):
            out[j] = next((col[i] for i in live[j].rows if col[i] is not None), None)
        return out

    village_of = head_values(village_col) if village_col is not None else [None] * len(live)
    case_of = cases_mod.file_cases(parsed, live, add)
    stored_cases = snapshot.cases
    place_of = [(key, attr, kind, store, head_values(col)) for key, attr, kind, store, col in place_cols]
    hh_of: list[tuple[str, list[Any]]] = []
    for attr, col in hh_cols:
        hv = head_values(col)
        if attr in ("relocated", "military_family"):
            hv = [bool(v) for v in hv]
        elif attr == "household_type":
            hv = ["一般农户" if v is None else v for v in hv]
        hh_of.append((attr, hv))
    # 人均纯收入 as the national system reports it, for the year of 数据日期 (else this year): see
    # households.income.national_update for when it is stored
    income_col = vals.get("per_capita_income")
    income_of = head_values(income_col) if income_col is not None else None
    date_col = vals.get("data_date")
    date_of = head_values(date_col) if date_col is not None else [None] * len(live)
    this_year = dt.date.today().year
    local_income: dict[int, income_mod.LatestIncome] = {}
    if income_of is not None and existing_hh:
        local_income = income_mod.all_local_incomes(session, hh_sizes)

    for j, g in enumerate(live):
        head = g.head
        assert head is not None
        # ---- where the household lives
        vname = village_of[j] or village_default or ""
        if vname in village_ids:
            vid = village_ids[vname]
        else:
            vid = village_ids[vname] = places.village(vname)
        new_places: list[tuple[str, str, str | None]] = []
        if vid is None:
            unknown[("行政村", vname, None)] += len(g.rows)
            if not create_places:
                add(head, "village", vname, f"行政村“{vname}”不在本乡镇的村名单中（可在导入时选择新建该村）")
                for i in g.rows:
                    if i != head and i not in bad_rows:
                        add(i, None, "", f"本户所在行政村“{vname}”不在本乡镇名单中，整户暂不导入")
                counts["hh_blocked"] += 1
                continue
            new_places.append(("行政村", vname, None))
        values: dict[str, Any] = {
            "village_id": vid if vid is not None else to_create("new", place_key(vname))
        }
        for key, attr, kind, store, names_of in place_of:
            name = names_of[j]
            if name is None:
                values[attr] = None
                continue
            k = group_key(name) if key == "group" else place_key(name)
            pid = store.get((vid, k)) if vid is not None else None
            if pid is None:
                unknown[(kind, vname, name)] += len(g.rows)
                if create_places:
                    new_places.append((kind, vname, name))
                    values[attr] = to_create("new", vname, k)
                else:
                    values[attr] = None
                    add(
                        head,
                        key,
                        name,
                        f"{kind}“{name}”不在{vname}的名单中，本户暂不设{kind}（可在导入时选择新建）",
                        WARNING,
                    )
            else:
                values[attr] = pid
        for attr, hv in hh_of:
            values[attr] = hv[j]
        # ---- which existing household it is
        existing_id = None
        code = values.get("code")
        if g.rule == RULE_CODE and code in by_code:
            existing_id = by_code[code]
        if existing_id is None and members_db:
            head_id = id_numbers[head]
            db_head = members_db.get(head_id) if head_id else None
            if db_head is not None and db_head[3] == "户主":
                existing_id = db_head[1]
                row = existing_hh[existing_id]
                if code and row[1] and row[1] != code and code in by_code:
                    add(
                        head,
                        "hh_code",
                        code,
                        f"户编号“{code}”已属于另一户（{existing_names[by_code[code]]}）",
                    )
                    counts["hh_blocked"] += 1
                    continue
        changes: list[tuple[str, Any, Any]] = []
        if existing_id is not None:
            row = existing_hh[existing_id]
            for attr, v in values.items():
                old = row[_HH_POS[attr]]
                if attr == "code" and v is None:
                    continue  # a file without 户编号 for this household keeps the stored one
                if old != v:
                    changes.append((attr, old, v))
        if income_of is not None:
            amount = income_of[j]
            year = date_of[j].year if date_of[j] is not None else this_year
            values["national_per_capita_income"] = amount
            values["national_income_year"] = year if amount is not None else None
            if existing_id is not None:
                row = existing_hh[existing_id]
                stored = row[_HH_POS["national_per_capita_income"]]
                stored_year = row[_HH_POS["national_income_year"]]
                update = income_mod.national_update(
                    stored, stored_year, local_income.get(existing_id), amount, year
                )
                if update is not None:
                    changes.append(("national_per_capita_income", stored, update[0]))
                    if stored_year != update[1]:
                        changes.append(("national_income_year", stored_year, update[1]))
        # ---- members
        planned: list[PlannedMember] = []
        if not members_db:  # nobody in the database yet (a first import): every row is new
            planned = [PlannedMember(i, NEW) for i in g.rows if i not in bad_rows]
        else:
            for i in g.rows:
                if i in bad_rows:
                    continue
                number = id_numbers[i]
                db = members_db.get(number) if number else None
                if db is None:
                    planned.append(PlannedMember(i, NEW))
                    continue
                diffs = differences.get(db[0], ())
                if existing_id is not None and db[1] == existing_id:
                    planned.append(PlannedMember(i, CHANGED if diffs else UNCHANGED, db[0], None, diffs))
                else:
                    planned.append(PlannedMember(i, MOVED, db[0], db[1], diffs))
                    moved_out[db[1]] += 1
                    if db[3] == "户主":
                        heads_moved.add(db[1])
                    add(
                        i,
                        "id_number",
                        number,
                        f"此人已在另一户（{existing_names.get(db[1], '')}），导入后将迁入本户",
                        WARNING,
                    )
        if not planned:
            continue
        if not members_db:
            counts["m_new"] += len(planned)
        else:
            counts.update("m_" + m.action for m in planned)
        if existing_id is None:
            action = NEW
        elif changes or any(m.action != UNCHANGED for m in planned):
            action = CHANGED
        else:
            action = UNCHANGED
        counts["hh_" + action] += 1
        case = None
        if case_of is not None and case_of[j] is not None:
            case = cases_mod.plan_case(case_of[j], stored_cases.get(existing_id, ()) if existing_id else ())
            counts["c_" + case.action] += 1
        hh = PlannedHousehold(
            g,
            action,
            existing_id,
            values,
            tuple(changes),
            tuple(map(tuple, planned)),
            names[head] or "",
            places.names.get(("village_id", vid), vname) if vid else vname,
            tuple(new_places),
            case,
        )
        households.append(hh)
    # moves that leave a household without its head or empty
    planned_ids = {hh.existing_id for hh in households}
    for hid, n in moved_out.items():
        if hid in planned_ids:
            continue
        if n >= hh_sizes[hid]:
            extra.append(
                Issue(
                    None,
                    "",
                    "",
                    "",
                    f"{existing_names.get(hid, '')}的成员将全部迁出，该户将没有成员",
                    WARNING,
                )
            )
        elif hid in heads_moved:
            extra.append(
                Issue(
                    None,
                    "",
                    "",
                    "",
                    f"{existing_names.get(hid, '')}的户主将迁出，该户将没有户主，请导入后处理",
                    WARNING,
                )
            )
    all_issues = issues + extra
    all_issues.sort(key=lambda x: (x.row or 0, x.severity != ERROR))
    rows_error = {x.row for x in all_issues if x.severity == ERROR and x.row is not None}
    rows_warning = {x.row for x in all_issues if x.severity == WARNING and x.row is not None} - rows_error
    counts["rows_error"] = len(rows_error)
    counts["rows_warning"] = len(rows_warning)
    for k in (
        "hh_new",
        "hh_changed",
        "hh_unchanged",
        "hh_blocked",
        "m_new",
        "m_changed",
        "m_unchanged",
        "m_moved",
        "c_new",
        "c_changed",
        "c_unchanged",
        "c_kept",
    ):
        counts.setdefault(k, 0)
    plan = ImportPlan(
        parsed,
        households,
        all_issues,
        [UnknownPlace(k, v, n, c) for (k, v, n), c in unknown.items()],
        create_places,
        dict(counts),
        existing_names,
        places.names,
        state,
    )
    return plan


def _town_key(name: str) -> str:
    s = unicodedata.normalize("NFKC", name).replace(" ", "")
    for suffix in ("街道办事处", "街道", "镇", "乡"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return s[: -len(suffix)]
    return s


__all__ = [
    "ACTION_TEXT",
    "CHANGED",
    "MOVED",
    "NEW",
    "UNCHANGED",
    "ImportPlan",
    "PlannedHousehold",
    "PlannedMember",
    "UnknownPlace",
    "DatabaseSnapshot",
    "build_plan",
    "compare_attrs",
    "database_state",
    "read_snapshot",
]
