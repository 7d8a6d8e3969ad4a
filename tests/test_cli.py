"""``fanpin`` subcommands, called through ``cli.main([...])``."""

from __future__ import annotations

import pytest

from fanpin_desktop import cli
from fanpin_desktop.db import Database
from fanpin_desktop.models import Village
from fanpin_desktop.services import backup as backups
from fanpin_desktop.services import regions


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def villages_in(path) -> list[str]:
    db = Database(path)
    try:
        with db.reading() as s:
            return sorted(v.name for v in s.query(Village))
    finally:
        db.dispose()


def test_info_on_a_new_data_dir(capsys, data_dir):
    code, out, err = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == 0, err
    assert str(data_dir) in out and "尚未创建" in out


def test_migrate_then_info_shows_revision_and_counts(capsys, data_dir):
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "migrate")
    assert code == 0 and "升级到" in out
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "migrate")
    assert code == 0 and "已是最新版本" in out
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == 0
    assert "数据结构版本：0001（最新）" in out or "（最新）" in out
    assert "0 户" in out


def test_demo_refuses_a_database_with_data(capsys, data_dir):
    code, out, err = run(capsys, "--data-dir", str(data_dir), "demo", "--households", "12", "--seed", "7")
    assert code == 0, err
    assert "生成演示数据" in out and "12 户" in out
    code, out, err = run(capsys, "--data-dir", str(data_dir), "demo", "--households", "12")
    assert code == 1
    assert err.startswith("错误：") and "已有" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "info")
    assert "12 户" in out


def test_backup_list_and_restore_round_trip(capsys, data_dir):
    assert run(capsys, "--data-dir", str(data_dir), "migrate")[0] == 0
    database = data_dir / "fanpin.sqlite3"
    db = Database(database)
    with db.unit() as s:
        regions.create_village(s, "桃园村")
    db.dispose()

    code, out, err = run(capsys, "--data-dir", str(data_dir), "backup")
    assert code == 0, err
    made = out.split("已备份到：", 1)[1].strip()
    assert made.endswith("-manual.sqlite3")

    db = Database(database)
    with db.unit() as s:
        regions.create_village(s, "杏花村")
    db.dispose()
    assert villages_in(database) == ["杏花村", "桃园村"]

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "backups")
    assert code == 0 and "手动备份" in out and made.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] in out

    code, out, err = run(capsys, "--data-dir", str(data_dir), "restore", made)
    assert code == 0, err
    assert "已从" in out and "原数据库已另存为" in out
    assert villages_in(database) == ["桃园村"]
    code, out, _ = run(capsys, "--data-dir", str(data_dir), "backups")
    assert "恢复前的数据库" in out


def test_restore_of_a_corrupt_file_is_a_user_error(capsys, data_dir, tmp_path):
    assert run(capsys, "--data-dir", str(data_dir), "migrate")[0] == 0
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"SQLite format 3\x00" + b"\xff" * 5000)
    code, out, err = run(capsys, "--data-dir", str(data_dir), "restore", str(bad))
    assert code == 1
    assert "bad.sqlite3" in err and "不能用于恢复" in err
    assert "Traceback" not in err
    assert not [
        b for b in backups.list_backups(backups.DataPaths(data_dir.resolve())) if b.reason == "replaced"
    ]


def test_restore_of_a_missing_file(capsys, data_dir):
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "restore", str(data_dir / "nope.sqlite3"))
    assert code == 1 and "找不到" in err


def test_backup_without_database_is_a_user_error(capsys, data_dir):
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "backup")
    assert code == 1 and "没有可备份的数据库" in err


def test_bug_is_reported_without_traceback_on_stderr(capsys, data_dir, monkeypatch):
    def broken(args, ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli.COMMANDS, "info", cli.Command("info", "x", broken, migrate=False))
    code, _out, err = run(capsys, "--data-dir", str(data_dir), "info")
    assert code == cli.EXIT_BUG
    assert "程序出现错误" in err and "Traceback" not in err
    log_text = (data_dir / "logs" / "fanpin.log").read_text(encoding="utf-8")
    assert "Traceback" in log_text and "RuntimeError: boom" in log_text


def test_unknown_command_is_a_user_error(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 1
    assert "错误" in capsys.readouterr().err


def test_new_subcommands_register_with_a_decorator(capsys, data_dir, monkeypatch):
    monkeypatch.setattr(cli, "COMMANDS", dict(cli.COMMANDS))

    @cli.command("hello", "问候", migrate=False)
    @cli.argument("--name", default="乡镇")
    def hello(args, ctx):
        cli.out(f"你好，{args.name}：{ctx.paths.root.name}")

    code, out, _ = run(capsys, "--data-dir", str(data_dir), "hello", "--name", "马店镇")
    assert code == 0 and out.strip() == "你好，马店镇：data"


@pytest.mark.parametrize("command", ["migrate", "info", "demo"])
def test_corrupt_live_database_gives_a_chinese_message(capsys, data_dir, command):
    data_dir.mkdir(parents=True)
    (data_dir / "fanpin.sqlite3").write_bytes(b"garbage" * 1000)
    code, _out, err = run(capsys, "--data-dir", str(data_dir), command)
    assert code == 1
    assert "已损坏" in err and "Traceback" not in err
