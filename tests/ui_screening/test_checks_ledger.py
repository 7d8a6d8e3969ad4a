"""附件4 from the ledger page: with 全部批次 selected, printing and exporting refuse alike (an
official 附件4 belongs to one campaign year), and the buttons say so up front."""

from __future__ import annotations

import pytest

from fanpin_desktop.ui.pages.ledger import ALL_CAMPAIGNS, APPENDIX4_NEEDS_CAMPAIGN, LedgerPage

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def page(qtbot, ops, data_paths):
    p = LedgerPage(ops, data_paths.exports)
    qtbot.addWidget(p)
    return p


@pytest.mark.parametrize("action", ["export_appendix4", "print_appendix4"])
def test_all_batches_refuses_print_and_export_with_the_same_message(page, files, data_paths, action):
    assert page.campaign_id() is not None
    page.campaign.set_value(ALL_CAMPAIGNS)
    assert page.campaign_id() is None
    for button in (page.export_button, page.print_button):
        assert button.toolTip() == APPENDIX4_NEEDS_CAMPAIGN
    files["save"] = data_paths.exports / "附件4.out"
    getattr(page, action)()
    assert page.jobs.messages == [("请选择批次", APPENDIX4_NEEDS_CAMPAIGN)]
    assert files["asked"] == [] and not files["save"].exists(), "no file dialog, no file"


def test_one_batch_prints_and_exports(page, files, data_paths):
    assert "附件4" in page.print_button.toolTip() and page.print_button.toolTip() != APPENDIX4_NEEDS_CAMPAIGN
    files["save"] = data_paths.exports / "a4.pdf"
    page.print_appendix4()
    assert files["save"].read_bytes()[:4] == b"%PDF"
    files["save"] = data_paths.exports / "a4.xlsx"
    page.export_appendix4()
    assert files["save"].exists()


def test_masked_print_and_export_from_the_ledger(page, files, data_paths, ops):
    import re

    import pypdf
    from openpyxl import load_workbook

    from fanpin_desktop.ui.mask_ids import mask_setting

    full_id = re.compile(r"(?<![0-9*])\d{17}[\dX](?![0-9])")
    files["save"] = data_paths.exports / "full.pdf"
    page.print_appendix4()
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(files["save"])).pages)
    assert full_id.search(text), "the demo ledger has household problems with IDs"

    page.mask_ids.setChecked(True)
    assert mask_setting(ops) is True, "remembered for the next time"
    files["save"] = data_paths.exports / "masked.pdf"
    page.print_appendix4()
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(files["save"])).pages)
    assert full_id.search(text) is None and re.search(r"\d{6}\*{8}[\dX]{4}", text)
    files["save"] = data_paths.exports / "masked.xlsx"
    page.export_appendix4()
    cells = [
        str(c) for row in load_workbook(files["save"]).active.iter_rows(values_only=True) for c in row if c
    ]
    assert not any(full_id.search(c) for c in cells)


def test_screening_page_menus_offer_the_remembered_choice_for_appendix4(qtbot, ops, data_paths, files):
    import re

    import pypdf
    from PySide6.QtWidgets import QMenu

    from fanpin_desktop.ui.mask_ids import MASK_LABEL, mask_setting
    from fanpin_desktop.ui.pages.screening.page import ScreeningPage

    page = ScreeningPage(ops, data_paths.exports)
    qtbot.addWidget(page)
    for fill in (page._fill_print_menu, page._fill_export_menu):
        menu = QMenu()
        fill(menu)
        [action] = [a for a in menu.actions() if a.text() == f"附件4{MASK_LABEL}"]
        assert action.isCheckable() and action.isChecked() == mask_setting(ops)
    action.setChecked(True)
    assert mask_setting(ops) is True
    files["save"] = data_paths.exports / "a4.pdf"
    page.print_appendix4()
    text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(str(files["save"])).pages)
    assert re.search(r"(?<![0-9*])\d{17}[\dX](?![0-9])", text) is None
