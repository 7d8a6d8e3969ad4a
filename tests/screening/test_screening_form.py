"""The appendix 1 entry form: suggestions, overrides, applicability, clues, ledger, household order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from screening_town import D
from sqlalchemy import select

from fanpin_desktop.domain import appendix1, facts
from fanpin_desktop.errors import ValidationError
from fanpin_desktop.models import HouseholdScreening, MonitoringCase, Problem
from fanpin_desktop.services import screening


def answers_of(form: screening.HouseholdForm, **changes) -> dict:
    out = form.answers()
    out.update(changes)
    return out


# --------------------------------------------------------------------------- pure rules


def _ctx(htype: str = "一般农户", members=None, **kw) -> appendix1.ScreeningContext:
    members = members or [
        SimpleNamespace(
            name="甲",
            relation="户主",
            birth_date=D(1980, 1, 1),
            labour_skill="普通劳动力",
            health="健康",
            education="初中",
        )
    ]
    return appendix1.ScreeningContext(
        household_type=htype,
        poverty_exit_year=kw.pop("exit", None),
        people=facts.household_facts(members, D(2022, 5, 10)),
        on=D(2022, 5, 10),
        **kw,
    )


def test_applicability_follows_household_type_and_answers():
    ordinary = _ctx()
    rules = appendix1.applicability(ordinary, {})
    assert rules["exited_2020"] is False and rules["income_falling_3y"] is False
    assert rules["system_data_accurate"] is False and rules["measures_in_place"] is False
    assert rules["risk_eliminated_marked"] is False
    assert rules["should_monitor"] is True and rules["is_dibao"] is True
    # correcting 户属性 on the form to 脱贫户 enables the 脱贫户 questions at once
    rules = appendix1.applicability(ordinary, {"household_type": "脱贫户"})
    assert rules["exited_2020"] is True and rules["measures_in_place"] is True
    # a monitoring object does not answer 该户是否应纳入监测对象
    monitored = _ctx("监测户", case_statuses=("已纳入",))
    assert appendix1.applicability(monitored, {})["should_monitor"] is False
    assert appendix1.applicability(monitored, {})["risk_eliminated_marked"] is True
    # follow-up questions close when their lead question is answered 否
    assert appendix1.applicability(ordinary, {"disabled_family": False})["severe_disabled"] is False
    assert appendix1.applicability(ordinary, {"elderly_alone": False})["children_can_support"] is False
    assert appendix1.applicability(ordinary, {"elderly_alone": None})["children_can_support"] is True


def test_suggestions_from_income_and_members():
    inc = appendix1.IncomeFacts(
        D(2021, 5, 1),
        D(2022, 4, 30),
        2,
        Decimal(13000),
        Decimal(13000),
        Decimal(6500),
        Decimal(12000),
        Decimal(0),
    )
    earlier = appendix1.IncomeFacts(
        D(2020, 5, 1),
        D(2021, 4, 30),
        2,
        Decimal(20000),
        Decimal(20000),
        Decimal(10000),
        Decimal(0),
        Decimal(0),
    )
    kid = SimpleNamespace(
        name="小", relation="之子", birth_date=D(2012, 3, 1), health="健康", labour_skill="无劳动力"
    )
    head = SimpleNamespace(
        name="甲",
        relation="户主",
        birth_date=D(1980, 1, 1),
        labour_skill="普通劳动力",
        health="健康",
        education="初中",
        work_status="省外务工",
        work_months=3,
    )
    ctx = _ctx(
        members=[head, kid],
        income=inc,
        earlier_incomes=(earlier,),
        threshold=Decimal(7000),
        member_medical=(("甲", True), ("小", False)),
    )
    s = appendix1.suggestions(ctx)
    assert s["household_size"].value == 2
    assert s["per_capita_income"].value == Decimal(6500)
    assert s["above_threshold"].value is False
    assert s["rigid_or_income_drop"].value is True  # 10000 -> 6500 is a 35 % drop
    assert s["medical_secured"].value is False and "小" in s["medical_secured"].reason
    assert s["education_secured"].value is False and "小（10岁）" in s["education_secured"].reason
    assert s["migrant_income_unstable"].value is True  # wages 92 % of income, 3 months' work
    assert s["should_monitor"].value is True
    assert s["no_labour"].value is False
    assert "housing_safe" not in s  # the data says nothing about the house


def test_overrides_only_for_applicable_answers_that_differ():
    s = {
        "is_dibao": appendix1.Suggestion(False, ""),
        "single_person": appendix1.Suggestion(True, ""),
        "per_capita_income": appendix1.Suggestion(Decimal("6500.00"), ""),
    }
    got = appendix1.overrides(
        s,
        {"is_dibao": True, "single_person": True, "per_capita_income": Decimal("6500")},
        {"is_dibao": True, "single_person": True, "per_capita_income": True},
    )
    assert got == {"is_dibao": False}


# --------------------------------------------------------------------------- the form service


def test_new_form_prefills_suggestions(db, town):
    with db.unit() as s:
        assert screening.delete_form(s, town.campaign_id, town.h[4])  # back to 未排查
        assert not screening.delete_form(s, town.campaign_id, town.h[4])
    with db.reading() as s:
        form = screening.load_form(s, town.campaign_id, town.h[4])
    assert form.record_id is None
    assert (form.village, form.group, form.head_name, form.household_code) == ("甲村", "二组", "赵四", "A004")
    q = {x.key: x for x in form.questions}
    assert q["household_size"].value == 1
    assert q["household_type"].value == "脱贫户"
    assert q["per_capita_income"].value == Decimal("6000.00")
    assert q["above_threshold"].value is False and "7000" in q["above_threshold"].reason
    assert q["no_labour"].value is True
    assert q["exited_2020"].value is True and q["exited_2020"].applicable
    assert q["is_dibao"].value is True and q["single_person"].value is True
    assert q["disabled_family"].value is True and q["severe_disabled"].value is True
    assert q["elderly_alone"].value is True
    assert q["should_monitor"].value is True  # income below the threshold
    assert q["measures_in_place"].value is True  # two measures of 2022
    assert q["above_threshold"].label == "是否高于本市监测范围（7000元）"
    assert q["exited_2020"].group == ("重点人群和特殊群体", "脱贫户")
    assert q["method"].choices == ("入户排查", "电话核查")


def test_not_applicable_questions_disabled_and_cleared_on_save(db, town):
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, town.h[9])  # 一般农户 without income data
        q = {x.key: x for x in form.questions}
        assert not q["exited_2020"].applicable and q["exited_2020"].value is None
        assert not q["system_data_accurate"].applicable
        result = screening.save_form(
            s,
            town.campaign_id,
            town.h[9],
            answers_of(
                form, method="入户排查", exited_2020=True, system_data_accurate=True, should_monitor=False
            ),
            screened_on=D(2022, 5, 20),
            screener="网格员甲",
        )
        assert set(result.cleared) == {"exited_2020", "system_data_accurate"}
        rec = s.get(HouseholdScreening, result.record_id)
        assert rec.exited_2020 is None and rec.system_data_accurate is None
        assert rec.screener == "网格员甲" and rec.method == "入户排查"


def test_override_is_kept_and_visible(db, town):
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, town.h[4])
        result = screening.save_form(
            s,
            town.campaign_id,
            town.h[4],
            answers_of(form, method="电话核查", is_dibao=False, household_size=2, should_monitor=False),
            screened_on=D(2022, 5, 21),
        )
        assert result.overrides == {"is_dibao": True, "household_size": 1, "should_monitor": True}
        assert not result.created  # the town already has a record for H4
    with db.reading() as s:
        form = screening.load_form(s, town.campaign_id, town.h[4])
        q = {x.key: x for x in form.questions}
    assert q["is_dibao"].value is False and q["is_dibao"].overridden and q["is_dibao"].suggested_then is True
    assert q["is_dibao"].differs
    assert q["household_size"].value == 2 and q["household_size"].suggested_then == 1
    assert not q["single_person"].overridden
    assert form.screened_on == D(2022, 5, 21)


def test_validation_names_the_question(db, town):
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, town.h[9])
        with pytest.raises(ValidationError) as err:
            screening.save_form(s, town.campaign_id, town.h[9], answers_of(form), screened_on=D(2022, 5, 20))
        assert err.value.field == "method" and "排查方式" in str(err.value)
        with pytest.raises(ValidationError) as err:
            screening.save_form(
                s,
                town.campaign_id,
                town.h[9],
                answers_of(form, method="入户排查", housing_safe="也许"),
                screened_on=D(2022, 5, 20),
            )
        assert err.value.field == "housing_safe" and "现有住房是否安全" in str(err.value)
        with pytest.raises(ValidationError) as err:
            screening.save_form(
                s,
                town.campaign_id,
                town.h[9],
                answers_of(form, method="入户排查", household_size=0),
                screened_on=D(2022, 5, 20),
            )
        assert err.value.field == "household_size"
        with pytest.raises(ValidationError) as err:
            screening.save_form(
                s,
                town.campaign_id,
                town.h[9],
                answers_of(form, method="入户排查"),
                screened_on=dt.date.today() + dt.timedelta(days=3),
            )
        assert err.value.field == "screened_on"


def test_should_monitor_creates_and_withdraws_a_clue(db, town):
    h = town.h[9]  # only a 不纳入 case
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, h)
        result = screening.save_form(
            s,
            town.campaign_id,
            h,
            answers_of(form, method="入户排查", should_monitor=True, difficulties="缺技术"),
            screened_on=D(2022, 5, 20),
        )
        assert result.clue_created and result.clue_case_id is not None
        case = s.get(MonitoringCase, result.clue_case_id)
        assert (case.status, case.source, case.campaign_id, case.clue_date) == (
            "线索",
            "集中排查",
            town.campaign_id,
            D(2022, 5, 20),
        )
        assert "缺技术" in case.note
        # saving again does not make a second clue
        again = screening.save_form(
            s,
            town.campaign_id,
            h,
            answers_of(form, method="入户排查", should_monitor=True),
            screened_on=D(2022, 5, 20),
        )
        assert not again.clue_created and again.clue_case_id == case.id
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, h)
        assert form.clue_case_id == case.id
        back = screening.save_form(
            s, town.campaign_id, h, answers_of(form, should_monitor=False), screened_on=D(2022, 5, 20)
        )
        assert back.clue_removed and back.clue_case_id is None
        statuses = list(s.scalars(select(MonitoringCase.status).where(MonitoringCase.household_id == h)))
        assert statuses == ["不纳入"]


def test_send_to_ledger_from_the_form(db, town):
    with db.unit() as s:
        p = screening.send_to_ledger(
            s,
            town.campaign_id,
            town.h[2],
            problem_type="三保障和饮水安全",
            description="饮水水质不达标",
            measure="接入集中供水",
            responsible="村主任",
            deadline=D(2022, 6, 30),
            found_on=D(2022, 5, 13),
        )
        pid = p.id
    with db.reading() as s:
        p = s.get(Problem, pid)
        assert (p.level, p.village_id, p.household_id, p.campaign_id) == (
            "户",
            town.village_a,
            town.h[2],
            town.campaign_id,
        )
        assert p.problem_type == "“三保障”和饮水安全" and p.status == "整改中"


def test_next_household_in_village_group_order(db, town):
    h = town.h
    with db.reading() as s:
        order = screening.household_ids_in_order(s, town.campaign_id)
        assert order == [h[n] for n in range(1, 11)]
        assert screening.next_household_id(s, town.campaign_id) == h[1]
        assert screening.next_household_id(s, town.campaign_id, h[2]) == h[3]  # 一组 -> 二组
        assert screening.next_household_id(s, town.campaign_id, h[6]) == h[7]  # 甲村 -> 乙村
        assert screening.next_household_id(s, town.campaign_id, h[6], village_id=town.village_a) is None
        assert screening.next_household_id(s, town.campaign_id, h[10]) is None
        assert screening.next_household_id(s, town.campaign_id, h[3], backwards=True) == h[2]
        # only those still to do: H3, H6, H9, H10
        assert screening.next_household_id(s, town.campaign_id, h[3], unscreened_only=True) == h[6]
        assert screening.next_household_id(s, town.campaign_id, h[6], unscreened_only=True) == h[9]


def test_save_and_next_opens_the_next_form(db, town):
    with db.unit() as s:
        form = screening.load_form(s, town.campaign_id, town.h[3])
        result, nxt = screening.save_and_next(
            s,
            town.campaign_id,
            town.h[3],
            answers_of(form, method="入户排查"),
            screened_on=D(2022, 5, 22),
            unscreened_only=True,
        )
        assert result.created
        assert nxt is not None and nxt.household_id == town.h[6] and nxt.head_name == "孙六"
    with db.reading() as s:
        q = {x.key: x for x in screening.load_form(s, town.campaign_id, town.h[3]).questions}
    # H3's open case has a housing risk: the form suggested 否 and it was kept
    assert q["housing_safe"].value is False
    assert q["should_monitor"].applicable is False  # 消除中 is still a monitoring object


def test_village_screening_text(db, town):
    with db.unit() as s:
        screening.save_village_screening(
            s, town.campaign_id, town.village_a, {"grid_issues": " 网格员调整不及时 ", "other_issues": ""}
        )
    with db.reading() as s:
        texts = screening.load_village_screening(s, town.campaign_id, town.village_a)
    assert texts["grid_issues"] == "网格员调整不及时" and texts["other_issues"] == ""
