"""The demo database the benchmarks share: built once per size into a folder, reused after."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select

from fanpin_desktop.db import Database, migrate
from fanpin_desktop.demo import build_demo
from fanpin_desktop.models import Household


def demo_database(folder: Path, households: int, rebuild: bool, name: str = "demo") -> Database:
    """``<folder>/<name>-demo-<households>.sqlite3``, built from the demo (seed 2022) if empty."""
    path = folder / f"{name}-demo-{households}.sqlite3"
    if rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(path, user="基准测试")
    migrate(db)
    with db.reading() as s:
        existing = s.scalar(select(func.count()).select_from(Household)) or 0
    if existing == 0:
        started = time.perf_counter()
        summary = build_demo(db, households=households, seed=2022)
        print(f"演示数据：{summary.describe()}（生成用时 {time.perf_counter() - started:.1f} 秒）")
    else:
        print(f"复用已有演示数据：{path}（{existing} 户）")
    return db
