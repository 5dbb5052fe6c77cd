"""Whether a page shows a date at all when the page reading found none: date-shaped text the parser will not take,
and a bounded re-read of the text rows the page reading missed (faint thermal print, a sideways label photo, a
white-on-dark status-bar clock).

`timestamp-missing` says "no date or time anywhere on the file"; a seller told that about a receipt that plainly
shows "Date: 23/04/2017" retakes a good file. So before the file check claims it:
- `date_like`: text that is a date even when it does not parse or is implausible - a date label followed by digits
  ("Date: SO /2017", "Printed on:14/06/2"), or digits in a date's shape with any separators ("02-03-13",
  "2019 05 08");
- `reread_lines`: lines read as a date the parser rejects re-read on their own (a misread "02-03-13");
- `reread_dates`: ink rows the page reading did not read confidently, re-read one by one (contrast stretched,
  upscaled, single line through `ctx.read_line`), upright and, on a page whose words stand sideways, turned a
  quarter each way; a row read as a plausible full date ends the search, else the best row read is the answer.
This module only decides whether a date is there; it never says what is wrong with a page and never raises a
finding. Re-reads are capped (`MAX_ROW_REREADS` rows and `MAX_LINE_REREADS` lines a page, ~10-30 ms each) and
run only on pages whose reading shows no usable date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from evidence_svc.config import Settings
from evidence_svc.facts.dates import find_datetimes
from evidence_svc.model import Box, Word
from evidence_svc.text import Line, normalize_text

from .. import ink
from ..base import LineReader
from .reread import line_image

# A label that introduces a date or time on receipts, invoices and labels, in the marketplaces' languages.
DATE_LABEL = re.compile(
    r"(?<![^\W\d_])(?:date|dated|datum|fecha|data|printed\s*on|print\s*date|dátum|tarih)(?![^\W\d_])"
    r"|日\s*期|日\s*付|発\s*行\s*日", re.I)
# After a label, within a few characters, a date however OCR broke it: a day or month with its separator and a
# digit ("14/0", "23.0"), or a year ("SO /2017"). Plain numbers after a label ("Data 24 GB") are not dates.
LABELLED = re.compile(rf"(?:{DATE_LABEL.pattern})[^\d\n]{{0,8}}(?:\d{{1,2}}\s*[/.\-]\s*\d|(?:19|20)\d\d)", re.I)
# Digits in a date's shape with any separators, parseable or not: "02-03-13", "2019 05 08", "23 /04/ 2017".
DATE_SHAPE = re.compile(
    r"(?<![\d.,])(?:(?:19|20)\d\d\s*[-/.年]\s*[01]?\d\s*[-/.月]\s*[0-3]?\d"
    r"|(?<!\d\s)(?:19|20)\d\d\s[01]?\d\s[0-3]?\d(?!\s?\d)"  # spaced: not inside a longer run of number groups
    r"|[0-3]?\d\s*([-/])\s*[01]?\d\s*\1\s*(?:19|20)?\d\d"
    r"|[0-3]\d\.[01]\d\.(?:19|20)?\d\d|[0-3]?\d\.[01]?\d\.(?:19|20)\d\d)(?![\d.,]\d)")  # not "v1.2.33"

MAX_ROW_REREADS = 32  # rows re-read per page at most, all orientations together
MAX_LINE_REREADS = 4  # date-shaped lines re-read per page at most
MIN_ROW_GLYPHS = 3  # "3:00" has its colon as two small dots: three glyphs that count
SIDEWAYS_SHARE = 0.5  # share of the (longer) words standing tall that makes a page sideways
EDGE_BAND = 0.07  # rows this close to the top or bottom (status bars, taskbars, stamps) are re-read first


def date_like(text: str) -> str | None:
    """The date-shaped part of `text` (a labelled value, or digits in a date's shape), or None."""
    t = normalize_text(text)
    m = LABELLED.search(t) or DATE_SHAPE.search(t)
    return m.group(0) if m else None


def has_date(lines: list[Line], lang: str, order: str) -> bool:
    """The lines show a date or time: one the parser takes (plausible or not), or date-shaped text."""
    if find_datetimes(lines, lang, order, plausible_only=False):
        return True
    return any(date_like(ln.text) for ln in lines)


@dataclass(frozen=True)
class Reread:
    text: str  # the date (or date-shaped text) as re-read
    box: Box  # the row's box in the page's pixels


def reread_dates(gray: np.ndarray, words: list[Word], langs: str, lang: str, order: str, settings: Settings,
                 reader: LineReader | None) -> Reread | None:
    """A date or time on a text row the page reading missed: upright, or on a sideways page turned a quarter
    either way (upright last). The first row re-read as a plausible full date wins; else the first one read as a
    date far off (a misread year), else as a time or a date's shape; None when no row reads as any, or there is no
    reader. At most MAX_ROW_REREADS rows in all."""
    if reader is None:
        return None
    turns = [1, 3, 0] if _sideways(words) else [0]
    budget = [MAX_ROW_REREADS]
    best: tuple[int, Reread] | None = None
    for k in turns:
        for hit, rank in _reread_turned(gray, words if k == 0 else [], k, langs, lang, order, settings, reader,
                                        budget):
            if rank == PLAUSIBLE:
                return hit
            if best is None or rank > best[0]:
                best = (rank, hit)
        if budget[0] <= 0:
            break
    return best[1] if best else None


def reread_lines(gray: np.ndarray, boxes: list[Box], langs: str, lang: str, order: str, settings: Settings,
                 reader: LineReader | None) -> Reread | None:
    """The first ink row under one of `boxes` (where the page reading saw a date it could not use: "Date: SO
    /2017", a year far off) that re-reads as a plausible full date; None otherwise. The row, not OCR's line box,
    is re-read: a receipt's line box often spans two printed lines."""
    if reader is None:
        return None
    rows = ink.page_rows(gray)
    th = ink.text_height(rows) or 12.0
    tried = 0
    for box in boxes:
        under = sorted((r for r in rows if _inter(r.box, box) > 0), key=lambda r: -_inter(r.box, box))
        for row in under[:2]:
            if tried >= MAX_LINE_REREADS:
                return None
            tried += 1
            found = _date_in(_read_row(gray, row.box, th, langs, settings, reader), lang, order)
            if found and found[1] == PLAUSIBLE:
                return Reread(found[0], row.box)
    return None


def _read_row(g: np.ndarray, box: Box, th: float, langs: str, settings: Settings, reader: LineReader) -> str:
    x0, y0, x1, y1 = box
    m = int(round(0.6 * th))
    strip = g[max(y0 - 3, 0) : y1 + 3, max(x0 - m, 0) : x1 + m]
    return normalize_text(reader(line_image(strip, th), langs, settings, "")) if strip.size else ""


def _reread_turned(gray: np.ndarray, words: list[Word], k: int, langs: str, lang: str, order: str,
                   settings: Settings, reader: LineReader, budget: list[int]) -> Iterator[tuple[Reread, int]]:
    """(what a row re-read as, its rank) for each missed row of the page turned by np.rot90(k)
    that reads as a date or time, spending `budget[0]`."""
    g = np.ascontiguousarray(np.rot90(gray, k)) if k else gray
    rows = ink.page_rows(g) if k == 0 else ink.rows(ink.glyphs(g))  # the page's one-slot cache is for upright
    th = ink.text_height(rows) or 12.0
    h = g.shape[0]
    read = [wd.box for wd in words if wd.conf >= 60 and sum(c.isalnum() for c in wd.text) >= 2]
    todo = [r for r in rows if len(r.glyphs) >= MIN_ROW_GLYPHS and r.height >= 0.5 * th and not _covered(r.box, read)]
    todo.sort(key=lambda r: 0 if r.box[1] <= EDGE_BAND * h or r.box[3] >= (1 - EDGE_BAND) * h else 1)
    for row in todo:
        if budget[0] <= 0:
            return
        budget[0] -= 1
        found = _date_in(_read_row(g, row.box, th, langs, settings, reader), lang, order)
        if found:
            yield Reread(found[0], _unturn(row.box, k, gray.shape)), found[1]


PLAUSIBLE, FULL, PIECE = 2, 1, 0  # what a re-read row shows: a plausible full date, a date far off, a time or shape


def _date_in(text: str, lang: str, order: str) -> tuple[str, int] | None:
    """(the date or time in `text`, its rank: PLAUSIBLE, FULL or PIECE), the best and longest one; the
    date-shaped text when the parser takes none (PIECE); None for neither."""
    if not text.strip():
        return None
    line = Line(page=0, words=(Word(text=text, box=(0, 0, 1, 1)),))
    ranked = [(PLAUSIBLE if hit.has_date else PIECE, hit.text) for hit in find_datetimes([line], lang, order)]
    ranked += [(FULL, hit.text) for hit in find_datetimes([line], lang, order, plausible_only=False) if hit.has_date]
    if ranked:
        rank, found = max(ranked, key=lambda r: (r[0], len(r[1])))
        return found, rank
    shaped = date_like(text)
    return (shaped, PIECE) if shaped else None


def _inter(a: Box, b: Box) -> int:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return w * h if w > 0 and h > 0 else 0


def _covered(box: Box, read: list[Box]) -> bool:
    """Most of the row lies under words the page reading read confidently."""
    area = max((box[2] - box[0]) * (box[3] - box[1]), 1)
    return sum(_inter(box, b) for b in read) >= 0.5 * area


def _sideways(words: list[Word]) -> bool:
    """Most words of three or more characters stand taller than wide: the text runs up or down the page."""
    long = [wd for wd in words if len(wd.text.strip()) >= 3]
    if len(long) < 2:
        return False
    tall = sum((wd.box[3] - wd.box[1]) > 1.5 * (wd.box[2] - wd.box[0]) for wd in long)
    return tall >= SIDEWAYS_SHARE * len(long)


def _unturn(box: Box, k: int, shape: tuple[int, ...]) -> Box:
    """A box in the image turned by np.rot90(k) back in the original image's pixels."""
    H, W = shape[:2]
    x0, y0, x1, y1 = box
    if k == 1:  # turned counter-clockwise: turned (x, y) is original (W - y, x)
        return (W - y1, x0, W - y0, x1)
    if k == 3:  # turned clockwise: turned (x, y) is original (y, H - x)
        return (y0, H - x1, y1, H - x0)
    return box
