"""Township structure service (services/regions.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from fanpin_desktop.models import AuditEntry, Household, NaturalVillage, VillageGroup
from fanpin_desktop.services import regions
from fanpin_desktop.services.regions import RegionError


@pytest.mark.parametrize(
    "n, text",
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (15, "十五"),
        (20, "二十"),
        (23, "二十三"),
        (99, "九十九"),
    ],
)
def test_chinese_numbers(n, text):
    assert regions.chinese_number(n) == text
    assert regions.default_group_name(n) == f"{text}组"


def test_create_list_and_rename(db):
    with db.unit() as s:
        a = regions.create_village(s, " 王楼村 ", committee_phone="0564-6012345")
        b = regions.create_village(s, "双河村")
        g1 = regions.create_group(s, a.id)
        g2 = regions.create_group(s, a.id)
        regions.create_group(s, a.id, "新建组")
        regions.create_natural_village(s, a.id, "李郢")
        regions.create_grid(s, a.id, "第一网格", worker_name="张三", worker_phone="13912345678", trained=True)
        ids = (a.id, b.id, g1.id, g2.id)
    with db.reading() as s:
        villages = regions.list_villages(s)
    assert [v.name for v in villages] == ["王楼村", "双河村"]
    first = villages[0]
    assert first.committee_phone == "0564-6012345"
    assert [g.name for g in first.groups] == ["一组", "二组", "新建组"]
    assert [n.name for n in first.natural_villages] == ["李郢"]
    assert first.grids[0].worker_name == "张三" and first.grids[0].trained
    with db.unit() as s:
        regions.rename_village(s, ids[0], "王楼社区")
        regions.rename_group(s, ids[2], "王楼一组")
        regions.reorder_villages(s, [ids[1], ids[0]])
    with db.reading() as s:
        assert regions.village_names(s) == ["双河村", "王楼社区"]
        assert s.get(VillageGroup, ids[2]).name == "王楼一组"
        # changes go through the ORM, so they are audited
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.table_name == "villages", AuditEntry.field == "name")
            )
            == 1
        )


def test_duplicate_and_empty_names_are_refused(db):
    with db.unit() as s:
        v = regions.create_village(s, "王楼村")
        regions.create_group(s, v.id, "一组")
        with pytest.raises(RegionError, match="已存在"):
            regions.create_village(s, "王楼村")
        with pytest.raises(RegionError, match="不能为空"):
            regions.create_village(s, "  ")
        with pytest.raises(RegionError, match="一组"):
            regions.create_group(s, v.id, "一组")
        assert regions.get_or_create_village(s, "王楼村").id == v.id
        assert regions.get_or_create_group(s, v.id, "一组").name == "一组"


def test_delete_refused_while_households_remain(db):
    with db.unit() as s:
        v = regions.create_village(s, "王楼村")
        g = regions.create_group(s, v.id)
        empty = regions.create_group(s, v.id)
        nv = regions.create_natural_village(s, v.id, "李郢")
        s.add(Household(village_id=v.id, group_id=g.id, natural_village_id=nv.id))
        vid, gid, empty_id, nvid = v.id, g.id, empty.id, nv.id
    with db.unit() as s:
        with pytest.raises(RegionError) as err:
            regions.delete_village(s, vid)
        assert str(err.value) == "行政村“王楼村”下还有1户，不能删除；请先把这些户迁到其他村"
        with pytest.raises(RegionError, match="一组”下还有1户"):
            regions.delete_group(s, gid)
        with pytest.raises(RegionError, match="李郢"):
            regions.delete_natural_village(s, nvid)
        regions.delete_group(s, empty_id)
    with db.reading() as s:
        assert s.get(VillageGroup, empty_id) is None
        assert s.get(VillageGroup, gid) is not None
        assert s.get(NaturalVillage, nvid) is not None


def test_delete_empty_village_removes_its_groups(db):
    with db.unit() as s:
        v = regions.create_village(s, "王楼村")
        regions.create_group(s, v.id)
        regions.create_natural_village(s, v.id, "李郢")
        vid = v.id
    with db.unit() as s:
        regions.delete_village(s, vid)
    with db.reading() as s:
        assert regions.list_villages(s) == []
        assert s.scalar(select(func.count()).select_from(VillageGroup)) == 0
