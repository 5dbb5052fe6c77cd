"""`low-resolution`: too few pixels for the text to be read.

Three cases, one finding per page at most:
- a PDF page whose embedded image (covering at least `settings.min_pdf_image_area_fraction` of the page) is shown
  below `settings.min_pdf_image_dpi` - the "PDF scaled until distorted" case, judged from the effective dpi;
- text too small in pixels (a zoomed-out page, a screenshot shrunk before sending). The text height is the cap
  height of the glyph-like ink rows (`validators.ink`), which sees all the text; the heights of the words OCR
  read are biased towards the headings it could still read, and tesseract's boxes for tiny text are loose.
  Text under `settings.min_glyph_height_px` is too small outright (tesseract, which reads upscaled small text,
  may still guess at it; a person cannot); text under `settings.min_text_height_px` counts when OCR could not
  read most of it either (`ink.read_share`). Ideographs carry more strokes in a glyph that the measurement sees
  as taller (about the em, against a Latin capital's 0.72 em), so on Japanese and Chinese marketplaces text
  under `settings.min_cjk_text_height_px` that OCR mostly could not read counts too. Browser zoom shrinks the
  page but not the browser's chrome or the taskbar, so the height is also measured on the content area alone
  (`content_band`);
- an image smaller than `settings.min_image_pixels` in which nothing readable was found.
Image dimensions alone are not the test: a small, sharp crop of one line is perfectly readable. Blurred small
text is left to the blur check (one cause, one finding).
"""

from __future__ import annotations

import numpy as np

from evidence_svc.messages import finding
from evidence_svc.model import Finding

from . import ink
from .base import BaseValidator, CheckContext, PageInput

MIN_READ_SHARE = 0.7  # OCR read this share of small text: it is readable after all
MIN_WORDS = 5  # confident words needed to use their height when no glyph rows were found
MIN_ROWS = 3  # text rows needed before the text height means anything
SHARP_ROWS_SIGMA = 1.2  # rows blurrier than this are the blur check's case
CHROME_TOP = 0.2  # a browser's tabs and address bar (or a phone's status and title bars) lie within this share ...
CHROME_BOTTOM = 0.1  # ... and a taskbar within this share of the height from the bottom
BAND_STEP = 12  # grey levels the background changes by from one pixel row to the next where a bar ends
MIN_CONTENT_FRACTION = 0.5  # the content area must be at least this share of the height to be measured alone


def _pdf_image(page: PageInput, ctx: CheckContext) -> Finding | None:
    s = ctx.settings
    area = max(page.page.width * page.page.height, 1)
    low = [
        img for img in page.page.images
        if img.dpi < s.min_pdf_image_dpi
        and (img.box[2] - img.box[0]) * (img.box[3] - img.box[1]) >= s.min_pdf_image_area_fraction * area
    ]
    if not low:
        return None
    worst = min(low, key=lambda img: img.dpi)
    dpi, need, n = round(worst.dpi), round(s.min_pdf_image_dpi), page.page.index + 1
    return finding(
        "low-resolution", page=page.page.index, value=dpi, threshold=need, box=worst.box,
        detail=f"the image on page {n} is {dpi} dpi (needs {need})",
        detail_zh=f"第 {n} 页的图片只有 {dpi} dpi（至少需要 {need} dpi）",
    )


def _cjk(ctx: CheckContext) -> bool:
    """The claim's marketplace reads Japanese or Chinese pages."""
    langs = ctx.settings.ocr_langs_for(ctx.claim.marketplace).split("+")
    return any(lang.startswith(("jpn", "chi")) for lang in langs)


def content_band(gray: np.ndarray) -> tuple[int, int]:
    """(top, bottom) pixel rows of the content area: below the bars along the top (a browser's tabs and address
    bar, a phone's status bar) and above a bar along the bottom (a taskbar), found as full-width changes of the
    background colour within CHROME_TOP / CHROME_BOTTOM of the height. (0, height) when there are none."""
    h = gray.shape[0]
    med = np.median(gray, axis=1).astype(np.int16)  # the background of each pixel row
    steps = np.nonzero(np.abs(np.diff(med)) > BAND_STEP)[0] + 1
    top = max((int(i) for i in steps if i <= CHROME_TOP * h), default=0)
    bottom = min((int(i) for i in steps if i >= (1 - CHROME_BOTTOM) * h), default=h)
    return top, bottom


