"""Turning a sheet into checked person rows grouped into households (no database needed).

The result, :class:`ParsedFile`, is column-oriented: ``values[field][i]`` is row ``i``'s stored
value, so 60,000 rows are converted with per-column caches and compared as tuples later.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import compress, count, groupby, repeat
from operator import eq, is_, itemgetter, ne, or_
from pathlib import Path
from typing import Any

from fanpin_desktop.domain import enums as enums_mod
from fanpin_desktop.domain import income as income_rules
from fanpin_desktop.errors import UserError
from fanpin_desktop.services.importer.fields import BY_KEY, CASE_FIELDS, IGNORED
from fanpin_desktop.services.importer.headers import ColumnMapping, HeaderInfo
from fanpin_desktop.services.importer.normalise import (
    Bad,
    ColumnConverter,
    IdValue,
    cell_text,
    converter_for,
    id_column,
    is_blank,
    to_id,
)
from fanpin_desktop.services.importer.reading import Source, column_letter
from fanpin_desktop.services.importer.validate import ERROR, WARNING, Issue, is_footer_text, is_total_text

Progress = Callable[[int, int, str], None]


class ImportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("导入已取消，数据库没有任何改动")


CASE_KEYS = tuple(f.key for f in CASE_FIELDS)

RULE_CODE = "户编号"
RULE_HEAD = "户主证件号码"
RULE_RUN = "连续行（从户主行开始）"


@dataclass
class HouseholdGroup:
    rows: tuple[int, ...]  # indexes into the ParsedFile arrays, in file order (see plan.PlannedHousehold)
    key: str
    rule: str
    head: int | None = None
    blocked: bool = False


@dataclass
class ParsedFile:
    path: Path
    sheet: str
    encoding: str | None
    header: HeaderInfo
    mapping: ColumnMapping
    fields: set[str]
    rownums: list[int] = field(default_factory=list)  # 1-based sheet row of each person row
    values: dict[str, list[Any]] = field(default_factory=dict)
    id_numbers: list[str | None] = field(default_factory=list)
    id_certs: list[str | None] = field(default_factory=list)
    births: list[dt.date | None] = field(default_factory=list)
    sexes: list[str | None] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    groups: list[HouseholdGroup] = field(default_factory=list)
    rule: str = ""
    blank_rows: int = 0
    skipped_rows: int = 0
    alias_counts: Counter = field(default_factory=Counter)
    default_village: str | None = None
    derived: dict[Any, Any] = field(
        default_factory=dict
    )  # columns worked out from these (plan.member_columns)

    @property
    def count(self) -> int:
        return len(self.rownums)

    def issue_rows(self) -> set[int]:
        return {i.row for i in self.issues if i.row is not None}


def _col_info(parsed: ParsedFile, key: str) -> tuple[str, str]:
    col = parsed.mapping.field_columns().get(key)
    if col is None:
        return BY_KEY[key].label if key in BY_KEY else key, ""
    label = parsed.header.labels[col] if col < len(parsed.header.labels) else ""
    return label or BY_KEY[key].label, column_letter(col)


class _Issues:
    """Collects issues with column names and letters resolved once per field."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self._cols: dict[str, tuple[str, str]] = {}
        self.keys: set[tuple[int, str | None]] = set()

    def has(self, i: int, key: str) -> bool:
        return (i, key) in self.keys

    def add(
        self,
        i: int | None,
        key: str | None,
        value: Any,
        message: str,
        severity: str = ERROR,
        row: int | None = None,
    ) -> None:
        p = self.parsed
        if key:
            if key not in self._cols:
                self._cols[key] = _col_info(p, key)
            column, letter = self._cols[key]
        else:
            column, letter = "", ""
        rownum = row if row is not None else (p.rownums[i] if i is not None else None)
        text = value if isinstance(value, str) else cell_text(value)
        p.issues.append(Issue(rownum, column, letter, text, message, severity, key))
        if i is not None:
            self.keys.add((i, key))
            if severity == ERROR:
                p.bad_rows.add(i)


