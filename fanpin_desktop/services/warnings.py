"""Department warnings (部门筛查预警, DOMAIN.md §6): import any layout, match, check, close.

Nothing received is lost: every non-empty row of a received file becomes a ``DepartmentWarning``
(its cells kept as JSON) unless the same row was received before (a fingerprint of the department
and the row's normalised content is unique), and every warning is matched to a household —
已匹配 by a valid ID number, 待确认 when found only by name and village (the clerk confirms), or
未匹配 until the clerk assigns a household or marks it 不涉及本乡镇. Each warning is closed with an
outcome: 纳入监测 (opens a 线索 case with source 部门预警), 已是监测对象, or 不符合 with a reason.

API used by the UI (warnings pages) and ``fanpin warnings``:
``preview`` → ``import_warnings`` → ``list_warnings`` / ``get_warning`` → ``confirm_match`` /
``assign_household`` / ``mark_not_local`` / ``set_outcome`` / ``clear_outcome``;
``monthly_summary`` and ``export_summary_xlsx``; ``thresholds_for`` / ``set_thresholds``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fanpin_desktop.documents.xlsx_util import PERSONAL_DATA_WARNING, TableSheet, write_table
from fanpin_desktop.domain.cases import CASE_NOT_INCLUDED, MONITORED_CASE_STATUSES
from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import DepartmentWarning, Household, Member, MonitoringCase
from fanpin_desktop.models.region import Village
from fanpin_desktop.models.warnings import ListImport
from fanpin_desktop.services import received_lists as rl
from fanpin_desktop.services import settings as settings_service
from fanpin_desktop.services.received_lists import (
    MATCHED,
    NOT_LOCAL,
    TO_CONFIRM,
    UNMATCHED,
    ListField,
    ListPreview,
)

KIND = "部门预警"
DEPARTMENTS: tuple[str, ...] = (
    "医保",
    "卫健",
    "残联",
    "住建",
    "水利",
    "民政",
    "人社",
    "教委",
    "应急",
    "农业农村",
    "网信",
    "其他",
)
MEDICAL_DEPARTMENTS = ("医保", "卫健")

OUTCOME_INCLUDE = "纳入监测"
OUTCOME_ALREADY = "已是监测对象"
OUTCOME_REJECT = "不符合"
OUTCOMES = (OUTCOME_INCLUDE, OUTCOME_ALREADY, OUTCOME_REJECT)

STATUS_OPEN = "待核实"
STATUS_CLOSED = "已办结"

DEFAULT_SINGLE_LIMIT = Decimal(10000)
DEFAULT_YEARLY_LIMIT = Decimal(30000)

FIELDS: tuple[ListField, ...] = (
    ListField(
        "name", "姓名", ("人员姓名", "患者姓名", "参保人姓名", "参保人", "户主姓名", "预警对象", "对象姓名")
    ),
    ListField(
        "id_number",
        "证件号码",
        ("身份证号码", "身份证号", "公民身份号码", "证件号", "社会保障号码", "社保卡号", "残疾人证号"),
    ),
    ListField("village", "行政村", ("村", "所属村", "村名", "村（社区）", "村社区", "所在村", "村委会")),
    ListField("group", "组", ("村民小组", "组别", "所在组", "小组")),
    ListField(
        "reason",
        "预警原因",
        ("预警事项", "预警类型", "预警内容", "预警信息", "事项", "原因", "风险类型", "问题描述", "备注说明"),
    ),
    ListField(
        "amount",
        "金额",
        (
            "个人自付金额",
            "个人自付",
            "自付金额",
            "自付费用",
            "个人负担",
            "个人负担金额",
            "单次自付金额",
            "本次自付金额",
            "金额（元）",
            "金额(元)",
        ),
    ),
    ListField(
        "yearly_amount",
        "年度累计金额",
        ("年度累计自付", "年度累计自付金额", "累计自付金额", "年度自付金额", "全年自付金额", "累计金额"),
    ),
    ListField(
        "date", "日期", ("结算日期", "发生日期", "预警日期", "出院日期", "就诊日期", "时间", "日期时间")
    ),
)
FIELD_LABELS = {f.key: f.label for f in FIELDS}


# --------------------------------------------------------------------------- thresholds


@dataclass(frozen=True)
class Thresholds:
    """医保 limits of one year: single self-paid and yearly self-paid, with the 文号 setting them."""

    year: int
    single: Decimal
    yearly: Decimal
    doc: str = ""


def thresholds_for(session: Session, year: int) -> Thresholds:
    """The year's limits from settings (``warning_thresholds``), else the nearest earlier year's,
    else 10,000 / 30,000 元."""
    table = dict(settings_service.load(session).warning_thresholds or {})
    years = sorted(int(y) for y in table if str(y).isdigit() and int(y) <= year)
    if not years:
        return Thresholds(year, DEFAULT_SINGLE_LIMIT, DEFAULT_YEARLY_LIMIT)
    entry = table[str(years[-1])] or {}
    return Thresholds(
        year,
        Decimal(str(entry.get("single") or DEFAULT_SINGLE_LIMIT)),
        Decimal(str(entry.get("yearly") or DEFAULT_YEARLY_LIMIT)),
        str(entry.get("doc") or ""),
    )


def set_thresholds(
    session: Session, year: int, single: Decimal | float | int, yearly: Decimal | float | int, doc: str = ""
) -> None:
    """Store the year's limits and re-flag every medical warning."""
    single, yearly = Decimal(str(single)), Decimal(str(yearly))
    if single <= 0 or yearly <= 0:
        raise ValidationError("single", "单次和年度自付金额的限额都应大于0元。")
    if yearly < single:
        raise ValidationError("yearly", "年度累计自付限额不应小于单次自付限额。")
    table = dict(settings_service.load(session).warning_thresholds or {})
    table[str(year)] = {"single": float(single), "yearly": float(yearly), "doc": (doc or "").strip()}
    settings_service.update(session, warning_thresholds=table)
    for dept in MEDICAL_DEPARTMENTS:
        refresh_thresholds(session, dept)


