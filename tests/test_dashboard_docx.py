"""The 工作台's charts as images: PNGs drawn offscreen, and the work-summary .docx that carries them."""

from __future__ import annotations

import datetime as dt

import docx
import pytest
from PySide6.QtGui import QImage
from test_dashboard import TODAY, build_town

from fanpin_desktop.documents import summary_docx as sd
from fanpin_desktop.services import printing
from fanpin_desktop.services.dashboard import dashboard
from fanpin_desktop.ui.charts import chart_images
from fanpin_desktop.ui.operations import screening as screening_ops

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _picture_sizes(path) -> list[tuple[int, int]]:
    document = docx.Document(str(path))
    return [(shape.width, shape.height) for shape in document.inline_shapes]


def test_three_charts_as_png(qapp, db):
    build_town(db)
    with db.reading() as s:
        images = chart_images(dashboard(s, today=TODAY))
    assert [i.title for i in images] == [
        "各村监测对象（户，按类别）",
        "近12个月识别与消除（户）",
        "2026年集中排查进度（户）",
    ]
    for image in images:
        assert image.png.startswith(b"\x89PNG")
        decoded = QImage.fromData(image.png, "PNG")
        assert decoded.width() == 2 * 760 and decoded.height() >= 2 * 360  # twice the widget's size


def test_an_empty_chart_is_left_out(qapp, db):
    with db.reading() as s:
        assert chart_images(dashboard(s, today=TODAY)) == []


def test_the_summary_docx_carries_the_charts(qapp, db, tmp_path):
    build_town(db)
    with db.reading() as s:
        images = chart_images(dashboard(s, today=TODAY))
        path = printing.write_summary_docx(s, tmp_path / "总结.docx", as_of=TODAY, charts=images)
    sizes = _picture_sizes(path)
    assert len(sizes) == 3
    assert all(width == sd.CHART_WIDTH for width, _h in sizes)
    text = [p.text for p in docx.Document(str(path)).paragraphs]
    assert "图1　各村监测对象（户，按类别）" in text and "图3　2026年集中排查进度（户）" in text
    # the charts close section 二, before 三
    assert text.index("图3　2026年集中排查进度（户）") < text.index("三、工作中的典型经验做法")


def test_the_screening_page_operation_draws_them(ops, db, tmp_path):
    build_town(db)
    with db.reading() as s:
        from fanpin_desktop.services import campaigns

        cid = campaigns.current_id(s)
    written = []
    screening_ops.write_summary(ops, tmp_path / "总结.docx", campaign_id=cid, success=written.append)
    assert written and len(_picture_sizes(written[0])) == 3


def test_without_charts_the_report_has_no_pictures(tmp_path):
    f = sd.SummaryFigures(township="马店镇", year=2026, households=(10, 30), as_of=dt.date(2026, 6, 1))
    path = sd.render_summary_docx(tmp_path / "总结.docx", f)
    assert _picture_sizes(path) == []
