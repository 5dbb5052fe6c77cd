"""`blurry`: text not sharp enough to read reliably, measured where the text is.

Variance of the Laplacian over a whole image depends on how much of it is text and on contrast, so a sharp but
mostly empty screenshot looks "blurry" and a busy blurred one looks sharp. Here the width of the edges is
measured instead (`validators.ink.edge_blur`: a Gaussian sigma in pixels, per direction so motion blur counts),
inside the OCR word boxes, and compared with the height of the text: a 2-pixel blur ruins 10-pixel text and is
tolerable on 20-pixel text, and a 2.5-pixel blur on a 3x phone screenshot's 35-pixel words is a 0.8-pixel blur at
1x. Only the ratio counts (a screenshot viewed at 100 % shows its text at its own size), so there is no cap on the
tolerance for tall text. The blur a crisp anti-aliased edge has anyway is taken off first, so small sharp text is
not called blurry (that is the resolution check's business).

When OCR read too few words to measure, the glyph-like ink rows it did not read are measured (all rows when it
read them all), and failing those the sharpest quarter of the high-contrast tiles (at reduced size when the blur
is so heavy that no steep edge is left). An image with content whose text OCR cannot read is exactly the case
this check exists for; a sharp date stamped on a blurred photo must not vouch for the photo; and a photo whose
background is out of focus but whose label is sharp still has sharp rows and tiles.

Blur where the evidence is: the words carrying facts (two or more digits) and the clearly blurred words (when they
are a real share of the page) are judged as regions of their own, and the lowest score counts, so a sharp overlay
(a toolbar, a button, an arrow drawn on a screenshot) does not hide a blurred page beneath. All glyph rows (the
text OCR could not read as well as the text it could) settle the two unclear cases: words just above the threshold
on a page whose rows are clearly blurred are blurry; words under it on a page whose rows are clearly sharp while
OCR read little of them are faint or unusual print (a faded thermal receipt), not blur. Rows alone never decide
otherwise: photos make "rows" of their own.

Sharpness is reported on a 0..100 scale, 100 - 400 * (excess blur sigma / text height): crisp text scores 100,
sigma 1 on 16-pixel text about 77, sigma 2.5 on 35-pixel words about 72, sigma 2.5 on 14-pixel text about 30;
compared with
`settings.blur_min_sharpness` (`settings.blur_min_content_sharpness` when only tiles could be measured).
"""

from __future__ import annotations

import numpy as np

from evidence_svc.messages import finding
from evidence_svc.model import Box, Finding

from . import ink
from .base import BaseValidator, CheckContext, PageInput

WORD_MIN_CONF = 30.0
DEFAULT_TEXT_PX = 12.0  # text height assumed when none can be measured (no words, no glyph rows)
SCORE_SLOPE = 400.0
MIN_FACT_WORDS = 3  # digit-bearing words needed to judge the region that carries the facts
MIN_ROWS = 5  # glyph rows needed to judge the text as a whole
FAINT_ROWS_MARGIN = 10.0  # rows this much sharper than needed while OCR read little: faint print, not blur ...
FAINT_MAX_READ = 0.3  # ... "little" being under this share of the glyphs
BORDER_MARGIN = 5.0  # words within this margin above the threshold are borderline: the rows decide ...
ROWS_MIN_READ = 0.3  # ... when OCR read enough of them to know they are text (photos make "rows" too) ...
ROWS_MARGIN = 10.0  # ... and call it blurred when they are this far under the threshold
REGION_MARGIN = 10.0  # words this far under the threshold are blurred ...
REGION_SHARE = 0.3  # ... and make a blurred region when they are this share of the measured words


def excess_sigma(sigma: float) -> float:
    return float(np.sqrt(max(sigma * sigma - ink.CRISP_SIGMA**2, 0.0)))


def sharpness_of(sigma: float, text_px: float) -> float:
    rel = excess_sigma(sigma) / max(text_px, 1.0)
    return float(np.clip(100.0 - SCORE_SLOPE * rel, 0.0, 100.0))


def word_scores(page: PageInput) -> list[tuple[float, Box, str]]:
    """(sharpness, box, text) of every measurable word OCR read."""
    gray = page.gray
    assert gray is not None
    out = []
    for w in ink.readable_words(page.page.words, WORD_MIN_CONF):
        eb = ink.edge_blur(ink.crop(gray, w.box), both=False)
        if eb is not None:
            out.append((sharpness_of(eb.sigma, w.box[3] - w.box[1]), w.box, w.text))
    return out


