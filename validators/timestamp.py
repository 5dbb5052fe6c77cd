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
from typing import Callable

import cv2
import numpy as np
from PIL import Image, ImageOps

from evidence_svc.config import Settings
from evidence_svc.facts.dates import find_datetimes
from evidence_svc.messages import finding
from evidence_svc.model import Box, Finding, Word
from evidence_svc.ocr import read_line
from evidence_svc.text import Line, lines_of, normalize_text

from . import ink
from .base import BaseValidator, CheckContext, FileInput, PageInput

# Pieces of a time or date left when the edge cuts through it ("12:3", "2026/1", "11月"), in an OCR word or a
# re-read cut strip: digits in the shape of a time or date, or of a piece of one. Separators are required (a bare
# digit run is a phone number, an amount, an ID), hours and minutes must exist ("24:79" is half-cut letters read
# as digits), and a slash or dot date needs its second separator or a year ("4/1" is too little).
CUT_SHAPE = re.compile(
    r"(?<!\d)(?:[01]?\d|2[0-3])\s?[:：]\s?[0-5]\d?(?!\d)"  # 14:32, 9:4 (hours and minutes that exist)
    r"|(?<!\d)\d{1,2}\s?/\s?\d{1,2}\s?/"  # 11/22/, 11/22/20
    r"|(?<!\d)(?:19|20)\d{2}\s?[-./年]\s?\d{1,2}"  # 2026/11, 2026-1, 2026年1
    r"|(?<!\d)\d{1,2}\.\d{1,2}\.\d{0,4}"  # 23.11.2026, 20.11.
    r"|(?<!\d)(?:\d{1,2}|(?:19|20)\d{2})\s?[年月日時时]"  # 2026年, 11月, 18日
)
CLOCKISH = re.compile(r"\d\s?[:.]\s?\d")  # what OCR makes of a clock's lower half ("12:03" read as "12.9")
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
PHOTO_MAX_FLAT = 0.3  # ... where at most this share of the background pixels is exactly flat
BAR_CLOCK_MARGIN = 0.05  # a taskbar / menu bar clock ends within this share of the width from the right edge
END_FRACTION = 0.3  # a bar's contents reach both ends: within this share of the width from each side
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
        edge, text, box = found[:3]
        return [finding("timestamp-cropped", page=page.page.index, value=text,
                        threshold=ctx.settings.timestamp_edge_px, box=box, edge=edge)]

    def _cut_text(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box] | None:
        s = ctx.settings
        h, w = page.gray.shape  # type: ignore[union-attr]
        lang, order = s.locale_for(ctx.claim.marketplace)
        px = s.timestamp_edge_px
        candidates = [(hit.box, hit.text) for hit in find_datetimes(lines_of(page.page), lang, order)]
        candidates += [(wd.box, wd.text) for wd in page.page.words if CUT_SHAPE.search(normalize_text(wd.text))]
        for box, text in candidates:
            for edge in edges_touched(box, w, h, px):
                # OCR boxes of text in a thin bar can reach the edge while the glyphs do not: ink must touch it
                if ink_at_edge(page.gray, box, edge):  # type: ignore[arg-type]
                    return edge, text, box
        return None

    def _cut_ink(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box, str] | None:
        """(edge, text re-read, box, the evidence that it is a date/time) of the first cut row with evidence."""
        s = ctx.settings
        gray = page.gray
        assert gray is not None
        h, w = gray.shape
        px = INK_TOUCH_PX
        read = [wd for wd in page.page.words if wd.conf >= 60 and sum(c.isalnum() for c in wd.text) >= 2]
        rows = ink.page_rows(gray)
        text_px = ink.text_height(rows) or 12.0
        lines: list[Line] | None = None
        dated: list[Box] = []
        langs = s.ocr_langs_for(ctx.claim.marketplace)
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
                # Ink alone is not enough: screenshots often end mid-line. Cheapest evidence first; the strip is
                # re-read (at most MAX_REREADS rows a page, each read once) only when needed.
                strip = _Strip(gray, box, edge, text_px, langs, s, enabled=rereads < MAX_REREADS)
                place = _clock_place(gray, row, edge, strip.read)
                if place:
                    return edge, None, box, place
                if edge == "bottom":  # at the top, a table's header row looks like the next entry of its column
                    if lines is None:
                        lang, order = s.locale_for(ctx.claim.marketplace)
                        lines = lines_of(page.page)
                        dated = _date_boxes(lines, find_datetimes(lines, lang, order))
                    if _continues_date_column(row, edge, lines, dated):
                        return edge, None, box, "date column"
                # Read again allowing only digits and date separators: half-cut digits are often misread as letters.
                # Forced to digits, any text turns into some, so then only a whole date shape counts.
                m = CUT_SHAPE.search(strip.read()) or FULL_DATE.search(strip.read(DATE_CHARS))
                if m:
                    return edge, m.group(0), box, "re-read"
                rereads += strip.used
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


