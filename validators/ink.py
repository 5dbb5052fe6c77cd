"""Pixel measurements shared by the resolution, blur and timestamp validators: where the text ink is, how tall
the glyphs are and how wide their edges are.

Three measurements, each independent of OCR so they still work when OCR read nothing:
- `edge_blur(region)`: the width of the region's edges as a Gaussian sigma in pixels, from the steepest intensity
  steps relative to the region's contrast (a crisp anti-aliased glyph edge is ~0.4 px; sigma 2 is mush). Measured
  per direction, so motion blur (sharp across, smeared along) is caught by the worse one.
- `glyphs(gray)`: connected components of ink (dark on light and light on dark) with the size and shape of
  letters, grouped into text rows; rows give the text size and where text lines touch an image edge.
- `content_tiles(gray)`: the blur of the high-contrast tiles of an image, for images without readable words.

No library estimates edge width this way (OpenCV offers the Laplacian variance, which depends on how much of the
image is text and on contrast), so the estimator is hand-written; components come from OpenCV. This module only
measures; the validators decide.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from evidence_svc.model import Box, Word

CRISP_SIGMA = 0.4  # blur sigma of a crisp, anti-aliased glyph edge
MIN_CONTRAST = 40.0  # grey levels; fainter regions say nothing about sharpness
INK_DELTA = 40  # grey levels an ink pixel differs from its local background
DARK_AROUND = 90  # dark ink counts where the neighbourhood's mean grey is at least this ...
LIGHT_AROUND = 150  # ... light ink where it is below this


def readable_words(words: list[Word], min_conf: float) -> list[Word]:
    """Words that look like words: two or more letters/digits and at least `min_conf` OCR confidence."""
    return [w for w in words if w.conf >= min_conf and sum(c.isalnum() for c in w.text) >= 2]


def _peaks(d: np.ndarray) -> np.ndarray:
    """Local maxima of |d| along the last axis (the steepest point of each edge)."""
    a = np.abs(d)
    if a.shape[-1] < 3:
        return np.empty(0, dtype=a.dtype)
    mid = a[..., 1:-1]
    m = (mid >= a[..., :-2]) & (mid > a[..., 2:])
    return mid[m]


# A unit step blurred by a Gaussian of sigma s rises by erf(0.5 / (s * sqrt 2)) between neighbouring pixels;
# the table inverts that (sigma 0.05 .. 40 px) without pulling in scipy for erfinv.
_SIGMAS = np.geomspace(0.05, 40.0, 400)
_RISES = np.array([math.erf(0.5 / (s * math.sqrt(2.0))) for s in _SIGMAS])


def _sigma(step_ratio: float) -> float:
    """Gaussian sigma whose blurred unit step rises by `step_ratio` between two neighbouring pixels."""
    r = float(np.clip(step_ratio, _RISES[-1], _RISES[0]))
    return float(np.interp(r, _RISES[::-1], _SIGMAS[::-1]))


@dataclass(frozen=True)
class EdgeBlur:
    sigma_x: float  # edge width across vertical edges (smeared by horizontal motion)
    sigma_y: float
    contrast: float

    @property
    def sigma(self) -> float:
        return max(self.sigma_x, self.sigma_y)


def edge_blur(region: np.ndarray, min_edges: int = 3, q: float = 75.0, both: bool = True) -> EdgeBlur | None:
    """Edge width of a grey region, or None when it has too little contrast or too few edges to tell.

    With `both` False a direction without any steep edge (a word smeared sideways by motion blur) gets the width
    its steepest step implies instead of disqualifying the region; with `both` True (tiles, where a lone rule
    line has edges in one direction only) such regions are skipped."""
    if region.shape[0] < 5 or region.shape[1] < 5:
        return None
    r = region.astype(np.float32)
    lo, hi = np.percentile(r, (1, 99))
    contrast = float(hi - lo)
    if contrast < MIN_CONTRAST:
        return None
    sig = []
    for d in (np.diff(r, axis=1), np.diff(r, axis=0).T):
        p = _peaks(d)
        strong = p[p > 0.1 * contrast]
        if len(strong) >= min_edges:
            sig.append(_sigma(float(np.percentile(strong, q)) / contrast))
        elif both or len(p) == 0:
            return None
        else:
            sig.append(_sigma(float(p.max()) / contrast))
    return EdgeBlur(sig[0], sig[1], contrast)


def crop(gray: np.ndarray, box: Box, pad: int = 2) -> np.ndarray:
    h, w = gray.shape
    x0, y0, x1, y1 = box
    return gray[max(0, y0 - pad) : min(h, y1 + pad), max(0, x0 - pad) : min(w, x1 + pad)]


# ------------------------------------------------------------------------------------------------ glyphs


@dataclass(frozen=True)
class Glyph:
    x0: int
    y0: int
    x1: int  # exclusive
    y1: int

    @property
    def h(self) -> int:
        return self.y1 - self.y0

    @property
    def w(self) -> int:
        return self.x1 - self.x0


@dataclass
class Row:
    """Glyphs side by side at one height: a (piece of a) text line."""

    glyphs: list[Glyph]

    @property
    def box(self) -> Box:
        return (min(g.x0 for g in self.glyphs), min(g.y0 for g in self.glyphs),
                max(g.x1 for g in self.glyphs), max(g.y1 for g in self.glyphs))

    @property
    def height(self) -> float:
        """Height of the row's tall glyphs (capitals, digits, ascenders, CJK): about 0.7-0.9 em."""
        return float(np.percentile([g.h for g in self.glyphs], 90))


