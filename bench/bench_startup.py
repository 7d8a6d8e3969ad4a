"""Start-up benchmark: from "Python imports done" to a usable main window, on the 20,000-household demo.

    python bench/bench_startup.py [--households 20000] [--dir DIR] [--runs 5]

Each run is a fresh process (so nothing is warm in Python), offscreen. A run imports the program's
modules first (reported separately), then times:

  QApplication + open_app (migration check, daily-backup check) + MainWindow + show
  + events until the household list shows its first screenful of rows.

The same sequence on an empty database is measured in the same run as the baseline (the cost that
does not depend on the township's size). Target: < 2 s with 20,000 households.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 2.0


def child(data_dir: str) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    t_start = time.perf_counter()
    from PySide6.QtCore import QCoreApplication

    from fanpin_desktop.context import open_app
    from fanpin_desktop.ui.app import make_application
    from fanpin_desktop.ui.main_window import MainWindow
    from fanpin_desktop.ui.tasks import TaskRunner

    t_imported = time.perf_counter()
    app = make_application()
    ctx = open_app(data_dir, auto_backup=True)
    t_opened = time.perf_counter()
    window = MainWindow(ctx, TaskRunner())
    window.resize(1400, 900)
    window.show()
    page = window.pages["registry"]
    expected = min(30, _household_count(ctx))
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline:
        QCoreApplication.processEvents()
        model = getattr(page, "model", None)
        if model is not None and model.rowCount() >= expected:
            # the first screenful must actually be fetched and painted
            for row in range(expected):
                model.data(model.index(row, 1))
            window.grab()
            break
    t_ready = time.perf_counter()
    print(
        json.dumps(
            {
                "imports": t_imported - t_start,
                "open_database": t_opened - t_imported,
                "usable": t_ready - t_imported,
                "rows": page.model.rowCount(),
            }
        )
    )
    window.close()
    ctx.close()
    app.quit()


def _household_count(ctx) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from fanpin_desktop.models import Household

    with ctx.db.reading() as s:
        return int(s.scalar(select(func.count(Household.id))) or 0)


def ensure_demo(folder: Path, households: int) -> Path:
    data = folder / f"startup-demo-{households}"
    if not (data / "fanpin.sqlite3").exists():
        print(f"building the {households}-household demo in {data} …", flush=True)
        from fanpin_desktop import cli

        code = cli.main(["--data-dir", str(data), "demo", "--households", str(households)])
        if code:
            raise SystemExit(code)
    return data


def ensure_empty(folder: Path) -> Path:
    data = folder / "startup-empty"
    if not (data / "fanpin.sqlite3").exists():
        from fanpin_desktop.context import open_app

        open_app(str(data)).close()
    return data


def measure(data_dir: Path, runs: int) -> list[dict[str, float]]:
    out = []
    for _ in range(runs):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(data_dir)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def report(label: str, results: list[dict[str, float]]) -> float:
    usable = statistics.median(r["usable"] for r in results)
    imports = statistics.median(r["imports"] for r in results)
    opened = statistics.median(r["open_database"] for r in results)
    print(
        f"{label:<28} imports {imports:6.2f} s | open database {opened:6.3f} s | "
        f"usable window {usable:6.3f} s (median of {len(results)}; rows shown {int(results[0]['rows'])})"
    )
    return usable


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=20000)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fanpin-bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", metavar="DATA_DIR")
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    args.dir.mkdir(parents=True, exist_ok=True)
    demo = ensure_demo(args.dir, args.households)
    empty = ensure_empty(args.dir)
    base = report("baseline: empty database", measure(empty, args.runs))
    full = report(f"demo: {args.households} households", measure(demo, args.runs))
    verdict = "OK" if full < TARGET_S else "SLOWER THAN TARGET"
    print(
        f"start-up to usable window: {full:.3f} s (target < {TARGET_S:.1f} s) {verdict}; "
        f"size-dependent part {full - base:+.3f} s over the empty-database baseline"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
