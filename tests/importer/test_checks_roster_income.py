"""The roster's 人均纯收入: a negative amount is refused, one that looks typed in 分 a warning."""

from __future__ import annotations

import pytest

from fanpin_desktop.services.importer import import_file
from tests.importer.helpers import HEADER, add_villages, family, write_xlsx


@pytest.fixture
def villages(db):
    add_villages(db)
    return db


def test_roster_per_capita_income_checks(villages, tmp_path):
    rows = [[*r, "8200"] for r in family()]
    rows[0][-1] = "-8200"  # 张大山's household
    rows[3][-1] = "1640000"  # 王建国's: 16400 元 typed in 分
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows, header=[*HEADER, "人均纯收入"]))
    texts = [str(i) for i in result.plan.issues]
    assert any(t.startswith("错误：第2行") and "人均纯收入“-8200”不能为负数" in t for t in texts), texts
    [warned] = [t for t in texts if "明显偏高" in t]
    assert warned.startswith("警告：第5行") and "1640000元" in warned and "分" in warned