def parse_source(
    src: Source,
    header: HeaderInfo,
    mapping: ColumnMapping,
    *,
    default_village: str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
    chunk_size: int = 256,
) -> ParsedFile:
    missing = mapping.missing_required(has_default_village=bool(default_village))
    if missing:
        raise UserError(f"文件中找不到这些必需的列：{'、'.join(missing)}。请在导入向导中设置列的对应关系")
    fc = mapping.field_columns()
    enums = enums_mod.for_year(year) if year else enums_mod.current()
    parsed = ParsedFile(
        src.path, src.sheet, src.encoding, header, mapping, set(fc), default_village=default_village
    )
    for key in fc:
        if key != "id_number" and key != "head_id_number":
            parsed.values[key] = []
    head_ids: list[Any] = []
    converters: dict[str, ColumnConverter] = {}
    for key in parsed.values:
        conv = converter_for(key, enums)
        assert conv is not None
        converters[key] = conv
    issues = _Issues(parsed)
    name_col, id_col = fc["name"], fc["id_number"]
    width_needed = max(fc.values()) + 1
    needed = sorted(set(fc.values()))
    total = max(src.total_rows - header.first_data_row, 1)
    done = reported = 0
    missing_id: list[int] = []
    # Small chunks: a chunk's cells are picked out and converted while the objects calamine has
    # just made for them are still in the CPU cache (4,096 rows at a time took a third longer).
    for nums, rows in src.iter_chunks(header.first_data_row, chunk_size):
        if cancelled is not None and cancelled():
            raise ImportCancelled()
        if src.kind == "csv" or min(map(len, rows)) < width_needed:
            width = max(width_needed, max(len(r) for r in rows))
            rows = [r if len(r) >= width else r + [""] * (width - len(r)) for r in rows]
        # only the columns that are read, each picked out of the rows in C (transposing all
        # of a 47-column export with zip(*rows) costs twice as much)
        cols = {c: list(map(itemgetter(c), rows)) for c in needed}
        raw_name, raw_id = cols[name_col], cols[id_col]
        keep = list(range(len(rows)))
        if "" in raw_name or "" in raw_id or None in raw_name or None in raw_id:
            keep = []
            candidates = range(len(rows))
        else:
            candidates = range(0)
        for k in candidates:
            nm, idv = raw_name[k], raw_id[k]
            if (nm == "" or nm is None or is_blank(nm)) and (idv == "" or idv is None or is_blank(idv)):
                texts = [cell_text(v) for v in rows[k] if not is_blank(v)]
                if not texts:
                    parsed.blank_rows += 1
                elif any(is_total_text(t) for t in texts[:6]):
                    parsed.skipped_rows += 1
                    parsed.issues.append(Issue(nums[k] + 1, "", "", texts[0], "合计行，已跳过", WARNING))
                else:
                    parsed.skipped_rows += 1
                    parsed.issues.append(
                        Issue(
                            nums[k] + 1,
                            "",
                            "",
                            " ".join(texts[:3]),
                            "没有姓名和证件号码，不是人员行，已跳过",
                            WARNING,
                        )
                    )
                continue
            if (idv == "" or is_blank(idv)) and isinstance(nm, str):
                if is_total_text(nm):
                    parsed.skipped_rows += 1
                    parsed.issues.append(Issue(nums[k] + 1, "", "", nm.strip(), "合计行，已跳过", WARNING))
                    continue
                if is_footer_text(nm):
                    parsed.skipped_rows += 1
                    parsed.issues.append(
                        Issue(
                            nums[k] + 1,
                            "",
                            "",
                            nm.strip(),
                            "表格下方的落款或说明，不是人员行，已跳过",
                            WARNING,
                        )
                    )
                    continue
            keep.append(k)
        if len(keep) < len(rows):
            nums = [nums[k] for k in keep]
            if len(keep) > 1:
                pick = itemgetter(*keep)
                cols = {c: list(pick(col)) for c, col in cols.items()}
            else:
                cols = {c: [col[k] for k in keep] for c, col in cols.items()}
            raw_id = cols[id_col]
        base = len(parsed.rownums)
        parsed.rownums.extend(n + 1 for n in nums)
        _control_characters(fc, cols, base, issues)
        raw_id = cols[id_col]
        for key, conv in converters.items():
            col = cols[fc[key]]
            vals = conv.convert(col)
            if conv.has_bad:
                for k, v in enumerate(vals):
                    if v.__class__ is Bad:
                        issues.add(base + k, key, col[k], v.message)
                        vals[k] = None
            parsed.values[key].extend(vals)
        # identity numbers: unique per row, no cache; valid 18-digit text in one tight loop
        numbers, births, sexes, rest = id_column(raw_id)
        certs: list[str | None] = [None] * len(numbers)
        for k in rest:
            raw = raw_id[k]
            v = to_id(raw)
            if v.__class__ is IdValue:
                numbers[k] = v.number
                certs[k] = v.cert
                births[k] = v.birth
                sexes[k] = v.sex
                if v.note:
                    issues.add(base + k, "id_number", raw, v.note, WARNING)
            elif v is None:
                if not issues.has(base + k, "id_number"):
                    missing_id.append(base + k)
            else:
                issues.add(base + k, "id_number", raw, v.message)
        parsed.id_numbers.extend(numbers)
        parsed.id_certs.extend(certs)
        parsed.births.extend(births)
        parsed.sexes.extend(sexes)
        if "head_id_number" in fc:
            raw_heads = cols[fc["head_id_number"]]
            heads, _b, _s, rest = id_column(raw_heads)
            for k in rest:
                v = to_id(raw_heads[k])
                heads[k] = v.number if v.__class__ is IdValue else None
            head_ids.extend(heads)
        done += len(rows)
        if progress is not None and (done - reported >= 4096 or done >= total):
            reported = done
            progress(min(done, total), total, "正在读取和检查")
    _recover_formula_ids(src, parsed, missing_id, id_col, issues)
    _uncached_required(src, parsed, fc, issues)
    _row_checks(parsed, issues)
    _duplicates(parsed, issues)
    _group(parsed, issues, head_ids)
    parsed.alias_counts = Counter()
    for conv in converters.values():
        parsed.alias_counts.update(conv.alias_counts)
    parsed.issues.sort(key=lambda x: (x.row or 0, x.severity != ERROR))
    return parsed