class _Strip:
    """The strip along an edge holding one cut row, re-read by OCR on demand, each way at most once."""

    def __init__(self, gray: np.ndarray, box: Box, edge: str, text_px: float, langs: str, settings: Settings,
                 enabled: bool = True) -> None:
        self._args = (gray, box, edge, text_px, langs, settings)
        self._reads: dict[str, str] = {}
        self._enabled = enabled

    @property
    def used(self) -> bool:
        return bool(self._reads)

    def read(self, allow: str = "") -> str:
        if not self._enabled:
            return ""
        if allow not in self._reads:
            self._reads[allow] = _reread(*self._args, allow=allow)
        return self._reads[allow]


def _reread(gray: np.ndarray, box: Box, edge: str, text_px: float, langs: str, settings: Settings,
            allow: str = "") -> str:
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


def _clock_place(gray: np.ndarray, row: ink.Row, edge: str, reread: Callable[[], str]) -> str | None:
    """A short row where clocks and camera stamps live:
    - a phone's status bar: a portrait screenshot's top corner, with the bar's other contents (icons) at the other
      end and nothing in the middle - a cut line of page text runs on through the middle;
    - a taskbar: a full-width bar of its own colour along the bottom holding icons in its left or middle part (a
      page's right-aligned totals block at the bottom has nothing there), the clock at the screen's right end;
    - a menu bar: the same along the top, with the re-read strip showing digits around a ':' or '.' (a site's
      header bar with a "Log In" at its right end looks the same otherwise);
    - a camera's date stamp in the bottom-right corner of a photo;
    - a chat's date separator: a short row centred in a pill of its own colour.
    `reread` returns the strip re-read by OCR (called only when needed)."""
    h, w = gray.shape
    x0, y0, x1, y1 = _whole_line(gray, row, edge)
    if x1 - x0 > SHORT_ROW_FRACTION * w or len(row.glyphs) > SHORT_ROW_GLYPHS:
        return None
    left, right = x1 <= 0.3 * w, x0 >= 0.7 * w
    phone = h >= PHONE_ASPECT * w
    if edge == "top" and (left or right) and phone and y1 <= STATUS_BAR_FRACTION * h and _bar_contents(gray, y1):
        return "status bar"
    if edge in ("left", "right") and phone and y1 <= STATUS_BAR_FRACTION * h:
        return "status bar"  # the status-bar time cut at the side
    if x1 >= w - BAR_CLOCK_MARGIN * w and edge in ("top", "bottom", "right"):
        bar_edge = edge if edge != "right" else ("bottom" if y0 >= 0.5 * h else "top")
        depth = _in_bar(gray, row.box, bar_edge)
        if bar_edge == "bottom" and w > h and depth and _bar_items(gray, depth):  # taskbars are on desktops
            return "taskbar"
        if bar_edge == "top" and depth and _bar_contents(gray, y1):
            if CLOCKISH.search(reread()):
                return "menu bar"
    if edge in ("bottom", "right") and x1 >= 0.6 * w and y0 >= 0.6 * h and _on_photo(gray, row.box):
        return "photo"
    if edge in ("top", "bottom") and _date_pill(gray, row):
        return "date separator"
    return None


