"""村级公示, the 乡镇审核 / 县级审定 lists and the township's 公告 (DOMAIN.md §7), as PDF.

Plain data in, PDF out: the service (``services/notices.py``) picks the cases and builds the
dataclasses below; nothing here touches the database.

Public documents (:class:`PublicityNotice`, :class:`Announcement`) carry only what may be posted:
names, 组, household size, category or elimination mode, optionally the risk types. Their row
types have no field for an ID number, a phone number, a bank account or a health condition, so
no caller can print one by mistake. The internal :class:`ReviewList` prints the full ID number.

Every document is portrait (A4, or A3 for notice boards with bigger type). Each ``story_*``
returns the flowables of one document, starting with a :class:`Section` and ending with a
``PageBreak`` (batch printing concatenates them); ``render_*`` builds one PDF of several.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Spacer, Table, TableStyle

from fanpin_desktop.documents.fonts import FontLibrary, default_library
from fanpin_desktop.documents.pdf_common import (
    DocStyles,
    GridColumn,
    HeaderNode,
    PageSetup,
    Section,
    TableSpec,
    build_pdf,
    col,
    grid_table,
)
from fanpin_desktop.documents.pdf_text import KeepNumbersParagraph

INCLUSION = "inclusion"
ELIMINATION = "elimination"
BLANK_DATE = "　　　　年　　月　　日"


def cn_date(day: dt.date | None) -> str:
    return BLANK_DATE if day is None else f"{day.year}年{day.month}月{day.day}日"


def cn_period(start: dt.date | None, end: dt.date | None, sep: str = "至") -> str:
    """2026年9月26日至10月9日 (the year repeated only when the period crosses one)."""
    if start is None or end is None:
        return f"{BLANK_DATE}{sep}　　月　　日"
    tail = f"{end.year}年" if end.year != start.year else ""
    return f"{cn_date(start)}{sep}{tail}{end.month}月{end.day}日"


def _phone(text: str) -> str:
    return f"（电话：{text}）" if text else ""


# --------------------------------------------------------------------------------------------------
# data


@dataclass(frozen=True)
class NoticeRow:
    """One household on a public notice: nothing that identifies or describes a person's health."""

    group: str
    head_name: str
    people: int | None
    category: str  # 监测对象类别 (inclusion) or 消除方式 (elimination)
    risks: str = ""  # 主要风险 (risk types only), printed only when the notice shows risks
    note: str = ""


@dataclass
class PublicityNotice:
    """One village's 村级公示."""

    township: str
    village: str
    kind: str  # inclusion / elimination
    start: dt.date | None  # None: blank notice, dates filled in by hand
    end: dt.date | None
    days: int
    working_days: bool
    review_dates: list[dt.date] = field(default_factory=list)  # 村“两委”（扩大）会议民主评议
    rows: list[NoticeRow] = field(default_factory=list)
    show_risks: bool = False
    village_phone: str = ""
    township_phone: str = ""
    supervision_phone: str = "12317"
    blank_rows: int = 0  # a blank notice: empty rows for handwriting

    @property
    def year(self) -> int:
        return (self.start or dt.date.today()).year

    @property
    def title(self) -> str:
        what = "防止返贫监测对象风险消除" if self.kind == ELIMINATION else "防止返贫监测对象"
        return f"{self.village}{self.year}年{what}民主评议结果公示"


@dataclass(frozen=True)
class ReviewRow:
    """One household on an internal 乡镇审核 / 县级审定 list (full details)."""

    village: str
    group: str
    head_name: str
    id_number: str
    people: int | None
    category: str
    mode: str  # 拟消除方式 (elimination lists), else ""
    risks: str
    per_capita: str  # 人均纯收入 (元), "" when unknown
    income_year: int | None
    steps: str  # the procedure's steps so far with their dates
    note: str = ""


@dataclass
class ReviewList:
    """The township's 审核 or the county's 审定 list of one procedure."""

    township: str
    county: str
    level: str  # township / county
    kind: str  # inclusion / elimination
    printed_on: dt.date
    village: str = ""  # one village only, else all
    rows: list[ReviewRow] = field(default_factory=list)

    @property
    def step_label(self) -> str:
        return "县级审定" if self.level == "county" else "乡镇审核"

    @property
    def title(self) -> str:
        place = f"{self.township}{self.village}{self.printed_on.year}年"
        if self.kind == ELIMINATION:
            return f"{place}防止返贫监测对象风险消除{self.step_label}名单"
        return f"{place}拟纳入防止返贫监测对象{self.step_label}名单"


