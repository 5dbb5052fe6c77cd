"""Clocks where they live: a phone's status bar, a desktop's taskbar or menu bar, a camera's date stamp.

The page pass reads body text well and these badly: white-on-dark digits a few pixels tall in a bar, or orange
digits printed on a photo. Each place is cut out, made dark-on-white (inverted when the bar is dark; for a camera
stamp, the orange/yellow pixels themselves become the ink), upscaled, thresholded and read as one line with only
digits and clock/date separators allowed. What reads as a clock ("3:00", "12:23 PM") or a numeric date
("2021.07.24") is added to the page's words, boxed where it was read; anything else is dropped. A place whose
clock the page pass already read is not read again. This module reads pixels; deciding what is a timestamp is
`facts.dates`' business.
"""

from __future__ import annotations

import re

import numpy as np
from PIL import Image, ImageOps

from ..model import Box, Word

PHONE_ASPECT = 1.6  # height / width of a portrait phone screenshot
STATUS_BAR = 0.045  # a status bar is this share of a phone screenshot's height
TASKBAR = 0.07  # a taskbar is at most this share of a desktop screenshot's height ...
TASKBAR_CLOCK = 0.22  # ... with the clock in this share of the width at the right
MENU_BAR = 0.04  # a menu bar (top) ...
MENU_CLOCK = 0.35  # ... with its clock in this share of the width at the right
STAMP_ZONE = 0.4  # a camera stamp lies within this share of the width and height from the bottom-right corner
STAMP_MIN_PIXELS = 30  # orange/yellow pixels needed to try reading a stamp
CLOCKS_VERSION = 2  # part of the OCR cache key: bump when the places or the reading change
TEXT_PX = 40  # a place is scaled so its digits are about this tall
CLOCK_CONF = 80.0  # confidence given to a word read here (the allow list makes the read reliable or empty)
ALLOW = "0123456789:./-APM "
CLOCK = re.compile(r"(?<!\d)(?:[01]?\d|2[0-3])[:.][0-5]\d(?:\s?[AP]M)?(?![\d:])")
NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d{2})(?!\d)"
)


def places(width: int, height: int) -> list[tuple[str, Box]]:
    """Where clocks live on an image of this size."""
    w, h = width, height
    if h >= PHONE_ASPECT * w:
        bar = max(int(STATUS_BAR * h), 8)
        return [("status bar", (0, 0, w // 3, bar)), ("status bar", (2 * w // 3, 0, w, bar))]
    if w > h:
        tb, mb = max(int(TASKBAR * h), 8), max(int(MENU_BAR * h), 8)
        return [("taskbar", (int((1 - TASKBAR_CLOCK) * w), h - tb, w, h)),
                ("menu bar", (int((1 - MENU_CLOCK) * w), 0, w, mb))]
    return []


def _already_read(words: list[Word], box: Box) -> bool:
    for wd in words:
        x0, y0, x1, y1 = wd.box
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        inside = box[0] <= cx <= box[2] and box[1] <= cy <= box[3]
        if inside and (CLOCK.search(wd.text) or NUMERIC_DATE.search(wd.text)):
            return True
    return False


def _prepare(gray: Image.Image) -> Image.Image | None:
    """Dark digits on white, about TEXT_PX tall, thresholded, with a margin."""
    g = ImageOps.autocontrast(gray, cutoff=1)
    a = np.asarray(g)
    if a.size == 0 or int(a.max()) - int(a.min()) < 40:
        return None  # a flat band: nothing printed there
    if float(np.median(a)) < 128:
        g = ImageOps.invert(g)
        a = 255 - a
    ink_rows = np.nonzero((a < 128).any(axis=1))[0]
    text_px = (ink_rows[-1] - ink_rows[0] + 1) if len(ink_rows) else g.height
    scale = float(np.clip(TEXT_PX / max(text_px, 1), 1.0, 6.0))
    if scale > 1.0:
        g = g.resize((round(g.width * scale), round(g.height * scale)), Image.Resampling.LANCZOS)
    g = g.point(lambda v: 255 if v > 150 else 0)
    return ImageOps.expand(g, border=TEXT_PX // 2, fill=255)


def _stamp_mask(rgb: Image.Image) -> tuple[Image.Image, Box] | None:
    """The orange/yellow pixels of a camera date stamp as black ink on white, cropped to them, or None."""
    a = np.asarray(rgb.convert("RGB"))
    r, g, b = a[..., 0], a[..., 1], a[..., 2]
    # r - b >= 100 in uint8 (no int16 copy of a 300-dpi corner): where b <= 120 holds, min(b, 155) + 100 is b + 100
    mask = (r >= 180) & (g >= 90) & (g <= 235) & (b <= 120) & (r >= np.minimum(b, 155) + 100)
    if int(mask.sum()) < STAMP_MIN_PIXELS:
        return None
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    if (y1 - y0) > 0.5 * a.shape[0]:
        return None  # an orange object, not a line of digits
    ink = np.where(mask[y0:y1, x0:x1], 0, 255).astype(np.uint8)
    return Image.fromarray(ink), (int(x0), int(y0), int(x1), int(y1))


def _stamp_zone(w: int, h: int) -> Box:
    return int((1 - STAMP_ZONE) * w), int((1 - STAMP_ZONE) * h), w, h


def find_stamp(image: Image.Image) -> tuple[Image.Image, Box] | None:
    """A camera date stamp's ink (orange/yellow pixels in the bottom-right corner) and its box on `image`, or None
    (also for a grey image: the colour is gone)."""
    w, h = image.size
    if image.mode not in ("RGB", "RGBA", "P") or min(w, h) < 200:
        return None
    zx, zy, _, _ = zone = _stamp_zone(w, h)
    found = _stamp_mask(image.crop(zone).convert("RGB"))  # the corner only: no copy of the page
    if found is None:
        return None
    ink, (x0, y0, x1, y1) = found
    return ink, (zx + x0, zy + y0, zx + x1, zy + y1)


def read_clocks(image: Image.Image, words: list[Word], read_line, line_id: int,
                stamp: tuple[Image.Image, Box] | None = None) -> list[Word]:
    """Words for the clocks and camera stamps found at their places and not in `words` already. `read_line(image,
    allow)` reads one line; `line_id` is the first free line id. `stamp`: `find_stamp` of the colour page when
    `image` is its grey copy (the colour raster was dropped to save memory)."""
    out: list[Word] = []
    w, h = image.size
    gray = image.convert("L")
    todo: list[tuple[Box, Image.Image | None]] = []
    for _, box in places(w, h):
        if not _already_read(words, box):
            todo.append((box, _prepare(gray.crop(box))))
    if not _already_read(words, _stamp_zone(w, h)):
        found = stamp if stamp is not None else find_stamp(image)
        if found is not None:
            todo.append((found[1], _prepare(found[0])))
    for box, prepared in todo:
        if prepared is None:
            continue
        text = " ".join(read_line(prepared, ALLOW).split())
        # the date first: a stamp's "2026.11.03" also holds a clock-shaped "11.03"
        day = NUMERIC_DATE.search(text)
        clock = CLOCK.search(text, day.end() if day else 0)
        line = line_id + len({w.line for w in out})
        out += [Word(text=m.group(0), box=box, conf=CLOCK_CONF, line=line) for m in (day, clock) if m]
    return out
