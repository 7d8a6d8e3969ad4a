"""A corpus of bad roster files, generated here, run through ``fanpin import FILE --report``: each
gets exit 1 and a Chinese message, or a correct import — never exit 2 (a bug), never a changed
database when refused, never a control character stored (issue 14)."""

from __future__ import annotations

import codecs
import io
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from fanpin_desktop import cli
from fanpin_desktop.paths import DataPaths
from tests.importer.helpers import HEADER, family, person, pid, write_csv, write_xlsx

TABLES = ("households", "members", "audit_entries")


@pytest.fixture
def data_dir(tmp_path, capsys):
    root = tmp_path / "data"
    assert cli.main(["--data-dir", str(root), "migrate"]) == 0
    capsys.readouterr()
    return root


def counts(root: Path) -> dict[str, int]:
    conn = sqlite3.connect(DataPaths(root).database)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        conn.close()


def stored_names(root: Path) -> list[str]:
    conn = sqlite3.connect(DataPaths(root).database)
    try:
        return sorted(r[0] for r in conn.execute("SELECT name FROM members"))
    finally:
        conn.close()


def run_import(capsys, root: Path, file: Path, report: Path | None = None) -> tuple[int, str, str]:
    argv = ["--data-dir", str(root), "import", str(file), "--create-places"]
    if report is not None:
        argv += ["--report", str(report)]
    code = cli.main(argv)
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err  # never 2 (a bug)
    assert "Traceback" not in captured.err + captured.out
    return code, captured.out, captured.err


def refused(capsys, root: Path, file: Path, *needles: str, tmp_path: Path) -> str:
    before = counts(root)
    report = tmp_path / "问题清单.xlsx"
    code, out, err = run_import(capsys, root, file, report)
    assert code == 1, out
    assert err.startswith("错误：")
    for needle in needles:
        assert needle in err, err
    assert counts(root) == before
    assert not report.exists()
    return err


FIVE = ["张大山", "李秀英", "张小明", "王建国", "王芳"]


# ---------------------------------------------------------------------- control characters


def test_nul_in_a_name_is_an_error_with_row_and_column_and_the_report_is_written(capsys, data_dir, tmp_path):
    rows = family()
    rows[3][4] = "王建\x00国"  # the head of H002
    rows[1][2] = "1\x01组"  # a control character in 村民小组 of H001's spouse
    report = tmp_path / "问题清单.xlsx"
    code, out, err = run_import(capsys, data_dir, write_csv(tmp_path / "nul.csv", rows), report)
    assert code == 0, err
    assert "第5行“姓名”列" in out and "不可见的控制字符" in out
    assert "第3行“村民小组”列" in out
    names = stored_names(data_dir)
    assert names == ["张大山", "张小明"]  # both households with a bad row are not imported
    assert not any(ch in "".join(names) for ch in "\x00\x01")
    wb = openpyxl.load_workbook(report)
    ws = wb["问题清单"]
    values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("王建\ufffd国" in v for v in values)
    assert any("不可见的控制字符" in v for v in values)


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f"])
def test_every_control_character_in_a_name_is_refused(capsys, data_dir, tmp_path, char):
    rows = [person(1, "H001", "户主", f"张{char}大山")]
    code, out, _ = run_import(capsys, data_dir, write_csv(tmp_path / "c.csv", rows))
    assert code == 0
    assert "第2行“姓名”列" in out and "控制字符" in out
    assert stored_names(data_dir) == []


# ---------------------------------------------------------------------- CSV encodings


def _csv_text(rows) -> str:
    import csv

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name,encode",
    [
        ("utf8-bom-then-gbk", lambda t: codecs.BOM_UTF8 + t.encode("gbk")),
        ("gbk", lambda t: t.encode("gbk")),
        ("utf8-bom", lambda t: t.encode("utf-8-sig")),
        ("utf16-bom", lambda t: t.encode("utf-16")),
        ("utf16le-no-bom", lambda t: t.encode("utf-16-le")),
        ("utf16-bom-tabs", lambda t: t.replace(",", "\t").encode("utf-16")),
    ],
)
def test_csv_encodings_and_bom_mixes_are_read(capsys, data_dir, tmp_path, name, encode):
    file = tmp_path / f"{name}.csv"
    file.write_bytes(encode(_csv_text(family())))
    code, out, err = run_import(capsys, data_dir, file)
    assert code == 0, err
    assert stored_names(data_dir) == sorted(FIVE)


