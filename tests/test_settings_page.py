"""系统设置 page: township data, villages/groups/natural villages, thresholds (and their service)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog

from fanpin_desktop.errors import ValidationError
from fanpin_desktop.services import regions, thresholds
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.ui import errors as ui_errors
from fanpin_desktop.ui.operations import SETTINGS
from fanpin_desktop.ui.pages import settings as settings_module
from fanpin_desktop.ui.pages.settings import (
    KIND_GROUP,
    KIND_NATURAL,
    KIND_VILLAGE,
    SettingsPage,
    ThresholdDialog,
)


@pytest.fixture
def page(qtbot, ops):
    p = SettingsPage(ops)
    qtbot.addWidget(p)
    ops.changed.connect(p.on_changes)  # what the main window does for every page
    return p


@pytest.fixture
def shown_errors(monkeypatch):
    shown = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda message, parent=None, title="": shown.append(message)
    )
    return shown


def stored(db) -> settings_service.TownshipSettings:
    with db.reading() as s:
        return settings_service.load(s)


# --------------------------------------------------------------------------- township form


def test_save_township_data(qtbot, page, db, ops):
    form = page.form
    form.province.setText("安徽省")
    form.city.setText("六安市")
    form.county.setText("霍邱县")
    form.township.setText(" 马店镇 ")
    form.township_phone.setText("0564-6012317")
    form.publicity_days.setValue(7)
    form.publicity_kind.setCurrentText("自然日")
    form.backup_keep.setValue(4)
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append((changes, origin)))
    page.save_button.click()
    assert announced == [(SETTINGS, page)]
    s = stored(db)
    assert (s.province, s.city, s.county, s.township) == ("安徽省", "六安市", "霍邱县", "马店镇")
    assert s.township_phone == "0564-6012317"
    assert s.publicity_days == 7 and s.publicity_working_days is False
    assert s.backup_keep == 4
    assert "已保存" in page.message.text()


def test_form_shows_what_is_stored(qtbot, db, ops):
    with db.unit() as s:
        settings_service.update(s, township="梅山镇", publicity_working_days=False, supervision_phone="12317")
    p = SettingsPage(ops)
    qtbot.addWidget(p)
    assert p.form.township.text() == "梅山镇"
    assert p.form.publicity_kind.currentText() == "自然日"


def test_empty_township_is_refused_with_a_message(page, db):
    page.form.township.setText("")
    assert page.save() is False
    assert "乡镇名称不能为空" in page.message.text()
    assert stored(db).township == ""


def test_bad_phone_is_refused_naming_the_field(page, db):
    page.form.township.setText("马店镇")
    page.form.county_phone.setText("abc")
    assert page.save() is False
    assert "县级电话" in page.message.text()
    assert stored(db).township == ""


def test_revert_discards_edits(page, db):
    page.form.township.setText("马店镇")
    page.save()
    page.form.township.setText("改了没保存")
    page.revert_button.click()
    assert page.form.township.text() == "马店镇"


# --------------------------------------------------------------------------- villages


def select(panel, kind, name):
    stack = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    while stack:
        it = stack.pop()
        if it.data(0, settings_module.ROLE_KIND) == kind and it.text(0) == name:
            panel.tree.setCurrentItem(it)
            return it
        stack.extend(it.child(i) for i in range(it.childCount()))
    raise AssertionError(f"{name} not in tree")


def test_villages_groups_and_natural_villages(page, db, shown_errors):
    panel = page.villages
    answers = iter(["桃园村", "", "王家湾", "桃源村"])
    panel.ask_text = lambda title, label, text="": next(answers)
    panel.confirm = lambda title, text: True

    panel.add_village_button.click()
    select(panel, KIND_VILLAGE, "桃园村")
    panel.add_group_button.click()  # empty name: 一组
    select(panel, KIND_VILLAGE, "桃园村")
    panel.add_natural_button.click()
    select(panel, KIND_VILLAGE, "桃园村")
    panel.rename_button.click()
    with db.reading() as s:
        [v] = regions.list_villages(s)
    assert v.name == "桃源村"
    assert [g.name for g in v.groups] == ["一组"]
    assert [n.name for n in v.natural_villages] == ["王家湾"]
    assert shown_errors == []

    select(panel, KIND_GROUP, "一组")
    panel.delete_button.click()
    select(panel, KIND_NATURAL, "王家湾")
    panel.delete_button.click()
    with db.reading() as s:
        [v] = regions.list_villages(s)
    assert v.groups == [] and v.natural_villages == []


def test_duplicate_village_shows_chinese_message(page, db, shown_errors):
    with db.unit() as s:
        regions.create_village(s, "桃园村")
    page.refresh()
    page.villages.ask_text = lambda *a, **k: "桃园村"
    page.villages.add_village()
    assert shown_errors and "已存在" in shown_errors[0]
    with db.reading() as s:
        assert regions.village_names(s) == ["桃园村"]


def test_delete_needs_confirmation(page, db, shown_errors):
    with db.unit() as s:
        regions.create_village(s, "桃园村")
    page.refresh()
    panel = page.villages
    panel.confirm = lambda title, text: False
    select(panel, KIND_VILLAGE, "桃园村")
    panel.delete_button.click()
    with db.reading() as s:
        assert regions.village_names(s) == ["桃园村"]


# --------------------------------------------------------------------------- thresholds


def fill_and_accept(values):
    """Replace ThresholdDialog.exec: fill the fields like a clerk, press 保存."""

    def fake_exec(dialog):
        dialog.year.setValue(values["year"])
        dialog.region.setCurrentText(values["region"])
        dialog.amount.setText(values["amount"])
        dialog.document_no.setText(values.get("document_no", ""))
        dialog.try_accept()
        fake_exec.errors.append(dialog.error.text() if dialog.error.isVisibleTo(dialog) else "")
        return dialog.result()

    fake_exec.errors = []
    return fake_exec


def test_add_threshold_through_the_dialog(page, db, monkeypatch):
    fake = fill_and_accept(
        {"year": 2022, "region": "六安市", "amount": "7000", "document_no": "六乡振〔2022〕15号"}
    )
    monkeypatch.setattr(ThresholdDialog, "exec", fake)
    page.thresholds.add_button.click()
    assert fake.errors == [""]
    with db.reading() as s:
        t = thresholds.threshold_for(s, 2022, "六安市")
        assert t is not None and t.amount == Decimal("7000") and t.document_no == "六乡振〔2022〕15号"
    assert page.thresholds.model.rowCount() == 1
    assert page.thresholds.model.row_data(0).region == "六安市"
    assert page.form.threshold_region.findText("六安市") >= 0, "new region offered in the form"


def test_invalid_threshold_keeps_the_dialog_open(page, db, monkeypatch):
    fake = fill_and_accept({"year": 2022, "region": "全国", "amount": "-5"})
    monkeypatch.setattr(ThresholdDialog, "exec", fake)
    page.thresholds.add()
    assert "大于 0" in fake.errors[0]
    with db.reading() as s:
        assert thresholds.list_thresholds(s) == []


def test_duplicate_threshold_is_refused(page, db, monkeypatch):
    with db.unit() as s:
        thresholds.add(s, 2022, "全国", "6500")
    page.refresh()
    fake = fill_and_accept({"year": 2022, "region": "全国", "amount": "6600"})
    monkeypatch.setattr(ThresholdDialog, "exec", fake)
    page.thresholds.add()
    assert "已经存在" in fake.errors[0]


def test_edit_and_delete_threshold(page, db, monkeypatch):
    with db.unit() as s:
        thresholds.add(s, 2023, "全国", "6500")
    page.refresh()
    panel = page.thresholds
    panel.view.selectRow(0)
    monkeypatch.setattr(
        ThresholdDialog, "exec", fill_and_accept({"year": 2023, "region": "全国", "amount": "6800"})
    )
    panel.edit_button.click()
    with db.reading() as s:
        assert thresholds.threshold_for(s, 2023).amount == Decimal("6800")
    panel.view.selectRow(0)
    panel.confirm = lambda title, text: True
    panel.delete_button.click()
    with db.reading() as s:
        assert thresholds.list_thresholds(s) == []
    assert panel.model.rowCount() == 0


def test_threshold_dialog_effective_date_is_optional(qtbot):
    d = ThresholdDialog(lambda values, success, refused: success(None), ["全国"])
    qtbot.addWidget(d)
    assert d.values()["effective_date"] is None
    d.effective.setDate(QDate(2022, 5, 1))
    assert d.values()["effective_date"] == dt.date(2022, 5, 1)
    d.try_accept()
    assert d.result() == QDialog.DialogCode.Accepted


# --------------------------------------------------------------------------- threshold service


def test_threshold_for_falls_back_to_national(db):
    with db.unit() as s:
        thresholds.add(s, 2022, "全国", "6500", "国乡振发〔2022〕1号")
        thresholds.add(s, 2022, "六安市", "7000", "六乡振〔2022〕15号", effective_date=dt.date(2022, 5, 1))
    with db.reading() as s:
        assert thresholds.threshold_for(s, 2022, "六安市").amount == Decimal("7000")
        assert thresholds.threshold_for(s, 2022, "金寨县").amount == Decimal("6500")
        assert thresholds.threshold_for(s, 2022, "").amount == Decimal("6500")
        assert thresholds.threshold_for(s, 2021, "六安市") is None
        assert thresholds.regions(s) == ["全国", "六安市"]


@pytest.mark.parametrize(
    ("args", "field", "words"),
    [
        ((1999, "全国", "6000"), "year", "年度"),
        ((2022, "", "6000"), "region", "地区"),
        ((2022, "全国", "六千"), "amount", "不是有效的数字"),
        ((2022, "全国", "0"), "amount", "大于 0"),
        ((2022, "全国", "65000000"), "amount", "过大"),
    ],
)
def test_threshold_validation_names_the_field(db, args, field, words):
    with db.unit() as s, pytest.raises(ValidationError) as exc:
        thresholds.add(s, *args)
    assert exc.value.field == field and words in str(exc.value)


def test_threshold_amount_accepts_clerk_formats(db):
    with db.unit() as s:
        t = thresholds.add(s, 2024, "德化县", "19,560元")
    assert t.amount == Decimal("19560.00")