def _money(v: Decimal) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".") if v != v.to_integral() else f"{int(v):,}"


def _person_key(id_number: str | None, name: str | None, village: str | None) -> str:
    return id_number or f"{name or ''}|{village or ''}"


THRESHOLD_COLUMNS = (
    "id_number",
    "person_name",
    "village_name",
    "warning_date",
    "received_on",
    "amount",
    "yearly_amount",
)


def _threshold_flags(session: Session, department: str, new: list[dict[str, Any]]) -> int:
    """Set ``over_threshold`` / ``threshold_reason`` in the ``new`` row dicts and on the stored
    warnings of the department whose flags change (their yearly totals now include the new rows).
    Only 医保/卫健 are flagged. Returns how many of ``new`` are over a limit."""
    t = DepartmentWarning.__table__
    stored = session.execute(
        select(t.c.id, t.c.over_threshold, t.c.threshold_reason, *(t.c[k] for k in THRESHOLD_COLUMNS)).where(
            t.c.department == department
        )
    ).all()
    medical = department in MEDICAL_DEPARTMENTS
    items: list[tuple[dict[str, Any], Any]] = [(dict(r._mapping), r) for r in stored] + [
        (d, None) for d in new
    ]
    totals: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for d, _r in items:
        if d["amount"] is not None:
            totals[(_person_key(d["id_number"], d["person_name"], d["village_name"]), _year_of(d))] += (
                Decimal(d["amount"])
            )
    cache: dict[int, Thresholds] = {}
    flagged = 0
    for d, r in items:
        reasons = []
        if medical:
            year = _year_of(d)
            lim = cache.get(year) or cache.setdefault(year, thresholds_for(session, year))
            doc = f"（{lim.doc}）" if lim.doc else ""
            amount = None if d["amount"] is None else Decimal(d["amount"])
            if amount is not None and amount > lim.single:
                reasons.append(
                    f"单次个人自付{_money(amount)}元，超过{year}年单次限额{_money(lim.single)}元{doc}"
                )
            key = (_person_key(d["id_number"], d["person_name"], d["village_name"]), year)
            yearly = max(Decimal(d["yearly_amount"] or 0), totals.get(key, Decimal(0)))
            if yearly > lim.yearly:
                reasons.append(
                    f"{year}年累计个人自付{_money(yearly)}元，超过年度限额{_money(lim.yearly)}元{doc}"
                )
        over, text = bool(reasons), "；".join(reasons) or None
        if r is None:
            d["over_threshold"], d["threshold_reason"] = over, text
            flagged += over
        elif bool(r.over_threshold) != over or r.threshold_reason != text:
            w = session.get(DepartmentWarning, r.id)
            w.over_threshold, w.threshold_reason = over, text
    return flagged


