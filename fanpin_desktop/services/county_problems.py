"""The county's problem list (县级反馈问题清单): records the national checkers flagged, sent down
to the township in any layout, matched to households by ID number and tracked to 已整改 /
无需整改 with a reason. Rows that match no household are kept (未匹配) until the clerk assigns a
household or marks them 不涉及本乡镇; re-importing the same file adds nothing.

API: ``preview`` → ``import_problems`` → ``list_problems`` / ``get_problem`` → ``resolve`` /
``reopen`` / ``assign_household`` / ``mark_not_local``; ``counts``; ``export_problems_xlsx``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, TableSheet, write_table
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Household, Member
from fanpin_desktop.models.region import Village
from fanpin_desktop.models.warnings import CountyProblem, ListImport
from fanpin_desktop.services import received_lists as rl
from fanpin_desktop.services.received_lists import (
    MATCHED,
    NOT_LOCAL,
    TO_CONFIRM,
    UNMATCHED,
    ListField,
    ListPreview,
)

KIND = "县级问题"
PENDING = "待整改"
FIXED = "已整改"
NO_NEED = "无需整改"
STATUSES = (PENDING, FIXED, NO_NEED)

FIELDS: tuple[ListField, ...] = (
    ListField("name", "姓名", ("人员姓名", "成员姓名", "户主姓名", "对象姓名")),
    ListField(
        "id_number",
        "证件号码",
        ("身份证号码", "身份证号", "公民身份号码", "证件号", "户主证件号码", "户主身份证号"),
    ),
    ListField("household_code", "户编号", ("家庭编号", "户码", "农户编号")),
    ListField("village", "行政村", ("村", "所属村", "村名", "村（社区）", "所在村")),
    ListField(
        "rule_code",
        "问题类型",
        ("规则编号", "疑点类型", "核查规则", "问题分类", "预警规则", "规则名称", "校验规则"),
    ),
    ListField(
        "problem",
        "问题描述",
        ("问题", "疑点描述", "疑点问题", "存在问题", "核查问题", "问题内容", "疑点数据说明", "说明"),
    ),
)


@dataclass
class ProblemImportResult:
    import_id: int | None
    file_name: str
    total_rows: int
    new: int
    already: int
    duplicates_in_file: int
    matched: int
    unmatched: int
    mapping_source: str = ""
    mapping_name: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        text = f"“{self.file_name}”共{self.total_rows}行：新收到{self.new}条，以前已收到{self.already}条"
        if self.duplicates_in_file:
            text += f"，文件内重复{self.duplicates_in_file}条"
        text += "。"
        if self.new:
            text += f"新收到的已匹配农户{self.matched}条，未匹配{self.unmatched}条。"
        return text


def preview(
    session: Session,
    path: str | Path,
    *,
    mapping_name: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> ListPreview:
    return rl.preview(
        session, path, KIND, None, FIELDS, mapping_name=mapping_name, sheet=sheet, header_row=header_row
    )


def save_mapping(
    session: Session, labels: list[str], columns: list[str | None], name: str | None = None
) -> str:
    return rl.save_columns(session, KIND, None, labels, columns, FIELDS, name)


def mapping_names(session: Session) -> list[str]:
    return rl.mapping_names(session, KIND)


def import_problems(
    session: Session,
    path: str | Path,
    *,
    mapping_name: str | None = None,
    columns: Sequence[str | None] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    received_on: dt.date | None = None,
    batch_label: str | None = None,
    control: Any = None,
) -> ProblemImportResult:
    """Import the county's list; rows received before add nothing."""
    started = time.perf_counter()
    pv = preview(session, path, mapping_name=mapping_name, sheet=sheet, header_row=header_row)
    cols = list(columns) if columns is not None else pv.columns
    present = set(cols)
    if "id_number" not in present and "household_code" not in present and "name" not in present:
        raise UserError(
            f"“{Path(path).name}”中没有找到“证件号码”“户编号”或“姓名”列，请指定各列对应的项目并保存对应关系"
        )
    received_on = received_on or dt.date.today()
    if control is not None:
        control.report(0, 2, "正在读取文件…")
    found = rl.new_rows(session, path, pv, cols, KIND, None, CountyProblem.fingerprint)
    parsed, already, dup = found.parsed, found.already, found.dup
    if control is not None:
        control.report(1, 2, "正在匹配农户…")
    matcher = rl.Matcher.load(session, {p[2] for p in parsed if p[3] and p[2]}, set())
    codes = sorted({p[0].values["household_code"] for p in parsed if p[0].values.get("household_code")})
    by_code: dict[str, int] = {}
    for i in range(0, len(codes), 900):
        by_code.update(
            session.execute(
                select(Household.code, Household.id).where(Household.code.in_(codes[i : i + 900]))
            ).all()
        )
    batch = rl.record_import(
        session,
        kind=KIND,
        department=None,
        path=path,
        pv=pv,
        columns=columns,
        found=found,
        received_on=received_on,
        batch_label=batch_label,
    )
    matched = unmatched = 0
    new_rows = []
    for r, fp, number, valid, problem_text in parsed:
        v = r.values
        hid = mid = None
        note = None
        status = UNMATCHED
        person = matcher.by_id.get(number) if valid and number else None
        if person is not None:
            hid, mid, status = person.household_id, person.member_id, MATCHED
        elif v.get("household_code") and v["household_code"] in by_code:
            hid, status = by_code[v["household_code"]], MATCHED
            note = f"按户编号{v['household_code']}匹配"
        elif valid and number:
            note = f"证件号码{number[:6]}…{number[-4:]}不在本乡镇的花名册中"
        else:
            note = problem_text
        matched += status == MATCHED
        unmatched += status == UNMATCHED
        text = v.get("problem") or v.get("rule_code") or "；".join(f"{k}：{x}" for k, x in r.raw.items())
        new_rows.append(
            CountyProblem(
                import_id=batch.id,
                row_number=r.row_number,
                received_on=received_on,
                batch_label=batch_label,
                person_name=(v.get("name") or "")[:40] or None,
                id_number=(number or "")[:22] or None,
                household_code=(v.get("household_code") or "")[:30] or None,
                village_name=(v.get("village") or "")[:40] or None,
                rule_code=(v.get("rule_code") or "")[:40] or None,
                problem=text,
                household_id=hid,
                member_id=mid,
                match_status=status,
                match_note=note,
                status=PENDING,
                fingerprint=fp,
                raw=r.raw,
            )
        )
    session.add_all(new_rows)
    session.flush()
    return ProblemImportResult(
        batch.id,
        batch.file_name,
        len(found.rows),
        len(parsed),
        already,
        dup,
        matched,
        unmatched,
        pv.mapping_source,
        pv.mapping_name,
        time.perf_counter() - started,
    )


