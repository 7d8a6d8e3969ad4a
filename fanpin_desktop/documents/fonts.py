"""Chinese fonts for the PDFs: discovery, registration with ReportLab, per-character fallback.

A clerk's PC must print every document without installing anything, including the rare characters
that turn up in names (㑇, 䶮 in CJK Extension A; 𠮷 in Extension B). So every piece of text is
split into runs by which font actually has the glyph:

* Windows system fonts first: 宋体 ``simsun.ttc``, 仿宋 ``simfang.ttf``, 黑体 ``simhei.ttf``, 微软雅黑
  ``msyh.ttc``, 楷体 ``simkai.ttf``, and for Extension B (and later) ``simsunb.ttf`` (SimSun-ExtB)
  and ``SimsunExtG.ttf``;
* then fonts found in the fontconfig directories on Linux (文泉驿, AR PL, 花园明朝, BabelStone);
* then the fonts shipped in ``resources/fonts``: WenQuanYi Micro Hei for common text, and subsets of
  the Hanazono fonts for Extension A and Extensions B–E (see ``resources/fonts/README.md``).

ReportLab embeds only TrueType-outline fonts (``glyf``), so every candidate's table directory is read
first and CFF/OpenType-PS fonts (e.g. Noto CJK ``.otf``/``.ttc``) are skipped. Fonts are parsed
lazily: a fallback font is loaded only when a character is missing from the fonts before it.

The three roles follow the conventions of official documents: :data:`SONG` (宋体) for body text,
:data:`FANGSONG` (仿宋) for long prose, :data:`HEI` (黑体) for titles and table headers.
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from fanpin_desktop.paths import resource

log = logging.getLogger(__name__)

SONG = "song"
FANGSONG = "fangsong"
HEI = "hei"
ROLES = (SONG, FANGSONG, HEI)

# kinds of candidate fonts; "rare" fonts are only consulted for characters the common ones lack
_KAI = "kai"
_RARE = "rare"
_ROLE_ORDER: dict[str, tuple[str, ...]] = {
    SONG: (SONG, FANGSONG, _KAI, HEI),
    FANGSONG: (FANGSONG, SONG, _KAI, HEI),
    HEI: (HEI, SONG, FANGSONG, _KAI),
}

SYSTEM = "system"
SHIPPED = "shipped"


@dataclass(frozen=True)
class Candidate:
    """A font file we know how to use, by file name (matched case-insensitively)."""

    label: str  # human-readable, e.g. 宋体 (SimSun)
    filename: str
    kind: str  # SONG / FANGSONG / HEI / _KAI / _RARE
    subfont_index: int = 0


# Windows system fonts, in order of preference within each kind.
WINDOWS_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("宋体 SimSun", "simsun.ttc", SONG, 0),
    Candidate("仿宋 FangSong", "simfang.ttf", FANGSONG),
    Candidate("黑体 SimHei", "simhei.ttf", HEI),
    Candidate("微软雅黑 Microsoft YaHei", "msyh.ttc", HEI, 0),
    Candidate("楷体 KaiTi", "simkai.ttf", _KAI),
    Candidate("宋体-扩展B SimSun-ExtB", "simsunb.ttf", _RARE),
    Candidate("宋体-扩展G SimSun-ExtG", "simsunextg.ttf", _RARE),
)

# Fonts commonly installed on Linux (Debian/Ubuntu package file names).
LINUX_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("AR PL UMing", "uming.ttc", SONG, 0),
    Candidate("AR PL UKai", "ukai.ttc", _KAI, 0),
    Candidate("文泉驿正黑 WenQuanYi Zen Hei", "wqy-zenhei.ttc", HEI, 0),
    Candidate("文泉驿微米黑 WenQuanYi Micro Hei", "wqy-microhei.ttc", HEI, 0),
    Candidate("Droid Sans Fallback", "droidsansfallbackfull.ttf", HEI),
    Candidate("花园明朝A HanaMinA", "hanamina.ttf", _RARE),
    Candidate("花园明朝B HanaMinB", "hanaminb.ttf", _RARE),
    Candidate("BabelStone Han", "babelstonehan.ttf", _RARE),
)

# Fonts in resources/fonts, always available.
SHIPPED_CANDIDATES: tuple[Candidate, ...] = (
    Candidate("文泉驿微米黑 WenQuanYi Micro Hei", "wqy-microhei.ttc", HEI, 0),
    Candidate("Fanpin Rare A（扩展A生僻字）", "fanpin-rare-a.ttf", _RARE),
    Candidate("Fanpin Rare B（扩展B–E生僻字）", "fanpin-rare-b.ttf", _RARE),
)


@dataclass(frozen=True)
class FontSource:
    """A usable font file found on this machine."""

    label: str
    path: Path
    subfont_index: int
    kind: str
    origin: str  # SYSTEM / SHIPPED

    @property
    def font_name(self) -> str:
        """The ReportLab registration name: unique per file and face, stable across runs."""
        digest = hashlib.sha1(f"{self.path}#{self.subfont_index}".encode()).hexdigest()[:8]
        stem = "".join(ch for ch in self.path.stem if ch.isalnum())[:20]
        return f"FP-{stem}-{self.subfont_index}-{digest}"


# --------------------------------------------------------------------------------------------------
# sfnt inspection (no third-party dependency)


def truetype_outlines(path: Path, subfont_index: int = 0) -> bool:
    """True when the font (or face ``subfont_index`` of a collection) has TrueType ``glyf`` outlines.

    ReportLab cannot embed CFF outlines; reading the table directory is enough to tell and avoids
    parsing a 20 MB file only to have ReportLab reject it.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12:
                return False
            if head[:4] == b"ttcf":
                count = struct.unpack(">I", head[8:12])[0]
                if subfont_index >= count:
                    return False
                fh.seek(12 + 4 * subfont_index)
                offset = struct.unpack(">I", fh.read(4))[0]
                fh.seek(offset)
                head = fh.read(12)
            if head[:4] not in (b"\x00\x01\x00\x00", b"true"):
                return False  # "OTTO" = CFF outlines, or not a font at all
            num_tables = struct.unpack(">H", head[4:6])[0]
            directory = fh.read(16 * num_tables)
    except OSError:
        return False
    tags = {directory[i : i + 4] for i in range(0, len(directory), 16)}
    return b"glyf" in tags and b"loca" in tags and b"cmap" in tags


