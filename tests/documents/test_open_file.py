"""Opening generated files in the system viewer (no real viewer is started)."""

from __future__ import annotations

import sys

import pytest

from fanpin_desktop.errors import UserError
from fanpin_desktop.services import open_file as opener


def test_startfile_is_used_when_given(tmp_path):
    path = tmp_path / "附件1.pdf"
    path.write_bytes(b"%PDF-1.4")
    seen = []
    assert opener.open_file(path, startfile=seen.append) == path.resolve()
    assert seen == [str(path.resolve())]


@pytest.mark.skipif(sys.platform.startswith("win"), reason="xdg-open/open are for other systems")
def test_xdg_open_elsewhere(tmp_path, monkeypatch):
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")
    monkeypatch.setattr(opener.shutil, "which", lambda name: "/usr/bin/xdg-open")
    calls = []
    opener.open_file(path, popen=lambda cmd, **kw: calls.append((cmd, kw)))
    ((cmd, kw),) = calls
    assert cmd[-1] == str(path.resolve())
    assert kw["start_new_session"] is True


def test_missing_file_and_failing_viewer(tmp_path):
    with pytest.raises(UserError, match="文件不存在"):
        opener.open_file(tmp_path / "nope.pdf", startfile=lambda p: None)
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4")

    def no_viewer(_p: str) -> None:
        raise OSError("no application is associated")

    with pytest.raises(UserError, match="无法打开文件"):
        opener.open_file(path, startfile=no_viewer)


def test_open_folder(tmp_path):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"")
    seen = []
    opener.open_folder(path, startfile=seen.append)
    assert seen == [str(tmp_path.resolve())]
