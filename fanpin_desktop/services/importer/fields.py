"""The fields a roster row can fill, with their Chinese labels, kinds and model attributes.

Column *names* (and their aliases) live in ``resources/layouts/*.json``; this registry says what a
field means to the program: where it is stored, how its cells are read and which enumeration
checks them. A few fields have no column in the national layouts but are common in village lists
(address, 户主证件号码, insurance flags); their labels and aliases are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # Chinese, as shown to the clerk
    level: str  # "member" | "household" | "check" (read for checks only) | "group" (grouping only)
    # | "case" (the household's monitoring case, importer/cases.py)
    kind: str  # text | name | id | date | bool | int | money | enum | multi | place | phone | code | category | risk
    attr: str | None = None  # model attribute (Member or Household)
    enum: str | None = None  # enumeration name in resources/enums
    aliases: tuple[str, ...] = field(default_factory=tuple)
    strict: bool = True  # enum: unknown values are errors (else stored as given with a warning)


FIELDS: tuple[Field, ...] = (
    # place and household
    Field("county", "县(市、区、旗)", "check", "text"),
    Field("township", "乡(镇)", "check", "text"),
    Field("village", "行政村", "household", "place"),
    Field("natural_village", "自然村", "household", "place"),
    Field("group", "村民小组", "household", "place"),
    Field("hh_code", "户编号", "household", "code", attr="code"),
    Field("household_type", "户类型", "household", "enum", attr="household_type", enum="household_types"),
    Field("hh_phone", "户联系电话", "household", "phone", attr="phone"),
    Field("address", "家庭住址", "household", "text", attr="address", aliases=("住址", "家庭地址", "地址")),
    Field(
        "relocated",
        "是否易地扶贫搬迁",
        "household",
        "bool",
        attr="relocated",
        aliases=("易地扶贫搬迁", "是否易地搬迁", "易地搬迁户"),
    ),
    Field("military_family", "是否军烈属", "household", "bool", attr="military_family", aliases=("军烈属",)),
    Field("hh_size", "人数", "check", "int"),
    # 数据日期: when the national system's data were taken; its year is the year of 人均纯收入
    Field("data_date", "数据日期", "check", "date", aliases=("数据时间", "统计日期")),
    # the national system's 人均纯收入 (Household.national_per_capita_income, see plan.py)
    Field(
        "per_capita_income",
        "人均纯收入",
        "household",
        "money",
        attr="national_per_capita_income",
        aliases=("家庭人均纯收入", "人均纯收入（元）", "人均纯收入(元)"),
    ),
    Field(
        "head_id_number",
        "户主证件号码",
        "group",
        "id",
        aliases=("户主身份证号码", "户主身份证号", "户主证件号", "户主公民身份号码"),
    ),
    # member
    Field("member_code", "人编号", "member", "code", attr="code"),
    Field("name", "姓名", "member", "name", attr="name"),
    Field("id_type", "证件类型", "member", "enum", attr="id_type", enum="id_types"),
    Field("id_number", "证件号码", "member", "id", attr="id_number"),
    Field("relation", "与户主关系", "member", "enum", attr="relation", enum="relations"),
    Field("sex", "性别", "member", "enum", attr="sex", enum="sexes"),
    Field("birth_date", "出生日期", "member", "date", attr="birth_date"),
    Field("ethnicity", "民族", "member", "enum", attr="ethnicity", enum="ethnicities", strict=False),
    Field(
        "political_status", "政治面貌", "member", "enum", attr="political_status", enum="political_statuses"
    ),
    Field("education", "文化程度", "member", "enum", attr="education", enum="education"),
    Field("schooling", "在校生状况", "member", "enum", attr="schooling", enum="schooling"),
    Field("health", "健康状况", "member", "multi", attr="health", enum="health"),
    Field(
        "disability_category",
        "残疾类别",
        "member",
        "enum",
        attr="disability_category",
        enum="disability_categories",
    ),
    Field(
        "disability_grade", "残疾等级", "member", "enum", attr="disability_grade", enum="disability_grades"
    ),
    Field(
        "disability_cert_no",
        "残疾证号",
        "member",
        "text",
        attr="disability_cert_no",
        aliases=("残疾人证号", "残疾证号码"),
    ),
    Field("labour_skill", "劳动技能", "member", "enum", attr="labour_skill", enum="labour_skills"),
    Field("work_status", "务工状况", "member", "enum", attr="work_status", enum="work_statuses"),
    Field("work_place", "务工所在地", "member", "text", attr="work_place", aliases=("务工地点", "务工地址")),
    Field("work_months", "务工时间（月）", "member", "int", attr="work_months"),
    Field("work_employer", "务工企业名称", "member", "text", attr="work_employer"),
    Field(
        "public_post_type",
        "公益性岗位类型",
        "member",
        "enum",
        attr="public_post_type",
        enum="public_post_types",
    ),
    Field("public_post_months", "公益性岗位月数", "member", "int", attr="public_post_months"),
    Field(
        "ins_resident_medical",
        "是否参加城乡居民基本医疗保险",
        "member",
        "bool",
        attr="ins_resident_medical",
        aliases=("城乡居民基本医疗保险", "是否参加城乡居民医保", "城乡居民医保", "是否参加基本医疗保险"),
    ),
    Field(
        "ins_employee_medical",
        "是否参加职工基本医疗保险",
        "member",
        "bool",
        attr="ins_employee_medical",
        aliases=("职工基本医疗保险", "职工医保", "是否参加职工医保"),
    ),
    Field("ins_critical_illness", "是否参加大病保险", "member", "bool", attr="ins_critical_illness"),
    Field(
        "ins_commercial",
        "是否参加商业补充医疗保险",
        "member",
        "bool",
        attr="ins_commercial",
        aliases=("商业补充医疗保险", "补充医疗保险"),
    ),
    Field(
        "medical_assistance",
        "是否享受医疗救助",
        "member",
        "bool",
        attr="medical_assistance",
        aliases=("医疗救助", "是否医疗救助"),
    ),
    Field(
        "pension_resident",
        "是否参加城乡居民基本养老保险",
        "member",
        "bool",
        attr="pension_resident",
        aliases=("城乡居民基本养老保险", "城乡居民养老保险", "是否参加城乡居民养老保险"),
    ),
    Field(
        "pension_employee",
        "是否参加职工基本养老保险",
        "member",
        "bool",
        attr="pension_employee",
        aliases=("职工基本养老保险", "职工养老保险"),
    ),
    Field("dibao", "是否享受低保", "member", "bool", attr="dibao"),
    Field("tekun", "是否特困供养", "member", "bool", attr="tekun"),
    Field("phone", "人联系电话", "member", "phone", attr="phone"),
    Field("note", "备注", "member", "text", attr="note", aliases=("说明",)),
    # the household's monitoring case (national exports; see importer/cases.py)
    Field(
        "case_category",
        "易返贫致贫户(监测对象)类型",
        "case",
        "category",
        enum="monitoring_categories",
        aliases=("监测对象类型", "监测对象类别"),
    ),
    Field("case_eliminated", "风险是否消除", "case", "bool", aliases=("是否风险消除",)),
    Field("case_identified_on", "风险识别时间", "case", "date", aliases=("识别监测时间",)),
    Field("case_eliminated_on", "风险消除时间", "case", "date", aliases=("消除时间",)),
    Field(
        "case_elimination_mode",
        "风险消除方式",
        "case",
        "enum",
        enum="elimination_modes",
        aliases=("消除方式", "风险消除类型"),
    ),
    Field(
        "case_source",
        "线索来源",
        "case",
        "enum",
        enum="case_sources",
        aliases=("监测对象来源", "识别途径", "发现途径"),
    ),
    *(
        Field(
            f"case_risk{n}",
            f"返贫致贫风险{n}",
            "case",
            "risk",
            enum="risk_types",
            aliases=(
                f"致贫返贫风险{n}",
                f"致贫/返贫风险{n}",
                f"返贫/致贫风险{n}",
                f"返贫致贫风险类型{n}",
                f"风险类型{n}",
                f"主要风险{n}",
            ),
        )
        for n in range(1, 6)
    ),
    Field(
        "case_disaster_subtype",
        "自然灾害类型",
        "case",
        "enum",
        enum="natural_disaster_subtypes",
        aliases=("因自然灾害类型", "灾害类型", "自然灾害种类"),
    ),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}
IGNORED = "-"  # mapping target for a column that is recognised but not imported

MEMBER_FIELDS = tuple(f for f in FIELDS if f.level == "member")
HOUSEHOLD_FIELDS = tuple(f for f in FIELDS if f.level == "household" and f.attr)
CASE_FIELDS = tuple(f for f in FIELDS if f.level == "case")
RISK_KEYS = tuple(f"case_risk{n}" for n in range(1, 6))
REQUIRED = ("name", "id_number", "relation")  # village too, unless a default village is chosen


def label(key: str) -> str:
    f = BY_KEY.get(key)
    return f.label if f else key