def flag_new_rows(session: Session, department: str, rows: list[dict[str, Any]]) -> int:
    """``over_threshold`` / ``threshold_reason`` set in rows about to be inserted (an import, the
    demo township); how many are over a limit."""
    return _threshold_flags(session, department, rows)


def refresh_thresholds(session: Session, department: str) -> None:
    """Re-flag the department's stored warnings (after the limits changed)."""
    session.flush()
    _threshold_flags(session, department, [])


def _year_of(d: dict[str, Any]) -> int:
    return (d["warning_date"] or d["received_on"]).year


# --------------------------------------------------------------------------- import


@dataclass
class ImportResult:
    import_id: int | None
    department: str
    file_name: str
    total_rows: int  # non-empty data rows in the file
    new: int  # stored now
    already: int  # received before (same department, same row content)
    duplicates_in_file: int  # the same row twice in this file (stored once)
    matched: int  # of the new rows
    to_confirm: int
    unmatched: int
    over_threshold: int
    mapping_source: str = ""
    mapping_name: str | None = None
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [
            f"“{self.file_name}”共{self.total_rows}行：新收到{self.new}条",
            f"以前已收到{self.already}条",
        ]
        if self.duplicates_in_file:
            parts.append(f"文件内重复{self.duplicates_in_file}条")
        text = "，".join(parts) + "。"
        if self.new:
            text += f"新收到的已匹配{self.matched}条，待确认{self.to_confirm}条，未匹配{self.unmatched}条"
            text += f"，超过限额{self.over_threshold}条。" if self.department in MEDICAL_DEPARTMENTS else "。"
        return text


def _check_department(department: str) -> str:
    department = (department or "").strip()
    if not department:
        raise ValidationError("department", f"请选择预警部门：{'、'.join(DEPARTMENTS)}。")
    if len(department) > 20:
        raise ValidationError("department", "部门名称不能超过20个字。")
    return department


def preview(
    session: Session,
    path: str | Path,
    department: str,
    *,
    mapping_name: str | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
) -> ListPreview:
    """The file's header and column mapping (saved per department), before importing."""
    department = _check_department(department)
    return rl.preview(
        session, path, KIND, department, FIELDS, mapping_name=mapping_name, sheet=sheet, header_row=header_row
    )


def save_mapping(
    session: Session, department: str, labels: list[str], columns: list[str | None], name: str | None = None
) -> str:
    """Save the clerk's mapping for this department (picked again for the same headers)."""
    return rl.save_columns(session, KIND, _check_department(department), labels, columns, FIELDS, name)


def mapping_names(session: Session, department: str | None = None) -> list[str]:
    return rl.mapping_names(session, KIND, department)


