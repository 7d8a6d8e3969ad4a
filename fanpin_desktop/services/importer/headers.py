"""Finding the header row(s) and matching columns to fields by name.

Layouts are data (``resources/layouts/*.json``): each column has a header, aliases and the field it
fills (``null`` = recognised, not imported). Matching is by normalised name, never by position, so a
reordered or re-worded export still imports; unknown layouts get a mapping from the clerk, which can
be saved (``ImportMapping``) and is picked again when the same headers appear.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.models import ImportMapping
from fanpin_desktop.paths import resource
from fanpin_desktop.services.importer.fields import BY_KEY, FIELDS, IGNORED, REQUIRED

HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class Layout:
    name: str
    title: str
    columns: tuple[tuple[str, str | None, tuple[str, ...]], ...]  # header, field, aliases

    @property
    def headers(self) -> list[str]:
        return [c[0] for c in self.columns]


@lru_cache(maxsize=1)
def layouts() -> dict[str, Layout]:
    """Roster layouts (files in ``resources/layouts`` with ``"kind": "roster"``; the folder also
    holds the screening forms' layouts, which are not rosters)."""
    out: dict[str, Layout] = {}
    for path in sorted(resource("layouts").glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict) or data.get("kind") != "roster":
            continue
        cols = tuple((c["header"], c.get("field"), tuple(c.get("aliases", ()))) for c in data["columns"])
        out[data["name"]] = Layout(data["name"], data.get("title", data["name"]), cols)
    return out


def layout(name: str) -> Layout:
    try:
        return layouts()[name]
    except KeyError:
        raise KeyError(f"没有名为“{name}”的列布局") from None


_DROP = re.compile(r"[\s*＊:：]+")


def norm_label(text: Any) -> str:
    """Header text in a comparable form: NFKC (full-width brackets → ASCII), no spaces or marks."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = unicodedata.normalize("NFKC", str(text))
    return _DROP.sub("", s).strip()


@lru_cache(maxsize=1)
def alias_index() -> dict[str, str]:
    """Normalised header text → field key (or IGNORED), from every layout and the field registry."""
    index: dict[str, str] = {}
    for f in FIELDS:
        for name in (f.label, *f.aliases):
            index.setdefault(norm_label(name), f.key)
    for lay in layouts().values():
        for header, key, aliases in lay.columns:
            for name in (header, *aliases):
                index[norm_label(name)] = key or IGNORED
    return index


def match_label(text: Any) -> str | None:
    return alias_index().get(norm_label(text))


@dataclass
class HeaderInfo:
    """Where the header is and what each column is called (0-based row indexes of the sheet)."""

    header_rows: tuple[int, ...]
    labels: list[str]  # one per column; "" for an unnamed column
    first_data_row: int

    @property
    def signature(self) -> str:
        return header_signature(self.labels)

    def describe(self) -> str:
        rows = "、".join(str(r + 1) for r in self.header_rows)
        return f"表头在第{rows}行"


def header_signature(labels: list[str]) -> str:
    names = [norm_label(x) for x in labels]
    while names and not names[-1]:
        names.pop()
    return hashlib.sha256("\x1f".join(names).encode("utf-8")).hexdigest()


def _cell_text(v: Any) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _score(labels: list[str]) -> int:
    index = alias_index()
    return sum(1 for x in labels if x and norm_label(x) in index)


def _combine(upper: list[str], lower: list[str]) -> list[str]:
    """Labels of a two-row header: the lower cell, or the upper one where the lower is empty.

    A group title over several sub-columns (merged in the upper row) is tried as a prefix too
    (``公益性岗位`` + ``类型`` → ``公益性岗位类型``).
    """
    width = max(len(upper), len(lower))
    upper = upper + [""] * (width - len(upper))
    lower = lower + [""] * (width - len(lower))
    index = alias_index()
    out: list[str] = []
    group = ""
    for up, low in zip(upper, lower, strict=True):
        if up:
            group = up
        if low:
            joined = group + low
            if norm_label(low) not in index and norm_label(joined) in index:
                out.append(joined)
            else:
                out.append(low)
        else:
            out.append(up)
    return out


def detect_header(head: list[list[Any]]) -> HeaderInfo:
    """Find the header in the first rows: the row (or pair of rows) naming the most known columns.

    Title rows above the header ("XX镇家庭成员信息", "导出时间…") score nothing and are skipped.
    Raises ValueError when no row names at least two known columns.
    """
    texts = [[_cell_text(v) for v in row] for row in head[:HEADER_SCAN_ROWS]]
    best: tuple[int, int, tuple[int, ...], list[str]] | None = None  # score, -rows, rows, labels
    for i, row in enumerate(texts):
        single = _score(row)
        if single and (best is None or (single, -1) > best[:2]):
            best = (single, -1, (i,), row)
        if i + 1 < len(texts):
            pair = _combine(row, texts[i + 1])
            score = _score(pair)
            # A pair wins only if it names more columns than either row alone.
            if score > max(single, _score(texts[i + 1])) and (best is None or (score, -2) > best[:2]):
                best = (score, -2, (i, i + 1), pair)
    if best is None or best[0] < 2:
        raise ValueError("前30行中找不到表头（应有“姓名”“证件号码”等列名）")
    rows, labels = best[2], best[3]
    while labels and not labels[-1]:
        labels = labels[:-1]
    return HeaderInfo(rows, list(labels), rows[-1] + 1)


def header_from_row(head: list[list[Any]], row: int, rows: int = 1) -> HeaderInfo:
    """The header the clerk pointed at (1 or 2 rows starting at 0-based ``row``)."""
    texts = [[_cell_text(v) for v in r] for r in head]
    if row >= len(texts):
        raise ValueError("指定的表头行超出了表格范围")
    labels = texts[row] if rows == 1 or row + 1 >= len(texts) else _combine(texts[row], texts[row + 1])
    while labels and not labels[-1]:
        labels = labels[:-1]
    used = (row,) if rows == 1 else (row, row + 1)
    return HeaderInfo(used, list(labels), used[-1] + 1)


@dataclass
class ColumnMapping:
    """Which column fills which field: ``columns[i]`` is a field key, IGNORED or None (unknown)."""

    columns: list[str | None]
    source: str = "按列名识别"  # how the mapping was found, shown to the clerk
    layout_name: str | None = None
    saved_name: str | None = None
    notes: list[str] = field(default_factory=list)

    def field_columns(self) -> dict[str, int]:
        """Field key → column index (the first column wins if two fill the same field)."""
        out: dict[str, int] = {}
        for i, key in enumerate(self.columns):
            if key and key != IGNORED and key not in out:
                out[key] = i
        return out

    def missing_required(self, has_default_village: bool = False) -> list[str]:
        present = self.field_columns()
        need = list(REQUIRED) + ([] if has_default_village else ["village"])
        return [BY_KEY[k].label for k in need if k not in present]

    def to_json(self, labels: list[str]) -> dict[str, Any]:
        return {
            "columns": {
                _unique_labels(labels)[i]: key for i, key in enumerate(self.columns) if key is not None
            }
        }


def _unique_labels(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(labels):
        name = norm_label(raw) or f"#列{i + 1}"
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}#{n}")
    return out


def _best_layout(labels: list[str]) -> tuple[Layout | None, float]:
    present = {norm_label(x) for x in labels if x}
    best: tuple[Layout | None, float] = (None, 0.0)
    for lay in layouts().values():
        names = [{norm_label(h), *map(norm_label, a)} for h, _k, a in lay.columns]
        hit = sum(1 for n in names if n & present) / len(names)
        if hit > best[1] or (
            hit == best[1] and best[0] is not None and len(lay.columns) > len(best[0].columns)
        ):
            best = (lay, hit)
    return best


def auto_mapping(labels: list[str]) -> ColumnMapping:
    """Map columns by name (header or alias of any layout, or a field's label)."""
    index = alias_index()
    columns: list[str | None] = []
    taken: set[str] = set()
    notes = []
    for raw in labels:
        key = index.get(norm_label(raw)) if raw else None
        if key and key != IGNORED and key in taken:
            notes.append(f"列“{raw}”与前面的列对应同一项，未使用")
            key = IGNORED
        if key and key != IGNORED:
            taken.add(key)
        columns.append(key)
    lay, hit = _best_layout(labels)
    if lay is not None and hit >= 0.9:
        return ColumnMapping(columns, f"识别为{lay.title}", lay.name, notes=notes)
    return ColumnMapping(columns, "按列名识别", notes=notes)


def mapping_from_json(labels: list[str], data: dict[str, Any], name: str | None = None) -> ColumnMapping:
    """Apply a saved mapping (header name → field) to a file's columns; unknown names stay None."""
    stored = {norm_label(k): v for k, v in data.get("columns", {}).items()}
    unique = _unique_labels(labels)
    cols: list[str | None] = []
    for key in unique:
        target = stored.get(key)
        cols.append(target if target in BY_KEY or target == IGNORED else None)
    return ColumnMapping(
        cols, f"使用已保存的对应关系“{name}”" if name else "使用已保存的对应关系", saved_name=name
    )


def find_saved_mapping(session: Session, labels: list[str]) -> ColumnMapping | None:
    row = session.scalars(
        select(ImportMapping)
        .where(ImportMapping.header_signature == header_signature(labels))
        .order_by(ImportMapping.id.desc())
    ).first()
    return mapping_from_json(labels, row.mapping, row.name) if row else None


def load_saved_mapping(session: Session, name: str, labels: list[str]) -> ColumnMapping:
    row = session.scalars(select(ImportMapping).where(ImportMapping.name == name)).first()
    if row is None:
        raise LookupError(f"没有名为“{name}”的已保存对应关系")
    return mapping_from_json(labels, row.mapping, row.name)


def saved_mapping_names(session: Session) -> list[str]:
    """The roster mappings (the department warning and county lists keep theirs in the same table,
    marked with a ``kind``; services/received_lists.py lists those)."""
    rows = session.execute(select(ImportMapping.name, ImportMapping.mapping).order_by(ImportMapping.name))
    return [name for name, mapping in rows if not (mapping or {}).get("kind")]


def save_mapping(session: Session, name: str, labels: list[str], mapping: ColumnMapping) -> ImportMapping:
    """Save (or overwrite) a mapping under ``name``; it is chosen again for the same headers."""
    name = name.strip()
    if not name:
        raise ValueError("请填写对应关系的名称")
    row = session.scalars(select(ImportMapping).where(ImportMapping.name == name)).first()
    if row is None:
        row = ImportMapping(name=name, header_signature="", mapping={})
        session.add(row)
    row.header_signature = header_signature(labels)
    row.mapping = mapping.to_json(labels)
    mapping.saved_name = name
    return row


def resolve_mapping(session: Session | None, labels: list[str], name: str | None = None) -> ColumnMapping:
    """The named mapping, else a saved one for these headers, else matching by name."""
    if name:
        if session is None:
            raise LookupError("没有数据库，无法读取已保存的对应关系")
        return load_saved_mapping(session, name, labels)
    if session is not None:
        saved = find_saved_mapping(session, labels)
        if saved is not None:
            return saved
    return auto_mapping(labels)
