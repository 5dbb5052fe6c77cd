"""Where clocks and camera stamps live: a short row cut by the edge counts as a cut date/time when it sits in one
of their places - a phone's status bar, a desktop taskbar or menu bar, a camera's corner stamp on a photo, a chat's
date separator.

Pure geometry and colour statistics on the grey raster; the OCR calls (a menu bar's digits, a camera stamp's date)
go through the caller's `Strip`.
"""

from __future__ import annotations

import cv2
import numpy as np

from evidence_svc.model import Box

from .. import ink
from .reread import CLOCKISH, DATE_CHARS, FULL_DATE, Strip, dated

MAX_BAR_FRACTION = 0.09  # a taskbar / menu bar is at most this share of the image height
SHORT_ROW_FRACTION = 0.16  # a clock row is at most this share of the image width ...
SHORT_ROW_GLYPHS = 14  # ... and has at most this many glyphs
PHONE_ASPECT = 1.6  # height / width of a portrait phone screenshot
STATUS_BAR_FRACTION = 0.05  # a phone's status bar is within this share of the height from the top
PHOTO_BACKGROUND_STD = 6.0  # grey-level spread of a watermark's surroundings on a photo (UI backgrounds are flat)
PHOTO_MAX_FLAT = 0.3  # ... where at most this share of the background pixels is exactly flat
BAR_CLOCK_MARGIN = 0.05  # a taskbar / menu bar clock ends within this share of the width from the right edge
END_FRACTION = 0.3  # a bar's contents reach both ends: within this share of the width from each side


def clock_place(gray: np.ndarray, row: ink.Row, edge: str, strip: Strip) -> str | None:
    """A short row where clocks and camera stamps live:
    - a phone's status bar: a portrait screenshot's top corner, with the bar's other contents (icons) at the other
      end and nothing in the middle - a cut line of page text runs on through the middle;
    - a taskbar: a full-width bar of its own colour along the bottom holding icons in its left or middle part (a
      page's right-aligned totals block at the bottom has nothing there), the clock at the screen's right end;
    - a menu bar: the same along the top, with the re-read strip showing digits around a ':' or '.' (a site's
      header bar with a "Log In" at its right end looks the same otherwise);
    - a camera's date stamp in the bottom-right corner of a photo, unless the strip re-reads as something else (a
      receipt photographed on a table has its totals there: "0.00" is money, not a stamp; an orange stamp on a
      brown box often reads as nothing at all in grey, and then the place decides);
    - a chat's date separator: a short row centred in a pill of its own colour.
    `strip` re-reads the strip by OCR (only when needed)."""
    h, w = gray.shape
    x0, y0, x1, y1 = whole_line(gray, row, edge)
    if x1 - x0 > SHORT_ROW_FRACTION * w or len(row.glyphs) > SHORT_ROW_GLYPHS:
        return None
    left, right = x1 <= 0.3 * w, x0 >= 0.7 * w
    phone = h >= PHONE_ASPECT * w
    if edge == "top" and (left or right) and phone and y1 <= STATUS_BAR_FRACTION * h and _bar_contents(gray, y1):
        return "status bar"
    if edge in ("left", "right") and phone and y1 <= STATUS_BAR_FRACTION * h:
        return "status bar"  # the status-bar time cut at the side
    if x1 >= w - BAR_CLOCK_MARGIN * w and edge in ("top", "bottom", "right"):
        bar_edge = edge if edge != "right" else ("bottom" if y0 >= 0.5 * h else "top")
        depth = _in_bar(gray, row.box, bar_edge)
        if bar_edge == "bottom" and w > h and depth and _bar_items(gray, depth):  # taskbars are on desktops
            return "taskbar"
        if bar_edge == "top" and depth and _bar_contents(gray, y1):
            if CLOCKISH.search(strip.read()):
                return "menu bar"
    if edge in ("bottom", "right") and x1 >= 0.6 * w and y0 >= 0.6 * h and _on_photo(gray, row.box):
        text = strip.read()
        if dated(text) or not any(c.isalnum() for c in text) or FULL_DATE.search(strip.read(DATE_CHARS)):
            return "photo"
    if edge in ("top", "bottom") and _date_pill(gray, row):
        return "date separator"
    return None


