"""Helpers for the PDF tests: text extraction (pypdf, else poppler's pdftotext) and page sizes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

try:
    import pypdf
except ImportError:  # pragma: no cover - pypdf is in the test extra
    pypdf = None


def page_texts(path: Path) -> list[str]:
    """The text of each page."""
    if pypdf is not None:
        return [page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages]
    if shutil.which("pdftotext"):
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
        return out.stdout.decode("utf-8").split("\f")[:-1]
    pytest.skip("neither pypdf nor pdftotext is available")


def flat(text: str) -> str:
    """Text with all whitespace removed: labels wrapped over several lines in a cell read whole."""
    return "".join(text.split())


def page_sizes(path: Path) -> list[tuple[float, float]]:
    if pypdf is None:
        pytest.skip("pypdf is not installed")
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in pypdf.PdfReader(str(path)).pages]


def page_fonts(path: Path, page: int = 0) -> set[str]:
    """PostScript names of the fonts a page uses (subset prefixes removed)."""
    if pypdf is None:
        pytest.skip("pypdf is not installed")
    resources = pypdf.PdfReader(str(path)).pages[page]["/Resources"]
    names = set()
    for ref in resources["/Font"].values():
        base = str(ref.get_object()["/BaseFont"]).lstrip("/")
        names.add(base.split("+", 1)[-1])
    return names


A4_LANDSCAPE = (841.9, 595.3)
A3_LANDSCAPE = (1190.6, 841.9)


def is_size(actual: tuple[float, float], expected: tuple[float, float]) -> bool:
    return abs(actual[0] - expected[0]) < 1 and abs(actual[1] - expected[1]) < 1
