"""Open a generated file (PDF, workbook, report draft) in the system's default program.

Windows: ``os.startfile`` (the program registered for the extension, e.g. the PDF viewer, from
which the clerk prints). macOS: ``open``. Elsewhere: ``xdg-open``. No Qt here, so the command line
and the tests can use it; the window may call it from a button.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from fanpin_desktop.errors import UserError

log = logging.getLogger(__name__)


def _command(path: Path) -> list[str]:
    if sys.platform == "darwin":
        return ["open", str(path)]
    opener = shutil.which("xdg-open")
    if opener is None:
        raise UserError(f"没有找到用于打开文件的程序（xdg-open），请手动打开：{path}")
    return [opener, str(path)]


def open_file(
    path: str | os.PathLike[str],
    *,
    startfile: Callable[[str], None] | None = None,
    popen: Callable[..., object] | None = None,
) -> Path:
    """Open ``path`` with its default program and return it; a ``UserError`` when that fails.

    Returns at once (the viewer runs on its own). ``startfile``/``popen`` are for tests.
    """
    target = Path(path).resolve()
    if not target.exists():
        raise UserError(f"文件不存在，无法打开：{target}")
    try:
        if sys.platform.startswith("win") or startfile is not None:
            (startfile or os.startfile)(str(target))  # type: ignore[attr-defined]
        else:
            (popen or subprocess.Popen)(
                _command(target),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
    except UserError:
        raise
    except OSError as exc:
        log.warning("opening %s failed: %s", target, exc)
        raise UserError(
            f"无法打开文件：{target.name}。请确认电脑上装有可以打开此类文件的程序（如 PDF 阅读器），"
            f"或到文件夹中手动打开：{target.parent}"
        ) from exc
    log.info("opened %s", target.name)
    return target


def open_folder(path: str | os.PathLike[str], **kwargs: object) -> Path:
    """Open the folder holding ``path`` (or ``path`` itself when it is a folder)."""
    target = Path(path)
    folder = target if target.is_dir() else target.parent
    return open_file(folder, **kwargs)  # type: ignore[arg-type]
