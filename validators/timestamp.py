"""`timestamp-cropped` (per raster page) and `timestamp-missing` (per file).

Cropped: a date or time - a status-bar time, a taskbar clock, a camera watermark, a dated line - cut by the image
edge. Two routes:
- text: a date/time (`evidence_svc.facts.dates.find_datetimes`) or a date/time fragment ("12:3", "2026/1") whose
  word box touches an edge within `settings.timestamp_edge_px`, with its ink at the edge;
- ink: glyphs cut by an edge often do not OCR at all, so rows of glyph-like ink (validators.ink) cut by an edge
  and not read by OCR are candidates: along the top or bottom edge (a line cut lengthwise), and at the left or
  right edge only in the corner zones where clocks and watermarks live (`settings.timestamp_corner_fraction`).
  Browser and app screenshots often simply end mid-line, so a candidate counts only with evidence that the cut
  text is a date or time:
  - the strip along the edge, re-read on its own (upscaled, single-line OCR), shows digits in the shape of a time
    or date or a piece of one ("14:", "2026/11/", "23.11.2");
  - the cut line continues a column of dates: the nearest line above it (below, for a cut at the top) is a
    date/time of the same extent, one line pitch away (a tracking history, a table);
  - it sits where clocks live, as a short row: a phone's status bar (top corner of a portrait screenshot), a
    taskbar or menu bar (a full-width band of its own colour along the edge, clock at its right end), or a
    camera watermark (bottom-right corner of a photo).
  Ink without such evidence raises nothing. Lines, borders, scrollbars and solid blocks are not glyph-like, and
  blurred "rows" are not trusted, so window chrome and full-bleed photos do not trigger it.
Missing: no date or time anywhere on the file, from the page words and the facts' timestamps.
"""

from __future__ import annotations

import re

import cv2
import numpy as np

from PIL import Image, ImageOps

from evidence_svc.facts.dates import find_datetimes
from evidence_svc.messages import finding
from evidence_svc.model import Box, Finding, Word
from evidence_svc.ocr import read_line
from evidence_svc.text import Line, lines_of, normalize_text

from . import ink
from .base import BaseValidator, CheckContext, FileInput, PageInput

# Pieces of a time or date left when the edge cuts through it: "12:3", ":45", "2026/1", "11月".
FRAGMENT = re.compile(
    r"\d{1,2}\s*[:：]\s*\d{0,2}|[:：]\s*\d{1,2}|\d{1,4}/\d{0,2}|/\d{1,4}|\d{1,4}\s*[年月日時时]"
)
# What a re-read cut strip must show: digits in the shape of a time or date, or of a piece of one. Separators are
# required (a bare digit run is a phone number, an amount, an ID).
CUT_SHAPE = re.compile(
    r"\d{1,2}\s?[:：]\s?\d{1,2}"  # 14:32, 9:4
    r"|\d{1,4}\s?/\s?\d{1,4}"  # 11/22/20, 2026/11
    r"|(?<!\d)\d{1,2}\.\d{1,2}\.\d{0,4}"  # 23.11.2026, 20.11.
    r"|(?<!\d)(?:19|20)\d{2}\s?[-.年/]\s?\d{1,2}"  # 2026-11, 2026年1
    r"|\d{1,2}\s?[月日時时]"  # 11月, 18日
)
DATE_CHARS = "0123456789:/.-"
FULL_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./-])\d{1,2}\1\d{2,4}|(?:19|20)\d{2}([./-])\d{1,2}\2\d{1,2})")
MAX_REREADS = 6  # strips re-read per page at most (each ~20 ms)
STRIP_TEXT_PX = 36.0  # a re-read strip is scaled so the page's text is about this tall
MAX_BAR_FRACTION = 0.09  # a taskbar / menu bar is at most this share of the image height
SHORT_ROW_FRACTION = 0.16  # a clock row is at most this share of the image width ...
SHORT_ROW_GLYPHS = 14  # ... and has at most this many glyphs
PHONE_ASPECT = 1.6  # height / width of a portrait phone screenshot
STATUS_BAR_FRACTION = 0.05  # a phone's status bar is within this share of the height from the top
PHOTO_BACKGROUND_STD = 6.0  # grey-level spread of a watermark's surroundings on a photo (UI backgrounds are flat)
MIN_CUT_GLYPHS = 2  # glyphs of one row touching the top/bottom edge near a corner to call it a cut text line
MIN_CUT_GLYPHS_ALONG = 3  # ... and away from the corners
MAX_CUT_SIGMA = 1.5  # edge blur (px) above which ink rows are not trusted as cut glyphs
INK_TOUCH_PX = 1  # a glyph this close to the edge touches it (cut glyphs end exactly at the edge)


