"""Screening campaigns: defaults, validation, the current campaign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from screening_town import D

from fanpin_desktop.errors import UserError, ValidationError
from fanpin_desktop.models import Threshold, Village
from fanpin_desktop.services import campaigns
from fanpin_desktop.services import settings as settings_service


def test_defaults_income_period_and_threshold(db):
    with db.unit() as s:
        settings_service.update(s, threshold_region="六安市")
        s.add_all(
            [
                Threshold(year=2022, region="全国", amount=Decimal(6500)),
                Threshold(year=2022, region="六安市", amount=Decimal(7000)),
            ]
        )
        s.add_all([Village(name="甲村", sort_order=2), Village(name="乙村", sort_order=1)])
        s.flush()
        c = campaigns.create(s, year=2022, start_date=D(2022, 5, 10), end_date=D(2022, 5, 31))
        cid = c.id
    with db.reading() as s:
        info = campaigns.info(s, cid)
        assert (info.income_period_start, info.income_period_end) == (D(2021, 5, 1), D(2022, 4, 30))
        assert info.income_period_label == "2021年5月1日-2022年4月30日"
        assert info.threshold_amount == Decimal(7000) and info.threshold_label == "7000"
        assert info.name == "2022年防止返贫监测帮扶集中排查" and info.is_current
        # no villages chosen: every village, in township order
        assert [s.get(Village, v).name for v in campaigns.village_ids(s, cid)] == ["乙村", "甲村"]


def test_one_current_campaign(db):
    with db.unit() as s:
        a = campaigns.create(s, year=2022, start_date=D(2022, 5, 10), end_date=D(2022, 5, 31))
        b = campaigns.create(
            s,
            year=2022,
            name="2022年第二轮排查",
            start_date=D(2022, 10, 8),
            end_date=D(2022, 10, 31),
            make_current=False,
        )
        assert campaigns.current(s).id == a.id
        campaigns.set_current(s, b.id)
        assert campaigns.current(s).id == b.id
        assert [c.is_current for c in campaigns.list_campaigns(s)] == [True, False]
        campaigns.delete(s, b.id)
        assert campaigns.current(s).id == a.id and campaigns.current(s).is_current


def test_validation(db):
    with db.unit() as s:
        with pytest.raises(ValidationError) as err:
            campaigns.create(s, year=2022, start_date=D(2022, 5, 31), end_date=D(2022, 5, 10))
        assert err.value.field == "end_date"
        with pytest.raises(ValidationError) as err:
            campaigns.create(s, year=2021, start_date=D(2022, 5, 10), end_date=D(2022, 5, 31))
        assert err.value.field == "start_date"
        with pytest.raises(ValidationError) as err:
            campaigns.create(s, year="二〇二二", start_date=D(2022, 5, 10), end_date=D(2022, 5, 31))
        assert err.value.field == "year"
        with pytest.raises(UserError):
            campaigns.resolve(s, None)  # none yet: a clear message