def import_warnings(
    session: Session,
    path: str | Path,
    department: str,
    *,
    mapping_name: str | None = None,
    columns: Sequence[str | None] | None = None,
    sheet: str | int | None = None,
    header_row: int | None = None,
    received_on: dt.date | None = None,
    batch_label: str | None = None,
    control: Any = None,
) -> ImportResult:
    """Import a department's list; rows received before add nothing. ``columns`` (one field key or
    None per header column) overrides the saved/auto mapping, e.g. as edited in the preview."""
    import time

    started = time.perf_counter()
    department = _check_department(department)
    pv = preview(session, path, department, mapping_name=mapping_name, sheet=sheet, header_row=header_row)
    cols = list(columns) if columns is not None else pv.columns
    present = set(cols)
    if "id_number" not in present and "name" not in present:
        raise UserError(
            f"“{Path(path).name}”中没有找到“证件号码”或“姓名”列（表头：{'、'.join(x for x in pv.labels if x)}），"
            "请在导入时指定各列对应的项目并保存对应关系"
        )
    received_on = received_on or dt.date.today()
    if control is not None:
        control.report(0, 3, "正在读取文件…")
    found = rl.new_rows(session, path, pv, cols, KIND, department, DepartmentWarning.fingerprint)
    parsed, already, dup = found.parsed, found.already, found.dup
    if control is not None:
        control.report(1, 3, "正在匹配农户…")
    matcher = rl.Matcher.load(
        session,
        {p[2] for p in parsed if p[3] and p[2]},
        {rl._norm_name(p[0].values["name"]) for p in parsed if p[0].values.get("name")},
    )
    batch = rl.record_import(
        session,
        kind=KIND,
        department=department,
        path=path,
        pv=pv,
        columns=columns,
        found=found,
        received_on=received_on,
        batch_label=batch_label,
    )
    counts = {MATCHED: 0, TO_CONFIRM: 0, UNMATCHED: 0}
    new_rows: list[dict[str, Any]] = []
    for r, fp, number, valid, problem in parsed:
        v = r.values
        name = v.get("name")
        village = v.get("village")
        m = matcher.match(name, village, number, valid, problem)
        counts[m.status] += 1
        reason = v.get("reason") or ""
        if not reason:
            reason = f"{department}预警" + (f"（金额{v['amount']}）" if v.get("amount") else "")
        new_rows.append(
            {
                "department": department,
                "received_on": received_on,
                "batch_label": batch_label,
                "person_name": (name or "")[:40] or None,
                "id_number": (number or "")[:22] or None,
                "household_id": m.household_id,
                "member_id": m.member_id,
                "reason": reason,
                "amount": rl.parse_amount(v.get("amount")),
                "yearly_amount": rl.parse_amount(v.get("yearly_amount")),
                "warning_date": rl.parse_date(v.get("date")),
                "village_name": (village or "")[:40] or None,
                "group_name": (v.get("group") or "")[:20] or None,
                "status": STATUS_OPEN,
                "match_status": m.status,
                "match_note": m.note,
                "fingerprint": fp,
                "raw": r.raw,
                "import_id": batch.id,
                "row_number": r.row_number,
            }
        )
    if control is not None:
        control.report(2, 3, "正在比对限额…")
    over = _threshold_flags(session, department, new_rows)
    _bulk_insert(session, new_rows, batch.file_name)
    return ImportResult(
        batch.id,
        department,
        batch.file_name,
        len(found.rows),
        len(parsed),
        already,
        dup,
        counts[MATCHED],
        counts[TO_CONFIRM],
        counts[UNMATCHED],
        over,
        pv.mapping_source,
        pv.mapping_name,
        time.perf_counter() - started,
    )


def _bulk_insert(session: Session, rows: list[dict[str, Any]], file_name: str) -> None:
    """INSERT the new warnings through Core (the roster importer's ``bulk_insert``) and their
    audit entries in one ``INSERT … SELECT`` naming the file (the importer's ``insert_entries``)."""
    from fanpin_desktop.db import audit_json
    from fanpin_desktop.services.importer.write import bulk_insert, insert_entries

    if not rows:
        return
    session.flush()
    t = DepartmentWarning.__table__
    before = session.scalar(select(func.max(t.c.id))) or 0
    bulk_insert(session, t, {k: [r[k] for r in rows] for k in rows[0]})
    after = session.scalar(select(func.max(t.c.id))) or 0
    source = audit_json({"source": "import", "file": file_name, "kind": KIND})
    insert_entries(
        session, t, before + 1, after, rl.user_of(session), dt.datetime.now().replace(microsecond=0), source
    )


# --------------------------------------------------------------------------- reading


