"""The monitoring procedure's rules: every rule once broken and once kept, a whole identification
walk, 不予认定 ending a walk, and each refusal of a risk elimination."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from fanpin_desktop.domain import enums
from fanpin_desktop.domain import procedure as p
from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.domain.procedure import CaseFacts, Risk, SpecialDecision, StepEntry
from fanpin_desktop.errors import ValidationError

D = dt.date.fromisoformat
CLUE = D("2025-03-03")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def refused(field: str, call, *words: str) -> ValidationError:
    """``call()`` raises a ValidationError on ``field`` whose Chinese message names ``words``."""
    with pytest.raises(ValidationError) as info:
        call()
    err = info.value
    assert err.field == field, (err.field, err.message)
    assert CHINESE.search(err.message), err.message
    for word in words:
        assert word in err.message, (word, err.message)
    return err


def walk() -> list[StepEntry]:
    """A whole identification, each step valid after the ones before it."""
    return [
        StepEntry(p.APPLICATION, D("2025-03-04"), authorisation_signed=True),
        StepEntry(p.VERIFICATION, D("2025-03-05"), people=("张三", "李四"), result="情况属实"),
        StepEntry(p.REVIEW, D("2025-03-06"), people=("村两委", "村民代表12人"), result="同意"),
        StepEntry(p.PUBLICITY, D("2025-03-07"), end_on=D("2025-03-13"), result="无异议"),
        StepEntry("乡镇审核", D("2025-03-14"), result="同意"),
        StepEntry(p.COUNTY_DECISION, D("2025-03-17"), result="同意"),
        StepEntry("系统录入", D("2025-03-18")),
    ]


# --------------------------------------------------------------------------- code lists


def test_code_lists_come_from_the_enumerations_and_name_what_the_rules_use():
    e = enums.current()
    assert p.IDENTIFICATION_STEPS == tuple(e.values("identification_steps"))
    assert p.ELIMINATION_STEPS == tuple(e.values("elimination_steps"))
    assert p.CLUE_SOURCES == ("农户自主申报", "干部走访", "集中排查", "部门预警", "媒体信访")
    assert set(p.CATEGORIES) == {p.UNSTABLE, p.MARGINAL, p.SUDDEN}
    assert p.NATURAL_DISASTER in p.RISK_TYPES
    assert "洪涝" in p.DISASTER_SUBTYPES
    for name in (p.APPLICATION, p.VERIFICATION, p.REVIEW, p.PUBLICITY, p.COUNTY_DECISION):
        assert name in p.IDENTIFICATION_STEPS
    for name in (p.VERIFICATION, p.REVIEW, p.PUBLICITY, p.COUNTY_DECISION):
        assert name in p.ELIMINATION_STEPS
    assert p.TUOPIN in e.values("household_types")
    assert p.WELFARE_MEASURE in e.values("measure_categories")
    assert set(p.ELIMINATION_MODES) == {"帮扶消除", "自然消除"}
    assert set(p.EXCLUSIONS) == {"vehicle", "commercial_housing", "public_payroll", "enterprise", "deposits"}


def test_split_people():
    assert p.split_people("张三、李四") == ("张三", "李四")
    assert p.split_people(" 张三 , 李四；") == ("张三", "李四")
    assert p.split_people(None) == ()


# --------------------------------------------------------------------------- category


@pytest.mark.parametrize(
    ("category", "household_type"),
    [
        ("脱贫不稳定户", "脱贫户"),
        ("边缘易致贫户", "一般农户"),
        ("突发严重困难户", "脱贫户"),
        ("突发严重困难户", "一般农户"),
    ],
)
def test_category_that_fits_the_household(category, household_type):
    p.check_category(category, household_type)


def test_category_that_does_not_fit_is_refused():
    refused(
        "category", lambda: p.check_category("脱贫不稳定户", "一般农户"), "脱贫不稳定户", "脱贫户", "一般农户"
    )
    refused("category", lambda: p.check_category("边缘易致贫户", "脱贫户"), "边缘易致贫户", "非脱贫户")
    refused("category", lambda: p.check_category("贫困户", "脱贫户"), "监测对象类别", "贫困户")
    refused("category", lambda: p.check_category(None, "脱贫户"), "监测对象类别")


# --------------------------------------------------------------------------- risks


def test_risks_up_to_five_with_the_disaster_subtype():
    risks = [
        Risk("因病"),
        Risk("因自然灾害", "洪涝"),
        Risk("因学"),
        Risk("缺劳动力"),
        Risk("住房出现安全问题"),
    ]
    p.check_risks(risks)
    p.check_risks([])


def test_a_sixth_risk_is_refused():
    risks = [Risk(t) for t in ("因病", "因学", "因残", "因意外事故", "缺劳动力", "其他")]
    refused("risks", lambda: p.check_risks(risks), "最多", "5", "第6项")


def test_unknown_duplicate_or_blank_risk_is_refused_with_its_position():
    refused("risks", lambda: p.check_risks([Risk("因病"), Risk("因穷")]), "第2项", "因穷")
    refused("risks", lambda: p.check_risks([Risk("因病"), Risk("因病")]), "第2项", "重复")
    refused("risks", lambda: p.check_risks([Risk("")]), "第1项", "未填写")


def test_disaster_subtype_is_required_known_and_only_for_disasters():
    refused("risks", lambda: p.check_risks([Risk("因自然灾害")]), "第1项", "灾害类型")
    refused("risks", lambda: p.check_risks([Risk("因自然灾害", "火山")]), "灾害类型", "火山")
    refused("risks", lambda: p.check_risks([Risk("因病", "洪涝")]), "因病", "细分类型")


# --------------------------------------------------------------------------- inclusion


def test_no_exclusion_passes():
    p.check_inclusion([], None)


def test_any_exclusion_blocks_inclusion_without_the_special_decision():
    err = refused(
        "exclusions", lambda: p.check_inclusion(["vehicle"], None), "不纳入监测", "车辆", "村民代表"
    )
    assert "日期" in err.message
    refused("exclusions", lambda: p.check_inclusion(["deposits"], SpecialDecision(None, "  ")), "大额存款")


def test_special_decision_needs_date_and_text():
    refused(
        "special_decision_date",
        lambda: p.check_inclusion(["enterprise"], SpecialDecision(None, "经村民代表会议研究同意纳入")),
        "日期",
    )
    refused(
        "special_decision_text",
        lambda: p.check_inclusion(["enterprise"], SpecialDecision(D("2025-03-06"), "")),
        "内容",
    )
    p.check_inclusion(
        ["enterprise", "commercial_housing"], SpecialDecision(D("2025-03-06"), "经村民代表会议研究同意纳入")
    )


def test_unknown_exclusion_is_refused():
    refused("exclusions", lambda: p.check_inclusion(["yacht"], None), "yacht")


# --------------------------------------------------------------------------- steps


def test_whole_identification_walk():
    steps: list[StepEntry] = []
    assert p.next_step(steps) == p.APPLICATION
    for step in walk():
        assert p.next_step(steps) == step.step
        p.check_step(steps, step, start_on=CLUE)
        steps.append(step)
    assert p.next_step(steps) is None
    assert p.county_decision_on(steps) == D("2025-03-17")


def test_a_step_only_after_the_previous_one():
    done = walk()[:1]
    refused("step", lambda: p.check_step(done, walk()[2], start_on=CLUE), "入户核实", "村级评议")
    refused("step", lambda: p.check_step([], walk()[1], start_on=CLUE), "农户申请")


def test_a_step_twice_or_unknown_is_refused():
    done = walk()[:2]
    refused("step", lambda: p.check_step(done, walk()[1], start_on=CLUE), "入户核实", "已经办理")
    refused("step", lambda: p.check_step([], StepEntry("村提名", CLUE), start_on=CLUE), "村提名", "识别")


def test_a_step_dated_before_the_clue_is_refused():
    early = StepEntry(p.APPLICATION, D("2025-03-01"), authorisation_signed=True)
    refused("done_on", lambda: p.check_step([], early, start_on=CLUE), "发现线索日期", "2025-03-03")
    p.check_step([], StepEntry(p.APPLICATION, CLUE, authorisation_signed=True), start_on=CLUE)


def test_a_step_dated_before_the_previous_step_is_refused():
    done = walk()[:2]
    review = StepEntry(p.REVIEW, D("2025-03-04"), people=("村民代表",), result="同意")
    refused("done_on", lambda: p.check_step(done, review, start_on=CLUE), "上一环节", "入户核实")


def test_the_step_after_publicity_waits_for_its_end():
    done = walk()[:4]
    township = StepEntry("乡镇审核", D("2025-03-13"), result="同意")
    refused("done_on", lambda: p.check_step(done, township, start_on=CLUE), "公示", "期满")
    p.check_step(done, walk()[4], start_on=CLUE)


def test_application_needs_the_signed_authorisation():
    unsigned = StepEntry(p.APPLICATION, D("2025-03-04"))
    refused("authorisation_signed", lambda: p.check_step([], unsigned, start_on=CLUE), "承诺授权书")


def test_verification_needs_two_distinct_verifiers():
    done = walk()[:1]
    for people in ((), ("张三",), ("张三", "张三"), ("张三", " ")):
        alone = StepEntry(p.VERIFICATION, D("2025-03-05"), people=people)
        refused("people", lambda alone=alone: p.check_step(done, alone, start_on=CLUE), "两人", "核实")
    p.check_step(done, walk()[1], start_on=CLUE)


def test_review_needs_attendance_and_outcome():
    done = walk()[:2]
    no_people = StepEntry(p.REVIEW, D("2025-03-06"), result="同意")
    refused("people", lambda: p.check_step(done, no_people, start_on=CLUE), "参会人员")
    no_result = StepEntry(p.REVIEW, D("2025-03-06"), people=("村民代表12人",))
    refused("result", lambda: p.check_step(done, no_result, start_on=CLUE), "评议结果")


def test_publicity_end_not_before_its_start():
    done = walk()[:3]
    backwards = StepEntry(p.PUBLICITY, D("2025-03-07"), end_on=D("2025-03-06"))
    refused("end_on", lambda: p.check_step(done, backwards, start_on=CLUE), "公示结束日期", "开始日期")
    no_end = StepEntry(p.PUBLICITY, D("2025-03-07"))
    refused("end_on", lambda: p.check_step(done, no_end, start_on=CLUE), "公示结束日期")
    one_day = StepEntry(p.PUBLICITY, D("2025-03-07"), end_on=D("2025-03-07"))
    p.check_step(done, one_day, start_on=CLUE)


def test_only_publicity_has_an_end_date():
    stray = StepEntry(p.APPLICATION, D("2025-03-04"), authorisation_signed=True, end_on=D("2025-03-09"))
    refused("end_on", lambda: p.check_step([], stray, start_on=CLUE), "只有公示")


def test_refusal_ends_the_walk():
    done = walk()[:2]
    no_reason = StepEntry(p.REVIEW, D("2025-03-06"), people=("村民代表12人",), result="不予认定")
    refused("note", lambda: p.check_step(done, no_reason, start_on=CLUE), "不予认定", "理由")
    ending = StepEntry(
        p.REVIEW, D("2025-03-06"), people=("村民代表12人",), result="不予认定", note="人均纯收入高于监测范围"
    )
    p.check_step(done, ending, start_on=CLUE)
    done.append(ending)
    assert p.refusal(done) is ending
    assert p.next_step(done) is None
    refused("step", lambda: p.check_step(done, walk()[3], start_on=CLUE), "不予认定", "村级评议", "公示")
    assert p.county_decision_on(done) is None


def test_the_first_step_may_refuse_without_the_authorisation():
    refusal = StepEntry(p.APPLICATION, D("2025-03-04"), result="不予认定", note="农户不愿签署承诺授权书")
    p.check_step([], refusal, start_on=CLUE)
    assert p.next_step([refusal]) is None


def test_the_demo_wording_also_ends_a_walk():
    assert p.next_step([*walk()[:2], StepEntry(p.REVIEW, D("2025-03-06"), result="不同意纳入")]) is None


def test_elimination_walk_starts_at_nomination_and_not_before_identification():
    identified = D("2025-03-17")
    assert p.next_step([], p.ELIMINATION) == "村提名"
    early = StepEntry("村提名", D("2025-03-10"))
    refused(
        "done_on",
        lambda: p.check_step([], early, start_on=identified, procedure=p.ELIMINATION),
        "识别监测时间",
    )
    steps: list[StepEntry] = []
    day = D("2025-10-01")
    for name in p.ELIMINATION_STEPS:
        extra = {}
        if name == p.VERIFICATION:
            extra = {"people": ("张三", "李四")}
        elif name == p.REVIEW:
            extra = {"people": ("村民代表10人",), "result": "同意"}
        elif name == p.PUBLICITY:
            extra = {"end_on": day + dt.timedelta(days=6)}
        step = StepEntry(name, day, **extra)
        p.check_step(steps, step, start_on=identified, procedure=p.ELIMINATION)
        steps.append(step)
        day = (step.end_on or day) + dt.timedelta(days=1)
    assert p.next_step(steps, p.ELIMINATION) is None


def test_unknown_procedure_is_refused():
    refused("procedure", lambda: p.next_step([], "回退"), "回退")


# --------------------------------------------------------------------------- elimination

IDENTIFIED = D("2025-03-17")
GOOD = CaseFacts(
    household_type="一般农户",
    per_capita_income=Decimal("9800.00"),
    threshold=Decimal("7600.00"),
    measures=(("就业帮扶", True), ("健康帮扶", False)),
    has_labour=True,
    identified_on=IDENTIFIED,
)


def test_a_sound_elimination_is_allowed():
    assert p.elimination_refusals(GOOD, "帮扶消除", D("2025-09-17")) == []
    equal = CaseFacts(**{**GOOD.__dict__, "per_capita_income": Decimal("7600.00")})
    assert p.elimination_refusals(equal, "帮扶消除", D("2025-09-17")) == []


def test_under_six_months_is_refused_except_natural_elimination():
    reasons = p.elimination_refusals(GOOD, "帮扶消除", D("2025-09-16"))
    assert len(reasons) == 1 and "不满6个月" in reasons[0] and "2025-09-17" in reasons[0]
    assert p.elimination_refusals(GOOD, "自然消除", D("2025-04-01")) == []
    longer = DeadlineRules(eliminate_after_months=12)
    assert "不满12个月" in p.elimination_refusals(GOOD, "帮扶消除", D("2025-12-01"), longer)[0]


def test_income_below_the_threshold_is_refused():
    poor = CaseFacts(**{**GOOD.__dict__, "per_capita_income": Decimal("7599.99")})
    reasons = p.elimination_refusals(poor, "自然消除", D("2025-12-01"))
    assert len(reasons) == 1 and "人均纯收入" in reasons[0] and "7600.00" in reasons[0]
    missing = CaseFacts(**{**GOOD.__dict__, "per_capita_income": None})
    assert "未录入家庭人均纯收入" in p.elimination_refusals(missing, "帮扶消除", D("2025-12-01"))[0]
    no_threshold = CaseFacts(**{**GOOD.__dict__, "threshold": None})
    assert "监测范围" in p.elimination_refusals(no_threshold, "帮扶消除", D("2025-12-01"))[0]


def test_assisted_elimination_without_measures_is_refused():
    bare = CaseFacts(**{**GOOD.__dict__, "measures": ()})
    reasons = p.elimination_refusals(bare, "帮扶消除", D("2025-12-01"))
    assert len(reasons) == 1 and "帮扶措施" in reasons[0]
    assert p.elimination_refusals(bare, "自然消除", D("2025-12-01")) == []


def test_no_labour_with_only_welfare_stays_monitored():
    welfare = CaseFacts(**{**GOOD.__dict__, "has_labour": False, "measures": (("综合保障", False),)})
    reasons = p.elimination_refusals(welfare, "帮扶消除", D("2025-12-01"))
    assert len(reasons) == 1 and "无劳动能力" in reasons[0] and "继续监测" in reasons[0]
    assert p.elimination_refusals(welfare, "自然消除", D("2025-12-01")) == reasons
    mixed = CaseFacts(**{**welfare.__dict__, "measures": (("综合保障", False), ("健康帮扶", False))})
    assert p.elimination_refusals(mixed, "帮扶消除", D("2025-12-01")) == []
    with_labour = CaseFacts(**{**welfare.__dict__, "has_labour": True})
    assert p.elimination_refusals(with_labour, "帮扶消除", D("2025-12-01")) == []


def test_every_reason_at_once_and_unidentified_case():
    worst = CaseFacts(per_capita_income=Decimal("5000"), threshold=Decimal("7600"), has_labour=False)
    reasons = p.elimination_refusals(worst, "帮扶消除", D("2025-12-01"))
    assert len(reasons) == 3
    assert "尚未识别" in reasons[0]
    assert all(CHINESE.search(r) for r in reasons)


def test_unknown_elimination_mode_is_refused():
    refused("elimination_mode", lambda: p.elimination_refusals(GOOD, "销号", D("2025-12-01")), "消除方式")