# --------------------------------------------------------------------------------------------------
# ToUnicode fix for characters outside the BMP


def _to_unicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """ReportLab's ToUnicode CMap, with UTF-16 surrogate pairs for code points above U+FFFF.

    ReportLab writes ``<%04X>`` for every code point, so 𠮷 (U+20BB7) becomes ``<20BB7>`` and text
    extraction, search and copy-paste in the PDF viewer see a wrong character. A PDF ToUnicode
    destination is UTF-16BE; this writes it so.
    """

    def utf16(code: int) -> str:
        if code > 0xFFFF:
            code -= 0x10000
            return f"{0xD800 + (code >> 10):04X}{0xDC00 + (code & 0x3FF):04X}"
        return f"{code:04X}"

    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
    ]
    # bfchar blocks hold at most 100 entries each (PDF reference, 5.9.2)
    entries = [f"<{i:02X}> <{utf16(v)}>" for i, v in enumerate(subset)]
    for start in range(0, len(entries), 100):
        block = entries[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines.extend(block)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


_patch_lock = threading.Lock()


def _install_tounicode_fix() -> None:
    """Replace ReportLab's ToUnicode writer when it mangles code points above U+FFFF."""
    with _patch_lock:
        current = ttfonts.makeToUnicodeCMap
        if current is _to_unicode_cmap:
            return
        try:
            broken = "D842DFB7" not in current("X", [0x20BB7]).upper()
        except Exception:  # noqa: BLE001 - an unexpected signature: use ours
            broken = True
        if broken:
            ttfonts.makeToUnicodeCMap = _to_unicode_cmap


# --------------------------------------------------------------------------------------------------
# discovery


def windows_font_dirs() -> list[Path]:
    dirs: list[Path] = []
    windir = os.environ.get("WINDIR") or os.environ.get("SystemRoot") or r"C:\Windows"
    dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")  # per-user installed fonts
    return dirs


def unix_font_dirs() -> list[Path]:
    """The directories fontconfig searches by default (``/etc/fonts/fonts.conf``)."""
    home = Path.home()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        data_home / "fonts",
        home / ".fonts",
        Path("/Library/Fonts"),  # macOS, harmless elsewhere
        Path("/System/Library/Fonts"),
    ]


def system_font_dirs() -> list[Path]:
    return windows_font_dirs() if sys.platform.startswith("win") else unix_font_dirs()


def _index_dir(folder: Path, wanted: set[str], found: dict[str, Path], flat: bool) -> None:
    """Record the first file under ``folder`` for each wanted (lower-case) file name."""
    if not folder.is_dir():
        return
    try:
        if flat:  # Windows\Fonts holds thousands of files but no sub-folders worth walking
            for entry in os.scandir(folder):
                name = entry.name.lower()
                if name in wanted and name not in found and entry.is_file():
                    found[name] = Path(entry.path)
            return
        for root, _dirs, files in os.walk(folder):
            for file in files:
                name = file.lower()
                if name in wanted and name not in found:
                    found[name] = Path(root) / file
    except OSError as exc:  # unreadable folder: skip it
        log.debug("font folder %s not readable: %s", folder, exc)


