"""Reading received lists of any layout (department warnings, the county's problem list).

Reuses the roster importer's file reading (``importer.reading``: .xlsx/.xls/.csv, title rows above
the header) and its header normalisation and mapping storage (``ImportMapping``); the fields are
the list's own. A mapping the clerk saves is stored per list kind and department, so a 医保 file
and a 残联 file with the same headers keep their own mappings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import ids
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import ImportMapping, Member
from fanpin_desktop.models.household import Household
from fanpin_desktop.models.region import Village
from fanpin_desktop.models.warnings import ListImport
from fanpin_desktop.services.importer.headers import header_signature, norm_label
from fanpin_desktop.services.importer.reading import Source, column_letter, open_source

HEADER_SCAN_ROWS = 30
SERIAL_LABELS = {"序号", "编号", "行号", "NO", "NO.", "顺序号"}
SAMPLE_ROWS = 10

MATCHED = "已匹配"
TO_CONFIRM = "待确认"
UNMATCHED = "未匹配"
NOT_LOCAL = "不涉及本乡镇"
MATCH_STATUSES = (MATCHED, TO_CONFIRM, UNMATCHED, NOT_LOCAL)


@dataclass(frozen=True)
class ListField:
    """One thing read from a received list: key, the label shown, header aliases."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = False


@dataclass
class ListPreview:
    """What the file looks like and how its columns are mapped (shown before importing)."""

    path: str
    sheet: str
    sheets: list[str]
    header_rows: tuple[int, ...]  # 0-based sheet rows of the header
    labels: list[str]  # one per column
    columns: list[str | None]  # field key per column (None = not used, kept in the raw row only)
    mapping_source: str  # how the mapping was found, shown to the clerk
    mapping_name: str | None
    missing: list[str]  # labels of required fields with no column
    sample: list[list[str]]  # first data rows as text
    fields: tuple[ListField, ...] = ()

    @property
    def first_data_row(self) -> int:
        return self.header_rows[-1] + 1

    def field_columns(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for i, key in enumerate(self.columns):
            if key and key not in out:
                out[key] = i
        return out


@dataclass
class ListRow:
    """One non-empty data row: 1-based sheet row, field values as text, every cell by header."""

    row_number: int
    values: dict[str, str]
    raw: dict[str, str]
    fingerprint_text: str


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


def _alias_index(fields: Sequence[ListField]) -> dict[str, str]:
    index: dict[str, str] = {}
    for f in fields:
        for name in (f.label, *f.aliases):
            index.setdefault(norm_label(name), f.key)
    return index


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(labels):
        name = norm_label(raw) or f"#列{i + 1}"
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}#{n}")
    return out


def _display_labels(labels: list[str]) -> list[str]:
    """Header text for the raw row: the header as written, or the column letter; unique."""
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(labels):
        name = (raw or "").strip() or f"{column_letter(i)}列"
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}({n})")
    return out


def detect_header(head: list[list[Any]], fields: Sequence[ListField]) -> tuple[int, list[str]]:
    """The row among the first 30 naming the most known columns; (row, labels)."""
    index = _alias_index(fields)
    best: tuple[int, int, list[str]] | None = None
    for i, row in enumerate(head[:HEADER_SCAN_ROWS]):
        texts = [cell_text(v) for v in row]
        score = sum(1 for t in texts if t and norm_label(t) in index)
        if score and (best is None or score > best[0]):
            best = (score, i, texts)
    if best is None or best[0] < 2:
        names = "、".join(f"“{f.label}”" for f in fields[:4])
        raise UserError(f"前{HEADER_SCAN_ROWS}行中找不到表头（应有{names}等列名），请指定表头所在的行")
    labels = best[2]
    while labels and not labels[-1]:
        labels = labels[:-1]
    return best[1], labels


def _scoped_signature(kind: str, department: str | None, labels: list[str]) -> str:
    return hashlib.sha256(f"{kind}|{department or ''}|{header_signature(labels)}".encode()).hexdigest()


def _apply_stored(labels: list[str], data: dict[str, Any], fields: Sequence[ListField]) -> list[str | None]:
    keys = {f.key for f in fields}
    stored = {norm_label(k): v for k, v in data.get("columns", {}).items()}
    return [stored.get(u) if stored.get(u) in keys else None for u in _unique_labels(labels)]


def _auto_columns(labels: list[str], fields: Sequence[ListField]) -> list[str | None]:
    index = _alias_index(fields)
    taken: set[str] = set()
    cols: list[str | None] = []
    for raw in labels:
        key = index.get(norm_label(raw)) if raw else None
        if key in taken:
            key = None
        if key:
            taken.add(key)
        cols.append(key)
    return cols


