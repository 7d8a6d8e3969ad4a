"""PDFs the verifiers and the household sign: the 入户核实表 (household verification sheet) and the
监测对象申请及承诺授权查询书 (application, declaration and authorisation to check income and assets).

Both are internal documents: they print the full ID numbers (the household signs under them), and
every page's footer says the sheet holds personal data. Portrait, A4 by default; on A3 every size
(fonts, row heights, signature boxes) scales with the page width.

The ``render_*`` functions take plain data (:class:`VerificationSheet`, :class:`AuthorisationLetter`)
gathered by ``services/case_sheets.py`` and know nothing of the database. ``story_*`` give the
flowables of one household's document, for batches that put several documents into one PDF.

Speed: a table cell is a plain string when the primary font draws it on one line (the common case)
and a Paragraph only when it wraps or needs a fallback font (rare characters in names); column
widths are fixed per page size, never measured per sheet, so 500 sheets take seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from fanpin_desktop.documents.appendix_pdf import amount_text, cn_date
from fanpin_desktop.documents.fonts import FontChain, FontLibrary, default_library
from fanpin_desktop.documents.pdf_common import (
    GRID_COLOR,
    HEADER_BG,
    DocStyles,
    PageSetup,
    Section,
    build_pdf,
)

VERIFICATION_TITLE = "防止返贫监测对象入户核实表"
AUTHORISATION_TITLE = "防止返贫监测对象申请及承诺授权查询书"
PRIVACY_FOOTER = "内含个人敏感信息，请妥善保管，不得外传"

#: a member of this age or older signs the authorisation letter himself (an adult in civil law,
#: 民法典 第十七条); for a younger member the guardian (户主 or a parent) signs the application
ADULT_AGE = 18

BLANK_MEMBER_ROWS = 8  # member grid rows of a blank verification sheet
EXTRA_MEMBER_ROWS = 2  # empty rows under the members of a pre-filled sheet
BLANK_SIGNER_ROWS = 6  # signature rows of a blank authorisation letter
UNCHECKED = "□是　□否"
BLANK_FILL = "＿＿＿＿＿＿"  # a blank to be filled in by hand in running text

#: the 三保障 and drinking-water questions, in the order printed
GUARANTEE_LABELS = ("住房安全有保障", "义务教育有保障", "基本医疗有保障", "饮水安全有保障")

SIGNATURE_NOTE = "核实人须两人，本人签字；户主不能书写的，由家庭成员代签并按手印。"

PURPOSE_INCLUSION = "识别纳入监测"
PURPOSE_ELIMINATION = "风险消除"
CONCLUSION_CHOICES = {
    PURPOSE_INCLUSION: "□符合防止返贫监测对象认定条件，建议提交村级民主评议\n□不符合认定条件，理由：",
    PURPOSE_ELIMINATION: "□风险已稳定消除，建议提交村级民主评议\n□风险尚未稳定消除，继续监测帮扶，理由：",
    "": "□符合认定条件 / 风险已稳定消除，建议提交村级民主评议\n□不符合认定条件 / 风险尚未消除，理由：",
}

_A4_PORTRAIT_FRAME = PageSetup("A4", landscape=False).frame_width


# --------------------------------------------------------------------------------------------------
# plain data


@dataclass(frozen=True)
class SheetMember:
    """One family member as the sheets print him (full ID: internal documents)."""

    name: str = ""
    sex: str = ""
    id_number: str = ""
    relation: str = ""  # 与户主关系
    age: int | None = None
    health: str = ""
    labour: str = ""  # 劳动技能
    schooling: str = ""  # 在校情况
    work: str = ""  # 务工情况, e.g. 省外务工（浙江宁波）10个月


@dataclass(frozen=True)
class IncomeFigures:
    """The household's income record (元) with the totals of ``domain/income.py``."""

    year: int | None
    period: str  # e.g. 2025年1月—2025年12月
    people: int | None  # 家庭人口数 the per-capita figure is divided by
    wage: Decimal | None  # 工资性收入
    business: Decimal | None  # 生产经营性收入
    property_income: Decimal | None  # 财产性收入
    transfer: Decimal | None  # 转移性收入
    business_cost: Decimal | None  # 生产经营性支出
    net: Decimal | None  # 家庭纯收入
    per_capita: Decimal | None  # 人均纯收入
    rigid_spending: Decimal | None  # 合规自付支出