def _formula_message(label: str) -> str:
    return (
        f"“{label}”列是公式且没有计算结果，请在Excel中打开并保存后再导入，或把公式改为数值"
        "（复制该列，再“选择性粘贴→数值”）"
    )


def _recover_formula_ids(
    src: Source, parsed: ParsedFile, missing: list[int], id_col: int, issues: _Issues
) -> None:
    """ID cells that are formulas without a stored result: ``="…"`` gives its text, any other
    formula is an error saying what to do (calamine reads such cells as empty)."""
    if missing:
        found = src.uncached_formulas({(parsed.rownums[i] - 1, id_col) for i in missing})
        label = _col_info(parsed, "id_number")[0]
        for i in missing:
            text = found.get((parsed.rownums[i] - 1, id_col))
            if text and not _LITERAL_FORMULA.fullmatch(text):
                issues.add(i, "id_number", text, _formula_message(label))
                continue
            v = to_id(text) if text else None
            if v.__class__ is IdValue:
                parsed.id_numbers[i] = v.number
                parsed.id_certs[i] = v.cert
                parsed.births[i] = v.birth
                parsed.sexes[i] = v.sex
            elif v.__class__ is Bad:
                issues.add(i, "id_number", text, v.message)
            else:
                issues.add(i, "id_number", "", "证件号码为空（必填）")


_LITERAL_FORMULA = re.compile(r'="[^"]*"')


