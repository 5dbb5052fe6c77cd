"""One page at a time: an RGB raster for images and scanned PDF pages, or the words of a PDF's text layer with
boxes in page pixels, plus the embedded images and their effective resolution.

`render_page` never raises on bad input: a page that cannot be drawn comes back with a `corrupt-file` finding and
no image. Scanned pages are rasterised at their scan's resolution, shrunk to fit the pixel limit. This module
knows nothing about OCR or validators.
"""

from __future__ import annotations

import io
import logging
import math

from ..config import Settings
from ..model import EmbeddedImage, Page
from .image import render_image, to_rgb
from .pdf_text import image_share, is_text_page, pdf_words, read_layer
from .source import RenderedPage, Source, corrupt, too_many_pixels

log = logging.getLogger(__name__)

PDF_TEXT_DPI = 144  # nominal resolution for PDF pages read from their text layer (no raster is made)
MIN_RASTER_DPI = 72  # a scanned page is never rasterised below this
MIN_BOMB_RASTER_DPI = 18  # a page that would need less than this to fit the pixel limit is refused


def render_page(source: Source, index: int, settings: Settings) -> RenderedPage:
    """One page as pixels (images, scanned PDF pages) or words (PDF text layer). Never raises for bad input:
    a page that cannot be drawn comes back with a `corrupt-file` finding and no image."""
    try:
        if not source.readable:
            raise ValueError("the file is not readable")
        if source.kind == "image":
            return render_image(source, index, settings)
        if source.kind == "pdf":
            return _render_pdf_page(source, index, settings)
        raise ValueError(f"unknown kind {source.kind!r}")
    except Exception as e:
        log.debug("render of %s page %d failed", source.name, index, exc_info=True)
        failed = [corrupt(e, page=index, path=source.path)]
        return RenderedPage(Page(index=index, width=0, height=0), None, False, failed)


def _render_pdf_page(source: Source, index: int, settings: Settings) -> RenderedPage:
    """A PDF page: from its text layer when it has a usable one, else rasterised at its scan's resolution.
    A usable text layer over a page-sized image (an already-OCR'd scan) gives both: the layer's words and the
    raster, so pixel checks (blur, resolution) still see what the reviewer sees."""
    import pypdfium2 as pdfium

    path = source.render_path or source.path
    layer = read_layer(path, index)
    doc = pdfium.PdfDocument(str(path))
    try:
        pg = doc[index]
        if not layer.w_pt or not layer.h_pt:
            layer.w_pt, layer.h_pt = pg.get_size()  # rotated-view size of the crop box
        w_pt, h_pt = layer.w_pt, layer.h_pt
        text = is_text_page(layer.words, layer.garbage, layer.images, w_pt, h_pt)
        if text and image_share(layer.images, w_pt, h_pt) <= 0.5:
            scale = PDF_TEXT_DPI / 72.0
            page = Page(index=index, width=max(1, round(w_pt * scale)), height=max(1, round(h_pt * scale)),
                        dpi=float(PDF_TEXT_DPI), text_source="pdf-text")
            page.words = pdf_words(layer.words, scale, page)
            page.images = _embedded(layer.images, scale)
            return RenderedPage(page, None, False)

        dpi = _raster_dpi(layer.images, settings)
        pixels = (w_pt * dpi / 72.0) * (h_pt * dpi / 72.0)
        if pixels > settings.max_image_pixels:  # a huge page (posters, 200-inch pages): shrink to fit the limit
            dpi = math.floor(72.0 * math.sqrt(settings.max_image_pixels / max(w_pt * h_pt, 1.0)))
            if dpi < MIN_BOMB_RASTER_DPI:
                return RenderedPage(Page(index=index, width=0, height=0), None, False,
                                    [too_many_pixels(int(pixels), settings, page=index)])
        scale = dpi / 72.0
        img = _scan_jpeg(pg, w_pt * scale, h_pt * scale) if layer.plain_jpeg and not text else None
        if img is None:
            bitmap = pg.render(scale=scale, may_draw_forms=True)
            try:
                img = to_rgb(bitmap.to_pil())
            finally:
                bitmap.close()
        img.info["dpi"] = (float(dpi), float(dpi))  # tells tesseract the resolution
        pg.close()
    finally:
        doc.close()
    page = Page(index=index, width=img.width, height=img.height, dpi=float(dpi),
                text_source="pdf-text" if text else "ocr")
    page.images = _embedded(layer.images, scale)
    if text:
        page.words = pdf_words(layer.words, scale, page)
    return RenderedPage(page, img, not text)