@dataclass
class Announcement:
    """The township's 公告 of the county's decisions (one document, a table per village)."""

    township: str
    kind: str
    year: int
    start: dt.date | None
    end: dt.date | None
    days: int
    villages: list[tuple[str, list[NoticeRow]]] = field(default_factory=list)
    township_phone: str = ""
    supervision_phone: str = "12317"
    blank_rows: int = 0

    @property
    def title(self) -> str:
        what = "风险消除对象" if self.kind == ELIMINATION else "新识别监测对象"
        return f"{self.township}{self.year}年度{what}名单公告"

    @property
    def households(self) -> int:
        return sum(len(rows) for _v, rows in self.villages)

    @property
    def people(self) -> int:
        return sum(r.people or 0 for _v, rows in self.villages for r in rows)


# --------------------------------------------------------------------------------------------------
# styles


@dataclass
class NoticeStyles:
    """The paragraph styles of the notices (portrait, bigger type on A3)."""

    base: DocStyles
    paper: str

    def __post_init__(self) -> None:
        big = self.paper == "A3"
        b = self.base
        self.text_size = 15.0 if big else 11.0
        size = self.text_size
        self.title = ParagraphStyle(
            "nt-title",
            fontName=b.hei.primary,
            fontSize=28 if big else 18,
            leading=(28 if big else 18) * 1.4,
            alignment=TA_CENTER,
            wordWrap="CJK",
            spaceAfter=(8 if big else 5) * mm,
        )
        self.body = ParagraphStyle(
            "nt-body",
            fontName=b.fangsong.primary,
            fontSize=size,
            leading=size * 1.65,
            firstLineIndent=size * 2,
            alignment=TA_JUSTIFY,
            wordWrap="CJK",
            spaceAfter=size * 0.3,
        )
        self.plain = ParagraphStyle("nt-plain", parent=self.body, firstLineIndent=0)
        self.heading = ParagraphStyle(
            "nt-heading",
            fontName=b.hei.primary,
            fontSize=size,
            leading=size * 1.6,
            alignment=TA_LEFT,
            wordWrap="CJK",
            spaceBefore=size * 0.4,
            spaceAfter=size * 0.3,
        )
        self.sign = ParagraphStyle(
            "nt-sign", parent=self.plain, alignment=TA_RIGHT, firstLineIndent=0, spaceAfter=0
        )

    def fitted_title(self, text: str, width: float, style: ParagraphStyle | None = None) -> Flowable:
        """The title on one line when it can be (down to 80 % of the type size), else wrapped."""
        style = style or self.title
        need = self.base.hei.string_width(text, style.fontSize)
        if need > width:
            size = max(style.fontSize * 0.8, style.fontSize * width / need - 0.1)
            style = ParagraphStyle(f"{style.name}-fit", parent=style, fontSize=size, leading=size * 1.4)
        return self.p(text, style)

    def p(self, text: str, style: ParagraphStyle) -> Flowable:
        """Body text: never broken inside a date or a number ("2026年12月2/日")."""
        chain = self.base.hei if style.fontName == self.base.hei.primary else self.base.fangsong
        return KeepNumbersParagraph(text, style, chain)


def doc_styles(paper: str, fonts: FontLibrary | None = None, *, dense: bool = False) -> DocStyles:
    """Table styles: notices are read from a board (large type); the internal lists are dense."""
    big = paper == "A3"
    if dense:
        return DocStyles(
            fonts=fonts or default_library(),
            body_size=10.0 if big else 7.5,
            header_size=10.0 if big else 7.5,
            title_size=22.0 if big else 15.0,
        )
    return DocStyles(
        fonts=fonts or default_library(),
        body_size=14.0 if big else 10.5,
        header_size=14.0 if big else 10.5,
        title_size=28.0 if big else 18.0,
    )


def page_setup(paper: str = "A4") -> PageSetup:
    big = paper == "A3"
    margin = (22 if big else 18) * mm
    return PageSetup(
        paper=paper,
        landscape=False,
        margin_top=margin,
        margin_bottom=margin,
        margin_left=margin,
        margin_right=margin,
    )


def review_setup(paper: str = "A4") -> PageSetup:
    """The internal lists: portrait, narrower margins for their many columns."""
    return PageSetup(paper, False, 14 * mm, 14 * mm, 12 * mm, 12 * mm)


