"""The concentrated screening's operations: appendix 1 forms, appendix 2 texts, appendix 3 inputs
and weekly reports, campaigns, imports, exports and printing.

Each runs one service call on the task runner (see ``ui.operations``) and announces what it
changed: screening records are ``SCREENING``; a form that created or withdrew a monitoring clue
also ``CASES``; a problem sent to the ledger ``LEDGER``. Files written (exports, PDFs, the summary)
change nothing and go through ``ops.background``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QWidget

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import appendix_export, appendix_import, printing, screening, stats
from fanpin_desktop.services import campaigns as campaign_service
from fanpin_desktop.services.screening import SaveResult
from fanpin_desktop.ui.errors import show_error
from fanpin_desktop.ui.operations import CASES, LEDGER, NOTHING, SCREENING, Changes, Handlers, Operations
from fanpin_desktop.ui.tasks import Task

T = TypeVar("T")
log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from typing_extensions import Unpack


def run_or_tell(parent: QWidget | None, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``fn(*args)`` now (usually an ``ops.read``) for an action the clerk asked for; a failure
    takes the one route (a ``UserError`` its message, anything else the bug dialog) and gives
    None. Used where a read may refuse (no household to open), not for a page's refresh."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - the one place a refused read is shown
        show_error(exc, parent)
        return None


def _form_changes(result: tuple[Any, ...]) -> Changes:
    saved: SaveResult = result[0]
    return SCREENING | CASES if saved.clue_created or saved.clue_removed else SCREENING


# --------------------------------------------------------------------------- appendix 1


def save_form(
    ops: Operations,
    campaign_id: int,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Save one household's appendix 1 and read it back as saved."""
    return ops.write(
        lambda s: screening.save_and_reload(
            s, campaign_id, household_id, answers, screened_on=screened_on, screener=screener
        ),
        _form_changes,
        label="正在保存排查表…",
        **handlers,
    )


def save_form_and_next(
    ops: Operations,
    campaign_id: int,
    household_id: int,
    answers: Mapping[str, Any],
    *,
    screened_on: dt.date,
    screener: str | None,
    village_id: int | None,
    unscreened_only: bool,
    **handlers: Unpack[Handlers],
) -> Task:
    """Save one household and load the next in paper order: (result, form to show, was last)."""
    return ops.write(
        lambda s: screening.save_and_open_next(
            s,
            campaign_id,
            household_id,
            answers,
            screened_on=screened_on,
            screener=screener,
            village_id=village_id,
            unscreened_only=unscreened_only,
        ),
        _form_changes,
        label="正在保存排查表…",
        **handlers,
    )


