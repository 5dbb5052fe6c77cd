"""`timestamp-cropped` (per raster page) and `timestamp-missing` (per file).

Cropped: a date or time - a status-bar time, a taskbar clock, a camera watermark, a dated line - cut by the image
edge. Two routes:
- text: a date/time (`evidence_svc.facts.dates.find_datetimes`) or a date/time fragment ("12:3", "2026/1") whose
  word box touches an edge within `settings.timestamp_edge_px`, with its ink at the edge (`edges`);
- ink: glyphs cut by an edge often do not OCR at all, so rows of glyph-like ink (validators.ink) cut by an edge
  and not read by OCR are candidates: along the top or bottom edge (a line cut lengthwise), and at the left or
  right edge only in the corner zones where clocks and watermarks live (`settings.timestamp_corner_fraction`).
  Browser and app screenshots often simply end mid-line, so a candidate counts only with evidence that the cut
  text is a date or time:
  - the strip along the edge, re-read on its own (`reread`: upscaled, single-line OCR through `ctx.read_line`),
    shows digits in the shape of a time or date or a piece of one ("14:", "2026/11/", "23.11.2");
  - the cut line continues a column of dates (`column`): the nearest line above it (below, for a cut at the top)
    is a date/time of the same extent, one line pitch away (a tracking history, a table);
  - it sits where clocks live, as a short row (`places`): a phone's status bar, a taskbar or menu bar, a camera
    watermark in the bottom-right corner of a photo, a chat's date separator.
  Ink without such evidence raises nothing. Lines, borders, scrollbars and solid blocks are not glyph-like, and
  blurred "rows" are not trusted, so window chrome and full-bleed photos do not trigger it.
Missing: no date or time anywhere on the file, from the page words and the facts' timestamps. A date the parser
rejects (implausible, "02-03-13") or date-shaped text ("Date: SO /2017", "2019 05 08") is still a date shown; a
page whose reading has none gets the rows it missed re-read first (`dateline`: faint print, sideways photos,
status-bar clocks), and a date found so joins the page's words.
"""

from __future__ import annotations

import logging

from evidence_svc.facts.dates import find_datetimes
from evidence_svc.messages import finding
from evidence_svc.model import Box, Finding, Word
from evidence_svc.text import Line, lines_of, normalize_text, union

from .. import ink
from ..base import BaseValidator, CheckContext, FileInput, PageInput
from .column import continues_date_column, date_boxes
from .dateline import date_like, has_date, reread_dates, reread_lines
from .edges import (INK_TOUCH_PX, edges_touched, glyphs_whole, in_corner_zone, ink_at_edge, overlap,
                    side_cut_words)
from .places import clock_place, whole_line
from .reread import DATE_CHARS, FULL_DATE, MAX_REREADS, MONEY, Strip, dated, half_date

log = logging.getLogger(__name__)

MIN_CUT_GLYPHS = 2  # glyphs of one row touching the top/bottom edge near a corner to call it a cut text line
MIN_CUT_GLYPHS_ALONG = 3  # ... and away from the corners
MAX_CUT_SIGMA = 1.5  # edge blur (px) above which ink rows are not trusted as cut glyphs
DIGIT_LOOKALIKES = "zZoOlIiSsBbgq"
REREAD_CONF = 50.0  # confidence given to a date found by re-reading a row the page reading missed