def _closing(
    ns: NoticeStyles, setup: PageSetup, paragraphs: Sequence[str], signer: str, day: dt.date | None
) -> list[Flowable]:
    """A notice's or 公告's end, kept together on one page: the period and objection paragraphs,
    then the signer and date with room for the seal; then the page ends."""
    seal_room = (30 if setup.paper == "A3" else 18) * mm
    tail = [ns.p(text, ns.body) for text in paragraphs]
    tail += [Spacer(1, ns.text_size), _sign_block(ns, setup, [signer, cn_date(day)], seal_room)]
    return [KeepTogether(tail), PageBreak()]


def _sign_block(ns: NoticeStyles, setup: PageSetup, lines: Sequence[str], seal_room: float) -> Flowable:
    """Bottom-right signature: room for the seal above the signer's name and the date."""
    width = setup.frame_width * 0.5
    cells = [[ns.p(text, ns.sign)] for text in lines]
    table = Table([[Spacer(1, seal_room)]] + cells, colWidths=[width], hAlign="RIGHT")
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), ns.text_size * 2),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


#: column key → value kind for the width fitting of ``pdf_common.fit_widths``: these values never
#: wrap (an ID number or a name split over two lines is hard to read and to check)
_KINDS = {
    "seq": "seq",
    "village": "choice",
    "group": "choice",
    "head": "choice",
    "id": "id",
    "people": "int",
    "category": "choice",
    "mode": "choice",
    "income": "money",
}


def _spec(columns: Sequence[HeaderNode]) -> TableSpec:
    spec = TableSpec.from_tree(columns)
    kinds = tuple(GridColumn(c.key, c.width, c.align, _KINDS.get(c.key or "", "text")) for c in spec.columns)
    return TableSpec(spec.header_rows, spec.cells, kinds)


def _notice_table(
    rows: Sequence[NoticeRow],
    *,
    styles: DocStyles,
    width: float,
    category_label: str,
    show_risks: bool,
    village: str | None = None,
    blank_rows: int = 0,
) -> Flowable:
    columns = [col("序号", "seq", 0.6)]
    if village is not None:
        columns.append(col("村", "village", 1.0))
    columns += [
        col("组", "group", 0.8),
        col("户主姓名", "head", 1.1),
        col("家庭人口数", "people", 0.9),
        col(category_label, "category", 1.4),
    ]
    if show_risks:
        columns.append(col("主要风险", "risks", 1.8))
    columns.append(col("备注", "note", 1.0))
    body: list[list[str]] = []
    for i, r in enumerate(rows, start=1):
        line = [str(i)]
        if village is not None:
            line.append(village)
        line += [r.group, r.head_name, "" if r.people is None else str(r.people), r.category]
        if show_risks:
            line.append(r.risks)
        line.append(r.note)
        body.append(line)
    body += [[""] * len(columns) for _ in range(blank_rows)]
    pad = styles.body_size * 0.35
    height = styles.body_size * 2.4 if blank_rows else None
    return grid_table(_spec(columns), body, styles=styles, width=width, body_pad_y=pad, row_height=height)


# --------------------------------------------------------------------------------------------------
# 村级公示


