"""系统设置 → 部门预警限额: the 医保 single / yearly self-paid limits of a year, with their 文号."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from fanpin_desktop.context import open_app
from fanpin_desktop.models import DepartmentWarning
from fanpin_desktop.services import warnings as ws
from fanpin_desktop.ui.operations import Operations
from fanpin_desktop.ui.pages.settings import SettingsPage, WarningLimitModel
from fanpin_desktop.ui.tasks import TaskRunner


@pytest.fixture
def demo(tmp_path, qapp):
    ctx = open_app(tmp_path / "data", demo=True, demo_households=300, auto_backup=False)
    operations = Operations(ctx.db, TaskRunner(synchronous=True))
    yield ctx, operations
    operations.runner.shutdown()
    operations.deleteLater()
    ctx.db.dispose()


@pytest.fixture
def page(qtbot, demo):
    _ctx, operations = demo
    p = SettingsPage(operations)
    qtbot.addWidget(p)
    operations.changed.connect(p.on_changes)
    p.tabs.setCurrentWidget(p.warning_limits)
    return p


def _table(panel):
    m = panel.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_saving_a_year_stores_it_and_lists_it(page, demo):
    ctx, operations = demo
    panel = page.warning_limits
    announced = []
    operations.changed.connect(lambda changes, _origin: announced.append(changes))
    with ctx.db.unit() as s:
        w = DepartmentWarning(
            department="医保",
            received_on=dt.date(2026, 11, 5),
            warning_date=dt.date(2026, 10, 20),
            person_name="测试人",
            id_number="341522199001010011",
            reason="住院自付",
            amount=Decimal(9000),
        )
        s.add(w)
        s.flush()
        warning_id = w.id
    panel.year.setValue(2026)
    assert "未设置" in panel.status.text() and "10,000 / 30,000" in panel.status.text()
    assert (panel.single.text(), panel.yearly.text()) == ("10000", "30000")
    panel.single.setText("8000")
    panel.yearly.setText("20,000")
    panel.doc.setText("金医保〔2026〕5号")
    panel.save()
    with ctx.db.reading() as s:
        t = ws.thresholds_for(s, 2026)
        later = ws.thresholds_for(s, 2027)
    assert (t.single, t.yearly, t.doc) == (Decimal(8000), Decimal(20000), "金医保〔2026〕5号")
    assert (later.single, later.yearly) == (Decimal(8000), Decimal(20000))  # a later year falls back
    with ctx.db.reading() as s:
        w = s.get(DepartmentWarning, warning_id)
        assert w.over_threshold  # re-flagged: 9,000 元 is over the new single limit
        assert "超过2026年单次限额8,000元（金医保〔2026〕5号）" in w.threshold_reason
    assert _table(panel) == [["2026", "8,000", "20,000", "金医保〔2026〕5号"]]
    assert "已保存" in panel.message.text()
    assert not panel.error.isVisibleTo(panel)
    assert announced and announced[-1].settings and announced[-1].cases
    panel.year.setValue(2027)
    assert "沿用 2026 年" in panel.status.text()
    assert panel.doc.text() == ""
    panel.year.setValue(2026)  # back: the stored values, the row selected
    assert (panel.single.text(), panel.yearly.text(), panel.doc.text()) == (
        "8000",
        "20000",
        "金医保〔2026〕5号",
    )
    assert panel.view.selectionModel().isRowSelected(0)
    # a fresh page reads what is stored
    again = SettingsPage(operations)
    assert _table(again.warning_limits) == _table(panel)
    again.deleteLater()


def test_yearly_below_single_is_refused_in_place(page, demo):
    ctx, _operations = demo
    panel = page.warning_limits
    panel.year.setValue(2026)
    panel.single.setText("8000")
    panel.yearly.setText("5000")
    panel.save()
    assert panel.error.isVisibleTo(panel)
    assert panel.error.text() == "年度累计自付限额不应小于单次自付限额。"
    assert "已保存" not in panel.message.text()
    with ctx.db.reading() as s:
        t = ws.thresholds_for(s, 2026)
    assert (t.single, t.yearly) == (ws.DEFAULT_SINGLE_LIMIT, ws.DEFAULT_YEARLY_LIMIT)
    assert panel.model.rowCount() == 0


def test_not_a_number_is_refused_before_saving(page, demo):
    ctx, _operations = demo
    panel = page.warning_limits
    panel.single.setText("一万")
    panel.save()
    assert panel.error.isVisibleTo(panel)
    assert "单次自付限额“一万”不是金额" in panel.error.text()
    panel.single.setText("")
    panel.save()
    assert "请填写单次自付限额" in panel.error.text()
    assert panel.model.rowCount() == 0
    headers = [WarningLimitModel.COLUMNS[c].header for c in range(4)]
    assert headers == ["年度", "单次自付限额（元）", "年度累计自付限额（元）", "文号"]
