"""Benchmark of the appendix 1 entry form on the demo township (default 20,000 households).

Measures what the clerk waits for between two paper forms: pressing Ctrl+Enter in the entry form
(``ScreeningFormDialog``) — collect the answers from the widgets, save them in one unit of work,
find and load the next household in village/group order and show it in the form's widgets —
timed through the widget, keyboard event included. Goal: median < 100 ms. Also: opening the form,
PgUp (previous household), the households list of a village and the statistics table.

    python bench/bench_screening_ui.py [--households 20000] [--saves 60] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from fanpin_desktop import demo  # noqa: E402
from fanpin_desktop.db import Database, migrate  # noqa: E402
from fanpin_desktop.services import campaigns, screening  # noqa: E402

GOAL_MS = 100.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--saves", type=int, default=60, help="households saved through the form")
    parser.add_argument("--keep", help="folder for the database (kept afterwards)")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([])
    from fanpin_desktop.ui.app import setup_fonts
    from fanpin_desktop.ui.dialogs.screening_form import ScreeningFormDialog
    from fanpin_desktop.ui.operations import Operations
    from fanpin_desktop.ui.pages.screening import ScreeningPage
    from fanpin_desktop.ui.pages.screening.page import TAB_STATS
    from fanpin_desktop.ui.tasks import TaskRunner

    setup_fonts(app)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-screening-ui-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = Database(folder / "bench.sqlite3", user="bench")
    migrate(db)
    with db.reading() as s:
        empty = not campaigns.list_campaigns(s)
    if empty:
        t = time.perf_counter()
        summary = demo.build_demo(db, households=args.households)
        print(
            f"demo township: {summary.households} households, {summary.people} people "
            f"({time.perf_counter() - t:.1f} s)"
        )

    with db.reading() as s:
        cid = campaigns.current_id(s)
        villages = campaigns.village_ids(s, cid)
        middle = villages[len(villages) // 2]
        start = screening.next_household_id(s, cid, village_id=middle, unscreened_only=True)
        in_village = len(screening.household_ids_in_order(s, cid, middle))
    print(f"entry scope: village {middle} with {in_village} households")

    t = time.perf_counter()
    ops = Operations(db, TaskRunner(synchronous=True))
    dialog = ScreeningFormDialog(ops, start, campaign_id=cid, village_id=middle, unscreened_only=True)
    dialog.confirm_incomplete = lambda labels: True
    dialog.ask_unsaved = lambda: "discard"
    dialog.resize(1400, 900)
    dialog.show()
    dialog.activateWindow()
    app.processEvents()
    print(f"{'open the entry form':<40} {ms(time.perf_counter() - t)}")

    saves: list[float] = []
    for _ in range(args.saves):
        dialog.focus_question("method")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_1)  # 入户排查, the one answer typed
        before = dialog.household_id
        t = time.perf_counter()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        app.processEvents()
        saves.append(time.perf_counter() - t)
        if dialog.household_id == before:
            print("reached the village's last unscreened household")
            break

    backs: list[float] = []
    for _ in range(10):
        t = time.perf_counter()
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_PageUp)
        app.processEvents()
        backs.append(time.perf_counter() - t)
    dialog.done(0)

    median, worst = statistics.median(saves), max(saves)
    verdict = "OK" if median * 1000 < GOAL_MS else "SLOW"
    print(f"{'save and next (Ctrl+Enter), median':<40} {ms(median)}   goal < {GOAL_MS:.0f} ms: {verdict}")
    print(f"{'save and next, worst of ' + str(len(saves)):<40} {ms(worst)}")
    print(f"{'previous household (PgUp), median':<40} {ms(statistics.median(backs))}")

    t = time.perf_counter()
    page = ScreeningPage(ops, folder / "exports")
    page.set_village(middle)
    app.processEvents()
    print(f"{'screening page with a village list':<40} {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    page.tabs.setCurrentIndex(TAB_STATS)
    app.processEvents()
    print(f"{'statistics table (township)':<40} {ms(time.perf_counter() - t)}")
    t = time.perf_counter()
    page.set_village(None)
    page.tabs.setCurrentIndex(0)
    app.processEvents()
    print(f"{'households list, all villages':<40} {ms(time.perf_counter() - t)}")
    page.deleteLater()
    db.dispose()
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