@dataclass
class WarningRow:
    """One warning as the lists and the detail show it (ID numbers in full: internal use)."""

    id: int
    department: str
    received_on: dt.date
    batch_label: str | None
    person_name: str | None
    id_number: str | None
    village_name: str | None
    group_name: str | None
    reason: str
    amount: Decimal | None
    yearly_amount: Decimal | None
    warning_date: dt.date | None
    match_status: str
    match_note: str | None
    household_id: int | None
    household_code: str | None
    head_name: str | None
    household_village: str | None
    member_id: int | None
    over_threshold: bool
    threshold_reason: str | None
    status: str
    outcome: str | None
    outcome_reason: str | None
    checked_on: dt.date | None
    checked_by: str | None
    case_id: int | None
    row_number: int | None
    file_name: str | None
    raw: dict[str, str] = field(default_factory=dict)

    @property
    def pending(self) -> bool:
        return self.outcome is None and self.match_status != NOT_LOCAL


def _rows(session: Session, stmt: Any) -> list[WarningRow]:
    warnings = list(session.scalars(stmt))
    hids = {w.household_id for w in warnings if w.household_id}
    heads: dict[int, tuple[str | None, str, str]] = {}
    hid_list = sorted(hids)
    for i in range(0, len(hid_list), 900):
        chunk = hid_list[i : i + 900]
        for hid, code, vname in session.execute(
            select(Household.id, Household.code, Village.name)
            .join(Village, Village.id == Household.village_id)
            .where(Household.id.in_(chunk))
        ):
            heads[hid] = (code, "", vname)
        for hid, name in session.execute(
            select(Member.household_id, Member.name).where(
                Member.household_id.in_(chunk), Member.relation == "户主"
            )
        ):
            code, _n, vname = heads.get(hid, (None, "", ""))
            heads[hid] = (code, name, vname)
    files = dict(session.execute(select(ListImport.id, ListImport.file_name)).all()) if warnings else {}
    out = []
    for w in warnings:
        code, head, vname = (
            heads.get(w.household_id, (None, None, None)) if w.household_id else (None, None, None)
        )
        out.append(
            WarningRow(
                w.id,
                w.department,
                w.received_on,
                w.batch_label,
                w.person_name,
                w.id_number,
                w.village_name,
                w.group_name,
                w.reason,
                w.amount,
                w.yearly_amount,
                w.warning_date,
                w.match_status,
                w.match_note,
                w.household_id,
                code,
                head or None,
                vname,
                w.member_id,
                bool(w.over_threshold),
                w.threshold_reason,
                w.status,
                w.outcome,
                w.outcome_reason,
                w.checked_on,
                w.checked_by,
                w.case_id,
                w.row_number,
                files.get(w.import_id),
                dict(w.raw or {}),
            )
        )
    return out


def month_range(month: str | dt.date) -> tuple[dt.date, dt.date]:
    """``2026-11`` (or any date in it) → (first day, first day of the next month)."""
    if isinstance(month, dt.date):
        first = month.replace(day=1)
    else:
        try:
            y, m = str(month).strip().replace("/", "-").replace("年", "-").rstrip("月").split("-")[:2]
            first = dt.date(int(y), int(m), 1)
        except (ValueError, TypeError):
            raise UserError(f"月份“{month}”格式应为 YYYY-MM（如 2026-11）") from None
    nxt = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return first, nxt


def list_warnings(
    session: Session,
    *,
    department: str | None = None,
    pending: bool = False,
    match_status: str | None = None,
    month: str | dt.date | None = None,
    over_threshold: bool | None = None,
    household_id: int | None = None,
) -> list[WarningRow]:
    """Warnings, newest received first. ``pending``: no outcome yet (不涉及本乡镇 excluded)."""
    stmt = select(DepartmentWarning).order_by(
        DepartmentWarning.received_on.desc(),
        DepartmentWarning.import_id.desc(),
        DepartmentWarning.row_number,
        DepartmentWarning.id,
    )
    if department:
        stmt = stmt.where(DepartmentWarning.department == department)
    if pending:
        stmt = stmt.where(DepartmentWarning.outcome.is_(None), DepartmentWarning.match_status != NOT_LOCAL)
    if match_status:
        stmt = stmt.where(DepartmentWarning.match_status == match_status)
    if month is not None:
        first, nxt = month_range(month)
        stmt = stmt.where(DepartmentWarning.received_on >= first, DepartmentWarning.received_on < nxt)
    if over_threshold is not None:
        stmt = stmt.where(DepartmentWarning.over_threshold.is_(over_threshold))
    if household_id is not None:
        stmt = stmt.where(DepartmentWarning.household_id == household_id)
    return _rows(session, stmt)


