"""The 监测对象 list (case_ids, fetch_case_rows, contact_names) and one case (load_case) on the
crafted town of tests/test_case_todo.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from test_case_todo import TODAY, build_town

from fanpin_desktop.errors import UserError
from fanpin_desktop.models import Member
from fanpin_desktop.services.cases import detail, listing
from fanpin_desktop.services.cases.types import CaseQuery

D = dt.date
# registry order: 西河村 一组 (A, B, G by 户编号), 西河村 二组 (C, H, K, L), 东山村 一组 (D, E, F, I, I2, J)
ORDER = ["A", "B", "G", "C", "H", "K", "L", "D", "E", "F", "I", "I2", "J"]


@pytest.fixture
def town(db):
    return build_town(db)


def ids_of(db, town, **filters) -> list[str]:
    by_id = {v: k for k, v in town.items() if not k.startswith("hh:")}
    with db.reading() as s:
        return [by_id[i] for i in listing.case_ids(s, CaseQuery(today=TODAY, **filters))]


def test_every_case_in_registry_order(db, town):
    assert ids_of(db, town) == ORDER


def test_status_filter(db, town):
    assert ids_of(db, town, status="已纳入") == ["G", "L", "D", "E", "F"]
    assert ids_of(db, town, status="线索") == ["A", "I2"]
    assert ids_of(db, town, status="已回退") == ["K"]
    assert ids_of(db, town, status="不纳入") == ["J"]


def test_village_and_group_filters(db, town):
    with db.reading() as s:
        from fanpin_desktop.models import Household

        west = s.get(Household, town["hh:A"]).village_id
        w2 = s.get(Household, town["hh:C"]).group_id
    assert ids_of(db, town, village_id=west) == ["A", "B", "G", "C", "H", "K", "L"]
    assert ids_of(db, town, group_id=w2) == ["C", "H", "K", "L"]
    assert ids_of(db, town, village_id=west, status="已纳入") == ["G", "L"]


def test_category_and_risk_type_filters(db, town):
    assert ids_of(db, town, category="脱贫不稳定户") == ["E"]
    assert ids_of(db, town, category="突发严重困难户") == ["F"]
    assert ids_of(db, town, risk_type="因自然灾害") == ["E"]
    assert ids_of(db, town, risk_type="缺劳动力") == ["F"]
    assert ids_of(db, town, risk_type="因学") == []


def test_contact_filter_takes_current_contacts_only(db, town):
    assert ids_of(db, town, contact="李干部") == ["D", "F"]
    assert ids_of(db, town, contact="王干部") == ["E"]
    assert ids_of(db, town, contact="赵干部") == []  # left on 2026-06-30
    assert ids_of(db, town, contact="旧干部") == []
    with db.reading() as s:
        assert listing.contact_names(s, TODAY) == sorted(["李干部", "王干部"])


def test_search_by_name_initials_code_and_id_number(db, town):
    assert ids_of(db, town, text="张三") == ["A"]
    assert ids_of(db, town, text="zs") == ["A", "H"]  # 张三, 郑十
    assert ids_of(db, town, text="褚小四") == ["L"]  # any member, as in the registry
    assert ids_of(db, town, text="3415230010020003") == ["K"]
    assert ids_of(db, town, text="钱一") == ["I", "I2"]
    with db.reading() as s:
        number = s.query(Member.id_number).filter(Member.name == "周八").scalar()
    assert ids_of(db, town, text=number) == ["F"]
    assert ids_of(db, town, text="不存在的人") == []
    assert ids_of(db, town, text="张三 李四") == []  # every word must match


def test_overdue_only(db, town):
    # A: identification due 2026-11-16; F: review due 2026-11-15. Nobody else is late.
    assert ids_of(db, town, overdue_only=True) == ["A", "F"]
    assert ids_of(db, town, overdue_only=True, village_id=None, status="已纳入") == ["F"]


def test_rows(db, town):
    with db.reading() as s:
        rows = listing.fetch_case_rows(s, [town[k] for k in ORDER] + [999_999], today=TODAY)
    assert set(rows) == {town[k] for k in ORDER}
    e = rows[town["E"]]
    assert (e.head_name, e.village, e.group, e.code) == ("孙七", "东山村", "一组", "3415230020010002")
    assert e.status == "已纳入" and e.category == "脱贫不稳定户"
    assert e.risks == ("因病", "因自然灾害（洪涝）")
    assert e.identified_on == D(2026, 3, 10)
    assert e.contact == "王干部" and e.last_visit_on == D(2026, 11, 5)
    assert (e.next_thing, e.next_due, e.overdue) == ("走访", D(2026, 12, 5), False)
    a = rows[town["A"]]
    assert (a.next_thing, a.next_due, a.overdue) == ("农户申请", D(2026, 11, 16), True)
    assert a.category == "" and a.risks == () and a.contact == "" and a.last_visit_on is None
    c = rows[town["C"]]
    assert (c.next_thing, c.next_due, c.overdue) == ("乡镇审核", D(2026, 12, 5), False)
    d = rows[town["D"]]
    assert (d.next_thing, d.next_due) == ("落实帮扶措施", D(2026, 12, 5))
    f = rows[town["F"]]
    assert (f.next_thing, f.next_due, f.overdue) == ("季度复核", D(2026, 11, 15), True)
    g = rows[town["G"]]
    assert g.contact == ""  # the only contact left
    for key in ("I", "J"):
        assert (rows[town[key]].next_thing, rows[town[key]].next_due) == ("", None)
    assert rows[town["I2"]].next_thing == "农户申请"


def test_rows_of_nothing(db, town):
    with db.reading() as s:
        assert listing.fetch_case_rows(s, [], today=TODAY) == {}


def test_load_case(db, town):
    with db.reading() as s:
        e = detail.load_case(s, town["E"], today=TODAY)
    assert e.household_id == town["hh:E"]
    assert e.household_label == "东山村一组 3415230020010002 孙七户"
    assert e.household_type == "脱贫户"
    assert [(m.name, m.relation, m.age) for m in e.members] == [("孙七", "户主", 56)]
    assert (e.per_capita_income, e.income_year, e.threshold) == (Decimal("8000.00"), 2026, Decimal("7000.00"))
    assert e.guarantees == ("住房不安全",)
    assert e.has_labour is True
    assert e.risks == (("因病", None), ("因自然灾害", "洪涝"))
    assert [c.name for c in e.contacts] == ["旧干部", "王干部"]
    assert [v.visited_on for v in e.visits] == [D(2026, 11, 5), D(2026, 10, 5)]  # newest first
    assert [m.category for m in e.measures] == ["产业帮扶"]
    assert [s.step for s in e.steps][:3] == ["农户申请", "入户核实", "村级评议"]
    assert e.steps[-1].step == "系统录入"
    assert (e.next_thing, e.next_due, e.overdue) == ("走访", D(2026, 12, 5), False)
    assert e.previous_case_id is None and e.next_case_id is None
    assert e.origin == "本地"


def test_load_case_household_facts_and_links(db, town):
    with db.reading() as s:
        f = detail.load_case(s, town["F"], today=TODAY)
        i = detail.load_case(s, town["I"], today=TODAY)
        i2 = detail.load_case(s, town["I2"], today=TODAY)
        h = detail.load_case(s, town["H"], today=TODAY)
        l_ = detail.load_case(s, town["L"], today=TODAY)
    assert f.has_labour is False and f.guarantees == ()
    assert f.per_capita_income == Decimal("9000.00")
    assert i.next_case_id == town["I2"] and i2.previous_case_id == town["I"]
    assert i.next_thing == "" and i.status == "已消除" and i.eliminated_on == D(2024, 9, 1)
    assert (i2.next_thing, i2.next_due) == ("农户申请", D(2026, 12, 16))
    # both procedures, in date order: identification first, then elimination
    assert [(st.procedure, st.step) for st in h.steps][-4:] == [
        ("消除", "村提名"),
        ("消除", "入户核实"),
        ("消除", "村级评议"),
        ("消除", "公示"),
    ]
    assert h.steps[-1].end_on == D(2026, 12, 9)
    assert h.per_capita_income == Decimal("9000.00") and h.threshold == Decimal("7000.00")
    assert [m.name for m in l_.members] == ["褚四", "褚小四"]
    assert l_.per_capita_income is None and l_.income_year is None and l_.threshold is None


def test_load_case_refuses_a_missing_case(db, town):
    with db.reading() as s, pytest.raises(UserError, match="监测对象记录不存在"):
        detail.load_case(s, 999_999, today=TODAY)


def test_household_open_case(db, town):
    with db.reading() as s:
        assert detail.household_open_case(s, town["hh:I"]) == town["I2"]
        assert detail.household_open_case(s, town["hh:J"]) is None  # 不纳入 only
        assert detail.household_open_case(s, town["hh:K"]) == town["K"]  # 已回退 is open
        assert detail.household_open_case(s, 999_999) is None
