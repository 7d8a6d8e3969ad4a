"""Batch printing: several kinds of case documents for a village (or chosen cases) in ONE PDF.

Each document service gathers plain data (``gather_<doc>``: one item per notice or household) and
its ``documents/`` module lays one item out (``story_<doc>``: flowables starting with a ``Section``
marker and ending with a page break, so page numbers restart per item). A batch gathers every kind
the clerk ticked, in the order of :data:`DOCUMENTS`, and lays them out in one ``build_pdf`` call on
the task runner: progress is reported per item, and cancelling stops before the file is written
(``build_pdf`` saves atomically, so a cancelled or failed batch leaves no partial file).
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportlab.platypus import Flowable
from sqlalchemy.orm import Session

from fanpin_desktop.documents.fonts import FontLibrary, default_library
from fanpin_desktop.documents.pdf_common import DocStyles, PageSetup, build_pdf
from fanpin_desktop.domain import ids
from fanpin_desktop.errors import UserError


@dataclass(frozen=True)
class DocumentKind:
    key: str
    label: str
    service: str  # module with gather_<name>
    document: str  # documents/ module with story_<name>
    name: str
    public: bool  # a public document: never blank, and the privacy rule applies
    extra: tuple[tuple[str, Any], ...] = ()  # fixed keyword arguments for the gather function
    township_wide: bool = False  # may cover every village (the lists and the 公告)


#: the kinds a batch can hold, in the order they are printed
DOCUMENTS: tuple[DocumentKind, ...] = (
    DocumentKind(
        "publicity_inclusion",
        "村级公示（拟纳入监测）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "publicity",
        True,
        (("kind", "inclusion"),),
    ),
    DocumentKind(
        "publicity_elimination",
        "村级公示（拟风险消除）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "publicity",
        True,
        (("kind", "elimination"),),
    ),
    DocumentKind(
        "review_township_inclusion",
        "乡镇审核名单（拟纳入监测）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "review_list",
        False,
        (("level", "township"), ("kind", "inclusion")),
        True,
    ),
    DocumentKind(
        "review_township_elimination",
        "乡镇审核名单（拟风险消除）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "review_list",
        False,
        (("level", "township"), ("kind", "elimination")),
        True,
    ),
    DocumentKind(
        "review_county_inclusion",
        "县级审定名单（拟纳入监测）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "review_list",
        False,
        (("level", "county"), ("kind", "inclusion")),
        True,
    ),
    DocumentKind(
        "review_county_elimination",
        "县级审定名单（拟风险消除）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "review_list",
        False,
        (("level", "county"), ("kind", "elimination")),
        True,
    ),
    DocumentKind(
        "announcement_inclusion",
        "乡镇公告（新识别监测对象）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "announcement",
        True,
        (("kind", "inclusion"),),
        True,
    ),
    DocumentKind(
        "announcement_elimination",
        "乡镇公告（风险消除对象）",
        "fanpin_desktop.services.notices",
        "fanpin_desktop.documents.notices_pdf",
        "announcement",
        True,
        (("kind", "elimination"),),
        True,
    ),
    DocumentKind(
        "verification",
        "入户核实表",
        "fanpin_desktop.services.case_sheets",
        "fanpin_desktop.documents.case_sheets_pdf",
        "verification",
        False,
    ),
    DocumentKind(
        "authorisation",
        "申请及承诺授权查询书",
        "fanpin_desktop.services.case_sheets",
        "fanpin_desktop.documents.case_sheets_pdf",
        "authorisation",
        False,
    ),
    DocumentKind(
        "collection",
        "信息采集表",
        "fanpin_desktop.services.collection",
        "fanpin_desktop.documents.collection_pdf",
        "collection",
        False,
    ),
)
KINDS = {d.key: d for d in DOCUMENTS}


@dataclass(frozen=True)
class BatchResult:
    path: Path
    items: dict[str, int]  # kind label → number of documents printed
    skipped: dict[str, str]  # kind label → why nothing was printed (e.g. no case at 公示)


def _styles(fonts: FontLibrary | None, paper: str) -> DocStyles:
    big = paper == "A3"
    return DocStyles(
        fonts=fonts or default_library(),
        body_size=11.0 if big else 9.0,
        header_size=10.0 if big else 8.5,
        title_size=22.0 if big else 17.0,
    )


def _functions(kind: DocumentKind) -> tuple[Callable[..., list[Any]], Callable[..., list[Flowable]]]:
    gather = getattr(importlib.import_module(kind.service), f"gather_{kind.name}")
    story = getattr(importlib.import_module(kind.document), f"story_{kind.name}")
    return gather, story


def write_batch(
    session: Session,
    path: str | os.PathLike[str],
    *,
    kinds: Sequence[str],
    village_id: int | None = None,
    case_ids: Sequence[int] | None = None,
    blank: bool = False,
    paper: str = "A4",
    control: Any = None,
    fonts: FontLibrary | None = None,
    mask_ids: bool = False,
) -> BatchResult:
    """Gather and lay out every chosen kind into one PDF at ``path``.

    A public notice is never blank (a blank 公示 means nothing); with ``blank`` it is still
    printed from the data. A kind with nothing to print is skipped and named in the result; when
    no kind has anything, nothing is written and the clerk is told why. ``mask_ids`` masks every
    identity number on the internal sheets (copies that leave the office).
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown or not kinds:
        raise UserError(
            "请至少选择一种要打印的文书。" if not kinds else f"未知的文书种类：{'、'.join(unknown)}"
        )
    chosen = [KINDS[k] for k in (d.key for d in DOCUMENTS) if k in kinds]
    if village_id is None and not case_ids and not all(k.township_wide for k in chosen):
        per_village = "、".join(k.label for k in chosen if not k.township_wide)
        raise UserError(f"{per_village}按村打印：请选择一个行政村，或先在列表中选中要打印的监测对象。")
    setup = PageSetup(paper=paper, landscape=False)
    styles = _styles(fonts, paper)
    gathered: list[tuple[DocumentKind, Callable[..., list[Flowable]], list[Any]]] = []
    skipped: dict[str, str] = {}
    for number, kind in enumerate(chosen):
        if control is not None:
            control.report(number, len(chosen), f"正在整理{kind.label}的数据…")
        gather, story = _functions(kind)
        kwargs: dict[str, Any] = dict(kind.extra)
        if not kind.public:
            kwargs["blank"] = blank
        picked = list(case_ids) if case_ids else None
        if kind.public and kind.township_wide:
            # the township's 公告 states the township's totals: never one village's or a selection's
            picked = None
        try:
            items = gather(session, village_id=village_id, case_ids=picked, **kwargs)
        except UserError as exc:  # e.g. no case at the 公示 step in this village
            skipped[kind.label] = exc.message
            continue
        if not items:
            skipped[kind.label] = "没有可打印的内容"
            continue
        if mask_ids:
            items = [ids.masked_copy(item) for item in items]
        gathered.append((kind, story, items))
    if not gathered:
        reasons = "；".join(f"{label}：{why}" for label, why in skipped.items())
        raise UserError(f"所选文书都没有可打印的内容（{reasons}）。")
    total = sum(len(items) for _k, _s, items in gathered)
    flowables: list[Flowable] = []
    done = 0
    for _kind, story, items in gathered:
        for item in items:
            if control is not None:
                control.report(done, total, f"正在排版第 {done + 1} / {total} 份…")
            flowables.extend(story(item, styles, setup))
            done += 1
    if control is not None:
        control.report(total, total, "正在生成PDF文件…")
    written = build_pdf(path, flowables, setup, styles=styles, title="监测对象文书批量打印")
    return BatchResult(written, {kind.label: len(items) for kind, _s, items in gathered}, skipped)