def send_to_ledger(
    ops: Operations,
    campaign_id: int,
    household_id: int,
    values: Mapping[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """Record a household's problem seen during screening in the ledger; ``success(problem id)``."""

    def write(s: Any) -> int:
        problem = screening.send_to_ledger(
            s,
            campaign_id,
            household_id,
            problem_type=values["problem_type"],
            description=values["description"],
            measure=values.get("measure"),
            responsible=values.get("responsible"),
            deadline=values.get("deadline"),
            on_the_spot=bool(values.get("on_the_spot")),
            found_on=values.get("found_on"),
        )
        return int(problem.id)

    return ops.write(
        write,
        LEDGER,
        label="正在记入问题整改台账…",
        **handlers,
    )


# --------------------------------------------------------------------------- appendix 2 and 3


def save_village_screening(
    ops: Operations,
    campaign_id: int,
    village_id: int,
    texts: Mapping[str, str],
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(
        lambda s: screening.save_village_screening(s, campaign_id, village_id, dict(texts)),
        SCREENING,
        label="正在保存村级排查表…",
        **handlers,
    )


def save_stats_inputs(
    ops: Operations,
    campaign_id: int,
    village_id: int,
    values: Mapping[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """The appendix 3 cells a village reports (grids, scale risk, COVID-blocked workers, remark)."""
    return ops.write(
        lambda s: stats.save_inputs(s, campaign_id, village_id, **values),
        SCREENING,
        label="正在保存填报项…",
        **handlers,
    )


def take_snapshot(
    ops: Operations,
    campaign_id: int,
    today: dt.date,
    **handlers: Unpack[Handlers],
) -> Task:
    """Store the statistics as this week's Friday report; ``success(snapshot id)``."""
    return ops.write(
        lambda s: int(stats.take_snapshot(s, campaign_id, today=today).id),
        SCREENING,
        label="正在保存本周报表…",
        **handlers,
    )


def ensure_weekly_snapshot(
    ops: Operations,
    campaign_id: int,
    today: dt.date,
    **handlers: Unpack[Handlers],
) -> Task:
    """Store this week's Friday report if it is due (the statistics tab asks when it loads).

    Announces nothing: a stored week changes no figure any page shows, and the tab that asked
    reloads its list of weeks in ``success``."""
    return ops.write(
        lambda s: stats.ensure_weekly_snapshot(s, campaign_id, today=today) is not None,
        NOTHING,
        label="正在保存本周报表…",
        **handlers,
    )


# --------------------------------------------------------------------------- campaigns


def save_campaign(
    ops: Operations,
    campaign_id: int | None,
    values: Mapping[str, Any],
    **handlers: Unpack[Handlers],
) -> Task:
    """Create a campaign (it becomes current) or edit one; ``success(campaign id)``."""

    def write(s: Any) -> int:
        if campaign_id is None:
            return int(campaign_service.create(s, **values, make_current=True).id)
        changes = dict(values)
        if changes.get("name") is None:
            changes["name"] = ""
        return int(campaign_service.edit(s, campaign_id, **changes).id)

    return ops.write(write, SCREENING, **handlers)


def set_current_campaign(
    ops: Operations,
    campaign_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.write(lambda s: campaign_service.set_current(s, campaign_id), SCREENING, **handlers)


def delete_campaign(
    ops: Operations,
    campaign_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    """Its records, inputs and weekly reports go; its ledger problems stay (without the campaign)."""
    return ops.write(
        lambda s: campaign_service.delete(s, campaign_id),
        SCREENING | LEDGER,
        label="正在删除排查批次…",
        **handlers,
    )


# --------------------------------------------------------------------------- files


def import_appendix(
    ops: Operations,
    appendix: int,
    path: Path,
    campaign_id: int,
    village_id: int | None,
    **handlers: Unpack[Handlers],
) -> Task:
    """Read a workbook a village filled in; nothing is saved when any cell is wrong, and then
    nothing is announced."""
    return ops.write(
        lambda s: appendix_import.import_appendix(s, appendix, path, campaign_id, village_id=village_id),
        lambda report: SCREENING if report.saved else NOTHING,
        label=f"正在导入附件{appendix}…",
        **handlers,
    )


def export_appendix(
    ops: Operations,
    appendix: int,
    path: Path,
    *,
    campaign_id: int,
    village_id: int | None,
    fill_date: dt.date | None = None,
    snapshot_id: int | None = None,
    mask_ids: bool = False,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.background(
        lambda s, _c: appendix_export.export_appendix(
            s,
            appendix,
            path,
            campaign_id=campaign_id,
            village_id=village_id,
            fill_date=fill_date,
            snapshot_id=snapshot_id,
            mask_ids=mask_ids,
        ),
        label=f"正在导出附件{appendix}…",
        cancellable=False,
        **handlers,
    )


def print_appendix1(
    ops: Operations,
    path: Path,
    *,
    campaign_id: int,
    village_ids: Sequence[int] | None,
    options: printing.PrintOptions,
    fill_date: dt.date | None,
    **handlers: Unpack[Handlers],
) -> Task:
    chosen = list(village_ids) if village_ids else None
    return ops.background(
        lambda s, _c: printing.write_appendix1(
            s, path, campaign_id=campaign_id, village_ids=chosen, options=options, fill_date=fill_date
        ),
        label="正在生成附件1 PDF…",
        cancellable=False,
        **handlers,
    )


def print_appendix3(
    ops: Operations,
    path: Path,
    *,
    campaign_id: int,
    as_of: dt.date,
    report: stats.StatsReport | None,
    paper: str,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.background(
        lambda s, _c: printing.write_appendix3(
            s, path, campaign_id=campaign_id, as_of=as_of, report=report, paper=paper
        ),
        label="正在生成附件3 PDF…",
        cancellable=False,
        **handlers,
    )


def print_appendix4(
    ops: Operations,
    path: Path,
    *,
    campaign_id: int | None,
    village_id: int | None,
    paper: str,
    mask_ids: bool = False,
    **handlers: Unpack[Handlers],
) -> Task:
    return ops.background(
        lambda s, _c: printing.write_appendix4(
            s, path, campaign_id=campaign_id, village_id=village_id, paper=paper, mask_ids=mask_ids
        ),
        label="正在生成附件4 PDF…",
        cancellable=False,
        **handlers,
    )


def summary_charts(ops: Operations, campaign_id: int) -> list[Any]:
    """The work summary's charts as PNG images; none (the report in words only) if drawing fails."""
    from fanpin_desktop.services import dashboard
    from fanpin_desktop.ui.charts import chart_images

    try:
        return chart_images(ops.read(dashboard.summary_dashboard, campaign_id))
    except UserError:  # no such campaign: the task says so
        return []
    except Exception:  # noqa: BLE001 - the charts are an illustration; the report must still be written
        log.exception("the work summary's charts could not be drawn")
        return []


def write_summary(
    ops: Operations,
    path: Path,
    *,
    campaign_id: int,
    **handlers: Unpack[Handlers],
) -> Task:
    """Draft the self-inspection / work-summary report (.docx) with the figures filled in and the
    工作台's charts as images (drawn here, on the window's thread, before the task starts)."""
    charts = summary_charts(ops, campaign_id)
    return ops.background(
        lambda s, _c: printing.write_summary_docx(s, path, campaign_id=campaign_id, charts=charts),
        label="正在生成工作总结…",
        cancellable=False,
        **handlers,
    )
