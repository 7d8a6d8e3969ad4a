"""Typed application settings stored in the ``settings`` table; keys and defaults live only here."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain.deadlines import DeadlineRules
from fanpin_desktop.models import Setting
from fanpin_desktop.services import thresholds


@dataclass
class TownshipSettings:
    province: str = ""
    city: str = ""
    county: str = ""
    township: str = ""
    township_phone: str = ""  # 乡镇监督电话 printed on notices
    county_phone: str = ""  # 县级监督电话
    supervision_phone: str = "12317"  # 全国防止返贫监测和衔接推进乡村振兴监督举报电话
    threshold_region: str = ""  # which thresholds row applies (e.g. 六安市); empty = 全国
    publicity_days: int = 5
    publicity_working_days: bool = True  # 5 working days in most places; some use calendar days
    notice_shows_risks: bool = False  # 村级公示 prints a 主要风险 column (risk types, never health)
    # internal sheets with full ID numbers (附件4, roster, case sheets, 采集表) print/export them
    # masked (first 6 and last 4 kept) when they leave the office; the national export never is
    mask_ids_outgoing: bool = False
    clue_to_identification_days: int = 15
    identification_to_measures_days: int = 10
    visit_every_months: int = 1  # 帮扶联系人 visits at least monthly while the risk lasts
    review_every_months: int = 3  # every open case reviewed at least quarterly
    eliminate_after_months: int = 6  # 帮扶消除 not before six months after identification
    backup_keep: int = 10  # automatic backups kept
    last_backup_at: str = ""  # ISO timestamp of the last automatic backup
    # 部门预警 medical limits per year: {"2026": {"single": 10000, "yearly": 30000, "doc": "文号"}};
    # a year not listed uses the nearest earlier year's, else 10,000 / 30,000 元 (services/warnings.py)
    warning_thresholds: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


_FIELDS = {f.name for f in dataclasses.fields(TownshipSettings)}


def load(session: Session) -> TownshipSettings:
    stored = {row.key: row.value for row in session.scalars(select(Setting))}
    return TownshipSettings(**{k: v for k, v in stored.items() if k in _FIELDS})


def save(session: Session, settings: TownshipSettings) -> None:
    current = {row.key: row for row in session.scalars(select(Setting))}
    for key, value in dataclasses.asdict(settings).items():
        row = current.get(key)
        if row is None:
            session.add(Setting(key=key, value=value))
        elif row.value != value:
            row.value = value


def update(session: Session, **changes: Any) -> TownshipSettings:
    unknown = set(changes) - _FIELDS
    if unknown:
        raise KeyError(f"unknown settings: {sorted(unknown)}")
    settings = dataclasses.replace(load(session), **changes)
    save(session, settings)
    return settings


def rules_of(settings: TownshipSettings) -> DeadlineRules:
    """The workflow's time limits as the clerk set them (the seed's where never changed)."""
    return DeadlineRules(
        identify_within_days=int(settings.clue_to_identification_days),
        measures_within_days=int(settings.identification_to_measures_days),
        publicity_days=int(settings.publicity_days),
        publicity_working_days=bool(settings.publicity_working_days),
        visit_every_months=int(settings.visit_every_months),
        review_every_months=int(settings.review_every_months),
        eliminate_after_months=int(settings.eliminate_after_months),
    )


def deadline_rules(session: Session) -> DeadlineRules:
    return rules_of(load(session))


@dataclasses.dataclass(frozen=True)
class SettingsView:
    """What the settings page shows at once: the township data and the regions with thresholds."""

    township: TownshipSettings
    threshold_regions: list[str]


def load_view(session: Session) -> SettingsView:
    return SettingsView(load(session), thresholds.regions(session))