def edges_touched(box: Box, width: int, height: int, px: int) -> list[str]:
    x0, y0, x1, y1 = box
    out = []
    if y1 >= height - px:
        out.append("bottom")
    if y0 <= px:
        out.append("top")
    if x1 >= width - px:
        out.append("right")
    if x0 <= px:
        out.append("left")
    return out


def ink_at_edge(gray: np.ndarray, box: Box, edge: str) -> bool:
    """True when text ink inside `box` reaches the image edge (the outermost INK_TOUCH_PX + 1 pixels)."""
    h, w = gray.shape
    pad = 8
    x0, y0, x1, y1 = max(box[0] - pad, 0), max(box[1] - pad, 0), min(box[2] + pad, w), min(box[3] + pad, h)
    region = gray[y0:y1, x0:x1]
    if region.size == 0:
        return False
    dark, light = ink.ink_masks(region)
    lo, mid, hi = np.percentile(region, (5, 50, 95))
    mask = dark if mid - lo >= hi - mid else light  # text is the minority: dark text on a light box, or not
    bx0, by0, bx1, by1 = box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0
    band = INK_TOUCH_PX + 1
    if edge == "top":
        strip = mask[:band, bx0:bx1]
    elif edge == "bottom":
        strip = mask[-band:, bx0:bx1]
    elif edge == "left":
        strip = mask[by0:by1, :band]
    else:
        strip = mask[by0:by1, -band:]
    return bool(strip.any())


def _in_corner_zone(box: Box, edge: str, width: int, height: int, frac: float) -> bool:
    x0, y0, x1, y1 = box
    if edge in ("top", "bottom"):
        return x1 <= frac * width or x0 >= (1 - frac) * width
    return y1 <= frac * height or y0 >= (1 - frac) * height


def _overlap(a: Box, b: Box) -> int:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


class Timestamp(BaseValidator):
    name = "timestamp"
    codes = ("timestamp-cropped", "timestamp-missing")

    # ------------------------------------------------------------------------------------------- per page
    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]:
        if page.gray is None:
            return []
        found = self._cut_text(page, ctx) or self._cut_ink(page, ctx)
        if found is None:
            return []
        edge, text, box = found
        return [finding("timestamp-cropped", page=page.page.index, value=text,
                        threshold=ctx.settings.timestamp_edge_px, box=box, edge=edge)]

    def _cut_text(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box] | None:
        s = ctx.settings
        h, w = page.gray.shape  # type: ignore[union-attr]
        lang, order = s.locale_for(ctx.claim.marketplace)
        px = s.timestamp_edge_px
        candidates = [(hit.box, hit.text) for hit in find_datetimes(lines_of(page.page), lang, order)]
        candidates += [(wd.box, wd.text) for wd in page.page.words if FRAGMENT.search(wd.text)]
        for box, text in candidates:
            for edge in edges_touched(box, w, h, px):
                # OCR boxes of text in a thin bar can reach the edge while the glyphs do not: ink must touch it
                if ink_at_edge(page.gray, box, edge):  # type: ignore[arg-type]
                    return edge, text, box
        return None

    def _cut_ink(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box] | None:
        s = ctx.settings
        gray = page.gray
        assert gray is not None
        h, w = gray.shape
        px = INK_TOUCH_PX
        read = [wd for wd in page.page.words if wd.conf >= 60 and sum(c.isalnum() for c in wd.text) >= 2]
        rows = ink.page_rows(gray)
        text_px = ink.text_height(rows) or 12.0
        lines: list[Line] | None = None
        rereads = 0
        for row in rows:
            box = row.box
            for edge in edges_touched(box, w, h, px):
                corner = _in_corner_zone(box, edge, w, h, s.timestamp_corner_fraction)
                if edge in ("top", "bottom"):
                    # A line cut lengthwise: several of its glyphs end at the edge. Near a corner (clocks,
                    # watermarks) two suffice; elsewhere (a dated line, a chat's date separator) three.
                    touching = [g for g in row.glyphs
                                if (g.y0 <= px if edge == "top" else g.y1 >= h - px)]
                    if len(touching) < (MIN_CUT_GLYPHS if corner else MIN_CUT_GLYPHS_ALONG):
                        continue
                elif not corner:
                    continue  # text running off the left or right side mid-page is a cropped paragraph
                if self._read_as_text(box, read):
                    continue
                eb = ink.edge_blur(ink.crop(gray, box), both=False)
                if eb is None or eb.sigma > MAX_CUT_SIGMA:
                    continue  # "rows" in a blurred image are smudges, not glyphs cut by the edge
                # Ink alone is not enough: screenshots often end mid-line. Cheapest evidence first.
                if _clock_place(gray, row, edge):
                    return edge, None, box
                if edge in ("top", "bottom"):
                    if lines is None:
                        lang, order = s.locale_for(ctx.claim.marketplace)
                        lines = lines_of(page.page)
                        dated = _date_boxes(lines, find_datetimes(lines, lang, order))
                    if _continues_date_column(row, edge, h, lines, dated):
                        return edge, None, box
                if rereads < MAX_REREADS:
                    rereads += 1
                    langs = s.ocr_langs_for(ctx.claim.marketplace)
                    m = CUT_SHAPE.search(_reread(gray, box, edge, text_px, langs, s))
                    # Read again allowing only digits and date separators: half-cut digits are often misread as
                    # letters. Forced to digits, any text turns into some, so only a whole date shape counts.
                    m = m or FULL_DATE.search(_reread(gray, box, edge, text_px, langs, s, allow=DATE_CHARS))
                    if m:
                        return edge, m.group(0), box
        return None

    @staticmethod
    def _read_as_text(box: Box, words: list[Word]) -> bool:
        """OCR read this row confidently as words: whole text, which the text route has judged already. Digits
        do not count: OCR reads a date cut in half as confident nonsense numbers ("11/21/20" as "11721720")."""
        area = max((box[2] - box[0]) * (box[3] - box[1]), 1)
        over = [wd for wd in words if _overlap(box, wd.box) > 0]
        chars = "".join(wd.text for wd in over)
        if sum(c.isdigit() for c in chars) >= 0.5 * max(sum(c.isalnum() for c in chars), 1):
            return False
        return sum(_overlap(box, wd.box) for wd in over) >= 0.5 * area

    # ------------------------------------------------------------------------------------------- per file
    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]:
        if file.facts.timestamps:
            return []
        lang, order = ctx.settings.locale_for(ctx.claim.marketplace)
        for page in file.pages:
            if find_datetimes(lines_of(page), lang, order):
                return []
        return [finding("timestamp-missing")]


