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

Sharpness is reported on a 0..100 scale, 100 - 400 * (excess blur sigma / text height): crisp text scores 100,
sigma 1 on 16-pixel text about 77, sigma 2.5 on 35-pixel words about 72, sigma 2.5 on 14-pixel text about 30;
compared with
`settings.blur_min_sharpness` (`settings.blur_min_content_sharpness` when only tiles could be measured).
"""

from __future__ import annotations

import numpy as np

from evidence_svc.model import Box, Finding
from evidence_svc.messages import finding

from . import ink
from .base import BaseValidator, CheckContext, PageInput

WORD_MIN_CONF = 30.0
DEFAULT_TEXT_PX = 12.0  # text height assumed when none can be measured (no words, no glyph rows)
SCORE_SLOPE = 400.0


def excess_sigma(sigma: float) -> float:
    return float(np.sqrt(max(sigma * sigma - ink.CRISP_SIGMA**2, 0.0)))


def sharpness_of(sigma: float, text_px: float) -> float:
    rel = excess_sigma(sigma) / max(text_px, 1.0)
    return float(np.clip(100.0 - SCORE_SLOPE * rel, 0.0, 100.0))


def measure(page: PageInput, min_words: int) -> tuple[float, str, Box | None] | None:
    """(sharpness 0..100, what was measured: words | rows | tiles, box of the measured text) or None when the
    page has nothing to measure (blank)."""
    gray = page.gray
    assert gray is not None
    words = ink.readable_words(page.page.words, WORD_MIN_CONF)
    per_word = []
    for w in words:
        eb = ink.edge_blur(ink.crop(gray, w.box), both=False)
        if eb is not None:
            per_word.append((sharpness_of(eb.sigma, w.box[3] - w.box[1]), w.box))
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
        if score >= need:
            return []
        return [finding("blurry", page=page.page.index, value=round(score), threshold=round(need), box=box)]