@dataclass(frozen=True)
class VerificationSheet:
    """One household's 入户核实表. ``blank``: print empty fields (only what is given here, e.g. the
    township and village of a field team's sheet) and an empty member grid."""

    township: str = ""
    village: str = ""
    group: str = ""
    code: str = ""  # 户编号
    head_name: str = ""
    purpose: str = ""  # PURPOSE_INCLUSION / PURPOSE_ELIMINATION / "" (either, ticked by hand)
    verified_on: dt.date | None = None  # the 入户核实 step's date when recorded
    members: tuple[SheetMember, ...] = ()
    income: IncomeFigures | None = None
    guarantees: tuple[tuple[str, bool | None], ...] = ()  # (label of GUARANTEE_LABELS, secured?)
    risks: tuple[str, ...] = ()  # ordered, e.g. ("因病", "因自然灾害（洪涝）")
    conclusion: str = ""  # the recorded 入户核实 result; "" prints the choices to tick
    blank: bool = False
    key: str = ""  # distinguishes documents in one PDF (page numbers count per document)

    @property
    def label(self) -> str:
        head = f"{self.head_name}户" if self.head_name else ""
        return " ".join(p for p in (f"{self.village}{self.group}", self.code, head) if p)


@dataclass(frozen=True)
class AuthorisationLetter:
    """One household's 承诺授权查询书; ``signers`` are the adult members (see :data:`ADULT_AGE`)."""

    township: str = ""
    village: str = ""
    group: str = ""
    code: str = ""
    head_name: str = ""
    people: int | None = None  # 家庭人口数
    risks: tuple[str, ...] = ()
    signers: tuple[SheetMember, ...] = ()
    blank: bool = False
    key: str = ""

    @property
    def label(self) -> str:
        head = f"{self.head_name}户" if self.head_name else ""
        return " ".join(p for p in (f"{self.village}{self.group}", self.code, head) if p)


# --------------------------------------------------------------------------------------------------
# styles and cells, built once per page size