def _date_pill(gray: np.ndarray, row: ink.Row) -> bool:
    """A short row centred on the image in a pill of its own colour: a chat's date separator ("13.11.2026",
    "Today"). Plain centred text (a heading, a button) has the page's background beside its letters."""
    h, w = gray.shape
    x0, y0, x1, y1 = row.box
    rw = x1 - x0
    if abs((x0 + x1) / 2 - w / 2) > 0.04 * w or rw > 0.25 * w:
        return False
    ys = slice(y0, max(y1, y0 + 1))
    gap = max(rw // 2, 12)  # past the pill's padding
    left, right = gray[ys, max(x0 - gap - 8, 0) : max(x0 - gap, 0)], gray[ys, x1 + gap : x1 + gap + 8]
    near_l, near_r = gray[ys, max(x0 - 4, 0) : x0], gray[ys, x1 : x1 + 4]  # the pill's padding
    if min(left.size, right.size, near_l.size, near_r.size) == 0:
        return False
    bg_l, bg_r = float(np.median(left)), float(np.median(right))
    pad_l, pad_r = float(np.median(near_l)), float(np.median(near_r))
    return abs(bg_l - bg_r) <= 4 and abs(pad_l - pad_r) <= 4 and abs((pad_l + pad_r) / 2 - (bg_l + bg_r) / 2) >= 6


def _whole_line(gray: np.ndarray, row: ink.Row, edge: str) -> Box:
    """The row's box widened along the edge over ink that touches the same edge a word gap away: "2:4" and
    "1 PM" of a cut clock whose pieces the row finder keeps apart."""
    h, w = gray.shape
    x0, y0, x1, y1 = row.box
    if edge not in ("top", "bottom"):
        return row.box
    band = gray[y0:y1] if y1 > y0 else gray[y0 : y0 + 1]
    mask = np.zeros(band.shape, dtype=bool)
    for m in ink.ink_masks(band):
        mask |= m.astype(bool)
    cols = (mask[:2] if edge == "top" else mask[-2:]).any(axis=0)
    gap = int(1.5 * row.height) + 2
    while True:
        nxt = np.nonzero(cols[x1 : x1 + gap])[0]
        if not len(nxt):
            break
        x1 = x1 + int(nxt[-1]) + 1
    while x0 > 0:
        prv = np.nonzero(cols[max(x0 - gap, 0) : x0])[0]
        if not len(prv):
            break
        x0 = max(x0 - gap, 0) + int(prv[0])
    return (x0, y0, x1, y1)


def _bar_contents(gray: np.ndarray, depth: int) -> bool:
    """Along the top edge, ink reaches the edge within the outer END_FRACTION of the width at both ends (a clock at
    one end, icons or menus at the other) and not in the middle third (a status bar's empty middle)."""
    h, w = gray.shape
    band = gray[: max(depth, 3)]
    mask = np.zeros(band.shape, dtype=bool)
    for m in ink.ink_masks(band):
        mask |= m.astype(bool)
    cols = mask[:2].any(axis=0)
    k = int(END_FRACTION * w)
    return bool(cols[:k].any() and cols[w - k :].any() and not cols[w // 3 : 2 * w // 3].any())


def _bar_items(gray: np.ndarray, depth: int) -> bool:
    """The bottom bar holds things away from the clock: a taskbar's start button and app icons in its left or
    middle part. A page's totals block at the bottom right has nothing there."""
    h, w = gray.shape
    band = gray[h - depth :, : int(0.6 * w)].astype(np.int16)
    ref = int(np.median(band))
    cols = (np.abs(band - ref) > 30).any(axis=0)
    return float(cols.mean()) >= 0.01


def _in_bar(gray: np.ndarray, box: Box, edge: str) -> int:
    """Depth in pixels of the bar along `edge` that holds the row, or 0: a band of one background colour across the
    whole width that ends inward at a change of colour within MAX_BAR_FRACTION of the height (a taskbar, a menu
    bar), not a page that goes on."""
    h, w = gray.shape
    limit = int(MAX_BAR_FRACTION * h)
    band = gray[: limit + 3] if edge == "top" else gray[::-1][: limit + 3]
    med = np.median(band, axis=1)
    ref = float(med[0])
    depth = 0
    while depth < len(med) and abs(float(med[depth]) - ref) <= 8:
        depth += 1
    if depth >= limit or depth + 2 >= len(med):
        return 0  # no boundary: the page's own background runs on
    if depth < (box[3] if edge == "top" else h - box[1]):
        return 0  # the row reaches past the band: not inside a bar
    if max(abs(float(v) - ref) for v in med[depth : depth + 3]) < 10:
        return 0  # a change of colour or a separator line where the bar ends
    uniform = np.abs(band[:depth].astype(np.int16) - int(ref)) <= 10
    return depth if float(uniform.mean()) >= 0.7 else 0


def _on_photo(gray: np.ndarray, box: Box) -> bool:
    """The row's surroundings vary like a photo's (texture, noise, light falloff), not like a UI: on a screenshot
    most background pixels are exactly as light as their neighbours (flat fills), on a photo almost none are."""
    h, w = gray.shape
    x0, y0, x1, y1 = box
    m = max(y1 - y0, 8)
    region = gray[max(y0 - m, 0) : min(y1 + m, h), max(x0 - m, 0) : min(x1 + m, w)]
    if region.size == 0:
        return False
    dark, light = ink.ink_masks(region)
    mask = cv2.dilate((dark | light).astype(np.uint8), np.ones((5, 5), np.uint8))
    flat = cv2.Laplacian(region, cv2.CV_16S, ksize=1) == 0
    bg = mask == 0
    if int(bg.sum()) < 50:
        return False
    return float(region[bg].std()) >= PHOTO_BACKGROUND_STD and float(flat[bg].mean()) < PHOTO_MAX_FLAT


def _date_boxes(lines: list[Line], hits) -> list[Box]:
    """Boxes of each date/time hit and of each of its words: a table may hold the date and the time in separate
    columns ("11/04/2026   5:30 AM") that OCR joins into one hit."""
    out: list[Box] = []
    for hit in hits:
        out.append(hit.box)
        out += [wd.box for wd in lines[hit.line].words_in(hit.start, hit.end) if any(c.isdigit() for c in wd.text)]
    return out


def _continues_date_column(row: ink.Row, edge: str, lines: list[Line], dated: list[Box]) -> bool:
    """The cut row is the next entry of a column of dates: two or more dates/times above it (below, for a cut at
    the top) start where the row starts and are about as wide, the nearest of them is the nearest text, and the
    row sits one line pitch further on (a tracking history or a table cut through its next row)."""
    x0, y0, x1, y1 = row.box
    down = edge == "bottom"
    col: dict[int, Box] = {}
    for d in dated:
        th = d[3] - d[1]
        if (abs(d[0] - x0) <= max(th, 4) and 0.7 <= (x1 - x0) / max(d[2] - d[0], 1) <= 1.4
                and (d[3] <= y0 if down else d[1] >= y1)):
            col.setdefault(d[1] // max(th // 2, 1), d)  # one box per line
    if len(col) < 2:
        return False
    seq = sorted(col.values(), key=lambda b: b[1], reverse=not down)  # towards the cut edge last
    near, prev = seq[-1], seq[-2]
    between = [wd for ln in lines for wd in ln.words
               if min(wd.box[2], x1) - max(wd.box[0], x0) > 0
               and ((near[3] <= wd.box[1] and wd.box[3] <= y0) if down else (y1 <= wd.box[1] and wd.box[3] <= near[1]))]
    if between:
        return False  # other text lies between the last date and the cut row
    if down:
        pitch, offset = near[1] - prev[1], y0 - near[1]
    else:
        pitch, offset = prev[3] - near[3], near[3] - y1
    return pitch > 0 and abs(offset - pitch) <= 0.25 * pitch
