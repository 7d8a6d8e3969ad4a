"""Read back appendix 1 (到户排查表) and appendix 2 (村级排查表) workbooks filled in by village teams.

The workbook is the one ``appendix_export`` wrote (or any sheet with the same header wording):
columns are found by their header text, whatever their position, and rows are matched to
households by the hidden 系统编号 column, else by 村组 + 户主姓名. Every cell is checked before
anything is saved; a problem is reported with its row, column, header, value and reason, and one
error anywhere means nothing is saved (the clerk fixes the file and imports it again). Answers to
questions that do not concern a household are dropped with a warning. Rows where nothing was
filled in (no 排查方式 and no answer) are households not visited yet and are skipped.

Saving goes through ``screening.apply_answers``, exactly like the entry form: overrides of
suggestions are kept and “该户是否应纳入监测对象 = 是” creates a monitoring-case clue.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from fanpin_desktop.domain import appendix1
from fanpin_desktop.domain import appendix_layouts as layouts
from fanpin_desktop.errors import UserError, explain_os_error
from fanpin_desktop.models import Campaign, Household, HouseholdScreening, Village, VillageGroup
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services import screening

ERROR, WARNING = "error", "warning"
MAX_HEADER_SCAN = 15  # rows searched for the header
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR = re.compile(r"(20\d{2})\s*年")
#: columns an exported sheet fills from the registry even for households not yet visited
PREFILLED = frozenset({"seq", "village_group", "head_name", "household_size", "household_type"})


@dataclass(frozen=True)
class ImportIssue:
    row: int  # sheet row, 1-based (0: the file as a whole)
    column: str  # column letter ("" when the whole row or file is meant)
    header: str
    value: str
    reason: str
    severity: str = ERROR

    @property
    def message(self) -> str:
        where = []
        if self.row:
            where.append(f"第{self.row}行")
        if self.column:
            where.append(f"{self.column}列" + (f"（{self.header}）" if self.header else ""))
        value = f"“{self.value}”" if self.value != "" else ""
        head = "".join(where) + value
        return f"{head}：{self.reason}" if head else self.reason


@dataclass
class ImportReport:
    appendix: int
    path: Path
    sheet: str = ""
    rows_read: int = 0  # data rows with anything in them
    rows_saved: int = 0
    rows_skipped: int = 0  # households with nothing filled in
    created: int = 0
    updated: int = 0
    clues_created: int = 0
    saved: bool = False
    issues: list[ImportIssue] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == ERROR]

    @property
    def warnings(self) -> list[ImportIssue]:
        return [i for i in self.issues if i.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"发现{len(self.errors)}处错误，未导入任何数据。请修改表格后重新导入。"
        text = f"读取{self.rows_read}行，导入{self.rows_saved}户（新增{self.created}，更新{self.updated}）"
        if self.rows_skipped:
            text += f"，{self.rows_skipped}户未填写、已跳过"
        if self.clues_created:
            text += f"，新建监测线索{self.clues_created}条"
        if self.warnings:
            text += f"；另有{len(self.warnings)}条提示"
        return text + ("。" if self.saved else "（仅检查，未保存）。")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def _short(value: Any, limit: int = 40) -> str:
    text = _text(value)
    return text if len(text) <= limit else text[:limit] + "…"


# --------------------------------------------------------------------------- reading the sheet


@dataclass
class _Sheet:
    title: str
    rows: list[tuple[Any, ...]]
    header_top: int  # 0-based index into rows
    header_bottom: int
    columns: dict[str, int]  # layout key -> 0-based column
    key_col: int | None
    above: list[str]  # texts above the header (title, 填表时间 …)


def _read_rows(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise UserError(f"找不到文件：{path}") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise UserError(
            f"文件“{path.name}”不是有效的 Excel 工作簿（.xlsx）。如为 .xls 或 WPS 格式，"
            "请先另存为 .xlsx 再导入。"
        ) from exc
    except OSError as exc:
        raise (explain_os_error(exc, "读取表格", path) or UserError(f"无法读取文件 {path}。")) from exc
    try:
        return [(ws.title, [tuple(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets]
    finally:
        wb.close()


def _leaf_labels(rows: list[tuple[Any, ...]], top: int, bottom: int) -> dict[int, str]:
    """Per column, the lowest non-empty header text (merged areas keep their text top-left)."""
    out: dict[int, str] = {}
    for r in range(top, bottom + 1):
        for c, v in enumerate(rows[r]):
            if _text(v):
                out[c] = _text(v)
    return out


def _match_columns(
    layout: layouts.Layout, labels: dict[int, str]
) -> tuple[dict[str, int], list[str], int | None]:
    patterns = {c.key: layouts.label_pattern(c.label) for c in layout.columns}
    found: dict[str, int] = {}
    key_col = None
    key_norm = layouts.normalize_label(layout.key_column) if layout.key_column else None
    for col, text in sorted(labels.items()):
        norm = layouts.normalize_label(text)
        if key_norm and norm == key_norm:
            key_col = col
            continue
        for key, pat in patterns.items():
            if key not in found and pat.match(norm):
                found[key] = col
                break
    missing = [c.key for c in layout.columns if c.key not in found]
    return found, missing, key_col


def _find_sheet(
    path: Path, layout: layouts.Layout, anchor: tuple[str, ...]
) -> tuple[_Sheet | None, list[str]]:
    """The first sheet whose header matches the layout; else the best attempt's missing columns."""
    best_missing: list[str] | None = None
    anchors = [layouts.normalize_label(a) for a in anchor]
    for title, rows in _read_rows(path):
        for top in range(min(MAX_HEADER_SCAN, len(rows))):
            texts = {layouts.normalize_label(v) for v in rows[top] if _text(v)}
            if not all(a in texts for a in anchors):
                continue
            for depth in range(layout.header_rows, 0, -1):
                bottom = min(top + depth - 1, len(rows) - 1)
                cols, missing, key_col = _match_columns(layout, _leaf_labels(rows, top, bottom))
                if not missing:
                    above = [_text(v) for r in rows[:top] for v in r if _text(v)]
                    return _Sheet(title, rows, top, bottom, cols, key_col, above), []
                if best_missing is None or len(missing) < len(best_missing):
                    best_missing = missing
    return None, best_missing or [c.key for c in layout.columns]