class _Kit:
    """Scaled styles, fixed column widths and a cell maker for one (styles, page size)."""

    def __init__(self, styles: DocStyles, setup: PageSetup) -> None:
        self.k = k = setup.frame_width / _A4_PORTRAIT_FRAME
        self.width = setup.frame_width
        self.song: FontChain = styles.song
        self.hei: FontChain = styles.hei
        self.fangsong: FontChain = styles.fangsong
        self.cell_size = 9.5 * k
        self.text_size = 11.5 * k
        self.title = ParagraphStyle(
            "cs-title",
            fontName=self.hei.primary,
            fontSize=18 * k,
            leading=24 * k,
            alignment=TA_CENTER,
            wordWrap="CJK",
            spaceAfter=3 * mm * k,
        )
        self.section = ParagraphStyle(
            "cs-section",
            fontName=self.hei.primary,
            fontSize=11 * k,
            leading=14 * k,
            wordWrap="CJK",
            spaceBefore=1.8 * mm * k,
            spaceAfter=1.0 * mm * k,
        )
        self.cell = ParagraphStyle(
            "cs-cell",
            fontName=self.song.primary,
            fontSize=self.cell_size,
            leading=self.cell_size * 1.25,
            alignment=TA_CENTER,
            wordWrap="CJK",
        )
        self.cell_left = ParagraphStyle("cs-cell-left", parent=self.cell, alignment=TA_LEFT)
        self.label_style = ParagraphStyle("cs-label", parent=self.cell, fontName=self.hei.primary)
        self.body = ParagraphStyle(
            "cs-body",
            fontName=self.fangsong.primary,
            fontSize=self.text_size,
            leading=self.text_size * 1.65,
            alignment=TA_JUSTIFY,
            firstLineIndent=2 * self.text_size,
            wordWrap="CJK",
            spaceAfter=1.2 * mm * k,
        )
        self.body_flush = ParagraphStyle("cs-body-flush", parent=self.body, firstLineIndent=0)
        self.note = ParagraphStyle(
            "cs-note",
            fontName=self.fangsong.primary,
            fontSize=9.5 * k,
            leading=13 * k,
            alignment=TA_JUSTIFY,
            wordWrap="CJK",
        )
        self.pad = 2.0 * k
        # 序号 姓名 性别 证件号码 与户主关系 年龄 健康状况 劳动技能 在校情况 务工情况 (mm on A4)
        self.member_widths = self._widths((9, 17, 9, 36, 19, 9, 20, 19, 20, 30))
        self.pair_widths = self._widths((37, 58, 37, 58))
        self.signer_widths = self._widths((10, 26, 22, 47, 85))
        self._fits: dict[tuple[str, float], bool] = {}

    def _widths(self, mm_widths: Sequence[float]) -> list[float]:
        total = sum(mm_widths)
        return [self.width * w / total for w in mm_widths]

    def cell_value(self, value: Any, width: float, left: bool = False) -> Any:
        """A plain string when it fits on one line in the primary font, else a wrapping Paragraph."""
        if value is None:
            return ""
        text = str(value)
        if not text:
            return ""
        key = (text, width)
        fits = self._fits.get(key)
        if fits is None:
            fits = (
                "\n" not in text
                and self.song.covers(text)
                and self.song.string_width(text, self.cell_size) <= width - 2 * self.pad - 0.5
            )
            if len(self._fits) < 20_000:
                self._fits[key] = fits
        if fits:
            return text
        return Paragraph(self.song.markup(text), self.cell_left if left else self.cell)

    def para(self, text: str, style: ParagraphStyle) -> Paragraph:
        chain = {self.hei.primary: self.hei, self.fangsong.primary: self.fangsong}.get(
            style.fontName, self.song
        )
        return Paragraph(chain.markup(text), style)

    def label(self, text: str) -> Paragraph:
        return Paragraph(self.hei.markup(text), self.label_style)

    def grid_style(self, extra: Sequence[tuple] = ()) -> TableStyle:
        return TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOR),
                ("BOX", (0, 0), (-1, -1), 1.0, GRID_COLOR),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("FONTNAME", (0, 0), (-1, -1), self.song.primary),
                ("FONTSIZE", (0, 0), (-1, -1), self.cell_size),
                ("LEADING", (0, 0), (-1, -1), self.cell_size * 1.25),
                ("LEFTPADDING", (0, 0), (-1, -1), self.pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), self.pad),
                ("TOPPADDING", (0, 0), (-1, -1), self.pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), self.pad),
                *extra,
            ]
        )


def _kit(styles: DocStyles, setup: PageSetup) -> _Kit:
    kits: dict[tuple[str, float], _Kit] = styles.__dict__.setdefault("_case_sheet_kits", {})
    key = (setup.paper, setup.frame_width)
    kit = kits.get(key)
    if kit is None:
        kit = kits[key] = _Kit(styles, setup)
    return kit


def _money(value: Decimal | None) -> str:
    return amount_text(value) if value is not None else ""


def _yes_no(value: bool | None) -> str:
    if value is None:
        return UNCHECKED
    return "是" if value else "否"


class Deferred(Flowable):
    """Stands for one document's flowables and makes them only when the layout reaches it.

    Its height is always more than there is room for, so the layout asks it to split, and the
    split is the document's real story (starting with its zero-size :class:`Section`). A batch of
    500 sheets thus holds 500 small data objects, not 500 sheets of tables, and each sheet's
    flowables are freed once drawn.
    """

    def __init__(self, make: Callable[[], list[Flowable]]) -> None:
        super().__init__()
        self._make: Callable[[], list[Flowable]] | None = make

    def wrap(self, availWidth, availHeight):  # noqa: N803 - ReportLab's signature
        return availWidth, availHeight + 1

    def split(self, availWidth, availHeight):  # noqa: N803
        make, self._make = self._make, None
        return make() if make is not None else []

    def draw(self) -> None:  # never drawn: always split
        pass