# ------------------------------------------------------------------------------------------- ink evidence


def _reread(gray: np.ndarray, box: Box, edge: str, text_px: float, langs: str, settings, allow: str = "") -> str:
    """OCR of the strip along `edge` holding the cut row, on its own: contrast stretched, dark text on white,
    scaled so the page's text is ~STRIP_TEXT_PX tall, with a margin (tesseract wants space around a line)."""
    h, w = gray.shape
    x0, y0, x1, y1 = box
    m = int(round(0.6 * text_px))
    if edge in ("top", "bottom"):
        x0, x1 = max(x0 - m, 0), min(x1 + m, w)
        y0, y1 = (0, min(y1 + 2, h)) if edge == "top" else (max(y0 - 2, 0), h)
    else:
        y0, y1 = max(y0 - m // 2, 0), min(y1 + m // 2, h)
        x0, x1 = (0, min(x1 + m, w)) if edge == "left" else (max(x0 - m, 0), w)
    strip = gray[y0:y1, x0:x1]
    if strip.size == 0:
        return ""
    im = ImageOps.autocontrast(Image.fromarray(strip), cutoff=1)
    a = np.asarray(im)
    if float(np.median(a)) < 128:  # the background is the majority: make it white
        im = ImageOps.invert(im)
    scale = float(np.clip(STRIP_TEXT_PX / max(text_px, 1.0), 1.0, 4.0))
    if scale > 1.0:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    im = ImageOps.expand(im, border=int(STRIP_TEXT_PX * 0.6), fill=255)
    return normalize_text(read_line(im, langs, settings, allow=allow))


def _clock_place(gray: np.ndarray, row: ink.Row, edge: str) -> bool:
    """A short row where clocks and camera stamps live: a phone's status bar, a taskbar or menu bar, a photo's
    bottom-right corner."""
    h, w = gray.shape
    x0, y0, x1, y1 = row.box
    if x1 - x0 > SHORT_ROW_FRACTION * w or len(row.glyphs) > SHORT_ROW_GLYPHS:
        return False
    left, right = x1 <= 0.3 * w, x0 >= 0.7 * w
    if edge == "top" and (left or right) and h >= PHONE_ASPECT * w and y1 <= STATUS_BAR_FRACTION * h:
        return True  # a portrait phone screenshot: the status bar holds the time in a top corner
    if edge in ("left", "right") and y1 <= STATUS_BAR_FRACTION * h and h >= PHONE_ASPECT * w:
        return True  # ... cut at the side
    bar_edge = edge if edge in ("top", "bottom") else ("bottom" if y0 >= 0.5 * h else "top")
    if (right or (edge == "right")) and _in_bar(gray, row.box, bar_edge):
        return True  # a taskbar / menu bar clock at the bar's right end
    if (edge in ("bottom", "right")) and x1 >= 0.6 * w and y0 >= 0.6 * h and _on_photo(gray, row.box):
        return True  # a camera's date stamp in the bottom-right corner of a photo
    return False


def _in_bar(gray: np.ndarray, box: Box, edge: str) -> bool:
    """The row lies in a band along `edge` of one background colour across the whole width, which ends inward at
    a change of colour within MAX_BAR_FRACTION of the height: a taskbar or a menu bar, not a page that goes on."""
    h, w = gray.shape
    limit = int(MAX_BAR_FRACTION * h)
    band = gray[: limit + 3] if edge == "top" else gray[::-1][: limit + 3]
    med = np.median(band, axis=1)
    ref = float(med[0])
    depth = 0
    while depth < len(med) and abs(float(med[depth]) - ref) <= 8:
        depth += 1
    if depth >= limit or depth + 2 >= len(med):
        return False  # no boundary: the page's own background runs on
    inside = (box[3] if edge == "top" else h - box[1])
    if depth < inside:
        return False  # the row reaches past the band: not inside a bar
    if max(abs(float(v) - ref) for v in med[depth : depth + 3]) < 10:
        return False  # a change of colour or a separator line where the bar ends
    uniform = np.abs(band[:depth].astype(np.int16) - int(ref)) <= 10
    return float(uniform.mean()) >= 0.7


def _on_photo(gray: np.ndarray, box: Box) -> bool:
    """The row's surroundings vary like a photo's (texture, light falloff), not like a flat UI background."""
    h, w = gray.shape
    x0, y0, x1, y1 = box
    m = max(y1 - y0, 8)
    region = gray[max(y0 - m, 0) : min(y1 + m, h), max(x0 - m, 0) : min(x1 + m, w)]
    if region.size == 0:
        return False
    dark, light = ink.ink_masks(region)
    mask = (dark | light).astype(np.uint8)
    mask = cv2.dilate(mask, np.ones((5, 5), np.uint8))
    bg = region[mask == 0]
    return bg.size >= 50 and float(bg.std()) >= PHOTO_BACKGROUND_STD


def _date_boxes(lines: list[Line], hits) -> list[Box]:
    """Boxes of each date/time hit and of each of its words: a table may hold the date and the time in separate
    columns ("11/04/2026   5:30 AM") that OCR joins into one hit."""
    out: list[Box] = []
    for hit in hits:
        out.append(hit.box)
        out += [wd.box for wd in lines[hit.line].words_in(hit.start, hit.end) if any(c.isdigit() for c in wd.text)]
    return out


def _continues_date_column(row: ink.Row, edge: str, h: int, lines: list[Line], dated: list[Box]) -> bool:
    """The cut row is the next entry of a column of dates: the nearest text above it (below, for a cut at the
    top) that overlaps it horizontally is a date/time starting where the row starts, about as wide, at most a few
    line heights away (a tracking history or a table cut through its next row)."""
    x0, y0, x1, y1 = row.box
    inward = [ln for ln in lines if (ln.box[3] <= y0 if edge == "bottom" else ln.box[1] >= y1)]
    near = [
        wd.box for ln in inward for wd in ln.words
        if min(wd.box[2], x1) - max(wd.box[0], x0) > 0
        and (wd.box[3] <= y0 if edge == "bottom" else wd.box[1] >= y1)
    ]
    if not near:
        return False
    nearest = max(near, key=lambda b: b[3]) if edge == "bottom" else min(near, key=lambda b: b[1])
    for d in dated:
        if min(d[2], x1) - max(d[0], x0) <= 0:
            continue
        th = d[3] - d[1]
        if not (d[1] <= nearest[1] + 1 and d[3] >= nearest[3] - 1):
            continue  # the date is not the nearest text: something else lies between it and the cut row
        gap = (y0 - d[3]) if edge == "bottom" else (d[1] - y1)
        if not 0 <= gap <= 4 * th:
            continue
        if abs(d[0] - x0) <= max(th, 4) and 0.7 <= (x1 - x0) / max(d[2] - d[0], 1) <= 1.4:
            return True
    return False