def _missing(columns: list[str | None], fields: Sequence[ListField]) -> list[str]:
    present = set(columns)
    return [f.label for f in fields if f.required and f.key not in present]


def mapping_names(session: Session, kind: str, department: str | None = None) -> list[str]:
    """Saved mappings of this list kind (and department, when given), by name."""
    out = []
    for row in session.scalars(select(ImportMapping).order_by(ImportMapping.name)):
        data = row.mapping or {}
        if data.get("kind") == kind and (department is None or data.get("department") == department):
            out.append(row.name)
    return out


def resolve_columns(
    session: Session,
    kind: str,
    department: str | None,
    labels: list[str],
    fields: Sequence[ListField],
    mapping_name: str | None = None,
) -> tuple[list[str | None], str, str | None]:
    """(columns, how found, saved name): the named mapping, else the one saved for these headers
    (this kind and department), else the department's latest mapping if it covers the required
    fields, else by column names."""
    if mapping_name:
        row = session.scalars(select(ImportMapping).where(ImportMapping.name == mapping_name)).first()
        if row is None or (row.mapping or {}).get("kind") != kind:
            known = "、".join(mapping_names(session, kind, department)) or "无"
            raise UserError(f"没有名为“{mapping_name}”的{kind}对应关系（已保存的：{known}）")
        return _apply_stored(labels, row.mapping, fields), f"使用已保存的对应关系“{row.name}”", row.name
    sig = _scoped_signature(kind, department, labels)
    row = session.scalars(
        select(ImportMapping).where(ImportMapping.header_signature == sig).order_by(ImportMapping.id.desc())
    ).first()
    if row is not None:
        return _apply_stored(labels, row.mapping, fields), f"使用已保存的对应关系“{row.name}”", row.name
    auto = _auto_columns(labels, fields)
    if _missing(auto, fields):
        for name in reversed(mapping_names(session, kind, department)):
            stored = session.scalars(select(ImportMapping).where(ImportMapping.name == name)).one()
            cols = _apply_stored(labels, stored.mapping, fields)
            if not _missing(cols, fields):
                return cols, f"使用已保存的对应关系“{name}”", name
    return auto, "按列名识别", None


def save_columns(
    session: Session,
    kind: str,
    department: str | None,
    labels: list[str],
    columns: list[str | None],
    fields: Sequence[ListField],
    name: str | None = None,
) -> str:
    """Save (or overwrite) the mapping under ``name`` (default ``部门预警·医保``); its name."""
    name = (name or f"{kind}·{department}" if department else name or kind).strip()
    if not name:
        raise ValidationError("name", "请填写对应关系的名称")
    keys = {f.key for f in fields}
    bad = [c for c in columns if c is not None and c not in keys]
    if bad:
        raise ValidationError("columns", f"对应关系中有未知的项：{'、'.join(bad)}")
    row = session.scalars(select(ImportMapping).where(ImportMapping.name == name)).first()
    if row is not None and (row.mapping or {}).get("kind") != kind:
        raise ValidationError("name", f"名称“{name}”已被花名册的对应关系使用，请换一个名称")
    if row is None:
        row = ImportMapping(name=name, header_signature="", mapping={})
        session.add(row)
    row.header_signature = _scoped_signature(kind, department, labels)
    unique = _unique_labels(labels)
    row.mapping = {
        "kind": kind,
        "department": department,
        "columns": {unique[i]: key for i, key in enumerate(columns) if key is not None},
    }
    return name


def _header(src: Source, header_row: int | None, fields: Sequence[ListField] | None) -> tuple[int, list[str]]:
    head = src.head(HEADER_SCAN_ROWS)
    if header_row is not None:
        if not 0 <= header_row < len(head):
            raise UserError(f"第{header_row + 1}行超出了表格范围")
        labels = [cell_text(v) for v in head[header_row]]
        while labels and not labels[-1]:
            labels.pop()
        return header_row, labels
    assert fields is not None
    return detect_header(head, fields)