@dataclass
class ProblemRow:
    id: int
    received_on: dt.date
    batch_label: str | None
    file_name: str | None
    row_number: int | None
    person_name: str | None
    id_number: str | None
    household_code: str | None  # as written in the file
    village_name: str | None
    rule_code: str | None
    problem: str
    household_id: int | None
    head_name: str | None
    household_village: str | None
    match_status: str
    match_note: str | None
    status: str
    resolution: str | None
    resolved_on: dt.date | None
    resolved_by: str | None
    raw: dict[str, str] = field(default_factory=dict)


def _rows(session: Session, stmt: Any) -> list[ProblemRow]:
    items = list(session.scalars(stmt))
    hids = sorted({p.household_id for p in items if p.household_id})
    info: dict[int, tuple[str | None, str | None]] = {}
    for i in range(0, len(hids), 900):
        chunk = hids[i : i + 900]
        villages = dict(
            session.execute(
                select(Household.id, Village.name)
                .join(Village, Village.id == Household.village_id)
                .where(Household.id.in_(chunk))
            ).all()
        )
        heads = dict(
            session.execute(
                select(Member.household_id, Member.name).where(
                    Member.household_id.in_(chunk), Member.relation == "户主"
                )
            ).all()
        )
        for hid in chunk:
            info[hid] = (heads.get(hid), villages.get(hid))
    files = dict(session.execute(select(ListImport.id, ListImport.file_name)).all()) if items else {}
    out = []
    for p in items:
        head, village = info.get(p.household_id, (None, None)) if p.household_id else (None, None)
        out.append(
            ProblemRow(
                p.id,
                p.received_on,
                p.batch_label,
                files.get(p.import_id),
                p.row_number,
                p.person_name,
                p.id_number,
                p.household_code,
                p.village_name,
                p.rule_code,
                p.problem,
                p.household_id,
                head,
                village,
                p.match_status,
                p.match_note,
                p.status,
                p.resolution,
                p.resolved_on,
                p.resolved_by,
                dict(p.raw or {}),
            )
        )
    return out


def list_problems(
    session: Session,
    *,
    status: str | None = None,
    match_status: str | None = None,
    import_id: int | None = None,
    household_id: int | None = None,
) -> list[ProblemRow]:
    stmt = select(CountyProblem).order_by(
        CountyProblem.received_on.desc(),
        CountyProblem.import_id.desc(),
        CountyProblem.row_number,
        CountyProblem.id,
    )
    if status:
        stmt = stmt.where(CountyProblem.status == status)
    if match_status:
        stmt = stmt.where(CountyProblem.match_status == match_status)
    if import_id is not None:
        stmt = stmt.where(CountyProblem.import_id == import_id)
    if household_id is not None:
        stmt = stmt.where(CountyProblem.household_id == household_id)
    return _rows(session, stmt)