def _sources(
    candidates: Iterable[Candidate], dirs: Iterable[Path], origin: str, flat: bool
) -> list[FontSource]:
    candidates = list(candidates)
    wanted = {c.filename.lower() for c in candidates}
    found: dict[str, Path] = {}
    for folder in dirs:
        _index_dir(Path(folder), wanted, found, flat)
    result = []
    for cand in candidates:
        path = found.get(cand.filename.lower())
        if path is None:
            continue
        if not truetype_outlines(path, cand.subfont_index):
            log.info("font %s skipped: no TrueType outlines", path)
            continue
        result.append(FontSource(cand.label, path, cand.subfont_index, cand.kind, origin))
    return result


def discover(
    *,
    include_system: bool = True,
    include_shipped: bool = True,
    system_dirs: Sequence[Path] | None = None,
    shipped_dir: Path | None = None,
) -> list[FontSource]:
    """Every usable font, system fonts first. ``system_dirs``/``shipped_dir`` are for tests."""
    sources: list[FontSource] = []
    if include_system:
        dirs = list(system_dirs) if system_dirs is not None else system_font_dirs()
        windows = sys.platform.startswith("win")
        # Windows file names first everywhere (a Linux user may have copied simsun.ttc over).
        sources += _sources(WINDOWS_CANDIDATES, dirs, SYSTEM, flat=windows)
        if not windows:
            sources += _sources(LINUX_CANDIDATES, dirs, SYSTEM, flat=False)
    if include_shipped:
        folder = shipped_dir if shipped_dir is not None else resource("fonts")
        # the same font installed on the system would only be loaded twice for nothing
        have = {s.path.name.lower() for s in sources}
        shipped = _sources(SHIPPED_CANDIDATES, [folder], SHIPPED, flat=True)
        sources += [s for s in shipped if s.path.name.lower() not in have]
    return sources


# --------------------------------------------------------------------------------------------------
# registration and fallback


class _LoadedFont:
    __slots__ = ("source", "name", "cmap")

    def __init__(self, source: FontSource, name: str, cmap: dict[int, int]) -> None:
        self.source = source
        self.name = name
        self.cmap = cmap


_registry_lock = threading.RLock()


def _register(source: FontSource) -> _LoadedFont | None:
    """Register the font with ReportLab (once per process) and return it with its cmap."""
    name = source.font_name
    with _registry_lock:
        try:
            font = pdfmetrics.getFont(name)
        except KeyError:
            try:
                font = TTFont(name, str(source.path), subfontIndex=source.subfont_index)
            except (TTFError, OSError, struct.error, ValueError) as exc:
                # e.g. a font whose licence bits forbid embedding, or a damaged file
                log.warning("font %s (%s) cannot be used: %s", source.label, source.path, exc)
                return None
            pdfmetrics.registerFont(font)
    return _LoadedFont(source, name, font.face.charToGlyph)


FALLBACK_CID_FONT = "STSong-Light"


