"""JSON text for many rows at once, built column by column (audit entries, comparison texts).

A 60,000-row import writes 60,000 audit entries, each a JSON object of some 35 fields, and a
re-import compares 60,000 members by the JSON array of their values. Encoding row by row would
call the encoder 2 million times; here each column's distinct values are encoded once, columns
with few distinct values (flags, enumerations) that sit next to each other are encoded together
(each distinct combination once), and the rows are joined in C. Dates get their stored text
(ISO) the same way: :func:`iso_dates`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from itertools import repeat
from operator import add
from typing import Any

encode_text = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C implementation, non-ASCII kept

# For the values of one column (never None): a function giving each value's text and a quote put
# around that text ("" when the function quotes itself).
Encoder = Callable[[set[Any]], tuple[Callable[[Any], str], str]]


def rows_as_json(
    columns: list[list[Any]], labels: list[str], encoder: Encoder, opening: str, closing: str
) -> list[str]:
    """Row ``i``: ``opening`` + label₀ + text of columns[0][i] + "," + label₁ + … + ``closing``.

    ``labels`` are ``'"key":'`` for objects or ``""`` for arrays; ``None`` is written ``null``.
    """
    if not columns:
        return []
    n = len(columns[0])
    limit = max(8, n // 16)
    groups: list[list[tuple[list[Any], str, set[Any]]]] = []  # one column, or a run of few-valued ones
    previous_few = False
    for values, label in zip(columns, labels, strict=True):
        distinct = set(values)
        few = len(distinct) <= limit
        if few and previous_few:
            groups[-1].append((values, label, distinct))
        else:
            groups.append([(values, label, distinct)])
        previous_few = few
    parts: list[list[str]] = []
    last = len(groups) - 1
    for g, group in enumerate(groups):
        head = opening if g == 0 else ""
        tail = closing if g == last else ""
        if len(group) == 1:
            values, label, distinct = group[0]
            parts.append(_column_texts(values, distinct, encoder, head + label, tail))
            continue
        tables = [(label, _text_table(distinct, encoder)) for _values, label, distinct in group]
        combos = list(zip(*(values for values, _l, _d in group), strict=True))
        cache = {
            c: head + ",".join([label + table[v] for (label, table), v in zip(tables, c, strict=True)]) + tail
            for c in set(combos)
        }
        parts.append(list(map(cache.__getitem__, combos)))
    return list(map(",".join, zip(*parts, strict=True)))


def _text_table(distinct: set[Any], encoder: Encoder) -> dict[Any, str]:
    fn, quote = encoder(distinct - {None})
    return {v: "null" if v is None else quote + fn(v) + quote for v in distinct}


def _column_texts(
    values: list[Any], distinct: set[Any], encoder: Encoder, prefix: str, suffix: str
) -> list[str]:
    """``prefix`` + text + ``suffix`` for each value; mostly unique columns (ids, names) value by value."""
    if len(distinct) * 2 <= len(values) or None in distinct:
        table = {v: prefix + t + suffix for v, t in _text_table(distinct, encoder).items()}
        return list(map(table.__getitem__, values))
    fn, quote = encoder(distinct)
    texts = map(fn, values)
    prefix += quote
    suffix = quote + suffix
    if prefix:
        texts = map(prefix.__add__, texts)
    if suffix:
        texts = map(add, texts, repeat(suffix))
    return list(texts)


_YEAR_TEXT: dict[int, str] = {}
_MONTH_DAY_TEXT = [f"-{m:02d}-{d:02d}" for m in range(13) for d in range(32)]  # [month * 32 + day]


def iso_dates(values: list[Any], distinct: set[Any] | None = None) -> list[Any]:
    """``[None if v is None else v.isoformat() for v in values]`` (how dates are stored) for a
    column of dates: each distinct date once, from two table lookups (``date.isoformat`` formats
    through CPython's slowest formatting path, some four times the cost). ``distinct`` is
    ``set(values)`` if the caller has it already."""
    text: dict[Any, Any] = {None: None}
    years = _YEAR_TEXT
    month_day = _MONTH_DAY_TEXT
    for v in (set(values) if distinct is None else distinct).difference(text):
        if v.__class__ is dt.date:
            year = years.get(v.year) or years.setdefault(v.year, f"{v.year:04d}")
            text[v] = year + month_day[v.month * 32 + v.day]
        else:  # a datetime or anything else: its own text
            text[v] = v.isoformat()
    return list(map(text.__getitem__, values))
