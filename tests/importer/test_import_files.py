"""Importing roster files: layouts, encodings, bad cells, grouping, and exact messages with rows."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from fanpin_desktop.domain import ids
from fanpin_desktop.errors import UserError
from fanpin_desktop.models import AuditEntry, Household, Member, Village, VillageGroup
from fanpin_desktop.services.importer import ImportOptions, import_file
from fanpin_desktop.services.importer.plan import RULE_CODE
from tests.importer.helpers import (
    HEADER,
    add_villages,
    family,
    person,
    pid,
    write_csv,
    write_xls,
    write_xlsx,
)

FIXTURE_AUDIT = 5  # the fixture's 2 villages and 3 groups are in the audit trail


def counts(db) -> tuple[int, int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count(Household.id))),
            s.scalar(select(func.count(Member.id))),
            s.scalar(select(func.count(AuditEntry.id))),
        )


def messages(result) -> list[str]:
    return [str(i) for i in result.plan.issues]


@pytest.fixture
def villages(db):
    add_villages(db)
    return db


def test_title_rows_are_skipped_and_rows_numbered_as_in_excel(villages, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", family(), titles=["红星村家庭成员信息", "导出时间：2024-05-01"])
    result = import_file(villages, path)
    p = result.plan.parsed
    assert p.header.header_rows == (2,)  # 0-based: the third row
    assert p.rownums == [4, 5, 6, 7, 8]
    assert p.rule == RULE_CODE
    assert result.plan.counts["hh_new"] == 2 and result.plan.counts["m_new"] == 5
    assert counts(villages)[:2] == (2, 5)
    with villages.reading() as s:
        son = s.scalars(select(Member).where(Member.name == "张小明")).one()
        assert son.schooling == "七年级" and son.education is None
        assert son.household.code == "H001" and son.household.group.name == "1组"
        assert son.sex == "男" and son.birth_date == ids.parse(son.id_number).birth_date
        assert son.name_initials == "zxm"


def test_two_row_header_with_group_titles(villages, tmp_path):
    upper = ["序号", "所在地", "", "户编号", "成员信息", "", "", "教育", "", "户类型", "是否享受低保"]
    lower = ["", "行政村", "村民小组", "", "姓名", "证件号码", "与户主关系", "文化程度", "在校生状况", "", ""]
    path = write_xlsx(tmp_path / "r.xlsx", family(), titles=["花名册"], header_rows=[upper, lower])
    result = import_file(villages, path)
    p = result.plan.parsed
    assert p.header.header_rows == (1, 2)
    assert p.rownums[0] == 4
    assert [k for k in p.mapping.columns[:9]] == [
        "-",
        "village",
        "group",
        "hh_code",
        "name",
        "id_number",
        "relation",
        "education",
        "schooling",
    ]
    assert result.plan.counts["m_new"] == 5 and not result.plan.issues


def test_excel_text_formula_ids_are_read(villages, tmp_path):
    rows = family()
    rows[0][5] = f'="{rows[0][5]}"'  # text cell holding ="…" (CSV-style exports)
    rows[1][5] = f'= "{rows[1][5].lower()}"'
    path = write_xlsx(tmp_path / "text.xlsx", rows)
    result = import_file(villages, path)
    assert result.plan.counts["m_new"] == 5 and not result.plan.issues
    # a real formula without a stored result (written by a script, not Excel)
    rows2 = family(10)
    want = rows2[0][5]
    rows2[0][5] = f'="{want}"'
    path2 = write_xlsx(tmp_path / "formula.xlsx", rows2, formulas=True)
    result2 = import_file(villages, path2)
    assert not [i for i in result2.plan.issues if i.is_error]
    with villages.reading() as s:
        assert s.scalar(select(func.count()).where(Member.id_number == want)) == 1


def test_full_width_spaces_lower_x_and_15_digit_ids(villages, tmp_path):
    rows = family()
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in rows[0][5])
    rows[0][5] = f" {wide[:6]} {wide[6:]} "
    x_id = next(pid(n) for n in range(100, 400) if pid(n).endswith("X"))
    rows[1][5] = x_id.lower()
    old15 = "341523800101123"
    rows[3][5] = old15
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_file(villages, path)
    converted = ids.convert_15_to_18(old15)
    assert messages(result) == [
        f"警告：第5行“证件号码”列（F列），值“{old15}”：15位旧证件号码已转换为18位：{converted}"
    ]
    with villages.reading() as s:
        numbers = set(s.scalars(select(Member.id_number)))
    assert {family()[0][5], x_id, converted} <= numbers


def test_ids_rounded_by_excel_are_rejected_never_stored(villages, tmp_path):
    rows = family()
    rows[1][5] = 341523198001011234  # a number cell: Excel keeps 15 significant digits
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_file(villages, path)
    assert messages(result) == [
        "错误：第3行“证件号码”列（F列），值“3.41523198001011E+17”：证件号码“3.41523198001011E+17”已被Excel转成数字，"
        "后几位已丢失，无法使用；请把该列设为文本后重新导出"
    ]
    assert result.plan.counts["m_new"] == 4
    with villages.reading() as s:
        assert s.scalar(select(func.count()).where(Member.name == "李秀英")) == 0
        assert not [n for n in s.scalars(select(Member.id_number)) if n.startswith("34152319800101")]
    # CSV: the same number as text in scientific notation
    csv_rows = family(20)
    csv_rows[0][5] = "3.41523198001011E+17"
    result2 = import_file(villages, write_csv(tmp_path / "r.csv", csv_rows))
    assert str(result2.plan.issues[0]).startswith(
        "错误：第2行“证件号码”列（F列），值“3.41523198001011E+17”：证件号码"
    )
    assert "已被Excel转成数字" in result2.plan.issues[0].message


def test_checksum_failure_message(villages, tmp_path):
    rows = family()
    good = rows[2][5]
    wrong_digit = "1" if good[-1] != "1" else "2"
    bad = good[:-1] + wrong_digit
    rows[2][5] = bad
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert messages(result) == [
        f"错误：第4行“证件号码”列（F列），值“{bad}”：证件号码“{bad}”校验位错误：号码中至少有一位录入有误，请对照身份证或户口簿逐位核对，不要只改最后一位"
    ]
    assert result.plan.counts["m_new"] == 4  # the rest of the household is imported


def test_gbk_and_bom_csv(villages, tmp_path):
    for enc, expected in (("gbk", "GBK/GB18030"), ("utf-8-sig", "UTF-8（带BOM）"), ("utf-8", "UTF-8")):
        rows = family({"gbk": 1, "utf-8-sig": 30, "utf-8": 60}[enc])
        for r in rows:
            r[3] = f"{enc}-{r[3]}"
        path = write_csv(tmp_path / f"{enc}.csv", rows, encoding=enc, titles=["红星村名单"])
        result = import_file(villages, path)
        assert result.plan.parsed.encoding == expected
        assert result.plan.counts["m_new"] == 5, messages(result)
        assert result.plan.parsed.rownums == [3, 4, 5, 6, 7]
    with villages.reading() as s:
        assert s.scalar(select(func.count()).where(Member.name == "张大山")) == 3


def test_xls_file(villages, tmp_path):
    path = write_xls(tmp_path / "r.xls", family(), titles=["村里的名单"])
    result = import_file(villages, path)
    assert result.plan.parsed.rownums == [3, 4, 5, 6, 7]
    assert result.plan.counts["m_new"] == 5 and not result.plan.issues


def test_sheet_choice(villages, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", family(), sheet="名单", extra_sheets=["说明"])
    assert import_file(villages, path, ImportOptions(sheet="名单"), dry_run=True).plan.counts["m_new"] == 5
    with pytest.raises(UserError, match="没有名为“不存在”的工作表"):
        import_file(villages, path, ImportOptions(sheet="不存在"))


def test_duplicate_ids_in_file(villages, tmp_path):
    rows = family()
    rows[4][5] = rows[1][5]
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    dup = rows[1][5]
    assert messages(result) == [
        f"错误：第3行“证件号码”列（F列），值“{dup}”：证件号码在第6行再次出现，同一人只能出现一次",
        f"错误：第6行“证件号码”列（F列），值“{dup}”：证件号码与第3行重复，同一人只能出现一次",
    ]
    assert result.plan.counts["m_new"] == 3
    assert result.plan.counts["rows_error"] == 2


def test_household_without_head_and_with_two_heads(villages, tmp_path):
    rows = family()
    rows[0][6] = "之子"  # H001 has no 户主
    rows[4][6] = "户主"  # H002 has two
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert messages(result) == [
        "错误：第2行“与户主关系”列（G列），值“之子”：本户（户编号H001）没有户主：每户应有且只有一个“户主”",
        "错误：第3行：本户没有户主（见第2行），整户暂不导入",
        "错误：第4行：本户没有户主（见第2行），整户暂不导入",
        "错误：第5行：本户有2个户主，整户暂不导入",
        "错误：第6行“与户主关系”列（G列），值“户主”：本户（户编号H002）已有户主（第5行），一户只能有一个户主",
    ]
    assert result.plan.counts["hh_blocked"] == 2
    assert counts(villages) == (0, 0, FIXTURE_AUDIT)


def test_unknown_village_listed_and_created_only_when_agreed(villages, tmp_path):
    rows = family()
    for r in rows[3:]:
        r[1] = "新华村"
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    result = import_file(villages, path)
    assert messages(result) == [
        "错误：第5行“行政村”列（B列），值“新华村”：行政村“新华村”不在本乡镇的村名单中（可在导入时选择新建该村）",
        "错误：第6行：本户所在行政村“新华村”不在本乡镇名单中，整户暂不导入",
    ]
    assert [(u.kind, u.village) for u in result.plan.unknown_places] == [("行政村", "新华村")]
    assert counts(villages)[:2] == (1, 3)
    result2 = import_file(villages, path, ImportOptions(create_places=True))
    assert "行政村已新建：新华村" in result2.summary_lines()
    assert "村民小组已新建：新华村/2组" in result2.summary_lines()
    with villages.reading() as s:
        v = s.scalars(select(Village).where(Village.name == "新华村")).one()
        assert [g.name for g in v.groups] == ["2组"]
        assert s.scalar(select(func.count(Member.id))) == 5
        # the new village and group are in the audit trail too
        assert (
            s.scalar(
                select(func.count()).where(AuditEntry.table_name == "villages", AuditEntry.action == "insert")
            )
            == 3
        )


def test_village_names_and_group_numbers_match_tolerantly(villages, tmp_path):
    rows = family()
    for r in rows:
        r[1] = "红星"
        r[2] = "第一组" if r[3] == "H001" else "二组"
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert not result.plan.issues and not result.plan.unknown_places
    with villages.reading() as s:
        assert s.scalar(select(func.count(VillageGroup.id))) == 3


def test_old_labels_are_mapped_to_current_ones(villages, tmp_path):
    rows = family()
    rows[0][7] = "文盲"
    rows[1][7] = "文盲"
    rows[2][8] = "初一"
    rows[3][9] = "普通农户"
    rows[4][9] = "普通农户"
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert not result.plan.issues
    lines = result.summary_lines()
    assert "旧版代码“文盲”已按现行代码记为“文盲或半文盲”：2 处" in lines
    assert "旧版代码“初一”已按现行代码记为“七年级”：1 处" in lines
    assert "旧版代码“普通农户”已按现行代码记为“一般农户”：2 处" in lines
    with villages.reading() as s:
        assert s.scalars(select(Member.education).where(Member.name == "张大山")).one() == "文盲或半文盲"
        assert s.scalars(select(Household.household_type).where(Household.code == "H002")).one() == "一般农户"


def test_unknown_enumeration_values_yes_no_and_missing_fields(villages, tmp_path):
    rows = family()
    rows[0][7] = "博士后"
    rows[1][10] = "也许"
    rows[3][4] = ""
    rows[4][7] = ""  # neither 文化程度 nor 在校生状况
    rows[2][7] = "小学"  # both
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert messages(result) == [
        "错误：第2行“文化程度”列（H列），值“博士后”：文化程度“博士后”不是可选的值（可选：学龄前儿童、文盲或半文盲、小学、初中、高中、中专、"
        "大专、本科及以上）",
        "错误：第3行“是否享受低保”列（K列），值“也许”：“也许”不是“是”或“否”（可填 是/否、√/×、1/0、Y/N）",
        "错误：第4行“在校生状况”列（I列），值“七年级”：文化程度（小学）和在校生状况只能填一项：在校生填在校生状况，其他人填文化程度",
        "错误：第5行“姓名”列（E列）：姓名为空（必填）",
        "错误：第6行“文化程度”列（H列）：文化程度和在校生状况都没有填，应填其中一项",
    ]
    assert result.plan.counts["hh_blocked"] == 2 and counts(villages) == (0, 0, FIXTURE_AUDIT)


def test_blank_and_total_rows(villages, tmp_path):
    rows = family()
    rows.insert(2, [""] * len(HEADER))
    rows.append(["合计", "", "", "", "", "", "", "", "", "", ""])
    rows.append(["", "", "", "", "填表人：李四", "", "", "", "", "", ""])
    rows.append(["", "", "", "", "", "", "", "", "", "", "制表日期：2024年5月"])
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert messages(result) == [
        "警告：第8行，值“合计”：合计行，已跳过",
        "警告：第9行，值“填表人：李四”：表格下方的落款或说明，不是人员行，已跳过",
        "警告：第10行，值“制表日期：2024年5月”：没有姓名和证件号码，不是人员行，已跳过",
    ]
    assert result.plan.parsed.blank_rows == 1
    assert result.plan.counts["m_new"] == 5


def test_consecutive_rows_and_head_id_grouping(villages, tmp_path):
    header = ["行政村", "姓名", "证件号码", "与户主关系", "文化程度"]
    rows = [
        ["红星村", "孤儿", pid(90), "之子", "小学"],
        ["红星村", "赵一", pid(91), "户主", "小学"],
        ["红星村", "钱二", pid(92), "配偶", "小学"],
        ["红星村", "孙三", pid(93), "户主", "小学"],
        ["红星村", "李四", pid(94), "之女", "小学"],
    ]
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows, header=header))
    assert result.plan.parsed.rule == "连续行（从户主行开始）"
    assert messages(result) == [
        "错误：第2行“与户主关系”列（D列），值“之子”：前面没有户主行，无法确定属于哪一户（按连续行分户时每户从户主行开始）"
    ]
    assert [len(h.members) for h in result.plan.households] == [2, 2]
    header2 = ["行政村", "户主证件号码", "姓名", "证件号码", "与户主关系", "文化程度"]
    rows2 = [
        ["红星村", pid(201), "周五", pid(202), "配偶", "小学"],
        ["红星村", pid(301), "吴六", pid(301), "户主", "小学"],
        ["红星村", pid(201), "郑七", pid(201), "户主", "小学"],
    ]
    result2 = import_file(villages, write_xlsx(tmp_path / "r2.xlsx", rows2, header=header2))
    assert result2.plan.parsed.rule == "户主证件号码"
    assert not result2.plan.issues
    assert sorted(len(h.members) for h in result2.plan.households) == [1, 2]


def test_households_whose_rows_are_apart_are_grouped_in_file_order(villages, tmp_path):
    rows = [
        person(1, "H009", "户主", "张大山"),
        person(2, "H001", "户主", "王建国"),
        person(3, "H009", "之子", "张小明", edu="", school="七年级", year=2011),
        person(4, "H001", "之女", "王芳", year=2000),
        person(5, "H009", "配偶", "李秀英"),
    ]
    result = import_file(villages, write_xlsx(tmp_path / "r.xlsx", rows))
    assert not result.plan.issues
    plan = result.plan
    assert [(h.group.key, h.group.rows, h.group.head) for h in plan.households] == [
        ("H009", (0, 2, 4), 0),
        ("H001", (1, 3), 1),
    ]
    assert [[(m.index, m.action) for m in h.members] for h in plan.households] == [
        [(0, "new"), (2, "new"), (4, "new")],
        [(1, "new"), (3, "new")],
    ]
    with villages.reading() as s:
        assert s.execute(select(Member.name, Member.sort_order).order_by(Member.id)).all() == [
            ("张大山", 0),
            ("张小明", 1),
            ("李秀英", 2),
            ("王建国", 0),
            ("王芳", 1),
        ]


def test_missing_required_columns_is_a_user_error(villages, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [["张三", "x"]], header=["姓名", "备注"])
    with pytest.raises(UserError, match="前30行中找不到表头|找不到这些必需的列"):
        import_file(villages, path)
    path2 = write_xlsx(
        tmp_path / "r2.xlsx", [["张三", pid(1), "户主"]], header=["姓名", "证件号码", "与户主关系"]
    )
    with pytest.raises(UserError, match="找不到这些必需的列：行政村"):
        import_file(villages, path2)
    result = import_file(villages, path2, ImportOptions(default_village="东风村"))
    assert result.plan.counts["m_new"] == 1


def test_reimport_changes_nothing_and_changes_are_audited(villages, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", family())
    import_file(villages, path)
    before = counts(villages)
    again = import_file(villages, path)
    assert again.plan.counts["m_unchanged"] == 5 and again.plan.counts["hh_unchanged"] == 2
    assert not again.plan.has_changes
    assert counts(villages) == before
    # change one field and one household attribute
    rows = family()
    rows[0][10] = "是"
    for r in rows[3:]:
        r[9] = "监测户"
    result = import_file(villages, write_xlsx(tmp_path / "r2.xlsx", rows))
    changes = result.plan.member_changes()
    assert {(c["field"], c["old"], c["new"]) for c in changes} == {
        ("是否享受低保", "否", "是"),
        ("户类型", "一般农户", "监测户"),
    }
    with villages.reading() as s:
        entries = s.execute(
            select(AuditEntry.table_name, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value).where(
                AuditEntry.action == "update"
            )
        ).all()
    assert sorted(entries) == [
        ("households", "household_type", "一般农户", "监测户"),
        ("members", "dibao", "否", "是"),
    ]
    assert counts(villages)[2] == before[2] + 2


def test_imported_inserts_name_the_file_and_form_inserts_keep_their_values(villages, tmp_path):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    with villages.unit() as s:
        hh = s.scalars(select(Household)).first()
        s.add(Member(household_id=hh.id, name="手工录入", relation="之孙子", id_number=pid(77)))
    with villages.reading() as s:
        rows = s.execute(
            select(AuditEntry.summary, AuditEntry.new_value, AuditEntry.household_id, AuditEntry.user).where(
                AuditEntry.table_name == "members", AuditEntry.action == "insert"
            )
        ).all()
    by_name = {r[0]: r for r in rows}
    assert len(by_name) == 6
    typed = json.loads(by_name["手工录入"][1])  # entered in a form: the values, as before
    assert typed["name"] == "手工录入" and typed["relation"] == "之孙子"
    imported = json.loads(by_name["张小明"][1])
    assert imported == {"source": "import", "file": "r.xlsx", "sheet": "Sheet1"}
    assert by_name["张小明"][2] is not None and by_name["张小明"][3] == "测试"
    with villages.reading() as s:
        hh_rows = s.scalars(select(AuditEntry.new_value).where(AuditEntry.table_name == "households")).all()
    assert len(hh_rows) == 2 and all(json.loads(v)["file"] == "r.xlsx" for v in hh_rows)


def test_person_in_another_household_is_moved_and_listed(villages, tmp_path):
    import_file(villages, write_xlsx(tmp_path / "r.xlsx", family()))
    rows = family()
    rows[4][3] = "H001"  # 王芳 now listed in 张大山's household
    rows[4][6] = "之儿媳"
    rows[4][9] = "脱贫户"
    rows[4][2] = "1组"
    result = import_file(villages, write_xlsx(tmp_path / "r2.xlsx", rows))
    moves = result.plan.moves()
    assert [(m["row"], m["person"], m["from"], m["to"]) for m in moves] == [
        (6, "王芳", "红星村 王建国户（户编号H002）", "红星村 张大山户（户编号H001）")
    ]
    assert (
        "警告：第6行“证件号码”列（F列），值“"
        + rows[4][5]
        + "”：此人已在另一户（红星村 王建国户（户编号H002）），"
        "导入后将迁入本户"
    ) in messages(result)
    with villages.reading() as s:
        wang = s.scalars(select(Member).where(Member.name == "王芳")).one()
        assert wang.household.code == "H001" and wang.relation == "之儿媳"
        fields = set(
            s.scalars(
                select(AuditEntry.field).where(AuditEntry.record_id == wang.id, AuditEntry.action == "update")
            )
        )
    assert fields == {"household_id", "relation"}


def test_exception_half_way_changes_nothing(villages, tmp_path, monkeypatch):
    import_file(villages, write_xlsx(tmp_path / "first.xlsx", family()))
    before = counts(villages)
    rows = family() + [person(40, "H003", "户主", "冯新"), person(41, "H003", "配偶", "陈新")]
    rows[0][10] = "是"  # a change through the ORM as well
    from fanpin_desktop.services.importer import write as write_mod

    real = write_mod.bulk_insert
    calls = []

    def failing(session, table, columns, **kw):
        calls.append(table.name)
        real(session, table, columns, **kw)
        if table.name == "members":
            raise RuntimeError("断电")

    monkeypatch.setattr(write_mod, "bulk_insert", failing)
    with pytest.raises(RuntimeError, match="断电"):
        import_file(villages, write_xlsx(tmp_path / "second.xlsx", rows))
    assert "members" in calls and "households" in calls  # it failed after writing rows
    assert counts(villages) == before
    with villages.reading() as s:
        assert s.scalars(select(Member.dibao).where(Member.name == "张大山")).one() is False


def test_dry_run_and_cancel_write_nothing(villages, tmp_path):
    from fanpin_desktop.services.importer import ImportCancelled

    path = write_xlsx(tmp_path / "r.xlsx", family())
    result = import_file(villages, path, dry_run=True)
    assert result.plan.counts["m_new"] == 5 and not result.written
    assert counts(villages) == (0, 0, FIXTURE_AUDIT)
    with pytest.raises(ImportCancelled):
        import_file(villages, path, cancelled=lambda: True)
    assert counts(villages) == (0, 0, FIXTURE_AUDIT)
