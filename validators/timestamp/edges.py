"""Where text meets the image edge: which edges a box touches, and whether its ink (not just OCR's loose box)
reaches the outermost pixels.

Pure geometry on the grey raster; deciding whether the cut text is a date or time is left to the callers.
"""

from __future__ import annotations

import cv2
import numpy as np

from evidence_svc.model import Box, Word

from .. import ink

WHOLE_ASPECT = 1.3  # height / width of the (wide) glyphs touching an edge at or above which they are whole
INK_TOUCH_PX = 1  # a glyph this close to the edge touches it (cut glyphs end exactly at the edge)


def edges_touched(box: Box, width: int, height: int, px: int) -> list[str]:
    x0, y0, x1, y1 = box
    out = []
    if y1 >= height - px:
        out.append("bottom")
    if y0 <= px:
        out.append("top")
    if x1 >= width - px:
        out.append("right")
    if x0 <= px:
        out.append("left")
    return out


def ink_at_edge(gray: np.ndarray, box: Box, edge: str) -> bool:
    """True when text ink inside `box` reaches the image edge (the outermost INK_TOUCH_PX + 1 pixels)."""
    h, w = gray.shape
    pad = 8
    x0, y0, x1, y1 = max(box[0] - pad, 0), max(box[1] - pad, 0), min(box[2] + pad, w), min(box[3] + pad, h)
    region = gray[y0:y1, x0:x1]
    if region.size == 0:
        return False
    dark, light = ink.ink_masks(region)
    lo, mid, hi = np.percentile(region, (5, 50, 95))
    mask = dark if mid - lo >= hi - mid else light  # text is the minority: dark text on a light box, or not
    bx0, by0, bx1, by1 = box[0] - x0, box[1] - y0, box[2] - x0, box[3] - y0
    band = INK_TOUCH_PX + 1
    if edge == "top":
        strip = mask[:band, bx0:bx1]
    elif edge == "bottom":
        strip = mask[-band:, bx0:bx1]
    elif edge == "left":
        strip = mask[by0:by1, :band]
    else:
        strip = mask[by0:by1, -band:]
    return bool(strip.any())


def in_corner_zone(box: Box, edge: str, width: int, height: int, frac: float) -> bool:
    x0, y0, x1, y1 = box
    if edge in ("top", "bottom"):
        return x1 <= frac * width or x0 >= (1 - frac) * width
    return y1 <= frac * height or y0 >= (1 - frac) * height


def overlap(a: Box, b: Box) -> int:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def side_cut_words(words: list[Word], gray: np.ndarray, px: int) -> list[tuple[str, Word, Word | None]]:
    """Text lines running past the left or right edge: (edge, the word at the edge, its neighbour inside).

    The word at the edge must have its ink in the outermost pixels within its own text-height band (a line that
    continues past the edge, not a box that merely ends near it); the neighbour is the next word of the same line
    when it sits within a word gap (about one text height), else None."""
    h, w = gray.shape
    lines: dict[int, list[Word]] = {}
    for wd in words:
        lines.setdefault(wd.line, []).append(wd)
    out: list[tuple[str, Word, Word | None]] = []
    for ws in lines.values():
        ws = sorted(ws, key=lambda wd: wd.box[0])
        for edge, at, nb in (("right", ws[-1], ws[-2] if len(ws) > 1 else None),
                             ("left", ws[0], ws[1] if len(ws) > 1 else None)):
            if edge not in edges_touched(at.box, w, h, px) or not ink_at_edge(gray, at.box, edge):
                continue
            th = max(at.box[3] - at.box[1], 1)
            if nb is not None:
                gap = at.box[0] - nb.box[2] if edge == "right" else nb.box[0] - at.box[2]
                if gap > 1.2 * th:
                    nb = None
            out.append((edge, at, nb))
    return out


def glyphs_whole(gray: np.ndarray, box: Box, edge: str) -> bool:
    """The glyphs of `box` that reach the top or bottom edge keep a whole glyph's shape: wide digits and capitals
    ("0", "2", "M") are about 1.4-1.6 times as tall as wide, and cut through lengthwise about as tall as wide or
    flatter; or the glyphs end before the edge. A camera stamp in a black band flush with the bottom edge reaches
    it with whole glyphs and is not cut."""
    if edge not in ("top", "bottom"):
        return False
    h, w = gray.shape
    x0, y0, x1, y1 = box
    region = gray[max(y0, 0) : min(y1, h), max(x0, 0) : min(x1, w)]
    if region.shape[0] < 6 or region.shape[1] < 6:
        return False
    _, binary = cv2.threshold(region, 0, 1, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if binary.mean() > 0.5:
        binary = 1 - binary  # the text is the minority
    n, _, stats, _ = cv2.connectedComponentsWithStats(binary.astype(np.uint8), connectivity=8)
    rh = region.shape[0]
    glyphs = [(by, bw, bh) for _, by, bw, bh, _area in stats[1:n] if bw >= 3 and bh >= 0.3 * rh]
    touching = [(bw, bh) for by, bw, bh in glyphs
                if (by + bh >= rh - INK_TOUCH_PX if edge == "bottom" else by <= INK_TOUCH_PX)]
    if len(glyphs) >= 3 and not touching:
        return True  # the glyphs end before the edge: only a loose box or a blot reached it
    if len(touching) < 2:
        return False
    wide = 0.8 * float(np.percentile([bw for bw, _ in touching], 75))  # "1", "/" and ":" are narrow anyway
    aspects = [bh / bw for bw, bh in touching if bw >= wide]
    return float(np.median(aspects)) >= WHOLE_ASPECT
