"""The 防止返贫监测对象信息采集表 layout, read from ``resources/layouts/collection_<year>.json``.

The form has no public official blank; its sections and fields follow the order of a 2023 county
system's tables (DOMAIN.md §7). The layout file lists the sections in order; each section has
label–value ``fields`` (``per_row`` slots a row, a field's ``width`` is how many slots it takes) and
``grids`` (tables whose rows come from a list in the data: the members, the risks). A province's
variant is an edited copy of the file: a field removed, renamed or moved changes every output
(PDF and xlsx) without a code change. The file for a year is the newest one not later than it.

Every ``source`` must be a key the collection service fills (:data:`SOURCES`, :data:`ROW_SOURCES`),
or ``measures.<帮扶措施类别>``; :func:`build` refuses a layout naming anything else, so a typo in
an edited file is reported rather than printed as an empty box.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from fanpin_desktop.paths import resource

_FILE = re.compile(r"^collection_(\d{4})\.json$")
KINDS = ("text", "date", "money", "yesno", "enum", "int", "sign")
MEASURE_PREFIX = "measures."

#: household-level value keys the collection service fills (see services/collection.py)
SOURCES = frozenset(
    {
        # header
        "province",
        "city",
        "county",
        "township",
        "village",
        "group",
        "household_code",
        # 基本信息
        "head_name",
        "household_size",
        "address",
        "phone",
        "relocated",
        "relocation_site",
        "category",
        "is_exited",
        "household_type",
        "no_labour",
        "status",
        "identified_on",
        # 三保障和饮水安全
        "housing_problem",
        "education_problem",
        "water_problem",
        "medical_problem",
        # 收支情况
        "income_period",
        "income_year",
        "wage",
        "wage_work",
        "wage_public_post",
        "wage_other",
        "business",
        "property_income",
        "property_dividend",
        "transfer",
        "transfer_pension",
        "transfer_family_planning",
        "transfer_ecological",
        "transfer_dibao",
        "transfer_tekun",
        "transfer_other",
        "business_cost",
        "net_income",
        "per_capita_income",
        "claims_income",
        "rigid_spending",
        # 帮扶措施
        "development",
        # 风险消除 and signatures
        "elimination_mode",
        "eliminated_on",
        "contact_name",
        "contact_phone",
        "collector",
        "collector_phone",
        "head_signature",
        "filled_on",
    }
)

#: keys of the row lists a grid can show, with the keys of each row
ROW_SOURCES: dict[str, frozenset[str]] = {
    "members": frozenset(
        {
            "seq",
            "name",
            "sex",
            "id_type",
            "id_number",
            "relation",
            "birth_date",
            "ethnicity",
            "political_status",
            "education",
            "schooling",
            "health",
            "disability_category",
            "disability_grade",
            "labour_skill",
            "work_status",
            "work_place",
            "work_months",
            "work_employer",
            "public_post_type",
            "public_post_months",
            "ins_resident_medical",
            "ins_employee_medical",
            "ins_critical_illness",
            "ins_commercial",
            "medical_assistance",
            "pension_resident",
            "pension_employee",
            "dibao",
            "tekun",
            "relocated",
            "phone",
        }
    ),
    "risks": frozenset({"seq", "label", "risk_type", "subtype", "note"}),
}


class LayoutError(ValueError):
    """The layout file is not usable (unknown key or kind, missing label)."""


@dataclass(frozen=True)
class Field:
    label: str
    source: str
    kind: str = "text"
    width: float = 1.0  # slots of a form row; relative width of a grid column


@dataclass(frozen=True)
class Grid:
    rows: str  # a key of ROW_SOURCES
    columns: tuple[Field, ...]
    row_count: int | None = None  # fixed rows (the five risks), numbered, empty ones kept
    blank_rows: int = 6  # rows of the blank form


@dataclass(frozen=True)
class SectionLayout:
    title: str  # "" = no title row (the signature block)
    fields: tuple[Field, ...] = ()
    grids: tuple[Grid, ...] = ()
    per_row: int = 2
    label_width: float | None = None  # share of a slot's width taken by the label (None: default)


@dataclass(frozen=True)
class CollectionLayout:
    name: str
    year: int
    title: str
    warning: str
    paper: str
    orientation: str
    header: tuple[Field, ...]
    sections: tuple[SectionLayout, ...]
    raw: dict[str, Any] = field(compare=False, repr=False, default_factory=dict)

    @property
    def sources(self) -> list[str]:
        """Every household-level source in print order (header, then the sections' fields)."""
        return [f.source for f in self.header] + [f.source for s in self.sections for f in s.fields]

    def labels(self) -> list[str]:
        """Every label in print order: header, section titles, fields and grid column headers."""
        out = [f.label for f in self.header]
        for s in self.sections:
            if s.title:
                out.append(s.title)
            out += [f.label for f in s.fields]
            for g in s.grids:
                out += [c.label for c in g.columns]
        return out


def _field(item: dict[str, Any], where: str, row_keys: frozenset[str] | None = None) -> Field:
    label = str(item.get("label") or "").strip()
    source = str(item.get("source") or item.get("key") or "").strip()
    kind = str(item.get("kind") or "text")
    if not label:
        raise LayoutError(f"{where}：有一项没有标签（label）")
    if kind not in KINDS:
        raise LayoutError(f"{where}“{label}”：类型 {kind!r} 不是 {'/'.join(KINDS)} 之一")
    if row_keys is not None:
        if source not in row_keys:
            raise LayoutError(f"{where}“{label}”：数据键 {source!r} 不存在")
    elif source not in SOURCES and not (
        source.startswith(MEASURE_PREFIX) and len(source) > len(MEASURE_PREFIX)
    ):
        raise LayoutError(f"{where}“{label}”：数据键 {source!r} 不存在")
    try:
        width = float(item.get("width") or 1.0)
    except (TypeError, ValueError):
        raise LayoutError(f"{where}“{label}”：宽度 {item.get('width')!r} 不是数字") from None
    if width <= 0:
        raise LayoutError(f"{where}“{label}”：宽度必须大于0")
    return Field(label, source, kind, width)


def build(raw: dict[str, Any]) -> CollectionLayout:
    """A checked layout from the JSON data of a layout file."""
    sections = []
    for i, s in enumerate(raw.get("sections") or (), start=1):
        title = str(s.get("title") or "")
        where = f"第{i}节{('“' + title + '”') if title else ''}"
        per_row = int(s.get("per_row") or 2)
        if per_row < 1:
            raise LayoutError(f"{where}：每行格数（per_row）至少为1")
        fields = tuple(_field(f, where) for f in s.get("fields") or ())
        grids = []
        for g in s.get("grids") or ():
            rows = str(g.get("rows") or "")
            if rows not in ROW_SOURCES:
                raise LayoutError(f"{where}：表格行数据 {rows!r} 不是 {'、'.join(ROW_SOURCES)} 之一")
            columns = tuple(_field(c, where, ROW_SOURCES[rows]) for c in g.get("columns") or ())
            if not columns:
                raise LayoutError(f"{where}：表格没有列")
            row_count = g.get("row_count")
            grids.append(
                Grid(rows, columns, int(row_count) if row_count else None, int(g.get("blank_rows") or 6))
            )
        if not fields and not grids:
            raise LayoutError(f"{where}：没有字段也没有表格")
        label_width = s.get("label_width")
        sections.append(
            SectionLayout(title, fields, tuple(grids), per_row, float(label_width) if label_width else None)
        )
    if not sections:
        raise LayoutError("采集表表样没有任何分节（sections）")
    return CollectionLayout(
        name=str(raw.get("name") or "collection"),
        year=int(raw.get("year") or 0),
        title=str(raw.get("title") or "防止返贫监测对象信息采集表"),
        warning=str(raw.get("warning") or "内含个人敏感信息，请妥善保管，不得外传"),
        paper=str(raw.get("paper") or "A4"),
        orientation=str(raw.get("orientation") or "portrait"),
        header=tuple(_field(f, "表头") for f in raw.get("header") or ()),
        sections=tuple(sections),
        raw=raw,
    )


def read(path: str | Path) -> CollectionLayout:
    """A layout from a file (a province's edited copy, or the tests' variant)."""
    with Path(path).open(encoding="utf-8") as fh:
        return build(json.load(fh))


def _files(folder: Path) -> dict[int, Path]:
    out: dict[int, Path] = {}
    for p in folder.glob("collection_*.json"):
        m = _FILE.match(p.name)
        if m:
            out[int(m.group(1))] = p
    return out


@lru_cache(maxsize=8)
def load(year: int | None = None) -> CollectionLayout:
    """The layout in force in ``year`` (the newest file when None)."""
    files = _files(resource("layouts"))
    if not files:
        raise FileNotFoundError("resources/layouts 中没有信息采集表的表样文件（collection_<年份>.json）")
    eligible = [y for y in files if year is None or y <= year]
    return read(files[max(eligible) if eligible else min(files)])
