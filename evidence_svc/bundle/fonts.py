"""Fonts for the bundle: find them on this machine, make Noto Sans CJK usable by reportlab, split text into runs.

Latin text is set in Liberation Sans (DejaVu Sans when it is missing, and as the fallback for symbols); Chinese,
Japanese and Korean in Noto Sans CJK. Reportlab embeds only TrueType outlines, and Noto Sans CJK ships as CFF
(PostScript) outlines, so for each bundle the characters it needs are cut out of the CJK font with fontTools and
converted to TrueType quadratic outlines (a few hundred glyphs: well under a second). Every font is embedded as a
subset with a ToUnicode map, so text stays copyable and searchable. A missing font raises `FontMissing` naming the
package to install; this module never substitutes a font that would print boxes.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


class FontMissing(RuntimeError):
    """A font the bundle needs is not installed; the message says which package provides it."""


FONT_DIRS = (
    "/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
    "/Library/Fonts", "/System/Library/Fonts", "C:/Windows/Fonts",
)

# role -> candidate file names, best first, and the Debian package that provides the first.
LATIN = {
    "regular": (("LiberationSans-Regular.ttf", "DejaVuSans.ttf", "Arial.ttf", "arial.ttf"), "fonts-liberation2"),
    "bold": (("LiberationSans-Bold.ttf", "DejaVuSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"), "fonts-liberation2"),
    "fallback": (("DejaVuSans.ttf", "LiberationSans-Regular.ttf"), "fonts-dejavu-core"),
}
# Noto Sans CJK: the collection holds JP, KR, SC, TC, HK (and Mono) faces; single-region OTFs exist too.
CJK_FILES = {
    "regular": ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansCJKjp-Regular.otf",
                "NotoSansCJK-Regular.otc"),
    "bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKsc-Bold.otf", "NotoSansCJKjp-Bold.otf", "NotoSansCJK-Bold.otc"),
}
CJK_FAMILY = {"JP": "Noto Sans CJK JP", "SC": "Noto Sans CJK SC", "KR": "Noto Sans CJK KR", "TC": "Noto Sans CJK TC"}


@lru_cache(maxsize=1)
def _font_index() -> dict[str, Path]:
    """Every font file on the machine by lower-case file name (the font directories plus what fontconfig knows)."""
    found: dict[str, Path] = {}
    for d in FONT_DIRS:
        root = Path(d).expanduser()
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in (".ttf", ".ttc", ".otf", ".otc"):
                found.setdefault(path.name.lower(), path)
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", "--format", "%{file}\\n"], capture_output=True, text=True, timeout=20)
            for line in sorted(out.stdout.splitlines()):
                p = Path(line.strip())
                if p.is_file():
                    found.setdefault(p.name.lower(), p)
        except (OSError, subprocess.SubprocessError):
            pass
    return found


def find_font(names: Iterable[str], package: str) -> Path:
    """The first of `names` installed here, or FontMissing saying what to install."""
    names = tuple(names)
    index = _font_index()
    for name in names:
        if name.lower() in index:
            return index[name.lower()]
    raise FontMissing(
        f"no font found among {', '.join(names)} (searched {', '.join(FONT_DIRS)} and fontconfig); "
        f"install the '{package}' package (Debian/Ubuntu: apt-get install {package})"
    )


def is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x1100 <= o <= 0x11FF or 0x2E80 <= o <= 0x9FFF or 0xA960 <= o <= 0xA97F or 0xAC00 <= o <= 0xD7FF
        or 0xF900 <= o <= 0xFAFF or 0xFE30 <= o <= 0xFE4F or 0xFF00 <= o <= 0xFFEF or 0x20000 <= o <= 0x3FFFF
    )


@lru_cache(maxsize=8)
def _latin(role: str) -> tuple[str, frozenset[int]]:
    names, package = LATIN[role]
    path = find_font(names, package)
    name = f"Ev{role.capitalize()}-{path.stem}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    font = pdfmetrics.getFont(name)
    return name, frozenset(font.face.charToGlyph)


def _collection_index(path: Path, region: str) -> int:
    from fontTools.ttLib import TTCollection

    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    want = CJK_FAMILY.get(region, CJK_FAMILY["SC"])
    coll = TTCollection(str(path), lazy=True)
    try:
        for i, face in enumerate(coll.fonts):
            if face["name"].getDebugName(1) == want:
                return i
    finally:
        coll.close()
    return 0


_CJK_LOCK = threading.Lock()  # fontTools objects are not thread-safe; the web app may bundle in threads


@lru_cache(maxsize=4)
def _cjk_source(path: str, index: int):
    """The CJK face opened lazily, with its character map and metrics parsed once per process."""
    from fontTools.ttLib import TTFont as FtFont

    font = FtFont(path, fontNumber=index, lazy=True)
    return font, font.getBestCmap(), font["hmtx"], font.getGlyphSet()


@lru_cache(maxsize=32)
def _cjk_subset(path: str, index: int, chars: str) -> bytes:
    """A small TrueType font with just `chars` from the CJK face, for reportlab (which embeds only glyf outlines).

    Hand-written on purpose: fontTools' subsetter spends seconds walking the 65,000-glyph CFF, while drawing the
    needed glyphs through a CFF->quadratic pen into a new font (fontTools' FontBuilder) takes a fraction of that.
    """
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    with _CJK_LOCK:
        src, cmap, hmtx, glyphset = _cjk_source(path, index)
        mapping = {ord(c): cmap[ord(c)] for c in chars if ord(c) in cmap}
        names = [".notdef"] + sorted(set(mapping.values()) - {".notdef"})
        outlines = {}
        for name in names:
            pen = TTGlyphPen(None)
            glyphset[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
            outlines[name] = pen.glyph()
        hhea, os2 = src["hhea"], src["OS/2"]
        fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
        fb.setupGlyphOrder(names)
        fb.setupCharacterMap(mapping)
        fb.setupGlyf(outlines)
        glyf = fb.font["glyf"]
        fb.setupHorizontalMetrics({n: (hmtx[n][0], getattr(glyf[n], "xMin", 0)) for n in names})
        fb.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
        family = src["name"].getDebugName(1) or "Noto Sans CJK"
        fb.setupNameTable({"familyName": family, "styleName": src["name"].getDebugName(2) or "Regular",
                           # one PostScript name per subset: reportlab keys some state by it, so two subsets
                           # of one face sharing a name would draw one bundle's text with the other's glyphs
                           "psName": (src["name"].getDebugName(6) or "NotoSansCJK").replace(" ", "") + "-"
                           + hashlib.sha1(chars.encode()).hexdigest()[:8]})
        fb.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender, sTypoLineGap=0,
                    usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent, fsType=0)
        fb.setupPost()
        head = fb.font["head"]  # the source's dates, not the clock: the same characters give the same bytes
        head.created, head.modified = src["head"].created, src["head"].modified
        fb.font.recalcTimestamp = False
        buf = io.BytesIO()
        fb.save(buf)
    return buf.getvalue()


def _cjk(bold: bool, region: str, chars: str) -> tuple[str, frozenset[int]]:
    path = find_font(CJK_FILES["bold" if bold else "regular"], "fonts-noto-cjk")
    index = _collection_index(path, region)
    digest = hashlib.sha1(f"{path}|{index}|{chars}".encode()).hexdigest()[:12]
    name = f"EvCJK{'B' if bold else ''}-{region}-{digest}"
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(_cjk_subset(str(path), index, chars))))
    return name, frozenset(pdfmetrics.getFont(name).face.charToGlyph)


@dataclass
class FontSet:
    """The fonts one bundle uses, and which of them draws each character."""

    regular: str
    bold: str
    fallback: str
    cjk: str | None = None
    cjk_bold: str | None = None
    cover: dict[str, frozenset[int]] = field(default_factory=dict)

    def font_for(self, ch: str, bold: bool = False) -> str:
        o = ord(ch)
        first = self.bold if bold else self.regular
        if o in self.cover[first] or ch.isspace():
            return first
        cjk = self.cjk_bold if bold else self.cjk
        if cjk and o in self.cover[cjk]:
            return cjk
        return self.fallback if o in self.cover[self.fallback] else first

    def runs(self, text: str, bold: bool = False) -> list[tuple[str, str]]:
        """`text` as (font name, text) runs, each run drawable with one font."""
        out: list[tuple[str, str]] = []
        for ch in text:
            name = self.font_for(ch, bold)
            if out and out[-1][0] == name:
                out[-1] = (name, out[-1][1] + ch)
            else:
                out.append((name, ch))
        return out

    def markup(self, text: str, bold: bool = False) -> str:
        """Reportlab paragraph markup for `text` with a font switch at every script change."""
        base = self.bold if bold else self.regular
        parts = []
        for name, run in self.runs(text, bold):
            esc = escape(run)
            parts.append(esc if name == base else f'<font name="{name}">{esc}</font>')
        return "".join(parts)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return sum(pdfmetrics.stringWidth(run, name, size) for name, run in self.runs(text, bold))


def fontset_for(texts: Iterable[str], region: str = "SC", bold_texts: Iterable[str] = ()) -> FontSet:
    """Fonts able to draw all of `texts` (and `bold_texts` in bold); the CJK faces (JP/SC/KR/TC) are cut to the
    characters used, the bold one only when bold text needs it."""
    regular, reg_cover = _latin("regular")
    bold, bold_cover = _latin("bold")
    fallback, fb_cover = _latin("fallback")
    fs = FontSet(regular, bold, fallback, cover={regular: reg_cover, bold: bold_cover, fallback: fb_cover})

    def need(strings: Iterable[str]) -> str:
        chars = sorted({c for t in strings for c in t if not c.isspace()})
        return "".join(c for c in chars if is_cjk(c) or ord(c) not in fb_cover and ord(c) not in reg_cover)

    bold_texts = list(bold_texts)
    plain, heavy = need(list(texts) + bold_texts), need(bold_texts)
    if plain:
        fs.cjk, fs.cover[fs.cjk] = _cjk(False, region, plain)
        fs.cjk_bold = fs.cjk  # until bold text needs its own face
    if heavy:
        fs.cjk_bold, fs.cover[fs.cjk_bold] = _cjk(True, region, heavy)
    return fs
