"""The township's self-inspection / work summary report (seed 004) as an editable Word draft.

The figures paragraph (villages, households, people, 脱贫户, monitoring objects by category in 户/人,
eliminated, problems found and rectified) and the list of results are written from the records,
with the same numbers as 附件3. The figures arrive as a :class:`SummaryFigures` (gathered by the
printing service, ``services/printing.py``); this module only words and lays them out. The narrative
sections keep the report's headings and a highlighted 【…】 prompt for the clerk. The 工作台's charts
arrive as PNG images (:class:`ChartImage`, drawn by the window, ``ui/charts.py``) and close section
二, each with a numbered caption.

Formatting follows the usual conventions for official documents (GB/T 9704): A4, title in
小标宋 二号, headings in 黑体 三号, body in 仿宋 三号 with a fixed 28 pt line spacing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from fanpin_desktop.documents.pdf_common import atomic_write

TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_FONT = "仿宋"
LATIN_FONT = "Times New Roman"
SIZE_TITLE = Pt(22)  # 二号
SIZE_BODY = Pt(16)  # 三号
LINE = Pt(28)

CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
PROMPT = "【{}】"

Pair = tuple[int, int]


@dataclass(frozen=True)
class ChartImage:
    """A chart as a PNG image, with the title its caption repeats."""

    title: str
    png: bytes


CHART_WIDTH = Mm(150)  # the text block is 156 mm wide


@dataclass
class SummaryFigures:
    """Everything the generated paragraphs say, as plain numbers."""

    township: str = ""
    county: str = ""
    year: int = 0
    campaign_name: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    as_of: dt.date | None = None
    villages: int = 0
    poverty_villages: int = 0  # 脱贫村
    natural_villages: int = 0
    households: Pair = (0, 0)
    tuopin: Pair = (0, 0)  # 脱贫户
    screened: Pair = (0, 0)
    monitored: Pair = (0, 0)  # 未消除风险的监测对象
    monitored_by_category: dict[str, Pair] = field(default_factory=dict)
    eliminated: Pair = (0, 0)  # 风险已消除
    new_by_category: dict[str, Pair] = field(default_factory=dict)  # identified in this campaign
    rolled_back: Pair = (0, 0)
    reidentified: Pair = (0, 0)
    to_eliminate: Pair = (0, 0)
    problems_found: int = 0
    problems_on_the_spot: int = 0  # 立行立改
    problems_in_ledger: int = 0
    problems_rectified: int = 0  # 已整改 or 已销号
    problems_in_progress: int = 0
    problems_by_type: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Every household of the campaign's villages has been screened."""
        return self.households[0] > 0 and self.screened[0] >= self.households[0]

    @property
    def new_total(self) -> Pair:
        return _sum(self.new_by_category.values())


def _sum(pairs: Any) -> Pair:
    h = p = 0
    for a, b in pairs:
        h += a
        p += b
    return h, p


def _hp(pair: Pair) -> str:
    return f"{pair[0]}户{pair[1]}人"


# --------------------------------------------------------------------------------------------------
# the generated text (pure functions, tested directly)


def figures_paragraph(f: SummaryFigures) -> str:
    """我镇10个行政村…，共2535户7160人，其中脱贫户891户2493人。… (seed 004's second paragraph)."""
    unit = _unit(f.township)
    villages = f"{f.villages}个行政村"
    if f.poverty_villages:
        villages += (
            "且都是脱贫村" if f.poverty_villages == f.villages else f"（其中脱贫村{f.poverty_villages}个）"
        )
    parts = [f"我{unit}{villages}"]
    if f.natural_villages:
        parts.append(f"{f.natural_villages}个自然村")
    text = "，".join(parts) + f"，共{f.households[0]}户{f.households[1]}人，其中脱贫户{_hp(f.tuopin)}。"
    complete = f.complete
    if complete:
        text += f"通过各行政村地毯式摸排，{_hp(f.screened)}全部完成排查。"
    else:
        since = f"截至{_cn(f.as_of)}，" if f.as_of else ""
        share = f"，占应排查户数的{f.screened[0] * 100 / f.households[0]:.1f}%" if f.households[0] else ""
        text += f"{since}已排查农户{_hp(f.screened)}{share}。"
    if f.monitored[0]:
        cats = [
            f"{c}{_hp(f.monitored_by_category[c])}"
            for c in CATEGORIES
            if f.monitored_by_category.get(c, (0, 0))[0]
        ]
        text += f"现有未消除风险的监测对象{_hp(f.monitored)}"
        text += f"，其中{'、'.join(cats)}" if cats else ""
    else:
        text += "现无未消除风险的监测对象"
    text += f"；风险已消除监测对象{_hp(f.eliminated)}。" if f.eliminated[0] else "；无风险已消除监测对象。"
    if complete and f.start_date and f.end_date:
        text += f"按时间节点（{_cn(f.start_date)}至{_cn(f.end_date)}）完成了集中排查工作。"
    return text