def _file_issue(reason: str) -> ImportIssue:
    return ImportIssue(0, "", "", "", reason)


def _check_year(sheet: _Sheet, campaign: Campaign, report: ImportReport) -> None:
    for text in sheet.above:
        m = _YEAR.search(text)
        if m and "填表时间" not in text and "日期" not in text:
            if int(m.group(1)) != campaign.year:
                report.issues.append(
                    _file_issue(
                        f"表格标题“{_short(text, 60)}”是{m.group(1)}年的，当前排查批次是{campaign.year}年，"
                        "请确认导入的批次是否正确"
                    )
                )
            return


def _sheet_date(sheet: _Sheet) -> dt.date | None:
    for text in sheet.above:
        if "填表时间" in text or "日期" in text:
            m = _DATE.search(text)
            if m:
                try:
                    return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    return None
    return None


def _data_rows(sheet: _Sheet) -> list[tuple[int, tuple[Any, ...]]]:
    out = []
    for i in range(sheet.header_bottom + 1, len(sheet.rows)):
        row = sheet.rows[i]
        if not any(_text(v) for v in row):
            continue
        first = _text(row[0]) if row else ""
        if first.startswith("备注") and sum(1 for v in row if _text(v)) == 1:
            continue  # the footer note
        out.append((i + 1, row))
    return out


