"""Loading one large .xlsx/.xlsm sheet on two cores.

python-calamine loads a sheet on one thread, without holding the GIL, and that load is most of the
time of importing a national-system export (1.3 s of a 60,000-person file). A large sheet is
therefore cut into bands of whole rows: each band is put into a copy of the workbook (every other
part as it is, stored uncompressed, so that styles, shared strings and the date system are the
same), and the copies are loaded by calamine at the same time, each on its own thread. The reader
gets the sheet as soon as the first band is loaded and reads its rows while the others are still
loading; :class:`BandedSheet` waits for a band only when its rows are wanted, and gives the rows
of all bands as a plain load gives them (tests compare the two).

The cut is made only where the sheet's XML is unambiguous: right after a ``</row>``, before a
``<row`` that carries its row number, inside a plain ``<sheetData>`` element. Anything else (a
small sheet, prefixed XML names, rows without numbers, bands whose rows overlap) gives None, and
the caller loads the sheet in one piece as before; a band that fails after the first has been
handed out is replaced by a plain load of the sheet, read from where the bands stopped.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
from python_calamine import CalamineError, CalamineWorkbook

from fanpin_desktop.errors import UserError

log = logging.getLogger(__name__)

TEMP_PREFIX = "fanpin-import-"  # the bands' temporary folders
MIN_BYTES = 8 * 1024 * 1024  # uncompressed sheet XML (≈ 7,000 rows of a 47-column export)
BANDS = 2  # one per core of an ordinary office PC; more would copy more for no gain on two cores

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?/>")
_ROW_NUMBER = re.compile(rb'<row\b[^>]*?\br="(\d+)"')
_ROW_START = re.compile(rb"\s*" + _ROW_NUMBER.pattern)  # a numbered row right here


def open_banded(path: str, sheet: str | int | None) -> tuple[list[str], str, BandedSheet] | None:
    """The workbook's sheet names, the chosen sheet's name and its rows loaded in bands, read
    without opening the workbook with calamine first; None where the plain way must decide (a
    small sheet, a sheet that is not there, a file that is not a plain .xlsx)."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = ET.fromstring(zf.read("xl/workbook.xml"))
    except Exception:  # noqa: BLE001 - not a workbook this can read: the plain load says what is wrong
        log.debug("workbook not read for bands", exc_info=True)
        return None
    sheets = [
        (el.get("name") or "", el.get("state", "visible") == "visible") for el in book.iter(f"{_NS}sheet")
    ]
    names = [name for name, _visible in sheets]
    if sheet is None:  # the first visible sheet, if it is large (then it has data)
        chosen = next((name for name, visible in sheets if visible), names[0] if names else None)
    elif isinstance(sheet, int):
        chosen = names[sheet] if 0 <= sheet < len(names) else None
    else:
        chosen = sheet if sheet in names else None
    if chosen is None:
        return None
    banded = load_banded(path, chosen)
    return None if banded is None else (names, chosen, banded)