def _uncached_required(src: Source, parsed: ParsedFile, fc: dict[str, int], issues: _Issues) -> None:
    """Empty required text cells (姓名, 与户主关系) that hold a formula without a stored result."""
    asked: dict[tuple[int, int], tuple[int, str]] = {}
    for key in ("name", "relation"):
        col = parsed.values.get(key)
        if col is None or None not in col or key not in fc:
            continue
        for i in _where(map(is_, col, repeat(None))):
            if not issues.has(i, key):
                asked[(parsed.rownums[i] - 1, fc[key])] = (i, key)
    if not asked:
        return
    found = src.uncached_formulas(set(asked))
    for cell, text in found.items():
        i, key = asked[cell]
        m = _LITERAL_FORMULA.fullmatch(text)
        if m and text[2:-1].strip() and key == "name":
            parsed.values[key][i] = text[2:-1].strip()
            continue
        issues.add(i, key, text, _formula_message(_col_info(parsed, key)[0]))


#: C0 control characters other than tab, line feed and carriage return (never typed by a clerk;
#: they come from other systems and break Excel files and searches)
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def visible(text: str) -> str:
    """``text`` with control characters shown as "�" (for messages and the error report)."""
    return CONTROL_CHARACTERS.sub("\ufffd", text)


def _control_characters(fc: dict[str, int], cols: dict[int, list[Any]], base: int, issues: _Issues) -> None:
    """Text cells with control characters are errors (their rows are not imported); the cells are
    emptied so no converter stores them."""
    for key, c in fc.items():
        col = cols[c]
        try:
            joined = "".join(col)
        except TypeError:
            joined = "".join(v for v in col if isinstance(v, str))
        if not CONTROL_CHARACTERS.search(joined):
            continue
        col = list(col)
        for k, v in enumerate(col):
            if isinstance(v, str) and CONTROL_CHARACTERS.search(v):
                issues.add(
                    base + k,
                    key,
                    visible(v.strip()),
                    "含有不可见的控制字符（显示为�，常见于从其他系统复制的内容），该行没有导入；"
                    "请删除这些字符（可重新输入该单元格）后再导入",
                )
                col[k] = ""
        cols[c] = col


def _where(flags: Iterator[Any]) -> list[int]:
    """Indexes of the true flags (computed in C: most rows pass every check)."""
    return list(compress(count(), flags))


def _row_checks(parsed: ParsedFile, issues: _Issues) -> None:
    vals = parsed.values
    required = [("name", "姓名"), ("relation", "与户主关系")]
    if "village" in vals and not parsed.default_village:
        required.append(("village", "行政村"))
    for key, label in required:
        col = vals[key]
        if None not in col:
            continue
        for i in _where(map(is_, col, repeat(None))):
            if not issues.has(i, key):
                issues.add(i, key, "", f"{label}为空（必填）")
    if "education" in vals and "schooling" in vals:
        edu, school = vals["education"], vals["schooling"]
        # both given or both missing
        for i in _where(map(eq, map(is_, edu, repeat(None)), map(is_, school, repeat(None)))):
            e, s = edu[i], school[i]
            if e is not None and s is not None:
                issues.add(
                    i,
                    "schooling",
                    s,
                    f"文化程度（{e}）和在校生状况只能填一项：在校生填在校生状况，其他人填文化程度",
                )
            elif (
                e is None and s is None and not issues.has(i, "education") and not issues.has(i, "schooling")
            ):
                issues.add(i, "education", "", "文化程度和在校生状况都没有填，应填其中一项")
    if "work_status" in vals and "work_months" in vals:
        status, months = vals["work_status"], vals["work_months"]
        # one of them missing, or 0 months
        flags = map(
            or_,
            map(ne, map(is_, status, repeat(None)), map(is_, months, repeat(None))),
            map(eq, months, repeat(0)),
        )
        for i in _where(flags):
            w, m = status[i], months[i]
            if (w is None) != (m is None or m == 0) and not (w is None and m is None):
                issues.add(
                    i,
                    "work_months",
                    "" if m is None else m,
                    "务工状况和务工时间（月）应同时填写或同时不填",
                    WARNING,
                )
    if "birth_date" in vals:
        given = vals["birth_date"]
        for i in _where(map(ne, given, parsed.births)):
            b, d = given[i], parsed.births[i]
            if (
                b is not None
                and d is not None
                and b != d
                and not (b.year == d.year and b.month == d.month and b.day == 1)
            ):
                issues.add(
                    i,
                    "birth_date",
                    b.isoformat(),
                    f"出生日期与证件号码中的{d.isoformat()}不一致，以证件号码为准",
                    WARNING,
                )
    if "sex" in vals:
        given = vals["sex"]
        for i in _where(map(ne, given, parsed.sexes)):
            s, d = given[i], parsed.sexes[i]
            if s is not None and d is not None and s != d:
                issues.add(i, "sex", s, f"性别与证件号码（{d}）不一致，以证件号码为准", WARNING)
    if "per_capita_income" in vals:  # negatives are refused by the converter; this asks about typos
        for i, amount in enumerate(vals["per_capita_income"]):
            if amount is not None and (message := income_rules.implausible_per_capita("人均纯收入", amount)):
                issues.add(
                    i, "per_capita_income", shown(amount), message.removeprefix("人均纯收入："), WARNING
                )