def ink_masks(gray: np.ndarray, kernel: int = 15) -> list[np.ndarray]:
    """Pixels darker than their surroundings (dark text) and lighter (dark mode), as two 0/1 masks.

    Each polarity is kept where the wider neighbourhood suits it: the narrow white gaps between dark letters
    are "lighter than their surroundings" too, but they sit in a bright neighbourhood, and light text lives
    on dark bars and dark-mode pages."""
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (kernel, kernel))
    around = cv2.blur(gray, (3 * kernel, 3 * kernel))
    # Computed in place, one full-page temporary at a time: on a 300-dpi page each is 8 MB, and this was a
    # worker's memory peak.
    closed = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, k)  # the background with dark strokes removed
    dark = cv2.subtract(closed, gray, dst=closed) > INK_DELTA
    del closed
    dark &= around >= DARK_AROUND
    opened = cv2.morphologyEx(gray, cv2.MORPH_OPEN, k)
    light = cv2.subtract(gray, opened, dst=opened) > INK_DELTA
    del opened
    light &= around < LIGHT_AROUND
    return [dark.view(np.uint8), light.view(np.uint8)]


def glyphs(gray: np.ndarray, max_height: int = 60) -> list[Glyph]:
    """Connected ink components with the size and shape of a letter or digit.

    Components are taken from outer contours (RETR_CCOMP keeps text nested inside boxes at the top level), which
    is several times faster than labelling every pixel on a large screenshot."""
    out: list[Glyph] = []
    for mask in ink_masks(gray):
        contours, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        if hierarchy is None:
            continue
        for c, (_, _, _, parent) in zip(contours, hierarchy[0]):
            if parent != -1:
                continue  # the outline of a hole, not a component
            x, y, w, h = cv2.boundingRect(c)
            if not (2 <= h <= max_height and 1 <= w <= 2 * max_height) or w * h < 4:
                continue
            if w > 4 * h or h > 6 * w:
                continue  # rules, borders, underlines, scrollbar tracks
            if w * h > 16 and cv2.countNonZero(mask[y : y + h, x : x + w]) > 0.95 * w * h:
                continue  # solid blocks (icons, buttons, scrollbar thumbs) are not strokes
            out.append(Glyph(x, y, x + w, y + h))
    return out