def get_problem(session: Session, problem_id: int) -> ProblemRow:
    rows = _rows(session, select(CountyProblem).where(CountyProblem.id == problem_id))
    if not rows:
        raise ValidationError("problem", "所选问题不存在（可能已被删除），请刷新列表。")
    return rows[0]


def counts(session: Session) -> dict[str, int]:
    """待整改 / 已整改 / 无需整改 / 未匹配 / 不涉及本乡镇 counts."""
    out = {s: 0 for s in STATUSES} | {UNMATCHED: 0, NOT_LOCAL: 0}
    for status, n in session.execute(
        select(CountyProblem.status, func.count()).group_by(CountyProblem.status)
    ):
        out[status] = n
    for status, n in session.execute(
        select(CountyProblem.match_status, func.count())
        .where(CountyProblem.match_status.in_((UNMATCHED, NOT_LOCAL)))
        .group_by(CountyProblem.match_status)
    ):
        out[status] = n
    return out


def _problem(session: Session, problem_id: int) -> CountyProblem:
    p = session.get(CountyProblem, problem_id)
    if p is None:
        raise ValidationError("problem", "所选问题不存在（可能已被删除），请刷新列表。")
    return p


def _who(p: CountyProblem) -> str:
    return (
        f"县级反馈问题“{p.person_name or p.id_number or p.household_code or '（无姓名）'}：{p.problem[:30]}”"
    )


def resolve(
    session: Session, problem_id: int, status: str, reason: str = "", on: dt.date | None = None
) -> None:
    """Track an item to 已整改 (what was corrected) or 无需整改 (why) — a reason is required for both."""
    p = _problem(session, problem_id)
    if status not in (FIXED, NO_NEED):
        raise ValidationError("status", f"请选择整改结果：{FIXED}或{NO_NEED}。")
    reason = (reason or "").strip()
    if not reason:
        what = "整改了什么（如：已更正证件号码）" if status == FIXED else "不需要整改的原因"
        raise ValidationError("reason", f"请填写{_who(p)}{what}。")
    if p.match_status in (UNMATCHED, TO_CONFIRM) and status == FIXED:
        raise ValidationError(
            "household", f"{_who(p)}还没有匹配到农户，请先指定所属农户或标记为不涉及本乡镇。"
        )
    today = dt.date.today()
    on = on or today
    if on > today:
        raise ValidationError("on", "整改日期不能晚于今天。")
    p.status, p.resolution, p.resolved_on, p.resolved_by = status, reason, on, rl.user_of(session)


def reopen(session: Session, problem_id: int) -> None:
    p = _problem(session, problem_id)
    p.status, p.resolution, p.resolved_on, p.resolved_by = PENDING, None, None, None
    if p.match_status == NOT_LOCAL:
        p.match_status, p.match_note = UNMATCHED, "已撤销“不涉及本乡镇”"


def assign_household(session: Session, problem_id: int, household_id: int) -> None:
    p = _problem(session, problem_id)
    label = rl.household_label(session, household_id)
    p.household_id, p.member_id = household_id, None
    p.match_status = MATCHED
    p.match_note = f"{rl.user_of(session)}于{dt.date.today():%Y-%m-%d}指定为{label}"


def mark_not_local(session: Session, problem_id: int, reason: str) -> None:
    p = _problem(session, problem_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", f"请填写{_who(p)}不涉及本乡镇的原因。")
    p.household_id = p.member_id = None
    p.match_status, p.match_note = NOT_LOCAL, reason
    p.status, p.resolution, p.resolved_on, p.resolved_by = (
        NO_NEED,
        f"不涉及本乡镇：{reason}",
        dt.date.today(),
        rl.user_of(session),
    )


EXPORT_HEADER = (
    "序号",
    "接收日期",
    "文件",
    "行号",
    "姓名",
    "证件号码",
    "户编号",
    "行政村",
    "问题类型",
    "问题描述",
    "匹配情况",
    "户主",
    "整改状态",
    "整改情况/原因",
    "整改日期",
    "经办人",
)


def export_problems_xlsx(session: Session, path: str | Path, *, status: str | None = None) -> Path:
    rows = list_problems(session, status=status)
    data = [
        [
            i,
            p.received_on.isoformat(),
            p.file_name or "",
            p.row_number or "",
            p.person_name or "",
            p.id_number or "",
            p.household_code or "",
            p.village_name or p.household_village or "",
            p.rule_code or "",
            p.problem,
            p.match_status,
            p.head_name or "",
            p.status,
            p.resolution or "",
            p.resolved_on.isoformat() if p.resolved_on else "",
            p.resolved_by or "",
        ]
        for i, p in enumerate(rows, 1)
    ]
    return write_table(
        path,
        [
            TableSheet(
                "县级反馈问题",
                EXPORT_HEADER,
                data,
                titles=[PERSONAL_DATA_WARNING, "县级反馈问题整改情况"],
                text_columns={5, 6},
                widths={5: 21, 9: 40, 13: 40},
            )
        ],
    )
