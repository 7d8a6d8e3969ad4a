"""A household's change history, read from the audit trail and worded for the clerk."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import facts
from fanpin_desktop.models import AuditEntry, IncomeRecord, Member, NaturalVillage, Village, VillageGroup
from fanpin_desktop.services.households.labels import (
    _COMMON_FIELD_LABELS,
    _FIELD_LABELS_BY_TABLE,
    TABLE_LABELS,
)
from fanpin_desktop.services.households.rows import household_label

# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    user: str
    action: str  # 新增 / 修改 / 删除
    subject: str  # e.g. 户信息, 家庭成员“张三”
    field: str  # Chinese field label ("" for inserts and deletes)
    old_value: str
    new_value: str

    @property
    def text(self) -> str:
        if self.field:
            return (
                f"{self.subject}的{self.field}：{self.old_value or '（空）'} → {self.new_value or '（空）'}"
            )
        if self.new_value:  # where an imported record came from
            return f"{self.action}{self.subject}（{self.new_value}）"
        return f"{self.action}{self.subject}"


_ACTIONS = {"insert": "新增", "update": "修改", "delete": "删除"}


def field_label(table_name: str, field_name: str) -> str:
    """The Chinese label of a column, for the change history."""
    label = _FIELD_LABELS_BY_TABLE.get(table_name, {}).get(field_name)
    return label or _COMMON_FIELD_LABELS.get(field_name) or facts.FIELD_LABELS.get(field_name, field_name)


def _display(table: str, field_name: str | None, value: str | None, names: dict[tuple[str, int], str]) -> str:
    if value is None:
        return ""
    if field_name in ("village_id", "group_id", "natural_village_id", "household_id") and value.isdigit():
        table_key = {
            "village_id": "villages",
            "group_id": "village_groups",
            "natural_village_id": "natural_villages",
            "household_id": "households",
        }[field_name]
        return names.get((table_key, int(value)), value)
    return value


def household_history(session: Session, household_id: int, limit: int = 1000) -> list[HistoryEntry]:
    """The household's changes (its own, its members', incomes', cases' …), newest first."""
    own = select(AuditEntry.id).where(AuditEntry.household_id == household_id)
    # A member who moved away is filed under the new household; show the move here too.
    moved_out = select(AuditEntry.id).where(
        AuditEntry.table_name == "members",
        AuditEntry.field == "household_id",
        AuditEntry.old_value == str(household_id),
    )
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.id.in_(own.union(moved_out)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    ).all()
    # Names for foreign keys and for member rows whose summary is missing.
    names: dict[tuple[str, int], str] = {}
    wanted: dict[str, set[int]] = {
        "villages": set(),
        "village_groups": set(),
        "natural_villages": set(),
        "households": set(),
    }
    for r in rows:
        if r.field in ("village_id", "group_id", "natural_village_id", "household_id"):
            table_key = {
                "village_id": "villages",
                "group_id": "village_groups",
                "natural_village_id": "natural_villages",
                "household_id": "households",
            }[r.field]
            for v in (r.old_value, r.new_value):
                if v and v.isdigit():
                    wanted[table_key].add(int(v))
    for model, key in (
        (Village, "villages"),
        (VillageGroup, "village_groups"),
        (NaturalVillage, "natural_villages"),
    ):
        if wanted[key]:
            for oid, name in session.execute(select(model.id, model.name).where(model.id.in_(wanted[key]))):
                names[(key, oid)] = name
    for hid in wanted["households"]:
        names[("households", hid)] = household_label(session, hid)
    member_names: dict[int, str] = {}
    member_ids = {r.record_id for r in rows if r.table_name == "members" and not r.summary and r.record_id}
    if member_ids:
        member_names = dict(
            session.execute(select(Member.id, Member.name).where(Member.id.in_(member_ids))).all()
        )
    income_years: dict[int, int] = {}
    income_ids = {r.record_id for r in rows if r.table_name == "income_records" and r.record_id}
    if income_ids:
        income_years = dict(
            session.execute(
                select(IncomeRecord.id, IncomeRecord.year).where(IncomeRecord.id.in_(income_ids))
            ).all()
        )

    out: list[HistoryEntry] = []
    for r in rows:
        table_label = TABLE_LABELS.get(r.table_name, r.table_name)
        subject = table_label
        if r.table_name == "members":
            name = r.summary or member_names.get(r.record_id) or ""
            subject = f"家庭成员“{name}”" if name else "家庭成员"
        elif r.table_name == "income_records":
            period = _period_of(r) or (
                f"{income_years[r.record_id]}年" if r.record_id in income_years else ""
            )
            subject = f"收支情况（{period}）" if period else "收支情况"
        label = field_label(r.table_name, r.field) if r.field else ""
        old = _display(r.table_name, r.field, r.old_value, names) if r.field else ""
        new = _display(r.table_name, r.field, r.new_value, names) if r.field else _imported_from(r)
        out.append(HistoryEntry(r.at, r.user, _ACTIONS.get(r.action, r.action), subject, label, old, new))
    return out


def _imported_from(r: AuditEntry) -> str:
    """“从“名册.xlsx”导入” for a record a roster import created (its entry names the file)."""
    if r.action != "insert" or not r.new_value or '"source":"import"' not in r.new_value:
        return ""
    try:
        data = json.loads(r.new_value)
    except ValueError:
        return ""
    return f"从“{data.get('file', '')}”导入" if data.get("source") == "import" else ""


def _period_of(r: AuditEntry) -> str:
    raw = r.new_value if r.action == "insert" else r.old_value if r.action == "delete" else None
    if not raw:
        return ""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return ""
    year = data.get("year")
    return f"{year}年" if year else ""