def completion_items(f: SummaryFigures) -> list[str]:
    """二、工作完成情况: numbered results from the records."""
    items: list[str] = []
    new_h, new_p = f.new_total
    if new_h:
        cats = [f"{c}{_hp(f.new_by_category[c])}" for c in CATEGORIES if f.new_by_category.get(c, (0, 0))[0]]
        items.append(f"通过摸排，新识别认定监测对象{new_h}户{new_p}人，其中{'、'.join(cats)}；")
    else:
        items.append("通过摸排，无新识别认定监测对象；")
    if f.rolled_back[0]:
        items.append(f"对风险消除不稳定和整户无劳动力的监测对象回退{_hp(f.rolled_back)}；")
    else:
        items.append("通过摸排，无风险消除不稳定需要回退的户；")
    if f.reidentified[0]:
        items.append(f"对标注风险消除后又出现返贫致贫风险的重新识别{_hp(f.reidentified)}；")
    if f.to_eliminate[0]:
        items.append(f"本次拟标记风险消除{_hp(f.to_eliminate)}；")
    items.append(problems_sentence(f))
    return [f"（{i}）{text}" for i, text in enumerate(items, start=1)]


def problems_sentence(f: SummaryFigures) -> str:
    if not f.problems_found:
        return "排查中未发现需要整改的问题；"
    text = f"排查发现问题{f.problems_found}个"
    if f.problems_by_type:
        text += "（" + "、".join(f"{t}{n}个" for t, n in f.problems_by_type.items()) + "）"
    details = []
    if f.problems_on_the_spot:
        details.append(f"立行立改{f.problems_on_the_spot}个")
    if f.problems_in_ledger:
        details.append(
            f"纳入问题整改台账{f.problems_in_ledger}个，已整改{f.problems_rectified}个、正在整改{f.problems_in_progress}个"
        )
    if details:
        text += "，其中" + "，".join(details)
    return text + "。"


def _unit(township: str) -> str:
    if township.endswith("乡"):
        return "乡"
    if township.endswith("街道"):
        return "街道"
    return "镇"


def _cn(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


# --------------------------------------------------------------------------------------------------
# the Word document


def _fonts(run: Any, east_asian: str, size: Any, bold: bool = False) -> None:
    run.font.size = size
    run.font.bold = bold
    run.font.name = LATIN_FONT
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), east_asian)


def _paragraph(
    doc: Any,
    text: str = "",
    *,
    font: str = BODY_FONT,
    size: Any = SIZE_BODY,
    bold: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = True,
    style: str | None = None,
) -> Any:
    p = doc.add_paragraph(style=style)
    p.alignment = align
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)  # 首行缩进两字
    if text:
        _add_text(p, text, font, size, bold)
    return p


def _add_text(p: Any, text: str, font: str, size: Any, bold: bool = False) -> None:
    """Add ``text``, highlighting every 【…】 prompt so the clerk sees what is left to write."""
    rest = text
    while rest:
        start = rest.find("【")
        end = rest.find("】", start) if start >= 0 else -1
        if start < 0 or end < 0:
            _fonts(p.add_run(rest), font, size, bold)
            return
        if start:
            _fonts(p.add_run(rest[:start]), font, size, bold)
        prompt = p.add_run(rest[start : end + 1])
        _fonts(prompt, font, size, bold)
        prompt.font.highlight_color = WD_COLOR_INDEX.YELLOW
        rest = rest[end + 1 :]