def _duplicates(parsed: ParsedFile, issues: _Issues) -> None:
    numbers = parsed.id_numbers
    if len(set(numbers)) == len(numbers) - max(numbers.count(None) - 1, 0):
        return  # no number twice (the usual case, checked in C)
    first: dict[str, int] = {}
    dup_of: dict[int, int] = {}
    for i, number in enumerate(numbers):
        if number is None:
            continue
        j = first.setdefault(number, i)
        if j != i:
            dup_of[i] = j
    later: dict[int, list[int]] = {}
    for i, j in dup_of.items():
        later.setdefault(j, []).append(i)
    reported: set[int] = set()
    for i, j in dup_of.items():
        issues.add(i, "id_number", numbers[i], f"证件号码与第{parsed.rownums[j]}行重复，同一人只能出现一次")
        if j not in reported:
            reported.add(j)
            rows = "、".join(str(parsed.rownums[k]) for k in later[j])
            issues.add(j, "id_number", numbers[j], f"证件号码在第{rows}行再次出现，同一人只能出现一次")


def _group(parsed: ParsedFile, issues: _Issues, head_ids: list[Any]) -> None:
    vals = parsed.values
    n = parsed.count
    codes = vals.get("hh_code")
    relation = vals["relation"]
    groups: dict[tuple[str, str], HouseholdGroup] = {}
    # Each household's rows as a tuple in file order (a stable sort, then groupby), not a list
    # grown row by row: see plan.PlannedHousehold.
    leftovers: list[int] = []
    if codes is not None and any(c is not None for c in codes):
        parsed.rule = RULE_CODE
        leftovers = [i for i, c in enumerate(codes) if c is None]
        coded = sorted((i for i, c in enumerate(codes) if c is not None), key=codes.__getitem__)
        for c, rows in groupby(coded, key=codes.__getitem__):
            groups[(RULE_CODE, c)] = HouseholdGroup(tuple(rows), c, RULE_CODE)
    else:
        leftovers = list(range(n))
    rest: list[int] = []
    if head_ids and any(h is not None for h in head_ids):
        if not parsed.rule:
            parsed.rule = RULE_HEAD
        rest = [i for i in leftovers if head_ids[i] is None]
        headed = sorted((i for i in leftovers if head_ids[i] is not None), key=head_ids.__getitem__)
        for h, rows in groupby(headed, key=head_ids.__getitem__):
            groups[(RULE_HEAD, h)] = HouseholdGroup(tuple(rows), h, RULE_HEAD)
    else:
        rest = leftovers
    if rest:
        if not parsed.rule:
            parsed.rule = RULE_RUN
        else:
            parsed.rule += f"（另有{len(rest)}行没有{parsed.rule}，按连续行分户）"
        runs: list[list[int]] = []  # from each 户主 row to the next
        for i in rest:
            if relation[i] == "户主":
                runs.append([])
            if not runs:
                issues.add(
                    i,
                    "relation",
                    relation[i] or "",
                    "前面没有户主行，无法确定属于哪一户（按连续行分户时每户从户主行开始）",
                )
                continue
            runs[-1].append(i)
        for seq, rows in enumerate(runs, 1):
            groups[(RULE_RUN, f"#{seq}")] = HouseholdGroup(tuple(rows), f"#{seq}", RULE_RUN)
    parsed.groups = sorted(groups.values(), key=lambda g: g.rows[0])
    consistent = [
        (key, vals[key])
        for key in (
            "village",
            "group",
            "natural_village",
            "household_type",
            "hh_phone",
            "per_capita_income",
            *CASE_KEYS,
        )
        if key in vals
    ]
    sizes = vals.get("hh_size")
    bad_rows = parsed.bad_rows
    for g in parsed.groups:
        rows = g.rows
        if len(rows) == 1:
            i = rows[0]
            if relation[i] == "户主" and i not in bad_rows:  # the usual single-person household
                g.head = i
                if sizes is not None and sizes[i] is not None and sizes[i] != 1:
                    issues.add(i, "hh_size", sizes[i], f"人数为{sizes[i]}，但文件中本户有1行", WARNING)
                continue
        _check_household(parsed, issues, g, consistent, sizes)


