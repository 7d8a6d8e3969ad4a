"""The household registry service: search, rows, editing use cases and history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from db_templates import build_template, open_copy
from sqlalchemy import func, select

from fanpin_desktop.domain import ids
from fanpin_desktop.models import AuditEntry, Household, Member, MonitoringCase, Village, VillageGroup
from fanpin_desktop.services import households as svc
from fanpin_desktop.services.households import HouseholdQuery

TODAY = dt.date(2024, 6, 1)
REGION = "341523"


def pid(year: int, seq: int, female: bool = False) -> str:
    return ids.make_id(REGION, dt.date(year, 3, 15), seq, female)


def person(name: str, relation: str, number: str, **extra) -> Member:
    values = dict(
        name=name,
        relation=relation,
        id_number=number,
        education="初中",
        health="健康",
        labour_skill="普通劳动力",
        ins_resident_medical=True,
    )
    values.update(extra)
    m = Member(**values)
    info = ids.parse(number)
    m.sex, m.birth_date = info.sex, info.birth_date
    return m


def build_town(db) -> dict[str, int]:
    """Two villages (西河村 before 东山村 by sort_order), four households, three cases."""
    with db.unit() as s:
        east = Village(name="东山村", sort_order=1)
        west = Village(name="西河村", sort_order=0)
        s.add_all([east, west])
        s.flush()
        e1 = VillageGroup(village_id=east.id, name="一组", sort_order=1)
        e2 = VillageGroup(village_id=east.id, name="二组", sort_order=2)
        w1 = VillageGroup(village_id=west.id, name="一组", sort_order=1)
        s.add_all([e1, e2, w1])
        s.flush()
        zhang = Household(
            village_id=east.id,
            group_id=e2.id,
            code="3415230010020001",
            phone="13800001111",
            household_type="脱贫户",
            poverty_exit_year=2016,
            relocated=True,
        )
        zhang.members = [
            person("张三", "户主", pid(1960, 11)),
            person("李梅", "配偶", pid(1962, 12, female=True)),
            person("张小明", "之子", pid(1990, 13), phone="13911112222"),
        ]
        wang = Household(
            village_id=east.id, group_id=e1.id, code="3415230010010001", household_type="一般农户"
        )
        wang.members = [
            person(
                "王五",
                "户主",
                pid(1940, 21),
                labour_skill="丧失劳动力",
                health="残疾",
                disability_category="肢体残疾",
                disability_grade="二级",
                dibao=True,
            ),
            person("赵六", "配偶", pid(1942, 22, female=True), labour_skill="无劳动力"),
        ]
        liu = Household(
            village_id=west.id,
            group_id=w1.id,
            code="3415230020010001",
            household_type="监测户",
            military_family=True,
        )
        liu.members = [
            person("刘备", "户主", pid(1975, 31)),
            person(
                "刘禅", "之子", pid(2008, 32), education=None, schooling="高中一年级", labour_skill="无劳动力"
            ),
        ]
        chen = Household(
            village_id=west.id, group_id=w1.id, code=None, household_type="一般农户", urban_registered=True
        )
        chen.members = [person("陈七", "户主", pid(1950, 41), tekun=True, labour_skill="无劳动力")]
        s.add_all([zhang, wang, liu, chen])
        s.flush()
        s.add(
            MonitoringCase(
                household_id=liu.id,
                source="干部走访",
                status="已纳入",
                clue_date=TODAY,
                category="边缘易致贫户",
            )
        )
        s.add(MonitoringCase(household_id=zhang.id, source="集中排查", status="已消除", clue_date=TODAY))
        s.add(MonitoringCase(household_id=chen.id, source="部门预警", status="线索", clue_date=TODAY))
        ids_ = dict(
            zhang=zhang.id,
            wang=wang.id,
            liu=liu.id,
            chen=chen.id,
            east=east.id,
            west=west.id,
            e1=e1.id,
            e2=e2.id,
            w1=w1.id,
        )
    return ids_


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    """The town built once per module in a migrated database; each test gets a copy of the file."""
    return build_template(tmp_path_factory.mktemp("town"), build_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


def search(db, **kw) -> list[int]:
    with db.reading() as s:
        return svc.search_household_ids(s, HouseholdQuery(**kw))


# --------------------------------------------------------------------------- search


def test_no_filter_lists_all_in_village_group_code_order(db, town):
    # 西河村 (sort 0) first: 刘 (code) then 陈 (no code, last); then 东山村 一组 王, 二组 张.
    assert search(db) == [town["liu"], town["chen"], town["wang"], town["zhang"]]


def test_search_by_name_substring(db, town):
    assert search(db, text="小明") == [town["zhang"]]
    assert search(db, text="刘") == [town["liu"]]
    assert search(db, text="赵六") == [town["wang"]]
    assert search(db, text="不存在的人") == []


def test_search_by_id_fragment_any_part(db, town):
    number = pid(1942, 22, female=True)
    assert search(db, text=number[6:14]) == [town["wang"]]  # birth date part
    assert search(db, text=number[-6:]) == [town["wang"]]  # tail incl. check digit
    # full-width digits typed through an input method still match
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number[-6:])
    assert search(db, text=full_width) == [town["wang"]]


def test_search_by_pinyin_initials_prefix(db, town):
    assert search(db, text="zs") == [town["zhang"]]
    assert search(db, text="ZXM") == [town["zhang"]]
    assert search(db, text="lb") == [town["liu"]]  # 刘备
    # prefix only: "xm" is inside "zxm" but is not a prefix of anyone's initials
    assert search(db, text="xm") == []


def test_search_by_phone_household_and_member(db, town):
    assert search(db, text="00001111") == [town["zhang"]]  # household phone
    assert search(db, text="11112222") == [town["zhang"]]  # member phone


def test_search_by_household_code_and_several_words(db, town):
    assert search(db, text="20010001") == [town["liu"]]
    assert search(db, text="刘 禅") == [town["liu"]]
    assert search(db, text="刘 王") == []
    # LIKE wildcards typed by the clerk are literal characters
    assert search(db, text="%") == []
    assert search(db, text="_") == []


def test_filters_village_group_type(db, town):
    assert search(db, village_id=town["east"]) == [town["wang"], town["zhang"]]
    assert search(db, group_id=town["e2"]) == [town["zhang"]]
    assert search(db, household_type="监测户") == [town["liu"]]
    assert search(db, village_id=town["east"], text="刘") == []


def test_filter_monitoring_status(db, town):
    assert search(db, monitoring_status="监测中") == [town["liu"]]
    assert search(db, monitoring_status="已消除") == [town["zhang"]]
    assert search(db, monitoring_status="识别中") == [town["chen"]]
    assert search(db, monitoring_status="未纳入") == [town["wang"]]


def test_filter_flags(db, town):
    expected = {
        "易地搬迁": ["zhang"],
        "军烈属": ["liu"],
        "农转非": ["chen"],
        "整户无劳动能力": ["chen", "wang"],
        "有残疾人": ["wang"],
        "低保": ["wang"],
        "特困": ["chen"],
    }
    assert set(expected) == set(svc.HOUSEHOLD_FLAGS)
    for flag, keys in expected.items():
        assert search(db, flags=frozenset({flag})) == [town[k] for k in keys], flag


def test_flags_combine(db, town):
    assert search(db, flags=frozenset({"整户无劳动能力", "低保"})) == [town["wang"]]


# --------------------------------------------------------------------------- rows


def test_fetch_rows_masks_head_id_and_derives_columns(db, town):
    with db.reading() as s:
        rows = svc.fetch_rows(s, [town["wang"], town["liu"], 999999])
    assert set(rows) == {town["wang"], town["liu"]}
    wang = rows[town["wang"]]
    assert wang.village == "东山村" and wang.group == "一组"
    assert wang.head_name == "王五"
    number = pid(1940, 21)
    assert wang.head_id_masked == number[:6] + "********" + number[-4:]
    assert number not in repr(wang)
    assert wang.size == 2
    assert wang.monitoring_status == "未纳入"
    assert set(wang.flags) == {"整户无劳动能力", "有残疾人", "低保"}
    liu = rows[town["liu"]]
    assert liu.monitoring_status == "监测中"
    assert liu.household_type == "监测户"
    assert liu.flags == ("军烈属",)


# --------------------------------------------------------------------------- editing


def test_load_and_save_roundtrip_changes_phone_with_audit(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
    assert [m.name for m in draft.members] == ["张三", "李梅", "张小明"]
    draft.phone = "13700009999"
    with db.unit() as s:
        assert svc.save_household(s, draft, TODAY) == town["zhang"]
    with db.reading() as s:
        assert s.get(Household, town["zhang"]).phone == "13700009999"
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.household_id == town["zhang"], AuditEntry.field == "phone")
        ).one()
        assert (entry.old_value, entry.new_value, entry.user) == ("13800001111", "13700009999", "测试")


def test_save_with_invalid_id_is_refused_with_exact_message(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
    good = pid(1990, 13)
    wrong_check = "0" if good[-1] != "0" else "1"
    draft.members[2].id_number = good[:17] + wrong_check
    with db.unit() as s, pytest.raises(svc.ValidationFailed) as caught:
        svc.save_household(s, draft, TODAY)
    expected = f"第3名成员“张小明”：证件号码“{good[:17] + wrong_check}”校验位错误：号码中至少有一位录入有误，请对照身份证或户口簿逐位核对，不要只改最后一位"
    assert [i.message for i in caught.value.errors] == [expected]
    assert caught.value.errors[0].field == "id_number"
    assert caught.value.errors[0].member is draft.members[2]
    with db.reading() as s:
        assert s.scalar(select(Member.id_number).where(Member.name == "张小明")) == good


def test_save_normalises_id_and_derives_sex_and_birth(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["chen"])
    number = pid(1985, 45, female=True)
    new = svc.new_member_draft("之女")
    new.name = "陈红"
    new.education = "高中"
    new.ins_resident_medical = True
    new.id_number = (
        " " + number[:17].translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) + number[17].lower()
    )
    new.sex = "男"  # wrong on purpose: the number decides
    draft.members.append(new)
    with db.unit() as s:
        svc.save_household(s, draft, TODAY)
    with db.reading() as s:
        m = s.scalars(select(Member).where(Member.name == "陈红")).one()
        assert m.id_number == number
        assert m.sex == "女"
        assert m.birth_date == dt.date(1985, 3, 15)
        assert m.name_initials == "ch"
        assert m.sort_order == 2


def test_duplicate_id_in_other_household_names_head_and_village(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["chen"])
    dup = svc.new_member_draft("之子")
    dup.name = "陈八"
    dup.education = "小学"
    dup.id_number = pid(1960, 11)  # 张三's number
    draft.members.append(dup)
    with db.unit() as s, pytest.raises(svc.ValidationFailed) as caught:
        svc.save_household(s, draft, TODAY)
    messages = [i.message for i in caught.value.errors]
    assert len(messages) == 1
    assert "第2名成员“陈八”" in messages[0]
    assert "东山村二组 张三户" in messages[0]
    assert "成员“张三”" in messages[0]
    with db.reading() as s:
        assert (
            s.scalar(select(func.count()).select_from(Member).where(Member.household_id == town["chen"])) == 1
        )


def test_validation_reports_household_rules(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
        draft.members[1].relation = "户主"
        draft.code = "3415230010010001"  # 王五's
        draft.phone = "12345"
        issues = svc.validate_draft(s, draft, TODAY)
    errors = [i.message for i in issues if i.is_error]
    assert any("只能有一名" in m and "户主" in m for m in errors)
    assert "户编号：“3415230010010001”已被东山村一组 王五户使用" in errors
    assert any("户联系电话“12345”不是11位手机号码" in m for m in errors)


def test_warnings_do_not_block(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["chen"])
    draft.members[0].ins_resident_medical = False  # neither medical scheme: a warning only
    with db.unit() as s:
        issues = svc.validate_draft(s, draft, TODAY)
        assert issues and not any(i.is_error for i in issues)
        svc.save_household(s, draft, TODAY)


def test_remove_member_is_audited(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
    removed = draft.members.pop(2)
    with db.unit() as s:
        svc.save_household(s, draft, TODAY)
    with db.reading() as s:
        assert s.get(Member, removed.id) is None
        deleted = s.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "members", AuditEntry.action == "delete")
        ).one()
        assert deleted.household_id == town["zhang"] and deleted.summary == "张小明"


def test_move_member_to_other_household(db, town):
    with db.reading() as s:
        son = s.scalars(select(Member).where(Member.name == "张小明")).one()
        son_id = son.id
    with db.unit() as s:
        svc.move_member(s, son_id, town["chen"], "其他")
    with db.reading() as s:
        son = s.get(Member, son_id)
        assert son.household_id == town["chen"] and son.relation == "其他"
        assert [m.name for m in s.get(Household, town["chen"]).members] == ["陈七", "张小明"]
        assert len(s.get(Household, town["zhang"]).members) == 2
        source_history = svc.household_history(s, town["zhang"])
        target_history = svc.household_history(s, town["chen"])
    assert any(e.field == "所属户" and e.old_value == "东山村二组 张三户" for e in source_history)
    assert any(e.field == "与户主关系" and e.new_value == "其他" for e in target_history)


def test_move_member_in_draft_applies_on_save(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
    draft.members[2].move_to_household_id = town["wang"]
    draft.members[2].move_relation = "之孙子"
    with db.unit() as s:
        svc.save_household(s, draft, TODAY)
    with db.reading() as s:
        names = [(m.name, m.relation) for m in s.get(Household, town["wang"]).members]
        assert names == [("王五", "户主"), ("赵六", "配偶"), ("张小明", "之孙子")]
        assert len(s.get(Household, town["zhang"]).members) == 2


def test_move_head_with_others_is_refused(db, town):
    with db.reading() as s:
        head_id = s.scalar(select(Member.id).where(Member.name == "张三"))
    with db.unit() as s, pytest.raises(svc.RegistryError, match="户主"):
        svc.move_member(s, head_id, town["chen"], "之兄弟姐妹")


def test_change_head(db, town):
    with db.reading() as s:
        son_id = s.scalar(select(Member.id).where(Member.name == "张小明"))
    with db.unit() as s:
        svc.change_head(s, town["zhang"], son_id, "之父")
    with db.reading() as s:
        members = s.get(Household, town["zhang"]).members
        assert [(m.name, m.relation) for m in members] == [
            ("张小明", "户主"),
            ("张三", "之父"),
            ("李梅", "配偶"),
        ]
        rows = svc.fetch_rows(s, [town["zhang"]])
        assert rows[town["zhang"]].head_name == "张小明"


def test_set_head_rejects_head_as_old_relation(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["zhang"])
    with pytest.raises(svc.RegistryError):
        svc.set_head(draft, draft.members[2].key, "户主")


def test_new_household_with_income_and_totals(db, town):
    draft = svc.new_household_draft(town["west"], town["w1"])
    draft.household_type = "一般农户"
    head = svc.new_member_draft("户主")
    head.name, head.id_number, head.education, head.ins_resident_medical = "孙九", pid(1980, 51), "初中", True
    head.labour_skill = "普通劳动力"
    wife = svc.new_member_draft("配偶")
    wife.name, wife.id_number, wife.education, wife.ins_resident_medical = (
        "周十",
        pid(1982, 52, True),
        "小学",
        True,
    )
    draft.members = [head, wife]
    income = svc.new_income_draft(dt.date(2022, 5, 20))
    assert (income.period_start, income.period_end) == (dt.date(2021, 5, 1), dt.date(2022, 4, 30))
    income.wage, income.business, income.transfer = Decimal("20000"), Decimal("5000.50"), Decimal("1200")
    income.business_cost = Decimal("2000")
    draft.incomes.append(income)
    t = svc.income_totals(income, len(draft.staying_members))
    assert (t.net, t.per_capita) == (Decimal("24200.50"), Decimal("12100.25"))
    with db.unit() as s:
        new_id = svc.save_household(s, draft, TODAY)
    with db.reading() as s:
        again = svc.load_household(s, new_id)
        assert again.incomes[0].wage == Decimal("20000.00") and again.incomes[0].year == 2022
        assert search(db, text="sj") == [new_id]
        lines = dict(svc.derived_facts(again, TODAY))
        assert lines["家庭人口数"] == "2人"
        assert "人均纯收入12100.25元" in lines["最近收支"]


def test_delete_household_with_audit_and_refusal(db, town):
    with db.unit() as s:
        label = svc.delete_household(s, town["wang"])
    assert label == "东山村一组 王五户"
    with db.reading() as s:
        assert s.get(Household, town["wang"]) is None
        actions = s.execute(
            select(AuditEntry.table_name, AuditEntry.action).where(
                AuditEntry.household_id == town["wang"], AuditEntry.action == "delete"
            )
        ).all()
        assert sorted(actions) == [("households", "delete"), ("members", "delete"), ("members", "delete")]
    with db.unit() as s, pytest.raises(svc.RegistryError, match="1条监测记录"):
        svc.delete_household(s, town["liu"])


def test_history_lists_an_edit_with_chinese_labels(db, town):
    with db.reading() as s:
        draft = svc.load_household(s, town["liu"])
    draft.members[1].schooling = "高中二年级"
    draft.village_id, draft.group_id = town["east"], town["e1"]
    with db.unit() as s:
        svc.save_household(s, draft, TODAY)
    with db.reading() as s:
        history = svc.household_history(s, town["liu"])
    texts = [e.text for e in history]
    assert "家庭成员“刘禅”的在校生状况：高中一年级 → 高中二年级" in texts
    assert "户信息的行政村：西河村 → 东山村" in texts
    assert "户信息的村民小组：一组 → 一组" in texts
    assert history[0].user == "测试"
    assert any(e.action == "新增" and e.subject == "家庭成员“刘备”" for e in history)


def test_region_options(db, town):
    with db.reading() as s:
        options = svc.region_options(s)
    assert [v.name for v in options] == ["西河村", "东山村"]
    assert [g.name for g in options[1].groups] == ["一组", "二组"]


# --------------------------------------------------------------------------- in-memory index

QUERIES = [
    {},
    {"text": "张"},
    {"text": "zs"},
    {"text": "ZXM"},
    {"text": "xm"},
    {"text": "00001111"},
    {"text": "刘 禅"},
    {"text": "1111"},
    {"text": "x"},
    {"text": "%"},
    {"text": "3415"},
    {"village_id": "east"},
    {"group_id": "w1"},
    {"household_type": "监测户"},
    {"monitoring_status": "监测中"},
    {"monitoring_status": "未纳入"},
    {"monitoring_status": "识别中"},
    {"monitoring_status": "已消除"},
    {"flags": frozenset({"整户无劳动能力"})},
    {"flags": frozenset({"低保", "有残疾人"})},
    {"text": "刘", "village_id": "west"},
]


def _resolve(town, kw):
    return {k: (town[v] if k in ("village_id", "group_id") else v) for k, v in kw.items()}


def test_index_agrees_with_sql_for_every_query_and_sort(db, town):
    with db.reading() as s:
        index = svc.RegistryIndex.build(s)
        for kw in QUERIES:
            q = HouseholdQuery(**_resolve(town, kw))
            assert index.search(q) == svc.search_household_ids(s, q), q
        for sort in (None, *svc.SORT_KEYS):
            for descending in (False, True):
                for kw in ({}, {"text": "1"}):
                    q = HouseholdQuery(**kw, sort=sort, descending=descending)
                    assert index.search(q) == svc.search_household_ids(s, q), q
        by_size = index.search(HouseholdQuery(sort=svc.SORT_SIZE, descending=True))
    assert by_size == [town["zhang"], town["liu"], town["wang"], town["chen"]]


def test_index_sync_follows_audited_changes(db, town):
    with db.reading() as s:
        index = svc.RegistryIndex.build(s)
        assert index.sync(s) == set()
    # edit a phone, move a member, add a case: each shows up after sync
    with db.reading() as s:
        draft = svc.load_household(s, town["wang"])
    draft.phone = "13655556666"
    with db.unit() as s:
        svc.save_household(s, draft, TODAY)
        son = s.scalar(select(Member.id).where(Member.name == "张小明"))
        svc.move_member(s, son, town["chen"], "其他")
        s.add(MonitoringCase(household_id=town["wang"], source="干部走访", status="已纳入", clue_date=TODAY))
    with db.reading() as s:
        changed = index.sync(s)
        assert changed == {town["wang"], town["zhang"], town["chen"]}
        assert index.search(HouseholdQuery(text="55556666")) == [town["wang"]]
        assert index.search(HouseholdQuery(text="张小明")) == [town["chen"]]
        assert index.search(HouseholdQuery(monitoring_status="监测中")) == [town["liu"], town["wang"]]
    with db.unit() as s:
        s.delete(s.scalars(select(MonitoringCase).where(MonitoringCase.household_id == town["zhang"])).one())
        svc.delete_household(s, town["zhang"])
    with db.reading() as s:
        assert index.sync(s) == {town["zhang"]}
        assert town["zhang"] not in index and len(index) == 3
    # renaming a village or reordering rebuilds everything
    with db.unit() as s:
        s.get(Village, town["east"]).sort_order = -1
    with db.reading() as s:
        assert index.sync(s) is None
        assert index.search(HouseholdQuery()) == svc.search_household_ids(s, HouseholdQuery())
        assert index.search(HouseholdQuery())[0] == town["wang"]


def test_member_use_cases_add_update_remove(db, town):
    new = svc.new_member_draft("之女")
    new.name, new.id_number, new.schooling, new.ins_resident_medical = (
        "陈小",
        pid(2012, 61, True),
        "七年级",
        True,
    )
    with db.unit() as s:
        mid = svc.add_member(s, town["chen"], new, TODAY)
    with db.reading() as s:
        assert s.get(Member, mid).name == "陈小"
        draft = svc.load_household(s, town["chen"])
    child = next(m for m in draft.members if m.id == mid)
    child.schooling = "八年级"
    with db.unit() as s:
        svc.update_member(s, child, TODAY)
    with db.reading() as s:
        assert s.get(Member, mid).schooling == "八年级"
        head = s.scalar(select(Member.id).where(Member.name == "陈七"))
    with db.unit() as s, pytest.raises(svc.RegistryError, match="户主"):
        svc.remove_member(s, head, TODAY)
    with db.unit() as s:
        svc.remove_member(s, mid, TODAY)
        income = svc.new_income_draft(TODAY)
        income.transfer = Decimal("3600")
        svc.save_income(s, town["chen"], income, TODAY)
    with db.reading() as s:
        assert s.get(Member, mid) is None
        assert svc.load_household(s, town["chen"]).incomes[0].transfer == Decimal("3600.00")