def _cell(row: tuple[Any, ...], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    value = row[col]
    return value.strip() if isinstance(value, str) else value


# --------------------------------------------------------------------------- appendix 1


def _household_index(
    session: Session, village_ids: list[int]
) -> tuple[dict[int, tuple[int, str, str]], dict[tuple[str, str], list[int]]]:
    """{household id: (village id, 村组, head name)} and {(村组, head name): [ids]} for the scope."""
    head = screening._head_subquery()
    stmt = (
        select(Household.id, Household.village_id, Village.name, VillageGroup.name, head.c.name)
        .join(Village, Village.id == Household.village_id)
        .outerjoin(VillageGroup, VillageGroup.id == Household.group_id)
        .outerjoin(head, head.c.hid == Household.id)
        .where(Household.village_id.in_(village_ids))
    )
    by_id: dict[int, tuple[int, str, str]] = {}
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for hid, vid, vname, gname, hname in session.execute(stmt):
        vg = f"{vname}{gname or ''}"
        by_id[hid] = (vid, vg, hname or "")
        by_name[(layouts.normalize_label(vg), layouts.normalize_label(hname))].append(hid)
        if gname:  # a village's own sheet may give only the group
            by_name[(layouts.normalize_label(gname), layouts.normalize_label(hname))].append(hid)
    return by_id, by_name


def import_appendix1(
    session: Session,
    path: Path | str,
    campaign_id: int | None = None,
    *,
    village_id: int | None = None,
    screened_on: dt.date | None = None,
    screener: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check and (unless ``dry_run`` or an error was found) save an appendix 1 workbook.

    ``screened_on`` is the 排查日期 for households screened for the first time; the sheet's
    填表时间 is used when it holds a full date, else today.
    """
    path = Path(path)
    campaign = campaign_service.resolve(session, campaign_id)
    layout = layouts.load(1, campaign.year)
    rendered = layout.render(**screening.layout_values(session, campaign))
    report = ImportReport(1, path)
    sheet, missing = _find_sheet(path, layout, ("序号", "户主姓名"))
    if sheet is None:
        names = "、".join(f"“{layout.column(k).label}”" for k in missing[:6])
        report.issues.append(
            _file_issue(
                f"没有找到到户排查表的表头，缺少列：{names}"
                + ("等" if len(missing) > 6 else "")
                + "。请使用本程序导出的附件1表格填写。"
            )
        )
        return report
    report.sheet = sheet.title
    _check_year(sheet, campaign, report)
    day = screened_on or _sheet_date(sheet) or dt.date.today()
    if day > dt.date.today():
        day = dt.date.today()

    scope = [village_id] if village_id is not None else campaign_service.village_ids(session, campaign)
    by_id, by_name = _household_index(session, scope)
    labels = {c.key: c.label for c in rendered.columns}
    letters = {k: get_column_letter(col + 1) for k, col in sheet.columns.items()}

    def issue(row: int, key: str, value: Any, reason: str, severity: str = ERROR) -> None:
        report.issues.append(
            ImportIssue(row, letters.get(key, ""), labels.get(key, ""), _short(value), reason, severity)
        )

    parsed: list[tuple[int, int, dict[str, Any]]] = []  # (sheet row, household id, answers)
    raw_values: dict[int, tuple[Any, ...]] = {}  # sheet row -> the row as read, for messages
    seen: dict[int, int] = {}
    answer_cols = [k for k in appendix1.ANSWER_KEYS if k in sheet.columns]
    for row_no, row in _data_rows(sheet):
        # which household
        hid = None
        head_cell = _text(_cell(row, sheet.columns["head_name"]))
        vg_cell = _text(_cell(row, sheet.columns["village_group"]))
        key_raw = _cell(row, sheet.key_col)
        if _text(key_raw):
            try:
                hid = int(float(_text(key_raw)))
            except ValueError:
                hid = -1
            if hid not in by_id:
                report.issues.append(
                    ImportIssue(
                        row_no,
                        get_column_letter(sheet.key_col + 1),
                        layout.key_column or "",
                        _short(key_raw),
                        "系统中没有这个编号的农户（或不属于本次导入的村），请不要修改系统编号列",
                    )
                )
                continue
            if layouts.normalize_label(by_id[hid][2]) != layouts.normalize_label(head_cell):
                issue(
                    row_no,
                    "head_name",
                    head_cell,
                    f"与系统中该户的户主“{by_id[hid][2]}”不一致（如户主已变更，请先在户籍信息中修改）",
                )
                continue
        else:
            if not head_cell:
                if any(_text(_cell(row, sheet.columns[k])) for k in answer_cols if k not in PREFILLED):
                    issue(row_no, "head_name", "", "户主姓名不能为空")
                continue
            candidates = by_name.get(
                (layouts.normalize_label(vg_cell), layouts.normalize_label(head_cell)), []
            )
            if not candidates:
                issue(
                    row_no,
                    "head_name",
                    f"{vg_cell} {head_cell}",
                    "在本次排查的村中找不到这个村组和户主姓名的农户",
                )
                continue
            if len(set(candidates)) > 1:
                issue(
                    row_no,
                    "head_name",
                    f"{vg_cell} {head_cell}",
                    "同一村组有多户户主同名，无法确定是哪一户，请使用本程序导出的表格（含系统编号）填写",
                )
                continue
            hid = candidates[0]
        if hid in seen:
            issue(row_no, "head_name", head_cell, f"与第{seen[hid]}行是同一户，一户只能填写一行")
            continue
        seen[hid] = row_no

        filled = any(_text(_cell(row, sheet.columns[k])) for k in answer_cols if k not in PREFILLED)
        if not filled:
            report.rows_skipped += 1
            continue
        report.rows_read += 1
        answers: dict[str, Any] = {}
        bad = False
        for key in answer_cols:
            raw = _cell(row, sheet.columns[key])
            try:
                answers[key] = screening.clean_answer(appendix1.BY_KEY[key], raw, labels[key], campaign.year)
            except screening.AnswerError as exc:
                issue(row_no, key, raw, exc.reason)
                bad = True
        if bad:
            continue
        for key, message in screening.answer_warnings(answers, labels):
            issue(
                row_no, key, _cell(row, sheet.columns[key]), message.removeprefix(f"{labels[key]}："), WARNING
            )
        if answers.get("method") is None:
            issue(row_no, "method", "", "已填写排查内容，但排查方式为空（应为入户排查或电话核查）")
            continue
        for key in ("household_size", "household_type"):
            if answers.get(key) is None:
                issue(row_no, key, "", "不能为空")
                bad = True
        if not bad:
            parsed.append((row_no, hid, answers))
            raw_values[row_no] = row

    if report.errors or not parsed:
        return report

    hids = [hid for _r, hid, _a in parsed]
    ctxs = screening.contexts(session, campaign, hids)
    records: dict[int, HouseholdScreening] = {}
    for chunk in screening._chunks(hids):
        records.update(
            (r.household_id, r)
            for r in session.scalars(
                select(HouseholdScreening).where(
                    HouseholdScreening.campaign_id == campaign.id, HouseholdScreening.household_id.in_(chunk)
                )
            )
        )
    for row_no, hid, answers in parsed:
        _cleaned, cleared = appendix1.clear_inapplicable(ctxs[hid], answers)
        for key in cleared:
            who = appendix1.BY_KEY[key].who or "不适用"
            issue(
                row_no,
                key,
                _cell(raw_values[row_no], sheet.columns[key]),
                f"该户不适用此项（{who}填写），已忽略",
                WARNING,
            )
    if dry_run:
        return report
    for _row_no, hid, answers in parsed:
        rec = records.get(hid)
        result = screening.apply_answers(
            session,
            campaign,
            hid,
            ctxs[hid],
            answers,
            rec.screened_on if rec and rec.screened_on else day,
            screener or (rec.screener if rec else None),
            rec,
        )
        report.rows_saved += 1
        report.created += result.created
        report.updated += not result.created
        report.clues_created += result.clue_created
    report.saved = True
    return report


# --------------------------------------------------------------------------- appendix 2


def import_appendix2(
    session: Session,
    path: Path | str,
    campaign_id: int | None = None,
    *,
    village_id: int | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Check and save an appendix 2 (村级排查表) workbook: one row per village, free text."""
    path = Path(path)
    campaign = campaign_service.resolve(session, campaign_id)
    layout = layouts.load(2, campaign.year)
    report = ImportReport(2, path)
    sheet, missing = _find_sheet(path, layout, ("序号", "行政村"))
    if sheet is None:
        names = "、".join(f"“{layout.column(k).label}”" for k in missing[:6])
        report.issues.append(
            _file_issue(f"没有找到村级排查表的表头，缺少列：{names}。请使用本程序导出的附件2表格填写。")
        )
        return report
    report.sheet = sheet.title
    _check_year(sheet, campaign, report)
    scope = [village_id] if village_id is not None else campaign_service.village_ids(session, campaign)
    villages = dict(session.execute(select(Village.id, Village.name).where(Village.id.in_(scope))).all())
    by_name = {layouts.normalize_label(n): vid for vid, n in villages.items()}
    text_keys = [k for k in screening.VILLAGE_FIELDS if k in sheet.columns]
    letters = {k: get_column_letter(col + 1) for k, col in sheet.columns.items()}
    labels = {c.key: c.label for c in layout.columns}
    parsed: list[tuple[int, dict[str, str]]] = []  # (village id, texts)
    seen: dict[int, int] = {}
    for row_no, row in _data_rows(sheet):
        name = _text(_cell(row, sheet.columns["village"]))
        key_raw = _text(_cell(row, sheet.key_col))
        vid = None
        if key_raw:
            try:
                vid = int(float(key_raw))
            except ValueError:
                vid = None
        if vid is None or vid not in villages:
            vid = by_name.get(layouts.normalize_label(name))
        if vid is None:
            if name or any(_text(_cell(row, sheet.columns[k])) for k in text_keys):
                report.issues.append(
                    ImportIssue(
                        row_no,
                        letters["village"],
                        labels["village"],
                        _short(name),
                        "不是本次排查的行政村" if name else "行政村不能为空",
                    )
                )
            continue
        if layouts.normalize_label(name) != layouts.normalize_label(villages[vid]):
            report.issues.append(
                ImportIssue(
                    row_no,
                    letters["village"],
                    labels["village"],
                    _short(name),
                    f"与系统编号对应的行政村“{villages[vid]}”不一致",
                )
            )
            continue
        if vid in seen:
            report.issues.append(
                ImportIssue(
                    row_no,
                    letters["village"],
                    labels["village"],
                    _short(name),
                    f"与第{seen[vid]}行是同一个村，一个村只能填写一行",
                )
            )
            continue
        seen[vid] = row_no
        texts = {k: _text(_cell(row, sheet.columns[k])) for k in text_keys}
        if not any(texts.values()):
            report.rows_skipped += 1
            continue
        for k, v in texts.items():
            if len(v) > 2000:
                report.issues.append(
                    ImportIssue(row_no, letters[k], labels[k], _short(v), "不能超过2000个字")
                )
        report.rows_read += 1
        parsed.append((vid, texts))
    if report.errors or dry_run:
        return report
    existing = set(
        session.scalars(
            select(screening.VillageScreening.village_id).where(
                screening.VillageScreening.campaign_id == campaign.id
            )
        )
    )
    for vid, texts in parsed:
        screening.save_village_screening(session, campaign.id, vid, texts)
        report.rows_saved += 1
        if vid in existing:
            report.updated += 1
        else:
            report.created += 1
    report.saved = True
    return report


def import_appendix(
    session: Session, appendix: int, path: Path | str, campaign_id: int | None = None, **kw: Any
) -> ImportReport:
    if appendix == 1:
        return import_appendix1(session, path, campaign_id, **kw)
    if appendix == 2:
        return import_appendix2(session, path, campaign_id, **kw)
    raise UserError("只能导入附件1（到户排查表）和附件2（村级排查表）。")


__all__ = ["ImportIssue", "ImportReport", "import_appendix", "import_appendix1", "import_appendix2"]
