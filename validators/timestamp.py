"""`timestamp-cropped` (per raster page) and `timestamp-missing` (per file).

Cropped: a date or time - a status-bar time, a taskbar clock, a camera watermark, a dated line - cut by the image
edge. Two kinds of evidence:
- text: a date/time (`evidence_svc.facts.dates.find_datetimes`) or a date/time fragment ("12:3", "2026/1") whose
  word box touches an edge within `settings.timestamp_edge_px`;
- ink: glyphs cut by an edge often do not OCR at all, so rows of glyph-like ink (validators.ink) cut by an edge
  and not read by OCR count too: along the top or bottom edge (a line cut lengthwise: status-bar and taskbar
  clocks, watermarks, dated lines, a chat's date separator), and at the left or right edge only in the corner
  zones where clocks and watermarks live (`settings.timestamp_corner_fraction` of the edge from a corner);
  elsewhere text running off a side is a cropped paragraph. Lines, borders, scrollbars and solid blocks are not
  glyph-like, and blurred "rows" are not trusted, so window chrome and full-bleed photos do not trigger it.
Missing: no date or time anywhere on the file, from the page words and the facts' timestamps.
"""

from __future__ import annotations

import re

import numpy as np

from evidence_svc.facts.dates import find_datetimes
from evidence_svc.messages import finding
from evidence_svc.model import Box, Finding, Word
from evidence_svc.text import lines_of

from . import ink
from .base import BaseValidator, CheckContext, FileInput, PageInput

# Pieces of a time or date left when the edge cuts through it: "12:3", ":45", "2026/1", "11月".
FRAGMENT = re.compile(
    r"\d{1,2}\s*[:：]\s*\d{0,2}|[:：]\s*\d{1,2}|\d{1,4}/\d{0,2}|/\d{1,4}|\d{1,4}\s*[年月日時时]"
)
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
        for row in ink.page_rows(gray):
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
                return edge, None, box
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