def _date_pill(gray: np.ndarray, row: ink.Row) -> bool:
    """A short row centred on the image in a pill of its own colour: a chat's date separator ("13.11.2026",
    "Today"). Plain centred text (a heading, a button) has the page's background beside its letters."""
    h, w = gray.shape
    x0, y0, x1, y1 = row.box
    rw = x1 - x0
    if abs((x0 + x1) / 2 - w / 2) > 0.04 * w or rw > 0.25 * w:
        return False
    ys = slice(y0, max(y1, y0 + 1))
    gap = max(rw // 2, 12)  # past the pill's padding
    left, right = gray[ys, max(x0 - gap - 8, 0) : max(x0 - gap, 0)], gray[ys, x1 + gap : x1 + gap + 8]
    near_l, near_r = gray[ys, max(x0 - 4, 0) : x0], gray[ys, x1 : x1 + 4]  # the pill's padding
    if min(left.size, right.size, near_l.size, near_r.size) == 0:
        return False
    bg_l, bg_r = float(np.median(left)), float(np.median(right))
    pad_l, pad_r = float(np.median(near_l)), float(np.median(near_r))
    return abs(bg_l - bg_r) <= 4 and abs(pad_l - pad_r) <= 4 and abs((pad_l + pad_r) / 2 - (bg_l + bg_r) / 2) >= 6


def whole_line(gray: np.ndarray, row: ink.Row, edge: str, text_px: float = 0.0) -> Box:
    """The row's box widened along the edge over ink that touches the same edge a word gap away: "2:4" and
    "1 PM" of a cut clock whose pieces the row finder keeps apart. A word gap is judged on the row's height, or on
    `text_px` (the page's text height) when larger: a row cut lengthwise is lower than its words are wide apart."""
    h, w = gray.shape
    x0, y0, x1, y1 = row.box
    if edge not in ("top", "bottom"):
        return row.box
    band = gray[y0:y1] if y1 > y0 else gray[y0 : y0 + 1]
    mask = np.zeros(band.shape, dtype=bool)
    for m in ink.ink_masks(band):
        mask |= m.astype(bool)
    cols = (mask[:2] if edge == "top" else mask[-2:]).any(axis=0)
    gap = int(1.5 * max(row.height, text_px)) + 2
    while True:
        nxt = np.nonzero(cols[x1 : x1 + gap])[0]
        if not len(nxt):
            break
        x1 = x1 + int(nxt[-1]) + 1
    while x0 > 0:
        prv = np.nonzero(cols[max(x0 - gap, 0) : x0])[0]
        if not len(prv):
            break
        x0 = max(x0 - gap, 0) + int(prv[0])
    return (x0, y0, x1, y1)


def _bar_contents(gray: np.ndarray, depth: int) -> bool:
    """Along the top edge, ink reaches the edge within the outer END_FRACTION of the width at both ends (a clock at
    one end, icons or menus at the other) and not in the middle third (a status bar's empty middle)."""
    h, w = gray.shape
    band = gray[: max(depth, 3)]
    mask = np.zeros(band.shape, dtype=bool)
    for m in ink.ink_masks(band):
        mask |= m.astype(bool)
    cols = mask[:2].any(axis=0)
    k = int(END_FRACTION * w)
    return bool(cols[:k].any() and cols[w - k :].any() and not cols[w // 3 : 2 * w // 3].any())


def _bar_items(gray: np.ndarray, depth: int) -> bool:
    """The bottom bar holds things away from the clock: a taskbar's start button and app icons in its left or
    middle part. A page's totals block at the bottom right has nothing there."""
    h, w = gray.shape
    band = gray[h - depth :, : int(0.6 * w)].astype(np.int16)
    ref = int(np.median(band))
    cols = (np.abs(band - ref) > 30).any(axis=0)
    return float(cols.mean()) >= 0.01


def _in_bar(gray: np.ndarray, box: Box, edge: str) -> int:
    """Depth in pixels of the bar along `edge` that holds the row, or 0: a band of one background colour across the
    whole width that ends inward at a change of colour within MAX_BAR_FRACTION of the height (a taskbar, a menu
    bar), not a page that goes on."""
    h, w = gray.shape
    limit = int(MAX_BAR_FRACTION * h)
    band = gray[: limit + 3] if edge == "top" else gray[::-1][: limit + 3]
    med = np.median(band, axis=1)
    ref = float(med[0])
    depth = 0
    while depth < len(med) and abs(float(med[depth]) - ref) <= 8:
        depth += 1
    if depth >= limit or depth + 2 >= len(med):
        return 0  # no boundary: the page's own background runs on
    if depth < (box[3] if edge == "top" else h - box[1]):
        return 0  # the row reaches past the band: not inside a bar
    if max(abs(float(v) - ref) for v in med[depth : depth + 3]) < 10:
        return 0  # a change of colour or a separator line where the bar ends
    uniform = np.abs(band[:depth].astype(np.int16) - int(ref)) <= 10
    return depth if float(uniform.mean()) >= 0.7 else 0


def _on_photo(gray: np.ndarray, box: Box) -> bool:
    """The row's surroundings vary like a photo's (texture, noise, light falloff), not like a UI: on a screenshot
    most background pixels are exactly as light as their neighbours (flat fills), on a photo almost none are."""
    h, w = gray.shape
    x0, y0, x1, y1 = box
    m = max(y1 - y0, 8)
    region = gray[max(y0 - m, 0) : min(y1 + m, h), max(x0 - m, 0) : min(x1 + m, w)]
    if region.size == 0:
        return False
    dark, light = ink.ink_masks(region)
    mask = cv2.dilate((dark | light).astype(np.uint8), np.ones((5, 5), np.uint8))
    flat = cv2.Laplacian(region, cv2.CV_16S, ksize=1) == 0
    bg = mask == 0
    if int(bg.sum()) < 50:
        return False
    return float(region[bg].std()) >= PHOTO_BACKGROUND_STD and float(flat[bg].mean()) < PHOTO_MAX_FLAT
