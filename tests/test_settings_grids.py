"""系统设置 → 行政村与村民小组: the 网格 of each village with its 网格员 (add, edit, delete)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QDialog

from fanpin_desktop.services import campaigns, regions, stats
from fanpin_desktop.ui.dialogs.grid_dialog import GridDialog
from fanpin_desktop.ui.operations import SETTINGS
from fanpin_desktop.ui.pages import settings as settings_module
from fanpin_desktop.ui.pages.settings import (
    KIND_GRID,
    KIND_GRID_FOLDER,
    KIND_GROUP,
    KIND_VILLAGE,
    SettingsPage,
)


@pytest.fixture
def page(qtbot, ops, db):
    with db.unit() as s:
        vid = regions.create_village(s, "王楼村").id
        regions.create_group(s, vid)
    p = SettingsPage(ops)
    qtbot.addWidget(p)
    ops.changed.connect(p.on_changes)
    p.refresh()
    return p


def items(panel, kind):
    found = []
    stack = [panel.tree.topLevelItem(i) for i in range(panel.tree.topLevelItemCount())]
    while stack:
        it = stack.pop()
        if it.data(0, settings_module.ROLE_KIND) == kind:
            found.append(it)
        stack.extend(it.child(i) for i in range(it.childCount()))
    return found


def select(panel, kind, text=None):
    [it] = [i for i in items(panel, kind) if text is None or i.text(0).startswith(text)]
    panel.tree.setCurrentItem(it)
    return it


def grids(db):
    with db.reading() as s:
        [v] = regions.list_villages(s)
    return [(g.name, g.worker_name, g.worker_phone, g.trained) for g in v.grids]


class Clerk:
    """Replaces the panel's run_dialog: types each round of values into the dialog and presses 保存,
    noting what the dialog showed (its fields when it opened, its error after each 保存)."""

    def __init__(self, *rounds):
        self.rounds = rounds
        self.opened = []
        self.errors = []
        self.dialogs = []

    def __call__(self, dialog):
        assert isinstance(dialog, GridDialog)
        self.dialogs.append(dialog)
        self.opened.append(dialog.values())
        for values in self.rounds:
            dialog.name.setText(values.get("name", dialog.name.text()))
            dialog.worker_name.setText(values.get("worker_name", dialog.worker_name.text()))
            dialog.worker_phone.setText(values.get("worker_phone", dialog.worker_phone.text()))
            dialog.trained.setChecked(values.get("trained", dialog.trained.isChecked()))
            dialog.try_accept()
            self.errors.append(dialog.error.text() if not dialog.error.isHidden() else "")
            if dialog.result() == QDialog.DialogCode.Accepted:
                break
        return dialog.result()


def test_add_edit_and_delete_a_grid(page, db, ops):
    panel = page.villages
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append(changes))
    folder = select(panel, KIND_GRID_FOLDER)
    assert folder.text(0) == "网格（0）"
    select(panel, KIND_GROUP)
    assert not panel.add_grid_button.isEnabled()
    select(panel, KIND_VILLAGE)
    assert panel.add_grid_button.isEnabled()

    panel.run_dialog = Clerk(
        {"name": "第一网格", "worker_name": "张三", "worker_phone": "13912345678", "trained": True}
    )
    panel.add_grid_button.click()
    assert grids(db) == [("第一网格", "张三", "13912345678", True)]
    assert announced == [SETTINGS]
    [current] = panel.tree.selectedItems()
    assert current.text(0) == "第一网格　网格员 张三 13912345678（已培训）"
    assert select(panel, KIND_GRID_FOLDER).text(0) == "网格（1）"

    # edit: double-click the grid; the dialog opens with what is stored
    item = select(panel, KIND_GRID, "第一网格")
    assert panel.rename_button.text() == "修改网格…" and panel.delete_button.isEnabled()
    clerk = Clerk({"worker_name": "李四", "worker_phone": "0564-6012345", "trained": False})
    panel.run_dialog = clerk
    panel.tree.itemDoubleClicked.emit(item, 0)
    assert clerk.opened == [
        {"name": "第一网格", "worker_name": "张三", "worker_phone": "13912345678", "trained": True}
    ]
    assert grids(db) == [("第一网格", "李四", "0564-6012345", False)]
    assert panel.tree.selectedItems()[0].text(0) == "第一网格　网格员 李四 0564-6012345"

    # 添加网格… with a grid selected adds to the same village
    panel.run_dialog = Clerk({"name": "第二网格"})
    panel.add_grid_button.click()
    assert [g[0] for g in grids(db)] == ["第一网格", "第二网格"]
    assert panel.tree.selectedItems()[0].text(0) == "第二网格　（未登记网格员）"

    # delete: asks first
    asked = []
    panel.confirm = lambda title, text: asked.append(text) or False
    select(panel, KIND_GRID, "第一网格")
    panel.delete_button.click()
    assert asked == ["确定要删除网格“第一网格”（网格员李四）吗？"]
    assert len(grids(db)) == 2
    panel.confirm = lambda title, text: True
    select(panel, KIND_GRID, "第一网格")
    panel.delete_button.click()
    assert [g[0] for g in grids(db)] == ["第二网格"]
    assert select(panel, KIND_GRID_FOLDER).text(0) == "网格（1）"


def test_a_refused_phone_keeps_the_dialog_open_with_the_message(page, db):
    panel = page.villages
    select(panel, KIND_VILLAGE)
    clerk = Clerk(
        {"name": "第一网格", "worker_name": "张三", "worker_phone": "1391234"},
        {"worker_phone": "13912345678"},
    )
    panel.run_dialog = clerk
    panel.add_grid_button.click()
    assert "“1391234”不是11位手机号码或固定电话" in clerk.errors[0]
    assert clerk.errors[1] == ""  # corrected in the same dialog: nothing typed was lost
    assert grids(db) == [("第一网格", "张三", "13912345678", False)]


def test_a_refused_grid_writes_nothing_and_names_the_field(page, db):
    with db.unit() as s:
        [v] = regions.list_villages(s)
        regions.create_grid(s, v.id, "第一网格")
    page.refresh()
    panel = page.villages
    select(panel, KIND_VILLAGE)
    clerk = Clerk({"name": "第一网格", "worker_phone": "12"})
    panel.run_dialog = clerk
    panel.add_grid_button.click()
    dialog = clerk.dialogs[0]
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "联系电话" in clerk.errors[0]
    clerk = Clerk({"name": "第一网格", "worker_phone": ""})
    panel.run_dialog = clerk
    panel.add_grid_button.click()
    assert "王楼村已有网格“第一网格”" in clerk.errors[0]
    clerk = Clerk({"name": "第二网格", "trained": True})
    panel.run_dialog = clerk
    panel.add_grid_button.click()
    assert "已培训" in clerk.errors[0]
    assert grids(db) == [("第一网格", None, None, False)]


def test_grids_entered_here_are_what_appendix3_counts(page, db):
    with db.unit() as s:
        [v] = regions.list_villages(s)
        campaign_id = campaigns.create(
            s, year=2022, start_date=dt.date(2022, 5, 10), end_date=dt.date(2022, 5, 31)
        ).id
    panel = page.villages
    for values in (
        {"name": "第一网格", "worker_name": "张三", "worker_phone": "13912345678", "trained": True},
        {"name": "第二网格", "worker_name": "李四"},
        {"name": "第三网格"},
    ):
        select(panel, KIND_VILLAGE)
        panel.run_dialog = Clerk(values)
        panel.add_grid_button.click()
    with db.reading() as s:
        report = stats.compute(s, campaign_id, as_of=dt.date(2022, 5, 20))
    row = report.row(v.id)
    counted = tuple(report.text(row, k) for k in ("grid_count", "grid_worker_count", "grid_training_count"))
    assert counted == ("3", "2", "1")