def _numbered(item: Any, number: int) -> Any:
    """``item`` with a key unique in its PDF (a case printed twice is numbered twice)."""
    return dataclasses.replace(item, key=f"{number}-{item.key}")


# --------------------------------------------------------------------------------------------------
# 入户核实表


def _header_grid(kit: _Kit, sheet: VerificationSheet) -> Table:
    blank = sheet.blank
    date = cn_date(sheet.verified_on if not blank else None)
    purpose = sheet.purpose if sheet.purpose and not blank else "□识别纳入监测　　□风险消除"
    w = kit.pair_widths
    rows = [
        [kit.label("乡（镇）"), kit.cell_value(sheet.township, w[1]), kit.label("行政村"),
         kit.cell_value(sheet.village, w[3])],
        [kit.label("村民小组"), kit.cell_value(sheet.group, w[1]),
         kit.label("户编号"), kit.cell_value(sheet.code, w[3])],
        [kit.label("户主姓名"), kit.cell_value(sheet.head_name, w[1]), kit.label("核实日期"), date],
        [kit.label("核实事项"), kit.cell_value(purpose, w[1] + w[2] + w[3], left=True), "", ""],
    ]  # fmt: skip
    table = Table(rows, colWidths=w, rowHeights=[7 * mm * kit.k] * len(rows))
    table.setStyle(
        kit.grid_style(
            [
                ("SPAN", (1, 3), (3, 3)),
                ("ALIGN", (1, 3), (1, 3), "LEFT"),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("BACKGROUND", (2, 0), (2, 2), HEADER_BG),
            ]
        )
    )
    return table


_MEMBER_HEADS = (
    "序号",
    "姓名",
    "性别",
    "证件号码",
    "与户主关系",
    "年龄",
    "健康状况",
    "劳动技能",
    "在校情况",
    "务工情况",
)


def _member_grid(kit: _Kit, sheet: VerificationSheet) -> Table:
    w = kit.member_widths
    rows: list[list[Any]] = [[kit.label(h) for h in _MEMBER_HEADS]]
    if sheet.blank or not sheet.members:
        rows += [[str(i + 1)] + [""] * 9 for i in range(BLANK_MEMBER_ROWS)]
        heights: list[float | None] = [None] + [8 * mm * kit.k] * BLANK_MEMBER_ROWS
    else:
        for i, m in enumerate(sheet.members):
            values = (
                str(i + 1),
                m.name,
                m.sex,
                m.id_number,
                m.relation,
                "" if m.age is None else str(m.age),
                m.health,
                m.labour,
                m.schooling,
                m.work,
            )
            rows.append([kit.cell_value(v, w[c], left=c == 9) for c, v in enumerate(values)])
        # empty rows for a member the verifier finds at the door (born, married in, back home)
        count = len(sheet.members)
        rows += [[str(count + i + 1)] + [""] * 9 for i in range(EXTRA_MEMBER_ROWS)]
        heights = [None] * (1 + count) + [7 * mm * kit.k] * EXTRA_MEMBER_ROWS
    table = Table(rows, colWidths=w, rowHeights=heights, repeatRows=1, splitByRow=1)
    table.setStyle(
        kit.grid_style(
            [
                ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                ("TOPPADDING", (0, 1), (-1, -1), 2.6 * kit.k),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 2.6 * kit.k),
            ]
        )
    )
    return table


def _income_grid(kit: _Kit, sheet: VerificationSheet) -> Table:
    inc = None if sheet.blank else sheet.income
    w = kit.pair_widths

    def v(attr: str) -> str:
        return "" if inc is None else _money(getattr(inc, attr))

    people = "" if inc is None or inc.people is None else str(inc.people)
    rows = [
        [kit.label("工资性收入"), v("wage"), kit.label("生产经营性收入"), v("business")],
        [kit.label("财产性收入"), v("property_income"), kit.label("转移性收入"), v("transfer")],
        [kit.label("生产经营性支出"), v("business_cost"), kit.label("家庭纯收入"), v("net")],
        [kit.label("家庭人口数（人）"), people, kit.label("人均纯收入"), v("per_capita")],
        [kit.label("合规自付支出"), v("rigid_spending"), kit.label("收入计算期"),
         kit.cell_value("" if inc is None else inc.period, w[3])],
    ]  # fmt: skip
    table = Table(rows, colWidths=w, rowHeights=[6.5 * mm * kit.k] * len(rows))
    table.setStyle(
        kit.grid_style(
            [
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("BACKGROUND", (2, 0), (2, -1), HEADER_BG),
                ("ALIGN", (1, 0), (1, 4), "RIGHT"),
                ("ALIGN", (3, 0), (3, 3), "RIGHT"),
                ("RIGHTPADDING", (1, 0), (1, -1), 4 * kit.k),
                ("RIGHTPADDING", (3, 0), (3, -1), 4 * kit.k),
            ]
        )
    )
    return table


