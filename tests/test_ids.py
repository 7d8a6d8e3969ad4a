"""Identity numbers (DOMAIN.md §3): normalisation, checksum, 15→18, disability numbers, Excel damage."""

from __future__ import annotations

import datetime as dt

import pytest

from fanpin_desktop.domain import ids

VALID_X = "34152219800101000X"  # 17th digit 0 is even: female
VALID = "341522198506151238"  # 17th digit 3 is odd: male


def with_check(body17: str) -> str:
    return body17 + ids.check_digit(body17)


def test_valid_18_digit_number():
    info = ids.parse(VALID)
    assert info.number == VALID
    assert info.base_id == VALID
    assert info.birth_date == dt.date(1985, 6, 15)
    assert info.sex == "男"
    assert not info.is_disability_cert and not info.converted_from_15
    assert ids.is_valid(VALID)


def test_check_digit_x_and_sex_from_17th_digit():
    info = ids.parse(VALID_X)
    assert info.number.endswith("X")
    assert info.sex == "女"  # 17th digit 0 is even
    assert info.birth_date == dt.date(1980, 1, 1)


def test_lower_case_x_is_accepted_and_normalised():
    info = ids.parse(VALID_X.lower())
    assert info.number == VALID_X


def test_full_width_digits_and_spaces_are_normalised():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in VALID_X[:-1]) + "ｘ"
    assert ids.normalize(full_width) == VALID_X
    assert ids.parse(f"  {full_width}\u3000").number == VALID_X


def test_excel_text_formula_is_read():
    assert ids.parse(f'="{VALID}"').number == VALID
    assert ids.parse(f'= "{VALID_X.lower()}"').number == VALID_X


def test_invalid_checksum_has_exact_message():
    wrong = VALID[:-1] + "1"
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(wrong)
    assert (
        str(err.value)
        == f"证件号码“{wrong}”校验位错误：号码中至少有一位录入有误，请对照身份证或户口簿逐位核对，不要只改最后一位"
    )
    assert "应为8" not in str(err.value)  # never suggest a last digit
    assert not ids.is_valid(wrong)


def test_fifteen_digit_number_is_converted():
    old = "341522850615123"
    converted = ids.convert_15_to_18(old)
    assert converted == with_check("34152219850615123")
    assert converted == VALID
    info = ids.parse(old)
    assert info.converted_from_15
    assert info.number == VALID
    assert info.birth_date == dt.date(1985, 6, 15)


def test_fifteen_digit_with_letters_is_rejected():
    with pytest.raises(ids.IdNumberError, match="只能包含数字"):
        ids.parse("34152285061512X")


@pytest.mark.parametrize("suffix", ["41", "4102"])
def test_disability_certificate_numbers_are_valid(suffix):
    number = VALID + suffix
    info = ids.parse(number)
    assert info.is_disability_cert
    assert info.base_id == VALID
    assert info.number == number
    assert len(info.number) in (20, 22)


def test_disability_certificate_with_wrong_base_checksum_is_rejected():
    with pytest.raises(ids.IdNumberError, match="校验位错误"):
        ids.parse(VALID[:-1] + "9" + "41")


@pytest.mark.parametrize("raw", [3.41522198506151e17, "3.41522198506151E+17", "3.41522198506151e17"])
def test_numbers_rounded_by_excel_are_rejected(raw):
    assert ids.looks_rounded_by_excel(raw)
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(raw)
    assert "已被Excel转成数字" in str(err.value)
    assert "后几位已丢失" in str(err.value)


def test_impossible_birth_date_is_rejected():
    number = with_check("34152219990230001")  # 30 February
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(number)
    assert str(err.value) == "身份证号码中的出生日期“19990230”不存在"


def test_future_birth_date_is_rejected():
    number = with_check("34152220300101001")
    with pytest.raises(ids.IdNumberError, match="不合理"):
        ids.parse(number, today=dt.date(2026, 1, 1))


@pytest.mark.parametrize(
    "raw, fragment",
    [
        ("", "为空"),
        ("34152219850615", "长度为14位"),
        ("34152219850615123A", "不允许的字符"),
    ],
)
def test_other_malformed_numbers(raw, fragment):
    with pytest.raises(ids.IdNumberError, match=fragment):
        ids.parse(raw)


def test_mask_keeps_first_six_and_last_four():
    assert ids.mask(VALID) == "341522********1238"
    assert ids.mask(VALID_X.lower()) == "341522********000X"
    assert ids.mask(VALID + "41") == "341522**********3841"
    assert ids.mask(None) == ""
    assert ids.mask("12345") == "*****"


def test_redact_masks_every_id_in_free_text():
    text = f"导入第812行：{VALID}与{VALID_X.lower()}重复，残疾人证{VALID}41"
    out = ids.redact(text)
    assert VALID not in out and VALID_X not in out.upper()
    assert "341522********1238" in out
    assert "导入第812行" in out  # short numbers stay
    assert ids.redact("电话13012345678") == "电话13012345678"


def test_age_on_counts_birthdays():
    birth = dt.date(1985, 6, 15)
    assert ids.age_on(birth, dt.date(2025, 6, 14)) == 39
    assert ids.age_on(birth, dt.date(2025, 6, 15)) == 40


def test_make_id_builds_valid_numbers_with_the_right_sex():
    birth = dt.date(2001, 3, 4)
    for seq in range(0, 40):
        for female in (True, False):
            number = ids.make_id("341522", birth, seq, female)
            info = ids.parse(number)
            assert info.birth_date == birth
            assert info.sex == ("女" if female else "男")
            assert number.startswith("341522")


def test_official_gb11643_example_is_valid():
    # The standard's own example number; its check digit is X.
    info = ids.parse("11010519491231002X")
    assert info.sex == "女" and info.birth_date.isoformat() == "1949-12-31"
    assert not ids.is_valid("110105194912310021")
