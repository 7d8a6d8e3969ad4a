"""The four screening appendices' table layouts, read from ``resources/layouts/appendixN_<year>.json``.

A layout is a header tree as on paper: groups with children, leaves bound to a data key. From the
tree this module computes the header grid (which cell spans which rows and columns), so the xlsx
writer, the PDF writer, the importer and the entry form share one description of the table and a
changed official form is a data edit. The file for a year is the newest one not later than that
year, like the enumerations.

Labels may hold placeholders filled per campaign: ``{year}``, ``{income_period}``, ``{threshold}``
(and in titles ``{township}``, ``{village}``, ``{date}``).
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from fanpin_desktop.paths import resource

APPENDICES = (1, 2, 3, 4)
_FILE = re.compile(r"^appendix(\d)_(\d{4})\.json$")


@dataclass(frozen=True)
class Column:
    """One leaf column of a table, in paper order."""

    key: str
    label: str
    kind: str  # seq / text / int / money / bool / choice / pair / date / id
    width: float
    index: int  # 0-based column position
    path: tuple[str, ...] = ()  # labels of the enclosing groups, outermost first
    note: str | None = None  # text of the extra note row under the leaf (appendix 3)
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class HeaderCell:
    """A header cell: 0-based row within the header block and column, with its spans."""

    row: int
    col: int
    rowspan: int
    colspan: int
    text: str
    is_leaf: bool = False
    is_note: bool = False


@dataclass(frozen=True)
class Layout:
    appendix: int
    year: int
    name: str
    sheet: str
    title: str
    attachment_label: str | None
    date_row: str | None
    date_align: str
    footer: str | None
    paper: str
    orientation: str
    freeze_cols: int
    key_column: str | None
    header_rows: int
    header_heights: tuple[float, ...]
    data_height: float | None
    columns: tuple[Column, ...]
    cells: tuple[HeaderCell, ...]
    raw: dict[str, Any] = field(compare=False, repr=False)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]

    @property
    def width(self) -> int:
        return len(self.columns)

    def render(self, **values: Any) -> Layout:
        """The layout with placeholders in labels, notes and header cells filled from ``values``."""
        columns = tuple(
            replace(
                c,
                label=fill(c.label, values),
                note=fill(c.note, values) if c.note else c.note,
                path=tuple(fill(p, values) for p in c.path),
            )
            for c in self.columns
        )
        cells = tuple(replace(h, text=fill(h.text, values)) for h in self.cells)
        return replace(self, columns=columns, cells=cells)

    def title_text(self, **values: Any) -> str:
        return fill(self.title, values)

    def date_text(self, **values: Any) -> str | None:
        return fill(self.date_row, values) if self.date_row else None


class _Keep(dict):  # type: ignore[type-arg]
    """format_map helper: unknown placeholders stay as they are."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, values: dict[str, Any]) -> str:
    return string.Formatter().vformat(
        template, (), _Keep({k: "" if v is None else v for k, v in values.items()})
    )


def normalize_label(text: Any) -> str:
    """Header text compared loosely: full-width forms folded, whitespace and quotes dropped."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    s = re.sub(r"\s+", "", s)
    return s.translate(str.maketrans("", "", "\"'“”‘’「」"))


def label_pattern(template: str) -> re.Pattern[str]:
    """A regex matching a (normalised) rendered label whatever its placeholders were filled with."""
    parts = re.split(r"\{[a-z_]+\}", template)
    return re.compile("^" + ".*?".join(re.escape(normalize_label(p)) for p in parts) + "$")


# --------------------------------------------------------------------------- building the grid


def _depth(node: dict[str, Any]) -> int:
    children = node.get("children")
    if not children:
        return 1
    return int(node.get("rows", 1)) + max(_depth(c) for c in children)


def _has_notes(nodes: list[dict[str, Any]]) -> bool:
    return any(n.get("note") or _has_notes(n.get("children", [])) for n in nodes)


def _leaf_count(node: dict[str, Any]) -> int:
    children = node.get("children")
    return sum(_leaf_count(c) for c in children) if children else 1


def _place(
    nodes: list[dict[str, Any]],
    top: int,
    col: int,
    total: int,
    notes: bool,
    path: tuple[str, ...],
    columns: list[Column],
    cells: list[HeaderCell],
) -> int:
    for node in nodes:
        label = node["label"]
        children = node.get("children")
        if children:
            rows = int(node.get("rows", 1))
            span = _leaf_count(node)
            cells.append(HeaderCell(top, col, rows, span, label))
            _place(children, top + rows, col, total, notes, path + (label,), columns, cells)
            col += span
            continue
        note = node.get("note")
        bottom = total - 1 if notes and note else total
        cells.append(HeaderCell(top, col, bottom - top, 1, label, is_leaf=True))
        if notes and note:
            cells.append(HeaderCell(total - 1, col, 1, 1, note, is_note=True))
        extra = {k: v for k, v in node.items() if k not in {"key", "label", "kind", "width", "note"}}
        columns.append(
            Column(
                node["key"],
                label,
                node.get("kind", "text"),
                float(node.get("width", 8)),
                len(columns),
                path,
                note,
                extra,
            )
        )
        col += 1
    return col


def build(raw: dict[str, Any]) -> Layout:
    nodes = raw["columns"]
    notes = _has_notes(nodes)
    total = max(_depth(n) for n in nodes) + (1 if notes else 0)
    columns: list[Column] = []
    cells: list[HeaderCell] = []
    _place(nodes, 0, 0, total, notes, (), columns, cells)
    keys = [c.key for c in columns]
    if len(set(keys)) != len(keys):
        raise ValueError(f"duplicate column keys in appendix {raw.get('appendix')} layout")
    heights = tuple(float(h) for h in raw.get("header_heights", []))
    return Layout(
        appendix=int(raw["appendix"]),
        year=int(raw["year"]),
        name=raw["name"],
        sheet=raw.get("sheet", raw["name"]),
        title=raw["title"],
        attachment_label=raw.get("attachment_label"),
        date_row=raw.get("date_row"),
        date_align=raw.get("date_align", "left"),
        footer=raw.get("footer"),
        paper=raw.get("paper", "A4"),
        orientation=raw.get("orientation", "landscape"),
        freeze_cols=int(raw.get("freeze_cols", 0)),
        key_column=raw.get("key_column"),
        header_rows=total,
        header_heights=heights,
        data_height=raw.get("data_height"),
        columns=tuple(columns),
        cells=tuple(cells),
        raw=raw,
    )


def _files(folder: Path) -> dict[tuple[int, int], Path]:
    out: dict[tuple[int, int], Path] = {}
    for p in folder.glob("appendix*_*.json"):
        m = _FILE.match(p.name)
        if m:
            out[(int(m.group(1)), int(m.group(2)))] = p
    return out


@lru_cache(maxsize=32)
def load(appendix: int, year: int | None = None) -> Layout:
    """The layout of appendix ``appendix`` (1–4) in force in ``year`` (newest file if None)."""
    if appendix not in APPENDICES:
        raise ValueError(f"appendix must be one of {APPENDICES}, not {appendix!r}")
    files = {y: p for (a, y), p in _files(resource("layouts")).items() if a == appendix}
    if not files:
        raise FileNotFoundError(f"resources/layouts 中没有附件{appendix}的表样文件")
    eligible = [y for y in files if year is None or y <= year]
    chosen = max(eligible) if eligible else min(files)
    with files[chosen].open(encoding="utf-8") as fh:
        return build(json.load(fh))