def _heading(doc: Any, text: str) -> Any:
    # a real Heading style keeps Word's navigation pane useful; its look is reset to the convention
    p = _paragraph(doc, "", font=HEADING_FONT, style="Heading 1")
    _add_text(p, text, HEADING_FONT, SIZE_BODY)
    for run in p.runs:
        run.font.color.rgb = None
    p.paragraph_format.keep_with_next = True
    return p


def _page_number_footer(section: Any) -> None:
    """— 1 — centred at the foot of every page (a PAGE field, updated by Word)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(p.add_run("— "), "宋体", Pt(14))
    run = p.add_run()
    _fonts(run, "宋体", Pt(14))
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), tag)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _fonts(p.add_run(" —"), "宋体", Pt(14))


SECTIONS: Sequence[tuple[str, str]] = (
    (
        "一、安排部署及工作开展情况",
        "请填写：动员部署会议的时间、参会人员和内容，排查专班的组成，排查方式（入户排查、电话核查等）",
    ),
    ("二、工作完成情况", ""),
    ("三、工作中的典型经验做法", "请填写：监测谁、谁监测、如何帮等方面的做法和成效"),
    ("四、工作中存在的问题和困难", "请填写：排查中发现的薄弱环节、存在的问题和困难"),
    ("五、下一步工作打算", "请填写：下一步巩固拓展脱贫攻坚成果同乡村振兴有效衔接的工作打算"),
)


def _charts(doc: Any, charts: Sequence[ChartImage]) -> None:
    """Each chart centred at the text block's width, its caption below (图1 …)."""
    for number, chart in enumerate(charts, start=1):
        picture = doc.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fmt = picture.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact 28 pt line would crop the image
        fmt.space_before = Pt(6)
        fmt.space_after = Pt(0)
        fmt.keep_with_next = True
        picture.add_run().add_picture(io.BytesIO(chart.png), width=CHART_WIDTH)
        caption = _paragraph(doc, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
        _add_text(caption, f"图{number}　{chart.title}", HEADING_FONT, Pt(12))


def render_summary_docx(
    path: str | os.PathLike[str],
    f: SummaryFigures,
    *,
    date: dt.date | None = None,
    charts: Sequence[ChartImage] = (),
) -> Path:
    """Write the draft report for ``f`` to ``path`` (atomically), with ``charts`` at the end of
    section 二."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_number_footer(section)
    doc.core_properties.title = f"{f.township}{f.year}年防止返贫监测帮扶集中排查工作总结报告"
    doc.core_properties.author = f.township or "乡村振兴工作站"

    title_lines = [f"{f.township}{f.year}年防止返贫监测帮扶", "集中排查工作总结报告"]
    for line in title_lines:
        _paragraph(doc, line, font=TITLE_FONT, size=SIZE_TITLE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        doc.paragraphs[-1].paragraph_format.line_spacing = Pt(36)
    _paragraph(doc, indent=False)
    addressee = f"{f.county}乡村振兴局：" if f.county else "县乡村振兴局："
    _paragraph(doc, addressee, indent=False)
    progress = (
        "已全部完成，现就具体情况报告如下："
        if f.complete
        else f"正在进行，现将截至{_cn(f.as_of)}的情况报告如下："
    )
    _paragraph(
        doc,
        f"按照{PROMPT.format('上级文件名称及文号')}要求，我{_unit(f.township)}{f.year}年防止返贫监测帮扶集中排查工作"
        + progress,
    )
    for heading, prompt in SECTIONS:
        _heading(doc, heading)
        if heading.startswith("一"):
            _paragraph(doc, PROMPT.format(prompt))
            _paragraph(doc, figures_paragraph(f))
        elif heading.startswith("二"):
            for item in completion_items(f):
                _paragraph(doc, item)
            _paragraph(doc, PROMPT.format("可补充：对未消除风险监测对象落实帮扶措施的情况"))
            _charts(doc, charts)
        else:
            _paragraph(doc, PROMPT.format(prompt))
    _paragraph(doc, indent=False)
    _paragraph(
        doc,
        f"{f.township}人民政府" if f.township else "（单位名称）",
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        indent=False,
    )
    _paragraph(doc, _cn(date) if date else "　　年　月　日", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    return atomic_write(path, lambda tmp: doc.save(tmp), action="生成工作总结")
