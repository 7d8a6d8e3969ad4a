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


# --------------------------------------------------------------------------- grids


def _grids(db, village_id):
    with db.reading() as s:
        return next(v for v in regions.list_villages(s) if v.id == village_id).grids


def test_grid_create_update_delete(db):
    with db.unit() as s:
        vid = regions.create_village(s, "王楼村").id
        gid = regions.create_grid(s, vid, " 第一网格 ", worker_name=" 张三 ", worker_phone="139 1234 5678").id
        regions.create_grid(s, vid, "第二网格")
    [first, second] = _grids(db, vid)
    assert (first.name, first.worker_name, first.worker_phone, first.trained) == (
        "第一网格",
        "张三",
        "13912345678",
        False,
    )
    assert (second.worker_name, second.worker_phone) == (None, None)
    with db.unit() as s:
        regions.update_grid(
            s, gid, name="一网格", worker_name="李四", worker_phone="0564-6012345", trained=True
        )
    first = _grids(db, vid)[0]
    assert (first.name, first.worker_name, first.worker_phone, first.trained) == (
        "一网格",
        "李四",
        "0564-6012345",
        True,
    )
    with db.unit() as s:
        regions.update_grid(s, gid, name="一网格", worker_name="", worker_phone="", trained=False)
    first = _grids(db, vid)[0]
    assert (first.worker_name, first.worker_phone, first.trained) == (None, None, False)
    with db.unit() as s:
        regions.delete_grid(s, gid)
    assert [g.name for g in _grids(db, vid)] == ["第二网格"]


def test_grid_names_are_unique_within_a_village_only(db):
    with db.unit() as s:
        a = regions.create_village(s, "王楼村").id
        b = regions.create_village(s, "双河村").id
        regions.create_grid(s, a, "第一网格")
        regions.create_grid(s, b, "第一网格")  # another village may use the same name
        second = regions.create_grid(s, a, "第二网格").id
    with pytest.raises(RegionError, match="已有网格“第一网格”") as e, db.unit() as s:
        regions.create_grid(s, a, "第一网格")
    assert e.value.field == "name"
    with pytest.raises(RegionError, match="已有网格“第一网格”"), db.unit() as s:
        regions.update_grid(s, second, name="第一网格", worker_name=None, worker_phone=None, trained=False)
    assert [g.name for g in _grids(db, a)] == ["第一网格", "第二网格"]


@pytest.mark.parametrize(
    "kwargs, field, words",
    [
        ({"name": "  "}, "name", "网格名称不能为空"),
        ({"name": "网" * 41}, "name", "太长"),
        ({"worker_phone": "1391234567"}, "worker_phone", "不是11位手机号码或固定电话"),
        ({"worker_phone": "12345678901"}, "worker_phone", "不是11位手机号码或固定电话"),
        ({"worker_phone": "电话"}, "worker_phone", "不是11位手机号码或固定电话"),
        ({"worker_name": "张" * 41}, "worker_name", "太长"),
        ({"trained": True}, "trained", "已培训"),
    ],
)
def test_grid_validation_writes_nothing(db, kwargs, field, words):
    with db.unit() as s:
        vid = regions.create_village(s, "王楼村").id
        gid = regions.create_grid(s, vid, "第一网格", worker_name="张三", worker_phone="13912345678").id
    values = {"name": "第二网格", "worker_name": None, "worker_phone": None, "trained": False, **kwargs}
    with pytest.raises(RegionError, match=words) as e, db.unit() as s:
        regions.create_grid(s, vid, **values)
    assert e.value.field == field
    edit = {**values, "worker_name": values["worker_name"] or ("张三" if field != "trained" else None)}
    with pytest.raises(RegionError, match=words), db.unit() as s:
        regions.update_grid(s, gid, **edit)
    [grid] = _grids(db, vid)
    assert (grid.name, grid.worker_name, grid.worker_phone, grid.trained) == (
        "第一网格",
        "张三",
        "13912345678",
        False,
    )


def test_missing_grid_or_village_is_named(db):
    with pytest.raises(RegionError, match="找不到该行政村"), db.unit() as s:
        regions.create_grid(s, 999, "第一网格")
    with pytest.raises(RegionError, match="找不到该网格"), db.unit() as s:
        regions.update_grid(s, 999, name="x", worker_name=None, worker_phone=None, trained=False)
    with pytest.raises(RegionError, match="找不到该网格"), db.unit() as s:
        regions.delete_grid(s, 999)
