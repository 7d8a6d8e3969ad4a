"""Loading one large .xlsx/.xlsm sheet on two cores.

python-calamine loads a sheet on one thread, without holding the GIL, and that load is most of the
time of importing a national-system export (1.3 s of a 60,000-person file). A large sheet is
therefore cut into bands of whole rows: each band is put into a copy of the workbook (every other
part as it is, stored uncompressed, so that styles, shared strings and the date system are the
same), and the copies are loaded by calamine at the same time, each on its own thread.
:class:`BandedSheet` yields the bands' rows as one sheet, exactly as a plain load would (tests
compare the two).

The cut is made only where the sheet's XML is unambiguous: right after a ``</row>``, before a
``<row`` that carries its row number, inside a plain ``<sheetData>`` element. Anything else (a
small sheet, prefixed XML names, rows without numbers, a band that does not load, bands whose rows
overlap) gives None, and the caller loads the sheet in one piece as before.
"""

from __future__ import annotations

import functools
import io
import logging
import re
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from python_calamine import CalamineWorkbook

log = logging.getLogger(__name__)

MIN_BYTES = 8 * 1024 * 1024  # uncompressed sheet XML (≈ 7,000 rows of a 47-column export)
BANDS = 2  # one per core of an ordinary office PC; more would copy more for no gain on two cores

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_SHEET_DATA = re.compile(rb"<sheetData\b[^>]*?>")
_DIMENSION = re.compile(rb"<dimension\b[^>]*?/>")
_ROW_START = re.compile(rb'\s*<row\b[^>]*?\br="(\d+)"')


def open_banded(path: str, sheet: str | int | None) -> tuple[list[str], str, BandedSheet] | None:
    """The workbook's sheet names, the chosen sheet's name and its rows loaded in bands, read
    without opening the workbook with calamine first; None where the plain way must decide (a
    small sheet, a sheet that is not there, a file that is not a plain .xlsx)."""
    try:
        with zipfile.ZipFile(path) as zf:
            book = ET.fromstring(zf.read("xl/workbook.xml"))
    except (KeyError, ET.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return None
    sheets = [(el.get("name") or "", el.get("state", "visible") == "visible") for el in book.iter(f"{_NS}sheet")]
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
    """Rows of sheets loaded band by band, as one python-calamine sheet: ``start``, ``end`` and
    ``iter_rows()`` (from row 0 or from the first used row, and from column A or from the first
    used column, as this python-calamine's own ``iter_rows`` does)."""

    def __init__(self, bands: list[Any]) -> None:
        self._bands = [b for b in bands if b.start is not None]
        first, last = self._bands[0], self._bands[-1]
        self.start = (first.start[0], min(b.start[1] for b in self._bands))
        self.end = (last.end[0], max(b.end[1] for b in self._bands))

    def iter_rows(self) -> Iterator[list[Any]]:
        from_row0, from_col0 = _iter_rows_origin()
        left = 0 if from_col0 else self.start[1]
        width = self.end[1] - left + 1
        next_row = 0 if from_row0 else self.start[0]
        for band in self._bands:
            top = 0 if from_row0 else band.start[0]
            band_left = 0 if from_col0 else band.start[1]
            lpad = [""] * (band_left - left)
            rpad = [""] * (width - len(lpad) - (band.end[1] - band_left + 1))
            rows = iter(band.iter_rows())
            if top < next_row:  # the empty rows above this band, which the band before has given
                for _ in islice(rows, next_row - top):
                    pass
            for _ in range(next_row, top):  # rows between two bands with no cells
                yield [""] * width
            if lpad or rpad:
                for row in rows:
                    yield lpad + row + rpad if lpad else row + rpad
            else:
                yield from rows
            next_row = band.end[0] + 1


@functools.cache
def _iter_rows_origin() -> tuple[bool, bool]:
    """Whether this python-calamine's ``iter_rows`` begins at row 0 and at column A (else at the
    first used row or column): read off a tiny workbook whose only cell is B3."""
    sheet = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             b'<row r="3"><c r="B3" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml",
                   '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                   '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                   'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    buf.seek(0)
    rows = list(CalamineWorkbook.from_filelike(buf).get_sheet_by_name("S").iter_rows())
    return len(rows) == 3, len(rows[-1]) == 2


def load_banded(path: str, sheet: str, bands: int = BANDS, min_bytes: int | None = None) -> BandedSheet | None:
    """Load ``sheet`` of the .xlsx/.xlsm at ``path`` in ``bands`` bands at once, or None where that
    is not possible or not worth it (the caller then loads it in one piece).

    The sheet's XML is inflated once, as a stream, straight into the bands' workbook copies, which
    are temporary files (deleted as soon as they are loaded): calamine reads a file as it needs it,
    where a copy in memory would be copied once more whole. The first band is loading while the
    rest is still being written.
    """
    try:
        with zipfile.ZipFile(path) as zf, \
                tempfile.TemporaryDirectory(prefix="fanpin-import-", ignore_cleanup_errors=True) as tmp:
            part = sheet_part(zf, sheet)
            info = zf.getinfo(part)
            if info.file_size < (MIN_BYTES if min_bytes is None else min_bytes):
                return None
            others = [(i, zf.read(i)) for i in zf.infolist() if i.filename != part]
            with zf.open(info) as stream:
                return _load_bands(stream, info.file_size, others, part, sheet, Path(tmp), bands)
    except (KeyError, ValueError, ET.ParseError, zipfile.BadZipFile, OSError, RuntimeError):
        log.debug("sheet not split into bands", exc_info=True)
        return None


class _Band(threading.Thread):
    """Loads one band's workbook copy with calamine (on this thread, or started as a thread)."""

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
        except Exception as exc:  # noqa: BLE001 - any failure: the caller loads the sheet in one piece
            self.error = exc


def _load_bands(stream: Any, size: int, others: list[tuple[zipfile.ZipInfo, bytes]], part: str, sheet: str,
                tmp: Path, bands: int) -> BandedSheet | None:
    chunks = _Chunks(stream)
    head = chunks.until(_SHEET_DATA)
    if head is None or head.endswith(b"/>"):
        return None
    head = _DIMENSION.sub(b"", head)  # the whole sheet's size: not a band's
    started: list[_Band] = []
    first_rows = [0]
    try:
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
                        chunks.copy_rest(fh)
            band = _Band(file, sheet)
            started.append(band)
            if k < bands - 1:
                band.start()
            else:
                band.run()  # the last band on this thread
    finally:
        for band in started[:-1]:
            band.join()
    loaded = [b.sheet for b in started]
    if any(b.error is not None or b.sheet is None or b.sheet.start is None for b in started):
        log.debug("a band did not load: %r", [b.error for b in started])
        return None
    # Each band holds exactly its rows: those of band k lie before the first row of band k + 1.
    for k, band in enumerate(loaded):
        if band.start[0] < first_rows[k] or (k + 1 < bands and band.end[0] >= first_rows[k + 1]):
            log.debug("bands overlap: %s", [(b.start, b.end) for b in loaded])
            return None
    return BandedSheet(loaded)


class _Chunks:
    """The inflated sheet XML read piece by piece, cut only between rows."""

    SIZE = 1 << 20

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
                out, self._buf = self._buf[:m.end()], self._buf[m.end():]
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

    def copy_rest(self, fh: Any) -> None:
        fh.write(self._buf)
        self._buf = b""
        while data := self._stream.read(self.SIZE):
            fh.write(data)
