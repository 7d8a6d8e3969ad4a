"""Font discovery, per-character fallback and the ToUnicode fix for characters beyond the BMP."""

from __future__ import annotations

import shutil
import struct

import pytest
from reportlab.pdfbase import ttfonts
from reportlab.pdfgen.canvas import Canvas

from fanpin_desktop.documents import fonts
from fanpin_desktop.paths import resource

RARE_A = "㑇䶮"  # CJK Extension A
RARE_B = "𠮷"  # CJK Extension B (outside the BMP)


@pytest.fixture(scope="module")
def shipped() -> fonts.FontLibrary:
    """Only the fonts shipped in resources/fonts: what a PC without Chinese fonts gets."""
    return fonts.FontLibrary.discover(include_system=False)


def test_shipped_fonts_are_truetype_and_licensed():
    folder = resource("fonts")
    for name in ("wqy-microhei.ttc", "fanpin-rare-a.ttf", "fanpin-rare-b.ttf"):
        assert fonts.truetype_outlines(folder / name), name
    assert (folder / "LICENSE-wqy-microhei.txt").read_text(encoding="utf-8").count("Apache License") >= 1
    assert "Hanazono Font License" in (folder / "LICENSE-hanazono.txt").read_text(encoding="utf-8")
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert total < 40 * 1024 * 1024


def test_cff_and_garbage_fonts_are_rejected(tmp_path):
    cff = tmp_path / "simsun.ttc"
    cff.write_bytes(b"OTTO" + struct.pack(">HHHH", 1, 16, 0, 0) + b"CFF " + b"\0" * 12)
    assert not fonts.truetype_outlines(cff)
    junk = tmp_path / "simhei.ttf"
    junk.write_bytes(b"not a font at all")
    assert not fonts.truetype_outlines(junk)
    # a TTC whose second face does not exist
    assert not fonts.truetype_outlines(resource("fonts", "wqy-microhei.ttc"), subfont_index=7)
    found = fonts.discover(include_shipped=False, system_dirs=[tmp_path])
    assert found == []


def test_windows_file_names_are_found_case_insensitively(tmp_path):
    # a real TrueType font under a Windows name, in upper case as Windows folders often have it
    shutil.copy(resource("fonts", "wqy-microhei.ttc"), tmp_path / "SIMSUN.TTC")
    shutil.copy(resource("fonts", "fanpin-rare-b.ttf"), tmp_path / "simsunb.ttf")
    found = fonts.discover(include_shipped=False, system_dirs=[tmp_path])
    labels = [s.label for s in found]
    assert labels[0].startswith("宋体")
    assert any("ExtB" in label for label in labels)
    library = fonts.FontLibrary(found)
    assert library.chain_sources(fonts.HEI)[0].kind == fonts.SONG  # no 黑体: falls back to 宋体
    assert library.chain_sources(fonts.SONG)[-1].kind == "rare"


def test_system_copy_of_a_shipped_font_is_not_loaded_twice(tmp_path):
    shutil.copy(resource("fonts", "wqy-microhei.ttc"), tmp_path / "wqy-microhei.ttc")
    found = fonts.discover(system_dirs=[tmp_path])
    assert [s.path.name for s in found].count("wqy-microhei.ttc") == 1
    assert found[0].origin == fonts.SYSTEM


def test_rare_characters_get_fonts_that_have_them(shipped):
    chain = shipped.chain(fonts.SONG)
    runs = chain.runs("张" + RARE_A + RARE_B + "三 12")
    assert [seg for _name, seg in runs] == ["张", RARE_A, RARE_B, "三 12"]
    names = [name for name, _seg in runs]
    assert names[0] == names[3] == chain.primary
    assert len({names[0], names[1], names[2]}) == 3
    assert chain.covers("户主姓名 123")
    assert not chain.covers("刘" + RARE_A[1])


def test_markup_escapes_and_wraps_fallback_runs(shipped):
    chain = shipped.chain(fonts.HEI)
    text = chain.markup("A<B & 吉" + RARE_B + "\n第二行")
    assert "A&lt;B &amp; 吉" in text
    assert f'<font name="{chain.font_for(RARE_B)}">{RARE_B}</font>' in text
    assert "<br/>" in text
    # blanks for handwriting survive paragraph whitespace collapsing
    assert "\u00a0" in chain.markup("年\u3000月")


def test_character_no_font_has_is_reported(shipped):
    chain = shipped.chain(fonts.SONG)
    private_use = "\ue000"
    assert chain.font_for(private_use) == chain.primary
    assert private_use in chain.missing


def test_tounicode_maps_beyond_bmp_as_surrogate_pairs(shipped):
    assert "<D842DFB7>" in fonts._to_unicode_cmap("X", [0x5F20, 0x20BB7])
    assert "<5F20>" in fonts._to_unicode_cmap("X", [0x5F20, 0x20BB7])
    # the library installs the fix (or ReportLab already writes pairs itself)
    assert "D842DFB7" in ttfonts.makeToUnicodeCMap("X", [0x20BB7]).upper()


def test_draw_string_extracts_rare_characters(tmp_path, shipped):
    from pdf_testing import flat, page_texts

    path = tmp_path / "line.pdf"
    canvas = Canvas(str(path))
    chain = shipped.chain(fonts.SONG)
    width = chain.draw_string(canvas, 300, 700, "户主：吉" + RARE_B + "、刘" + RARE_A[1], 12, "center")
    assert width > 0
    canvas.save()
    assert "户主：吉" + RARE_B + "、刘" + RARE_A[1] in flat(page_texts(path)[0])


def test_default_library_has_a_chinese_font():
    library = fonts.default_library()
    assert library is fonts.default_library()
    assert library.describe()
    assert library.chain().covers("防返贫监测")