def sheet_part(zf: zipfile.ZipFile, sheet: str) -> str:
    """The path inside the .xlsx of the worksheet named ``sheet``."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rid = None
    for el in book.iter(f"{_NS}sheet"):
        if el.get("name") == sheet:
            rid = el.get(f"{_REL_NS}id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for el in rels:
        if el.get("Id") == rid:
            target = el.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet)


class BandedSheet:
    """A sheet loaded in bands, read as one.

    ``iter_rows()`` gives every row from ``first_row`` (0, or the first used row where this
    python-calamine's own ``iter_rows`` begins there), each row's cells from column A; a row ends
    at its band's last used column (the reader pads short rows). ``rows_hint`` is the number of
    rows up to the last one in the file (for progress), known before the last band is loaded.
    """

    def __init__(
        self,
        path: str,
        sheet: str,
        bands: list[_Band],
        first_rows: list[int],
        tmp: tempfile.TemporaryDirectory[str],
        rows_hint: int | None,
    ) -> None:
        self._path, self._sheet = path, sheet
        self._bands = bands
        self._first_rows = first_rows
        self._tmp = tmp
        self._plain: Any = None  # the whole sheet, if a band failed
        from_row0, _from_col0 = _iter_rows_origin()
        first = bands[0].sheet
        self.first_row = 0 if from_row0 else first.start[0]
        self.rows_hint = rows_hint

    @property
    def rows(self) -> int:
        """The number of rows from row 0 to the last used one (waits for every band)."""
        ends = [self._bands[k].sheet.end for k in range(len(self._bands)) if self._band_ok(k)]
        if self._plain is not None:
            ends = [self._plain.end]
        last = [end[0] for end in ends if end is not None]
        return last[-1] + 1 if last else 0

    def _band_ok(self, k: int) -> bool:
        """Wait for band ``k``; False once the sheet has been loaded plainly instead."""
        if self._plain is not None:
            return False
        band = self._bands[k]
        band.join()
        sheet = band.sheet
        ok = band.error is None and sheet is not None
        if ok and sheet.start is not None:  # its rows lie between its first row and the next band's
            ok = sheet.start[0] >= self._first_rows[k] and (
                k + 1 == len(self._bands) or sheet.end[0] < self._first_rows[k + 1]
            )
        if k + 1 == len(self._bands) or not ok:
            self.close()
        if not ok:
            # the error's kind only: a message from the reader may quote cells (identity numbers)
            log.warning(
                "band %d of the sheet did not load (%s); loading it in one piece",
                k,
                type(band.error).__name__ if band.error is not None else "rows out of place",
            )
            try:
                book = CalamineWorkbook.from_path(self._path)
                try:
                    self._plain = book.get_sheet_by_name(self._sheet)
                finally:
                    book.close()
            except (CalamineError, OSError) as exc:
                raise UserError(f"无法读取工作表“{self._sheet}”：{exc}") from exc
            self._bands = []
        return ok

    def iter_rows(self) -> Iterator[list[Any]]:
        from_row0, from_col0 = _iter_rows_origin()
        next_row = self.first_row
        for k in range(len(self._bands)):
            if not self._band_ok(k):
                break
            sheet = self._bands[k].sheet
            if sheet.start is None:  # a band of empty rows
                continue
            yield from _rows_from(sheet, next_row, from_row0, from_col0)
            next_row = sheet.end[0] + 1
        if self._plain is not None and self._plain.start is not None:
            yield from _rows_from(self._plain, next_row, from_row0, from_col0)

    def wait(self) -> None:
        """Return once no band is loading any more."""
        for band in list(self._bands):
            band.join()

    def close(self) -> None:
        """Wait for the bands still loading and delete their workbook copies."""
        self.wait()
        self._tmp.cleanup()


def _rows_from(sheet: Any, row: int, from_row0: bool, from_col0: bool) -> Iterator[list[Any]]:
    """``sheet``'s rows from sheet row ``row`` on (empty rows up to its first one), from column A."""
    top = 0 if from_row0 else sheet.start[0]
    rows = iter(sheet.iter_rows())
    if top < row:  # empty rows above this band's first, given already by the band before
        for _ in islice(rows, row - top):
            pass
    for _ in range(row, top):  # rows with no cells between two bands
        yield []
    left = 0 if from_col0 else sheet.start[1]
    if left:
        pad = [""] * left
        for r in rows:
            yield pad + r
    else:
        yield from rows


@functools.cache
def _iter_rows_origin() -> tuple[bool, bool]:
    """Whether this python-calamine's ``iter_rows`` begins at row 0 and at column A (else at the
    first used row or column): read off a tiny workbook whose only cell is B3."""
    book = openpyxl.Workbook()
    book.active["B3"] = "x"
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    rows = list(CalamineWorkbook.from_filelike(buf).get_sheet_by_name(book.active.title).iter_rows())
    return len(rows) == 3, len(rows[-1]) == 2


def load_banded(
    path: str, sheet: str, bands: int = BANDS, min_bytes: int | None = None
) -> BandedSheet | None:
    """Load ``sheet`` of the .xlsx/.xlsm at ``path`` in ``bands`` bands at once; returns once the
    first band is loaded (the others go on loading), or None where that is not possible or not
    worth it (the caller then loads the sheet in one piece).

    The sheet's XML is inflated once, as a stream, straight into the bands' workbook copies: files
    in a temporary folder, each deleted as soon as it is loaded (calamine reads a file as it needs
    it, where a copy in memory would be copied whole once more). The first band is loading while
    the rest is still being written.
    """
    if bands < 2:
        return None
    remove_stale_copies()
    tmp = tempfile.TemporaryDirectory(prefix=TEMP_PREFIX, ignore_cleanup_errors=True)
    started: list[_Band] = []
    try:
        with zipfile.ZipFile(path) as zf:
            part = sheet_part(zf, sheet)
            info = zf.getinfo(part)
            if info.file_size < (MIN_BYTES if min_bytes is None else min_bytes):
                tmp.cleanup()
                return None
            others = [(i, zf.read(i)) for i in zf.infolist() if i.filename != part]
            with zf.open(info) as stream:
                cut = _start_bands(
                    stream, info.file_size, others, part, sheet, Path(tmp.name), bands, started
                )
        if cut is not None:
            first_rows, rows_hint = cut
            first = started[0]
            first.join()
            if (
                first.error is None
                and first.sheet is not None
                and first.sheet.start is not None
                and first.sheet.end[0] < first_rows[1]
            ):
                return BandedSheet(path, sheet, started, first_rows, tmp, rows_hint)
            log.debug("the first band did not load (%s)", type(first.error).__name__)
    except Exception:  # noqa: BLE001 - a full disk, a corrupt part…: the plain load decides and says why
        log.debug("sheet not split into bands", exc_info=True)
    for band in started:
        band.join()
    tmp.cleanup()
    return None


def remove_stale_copies(older_than: float = 3600.0) -> int:
    """Delete band copies left behind by a program that was killed while loading (they hold the
    people's data); returns how many folders were removed. Copies of a load under way are younger."""
    removed = 0
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        try:
            if folder.is_dir() and now - folder.stat().st_mtime > older_than:
                shutil.rmtree(folder, ignore_errors=True)
                removed += not folder.exists()
        except OSError:
            continue
    return removed


class _Band(threading.Thread):
    """Loads one band's workbook copy with calamine, then deletes the copy."""

    def __init__(self, file: Path, sheet: str) -> None:
        super().__init__(name="fanpin-import-band", daemon=True)
        self.file, self.sheet_name = file, sheet
        self.sheet: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            book = CalamineWorkbook.from_path(str(self.file))
            try:
                self.sheet = book.get_sheet_by_name(self.sheet_name)
            finally:
                book.close()  # the file, not the loaded sheet
        except Exception as exc:  # noqa: BLE001 - any failure: the sheet is loaded in one piece instead
            self.error = exc
        finally:
            try:
                self.file.unlink(missing_ok=True)
            except OSError:  # still open somewhere (Windows): the folder's cleanup tries again
                log.debug("band copy not deleted yet", exc_info=True)


def _start_bands(
    stream: Any,
    size: int,
    others: list[tuple[zipfile.ZipInfo, bytes]],
    part: str,
    sheet: str,
    tmp: Path,
    bands: int,
    started: list[_Band],
) -> tuple[list[int], int | None] | None:
    """Write the bands' workbook copies and start loading each as soon as it is written. Returns
    the 0-based first row of each band and the number of rows up to the last one in the XML (None
    if not found), or None if the XML cannot be cut."""
    chunks = _Chunks(stream)
    head = chunks.until(_SHEET_DATA)
    if head is None or head.endswith(b"/>"):
        return None
    head = _DIMENSION.sub(b"", head)  # the whole sheet's size: not a band's
    first_rows = [0]
    rows_hint = None
    for k in range(bands):
        file = tmp / f"band{k}.xlsx"
        with zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as z:
            for info, data in others:
                z.writestr(zipfile.ZipInfo(info.filename, info.date_time), data)
            with z.open(zipfile.ZipInfo(part), "w") as fh:
                fh.write(head)
                if k < bands - 1:
                    row = chunks.copy_to_row_after(fh, size * (k + 1) // bands)
                    if row is None:
                        return None
                    first_rows.append(row)
                    fh.write(b"</sheetData></worksheet>")
                else:
                    rows_hint = chunks.copy_rest(fh)
        started.append(_Band(file, sheet))
        started[-1].start()
    return first_rows, rows_hint


class _Chunks:
    """The inflated sheet XML read piece by piece, cut only between rows."""

    SIZE = 1 << 20
    TAIL = 256 << 10  # where the last row is looked for: it and what follows </sheetData>

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._buf = b""  # read, not yet written
        self._offset = 0  # of _buf's first byte in the XML

    def _more(self) -> bool:
        data = self._stream.read(self.SIZE)
        if not data:
            return False
        self._buf += data
        return True

    def until(self, pattern: re.Pattern[bytes], limit: int = 4 << 20) -> bytes | None:
        """Everything up to and including the first match of ``pattern``, or None."""
        while True:
            m = pattern.search(self._buf)
            if m is not None:
                out, self._buf = self._buf[: m.end()], self._buf[m.end() :]
                self._offset += len(out)
                return out
            if len(self._buf) > limit or not self._more():
                return None

    def copy_to_row_after(self, fh: Any, at: int) -> int | None:
        """Write to ``fh`` everything up to the first ``</row>`` ending at or after ``at`` that is
        followed by a numbered ``<row``; returns that row's 0-based number, or None."""
        while True:
            start = max(0, at - self._offset)
            end = self._buf.find(b"</row>", start)
            if end >= 0:
                cut = end + len(b"</row>")
                while len(self._buf) - cut < 512 and self._more():
                    pass
                m = _ROW_START.match(self._buf, cut)
                if m is not None:
                    fh.write(self._buf[:cut])
                    self._buf = self._buf[cut:]
                    self._offset += cut
                    return int(m.group(1)) - 1
                at = self._offset + cut
                continue
            keep = len(self._buf) - len(b"</row>")  # a </row> may straddle two pieces
            if keep > 0:
                fh.write(self._buf[:keep])
                self._buf = self._buf[keep:]
                self._offset += keep
            if not self._more():
                return None

    def copy_rest(self, fh: Any) -> int | None:
        """Write the rest to ``fh``; returns the number (1-based) of the last row, if found near the end."""
        fh.write(self._buf)
        last = self._buf[-self.TAIL :]
        self._buf = b""
        while data := self._stream.read(self.SIZE):
            fh.write(data)
            last = data if len(data) >= self.TAIL else (last + data)[-self.TAIL :]
        numbers = _ROW_NUMBER.findall(last)
        return int(numbers[-1]) if numbers else None
