"""The work-summary draft from plain figures (no database): the figures paragraph, headed sections, a
valid .docx. Gathering the figures from the records is tested in ``test_printing_service``."""

from __future__ import annotations

import datetime as dt

import docx

from fanpin_desktop.documents import summary_docx as sd


def _figures(**changes) -> sd.SummaryFigures:
    f = sd.SummaryFigures(
        township="赵家坪乡",
        county="兴县",
        year=2022,
        villages=10,
        poverty_villages=10,
        natural_villages=34,
        households=(2535, 7160),
        tuopin=(891, 2493),
        screened=(2535, 7160),
        monitored=(4, 14),
        monitored_by_category={"脱贫不稳定户": (3, 11), "边缘易致贫户": (1, 3)},
        eliminated=(41, 117),
        start_date=dt.date(2022, 5, 15),
        end_date=dt.date(2022, 6, 30),
        as_of=dt.date(2022, 6, 30),
    )
    for key, value in changes.items():
        setattr(f, key, value)
    return f


def test_figures_paragraph_reads_like_seed_004():
    text = sd.figures_paragraph(_figures())
    assert text.startswith("我乡10个行政村且都是脱贫村，34个自然村，共2535户7160人，其中脱贫户891户2493人。")
    assert "2535户7160人全部完成排查" in text
    assert "现有未消除风险的监测对象4户14人，其中脱贫不稳定户3户11人、边缘易致贫户1户3人" in text
    assert "风险已消除监测对象41户117人" in text
    assert "完成了集中排查工作" in text


def test_figures_paragraph_while_screening_is_under_way():
    text = sd.figures_paragraph(
        _figures(
            township="马店镇",
            poverty_villages=3,
            screened=(1000, 2900),
            monitored=(0, 0),
            monitored_by_category={},
            eliminated=(0, 0),
            as_of=dt.date(2022, 5, 27),
        )
    )
    assert text.startswith("我镇10个行政村（其中脱贫村3个）")
    assert "截至2022年5月27日，已排查农户1000户2900人，占应排查户数的39.4%" in text
    assert "现无未消除风险的监测对象" in text and "无风险已消除监测对象" in text
    assert "完成了集中排查工作" not in text


def test_completion_items():
    items = sd.completion_items(
        _figures(
            new_by_category={"脱贫不稳定户": (0, 0), "边缘易致贫户": (2, 5), "突发严重困难户": (1, 4)},
            rolled_back=(1, 1),
            problems_found=5,
            problems_on_the_spot=2,
            problems_in_ledger=3,
            problems_rectified=1,
            problems_in_progress=2,
            problems_by_type={"政策落实": 4, "其他": 1},
        )
    )
    assert (
        items[0] == "（1）通过摸排，新识别认定监测对象3户9人，其中边缘易致贫户2户5人、突发严重困难户1户4人；"
    )
    assert items[1].startswith("（2）对风险消除不稳定和整户无劳动力的监测对象回退1户1人")
    assert items[-1] == (
        "（3）排查发现问题5个（政策落实4个、其他1个），其中立行立改2个，"
        "纳入问题整改台账3个，已整改1个、正在整改2个。"
    )
    none = sd.completion_items(_figures())
    assert none[0] == "（1）通过摸排，无新识别认定监测对象；"
    assert none[1] == "（2）通过摸排，无风险消除不稳定需要回退的户；"


def test_docx_from_plain_figures(tmp_path):
    figures = _figures(
        screened=(1000, 2900),
        as_of=dt.date(2022, 5, 27),
        problems_found=2,
        problems_in_ledger=2,
        problems_in_progress=2,
        problems_by_type={"政策落实": 2},
    )
    path = sd.render_summary_docx(tmp_path / "总结.docx", figures, date=dt.date(2022, 6, 5))
    assert [p.name for p in tmp_path.iterdir()] == ["总结.docx"]  # written atomically, no leftovers

    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert paragraphs[0] == "赵家坪乡2022年防止返贫监测帮扶"
    assert paragraphs[1] == "集中排查工作总结报告"
    assert "兴县乡村振兴局：" in paragraphs
    assert "正在进行，现将截至2022年5月27日的情况报告如下：" in text  # not yet complete
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [
        "一、安排部署及工作开展情况",
        "二、工作完成情况",
        "三、工作中的典型经验做法",
        "四、工作中存在的问题和困难",
        "五、下一步工作打算",
    ]
    assert sd.figures_paragraph(figures) in paragraphs
    assert all(item in paragraphs for item in sd.completion_items(figures))
    assert "【请填写" in text  # narrative sections are left for the clerk
    assert paragraphs[-2:] == ["赵家坪乡人民政府", "2022年6月5日"]
    assert document.core_properties.title == "赵家坪乡2022年防止返贫监测帮扶集中排查工作总结报告"
    # Chinese fonts are set for East Asian text
    run = document.paragraphs[0].runs[0]
    assert (
        run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == sd.TITLE_FONT
    )
