"""居民身份证号码 and 残疾人证号 rules (DOMAIN.md §3), on top of python-stdnum's GB 11643 code.

Input is normalised first (full-width characters, spaces, lower-case ``x``, Excel's ``="…"``
text formulas); 15-digit numbers are converted to 18 digits; 20/22-digit disability certificate
numbers are an 18-digit ID followed by category/grade digits.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stdnum.cn import ric

_EXCEL_TEXT_FORMULA = re.compile(r'^=\s*"(.*)"$')
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class IdNumberError(ValueError):
    """An identity number that cannot be accepted; ``str(err)`` is a Chinese message for the clerk."""


@dataclass(frozen=True)
class IdInfo:
    number: str  # normalised: 18 characters (or 20/22 for a disability certificate)
    base_id: str  # the 18-digit identity number inside it
    birth_date: dt.date
    sex: str  # 男 / 女
    is_disability_cert: bool
    converted_from_15: bool


def normalize(raw: object) -> str:
    """Clean what a clerk or a spreadsheet gave us; does not validate."""
    if raw is None:
        return ""
    text = str(raw)
    text = unicodedata.normalize("NFKC", text).strip()
    m = _EXCEL_TEXT_FORMULA.match(text)
    if m:
        text = m.group(1)
    text = text.strip().strip("'").replace(" ", "").replace("\u3000", "").replace("-", "")
    return text.upper()


def looks_rounded_by_excel(raw: object) -> bool:
    """True for numbers Excel has already turned into floats (``3.41523198001011E+17``)."""
    if isinstance(raw, float):
        return raw >= 1e14
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    return bool(_SCIENTIFIC.match(text))


def check_digit(body17: str) -> str:
    """GB 11643 check digit for the first 17 digits (python-stdnum wants a placeholder 18th)."""
    return ric.calc_check_digit(body17 + "0")


def convert_15_to_18(number15: str) -> str:
    if len(number15) != 15 or not number15.isdigit():
        raise IdNumberError(f"“{number15}”不是15位旧身份证号码")
    body = number15[:6] + "19" + number15[6:]
    return body + check_digit(body)


def _birth_date(base: str) -> dt.date:
    try:
        return dt.date(int(base[6:10]), int(base[10:12]), int(base[12:14]))
    except ValueError as exc:
        raise IdNumberError(f"身份证号码中的出生日期“{base[6:14]}”不存在") from exc


def parse(raw: object, today: dt.date | None = None) -> IdInfo:
    """Validate and describe an identity number; raises IdNumberError with a Chinese reason."""
    if looks_rounded_by_excel(raw):
        raise IdNumberError(
            f"证件号码“{raw}”已被Excel转成数字，后几位已丢失，无法使用；请把该列设为文本后重新填写"
        )
    number = normalize(raw)
    if not number:
        raise IdNumberError("证件号码为空")
    converted = False
    if len(number) == 15:
        if not number.isdigit():
            raise IdNumberError(f"15位证件号码“{number}”只能包含数字")
        _birth_date(number[:6] + "19" + number[6:12] + "000")
        number = convert_15_to_18(number)
        converted = True
    if len(number) not in (18, 20, 22):
        raise IdNumberError(f"证件号码“{number}”长度为{len(number)}位，应为18位（残疾人证为20或22位）")
    base, extra = number[:18], number[18:]
    if not base[:17].isdigit() or not (base[17].isdigit() or base[17] == "X"):
        raise IdNumberError(f"证件号码“{number}”含有不允许的字符（只能是数字，最后一位可以是X）")
    if extra and not extra.isdigit():
        raise IdNumberError(f"残疾人证号“{number}”第19位以后只能是数字")
    birth = _birth_date(base)
    today = today or dt.date.today()
    if birth > today or birth.year < 1890:
        raise IdNumberError(f"证件号码中的出生日期{birth.isoformat()}不合理")
    expected = check_digit(base[:17])
    if expected != base[17]:
        raise IdNumberError(
            f"证件号码“{number}”校验位错误：号码中至少有一位录入有误，请对照身份证或户口簿逐位核对，不要只改最后一位"
        )  # naming the "right" last digit would invite hiding a typo elsewhere
    sex = "男" if int(base[16]) % 2 else "女"
    return IdInfo(number, base, birth, sex, bool(extra), converted)


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask(number: str | None) -> str:
    """De-identified form for public documents: first 6 and last 4 characters kept."""
    if not number:
        return ""
    n = normalize(number)
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]


_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{5,12})(\d{3}[\dXx])(?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Mask every ID-like run of 15–22 digits in free text (used by the log formatter)."""
    return _ID_IN_TEXT.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


def make_id(region: str, birth: dt.date, sequence: int, female: bool) -> str:
    """Build a valid 18-digit number (used by the demo township and tests)."""
    seq = sequence % 1000
    if (seq % 2 == 1) == female:
        seq = (seq + 1) % 1000
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


#: fields and keys that hold a whole identity number (a disability certificate starts with one)
ID_FIELDS = frozenset({"id_number", "disability_cert_no", "base_id", "head_id"})


def masked_copy(value: Any) -> Any:
    """``value`` (dataclasses, mappings, lists and tuples of them, strings) with every identity
    number masked: fields named in :data:`ID_FIELDS` by :func:`mask`, any other text by
    :func:`redact`. For internal documents printed as copies that leave the office. Parts with
    nothing to mask are returned as they are (not copied)."""
    if isinstance(value, str):
        out = redact(value)
        return value if out == value else out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _masked_field(f.name, old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, Mapping):
        items = {k: _masked_field(k, v) for k, v in value.items()}
        return items if any(items[k] is not value[k] for k in items) else value
    if isinstance(value, (list, tuple)):
        parts = [masked_copy(v) for v in value]
        if all(a is b for a, b in zip(parts, value, strict=True)):
            return value
        if isinstance(value, list):
            return parts
        return type(value)(*parts) if hasattr(value, "_fields") else type(value)(parts)
    return value


def _masked_field(name: object, value: Any) -> Any:
    if name in ID_FIELDS and isinstance(value, str) and value:
        out = mask(value)
        return value if out == value else out
    return masked_copy(value)