def get_warning(session: Session, warning_id: int) -> WarningRow:
    rows = _rows(session, select(DepartmentWarning).where(DepartmentWarning.id == warning_id))
    if not rows:
        raise ValidationError("warning", "所选预警不存在（可能已被删除），请刷新列表。")
    return rows[0]


# --------------------------------------------------------------------------- matching by the clerk


def _warning(session: Session, warning_id: int) -> DepartmentWarning:
    w = session.get(DepartmentWarning, warning_id)
    if w is None:
        raise ValidationError("warning", "所选预警不存在（可能已被删除），请刷新列表。")
    return w


def _who(w: DepartmentWarning) -> str:
    return f"{w.department}预警“{w.person_name or w.id_number or '（无姓名）'}”（第{w.row_number or '?'}行）"


def confirm_match(session: Session, warning_id: int) -> None:
    """The clerk confirms a 待确认 match (found by name and village, or a name that differs)."""
    w = _warning(session, warning_id)
    if w.match_status != TO_CONFIRM or w.household_id is None:
        raise ValidationError("match", f"{_who(w)}不是待确认状态（现为{w.match_status}），无需确认。")
    w.match_status = MATCHED
    w.match_note = (w.match_note or "") + f"（{rl.user_of(session)}于{dt.date.today():%Y-%m-%d}确认）"


def assign_household(
    session: Session, warning_id: int, household_id: int, member_id: int | None = None
) -> None:
    """Attach an unmatched (or wrongly matched, not yet closed) warning to a household."""
    w = _warning(session, warning_id)
    if w.outcome is not None:
        raise ValidationError("household", f"{_who(w)}已有核实结果“{w.outcome}”，请先撤销结果再改所属农户。")
    label = rl.household_label(session, household_id)
    if member_id is not None:
        m = session.get(Member, member_id)
        if m is None or m.household_id != household_id:
            raise ValidationError("member", "所选成员不属于该农户，请重新选择。")
    w.household_id, w.member_id = household_id, member_id
    w.match_status = MATCHED
    w.match_note = f"{rl.user_of(session)}于{dt.date.today():%Y-%m-%d}指定为{label}"