def preview(
    session: Session,
    path: str | Path,
    kind: str,
    department: str | None,
    fields: Sequence[ListField],
    *,
    mapping_name: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> ListPreview:
    src = open_source(path, sheet)
    try:
        row, labels = _header(src, header_row, fields)
        columns, how, name = resolve_columns(session, kind, department, labels, fields, mapping_name)
        sample = []
        for _i, cells in src.iter_rows(row + 1):
            texts = [cell_text(v) for v in cells]
            if any(texts):
                sample.append(texts[: len(labels)])
            if len(sample) >= SAMPLE_ROWS:
                break
        return ListPreview(
            str(path),
            src.sheet,
            list(src.sheet_names),
            (row,),
            labels,
            columns,
            how,
            name,
            _missing(columns, fields),
            sample,
            tuple(fields),
        )
    finally:
        src.close()


def read_rows(
    path: str | Path, sheet: str | None, header_row: int, labels: list[str], columns: list[str | None]
) -> Iterator[ListRow]:
    """Every non-empty data row after the header."""
    src = open_source(path, sheet)
    try:
        display = _display_labels(labels)
        width = len(labels)
        # A running number (序号) is renumbered when a list is re-sent: not part of the row's content.
        counters = {i for i, x in enumerate(labels) if norm_label(x).upper() in SERIAL_LABELS}
        for row_numbers, rows in src.iter_chunks(header_row + 1):
            for n, cells in zip(row_numbers, rows, strict=True):
                texts = [cell_text(v) for v in cells]
                if not any(texts):
                    continue
                raw: dict[str, str] = {}
                values: dict[str, str] = {}
                for i, t in enumerate(texts):
                    if not t:
                        continue
                    key = columns[i] if i < len(columns) else None
                    if key and key not in values:
                        values[key] = t
                        if key == "id_number" and ids.looks_rounded_by_excel(cells[i]):
                            values["_id_rounded"] = "1"
                    raw[display[i] if i < width else f"{column_letter(i)}列"] = t
                content = [t for i, t in enumerate(texts) if i not in counters]
                yield ListRow(n + 1, values, raw, _normalised_content(content))
    finally:
        src.close()


@dataclass
class NewRows:
    """A received file's rows split into those never received before (``parsed``: row,
    fingerprint, cleaned ID number, whether it is valid, the ID problem), rows received in an
    earlier import (``already``) and repeats within the file (``dup``)."""

    rows: list[ListRow]
    parsed: list[tuple[ListRow, str, str | None, bool, str | None]]
    already: int
    dup: int


def new_rows(
    session: Session,
    path: str | Path,
    pv: ListPreview,
    columns: list[str | None],
    kind: str,
    department: str | None,
    fingerprint_column: Any,
) -> NewRows:
    """Read the file and keep the rows not received before (``fingerprint_column``: the stored
    fingerprints of this kind of list), so re-importing the same file adds nothing."""
    rows = list(read_rows(path, pv.sheet, pv.header_rows[-1], pv.labels, columns))
    fps = [fingerprint(kind, department, r.fingerprint_text) for r in rows]
    existing: set[str] = set()
    for i in range(0, len(fps), 900):
        existing.update(
            session.scalars(select(fingerprint_column).where(fingerprint_column.in_(fps[i : i + 900])))
        )
    parsed = []
    seen: set[str] = set()
    already = dup = 0
    for r, fp in zip(rows, fps, strict=True):
        if fp in seen:
            dup += 1
            continue
        seen.add(fp)
        if fp in existing:
            already += 1
            continue
        parsed.append((r, fp, *clean_id(r.values)))
    return NewRows(rows, parsed, already, dup)


def record_import(
    session: Session,
    *,
    kind: str,
    department: str | None,
    path: str | Path,
    pv: ListPreview,
    columns: Sequence[str | None] | None,
    found: NewRows,
    received_on: dt.date,
    batch_label: str | None,
) -> ListImport:
    """The import's own record (file, sheet, mapping, counts, who), flushed so rows can refer to it."""
    batch = ListImport(
        kind=kind,
        department=department,
        batch_label=batch_label,
        file_name=Path(path).name[:260],
        sheet=pv.sheet[:60],
        received_on=received_on,
        mapping_name=pv.mapping_name if columns is None else None,
        total_rows=len(found.rows),
        new_rows=len(found.parsed),
        already_rows=found.already + found.dup,
        imported_by=user_of(session),
    )
    session.add(batch)
    session.flush()
    return batch


def _normalised_content(texts: list[str]) -> str:
    """The row's content independent of column order and spacing (for the row fingerprint)."""
    parts = sorted(re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)).upper() for t in texts if t)
    return "\x1f".join(parts)


def fingerprint(kind: str, department: str | None, content: str) -> str:
    return hashlib.sha256(f"{kind}|{department or ''}|{content}".encode()).hexdigest()


# --------------------------------------------------------------------------- values


def parse_amount(text: str | None) -> Decimal | None:
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text).replace(",", "").replace("元", "").replace("¥", "").strip()
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_DATE8 = re.compile(r"(\d{4})(\d{2})(\d{2})")


