"""Crash trials: ``fanpin import big.csv --create-places`` killed (SIGKILL) at seeded random moments.

After each kill the database passes ``PRAGMA integrity_check``, holds exactly the people and
households it held before or exactly those of a finished import (never a part), and the process
left no file behind outside the data folder (its temp folder and working folder stay empty).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fanpin_desktop import cli
from fanpin_desktop.paths import DataPaths
from fanpin_desktop.security import cipher_db, protection
from tests.importer.helpers import person, write_csv

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = 4500  # households of three
TRIALS = 3
SEED = 14
RUN = "from fanpin_desktop.cli import main; raise SystemExit(main())"

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _big_csv(path: Path) -> Path:
    rows = []
    for n in range(1, PEOPLE + 1):
        hh, k = divmod(n - 1, 3)
        rel = ("户主", "配偶", "之子")[k]
        rows.append(
            person(
                n,
                f"H{hh:05d}",
                rel,
                f"测试{n:05d}",
                village=f"第{hh % 7 + 1}村",
                group=f"{hh % 5 + 1}组",
                edu="初中" if k < 2 else "",
                school="" if k < 2 else "七年级",
                year=1975 if k < 2 else 2012,
            )
        )
    return write_csv(path, rows)


ADMIN, PASSWORD = "站长", "crash-trial-pass"


def _connect(root: Path):
    """The database, plain, or encrypted (unlocked with the trial administrator's password)."""
    paths = DataPaths(root)
    if protection.is_protected(paths):
        key = protection.unlock(paths, protection.Credentials(ADMIN, PASSWORD))
        return cipher_db.connect(paths.database, key)
    return sqlite3.connect(paths.database)


def _state(root: Path) -> tuple[str, int, int]:
    conn = _connect(root)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        members = conn.execute("SELECT count(*) FROM members").fetchone()[0]
        households = conn.execute("SELECT count(*) FROM households").fetchone()[0]
    finally:
        conn.close()
    return check, members, households


def _process(root: Path, csv_file: Path, scratch: Path) -> subprocess.Popen:
    tmp = scratch / "tmp"
    work = scratch / "cwd"
    tmp.mkdir(parents=True)
    work.mkdir()
    env = dict(
        os.environ,
        TMPDIR=str(tmp),
        TEMP=str(tmp),
        TMP=str(tmp),
        PYTHONPATH=str(ROOT),
        FANPIN_USER=ADMIN,
        FANPIN_PASSWORD=PASSWORD,
    )
    return subprocess.Popen(
        [sys.executable, "-c", RUN, "--data-dir", str(root), "import", str(csv_file), "--create-places"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.parametrize(("encrypted", "trials"), [(False, TRIALS), (True, 2)], ids=["plain", "encrypted"])
def test_killed_imports_leave_the_database_before_or_after_and_no_files_outside(
    tmp_path, capsys, monkeypatch, encrypted, trials
):
    csv_file = _big_csv(tmp_path / "big.csv")
    template = tmp_path / "template"
    assert cli.main(["--data-dir", str(template), "migrate"]) == 0
    if encrypted:  # the first administrator encrypts the folder; the commands log in from the env
        monkeypatch.setenv("FANPIN_USER", ADMIN)
        monkeypatch.setenv("FANPIN_PASSWORD", PASSWORD)
        assert cli.main(["--data-dir", str(template), "users", "add", ADMIN, "--role", "管理员"]) == 0
        assert cipher_db.is_encrypted(DataPaths(template).database)
    capsys.readouterr()
    before = _state(template)
    assert before == ("ok", 0, 0)
    # the finished import, for the "after" counts
    reference = tmp_path / "reference"
    shutil.copytree(template, reference)
    started = time.monotonic()
    proc = _process(reference, csv_file, tmp_path / "scratch-reference")
    out, err = proc.communicate(timeout=120)
    full = time.monotonic() - started  # where to kill: spread over the whole run, not the start-up
    assert proc.returncode == 0, err.decode()
    after = _state(reference)
    assert after == ("ok", PEOPLE, PEOPLE // 3)

    rng = random.Random(SEED)
    outcomes = []
    for trial in range(trials):
        root = tmp_path / f"trial{trial}"
        shutil.copytree(template, root)
        scratch = tmp_path / f"scratch{trial}"
        scratch.mkdir()
        proc = _process(root, csv_file, scratch)
        try:
            proc.wait(timeout=rng.uniform(0.3, 1.05) * full)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()
        state = _state(root)
        assert state[0] == "ok"
        assert state in (before, after), f"trial {trial}: {state} is neither {before} nor {after}"
        outcomes.append("after" if state == after else "before")
        # nothing with personal data outside the data folder
        assert list((scratch / "tmp").iterdir()) == [], f"trial {trial} left temp files"
        assert list((scratch / "cwd").iterdir()) == [], f"trial {trial} left files in its working folder"
        # the next start removes nothing it should keep and opens the database as usual
        assert cli.main(["--data-dir", str(root), "info"]) == 0
        capsys.readouterr()
        assert _state(root) == state
    print("crash trial outcomes:", outcomes)