def mark_not_local(session: Session, warning_id: int, reason: str) -> None:
    """An unmatched warning about someone outside the township: kept, closed with the reason."""
    w = _warning(session, warning_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("reason", f"请填写{_who(w)}不涉及本乡镇的原因（如：户籍在其他乡镇）。")
    if w.outcome is not None:
        raise ValidationError("household", f"{_who(w)}已有核实结果“{w.outcome}”，请先撤销结果。")
    w.household_id = w.member_id = None
    w.match_status = NOT_LOCAL
    w.match_note = reason
    w.status = STATUS_CLOSED
    w.checked_on = dt.date.today()
    w.checked_by = rl.user_of(session)


# --------------------------------------------------------------------------- outcomes


def _open_case(session: Session, household_id: int) -> MonitoringCase | None:
    from fanpin_desktop.services.cases.editing import CLOSED_STATUSES

    return session.scalars(
        select(MonitoringCase)
        .where(MonitoringCase.household_id == household_id, MonitoringCase.status.not_in(CLOSED_STATUSES))
        .order_by(MonitoringCase.clue_date.desc(), MonitoringCase.id.desc())
    ).first()


def _monitored_case(session: Session, household_id: int) -> MonitoringCase | None:
    return session.scalars(
        select(MonitoringCase)
        .where(
            MonitoringCase.household_id == household_id, MonitoringCase.status.in_(MONITORED_CASE_STATUSES)
        )
        .order_by(MonitoringCase.clue_date.desc(), MonitoringCase.id.desc())
    ).first()


@dataclass
class OutcomeResult:
    outcome: str
    case_id: int | None
    case_created: bool
    message: str


def set_outcome(
    session: Session, warning_id: int, outcome: str, *, reason: str = "", on: dt.date | None = None
) -> OutcomeResult:
    """Close a warning: 纳入监测 opens a 线索 case (source 部门预警) — or, if the household already
    has an open case, links it and records 已是监测对象; 已是监测对象 links the household's case;
    不符合 needs a reason. Date ``on`` (default today) and the database user are recorded."""
    from fanpin_desktop.services.cases.editing import open_case

    w = _warning(session, warning_id)
    outcome = (outcome or "").strip()
    if outcome not in OUTCOMES:
        raise ValidationError("outcome", f"请选择核实结果：{'、'.join(OUTCOMES)}。")
    if w.outcome is not None:
        raise ValidationError("outcome", f"{_who(w)}已有核实结果“{w.outcome}”，如需修改请先撤销。")
    if w.match_status == NOT_LOCAL:
        raise ValidationError("outcome", f"{_who(w)}已标记为不涉及本乡镇，不需要核实结果。")
    today = dt.date.today()
    on = on or today
    if on > today:
        raise ValidationError("on", "核实日期不能晚于今天。")
    reason = (reason or "").strip()
    if outcome != OUTCOME_REJECT or reason:
        pass
    else:
        raise ValidationError("reason", f"请填写{_who(w)}不符合纳入监测条件的原因。")
    if outcome in (OUTCOME_INCLUDE, OUTCOME_ALREADY):
        if w.household_id is None:
            raise ValidationError("household", f"{_who(w)}还没有匹配到农户，请先指定所属农户。")
        if w.match_status == TO_CONFIRM:
            raise ValidationError(
                "match", f"{_who(w)}的匹配待确认：{w.match_note or ''}。请先确认是否同一人。"
            )
    case_id: int | None = None
    created = False
    message = ""
    if outcome == OUTCOME_INCLUDE:
        existing = _open_case(session, w.household_id)
        if existing is not None:
            outcome, case_id = OUTCOME_ALREADY, existing.id
            message = f"本户已有未办结的监测记录（{existing.status}），已关联该记录，结果记为“已是监测对象”。"
        else:
            clue_date = min(w.warning_date or w.received_on, today)
            note = f"{w.department}预警：{w.reason}"
            if w.threshold_reason:
                note += f"（{w.threshold_reason}）"
            case_id = open_case(
                session, w.household_id, source="部门预警", clue_date=clue_date, note=note[:500]
            )
            created = True
            message = "已新建监测线索（来源：部门预警）。"
    elif outcome == OUTCOME_ALREADY:
        case = _open_case(session, w.household_id) or _monitored_case(session, w.household_id)
        if case is None or case.status == CASE_NOT_INCLUDED:
            raise ValidationError(
                "outcome",
                f"{rl.household_label(session, w.household_id)}没有监测记录，不是监测对象；请选“纳入监测”或“不符合”。",
            )
        case_id = case.id
        message = f"已关联本户的监测记录（{case.status}）。"
    else:
        message = "已记为不符合。"
    w.outcome, w.outcome_reason, w.case_id = outcome, reason or None, case_id
    w.status, w.checked_on, w.checked_by = STATUS_CLOSED, on, rl.user_of(session)
    w.match_status = MATCHED if w.household_id else w.match_status
    return OutcomeResult(outcome, case_id, created, message)


def clear_outcome(session: Session, warning_id: int) -> None:
    """Undo an outcome (the case it opened stays: delete it in the case editor if wrong)."""
    w = _warning(session, warning_id)
    if w.match_status == NOT_LOCAL:
        w.match_status = UNMATCHED
        w.match_note = "已撤销“不涉及本乡镇”"
    w.outcome = w.outcome_reason = None
    w.case_id = None
    w.status, w.checked_on, w.checked_by = STATUS_OPEN, None, None


# --------------------------------------------------------------------------- monthly summary


@dataclass
class MonthSummary:
    department: str
    month: str  # YYYY-MM
    received: int = 0
    matched: int = 0
    to_confirm: int = 0
    unmatched: int = 0
    not_local: int = 0
    included: int = 0
    already: int = 0
    rejected: int = 0
    pending: int = 0
    over_threshold: int = 0


SUMMARY_HEADER = (
    "部门",
    "月份",
    "收到",
    "已匹配",
    "待确认",
    "未匹配",
    "不涉及本乡镇",
    "纳入监测",
    "已是监测对象",
    "不符合",
    "待核实",
    "超过限额",
)


def _summary_values(s: MonthSummary) -> list[Any]:
    return [
        s.department,
        s.month,
        s.received,
        s.matched,
        s.to_confirm,
        s.unmatched,
        s.not_local,
        s.included,
        s.already,
        s.rejected,
        s.pending,
        s.over_threshold,
    ]


def monthly_summary(
    session: Session, month: str | dt.date, department: str | None = None
) -> list[MonthSummary]:
    """Counts per department of the warnings received in the month (by 接收日期)."""
    first, _nxt = month_range(month)
    label = f"{first:%Y-%m}"
    out: dict[str, MonthSummary] = {}
    for w in list_warnings(session, department=department, month=first):
        s = out.setdefault(w.department, MonthSummary(w.department, label))
        s.received += 1
        if w.match_status == MATCHED:
            s.matched += 1
        elif w.match_status == TO_CONFIRM:
            s.to_confirm += 1
        elif w.match_status == UNMATCHED:
            s.unmatched += 1
        else:
            s.not_local += 1
        if w.outcome == OUTCOME_INCLUDE:
            s.included += 1
        elif w.outcome == OUTCOME_ALREADY:
            s.already += 1
        elif w.outcome == OUTCOME_REJECT:
            s.rejected += 1
        elif w.pending:
            s.pending += 1
        s.over_threshold += w.over_threshold
    if department and department not in out:
        out[department] = MonthSummary(department, label)
    return [out[d] for d in sorted(out, key=lambda d: (DEPARTMENTS.index(d) if d in DEPARTMENTS else 99, d))]


DETAIL_HEADER = (
    "序号",
    "部门",
    "接收日期",
    "文件",
    "行号",
    "姓名",
    "证件号码",
    "行政村",
    "组",
    "预警原因",
    "金额",
    "日期",
    "超过限额",
    "匹配情况",
    "匹配说明",
    "户主",
    "户编号",
    "核实结果",
    "原因",
    "核实日期",
    "核实人",
)


def export_summary_xlsx(
    session: Session, path: str | Path, month: str | dt.date, department: str | None = None
) -> Path:
    """The month's summary (counts) and every warning's outcome, for the department."""
    first, _ = month_range(month)
    sums = monthly_summary(session, first, department)
    rows = list_warnings(session, department=department, month=first)
    who = department or "各部门"
    title = f"{first.year}年{first.month}月{who}预警核实情况"
    detail = []
    for i, w in enumerate(
        sorted(rows, key=lambda r: (r.department, r.received_on, r.row_number or 0, r.id)), 1
    ):
        detail.append(
            [
                i,
                w.department,
                w.received_on.isoformat(),
                w.file_name or "",
                w.row_number or "",
                w.person_name or "",
                w.id_number or "",
                w.village_name or "",
                w.group_name or "",
                w.reason,
                "" if w.amount is None else float(w.amount),
                w.warning_date.isoformat() if w.warning_date else "",
                w.threshold_reason or "",
                w.match_status,
                w.match_note or "",
                w.head_name or "",
                w.household_code or "",
                w.outcome or ("" if not w.pending else "待核实"),
                w.outcome_reason or "",
                w.checked_on.isoformat() if w.checked_on else "",
                w.checked_by or "",
            ]
        )
    sheets = [
        TableSheet("汇总", SUMMARY_HEADER, [_summary_values(s) for s in sums], titles=[title]),
        TableSheet(
            "明细",
            DETAIL_HEADER,
            detail,
            titles=[PERSONAL_DATA_WARNING, title],
            text_columns={6, 16},
            widths={6: 21, 9: 30, 12: 40, 14: 40},
        ),
    ]
    return write_table(path, sheets)