class FontChain:
    """Fonts for one role in order of preference; splits text into runs by glyph coverage."""

    def __init__(self, role: str, sources: Sequence[FontSource]) -> None:
        self.role = role
        self._pending = list(sources)
        self._loaded: list[_LoadedFont] = []
        self._char_font: dict[str, str] = {}
        self._lock = threading.RLock()
        self._missing: set[str] = set()
        self._primary = self._load_until_primary()

    def _load_next(self) -> _LoadedFont | None:
        while self._pending:
            loaded = _register(self._pending.pop(0))
            if loaded is not None:
                self._loaded.append(loaded)
                return loaded
        return None

    def _load_until_primary(self) -> str:
        first = self._load_next()
        if first is not None:
            return first.name
        # No TrueType font at all (should not happen: fonts are shipped). ReportLab's built-in
        # Adobe CID font renders common Chinese in most viewers but is not embedded.
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        with _registry_lock:
            try:
                pdfmetrics.getFont(FALLBACK_CID_FONT)
            except KeyError:
                pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_CID_FONT))
        log.warning("no TrueType Chinese font found; falling back to %s", FALLBACK_CID_FONT)
        return FALLBACK_CID_FONT

    @property
    def primary(self) -> str:
        """The registered name of the role's main font (use it as the style's ``fontName``)."""
        return self._primary

    @property
    def loaded_fonts(self) -> list[FontSource]:
        return [f.source for f in self._loaded]

    @property
    def missing(self) -> set[str]:
        """Characters seen that no available font has (they print as the primary's empty box)."""
        return set(self._missing)

    def font_for(self, ch: str) -> str:
        """The registered font name that draws ``ch`` (the primary when none has it)."""
        name = self._char_font.get(ch)
        if name is not None:
            return name
        with self._lock:
            name = self._char_font.get(ch)
            if name is not None:
                return name
            code = ord(ch)
            if code < 0x20 or ch.isspace():
                name = self._primary  # layout characters: keep them in the surrounding run
            else:
                name = next((f.name for f in self._loaded if code in f.cmap), None)
                while name is None:
                    loaded = self._load_next()
                    if loaded is None:
                        break
                    if code in loaded.cmap:
                        name = loaded.name
                if name is None:
                    if ch not in self._missing:
                        log.warning("no font has U+%04X", code)
                        self._missing.add(ch)
                    name = self._primary
            self._char_font[ch] = name
            return name

    def covers(self, text: str) -> bool:
        """True when the primary font alone draws all of ``text``."""
        primary = self._primary
        return all(self.font_for(ch) == primary for ch in text)

    def runs(self, text: str) -> list[tuple[str, str]]:
        """``text`` as consecutive ``(font name, segment)`` pieces."""
        out: list[tuple[str, str]] = []
        current = None
        start = 0
        for i, ch in enumerate(text):
            name = self.font_for(ch)
            if ch.isspace() and current is not None:
                name = current  # spaces never start a new run
            if name != current:
                if current is not None:
                    out.append((current, text[start:i]))
                current, start = name, i
        if current is not None:
            out.append((current, text[start:]))
        return out

    def markup(self, text: str) -> str:
        """Paragraph markup for ``text``: escaped, non-primary runs wrapped in ``<font name=…>``.

        Line breaks become ``<br/>``. The Paragraph's style must use :attr:`primary` as fontName.
        """
        text = str(text)
        if "\u3000" in text:
            # Paragraphs collapse every whitespace run to one space, the ideographic space too,
            # but keep no-break spaces: blanks to be filled by hand (年　月　日) stay blank.
            text = text.replace("\u3000", "\u00a0" * self._nbsp_per_em())
        parts = []
        for line_no, line in enumerate(text.split("\n")):
            if line_no:
                parts.append("<br/>")
            for name, seg in self.runs(line):
                if name == self._primary:
                    parts.append(escape(seg))
                else:
                    parts.append(f'<font name="{name}">{escape(seg)}</font>')
        return "".join(parts)

    def _nbsp_per_em(self) -> int:
        nbsp = pdfmetrics.stringWidth("\u00a0", self._primary, 10) if self.font_for("\u00a0") else 0
        return max(1, round(10 / nbsp)) if nbsp else 4

    def string_width(self, text: str, size: float) -> float:
        return sum(pdfmetrics.stringWidth(seg, name, size) for name, seg in self.runs(text))

    def draw_string(self, canvas, x: float, y: float, text: str, size: float, align: str = "left") -> float:
        """Draw one line on a ReportLab canvas with fallback; returns its width."""
        pieces = self.runs(text)
        widths = [pdfmetrics.stringWidth(seg, name, size) for name, seg in pieces]
        total = sum(widths)
        if align == "center":
            x -= total / 2
        elif align == "right":
            x -= total
        for (name, seg), width in zip(pieces, widths, strict=True):
            canvas.setFont(name, size)
            canvas.drawString(x, y, seg)
            x += width
        return total


class FontLibrary:
    """The fonts of this machine (and the shipped ones), one :class:`FontChain` per role."""

    def __init__(self, sources: Sequence[FontSource]) -> None:
        _install_tounicode_fix()
        self.sources = list(sources)
        self._chains: dict[str, FontChain] = {}
        self._lock = threading.Lock()

    @classmethod
    def discover(cls, **kwargs) -> FontLibrary:
        return cls(discover(**kwargs))

    def chain_sources(self, role: str) -> list[FontSource]:
        """The role's fonts: its own kind, then the other common kinds, then the rare ones."""
        if role not in _ROLE_ORDER:
            raise ValueError(f"unknown font role {role!r}")
        ordered: list[FontSource] = []
        for kind in _ROLE_ORDER[role]:
            ordered += [s for s in self.sources if s.kind == kind]
        ordered += [s for s in self.sources if s.kind == _RARE]
        return ordered

    def chain(self, role: str = SONG) -> FontChain:
        with self._lock:
            chain = self._chains.get(role)
            if chain is None:
                chain = self._chains[role] = FontChain(role, self.chain_sources(role))
            return chain

    def describe(self) -> list[str]:
        """One Chinese line per usable font, for the About dialog and the log."""
        origin = {SYSTEM: "系统字体", SHIPPED: "程序自带"}
        return [f"{s.label}（{origin.get(s.origin, s.origin)}）：{s.path}" for s in self.sources]


@lru_cache(maxsize=1)
def default_library() -> FontLibrary:
    """The process-wide font library (system fonts, then the shipped ones)."""
    library = FontLibrary.discover()
    for line in library.describe():
        log.info("PDF font: %s", line)
    return library