def _check_household(
    parsed: ParsedFile,
    issues: _Issues,
    g: HouseholdGroup,
    consistent: list[tuple[str, list[Any]]],
    sizes: list[Any] | None,
) -> None:
    vals = parsed.values
    relation = vals["relation"]
    rows = g.rows
    heads = [i for i in rows if relation[i] == "户主"]
    reason = None
    which = f"（户编号{g.key}）" if g.rule == RULE_CODE and len(heads) != 1 else ""
    if not heads:
        first = g.rows[0]
        issues.add(first, "relation", relation[first] or "", f"本户{which}没有户主：每户应有且只有一个“户主”")
        reason = f"本户没有户主（见第{parsed.rownums[first]}行），整户暂不导入"
    elif len(heads) > 1:
        for i in heads[1:]:
            issues.add(
                i,
                "relation",
                "户主",
                f"本户{which}已有户主（第{parsed.rownums[heads[0]]}行），一户只能有一个户主",
            )
        reason = f"本户有{len(heads)}个户主，整户暂不导入"
    else:
        g.head = heads[0]
        if g.head in parsed.bad_rows:
            reason = f"本户户主（第{parsed.rownums[g.head]}行）有错误，整户暂不导入"
    if reason:
        g.blocked = True
        for i in g.rows:
            if i not in parsed.bad_rows:
                issues.add(i, None, "", reason)
        return
    head = g.head
    assert head is not None
    if sizes is not None:
        size = sizes[head]
        if size is not None and size != len(g.rows):
            issues.add(head, "hh_size", size, f"人数为{size}，但文件中本户有{len(g.rows)}行", WARNING)
    pick = itemgetter(*rows) if len(rows) > 1 else (lambda col: (col[rows[0]],))
    for key, col in consistent:
        ref = col[head]
        if ref is None:
            continue
        if pick(col).count(ref) == len(rows):  # the usual case: the same value in every row
            continue
        for i in rows:
            v = col[i]
            if v is not None and v != ref:
                issues.add(
                    i,
                    key,
                    shown(v),
                    f"同一户的{BY_KEY[key].label}不一致（户主行为“{shown(ref)}”），以户主行为准",
                    WARNING,
                )
                break


def shown(value: Any) -> str:
    """A stored value as the clerk reads it (dates ISO, 是/否, a risk with its sub-type)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, tuple):  # a risk: (type, sub-type)
        return f"{value[0]}（{value[1]}）" if value[1] else value[0]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def household_value(parsed: ParsedFile, g: HouseholdGroup, key: str) -> Any:
    """A household-level value: the head's, or the first member's that has one."""
    col = parsed.values.get(key)
    if col is None:
        return None
    if g.head is not None and col[g.head] is not None:
        return col[g.head]
    for i in g.rows:
        if col[i] is not None:
            return col[i]
    return None


__all__ = [
    "IGNORED",
    "HouseholdGroup",
    "ImportCancelled",
    "ParsedFile",
    "household_value",
    "parse_source",
]
