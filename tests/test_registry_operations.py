"""The operations layer as the registry and settings pages use it: what a write announces, pages
refreshed from the notices, user errors shown in Chinese with nothing lost, and the item models of
these pages checked by QAbstractItemModelTester with real rows."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from decimal import Decimal  # noqa: E402

import pytest  # noqa: E402
from db_templates import build_template, open_copy  # noqa: E402
from PySide6.QtCore import QDate  # noqa: E402
from PySide6.QtTest import QAbstractItemModelTester  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402
from test_households_service import TODAY, build_town  # noqa: E402

from fanpin_desktop.services import households as svc  # noqa: E402
from fanpin_desktop.services import regions, thresholds  # noqa: E402
from fanpin_desktop.ui import errors as ui_errors  # noqa: E402
from fanpin_desktop.ui.dialogs.household_editor import HouseholdEditor  # noqa: E402
from fanpin_desktop.ui.dialogs.member_dialog import MoveMemberDialog  # noqa: E402
from fanpin_desktop.ui.operations import HOUSEHOLDS, SETTINGS, Changes  # noqa: E402
from fanpin_desktop.ui.operations import households as household_ops  # noqa: E402
from fanpin_desktop.ui.operations import settings as setting_ops  # noqa: E402
from fanpin_desktop.ui.pages.registry import RegistryPage  # noqa: E402
from fanpin_desktop.ui.pages.settings import SettingsPage, ThresholdModel  # noqa: E402
from fanpin_desktop.ui.table_models.base import ID_ROLE, SORT_ROLE  # noqa: E402

FATAL = QAbstractItemModelTester.FailureReportingMode.Fatal

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(scope="module")
def town_template(tmp_path_factory):
    return build_template(tmp_path_factory.mktemp("ops_town"), build_town)


@pytest.fixture
def db(town_template, tmp_path):
    database = open_copy(town_template[0], tmp_path / "town.sqlite3")
    yield database
    database.dispose()


@pytest.fixture
def town(db, town_template):
    return town_template[1]


@pytest.fixture(autouse=True)
def warnings_shown(monkeypatch):
    """No modal boxes: questions are answered 是, warnings are recorded."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: shown.append(text))
    return shown


@pytest.fixture
def announced(ops):
    seen: list[tuple[Changes, object]] = []
    ops.changed.connect(lambda changes, origin: seen.append((changes, origin)))
    return seen


@pytest.fixture
def user_errors(monkeypatch):
    """The Chinese messages shown (``show_user_error`` is where every UserError ends)."""
    shown: list[str] = []
    monkeypatch.setattr(
        ui_errors, "show_user_error", lambda message, parent=None, title="": shown.append(message)
    )
    return shown


def wire(ops, *pages):
    """What the main window does: every notice to every page."""
    for page in pages:
        ops.changed.connect(page.on_changes)


# --------------------------------------------------------------------------- what writes announce


def test_saving_a_household_announces_households_with_the_origin(ops, db, town, announced):
    draft = ops.read(svc.load_household, town["chen"])
    draft.phone = "13612345678"
    saved = []
    origin = object()
    household_ops.save_household(ops, draft, TODAY, parent=None, success=saved.append, origin=origin)
    assert saved == [town["chen"]]
    assert announced == [(HOUSEHOLDS, origin)]
    assert ops.read(svc.fetch_rows, [town["chen"]])[town["chen"]].phone == "13612345678"


def test_editor_save_goes_through_the_operation_and_closes_on_success(qtbot, ops, town, announced):
    editor = HouseholdEditor(ops, town["chen"], today=TODAY, origin="registry")
    qtbot.addWidget(editor)
    editor.address.setText("西河村一组5号")
    assert editor.save() is True
    assert editor.saved_id == town["chen"] and editor.result() == editor.DialogCode.Accepted
    assert announced == [(HOUSEHOLDS, "registry")]


def test_settings_changes_announce_settings(ops, announced):
    made = []
    setting_ops.add_village(ops, "杏花村", parent=None, success=made.append)
    assert announced == [(SETTINGS, None)]
    assert ops.read(regions.village_names)[-1] == "杏花村"
    assert isinstance(made[0], int)
    setting_ops.save_threshold(
        ops, None, {"year": 2023, "region": "全国", "amount": "6800"}, parent=None, success=made.append
    )
    assert [c for c, _o in announced] == [SETTINGS, SETTINGS]


# --------------------------------------------------------------------------- refresh from notices