def test_csv_in_no_known_encoding_is_refused_in_chinese(capsys, data_dir, tmp_path):
    file = tmp_path / "乱码.csv"
    file.write_bytes(codecs.BOM_UTF8 + b"\xff\xfe\xfa\x80\x81,\x82\x83\r\n" * 20)
    refused(capsys, data_dir, file, "乱码.csv", "文字编码", tmp_path=tmp_path)


def test_empty_csv_is_refused(capsys, data_dir, tmp_path):
    file = tmp_path / "empty.csv"
    file.write_bytes(b"")
    refused(capsys, data_dir, file, "空文件", tmp_path=tmp_path)


# ---------------------------------------------------------------------- not really workbooks


def test_password_protected_workbook(capsys, data_dir, tmp_path):
    msoffcrypto = pytest.importorskip("msoffcrypto")
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = write_xlsx(tmp_path / "plain.xlsx", family())
    target = tmp_path / "加密.xlsx"
    with plain.open("rb") as fin, target.open("wb") as fout:
        OOXMLFile(fin).encrypt("secret", fout)
    assert msoffcrypto  # the real thing: an OLE container with EncryptionInfo / EncryptedPackage
    assert target.read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    refused(capsys, data_dir, target, "该文件设置了打开密码", "取消密码", tmp_path=tmp_path)


def test_password_protected_workbook_crafted_header(capsys, data_dir, tmp_path):
    target = tmp_path / "加密2.xlsx"
    body = (
        bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 1024
    )
    target.write_bytes(body)
    refused(capsys, data_dir, target, "该文件设置了打开密码", tmp_path=tmp_path)


def test_word_document_renamed_xlsx(capsys, data_dir, tmp_path):
    target = tmp_path / "名单.xlsx"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("_rels/.rels", "<Relationships/>")
        zf.writestr("word/document.xml", "<w:document/>")
    refused(capsys, data_dir, target, "该文件不是Excel工作簿", "Word文档", tmp_path=tmp_path)


def test_other_zip_renamed_xlsx(capsys, data_dir, tmp_path):
    target = tmp_path / "照片.xlsx"
    with zipfile.ZipFile(target, "w") as zf:
        zf.writestr("photo.jpg", b"\xff\xd8\xff")
    refused(capsys, data_dir, target, "不是Excel工作簿", tmp_path=tmp_path)


def test_zero_byte_workbook(capsys, data_dir, tmp_path):
    target = tmp_path / "空.xlsx"
    target.write_bytes(b"")
    refused(capsys, data_dir, target, "空文件", tmp_path=tmp_path)


