"""Reading cell values into stored values: IDs, dates, yes/no, numbers, enumeration labels.

Every converter takes the raw cell (str, float, int, bool, date, …) and returns the stored value,
``None`` for a blank cell, or a :class:`Bad` with the Chinese reason. Converters are applied a whole
column at a time with a per-column cache, because a 60,000-row roster repeats the same few labels
millions of times.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from itertools import compress, count, repeat
from operator import eq, is_, itemgetter, not_, or_
from typing import Any

from stdnum.cn import ric

from fanpin_desktop.domain import ids, yesno
from fanpin_desktop.domain.enums import Enumerations
from fanpin_desktop.models import Household, Member
from fanpin_desktop.services.importer.fields import BY_KEY, Field


class Bad:
    """A cell that cannot be used; ``message`` is the Chinese reason (without row and column)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Bad({self.message!r})"


# ---------------------------------------------------------------------- text


def cell_text(raw: Any) -> str:
    """A cell as text: integral floats lose their ``.0``, dates become ISO, booleans 是/否."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw.strip()
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e15:
            return str(int(raw))
        return f"{raw:.15G}"  # as Excel shows it: 15 significant digits
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw).strip()


def is_blank(raw: Any) -> bool:
    return raw is None or raw == "" or (isinstance(raw, str) and not raw.strip())


_EXCEL_TEXT = re.compile(r'^=\s*"(.*)"$', re.S)
_SPACES = re.compile(r"\s+")
_NO_SPACE = re.compile(r"\S+").fullmatch
_HAS_SPACE = re.compile(r"\s").search
_CJK_SPACE = re.compile(
    r"(?<=[\u3400-\u9fff\U00020000-\U0003ffff·])\s+(?=[\u3400-\u9fff\U00020000-\U0003ffff·])"
)


def _max_len(f: Field) -> int | None:
    if not f.attr:
        return None
    table = Member.__table__ if f.level == "member" else Household.__table__
    col = table.c.get(f.attr)
    return getattr(col.type, "length", None) if col is not None else None


def make_text(f: Field) -> Callable[[Any], Any]:
    limit = _max_len(f)

    is_name = f.kind == "name"

    def conv(raw: Any) -> Any:
        if (
            raw.__class__ is str
            and raw
            and raw[0] != "="
            and (_NO_SPACE(raw) if is_name else raw.strip() == raw)
        ):
            # the common case: text that needs no cleaning (the same result as below, faster)
            if limit and len(raw) > limit:
                return Bad(f"{f.label}“{raw}”超过{limit}个字")
            return raw
        text = cell_text(raw)
        m = _EXCEL_TEXT.match(text)
        if m:
            text = m.group(1).strip()
        if not text:
            return None
        if is_name and _HAS_SPACE(text):
            text = _CJK_SPACE.sub("", text)
        if limit and len(text) > limit:
            return Bad(f"{f.label}“{text}”超过{limit}个字")
        return text

    return conv


def make_code(f: Field) -> Callable[[Any], Any]:
    """户编号 / 人编号 / phone numbers: digits that must survive as text."""
    limit = _max_len(f)

    def conv(raw: Any) -> Any:
        if raw.__class__ is str and raw.isascii() and raw.isdigit() and (not limit or len(raw) <= limit):
            return raw
        if isinstance(raw, float) and raw >= 1e15:
            return Bad(f"{f.label}“{raw:.15G}”已被Excel转成数字，后几位已丢失；请把该列设为文本后重新导出")
        text = cell_text(raw)
        m = _EXCEL_TEXT.match(text)
        if m:
            text = m.group(1)
        text = unicodedata.normalize("NFKC", text).strip().strip("'")
        if f.kind == "phone":
            text = _SPACES.sub("", text)
        if not text:
            return None
        if ids.looks_rounded_by_excel(text):
            return Bad(f"{f.label}“{text}”已被Excel转成科学计数法，后几位已丢失；请把该列设为文本后重新导出")
        if limit and len(text) > limit:
            return Bad(f"{f.label}“{text}”超过{limit}个字符")
        return text

    return conv


def _joined(raw: Sequence[Any]) -> str | None:
    """All cells of a column chunk as one text, or None if one is not text or is empty."""
    if not raw:
        return None
    try:
        joined = "".join(raw)
    except TypeError:  # a number, a date, None: the cell-by-cell way
        return None
    return None if "" in raw else joined


def bulk_text(f: Field) -> Callable[[Sequence[Any]], list[Any] | None]:
    """A whole column chunk of text that needs no cleaning (the usual export) → the same list,
    checked with a few C-level passes; None if any cell needs the cell-by-cell way."""
    limit = _max_len(f)

    def bulk(raw: Sequence[Any]) -> list[Any] | None:
        joined = _joined(raw)
        if joined is None or "=" in joined or _HAS_SPACE(joined) or (limit and max(map(len, raw)) > limit):
            return None
        return list(raw)

    return bulk


def bulk_code(f: Field) -> Callable[[Sequence[Any]], list[Any] | None]:
    """Like :func:`bulk_text` for columns of digits (户编号, 人编号, phone numbers)."""
    limit = _max_len(f)

    def bulk(raw: Sequence[Any]) -> list[Any] | None:
        joined = _joined(raw)
        if (
            joined is None
            or not (joined.isascii() and joined.isdigit())
            or (limit and max(map(len, raw)) > limit)
        ):
            return None
        return list(raw)

    return bulk


# ---------------------------------------------------------------------- yes / no


def to_bool(raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        if raw == 1:
            return True
        if raw == 0:
            return False
        return Bad(f"“{cell_text(raw)}”不是“是”或“否”")
    text = cell_text(raw)
    if not text.strip():
        return None
    answer = yesno.parse(text)
    if answer is not None:
        return answer
    return Bad(f"“{cell_text(raw)}”不是“是”或“否”（可填 是/否、√/×、1/0、Y/N）")


# ---------------------------------------------------------------------- numbers


def make_int(f: Field) -> Callable[[Any], Any]:
    months = f.key.endswith("_months")
    low, high = (0, 12) if months else (0, 99)

    def conv(raw: Any) -> Any:
        if isinstance(raw, bool):
            return Bad(f"{f.label}应为整数")
        if isinstance(raw, (int, float)):
            value = raw
        else:
            text = unicodedata.normalize("NFKC", cell_text(raw))
            if not text:
                return None
            text = re.sub(r"(个月|月|人|个)$", "", text).strip()
            try:
                value = float(text)
            except ValueError:
                return Bad(f"{f.label}“{cell_text(raw)}”不是数字")
        if value != int(value):
            return Bad(f"{f.label}“{cell_text(raw)}”应为整数")
        value = int(value)
        if not low <= value <= high:
            return Bad(f"{f.label}“{value}”应在{low}到{high}之间")
        return value

    return conv


MONEY_MAX = Decimal("100000000")  # 1 亿元: more is a typing slip, not an income
_CENT = Decimal("0.01")


def make_money(f: Field) -> Callable[[Any], Any]:
    """An amount in 元 (``12,345.6``, ``12345.60元``, a number cell), rounded to the fen; not negative."""

    def conv(raw: Any) -> Any:
        if isinstance(raw, bool):
            return Bad(f"{f.label}应为金额（元）")
        if isinstance(raw, (int, float)):
            if raw != raw or raw in (float("inf"), float("-inf")):
                return Bad(f"{f.label}“{cell_text(raw)}”不是数字")
            value = Decimal(str(raw))
        else:
            text = unicodedata.normalize("NFKC", cell_text(raw))
            if not text:
                return None
            text = text.replace(",", "").replace(" ", "")
            text = re.sub(r"(元|元/人|元/人/年)$", "", text)
            try:
                value = Decimal(text)
            except InvalidOperation:
                return Bad(f"{f.label}“{cell_text(raw)}”不是数字（应填金额，单位：元）")
            if not value.is_finite():
                return Bad(f"{f.label}“{cell_text(raw)}”不是数字（应填金额，单位：元）")
        if value < 0:
            return Bad(f"{f.label}“{cell_text(raw)}”不能为负数")
        if value >= MONEY_MAX:
            return Bad(f"{f.label}“{cell_text(raw)}”过大，请检查是否多输了位数")
        return value.quantize(_CENT)

    return conv


# ---------------------------------------------------------------------- dates

EXCEL_EPOCH = dt.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_DATE_HINT = "可写成 1980-01-01、1980/1/1、19800101、198001、1980.01"


def _ymd(y: int, m: int, d: int, raw: Any) -> Any:
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return Bad(f"日期“{cell_text(raw)}”不存在")
    if value.year < 1890 or value.year > 2100:
        return Bad(f"日期“{cell_text(raw)}”不合理")
    return value


def bulk_dates(raw: Sequence[Any]) -> list[Any] | None:
    """A column chunk of 8-digit dates (19800101, how the national export writes them) converted
    in C; None if any cell is something else, does not exist or is out of range (then the
    cell-by-cell way gives the message)."""
    if not _BASIC_ISO_DATES:
        return None
    joined = _joined(raw)
    if (
        joined is None
        or len(joined) != 8 * len(raw)
        or not (joined.isascii() and joined.isdigit())
        or set(map(len, raw)) != {8}
    ):
        return None
    try:
        out = list(map(dt.date.fromisoformat, raw))
    except ValueError:
        return None
    if out and (min(out).year < 1890 or max(out).year > 2100):
        return None
    return out


_BASIC_ISO_DATES = sys.version_info >= (3, 11)  # date.fromisoformat("19800101")


def to_date(raw: Any) -> Any:
    """YYYYMM, YYYYMMDD, YYYY-MM-DD, YYYY/M/D, YYYY.MM, YYYY年M月D日, Excel serial numbers, date cells."""
    if raw.__class__ is str and len(raw) == 8 and raw.isdigit() and raw.isascii():  # the usual 19800101
        return _ymd(int(raw[:4]), int(raw[4:6]), int(raw[6:]), raw)
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, bool):
        return Bad(f"“{cell_text(raw)}”不是日期")
    if isinstance(raw, (int, float)):
        if raw != int(raw):
            return Bad(f"日期“{cell_text(raw)}”无法识别（{_DATE_HINT}）")
        n = int(raw)
        if 189001 <= n <= 210012:
            return _ymd(n // 100, n % 100, 1, raw)
        if 18900101 <= n <= 21001231:
            return _ymd(n // 10000, n // 100 % 100, n % 100, raw)
        if 1 <= n < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=n)
        return Bad(f"日期“{cell_text(raw)}”无法识别（{_DATE_HINT}）")
    text = unicodedata.normalize("NFKC", cell_text(raw))
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]", text) else text
    if text.isdigit():
        if len(text) == 8:
            return _ymd(int(text[:4]), int(text[4:6]), int(text[6:]), raw)
        if len(text) == 6:
            return _ymd(int(text[:4]), int(text[4:]), 1, raw)
        if len(text) <= 5:
            return EXCEL_EPOCH + dt.timedelta(days=int(text))
    m = _DATE_TEXT.match(text)
    if m:
        return _ymd(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1), raw)
    return Bad(f"日期“{cell_text(raw)}”无法识别（{_DATE_HINT}）")


# ---------------------------------------------------------------------- enumerations

_GRADE = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
_MULTI_SPLIT = re.compile(r"[、,，;；/|\s]+")


def _choices(values: list[str]) -> str:
    shown = "、".join(values[:8])
    return shown + ("等" if len(values) > 8 else "")


def make_enum(f: Field, enums: Enumerations) -> Callable[[Any], Any]:
    assert f.enum
    allowed = enums.values(f.enum)

    def canonical(text: str) -> str | None:
        value = enums.canonical(f.enum, text)  # type: ignore[arg-type]
        if value is None:
            squeezed = _SPACES.sub("", unicodedata.normalize("NFKC", text))
            value = enums.canonical(f.enum, squeezed)
            if value is None and f.key == "disability_grade":
                value = _GRADE.get(squeezed.rstrip("级"))
        return value

    def conv(raw: Any) -> Any:
        text = cell_text(raw)
        if not text:
            return None
        value = canonical(text)
        if value is None:
            if not f.strict:
                return text
            return Bad(f"{f.label}“{text}”不是可选的值（可选：{_choices(allowed)}）")
        return value

    def conv_multi(raw: Any) -> Any:
        text = cell_text(raw)
        if not text:
            return None
        parts = [p for p in _MULTI_SPLIT.split(text) if p]
        found: list[str] = []
        for part in parts:
            value = canonical(part)
            if value is None:
                return Bad(f"{f.label}“{part}”不是可选的值（可选：{_choices(allowed)}）")
            if value not in found:
                found.append(value)
        found.sort(key=allowed.index)
        return "、".join(found)

    return conv_multi if f.kind == "multi" else conv


# ---------------------------------------------------------------------- monitoring cases

#: what a national export writes in 易返贫致贫户(监测对象)类型 for a household that is not monitored
NOT_MONITORED = frozenset({"无", "否", "非监测对象", "不是监测对象", "非监测户", "/", "-", "—", "0", "空"})
_MONITORED_SUFFIX = re.compile(r"[(（]监测对象[)）]$")
NATURAL_DISASTER = "因自然灾害"


def make_category(f: Field, enums: Enumerations) -> Callable[[Any], Any]:
    """易返贫致贫户(监测对象)类型 → a monitoring category, or None for a household not monitored."""
    assert f.enum
    allowed = enums.values(f.enum)

    def conv(raw: Any) -> Any:
        text = cell_text(raw)
        if not text:
            return None
        squeezed = _SPACES.sub("", unicodedata.normalize("NFKC", text))
        if squeezed in NOT_MONITORED:
            return None
        value = (
            enums.canonical(f.enum, text)  # type: ignore[arg-type]
            or enums.canonical(f.enum, squeezed)  # type: ignore[arg-type]
            or enums.canonical(f.enum, _MONITORED_SUFFIX.sub("", squeezed))  # type: ignore[arg-type]
        )
        if value is None:
            return Bad(f"{f.label}“{text}”不是可选的值（可选：{_choices(allowed)}；不是监测对象的户空着）")
        return value

    return conv


_RISK_WITH_SUBTYPE = re.compile(r"^(.+?)[(\[\-—:·/]+(.+?)\)?\]?$")


def make_risk(f: Field, enums: Enumerations) -> Callable[[Any], Any]:
    """A risk cell → (risk type, natural-disaster sub-type or None): 因病, 因自然灾害（洪涝）,
    因自然灾害-洪涝, or a sub-type alone (洪涝 → 因自然灾害, 洪涝)."""
    assert f.enum
    allowed = enums.values(f.enum)

    def conv(raw: Any) -> Any:
        text = cell_text(raw)
        if not text:
            return None
        s = _SPACES.sub("", unicodedata.normalize("NFKC", text))
        value = enums.canonical(f.enum, text) or enums.canonical(f.enum, s)  # type: ignore[arg-type]
        if value is not None:
            return (value, None)
        m = _RISK_WITH_SUBTYPE.match(s)
        if m:
            base = enums.canonical(f.enum, m.group(1)) or (  # type: ignore[arg-type]
                NATURAL_DISASTER if m.group(1) in ("自然灾害", "因灾") else None
            )
            sub = enums.canonical("natural_disaster_subtypes", m.group(2))
            if base == NATURAL_DISASTER and sub is not None:
                return (base, sub)
        sub = enums.canonical("natural_disaster_subtypes", s)
        if sub is not None:
            return (NATURAL_DISASTER, sub)
        if s in ("自然灾害", "因灾"):
            return (NATURAL_DISASTER, None)
        return Bad(f"{f.label}“{text}”不是可选的风险类型（可选：{_choices(allowed)}）")

    return conv


# ---------------------------------------------------------------------- identity numbers

_ID18 = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits: full-width ones go through ids.parse (NFKC)
_birth_cache: dict[str, dt.date | None] = {}


@dataclass(frozen=True, slots=True)
class IdValue:
    number: str  # the 18-digit identity number
    cert: str | None = None  # the whole 20/22-digit disability certificate number, if that was given
    note: str | None = None  # a warning (15-digit number converted)
    birth: dt.date | None = None
    sex: str | None = None


def _birth(text: str, today: dt.date | None = None) -> dt.date | None:
    try:
        return _birth_cache[text]
    except KeyError:
        pass
    try:
        value: dt.date | None = dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if value.year < 1890 or value > (today or dt.date.today()):
            value = None
    except ValueError:
        value = None
    _birth_cache[text] = value
    return value


check_digit = ids.check_digit


def to_id(raw: Any, today: dt.date | None = None) -> Any:
    """An identity number: ``IdValue`` or ``Bad``. Numbers Excel has rounded are refused."""
    if raw.__class__ is str:
        text = raw
        if text.startswith('="') and text.endswith('"'):
            text = text[2:-1]
        if len(text) == 18 and _ID18.fullmatch(text):
            birth = _birth(text[6:14])
            if birth is not None and check_digit(text[:17]) == text[17]:
                return IdValue(text, birth=birth, sex="男" if int(text[16]) % 2 else "女")
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        if raw != int(raw):
            return Bad(f"证件号码“{raw}”不是有效的号码")
        if raw >= 1e15:
            shown = f"{raw:.15G}" if isinstance(raw, float) else str(raw)
            return Bad(
                f"证件号码“{shown}”已被Excel转成数字，后几位已丢失，无法使用；请把该列设为文本后重新导出"
            )
        raw = str(int(raw))
    if is_blank(raw):
        return None
    try:
        info = ids.parse(raw, today)
    except ids.IdNumberError as exc:
        return Bad(str(exc))
    note = f"15位旧证件号码已转换为18位：{info.base_id}" if info.converted_from_15 else None
    return IdValue(
        info.base_id, info.number if info.is_disability_cert else None, note, info.birth_date, info.sex
    )


_SEX_OF_DIGIT = {str(d): "男" if d % 2 else "女" for d in range(10)}


def id_column(
    raw: Sequence[Any],
) -> tuple[list[str | None], list[dt.date | None], list[str | None], list[int]]:
    """A column of identity numbers, the usual case done in bulk.

    Valid 18-character numbers as text give (number, birth, sex); every other cell gives ``None``
    in all three lists and its index in the fourth list, for :func:`to_id` (15-digit numbers,
    certificates, spaces, full-width digits, blanks and errors).
    """
    try:
        same = bool(raw) and set(map(len, raw)) == {18} and _ID18_RUN.fullmatch("".join(raw)) is not None
    except TypeError:  # a number or an empty cell: one by one
        same = False
    if not same:
        return _id_column_one_by_one(raw)
    # every cell is 17 ASCII digits and a digit or X: check digits, birth dates and sexes in C
    ok = list(
        map(eq, map(ric.calc_check_digit, raw), map(itemgetter(17), raw))
    )  # stdnum takes the whole number
    keys = list(map(itemgetter(slice(6, 14)), raw))
    births: list[dt.date | None] = list(map(_birth_cache.get, keys, repeat(_UNSEEN)))
    if _UNSEEN in births:
        today = dt.date.today()
        births = [_birth(k, today) if b is _UNSEEN else b for k, b in zip(keys, births, strict=True)]
    numbers: list[str | None] = list(raw)
    sexes: list[str | None] = list(map(_SEX_OF_DIGIT.__getitem__, map(itemgetter(16), raw)))
    rest = list(compress(count(), map(or_, map(not_, ok), map(is_, births, repeat(None)))))
    for k in rest:
        numbers[k] = births[k] = sexes[k] = None
    return numbers, births, sexes, rest


def _id_column_one_by_one(
    raw: Sequence[Any],
) -> tuple[list[str | None], list[dt.date | None], list[str | None], list[int]]:
    numbers: list[str | None] = []
    births: list[dt.date | None] = []
    sexes: list[str | None] = []
    rest: list[int] = []
    cache = _birth_cache
    sex_of = _SEX_OF_DIGIT
    check = ids.check_digit
    today = dt.date.today()
    for k, text in enumerate(raw):
        if text.__class__ is str and len(text) == 18:
            body = text[:17]
            if body.isdigit() and body.isascii() and check(body) == text[17]:
                key = text[6:14]
                birth = cache[key] if key in cache else _birth(key, today)
                if birth is not None:
                    numbers.append(text)
                    births.append(birth)
                    sexes.append(sex_of[text[16]])
                    continue
        numbers.append(None)
        births.append(None)
        sexes.append(None)
        rest.append(k)
    return numbers, births, sexes, rest


_ID18_RUN = re.compile(r"(?:[0-9]{17}[0-9X])*")  # ASCII digits only: full-width ones go through to_id
_UNSEEN = object()


# ---------------------------------------------------------------------- column conversion


@dataclass
class ColumnConverter:
    """Converts one column's cells, remembering each distinct raw value's result."""

    field: Field
    fn: Callable[[Any], Any]
    bulk: Callable[[Sequence[Any]], list[Any] | None] | None = None  # a whole chunk at once, if it can
    cache: dict[Any, Any] = field(default_factory=dict)
    has_bad: bool = False
    aliases: dict[Any, tuple[str, str]] = field(default_factory=dict)  # raw → (old label, new label)
    alias_counts: Counter = field(default_factory=Counter)

    def convert(self, raw: Sequence[Any]) -> list[Any]:
        """Convert a column: each distinct raw value once, then one C-level lookup per cell."""
        cache = self.cache
        n = len(raw)
        if n > 1 and raw[0] == raw[-1] == raw[n // 2] and raw.count(raw[0]) == n:
            # one value in the whole chunk (a province, a flag nobody has, an empty column)
            first = raw[0]
            if first not in cache:
                self._learn([first])
            return self._counted([cache[first]] * n, raw)
        if self.bulk is not None:  # columns of mostly distinct values (names, 人编号, dates)
            out = self.bulk(raw)
            if out is not None:
                return out
        try:  # usually every value of the chunk has been seen before
            return self._counted(list(map(cache.__getitem__, raw)), raw)
        except KeyError:
            pass
        self._learn(list(set(raw).difference(cache)))
        return self._counted(list(map(cache.__getitem__, raw)), raw)

    def _learn(self, fresh: list[Any]) -> None:
        """Convert values not seen before and remember them (and whether any was bad or an old code)."""
        results = list(map(self.fn, fresh))
        self.cache.update(zip(fresh, results, strict=True))
        if not self.has_bad and Bad in map(type, results):
            self.has_bad = True
        if self.field.kind == "enum":
            for v, r in zip(fresh, results, strict=True):
                if r is not None and r.__class__ is not Bad and r != cell_text(v):
                    self.aliases[v] = (cell_text(v), r)

    def _counted(self, out: list[Any], raw: Sequence[Any]) -> list[Any]:
        if self.aliases:
            present = Counter(raw)
            for v, pair in self.aliases.items():
                if present.get(v):
                    self.alias_counts[pair] += present[v]
        return out


def converter_for(key: str, enums: Enumerations) -> ColumnConverter | None:
    f = BY_KEY[key]
    if f.kind == "id":
        return None  # unique per row: handled without a cache
    bulk = None
    if f.kind in ("text", "name", "place"):
        # place names repeat: the cache keeps one text object per distinct name
        fn, bulk = make_text(f), (bulk_text(f) if f.kind != "place" else None)
    elif f.kind in ("code", "phone"):
        fn, bulk = make_code(f), bulk_code(f)
    elif f.kind == "bool":
        fn = to_bool
    elif f.kind == "int":
        fn = make_int(f)
    elif f.kind == "money":
        fn = make_money(f)
    elif f.kind == "date":
        fn, bulk = to_date, bulk_dates
    elif f.kind in ("enum", "multi"):
        fn = make_enum(f, enums)
    elif f.kind == "category":
        fn = make_category(f, enums)
    elif f.kind == "risk":
        fn = make_risk(f, enums)
    else:  # pragma: no cover - registry and converters are kept in step
        raise ValueError(f.kind)
    return ColumnConverter(f, fn, bulk)
