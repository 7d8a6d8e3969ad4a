"""Negative incomes are refused and implausible ones (typed in 分, an extra 0) warned about: the
rule in domain/income.py, used by the household validation and the screening answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from db_templates import build_template, open_copy
from test_households_service import TODAY, build_town

from fanpin_desktop.domain import appendix1
from fanpin_desktop.domain import income as rules
from fanpin_desktop.services import households as svc
from fanpin_desktop.services import screening


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("checks_income"), build_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


def test_domain_rules():
    assert rules.negative_amount("工资性收入", Decimal("0")) is None
    refused = rules.negative_amount("工资性收入", Decimal("-300"))
    assert refused.startswith("工资性收入：不能为负数（填的是-300元）")
    assert rules.implausible_per_capita("人均纯收入", Decimal("200000")) is None
    warned = rules.implausible_per_capita("人均纯收入", Decimal("1262000"))
    assert warned.startswith("人均纯收入：1262000元，年人均超过200000元，明显偏高") and "分" in warned
    assert rules.implausible_amount("工资性收入", Decimal("999999.99")) is None
    assert "超过1000000元" in rules.implausible_amount("工资性收入", Decimal("2524000"))
    assert rules.negative_net("收支情况", Decimal("-1")) is not None
    assert rules.negative_net("收支情况", Decimal("0")) is None


def _with_income(db, town, **amounts):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])  # three members
        record = svc.new_income_draft(dt.date(2024, 5, 20))
        for name, value in amounts.items():
            setattr(record, name, Decimal(value))
        draft.incomes = [record]
        return svc.validate_draft(s, draft, TODAY)


def test_negative_income_item_is_an_error_naming_record_and_field(db, town):
    issues = _with_income(db, town, wage="-500")
    errors = [i for i in issues if i.is_error]
    assert [i.field for i in errors] == ["wage"]
    assert errors[0].message.startswith("收支情况（2024年）的工资性收入：不能为负数（填的是-500元）")


def test_income_typed_in_fen_is_a_warning(db, town):
    issues = _with_income(db, town, wage="3600000")  # 36000 元 typed in 分
    assert not any(i.is_error for i in issues)
    warned = [i.message for i in issues if i.code == "I_IMPLAUSIBLE"]
    assert any(m.startswith("收支情况（2024年）的工资性收入：3600000元") for m in warned)
    assert any(m.startswith("收支情况（2024年）的人均纯收入：1200000元") for m in warned)
    assert not any("四项收入合计" in m for m in warned), "one item already said it"


def test_total_and_negative_net_warn(db, town):
    warned = [
        i.message
        for i in _with_income(db, town, wage="600000", business="600000", business_cost="0")
        if i.code == "I_IMPLAUSIBLE"
    ]
    assert any("四项收入合计：1200000元" in m for m in warned)
    warned = [i.message for i in _with_income(db, town, wage="1000", business_cost="5000") if not i.is_error]
    assert any("家庭纯收入为负数（-4000元" in m for m in warned)
    assert [i for i in _with_income(db, town, wage="36000") if i.code == "I_IMPLAUSIBLE"] == []


def test_screening_answer_negative_refused_and_implausible_warned():
    q = appendix1.BY_KEY["per_capita_income"]
    with pytest.raises(screening.AnswerError) as err:
        screening.clean_answer(q, "-120", "人均纯收入", 2026)
    assert err.value.field == "per_capita_income"
    assert str(err.value) == "人均纯收入：“-120”不能为负数，请核对（没有收入请填0）"
    ok = screening.clean_answer(q, "912000", "人均纯收入", 2026)
    [(key, message)] = screening.answer_warnings(
        {"per_capita_income": ok}, {"per_capita_income": "人均纯收入"}
    )
    assert key == "per_capita_income" and message.startswith("人均纯收入：912000元")
    assert screening.answer_warnings({"per_capita_income": Decimal("9120")}, {}) == []


def test_household_editor_asks_before_saving_an_income_typed_in_fen(qtbot, db, ops, town, monkeypatch):
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QMessageBox

    from fanpin_desktop.ui.dialogs.household_editor import TAB_INCOME, HouseholdEditor

    asked: list[str] = []

    def question(_parent, _title, text, *args, **kwargs):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    editor = HouseholdEditor(ops, town["zhang"], today=TODAY)
    qtbot.addWidget(editor)
    editor.tabs.setCurrentIndex(TAB_INCOME)
    editor.add_income()
    editor.money["wage"].setValue(3_600_000)  # 36000 元 typed in 分
    assert editor.save() is False, "the clerk said no: not saved"
    assert len(asked) == 1 and "工资性收入：3600000元" in asked[0] and "分" in asked[0]
    with db.reading() as s:
        assert svc.load_household(s, town["zhang"]).incomes == []