def test_truncated_workbook(capsys, data_dir, tmp_path):
    full = write_xlsx(tmp_path / "full.xlsx", family()).read_bytes()
    target = tmp_path / "半截.xlsx"
    target.write_bytes(full[: len(full) // 2])
    refused(capsys, data_dir, target, "不完整或已损坏", tmp_path=tmp_path)


def test_text_file_renamed_xlsx(capsys, data_dir, tmp_path):
    target = tmp_path / "名单2.xlsx"
    target.write_text("姓名,证件号码\n张三,1\n", encoding="utf-8")
    refused(capsys, data_dir, target, "不是Excel工作簿", tmp_path=tmp_path)


def test_garbage_xls(capsys, data_dir, tmp_path):
    target = tmp_path / "坏.xls"
    target.write_bytes(bytes(range(256)) * 8)
    refused(capsys, data_dir, target, "坏.xls", tmp_path=tmp_path)


# ---------------------------------------------------------------------- cells


def test_formula_cells_without_a_stored_result(capsys, data_dir, tmp_path):
    rows = family()
    rows[3][5] = '=CONCATENATE("341523","19800401","0048")'  # H002 head: ID formula, no result
    rows[4][4] = '=CONCATENATE("王","芳")'  # H002 daughter: name formula, no result
    rows[0][5] = f'="{pid(1)}"'  # a ="…" text formula is read as its text
    file = write_xlsx(tmp_path / "公式.xlsx", rows, formulas=True)
    code, out, err = run_import(capsys, data_dir, file)
    assert code == 0, err
    assert "第5行“证件号码”列" in out and "是公式且没有计算结果，请在Excel中打开并保存后再导入" in out
    assert "第6行“姓名”列" in out
    assert "长度为" not in out
    assert stored_names(data_dir) == ["张大山", "张小明", "李秀英"]


def test_huge_number_id_cell_is_refused_never_stored(capsys, data_dir, tmp_path):
    rows = family()
    rows[0][5] = float(pid(1)[:17] + "0")  # Excel turned the ID into a number
    rows[3][5] = 10.0**300
    code, out, err = run_import(capsys, data_dir, write_xlsx(tmp_path / "大数.xlsx", rows))
    assert code == 0, err
    assert "已被Excel转成数字" in out
    assert stored_names(data_dir) == []  # both heads refused: neither household imported


# ---------------------------------------------------------------------- the report before the commit


def test_report_that_cannot_be_written_means_nothing_is_imported(capsys, data_dir, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    before = counts(data_dir)
    code, out, err = run_import(
        capsys, data_dir, write_csv(tmp_path / "ok.csv", family()), blocker / "r.xlsx"
    )
    assert code == 1
    assert "无法保存问题清单" in err and "导入没有写入" in err
    assert "已写入" not in out
    assert counts(data_dir) == before


def test_report_written_and_rows_committed_together(capsys, data_dir, tmp_path):
    rows = family()
    rows[4][5] = "123"
    report = tmp_path / "r.xlsx"
    code, out, err = run_import(capsys, data_dir, write_csv(tmp_path / "ok.csv", rows), report)
    assert code == 0, err
    assert report.exists() and "已写入" in out
    assert stored_names(data_dir) == ["张大山", "张小明", "李秀英", "王建国"]


# ---------------------------------------------------------------------- backups


def _leftovers(backups_dir: Path) -> list[Path]:
    partial = backups_dir / "fanpin-20260101-000000-manual.sqlite3.partial"
    partial.write_bytes(b"SQLite format 3\x00" + "341523198001010011 张大山".encode() * 50)
    journal = partial.with_name(partial.name + "-journal")
    journal.write_bytes(b"\xd9\xd5\x05\xf9" + b"341523198001010011" * 20)
    orphan = backups_dir / "fanpin-20260102-000000-manual.sqlite3.partial-journal"
    orphan.write_bytes(b"341523198001010011")
    return [partial, journal, orphan]


def test_partial_backups_are_removed_on_the_next_command(capsys, data_dir):
    from fanpin_desktop.services import backup as backups

    paths = DataPaths(data_dir)
    paths.backups.mkdir(parents=True, exist_ok=True)
    files = _leftovers(paths.backups)
    assert cli.main(["--data-dir", str(data_dir), "info"]) == 0
    capsys.readouterr()
    assert not any(f.exists() for f in files)
    files = _leftovers(paths.backups)
    made = backups.backup(paths, backups.MANUAL)
    assert not any(f.exists() for f in files)
    assert sorted(p.name for p in paths.backups.iterdir()) == [made.name]


def test_a_partial_backup_being_written_now_is_left_alone(data_dir):
    from fanpin_desktop.services import backup as backups

    paths = DataPaths(data_dir)
    paths.backups.mkdir(parents=True, exist_ok=True)
    busy = paths.backups / "fanpin-20260103-000000-manual.sqlite3.partial"
    conn = sqlite3.connect(busy)
    try:
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        assert backups.remove_leftovers(paths) == []
        assert busy.exists()
    finally:
        conn.rollback()
        conn.close()
    assert busy in backups.remove_leftovers(paths)
    assert not busy.exists()


def test_a_refused_restore_leaves_no_file_behind(capsys, data_dir, tmp_path):
    from fanpin_desktop.errors import UserError
    from fanpin_desktop.services import backup as backups

    paths = DataPaths(data_dir)
    assert run_import(capsys, data_dir, write_csv(tmp_path / "ok.csv", family()))[0] == 0
    made = backups.backup(paths, backups.MANUAL)
    before = sorted(p.name for p in paths.backups.iterdir())
    root_before = sorted(p.name for p in paths.root.iterdir())
    writer = sqlite3.connect(paths.database, timeout=0.1)  # another program is writing
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE members SET name = name")
        with pytest.raises(UserError):
            backups.restore(paths, made)
    finally:
        writer.rollback()
        writer.close()
    assert sorted(p.name for p in paths.backups.iterdir()) == before  # no replaced-* copy
    assert not [b for b in backups.list_backups(paths) if b.reason == "replaced"]
    assert sorted(p.name for p in paths.root.iterdir()) == root_before  # no .restore-* staging
    assert stored_names(data_dir) == sorted(FIVE)
