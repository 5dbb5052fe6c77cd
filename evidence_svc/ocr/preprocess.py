"""What the page image tells OCR before it runs: its stated resolution and whether small UI text needs doubling.

Pure functions of the pixels (OpenCV, numpy); nothing here calls tesseract or touches the cache.
"""

from __future__ import annotations

from PIL import Image

from ..config import Settings


def dpi_of(image: Image.Image) -> int | None:
    try:
        dpi = float(image.info.get("dpi", (0, 0))[0])
    except (TypeError, ValueError, IndexError):
        return None
    return int(round(dpi)) if dpi > 1 else None


def upscale_factor(image: Image.Image, settings: Settings) -> int:
    """2 for small UI text (median glyph height under `ocr_upscale_below_glyph_px`), else 1. Measured in
    bench/bench_ocr_engine.py: doubling lifts word recall on 11-13 px screenshot text and lowers it on large or
    noisy text, so the decision follows the text size, not the image size. Boxes are scaled back."""
    limit = settings.ocr_upscale_below_glyph_px
    if not limit or image.width * image.height * 4 > settings.max_image_pixels or image.width * 2 > 8000:
        return 1
    h = glyph_height(image)
    return 2 if h is not None and h < limit else 1


def glyph_height(image: Image.Image) -> float | None:
    """Median height in pixels of letter-like connected components (Otsu ink, either polarity), or None when
    the image has too few to tell. About 20 ms for a full-HD screenshot."""
    import cv2
    import numpy as np

    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 127:  # dark mode: the text is the light minority
        ink = 255 - ink
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 4) & (h <= 200) & (w <= 3 * h)  # drop specks, rules and boxes
    return float(np.median(h[keep])) if int(keep.sum()) >= 10 else None