def story_publicity(data: PublicityNotice, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    ns = NoticeStyles(styles, setup.paper)
    inclusion = data.kind != ELIMINATION
    count = len(data.rows)
    people = sum(r.people or 0 for r in data.rows)
    if data.review_dates:
        when = "、".join(cn_date(d) for d in sorted(set(data.review_dates)))
    elif data.blank_rows:
        when = BLANK_DATE
    else:
        when = ""
    meeting = f"经{when}村“两委”（扩大）会议民主评议" if when else "经村“两委”（扩大）会议民主评议"
    what = f"以下{count}户{people}人" if count else "以下农户"
    if inclusion:
        procedure = (
            "根据防止返贫动态监测和帮扶工作有关要求，按照“农户申请（授权）、入户核实、村级评议、公示、"
            f"乡镇审核、县级审定”的程序，经农户申请并签署承诺授权书、村入户核实，{meeting}，"
            f"{what}拟纳入防止返贫监测对象，现予以公示。"
        )
        category_label = "监测对象类别"
    else:
        procedure = (
            "根据防止返贫动态监测和帮扶工作有关要求，按照“村提名、入户核实、村级评议、公示、乡镇审核、"
            f"县级审定”的程序，经村提名、入户核实，{meeting}，{what}收入稳定、风险已经消除，"
            "拟标注为风险消除，现予以公示。"
        )
        category_label = "消除方式"
    unit = "个工作日" if data.working_days else "天"
    period = f"公示时间：{cn_period(data.start, data.end)}（{data.days}{unit}）。"
    village_phone = _phone(data.village_phone)
    township_phone = _phone(data.township_phone)
    objection = (
        f"公示期间，如对公示对象有异议，请以书面或口头形式向{data.village}村民委员会{village_phone}"
        f"或{data.township}人民政府{township_phone}反映，也可拨打全国防止返贫监测和衔接推进乡村振兴"
        f"监督举报电话{data.supervision_phone}。"
    )
    story: list[Flowable] = [Section(f"publicity-{data.village}-{data.kind}", f"{data.village} · 村级公示")]
    story.append(ns.fitted_title(data.title, setup.frame_width))
    story.append(ns.p(procedure, ns.body))
    story.append(Spacer(1, ns.text_size * 0.3))
    story.append(
        _notice_table(
            data.rows,
            styles=styles,
            width=setup.frame_width,
            category_label=category_label,
            show_risks=data.show_risks,
            blank_rows=data.blank_rows,
        )
    )
    story.append(Spacer(1, ns.text_size * 0.8))
    story += _closing(ns, setup, [period, objection], f"{data.village}村民委员会（公章）", data.start)
    return story


def _render(
    path: str | os.PathLike[str],
    items: Sequence[Any],
    story_of: Callable[[Any, DocStyles, PageSetup], list[Flowable]],
    setup: PageSetup,
    styles: DocStyles,
    default_title: str,
    subject: str,
) -> Path:
    """One story per item in one PDF; its title is the item's when there is only one."""
    story: list[Flowable] = []
    for item in items:
        story += story_of(item, styles, setup)
    title = items[0].title if len(items) == 1 else default_title
    return build_pdf(path, story, setup, styles=styles, title=title, subject=subject)


def render_publicity(
    path: str | os.PathLike[str],
    notices: Sequence[PublicityNotice],
    *,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    return _render(
        path, notices, story_publicity, page_setup(paper), doc_styles(paper, fonts), "村级公示", "村级公示"
    )


# --------------------------------------------------------------------------------------------------
# 乡镇审核 / 县级审定 名单 (internal)


def story_review_list(data: ReviewList, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    ns = NoticeStyles(styles, setup.paper)
    elimination = data.kind == ELIMINATION
    columns = [
        col("序号", "seq", 0.45),
        col("村", "village", 0.8),
        col("组", "group", 0.6),
        col("户主姓名", "head", 0.8),
        col("证件号码", "id", 1.6),
        col("家庭人口", "people", 0.5),
        col("监测对象\n类别", "category", 1.1),
    ]
    if elimination:
        columns.append(col("拟消除方式", "mode", 0.8))
    columns += [
        col("主要风险", "risks", 1.2),
        col("人均\n纯收入\n（元）", "income", 0.8),
        col("已办程序及时间", "steps", 2.1),
        col("备注", "note", 0.8),
    ]
    aligned = []
    for c in columns:
        if c.key in ("risks", "steps", "note"):
            c = col(c.label, c.key, c.width, "LEFT")
        aligned.append(c)
    body = []
    for i, r in enumerate(data.rows, start=1):
        income = r.per_capita
        line = [
            str(i),
            r.village,
            r.group,
            r.head_name,
            r.id_number,
            "" if r.people is None else str(r.people),
        ]
        line.append(r.category)
        if elimination:
            line.append(r.mode)
        line += [r.risks, income, r.steps, r.note]
        body.append(line)
    total_people = sum(r.people or 0 for r in data.rows)
    story: list[Flowable] = [Section(f"review-{data.level}-{data.kind}", data.title)]
    title_style = ParagraphStyle(
        "rl-title", parent=ns.title, fontSize=styles.title_size, leading=styles.title_size * 1.4
    )
    story.append(ns.fitted_title(data.title, setup.frame_width, title_style))
    note_style = ParagraphStyle(
        "rl-note", parent=ns.plain, fontSize=styles.body_size + 1.5, leading=(styles.body_size + 1.5) * 1.5
    )
    story.append(
        ns.p(
            f"共{len(data.rows)}户{total_people}人。内部材料，含个人敏感信息，请妥善保管，不得张贴或外传。"
            f"　　打印日期：{cn_date(data.printed_on)}",
            note_style,
        )
    )
    story.append(Spacer(1, 2 * mm))
    story.append(grid_table(_spec(aligned), body, styles=styles, width=setup.frame_width, body_pad_y=3.0))
    story.append(Spacer(1, 6 * mm))
    stamp = (
        f"{data.township}人民政府（盖章）"
        if data.level != "county"
        else f"{data.county or '县'}乡村振兴部门（盖章）"
    )
    opinion = "审核意见" if data.level != "county" else "审定意见"
    sign_style = ParagraphStyle(
        "rl-sign", parent=note_style, fontSize=styles.body_size + 2.5, leading=(styles.body_size + 2.5) * 1.5
    )
    width = setup.frame_width
    grid = Table(
        [
            [ns.p(f"{opinion}：", sign_style), ""],
            [ns.p("审核人（签字）：", sign_style), ns.p("负责人（签字）：", sign_style)],
            [ns.p(f"日期：{BLANK_DATE}", sign_style), ns.p(stamp, sign_style)],
        ],
        colWidths=[width * 0.5, width * 0.5],
        rowHeights=[22 * mm, 16 * mm, 16 * mm],
    )
    grid.setStyle(
        TableStyle(
            [
                ("SPAN", (0, 0), (1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
                ("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.black),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    story.append(CondPageBreak(56 * mm))
    story.append(grid)
    story.append(PageBreak())
    return story


def render_review_list(
    path: str | os.PathLike[str],
    lists: Sequence[ReviewList],
    *,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    return _render(
        path,
        lists,
        story_review_list,
        review_setup(paper),
        doc_styles(paper, fonts, dense=True),
        "审核审定名单",
        "审核审定名单（内部）",
    )


# --------------------------------------------------------------------------------------------------
# 公告 (public)


def story_announcement(data: Announcement, styles: DocStyles, setup: PageSetup) -> list[Flowable]:
    ns = NoticeStyles(styles, setup.paper)
    elimination = data.kind == ELIMINATION
    if elimination:
        intro = (
            "按照防止返贫动态监测和帮扶工作有关要求，经村提名、入户核实、村级评议公示、乡镇审核、县级审定，"
            f"{data.year}年度共有{data.households}户{data.people}人风险已经消除，现将名单公告如下："
        )
        category_label = "消除方式"
    else:
        intro = (
            "按照防止返贫动态监测和帮扶工作有关要求，经农户申请、入户核实、村级评议公示、乡镇审核、县级审定，"
            f"{data.year}年度共新识别防止返贫监测对象{data.households}户{data.people}人，现将名单公告如下："
        )
        category_label = "监测对象类别"
    if data.blank_rows:
        intro = intro.replace(f"{data.households}户{data.people}人", "　　户　　人")
    story: list[Flowable] = [Section(f"announcement-{data.kind}", f"{data.township} · 公告")]
    story.append(ns.fitted_title(data.title, setup.frame_width))
    story.append(ns.p(intro, ns.body))
    villages = data.villages or ([("", [])] if data.blank_rows else [])
    numerals = "一二三四五六七八九十"
    for n, (village, rows) in enumerate(villages):
        label = numerals[n] if n < len(numerals) else str(n + 1)
        if village:
            heading = f"{label}、{village}（{len(rows)}户{sum(r.people or 0 for r in rows)}人）"
            story.append(CondPageBreak(ns.text_size * 8))
            story.append(ns.p(heading, ns.heading))
        story.append(
            _notice_table(
                rows,
                styles=styles,
                width=setup.frame_width,
                category_label=category_label,
                show_risks=False,
                village=village,
                blank_rows=data.blank_rows,
            )
        )
    story.append(Spacer(1, ns.text_size * 0.8))
    period = cn_period(data.start, data.end, "—")
    paragraphs = [
        f"公告时间为{data.days}天（{period}）。",
        f"公告期间，如有异议，请向{data.township}人民政府反映{_phone(data.township_phone)}，"
        f"或拨打国家监督电话{data.supervision_phone}。",
    ]
    story += _closing(ns, setup, paragraphs, f"{data.township}人民政府", data.start)
    return story


def render_announcement(
    path: str | os.PathLike[str],
    items: Sequence[Announcement],
    *,
    paper: str = "A4",
    fonts: FontLibrary | None = None,
) -> Path:
    return _render(
        path, items, story_announcement, page_setup(paper), doc_styles(paper, fonts), "公告", "公告"
    )
