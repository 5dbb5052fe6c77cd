"""Re-reading the strip along an edge that holds a cut row, and the text shapes that make it a date or time.

Half-cut glyphs rarely OCR in the page pass, so the strip is read again on its own (contrast stretched, dark on
white, upscaled, single line) through the reader the pipeline hands over in `CheckContext.read_line` (validators
never call the OCR stage themselves). Without a reader nothing is re-read and the callers judge on geometry alone.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageOps

from evidence_svc.config import Settings
from evidence_svc.model import Box
from evidence_svc.text import normalize_text

from ..base import LineReader

# Pieces of a time or date left when the edge cuts through it ("12:3", "2026/1", "11月"), in an OCR word or a
# re-read cut strip: digits in the shape of a time or date, or of a piece of one. Separators are required (a bare
# digit run is a phone number, an amount, an ID), hours and minutes must exist ("24:79" is half-cut letters read
# as digits), and a slash or dot date needs its second separator or a year ("4/1" is too little).
CUT_SHAPE = re.compile(
    r"(?<!\d)(?:[01]?\d|2[0-3])\s?[:：]\s?[0-5]\d?(?!\d)"  # 14:32, 9:4 (hours and minutes that exist)
    r"|(?<!\d)\d{1,2}\s?/\s?\d{1,2}\s?/"  # 11/22/, 11/22/20
    r"|(?<!\d)(?:19|20)\d{2}\s?[-./年]\s?\d{1,2}"  # 2026/11, 2026-1, 2026年1
    r"|(?<!\d)(?:0?[1-9]|[12]\d|3[01])\.(?:0?[1-9]|1[0-2])\.\d{0,4}"  # 23.11.2026, 20.11. (a day and month that exist)
    r"|(?<!\d)(?:\d{1,2}|(?:19|20)\d{2})\s?[年月日時时]"  # 2026年, 11月, 18日
)
# An amount of money, not a date: "0.00", "1,234.50", "12,99 €", "RM 7.50" (two decimals after one separator and
# nothing date-like around them). Money at an image edge is not a cut timestamp.
MONEY = re.compile(r"^[^\d]{0,4}\d{1,3}(?:[ ,.']\d{3})*[.,]\d{2}[^\d]{0,4}$")
CLOCKISH = re.compile(r"\d\s?[:.]\s?\d")  # what OCR makes of a clock's lower half ("12:03" read as "12.9")
DATE_CHARS = "0123456789:/.-"
FULL_DATE = re.compile(r"(?<!\d)(?:\d{1,2}([./-])\d{1,2}\1\d{2,4}|(?:19|20)\d{2}([./-])\d{1,2}\2\d{1,2})")


def dated(text: str) -> str | None:
    """The date/time (or piece of one) in `text`, or None: money and plain text are not dates."""
    t = normalize_text(text).strip()
    if not t or MONEY.match(t):
        return None
    m = CUT_SHAPE.search(t)
    return m.group(0) if m else None


# A numeric date cut lengthwise keeps the tops of its digits and slashes: tesseract still reads "12/03/18" cut in
# half as "19/N2IA4I1E", and, allowed only digits and separators, as "19/2412". Both reads must agree on "digits,
# a slash, more": a slash is rare in cut text otherwise, and phone numbers and amounts use '-', '.' and ','.
HALF_DATE_FREE = re.compile(r"(?<![\w/])\d{1,2}\s?/\s?[0-9A-Z]")
HALF_DATE_DIGITS = re.compile(r"(?<![\d/])\d{1,2}/\d{2,}")


def half_date(strip: "Strip") -> str | None:
    """A numeric date cut lengthwise (see HALF_DATE_FREE), from the strip's two re-reads."""
    free = strip.read()
    if not HALF_DATE_FREE.search(free):
        return None
    m = HALF_DATE_DIGITS.search(strip.read(DATE_CHARS))
    return m.group(0) if m else None


MAX_REREADS = 6  # strips re-read per page at most (each ~20 ms)
STRIP_TEXT_PX = 36.0  # a re-read strip is scaled so the page's text is about this tall


class Strip:
    """The strip along an edge holding one cut row, re-read by OCR on demand, each way at most once."""

    def __init__(self, gray: np.ndarray, box: Box, edge: str, text_px: float, langs: str, settings: Settings,
                 reader: LineReader | None, enabled: bool = True) -> None:
        self._args = (gray, box, edge, text_px, langs, settings, reader)
        self._reads: dict[str, str] = {}
        self._enabled = enabled and reader is not None

    @property
    def used(self) -> bool:
        return bool(self._reads)

    def read(self, allow: str = "") -> str:
        if not self._enabled:
            return ""
        if allow not in self._reads:
            self._reads[allow] = reread(*self._args, allow=allow)
        return self._reads[allow]


def strip_image(gray: np.ndarray, box: Box, edge: str, text_px: float) -> Image.Image | None:
    """The strip along `edge` holding the cut row, ready for single-line OCR: contrast stretched, dark text on
    white, scaled so the page's text is ~STRIP_TEXT_PX tall, with a margin (tesseract wants space around a line)."""
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
        return None
    return line_image(strip, text_px)


def line_image(strip: np.ndarray, text_px: float) -> Image.Image:
    """A grey strip of one text line as single-line OCR wants it (see `strip_image`)."""
    im = ImageOps.autocontrast(Image.fromarray(strip), cutoff=1)
    a = np.asarray(im)
    if float(np.median(a)) < 128:  # the background is the majority: make it white
        im = ImageOps.invert(im)
    scale = float(np.clip(STRIP_TEXT_PX / max(text_px, 1.0), 1.0, 4.0))
    if scale > 1.0:
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.Resampling.LANCZOS)
    return ImageOps.expand(im, border=int(STRIP_TEXT_PX * 0.6), fill=255)


def reread(gray: np.ndarray, box: Box, edge: str, text_px: float, langs: str, settings: Settings,
           reader: LineReader | None, allow: str = "") -> str:
    """OCR of the strip along `edge` holding the cut row, on its own ("" without a reader)."""
    im = strip_image(gray, box, edge, text_px)
    if im is None or reader is None:
        return ""
    return normalize_text(reader(im, langs, settings, allow))