def test_hidden_registry_refreshes_when_shown_after_settings_added_a_village(qtbot, ops, town):
    registry = RegistryPage(ops)
    settings = SettingsPage(ops)
    for page in (registry, settings):
        qtbot.addWidget(page)
    wire(ops, registry, settings)
    settings.show()
    villages_before = [registry.village.itemText(i) for i in range(registry.village.count())]
    assert "杏花村" not in villages_before

    settings.villages.ask_text = lambda *a, **k: "杏花村"
    settings.villages.add_village()

    assert registry.stale, "a hidden page waits until it is shown"
    assert registry.village.count() == len(villages_before)
    registry.show()
    qtbot.waitUntil(lambda: not registry.stale, timeout=3000)
    assert "杏花村" in [registry.village.itemText(i) for i in range(registry.village.count())]
    # the settings page showed its own change at once (it is the origin) and stayed up to date
    assert not settings.stale


def test_visible_settings_page_recounts_villages_after_a_household_is_deleted_elsewhere(qtbot, ops, town):
    settings = SettingsPage(ops)
    qtbot.addWidget(settings)
    wire(ops, settings)
    settings.show()
    settings.form.township.setText("未保存的乡镇名")  # an edit in progress survives the recount

    def counts():
        tree = settings.villages.tree
        return {
            tree.topLevelItem(i).text(0): tree.topLevelItem(i).text(1)
            for i in range(tree.topLevelItemCount())
        }

    before = counts()
    household_ops.delete_household(ops, town["wang"], parent=None, success=lambda _label: None)
    after = counts()
    village = next(name for name in before if before[name] != after[name])
    assert int(after[village]) == int(before[village]) - 1
    assert settings.form.township.text() == "未保存的乡镇名"


def test_registry_updates_its_own_delete_in_place_and_ignores_its_own_notice(qtbot, ops, town, monkeypatch):
    page = RegistryPage(ops)
    qtbot.addWidget(page)
    wire(ops, page)
    page.show()
    refreshed = []
    monkeypatch.setattr(page, "refresh", lambda: refreshed.append(True))
    page.select_household(town["wang"])
    page.delete_current()
    assert page.model.row_of(town["wang"]) is None
    assert "已删除" in page.count_label.text()
    assert refreshed == [], "its own change is shown in place, not by a full reload"


# --------------------------------------------------------------------------- user errors


def test_refused_delete_shows_the_chinese_message_and_keeps_the_household(qtbot, ops, town, warnings_shown):
    shown = warnings_shown
    page = RegistryPage(ops)
    qtbot.addWidget(page)
    seen = []
    ops.changed.connect(lambda changes, origin: seen.append(changes))
    page.select_household(town["liu"])  # has a monitoring case
    page.delete_current()
    assert shown and "监测记录" in shown[0]
    assert seen == [], "nothing announced for a refused write"
    assert page.model.row_of(town["liu"]) is not None and page.current_household_id() == town["liu"]
    assert ops.read(svc.household_label, town["liu"])


def test_duplicate_village_is_refused_in_chinese_and_nothing_is_lost(
    qtbot, ops, town, user_errors, announced
):
    page = SettingsPage(ops)
    qtbot.addWidget(page)
    names = ops.read(regions.village_names)
    page.villages.ask_text = lambda *a, **k: names[0]
    page.villages.add_village()
    assert user_errors and "已存在" in user_errors[0]
    assert announced == []
    assert ops.read(regions.village_names) == names
    assert page.villages.tree.topLevelItemCount() == len(names)


def test_editor_keeps_the_edits_when_the_save_is_refused(qtbot, ops, town, warnings_shown, monkeypatch):
    """A refusal by the service inside the write (e.g. the household was deleted in another window
    meanwhile) is shown in Chinese; the dialog stays open with the clerk's edits."""
    warnings = warnings_shown
    editor = HouseholdEditor(ops, town["chen"], today=TODAY)
    qtbot.addWidget(editor)
    editor.address.setText("西河村一组9号")

    def refuse(session, draft, today):
        raise svc.RegistryError("该户已被删除，不能保存")

    monkeypatch.setattr(svc, "save_household", refuse)
    assert editor.save() is False
    assert warnings == ["该户已被删除，不能保存"]
    assert editor.saved_id is None and editor.result() != editor.DialogCode.Accepted
    assert editor.address.text() == "西河村一组9号" and editor.is_dirty()
    assert editor.save_button.isEnabled()


# --------------------------------------------------------------------------- item models


