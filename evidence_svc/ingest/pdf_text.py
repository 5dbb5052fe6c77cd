"""A PDF page's text layer through pdfplumber: its words and embedded images in the visible crop box, and the
decision whether that layer is real text (read it) or not (rasterise and OCR the page).

Pure functions over what pdfplumber returns, plus `read_layer`, the one call that opens the file. Coordinates are
points relative to the crop box's top-left corner until `pdf_words` scales them to page pixels. Nothing here draws a
page (that is `render.py`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model import Page, Word
from ..text import normalize_text

log = logging.getLogger(__name__)


@dataclass
class PdfLayer:
    """What pdfplumber reads from one page: crop size, text-layer words, embedded images (points, crop origin)."""

    w_pt: float = 0.0
    h_pt: float = 0.0
    words: list[dict] = field(default_factory=list)
    garbage: float = 0.0
    images: list[tuple[tuple[float, float, float, float], int, int]] = field(default_factory=list)
    plain_jpeg: bool = False  # its one image is a plain JPEG stream (see `_plain_jpeg`)


def read_layer(path: Path, index: int) -> PdfLayer:
    import pdfplumber

    layer = PdfLayer()
    try:
        with pdfplumber.open(path, pages=[index + 1]) as doc:
            p = doc.pages[0]
            crop = _view_crop(p)  # (x0, top, x1, bottom) of what pdfium draws, in pdfplumber's coordinates
            layer.w_pt, layer.h_pt = float(crop[2] - crop[0]), float(crop[3] - crop[1])
            for im in p.images:
                sw, sh = (int(v) for v in (im.get("srcsize") or (0, 0)))
                box = (float(im["x0"]) - crop[0], float(im["top"]) - crop[1],
                       float(im["x1"]) - crop[0], float(im["bottom"]) - crop[1])
                layer.images.append((box, sw, sh))
            layer.plain_jpeg = len(p.images) == 1 and _plain_jpeg(p.images[0])
            if _has_overprint(p.chars):  # fake bold: the same glyph printed several times repeats letters
                p = p.dedupe_chars()  # slow (~0.3 s per 3000 chars), hence only when needed
            layer.garbage = _garbage_share(p.chars)
            for w in p.extract_words(keep_blank_chars=False, use_text_flow=False):
                w = dict(w)
                w["x0"], w["x1"] = w["x0"] - crop[0], w["x1"] - crop[0]
                w["top"], w["bottom"] = w["top"] - crop[1], w["bottom"] - crop[1]
                layer.words.append(w)
    except Exception:  # pdfplumber raises IndexError/TypeError/KeyError... on real broken files
        log.debug("pdfplumber failed on page %d of %s", index, path, exc_info=True)
        return PdfLayer(images=layer.images, garbage=1.0)
    return layer


def _plain_jpeg(im: dict) -> bool:
    """Whether an image's stream is a JPEG file as it stands: DCTDecode alone, 8-bit RGB or grey, no decode array,
    mask or soft mask, so the decoded stream is what the page shows (render.py may then skip drawing it)."""
    from pdfminer.pdftypes import resolve1

    stream = im.get("stream")
    attrs = getattr(stream, "attrs", None)
    if not isinstance(attrs, dict):
        return False
    filters = resolve1(attrs.get("Filter"))
    filters = [resolve1(f) for f in (filters if isinstance(filters, list) else [filters])]
    names = [getattr(f, "name", f) for f in filters]
    space = resolve1(attrs.get("ColorSpace"))
    return (names == ["DCTDecode"] and getattr(space, "name", None) in ("DeviceRGB", "DeviceGray")
            and resolve1(attrs.get("BitsPerComponent")) == 8 and not resolve1(attrs.get("ImageMask"))
            and not any(k in attrs for k in ("Decode", "SMask", "Mask", "SMaskInData")))


def image_share(images: list, w_pt: float, h_pt: float) -> float:
    area = sum(max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1]) for b, _, _ in images)
    return area / max(w_pt * h_pt, 1.0)


def _view_crop(p: Any) -> tuple[float, float, float, float]:
    """The crop box in pdfplumber's coordinates (rotated view, top-left origin, offset by the media box).
    pdfplumber's own `cropbox` only swaps axes for /Rotate and is wrong for 180/270 or an offset crop box, so
    the corners go through the same transform pdfminer applies to the page content."""
    def norm(b: Any) -> tuple[float, float, float, float]:
        x0, x1 = sorted((float(b[0]), float(b[2])))
        y0, y1 = sorted((float(b[1]), float(b[3])))
        return x0, y0, x1, y1

    from pdfplumber.utils import resolve_all

    attrs = p.page_obj.attrs
    mx0, my0, mx1, my1 = norm(resolve_all(attrs["MediaBox"]))
    raw_crop = resolve_all(attrs.get("CropBox")) or (mx0, my0, mx1, my1)
    cx0, cy0, cx1, cy1 = norm(raw_crop)
    cx0, cy0, cx1, cy1 = max(cx0, mx0), max(cy0, my0), min(cx1, mx1), min(cy1, my1)
    if cx1 <= cx0 or cy1 <= cy0:  # a crop box outside the media box: viewers fall back to the media box
        cx0, cy0, cx1, cy1 = mx0, my0, mx1, my1
    a, b, c, d, e, f = {
        90: (0, -1, 1, 0, -my0, mx1),
        180: (-1, 0, 0, -1, mx1, my1),
        270: (0, 1, -1, 0, my1, -mx0),
    }.get(p.rotation, (1, 0, 0, 1, -mx0, -my0))
    xs, tops = [], []
    for X, Y in ((cx0, cy0), (cx1, cy1)):
        u, v = a * X + c * Y + e, b * X + d * Y + f
        xs.append(u + float(p.mediabox[0]))
        tops.append(float(p.height) - v + float(p.mediabox[1]))
    return min(xs), min(tops), max(xs), max(tops)


def _has_overprint(chars: list[dict]) -> bool:
    seen: set[tuple[str, int, int]] = set()
    dup = 0
    for c in chars:
        key = (c.get("text") or "", round(float(c["x0"])), round(float(c["top"])))
        dup += key in seen
        seen.add(key)
    return dup > max(3, 0.05 * len(chars))


_WORDLIKE = re.compile(r"[^\W_]{2,}|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def _garbage_share(chars: list[dict]) -> float:
    """Share of characters with no usable Unicode mapping ("(cid:12)", private use, replacement, controls)."""
    if not chars:
        return 0.0
    bad = 0
    for c in chars:
        t = c.get("text") or ""
        if t.startswith("(cid:") or not t:
            bad += 1
            continue
        ch = t[0]
        o = ord(ch)
        if ch == "\ufffd" or 0xE000 <= o <= 0xF8FF or (o < 32 and ch not in "\t\n\r"):
            bad += 1
    return bad / len(chars)


def is_text_page(words: list[dict], garbage: float, images: list, w_pt: float, h_pt: float) -> bool:
    """A page is read from its text layer when the layer is mostly real text and is not a few words on top
    of a page-sized scan (then the scan is the evidence and must be OCR'd and checked as pixels)."""
    if not words or garbage > 0.3:
        return False
    # A font without a Unicode map often yields plausible ASCII that is no words at all ('"7+%-').
    if sum(bool(_WORDLIKE.search(w["text"])) for w in words) < 0.3 * len(words):
        return False
    n_chars = sum(len(w["text"]) for w in words)
    if image_share(images, w_pt, h_pt) > 0.5 and n_chars < 40:
        return False
    return n_chars >= 3


def pdf_words(words: list[dict], scale: float, page: Page) -> list[Word]:
    """pdfplumber words -> Words in page pixels, grouped into visual lines (words whose vertical extents
    overlap by more than half the smaller height share a line id). The text is NFKC-normalised: Chromium's
    "Save as PDF" writes some CJK ideographs as Kangxi radicals ("2026年11⽉18⽇" with U+2F49 for 月)."""
    items = []
    for w in words:
        t = normalize_text(w.get("text") or "").strip()
        if not t:
            continue
        x0 = max(0, round(w["x0"] * scale))
        y0 = max(0, round(w["top"] * scale))
        x1 = min(page.width, round(w["x1"] * scale))
        y1 = min(page.height, round(w["bottom"] * scale))
        if x1 <= 0 or y1 <= 0 or x0 >= page.width or y0 >= page.height:
            continue  # outside the visible crop box
        items.append((t, (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))))
    items.sort(key=lambda it: ((it[1][1] + it[1][3]) / 2, it[1][0]))
    out: list[Word] = []
    line_id = -1
    cur_top = cur_bot = None
    for t, b in items:
        if cur_top is not None:
            overlap = min(cur_bot, b[3]) - max(cur_top, b[1])
            smaller = min(cur_bot - cur_top, b[3] - b[1]) or 1
            same = overlap > 0.5 * smaller
        else:
            same = False
        if not same:
            line_id += 1
            cur_top, cur_bot = b[1], b[3]
        else:
            cur_top, cur_bot = min(cur_top, b[1]), max(cur_bot, b[3])
        out.append(Word(text=t, box=b, conf=100.0, line=line_id))
    return out