def _scan_jpeg(pg, w_px: float, h_px: float):
    """A scanned page that is nothing but one upright JPEG filling it, at the size the page would be drawn: the
    JPEG decoded straight from the file, else None (then the page is drawn). The scanner's own pixels (pdfium draws
    such a page a pixel larger and resamples it) for less memory: drawing a 300-dpi page peaks at ~75 MB inside
    pdfium (its decoded JPEG, scaling buffers, bitmap) plus the RGB copy; this holds the decoded JPEG alone. On 144
    scans of clean screenshots the facts are as good or better and there are fewer false errors
    (`python -m bench.scan_decode`). Written here because no library offers "this page is exactly one image"."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c
    from PIL import Image

    if pg.get_rotation() or pdfium_c.FPDFPage_GetAnnotCount(pg):
        return None
    objects = list(pg.get_objects(max_depth=2))  # an image inside a form XObject counts two: drawn instead
    if len(objects) != 1 or not isinstance(objects[0], pdfium.PdfImage):
        return None
    image = objects[0]
    a, b, c, d, e, f = image.get_matrix().get()
    left, bottom, right, top = pg.get_cropbox()
    if b or c or a <= 0 or d <= 0 or max(abs(e - left), abs(f - bottom), abs(e + a - right), abs(f + d - top)) > 0.5:
        return None
    px_w, px_h = image.get_px_size()
    if abs(px_w - w_px) > 1 or abs(px_h - h_px) > 1:
        return None
    jpeg = Image.open(io.BytesIO(bytes(image.get_data(decode_simple=False))))
    if jpeg.format != "JPEG" or jpeg.mode not in ("RGB", "L") or jpeg.size != (px_w, px_h):
        jpeg.close()
        return None
    jpeg.load()
    return jpeg if jpeg.mode == "RGB" else jpeg.convert("RGB")


def _effective_dpi(box: tuple[float, float, float, float], src_w: int, src_h: int) -> tuple[float, float] | None:
    """(x, y) dpi of an image drawn in `box` (points). An image drawn rotated by 90 degrees has its pixel axes
    swapped relative to the page: pair the axes by orientation."""
    dw, dh = (box[2] - box[0]) / 72.0, (box[3] - box[1]) / 72.0
    if dw <= 0 or dh <= 0 or src_w <= 0 or src_h <= 0:
        return None
    if (src_w > src_h) != (dw > dh) and src_w != src_h and abs(dw - dh) > 1e-6:
        src_w, src_h = src_h, src_w
    return src_w / dw, src_h / dh


def _embedded(images: list, scale: float) -> list[EmbeddedImage]:
    out = []
    for box, sw, sh in images:
        eff = _effective_dpi(box, sw, sh)
        if eff is None:
            continue
        px = tuple(round(v * scale) for v in box)
        out.append(EmbeddedImage(box=px, dpi=round(min(eff), 1), pixel_width=sw, pixel_height=sh))
    return out


def _raster_dpi(images: list, settings: Settings) -> int:
    """Resolution for a scanned page: that of its largest image (the finer axis, so no pixel is lost),
    between MIN_RASTER_DPI and the cap; the default when the page has no image."""
    best = None
    best_area = 0.0
    for box, sw, sh in images:
        eff = _effective_dpi(box, sw, sh)
        area = (box[2] - box[0]) * (box[3] - box[1])
        if eff and area > best_area:
            best, best_area = eff, area
    if best is None:
        return int(settings.raster_dpi_default)
    return int(min(settings.raster_dpi_cap, max(MIN_RASTER_DPI, round(max(best)))))