def _guarantee_grid(kit: _Kit, sheet: VerificationSheet) -> Table:
    known = {} if sheet.blank else dict(sheet.guarantees)
    answers = [_yes_no(known.get(label)) for label in GUARANTEE_LABELS]
    rows = [
        [kit.label(GUARANTEE_LABELS[0]), answers[0], kit.label(GUARANTEE_LABELS[1]), answers[1]],
        [kit.label(GUARANTEE_LABELS[2]), answers[2], kit.label(GUARANTEE_LABELS[3]), answers[3]],
    ]
    table = Table(rows, colWidths=kit.pair_widths, rowHeights=[6.5 * mm * kit.k] * 2)
    table.setStyle(
        kit.grid_style(
            [("BACKGROUND", (0, 0), (0, -1), HEADER_BG), ("BACKGROUND", (2, 0), (2, -1), HEADER_BG)]
        )
    )
    return table


def _risk_text(risks: Sequence[str], blank: bool) -> str:
    if blank or not risks:
        return "　".join(f"{i}．＿＿＿＿＿＿" for i in range(1, 4))
    return "　".join(f"{i}．{r}" for i, r in enumerate(risks, 1))


def _box(kit: _Kit, label: str, content: Any, height: float | None) -> Table:
    w = kit.pair_widths
    table = Table(
        [[kit.label(label), content]],
        colWidths=[w[0], sum(w[1:])],
        rowHeights=[height],
    )
    table.setStyle(
        kit.grid_style(
            [
                ("BACKGROUND", (0, 0), (0, 0), HEADER_BG),
                ("ALIGN", (1, 0), (1, 0), "LEFT"),
                ("VALIGN", (1, 0), (1, 0), "TOP"),
                ("TOPPADDING", (1, 0), (1, 0), 3 * kit.k),
                ("LEFTPADDING", (1, 0), (1, 0), 4 * kit.k),
            ]
        )
    )
    return table


def _signature_grid(kit: _Kit) -> Table:
    """Four signature cells, each 15 mm high on A4, then a note and the date."""
    w = kit.width / 4
    date = cn_date(None)
    note = Paragraph(kit.fangsong.markup(SIGNATURE_NOTE), kit.note)
    rows = [
        [kit.label("核实人（签字）"), "", kit.label("核实人（签字）"), ""],
        [kit.label("户主签字（按手印）"), "", kit.label("村委会（盖章）"), ""],
        [note, "", kit.label("日期"), date],
    ]
    height = 15 * mm * kit.k
    table = Table(
        rows, colWidths=[w * 0.72, w * 1.28, w * 0.72, w * 1.28], rowHeights=[height, height, 11 * mm * kit.k]
    )
    table.setStyle(
        kit.grid_style(
            [
                ("BACKGROUND", (0, 0), (0, 1), HEADER_BG),
                ("BACKGROUND", (2, 0), (2, 2), HEADER_BG),
                ("SPAN", (0, 2), (1, 2)),
                ("ALIGN", (0, 2), (0, 2), "LEFT"),
            ]
        )
    )
    return table


