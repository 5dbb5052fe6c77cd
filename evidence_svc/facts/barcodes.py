"""Barcodes on a page image (shipping labels, photos of parcels): a second source of tracking numbers.

`read_barcodes(image, page_index)` decodes 1D and 2D symbols with zxing-cpp; it runs in the worker next to OCR,
where the pixels are. Retail symbologies (EAN/UPC) are not asked for: they are product codes, and a 12-digit UPC
could pass a FedEx check digit. `tracking_from_barcodes(hits)` turns decoded texts into tracking facts: the whole
text if it is a number of a known format (USPS GS1-128 routing prefix included), else each alphanumeric field
(MaxiCode and QR payloads carry the number among other fields).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageStat

from ..model import Box, TrackingFact
from .tracking import from_barcode

_F = zxingcpp.BarcodeFormat
FORMATS = [_F.Code128, _F.Code39, _F.Code93, _F.ITF, _F.Codabar, _F.DataMatrix, _F.QRCode, _F.PDF417, _F.MaxiCode,
           _F.Aztec]
MAX_SIDE = 4000  # pixels: larger images are scaled down first (decoding time grows with area)
DARK_MEAN = 110  # mean grey level (0..255) below which an image counts as dark (dark mode, night photo)


@dataclass(frozen=True)
class BarcodeHit:
    text: str
    format: str
    box: Box
    page: int = 0


def read_barcodes(image: Image.Image, page_index: int) -> list[BarcodeHit]:
    """Every barcode zxing-cpp can decode on the image, with its box in the image's pixels."""
    scale = 1.0
    img = image
    if max(image.size) > MAX_SIDE:
        scale = MAX_SIDE / max(image.size)
        img = image.resize((round(image.width * scale), round(image.height * scale)))
    gray = img.convert("L")
    # Inverted (light-on-dark) symbols are only looked for on dark images: it costs a fifth of the decoding time.
    dark = ImageStat.Stat(gray.resize((64, 64))).mean[0] < DARK_MEAN
    try:
        found = zxingcpp.read_barcodes(gray, formats=FORMATS, try_invert=dark)
    except Exception:  # a decoder failure must not fail the page: barcodes are an extra source
        return []
    hits: list[BarcodeHit] = []
    for b in found:
        p = b.position
        xs = [p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x]
        ys = [p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y]
        box = (int(min(xs) / scale), int(min(ys) / scale), int(max(xs) / scale) + 1, int(max(ys) / scale) + 1)
        hits.append(BarcodeHit(text=b.text, format=str(b.format).rsplit(".", 1)[-1], box=box, page=page_index))
    return hits


def tracking_from_barcodes(hits: list[BarcodeHit]) -> list[TrackingFact]:
    out: list[TrackingFact] = []
    seen: set[str] = set()
    for h in hits:
        fact = from_barcode(h.text, h.page, h.box)
        if fact is None:
            for field in re.findall(r"[A-Za-z0-9]{10,}", h.text):
                fact = from_barcode(field, h.page, h.box)
                if fact is not None:
                    break
        if fact is not None and fact.number not in seen:
            seen.add(fact.number)
            out.append(fact)
    return out
