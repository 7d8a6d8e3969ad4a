"""Cell conversions: dates, yes/no, identity numbers, pinyin initials, header matching."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fanpin_desktop.domain import ids
from fanpin_desktop.domain.names import initials, initials_many
from fanpin_desktop.services.importer.fields import BY_KEY
from fanpin_desktop.services.importer.headers import auto_mapping, detect_header, header_signature, norm_label
from fanpin_desktop.services.importer.normalise import (
    Bad,
    IdValue,
    make_code,
    make_int,
    to_bool,
    to_date,
    to_id,
)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("202304", dt.date(2023, 4, 1)),
        (202304.0, dt.date(2023, 4, 1)),
        ("19800101", dt.date(1980, 1, 1)),
        (19800101, dt.date(1980, 1, 1)),
        ("1980-01-02", dt.date(1980, 1, 2)),
        ("1980/1/2", dt.date(1980, 1, 2)),
        ("1980.01", dt.date(1980, 1, 1)),
        ("1980.1.2", dt.date(1980, 1, 2)),
        ("1980年1月2日", dt.date(1980, 1, 2)),
        ("１９８０－０１－０２", dt.date(1980, 1, 2)),
        ("2023-04-01 00:00:00", dt.date(2023, 4, 1)),
        (45017.0, dt.date(2023, 4, 1)),  # Excel serial number
        ("45017", dt.date(2023, 4, 1)),
        (dt.datetime(2023, 4, 1, 8, 30), dt.date(2023, 4, 1)),
        (dt.date(2023, 4, 1), dt.date(2023, 4, 1)),
        ("", None),
    ],
)
def test_dates(raw, expected):
    assert to_date(raw) == expected


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("2023-02-30", "日期“2023-02-30”不存在"),
        ("198013", "日期“198013”不存在"),
        ("去年", "日期“去年”无法识别（可写成 1980-01-01、1980/1/1、19800101、198001、1980.01）"),
    ],
)
def test_bad_dates(raw, reason):
    result = to_date(raw)
    assert isinstance(result, Bad) and result.message == reason


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("是", True),
        ("否", False),
        ("√", True),
        ("×", False),
        (1.0, True),
        (0, False),
        ("1", True),
        ("0", False),
        ("Y", True),
        ("n", False),
        ("yes", True),
        ("NO", False),
        (True, True),
        (False, False),
        ("", None),
    ],
)
def test_yes_no(raw, expected):
    assert to_bool(raw) is expected


def test_yes_no_rejects_other_text():
    assert to_bool("可能").message == "“可能”不是“是”或“否”（可填 是/否、√/×、1/0、Y/N）"


def test_months_and_codes():
    months = make_int(BY_KEY["work_months"])
    assert months(12.0) == 12 and months("6个月") == 6 and months("") is None
    assert months(13).message == "务工时间（月）“13”应在0到12之间"
    code = make_code(BY_KEY["hh_code"])
    assert code('="341523001"') == "341523001"
    assert code(341523001.0) == "341523001"
    assert code(3.41523198001011e17).message.startswith("户编号“3.41523198001011E+17”已被Excel转成数字")


def test_fast_id_path_agrees_with_domain_ids():
    rnd = random.Random(5)
    seen_valid = 0
    for _ in range(3000):
        body = (
            "341523"
            + f"{rnd.randint(1930, 2020)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
            + f"{rnd.randint(0, 999):03d}"
        )
        number = body + rnd.choice("0123456789X")
        fast = to_id(number)
        assert (fast.__class__ is IdValue) == ids.is_valid(number), number
        if fast.__class__ is IdValue:
            seen_valid += 1
            info = ids.parse(number)
            assert (fast.number, fast.birth, fast.sex) == (info.base_id, info.birth_date, info.sex)
        else:
            with pytest.raises(ids.IdNumberError) as err:
                ids.parse(number)
            assert fast.message == str(err.value)
    assert seen_valid > 100


def test_disability_certificate_numbers_are_valid():
    base = ids.make_id("341523", dt.date(1970, 3, 4), 15, False)
    value = to_id(base + "42")
    assert value.number == base and value.cert == base + "42"


def test_initials_of_many_names_equal_pypinyin():
    rnd = random.Random(9)
    chars = "王李张刘陈杨黄赵吴周曾单解朴查区仇长重乐行都和朝强红海江银行长春重庆会计阿里巴巴"
    names = ["".join(rnd.choice(chars) for _ in range(rnd.randint(2, 4))) for _ in range(3000)]
    names += ["曾长江", "单于", "银行家", "张·三", "John张"]
    names += ["", "A", "𠮷张", "张 三", "欧阳长江", "司马相如", "李", "长"]
    names += ["王\x00伟"]  # a control character inside a name (cells pasted from other systems)
    assert initials_many(names + [None]) == [initials(n) for n in names] + [""]
    assert initials_many(["曾长江", "王伟"]) == [initials("曾长江"), "ww"]  # known names come from the cache


def test_header_matching():
    assert norm_label("务工时间（月）") == norm_label("务工时间(月)") == "务工时间(月)"
    assert norm_label(" *姓 名 ") == "姓名"
    head = [
        ["XX镇花名册"],
        ["导出时间：2024"],
        ["序号", "姓名", "身份证号", "与户主的关系", "学历", "自定义"],
        ["1", "张三", "x", "户主", "小学", ""],
    ]
    header = detect_header(head)
    assert header.header_rows == (2,) and header.first_data_row == 3
    mapping = auto_mapping(header.labels)
    assert mapping.columns == ["-", "name", "id_number", "relation", "education", None]
    assert mapping.missing_required() == ["行政村"]
    assert header_signature(["姓名", "证件号码", ""]) == header_signature(["姓 名", "证件号码"])
