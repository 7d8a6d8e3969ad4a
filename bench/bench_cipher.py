"""Benchmark of encryption at rest (SQLCipher, fanpin_desktop/security) against the plain database.

    python bench/bench_cipher.py [--households 20000] [--rows 20000] [--rounds 3] [--dir DIR]
                                 [--cache-kb KB] [--same-cache] [--plain-driver sqlcipher3]
                                 [--skip-search] [--skip-import]

1. The 20,000-household demo (bench/demo_db.py, built once into ``--dir`` and reused) is copied,
   and the copy converted with ``encrypt_plain_database``; the registry search
   (``services.households.search_household_ids``, the SQL search) is timed on both over the
   keystrokes bench_registry.py uses (50), plain and encrypted interleaved per round.
2. A roster of ``--rows`` people (bench_import.py's generator) is imported into an empty plain
   and an empty encrypted database, alternately, ``--rounds`` times each.

Prints each median and the encrypted / plain ratio (target ≤ 1.25). Encrypted connections keep
a larger page cache (``cipher_db.CACHE_KB``); ``--cache-kb 2000`` measures them with SQLite's
default, ``--same-cache`` gives the plain database the same cache, ``--plain-driver sqlcipher3``
opens the plain one with SQLCipher's (newer) SQLite too: with both, the ratio is the cipher's own
cost.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's fanpin_desktop
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlcipher3  # noqa: E402
from bench_import import generate  # noqa: E402
from bench_registry import keystroke_queries  # noqa: E402
from demo_db import demo_database  # noqa: E402
from sqlalchemy import create_engine, event  # noqa: E402
from sqlalchemy.orm import configure_mappers  # noqa: E402

from fanpin_desktop.db import Database, _set_pragmas, migrate  # noqa: E402
from fanpin_desktop.security import cipher_db  # noqa: E402
from fanpin_desktop.security.cipher_db import encrypt_plain_database, encrypted_engine, is_encrypted  # noqa: E402
from fanpin_desktop.services import households as svc  # noqa: E402
from fanpin_desktop.services.importer import ImportOptions, import_file  # noqa: E402

KEY = bytes.fromhex("8f" * 32)
TARGET = 1.25


def _copy(source: Path, target: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src = sqlite3.connect(str(source))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


PLAIN_DRIVER = "sqlite3"  # --plain-driver sqlcipher3: the plain database through sqlcipher3's SQLite
SAME_CACHE = False  # --same-cache: the plain database gets the encrypted one's page cache too


def _open(path: Path, encrypted: bool) -> Database:
    if encrypted:
        return Database(path, user="基准测试", engine=encrypted_engine(path, KEY))
    if PLAIN_DRIVER == "sqlcipher3":  # SQLCipher's newer SQLite, without a key: the cipher's own cost
        engine = create_engine(f"sqlite:///{path}", module=sqlcipher3)
        event.listen(engine, "connect", _set_pragmas)
        db = Database(path, user="基准测试", engine=engine)
    else:
        db = Database(path, user="基准测试")
    if SAME_CACHE:
        event.listen(db.engine, "connect", cipher_db._set_cache)
    return db


def _search_round(db: Database, queries: list[str]) -> float:
    started = time.perf_counter()
    for q in queries:
        with db.reading() as s:
            svc.search_household_ids(s, svc.HouseholdQuery(text=q))
    return time.perf_counter() - started


def bench_search(folder: Path, households: int, rounds: int) -> tuple[float, float]:
    demo = demo_database(folder, households, False, "cipher")
    queries = keystroke_queries(demo, 50)
    demo.dispose()
    plain_path = folder / "search-plain.sqlite3"
    enc_path = folder / "search-encrypted.sqlite3"
    # The encrypted copy is written afresh by sqlcipher_export (compact, like VACUUM), so the plain
    # copy is written afresh too (VACUUM INTO), or the comparison would measure the compaction.
    for suffix in ("", "-wal", "-shm"):
        Path(str(plain_path) + suffix).unlink(missing_ok=True)
    with contextlib.closing(sqlite3.connect(str(demo.path))) as conn:
        conn.execute("VACUUM INTO ?", (str(plain_path),))
    _copy(demo.path, enc_path)
    started = time.perf_counter()
    encrypt_plain_database(enc_path, KEY)
    print(f"encrypting the {households}-household demo took {time.perf_counter() - started:.1f} s")
    assert is_encrypted(enc_path) and not is_encrypted(plain_path)
    plain, enc = _open(plain_path, False), _open(enc_path, True)
    try:
        _search_round(plain, queries)  # warm the page caches and the ORM once each
        _search_round(enc, queries)
        p_runs, e_runs = [], []
        for _ in range(rounds):
            p_runs.append(_search_round(plain, queries))
            e_runs.append(_search_round(enc, queries))
    finally:
        plain.dispose()
        enc.dispose()
    p, e = statistics.median(p_runs), statistics.median(e_runs)
    n = len(queries)
    print(
        f"registry search, {n} keystrokes : plain {p * 1000:7.0f} ms ({p / n * 1000:.1f} ms each)   "
        f"encrypted {e * 1000:7.0f} ms ({e / n * 1000:.1f} ms each)"
    )
    print(
        f"    rounds plain {' '.join(f'{x:.2f}' for x in p_runs)}; encrypted {' '.join(f'{x:.2f}' for x in e_runs)}"
    )
    return p, e


def _import_once(folder: Path, roster: Path, encrypted: bool, r: int) -> float:
    path = folder / f"import-{'enc' if encrypted else 'plain'}-{r}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    db = _open(path, encrypted)
    try:
        migrate(db)
        started = time.perf_counter()
        result = import_file(db, roster, ImportOptions(create_places=True))
        seconds = time.perf_counter() - started
        db.wait_for_checkpoint()
        assert result.written, "the import wrote nothing"
    finally:
        db.dispose()
    assert is_encrypted(path) == encrypted
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return seconds


def bench_import(folder: Path, rows: int, rounds: int) -> tuple[float, float]:
    roster = folder / f"roster-{rows}.xlsx"
    if not roster.exists():
        hh = generate(roster, rows)
        print(f"generated a roster of {rows} people / {hh} households")
    import fanpin_desktop.services.importer.parse  # noqa: F401 - import time is not import work

    configure_mappers()
    p_runs, e_runs = [], []
    for r in range(rounds):
        p_runs.append(_import_once(folder, roster, False, r))
        e_runs.append(_import_once(folder, roster, True, r))
    p, e = statistics.median(p_runs), statistics.median(e_runs)
    print(f"roster import, {rows} people      : plain {p:6.2f} s   encrypted {e:6.2f} s")
    print(
        f"    rounds plain {' '.join(f'{x:.2f}' for x in p_runs)}; encrypted {' '.join(f'{x:.2f}' for x in e_runs)}"
    )
    return p, e


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--rows", type=int, default=20000, help="people in the imported roster")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "fanpin-bench-cipher")
    ap.add_argument(
        "--cache-kb", type=int, help="the encrypted connections' page cache (default: cipher_db's)"
    )
    ap.add_argument("--same-cache", action="store_true", help="give the plain database that page cache too")
    ap.add_argument(
        "--plain-driver",
        choices=("sqlite3", "sqlcipher3"),
        default="sqlite3",
        help="open the plain database with the standard library's SQLite (the program's) or sqlcipher3's",
    )
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    args = ap.parse_args(argv)
    args.dir.mkdir(parents=True, exist_ok=True)
    if args.cache_kb is not None:
        cipher_db.CACHE_KB = args.cache_kb
    global SAME_CACHE, PLAIN_DRIVER
    SAME_CACHE = args.same_cache
    PLAIN_DRIVER = args.plain_driver
    print(
        f"plain database through {PLAIN_DRIVER} (SQLite "
        f"{(sqlite3 if PLAIN_DRIVER == 'sqlite3' else sqlcipher3).sqlite_version}); "
        f"encrypted through sqlcipher3 (SQLite {sqlcipher3.sqlite_version})"
    )
    print(
        f"encrypted connections' page cache: {cipher_db.CACHE_KB} KB (plain: {'the same' if SAME_CACHE else 'default'})"
    )
    ratios = []
    if not args.skip_search:
        p, e = bench_search(args.dir, args.households, max(args.rounds, 5))
        ratios.append(("registry search", e / p))
    if not args.skip_import:
        p, e = bench_import(args.dir, args.rows, args.rounds)
        ratios.append(("roster import", e / p))
    print()
    for what, ratio in ratios:
        print(
            f"{what:16} encrypted / plain = {ratio:4.2f}  (target ≤ {TARGET})  {'OK' if ratio <= TARGET else 'MISSED'}"
        )
    for p in args.dir.glob("search-*.sqlite3*"):
        p.unlink()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
