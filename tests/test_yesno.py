from fanpin_desktop.domain import yesno


def test_spellings_clerks_use():
    for text in ("是", "√", "1", "Y", "ｙ", " yes ", "有"):
        assert yesno.parse(text) is True, text
    for text in ("否", "×", "0", "N", "no", "无"):
        assert yesno.parse(text) is False, text


def test_anything_else_is_not_an_answer():
    for text in ("", "  ", "也许", "2", "是否"):
        assert yesno.parse(text) is None, text