def measure(page: PageInput, min_words: int) -> tuple[float, str, Box | None] | None:
    """(sharpness 0..100, what was measured: words | rows | tiles, box of the measured text) or None when the
    page has nothing to measure (blank)."""
    gray = page.gray
    assert gray is not None
    per_word = [(x, b) for x, b, _ in word_scores(page)]
    if len(per_word) >= min_words:
        return float(np.median([s for s, _ in per_word])), "words", _union([b for _, b in per_word])
    rs = ink.page_rows(gray)
    # OCR read (almost) nothing: the text it could not read is what matters (a sharp camera date stamped on a
    # blurred photo of a label must not vouch for the label), so measure the unread rows when there are any.
    read = ink.readable_words(page.page.words, 60.0)
    unread = [r for r in rs if ink.read_share([r], read) < 0.5]
    for candidates, least in ((unread, 1), (rs, 3)):
        per_row = []
        for r in candidates:
            eb = ink.edge_blur(ink.crop(gray, r.box), both=False)
            if eb is not None:
                per_row.append((sharpness_of(eb.sigma, r.height), r.box))
        if len(per_row) >= least:
            return float(np.median([s for s, _ in per_row])), "rows", _union([b for _, b in per_row])
    tiles = ink.content_tiles(gray)
    if len(tiles) >= 4:
        text_px = ink.text_height(rs) or DEFAULT_TEXT_PX
        scores = sorted(sharpness_of(eb.sigma, text_px) for _, eb in tiles)
        return float(np.percentile(scores, 75)), "tiles", None
    return None


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def fact_words(scores: list[tuple[float, Box, str]]) -> tuple[float, Box] | None:
    """Sharpness of the words that carry facts (two or more digits: dates, times, order and tracking numbers,
    amounts), or None when fewer than MIN_FACT_WORDS could be measured. A sharp overlay (a toolbar, a button, an
    arrow drawn on the screenshot) has few digits; the blurred page beneath it has them all."""
    facts = [(x, b) for x, b, t in scores if sum(c.isdigit() for c in t) >= 2]
    if len(facts) < MIN_FACT_WORDS:
        return None
    return float(np.median([x for x, _ in facts])), _union([b for _, b in facts])


def blurred_region(scores: list[tuple[float, Box, str]], need: float) -> tuple[float, Box] | None:
    """The words well under the threshold, when they are a real part of the page (at least MIN_FACT_WORDS and
    REGION_SHARE of the measured words): a blurred page whose dates OCR could not read at all, under a sharp
    overlay whose words outnumber the blurred ones it did read. On a sharp page only a stray word or two (an icon
    read as letters, a tiny grey label) measures that low."""
    low = [(x, b) for x, b, _ in scores if x < need - REGION_MARGIN]
    if len(low) < MIN_FACT_WORDS or len(low) < REGION_SHARE * len(scores):
        return None
    return float(np.median([x for x, _ in low])), _union([b for _, b in low])


def row_sharpness(page: PageInput) -> tuple[float | None, float]:
    """(sharpness of all glyph rows, the median weighted by glyph count, or None; the share of their glyphs OCR
    read). Rows see the text OCR could not read as well as the text it could."""
    gray = page.gray
    assert gray is not None
    rs = ink.page_rows(gray)
    scored = []
    for r in rs:
        eb = ink.edge_blur(ink.crop(gray, r.box), both=False)
        if eb is not None:
            scored.append((sharpness_of(eb.sigma, r.height), len(r.glyphs)))
    read = ink.read_share(rs, ink.readable_words(page.page.words, 60.0))
    if len(scored) < MIN_ROWS:
        return None, read
    a = np.array(scored)
    order = np.argsort(a[:, 0])
    cum = np.cumsum(a[order, 1])
    return float(a[order, 0][np.searchsorted(cum, cum[-1] / 2)]), read


class Blur(BaseValidator):
    name = "blur"
    codes = ("blurry",)

    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]:
        if page.gray is None:
            return []
        s = ctx.settings
        m = measure(page, s.blur_min_words)
        if m is None:
            return []
        score, where, box = m
        need = s.blur_min_sharpness if where != "tiles" else s.blur_min_content_sharpness
        if where == "words":
            scores = word_scores(page)
            for region, name in ((fact_words(scores), "fact words"), (blurred_region(scores, need), "region")):
                if region is not None and region[0] < score:
                    (score, box), where = region, name
            rows, read = row_sharpness(page)
            if score < need and rows is not None and rows >= need + FAINT_ROWS_MARGIN and read < FAINT_MAX_READ:
                return []  # faint print: OCR read little of it, but its glyph rows are sharp
            if (need <= score < need + BORDER_MARGIN and rows is not None and read >= ROWS_MIN_READ
                    and rows < need - ROWS_MARGIN):
                score, where = rows, "text rows"  # borderline words; the text as a whole is blurred
        if score >= need:
            return []
        return [finding("blurry", page=page.page.index, value=round(score), threshold=round(need), box=box)]