def text_size(page: PageInput) -> tuple[float | None, float]:
    """(typical text cap height in pixels, share of the text OCR read confidently).

    Browser zoom shrinks the page but not the browser's tabs and address bar or the taskbar, whose letters can
    outnumber the page's when the page's letters merge into word blobs: the height is measured on the content area
    too, and the smaller of the two counts when the content area is most of the image and holds enough rows."""
    assert page.gray is not None
    rs = ink.page_rows(page.gray)
    words = ink.readable_words(page.page.words, 60.0)
    height = ink.text_height(rs)
    used = rs
    top, bottom = content_band(page.gray)
    if bottom - top >= MIN_CONTENT_FRACTION * page.gray.shape[0] and (top, bottom) != (0, page.gray.shape[0]):
        inner = [r for r in rs if r.box[1] >= top and r.box[3] <= bottom]
        inner_height = ink.text_height(inner) if len(inner) >= MIN_ROWS else None
        if inner_height is not None and height is not None and inner_height < height:
            height, used = inner_height, inner
    if height is None and len(words) >= MIN_WORDS:
        height = float(np.median([w.box[3] - w.box[1] for w in words]))
    return height, ink.read_share(used, words)


class Resolution(BaseValidator):
    name = "resolution"
    codes = ("low-resolution",)

    def check_page(self, page: PageInput, ctx: CheckContext) -> list[Finding]:
        pdf = _pdf_image(page, ctx)
        if pdf is not None:
            return [pdf]
        if page.gray is None:
            return []  # a text-PDF page: vector text has no resolution
        s = ctx.settings
        rs = ink.page_rows(page.gray)
        height, read = text_size(page)
        if height is not None and len(rs) >= MIN_ROWS and self._sharp_rows(page):
            need = max(s.min_glyph_height_px, s.min_text_height_px)
            if height < s.min_glyph_height_px or (height < s.min_text_height_px and read < MIN_READ_SHARE):
                return [self._small_text(page, height, need)]
            if _cjk(ctx) and height < s.min_cjk_text_height_px and read < MIN_READ_SHARE:
                return [self._small_text(page, height, s.min_cjk_text_height_px)]
        h, w = page.gray.shape
        pixels = h * w
        words = ink.readable_words(page.page.words, 60.0)
        if page.source == "image" and pixels < s.min_image_pixels and len(words) < MIN_WORDS and read < MIN_READ_SHARE:
            # Small and nothing read: flag it when it holds text OCR could not read, or when it is so small
            # (under a quarter of the limit) that even unread content cannot be shown legibly. A small picture
            # without text (an icon, a drawing) is left alone.
            unread_text = len(rs) >= 2 and read < MIN_READ_SHARE
            tiny = pixels < s.min_image_pixels / 4 and float(page.gray.std()) > 8.0
            if unread_text or tiny:
                return [finding(
                    "low-resolution", page=page.page.index, value=pixels, threshold=s.min_image_pixels,
                    detail=f"the image is only {w}×{h} pixels, too small to show readable text",
                    detail_zh=f"图片只有 {w}×{h} 像素，太小，无法显示可辨认的文字",
                )]
        return []

    @staticmethod
    def _sharp_rows(page: PageInput) -> bool:
        """Small glyphs that are also blurred are the blur check's case; so are 'rows' found in a blurred mess."""
        assert page.gray is not None
        rs = ink.page_rows(page.gray)
        blurs = [eb.sigma for r in rs if (eb := ink.edge_blur(ink.crop(page.gray, r.box)))]
        return len(blurs) >= MIN_ROWS and float(np.median(blurs)) < SHARP_ROWS_SIGMA

    @staticmethod
    def _small_text(page: PageInput, height: float, need: float) -> Finding:
        v, t = round(height, 1), round(need, 1)
        return finding(
            "low-resolution", page=page.page.index, value=v, threshold=t,
            detail=f"the text is too small to read ({v:g} px tall, needs {t:g}); was the page zoomed out or shrunk?",
            detail_zh=f"文字太小，无法辨认（字高 {v:g} 像素，至少需要 {t:g} 像素）；页面是否被缩小了？",
        )