def story_verification(sheet: VerificationSheet, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    """One household's 入户核实表 (one page, more when the household has many members)."""
    kit = _kit(styles, setup)
    name = f"入户核实表 {sheet.key or sheet.label or sheet.village}"
    footer = "　".join(
        p for p in (f"入户核实表　{sheet.label}" if sheet.label else "入户核实表", PRIVACY_FOOTER) if p
    )
    story: list[Flowable] = [
        Section(name, footer),
        kit.para(VERIFICATION_TITLE, kit.title),
        _header_grid(kit, sheet),
    ]
    story.append(kit.para("一、家庭成员情况", kit.section))
    story.append(_member_grid(kit, sheet))
    inc = None if sheet.blank else sheet.income
    year = f"{inc.year}年度，" if inc and inc.year else ""
    # a block never splits from its heading nor across pages (a long member list pushes it over)
    story.append(
        KeepTogether([kit.para(f"二、家庭收支情况（{year}单位：元）", kit.section), _income_grid(kit, sheet)])
    )
    story.append(
        KeepTogether([kit.para("三、“三保障”及饮水安全情况", kit.section), _guarantee_grid(kit, sheet)])
    )
    risks = kit.cell_value(_risk_text(sheet.risks, sheet.blank), sum(kit.pair_widths[1:]), left=True)
    conclusion_text = (
        sheet.conclusion
        if sheet.conclusion and not sheet.blank
        else CONCLUSION_CHOICES.get("" if sheet.blank else sheet.purpose, CONCLUSION_CHOICES[""])
    )
    conclusion = Paragraph(
        kit.song.markup(conclusion_text),
        ParagraphStyle("cs-concl", parent=kit.cell_left, leading=kit.cell_size * 1.9),
    )
    tail = [
        kit.para("四、主要风险及核实结论", kit.section),
        _box(kit, "主要风险\n（按主次排序）", risks, 9 * mm * kit.k),
        _box(kit, "核实结论", conclusion, 22 * mm * kit.k),
        Spacer(1, 2.5 * mm * kit.k),
        _signature_grid(kit),
    ]
    story.append(KeepTogether(tail))
    story.append(PageBreak())
    return story


def render_verification(
    path: str | os.PathLike[str],
    sheets: Sequence[VerificationSheet],
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    """The sheets into one PDF, each household's pages numbered on their own."""
    setup = PageSetup(paper, landscape=False)
    styles = DocStyles(fonts or default_library())
    story = [
        Deferred(functools.partial(story_verification, _numbered(sheet, i), styles, setup))
        for i, sheet in enumerate(sheets, 1)
    ]
    return build_pdf(path, story, setup, styles=styles, title=VERIFICATION_TITLE, subject=PRIVACY_FOOTER)


# --------------------------------------------------------------------------------------------------
# 监测对象申请及承诺授权查询书


def _application_text(letter: AuthorisationLetter) -> str:
    if letter.blank:
        return (
            f"本户户主{BLANK_FILL}，家住{letter.village or BLANK_FILL + '村'}{BLANK_FILL}组，"
            f"家庭共有人口＿＿人。因{BLANK_FILL}{BLANK_FILL}，家庭存在返贫致贫风险（或已出现严重困难），"
            "现自愿申请纳入防止返贫监测对象，接受监测帮扶。"
        )
    place = f"{letter.village}{letter.group}"
    people = f"{letter.people}" if letter.people else "＿＿"
    code = f"（户编号{letter.code}）" if letter.code else ""
    reason = "、".join(letter.risks) if letter.risks else BLANK_FILL
    return (
        f"本户户主{letter.head_name or BLANK_FILL}{code}，家住{place or BLANK_FILL}，家庭共有人口{people}人。"
        f"因{reason}，家庭存在返贫致贫风险（或已出现严重困难），现自愿申请纳入防止返贫监测对象，接受监测帮扶。"
    )


DECLARATION = (
    "本户郑重承诺：申请时所提供的家庭人口、收入、财产、“三保障”及饮水安全等情况真实、完整、准确，"
    "无虚报、隐瞒和伪造。如有虚报、隐瞒或伪造，自愿退出监测帮扶，退回已享受的帮扶资金和物资，"
    "并依法承担相应的法律责任。"
)
AUTHORISATION = (
    "本户全体家庭成员同意并授权乡镇人民政府、县级乡村振兴（农业农村）部门会同民政、人力资源社会保障、"
    "公安、自然资源、住房城乡建设、市场监管、税务、医疗保障等有关部门和银行等金融机构，依法查询、"
    "核对本户家庭成员的收入、社会保障（养老保险、医疗保险、社会救助等）、车辆、房产、银行存款及有价证券、"
    "工商（市场主体）登记等信息。查询结果仅用于防止返贫监测对象的认定和帮扶，不得用于其他用途。"
)
SIGN_NOTE = (
    f"注：家庭成员中年满{ADULT_AGE}周岁的，均须本人签字并按手印；未满{ADULT_AGE}周岁的由监护人代为签字。"
    "本人不能书写的，可由村干部或亲属代写姓名并注明“代写”及代写人姓名，本人按手印。"
)
_SIGNER_HEADS = ("序号", "姓名", "与户主关系", "身份证号码", "本人签字（按手印）")


def _signer_grid(kit: _Kit, letter: AuthorisationLetter) -> Table:
    w = kit.signer_widths
    rows: list[list[Any]] = [[kit.label(h) for h in _SIGNER_HEADS]]
    signers = () if letter.blank else letter.signers
    if signers:
        for i, m in enumerate(signers):
            values = (str(i + 1), m.name, m.relation, m.id_number, "")
            rows.append([kit.cell_value(v, w[c]) for c, v in enumerate(values)])
        count = len(signers)
    else:
        count = BLANK_SIGNER_ROWS
        rows += [[str(i + 1), "", "", "", ""] for i in range(count)]
    table = Table(
        rows,
        colWidths=w,
        rowHeights=[9 * mm * kit.k] + [18 * mm * kit.k] * count,
        repeatRows=1,
        splitByRow=1,
    )
    table.setStyle(kit.grid_style([("BACKGROUND", (0, 0), (-1, 0), HEADER_BG)]))
    return table


def _applicant_block(kit: _Kit) -> Table:
    w = kit.width
    rows = [[kit.label("申请人（户主）\n签字（按手印）"), "", kit.label("日期"), cn_date(None)]]
    table = Table(rows, colWidths=[w * 0.2, w * 0.38, w * 0.1, w * 0.32], rowHeights=[20 * mm * kit.k])
    table.setStyle(
        kit.grid_style([("BACKGROUND", (0, 0), (0, 0), HEADER_BG), ("BACKGROUND", (2, 0), (2, 0), HEADER_BG)])
    )
    return table


def story_authorisation(letter: AuthorisationLetter, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    """One household's 申请及承诺授权查询书."""
    kit = _kit(styles, setup)
    name = f"承诺授权书 {letter.key or letter.label or letter.village}"
    footer = "　".join(
        p
        for p in (f"承诺授权查询书　{letter.label}" if letter.label else "承诺授权查询书", PRIVACY_FOOTER)
        if p
    )
    township = letter.township
    addressee = f"{township}人民政府：" if township else f"{BLANK_FILL}乡（镇）人民政府："
    story: list[Flowable] = [
        Section(name, footer),
        kit.para(AUTHORISATION_TITLE, kit.title),
        kit.para(addressee, kit.body_flush),
        kit.para("一、申请。" + _application_text(letter), kit.body),
        kit.para("二、承诺。" + DECLARATION, kit.body),
        kit.para("三、授权。" + AUTHORISATION, kit.body),
        kit.para("家庭成员（成年人）签字确认：", kit.section),
        _signer_grid(kit, letter),
        Spacer(1, 1.5 * mm * kit.k),
        kit.para(SIGN_NOTE, kit.note),
        Spacer(1, 4 * mm * kit.k),
        KeepTogether([_applicant_block(kit)]),
        PageBreak(),
    ]
    return story


def render_authorisation(
    path: str | os.PathLike[str],
    letters: Sequence[AuthorisationLetter],
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    setup = PageSetup(paper, landscape=False)
    styles = DocStyles(fonts or default_library())
    story = [
        Deferred(functools.partial(story_authorisation, _numbered(letter, i), styles, setup))
        for i, letter in enumerate(letters, 1)
    ]
    return build_pdf(path, story, setup, styles=styles, title=AUTHORISATION_TITLE, subject=PRIVACY_FOOTER)