def parse_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text).strip()
    m = _DATE_RE.match(s) or _DATE8.fullmatch(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    try:  # Excel serial day number
        n = float(s)
    except ValueError:
        return None
    if 20000 < n < 80000:
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(n))
    return None


def clean_id(values: dict[str, str]) -> tuple[str | None, bool, str | None]:
    """(normalised ID or None, valid, problem text)."""
    raw = values.get("id_number")
    if not raw:
        return None, False, "没有证件号码"
    if values.get("_id_rounded"):
        return None, False, f"证件号码“{raw}”已被Excel转成数字，后几位已丢失"
    number = ids.normalize(raw)
    try:
        info = ids.parse(number)
    except ids.IdNumberError as exc:
        return number[:22] or None, False, str(exc)
    return info.number[:18], True, None


# --------------------------------------------------------------------------- matching


@dataclass
class Match:
    status: str
    household_id: int | None = None
    member_id: int | None = None
    note: str | None = None


@dataclass
class _Person:
    member_id: int
    household_id: int
    name: str
    village: str


@dataclass
class Matcher:
    """Bulk lookups for matching many rows: one query for all ID numbers, one for all names."""

    by_id: dict[str, _Person] = field(default_factory=dict)
    by_name: dict[str, list[_Person]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, id_numbers: set[str], names: set[str]) -> Matcher:
        m = cls()
        base = (
            select(Member.id, Member.household_id, Member.name, Member.id_number, Village.name)
            .join(Household, Household.id == Member.household_id)
            .join(Village, Village.id == Household.village_id)
        )
        id_list = sorted(id_numbers)
        for i in range(0, len(id_list), 900):
            for mid, hid, name, number, village in session.execute(
                base.where(Member.id_number.in_(id_list[i : i + 900]))
            ):
                m.by_id[number[:18]] = _Person(mid, hid, name, village)
        name_list = sorted(names)
        for i in range(0, len(name_list), 900):
            for mid, hid, name, _number, village in session.execute(
                base.where(Member.name.in_(name_list[i : i + 900]))
            ):
                m.by_name.setdefault(name, []).append(_Person(mid, hid, name, village))
        return m

    def match(
        self,
        name: str | None,
        village: str | None,
        id_number: str | None,
        valid: bool,
        id_problem: str | None,
    ) -> Match:
        if valid and id_number:
            p = self.by_id.get(id_number)
            if p is not None:
                if name and _norm_name(name) != _norm_name(p.name):
                    return Match(
                        TO_CONFIRM,
                        p.household_id,
                        p.member_id,
                        f"证件号码属于本乡镇的“{p.name}”（{p.village}），与名单上的姓名“{name}”不一致，请核对",
                    )
                return Match(MATCHED, p.household_id, p.member_id)
            id_problem = f"证件号码{ids.mask(id_number)}不在本乡镇的花名册中"
        if not name:
            return Match(UNMATCHED, note=f"{id_problem}，名单上也没有姓名")
        candidates = self.by_name.get(_norm_name(name), [])
        if village:
            candidates = [p for p in candidates if _same_village(village, p.village)]
        where = f"“{village}”" if village else "本乡镇"
        if len(candidates) == 1:
            p = candidates[0]
            return Match(
                TO_CONFIRM,
                p.household_id,
                p.member_id,
                f"{id_problem}；按姓名和行政村找到{p.village}的“{p.name}”，请确认是否同一人",
            )
        if candidates:
            return Match(
                UNMATCHED, note=f"{id_problem}；{where}有{len(candidates)}个叫“{name}”的人，请指定所属农户"
            )
        return Match(UNMATCHED, note=f"{id_problem}；{where}没有叫“{name}”的人")


def _norm_name(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


_VILLAGE_SUFFIX = re.compile(r"(村民委员会|村委会|社区居委会|社区|居委会|村)$")


def _same_village(written: str, village: str) -> bool:
    a = _VILLAGE_SUFFIX.sub("", _norm_name(written))
    b = _VILLAGE_SUFFIX.sub("", _norm_name(village))
    return bool(a) and (a == b or a.endswith(b) or b.endswith(a))


def user_of(session: Session) -> str:
    return str(session.info.get("user") or "系统")


def household_label(session: Session, household_id: int) -> str:
    h = session.get(Household, household_id)
    if h is None:
        raise ValidationError("household", "所选农户不存在（可能已被删除），请重新选择农户。")
    head = next((m.name for m in h.members if m.relation == "户主"), None) or "（无户主）"
    return f"{h.village.name}户主{head}（户编号{h.code or '无'}）"