def rows(gs: list[Glyph], min_glyphs: int = 3) -> list[Row]:
    """Glyphs grouped into rows: neighbours at a similar height and baseline, a short gap apart."""
    cell = 32
    grid: dict[tuple[int, int], list[int]] = {}
    for i, g in enumerate(gs):
        for cx in range(g.x0 // cell, (g.x1 - 1) // cell + 1):
            for cy in range(g.y0 // cell, (g.y1 - 1) // cell + 1):
                grid.setdefault((cx, cy), []).append(i)
    parent = list(range(len(gs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, g in enumerate(gs):
        reach = int(1.5 * g.h) + 2
        seen: set[int] = set()
        for cx in range(g.x1 // cell, (g.x1 + reach) // cell + 1):
            for cy in range(max(g.y0 - g.h, 0) // cell, (g.y1 + g.h) // cell + 1):
                for j in grid.get((cx, cy), ()):
                    if j == i or j in seen:
                        continue
                    seen.add(j)
                    o = gs[j]
                    if not (g.x1 - g.h <= o.x0 <= g.x1 + reach) or o.x0 < g.x0:
                        continue
                    hh = max(g.h, o.h)
                    if not 0.3 <= o.h / g.h <= 3.3:
                        continue
                    if abs(g.y1 - o.y1) <= 0.35 * hh + 1 or abs((g.y0 + g.y1) - (o.y0 + o.y1)) <= 0.6 * hh + 2:
                        parent[find(j)] = find(i)
    groups: dict[int, list[Glyph]] = {}
    for i, g in enumerate(gs):
        groups.setdefault(find(i), []).append(g)
    return [Row(sorted(v, key=lambda g: g.x0)) for v in groups.values() if len(v) >= min_glyphs]


def text_height(rs: list[Row]) -> float | None:
    """Typical cap height of the text in pixels: per row the height of its tall glyphs (capitals, digits,
    ascenders, CJK characters: about 0.7-0.9 em whatever the mix of letters), then the median over rows
    weighted by their glyph count, so body text outweighs a few headings."""
    if not rs:
        return None
    tall = np.array([r.height for r in rs])
    weight = np.array([len(r.glyphs) for r in rs], dtype=float)
    order = np.argsort(tall)
    cum = np.cumsum(weight[order])
    return float(tall[order][np.searchsorted(cum, cum[-1] / 2)])


def read_share(rs: list[Row], words: list[Word]) -> float:
    """Share of the glyphs in text rows that lie inside a word OCR read: how much of the text was readable."""
    total = sum(len(r.glyphs) for r in rs)
    if not total or not words:
        return 0.0
    boxes = np.array([w.box for w in words], dtype=np.float32)
    centres = np.array([((g.x0 + g.x1) / 2, (g.y0 + g.y1) / 2) for r in rs for g in r.glyphs], dtype=np.float32)
    inside = np.zeros(len(centres), dtype=bool)
    for x0, y0, x1, y1 in boxes:  # words are few (hundreds); glyph centres are tested all at once
        inside |= ((centres[:, 0] >= x0 - 1) & (centres[:, 0] <= x1 + 1)
                   & (centres[:, 1] >= y0 - 1) & (centres[:, 1] <= y1 + 1))
    return float(inside.mean())


# ------------------------------------------------------------------------------------------------ tiles


def content_tiles(gray: np.ndarray, tile: int = 48, min_tiles: int = 4) -> list[tuple[Box, EdgeBlur]]:
    """Edge blur of every tile that has enough contrast and edges to measure, in full-resolution pixels.

    Heavy blur leaves no steep step at all at full size, so when too few tiles can be measured the image is
    halved (up to 3 times) and measured again, and the widths scaled back: a sigma-8 blur is a sigma-2 blur at
    a quarter of the size."""
    h, w = gray.shape
    img, factor = gray, 1
    while True:
        out = []
        ih, iw = img.shape
        for y in range(0, max(ih - tile // 2, 1), tile):
            for x in range(0, max(iw - tile // 2, 1), tile):
                eb = edge_blur(img[y : y + tile, x : x + tile], min_edges=6)
                if eb is not None:
                    box = (x * factor, y * factor, min(w, (x + tile) * factor), min(h, (y + tile) * factor))
                    out.append((box, EdgeBlur(eb.sigma_x * factor, eb.sigma_y * factor, eb.contrast)))
        if len(out) >= min_tiles or factor >= 8 or min(ih, iw) < 2 * tile:
            return out
        img = cv2.resize(img, (iw // 2, ih // 2), interpolation=cv2.INTER_AREA)
        factor *= 2


# ------------------------------------------------------------------------------------------------ per page

_LAST: tuple[tuple[object, ...], list[Row]] | None = None


def page_rows(gray: np.ndarray) -> list[Row]:
    """Text rows of a page raster. The validators of one page share the result (one-slot cache)."""
    global _LAST
    # Address and shape alone could match a new page allocated where the last one was freed: add a sample of
    # the pixels.
    key = (gray.__array_interface__["data"][0], gray.shape, hash(gray[::17, ::13].tobytes()))
    if _LAST is not None and _LAST[0] == key:
        return _LAST[1]
    rs = rows(glyphs(gray))
    _LAST = (key, rs)
    return rs
