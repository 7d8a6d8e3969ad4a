"""Masking IDs on what leaves the office: one remembered setting, offered where internal sheets
with full ID numbers are printed or exported; the national-system export is never masked."""

from __future__ import annotations

import dataclasses
import os
import re

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import openpyxl  # noqa: E402
import pypdf  # noqa: E402
import pytest  # noqa: E402
from sqlalchemy import select  # noqa: E402

from fanpin_desktop.context import open_app  # noqa: E402
from fanpin_desktop.domain import ids  # noqa: E402
from fanpin_desktop.models import Village  # noqa: E402
from fanpin_desktop.services import batch_print, campaigns, printing, roster_export  # noqa: E402
from fanpin_desktop.services import settings as settings_service  # noqa: E402
from fanpin_desktop.ui.mask_ids import MaskIdsCheckBox, mask_setting  # noqa: E402
from fanpin_desktop.ui.pages.settings import SettingsPage  # noqa: E402

FULL_ID = re.compile(r"(?<![0-9*])\d{17}[\dX](?![0-9])")
MASKED_ID = re.compile(r"\d{6}\*{8}[\dX]{4}")

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def pdf_text(path) -> str:
    return "".join("".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(str(path)).pages)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    ctx = open_app(
        tmp_path_factory.mktemp("mask") / "data", demo=True, demo_households=200, auto_backup=False
    )
    yield ctx
    ctx.db.dispose()


# --------------------------------------------------------------------------- the setting


def test_setting_round_trip(db):
    with db.reading() as s:
        assert settings_service.load(s).mask_ids_outgoing is False  # default: full numbers
    with db.unit() as s:
        settings_service.update(s, mask_ids_outgoing=True)
    with db.reading() as s:
        assert settings_service.load(s).mask_ids_outgoing is True


def test_checkboxes_start_from_the_setting_and_save_back(qtbot, ops):
    first = MaskIdsCheckBox(ops)
    qtbot.addWidget(first)
    assert not first.isChecked()
    first.setChecked(True)  # the clerk ticks it for a copy going to the county
    assert mask_setting(ops) is True
    second = MaskIdsCheckBox(ops)  # the next print starts the same way
    qtbot.addWidget(second)
    assert second.isChecked()
    second.setChecked(False)
    first.show()  # shown again: reads the remembered choice
    assert not first.isChecked()


def test_a_viewer_masks_this_print_without_changing_the_setting(qtbot, ops, monkeypatch):
    from fanpin_desktop.services import accounts

    writes = []
    monkeypatch.setattr(ops, "write", lambda *a, **k: writes.append(a))  # a refused write shows an error
    ops.role = accounts.VIEWER  # may print, may not change settings
    box = MaskIdsCheckBox(ops)
    qtbot.addWidget(box)
    box.setChecked(True)
    assert box.isChecked()  # used for this print
    assert writes == [] and mask_setting(ops) is False
    ops.role = accounts.CLERK
    box.setChecked(False)
    box.setChecked(True)
    assert len(writes) == 1  # a clerk's choice is remembered


def test_settings_page_shows_and_saves_it(qtbot, ops, db):
    page = SettingsPage(ops)
    qtbot.addWidget(page)
    form = page.form
    assert not form.mask_ids_outgoing.isChecked()
    form.township.setText("马店镇")
    form.mask_ids_outgoing.setChecked(True)
    assert page.save()
    with db.reading() as s:
        assert settings_service.load(s).mask_ids_outgoing is True
    again = SettingsPage(ops)
    qtbot.addWidget(again)
    assert again.form.mask_ids_outgoing.isChecked()


# --------------------------------------------------------------------------- the documents


def test_masked_copy_of_nested_data():
    @dataclasses.dataclass(frozen=True)
    class Person:
        name: str
        id_number: str

    number = ids.make_id("341523", __import__("datetime").date(1980, 1, 2), 11, False)
    data = {"rows": [Person("张三", number)], "note": f"原号码{number}有误", "id_number": number, "n": 3}
    out = ids.masked_copy(data)
    assert out["rows"][0] == Person("张三", ids.mask(number))
    assert out["id_number"] == ids.mask(number) and out["n"] == 3
    assert number not in out["note"] and ids.mask(number) in out["note"]
    plain = {"rows": [Person("李四", "")], "n": 1}
    assert ids.masked_copy(plain) is plain  # nothing to mask: not copied


def test_appendix4_pdf_masked_holds_no_full_id(demo, tmp_path):
    with demo.db.reading() as s:
        cid = campaigns.current_id(s)
        full = printing.write_appendix4(s, tmp_path / "full.pdf", campaign_id=cid)
        masked = printing.write_appendix4(s, tmp_path / "masked.pdf", campaign_id=cid, mask_ids=True)
    assert FULL_ID.search(pdf_text(full)), "the internal sheet prints full numbers by default"
    text = pdf_text(masked)
    assert FULL_ID.search(text) is None
    assert MASKED_ID.search(text)


def test_batch_print_masked_holds_no_full_id(demo, tmp_path):
    with demo.db.reading() as s:
        vid = s.scalars(select(Village.id).order_by(Village.sort_order)).first()
        kinds = ["verification", "authorisation", "collection"]
        batch_print.write_batch(s, tmp_path / "full.pdf", kinds=kinds, village_id=vid)
        batch_print.write_batch(s, tmp_path / "masked.pdf", kinds=kinds, village_id=vid, mask_ids=True)
    assert FULL_ID.search(pdf_text(tmp_path / "full.pdf"))
    text = pdf_text(tmp_path / "masked.pdf")
    assert FULL_ID.search(text) is None and MASKED_ID.search(text)


def test_roster_export_masked(demo, tmp_path):
    with demo.db.reading() as s:
        roster_export.export_roster(s, tmp_path / "full.xlsx")
        roster_export.export_roster(s, tmp_path / "masked.xlsx", mask_ids=True)

    def id_cells(name):
        rows = list(
            openpyxl.load_workbook(tmp_path / name, read_only=True).active.iter_rows(values_only=True)
        )
        header = next(r for r in rows if r and "证件号码" in r)
        col = header.index("证件号码")
        return [str(r[col]) for r in rows[rows.index(header) + 1 :] if r[col]]

    full = id_cells("full.xlsx")
    assert full and all(FULL_ID.fullmatch(c) for c in full)
    masked = id_cells("masked.xlsx")
    assert len(masked) == len(full) and all(MASKED_ID.fullmatch(c) for c in masked)
    assert [ids.mask(c) for c in full] == masked