def test_threshold_model_passes_the_model_tester(ops):
    setting_ops.save_threshold(
        ops, None, {"year": 2023, "region": "全国", "amount": "6800"}, parent=None, success=lambda _i: None
    )
    setting_ops.save_threshold(
        ops,
        None,
        {"year": 2022, "region": "六安市", "amount": "7000.5", "document_no": "六乡振〔2022〕15号"},
        parent=None,
        success=lambda _i: None,
    )
    model = ThresholdModel()
    model.set_rows(ops.read(thresholds.list_rows))
    QAbstractItemModelTester(model, FATAL)
    assert model.rowCount() == 2
    assert model.data(model.index(0, ThresholdModel.YEAR)) == "2023"
    assert model.data(model.index(1, ThresholdModel.AMOUNT)) == "7,000.50"
    assert model.data(model.index(1, ThresholdModel.AMOUNT), SORT_ROLE) == Decimal("7000.5")
    assert model.data(model.index(1, 0), ID_ROLE) == model.row_data(1).id


def test_move_picker_list_passes_the_model_tester(qtbot, ops, town):
    dialog = MoveMemberDialog(ops, "张小明", town["zhang"])
    qtbot.addWidget(dialog)
    QAbstractItemModelTester(dialog.results_model, FATAL)
    dialog.search.setText("王")
    dialog._search()
    model = dialog.results_model
    assert model.rowCount() == 1
    assert "王五户" in model.data(model.index(0, 0))
    assert model.data(model.index(0, 0), ID_ROLE) == town["wang"]
    dialog.relation.set_value("之子")
    assert dialog.choice() == (town["wang"], "之子", model.data(model.index(0, 0)))
    dialog.search.setText("张")
    dialog._search()  # the member's own household is left out
    assert town["zhang"] not in [model.data(model.index(r, 0), ID_ROLE) for r in range(model.rowCount())]


def test_threshold_dialog_date(qtbot):
    from fanpin_desktop.ui.pages.settings import ThresholdDialog

    d = ThresholdDialog(lambda values, success, refused: success(1), ["全国"])
    qtbot.addWidget(d)
    d.effective.setDate(QDate(2022, 5, 1))
    d.try_accept()
    assert d.result() == d.DialogCode.Accepted


def test_editor_save_on_the_worker_thread_closes_when_the_write_is_done(qtbot, db, town):
    """In the app the write runs on the task runner's worker: the dialog waits, then closes."""
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.tasks import TaskRunner

    runner = TaskRunner(show_after_ms=60_000)
    ops = Operations(db, runner)
    announced = []
    ops.changed.connect(lambda changes, origin: announced.append(changes))
    editor = HouseholdEditor(ops, town["chen"], today=TODAY)
    qtbot.addWidget(editor)
    editor.phone.setText("13612345678")
    assert editor.save() is True  # started
    assert not editor.save_button.isEnabled()
    qtbot.waitUntil(lambda: editor.saved_id == town["chen"], timeout=5000)
    assert editor.result() == editor.DialogCode.Accepted
    assert announced == [HOUSEHOLDS]
    assert ops.read(svc.fetch_rows, [town["chen"]])[town["chen"]].phone == "13612345678"
    runner.shutdown()


def test_list_keys_open_with_either_enter_and_delete(qtbot):
    from PySide6.QtCore import QStringListModel, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QListView

    from fanpin_desktop.ui.common import list_keys

    view = QListView()
    view.setModel(QStringListModel(["一", "二"]))
    qtbot.addWidget(view)
    pressed: list[str] = []
    list_keys(view, opens=lambda: pressed.append("open"), deletes=lambda: pressed.append("delete"))
    view.show()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=3000)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Delete):
        QTest.keyClick(view, key)
    assert pressed == ["open", "open", "delete"]


def test_threshold_dialog_asks_once_about_an_implausible_amount(qapp):
    from fanpin_desktop.services import thresholds
    from fanpin_desktop.ui.pages.settings import ThresholdDialog

    saved = []
    d = ThresholdDialog(lambda values, success, refused: saved.append(values["amount"]), ["全国"])
    d.amount.setText("91000")  # a 0 too many
    d.try_accept()
    assert saved == [] and "多输或少输了一个0" in d.error.text() and "再点一次保存" in d.error.text()
    d.try_accept()  # the same amount again: the clerk is sure
    assert saved == ["91000"]
    d.amount.setText("9100")
    d.try_accept()
    assert saved[-1] == "9100"
    assert thresholds.implausible_amount("9,100元") is None and thresholds.implausible_amount("abc") is None
    assert thresholds.implausible_amount("800")