class Timestamp(BaseValidator):
    name = "timestamp"
    codes = ("timestamp-cropped", "timestamp-missing")

    # ------------------------------------------------------------------------------------------- per page
    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]:
        if page.gray is None:
            return []
        found = self._cut_text(page, ctx) or self._cut_line(page, ctx) or self._cut_ink(page, ctx)
        if found is None:
            self._reread_dateless(page, ctx)
            return []
        edge, text, box = found[:3]
        return [finding("timestamp-cropped", page=page.page.index, value=text,
                        threshold=ctx.settings.timestamp_edge_px, box=box, edge=edge)]

    def _cut_text(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box] | None:
        """A date/time OCR read (or a piece of one) whose box reaches an edge with its ink at the edge."""
        s = ctx.settings
        h, w = page.gray.shape  # type: ignore[union-attr]
        lang, order = s.locale_for(ctx.claim.marketplace)
        px = s.timestamp_edge_px
        # a date's shape is what counts at an edge, not whether its year is recent (an old receipt is still dated)
        candidates = [(hit.box, hit.text) for hit in find_datetimes(lines_of(page.page), lang, order,
                                                                    plausible_only=False)
                      if not MONEY.match(normalize_text(hit.text).strip())]
        candidates += [(wd.box, wd.text) for wd in page.page.words if dated(wd.text)]
        for box, text in candidates:
            for edge in edges_touched(box, w, h, px):
                # OCR boxes of text in a thin bar can reach the edge while the glyphs do not: ink must touch it
                if ink_at_edge(page.gray, box, edge) and not glyphs_whole(page.gray, box, edge):  # type: ignore
                    return edge, text, box
        return None

    def _cut_line(self, page: PageInput, ctx: CheckContext) -> tuple[str, str | None, Box] | None:
        """A dated line running past the left or right edge: the word at the edge starts with a digit (the cut
        time or date: "Printed on:14/06/25 2|", "2021-07-24 13:3|") and its neighbour, a word gap away, is a
        date or time. A line whose cut word is text, or money, or whose date sits a column away, does not count."""
        s = ctx.settings
        gray = page.gray
        assert gray is not None
        for edge, at, nb in side_cut_words(page.page.words, gray, s.timestamp_edge_px):
            cut = normalize_text(at.text).strip()
            if nb is None or not cut or MONEY.match(cut):
                continue
            if not _digit_led(cut if edge == "right" else cut[::-1]):
                continue
            if dated(nb.text) or FULL_DATE.search(normalize_text(nb.text)):
                left, right = (nb, at) if edge == "right" else (at, nb)
                return edge, f"{left.text} {right.text}", union([left.box, right.box])
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
        column: list[Box] = []
        langs = s.ocr_langs_for(ctx.claim.marketplace)
        rereads = 0
        for row in rows:
            box = row.box
            for edge in edges_touched(box, w, h, px):
                corner = in_corner_zone(box, edge, w, h, s.timestamp_corner_fraction)
                if edge in ("top", "bottom"):
                    # A line cut lengthwise: several of its glyphs end at the edge. Near a corner (clocks,
                    # watermarks) two suffice; elsewhere (a dated line, a chat's date separator) three.
                    touching = [g for g in row.glyphs
                                if (g.y0 <= px if edge == "top" else g.y1 >= h - px)]
                    if len(touching) < (MIN_CUT_GLYPHS if corner else MIN_CUT_GLYPHS_ALONG):
                        continue
                    if glyphs_whole(gray, box, edge):
                        continue  # whole glyphs resting on the edge (a stamp in a band flush with it)
                elif not corner:
                    continue  # text running off the left or right side mid-page is a cropped paragraph
                # Read confidently as words: whole text, judged by the text route already - unless it continues a
                # column of dates at the bottom (OCR reads a date's top half as confident nonsense words).
                as_text = self._read_as_text(box, read)
                if as_text and edge != "bottom":
                    log.debug("cut row %s at %s: read as text", box, edge)
                    continue
                eb = ink.edge_blur(ink.crop(gray, box), both=False)
                # "Rows" in a blurred image may be smudges, not glyphs cut by the edge: there only a column of
                # dates that the row continues counts (the page's own structure, not the row's shape or a re-read).
                blurred = eb is None or eb.sigma > MAX_CUT_SIGMA
                if blurred and (eb is None or edge != "bottom"):
                    log.debug("cut row %s at %s: blurred (%s)", box, edge, eb)
                    continue
                # Ink alone is not enough: screenshots often end mid-line. Cheapest evidence first; the strip is
                # re-read (at most MAX_REREADS rows a page, each read once) only when needed.
                strip = Strip(gray, box, edge, text_px, langs, s, ctx.read_line, enabled=rereads < MAX_REREADS)
                place = None if blurred or as_text else clock_place(gray, row, edge, strip)
                if place:
                    return edge, None, box, place
                if edge == "bottom":  # at the top, a table's header row looks like the next entry of its column
                    if lines is None:
                        lang, order = s.locale_for(ctx.claim.marketplace)
                        lines = lines_of(page.page)
                        column = date_boxes(lines, find_datetimes(lines, lang, order, plausible_only=False))
                    # the row's words a gap of its own height apart, else of the page's text height apart (a
                    # line cut low keeps its word gaps; an icon before the line is the reason to try narrow first)
                    for cut_line in dict.fromkeys((whole_line(gray, row, edge), whole_line(gray, row, edge, text_px))):
                        if continues_date_column(cut_line, edge, lines, column):
                            return edge, None, cut_line, "date column"
                if blurred or as_text:
                    continue
                # Read again allowing only digits and date separators: half-cut digits are often misread as letters.
                # Forced to digits, any text turns into some, so then only a whole date shape counts.
                text = dated(strip.read()) or _group(FULL_DATE.search(strip.read(DATE_CHARS)))
                if not text and edge in ("top", "bottom"):
                    text = half_date(strip)
                if text:
                    return edge, text, box, "re-read"
                log.debug("cut row %s at %s: no evidence (re-read: %s)", box, edge, strip.used)
                rereads += strip.used
        return None

    @staticmethod
    def _reread_dateless(page: PageInput, ctx: CheckContext) -> None:
        """A page whose reading shows no usable date gets a closer look (`dateline`): lines read as a date the
        parser rejects are re-read on their own; on a page with nothing date-like at all, the rows the reading
        missed. A date found so is added to the page's words, as the OCR clock pass adds clocks - the one thing a
        page check adds besides findings - so the file check does not call a dated file dateless and the facts
        see the date."""
        s = ctx.settings
        if page.source != "image" or page.gray is None or ctx.read_line is None:
            return
        lang, order = s.locale_for(ctx.claim.marketplace)
        langs = s.ocr_langs_for(ctx.claim.marketplace)
        lines = lines_of(page.page)
        if any(hit.has_date for hit in find_datetimes(lines, lang, order)):
            return
        if has_date(lines, lang, order):
            shaped = [_date_span(ln, lang, order) for ln in lines]
            found = reread_lines(page.gray, [b for b in shaped if b], langs, lang, order, s, ctx.read_line)
        else:
            found = reread_dates(page.gray, page.page.words, langs, lang, order, s, ctx.read_line)
        if found is not None:
            line = 1 + max((wd.line for wd in page.page.words), default=-1)
            page.page.words.append(Word(text=found.text, box=found.box, conf=REREAD_CONF, line=line))

    @staticmethod
    def _read_as_text(box: Box, words: list[Word]) -> bool:
        """OCR read this row confidently as words: whole text, which the text route has judged already. Digits
        do not count: OCR reads a date cut in half as confident nonsense numbers ("11/21/20" as "11721720")."""
        area = max((box[2] - box[0]) * (box[3] - box[1]), 1)
        over = [wd for wd in words if overlap(box, wd.box) > 0]
        chars = "".join(wd.text for wd in over)
        if sum(c.isdigit() for c in chars) >= 0.5 * max(sum(c.isalnum() for c in chars), 1):
            return False
        return sum(overlap(box, wd.box) for wd in over) >= 0.5 * area

    # ------------------------------------------------------------------------------------------- per file
    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]:
        if file.facts.timestamps or any(f.code == "timestamp-cropped" for f in file.findings):
            return []  # a cut date is a date on the file: "cropped" says what is wrong, "missing" would not be true
        lang, order = ctx.settings.locale_for(ctx.claim.marketplace)
        for page in file.pages:
            # an old or misread date ("02-03-13") or a date-shaped line is still a date shown: not "missing"
            if has_date(lines_of(page), lang, order):
                return []
        return [finding("timestamp-missing")]


def _date_span(line: Line, lang: str, order: str) -> Box | None:
    """The box of the date the parser rejects (implausible) or of the date-shaped text on `line`, or None."""
    hit = next((h for h in find_datetimes([line], lang, order, plausible_only=False) if h.has_date), None)
    if hit is not None:
        return hit.box
    shaped = date_like(line.text)
    if not shaped:
        return None
    start = normalize_text(line.text).find(shaped)
    return line.box_of(start, start + len(shaped)) if start >= 0 else line.box


def _group(m) -> str | None:
    return m.group(0) if m else None


def _digit_led(cut: str) -> bool:
    """The cut word starts like a number: a digit, or a short fragment whose first glyph OCR took for the letter a
    half digit looks like ("z" for a cut "2", "o" for "0", "l" for "1")."""
    return cut[0].isdigit() or (len(cut) <= 3 and cut[0] in DIGIT_LOOKALIKES)
