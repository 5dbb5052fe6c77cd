"""The exhibit stamp: a band along the bottom of every bundle page, outside the original content.

"Exhibit 2 · Tracking page · page 1/1 · Order 112-…" on the left (the exhibit's role, never the seller's file name), the bundle page number on the right. PDF pages are
made taller by the band (`enlarge`: the MediaBox grows downwards, nothing is drawn over the page's own content);
image pages and the cover reserve it. The band itself is drawn with reportlab on an overlay page that the assembler
places as a form XObject (`place_overlay`), so fonts are shared with the rest of the bundle.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Name
from reportlab.pdfgen.canvas import Canvas

from .fonts import FontSet
from .labels import Labels
from .layout import BAND_PT, Frame

BAND_FILL = (0.955, 0.962, 0.972)
RULE = (0.72, 0.76, 0.81)
INK = (0.22, 0.27, 0.33)


def stamp_text(labels: Labels, number: int, role: str, index: int, count: int, order_id: str) -> str:
    sep = " · "
    return sep.join([f"{labels['exhibit']} {number}", labels.role(role), f"{labels['page']} {index + 1}/{count}",
                     f"{labels['order']} {order_id}"])


def _fit(fonts: FontSet, text: str, name: str, size: float, room: float) -> str:
    """Shorten `name` inside `text` (middle ellipsis) until the line fits `room` points."""
    if fonts.width(text, size) <= room or name not in text:
        return text
    keep = len(name)
    while keep > 6:
        keep -= 2
        short = name[: keep // 2] + "…" + name[len(name) - keep // 2:]
        candidate = text.replace(name, short, 1)
        if fonts.width(candidate, size) <= room:
            return candidate
    return text.replace(name, name[:3] + "…", 1)


def draw_band(c: Canvas, fonts: FontSet, width: float, band: float, left: str, right: str, name: str = "") -> None:
    """Draw the band across the bottom `band` points of the current page."""
    k = band / BAND_PT
    size = 7.5 * k
    pad = min(36.0 * k, width * 0.06)
    c.saveState()
    c.setFillColorRGB(*BAND_FILL)
    c.rect(0, 0, width, band, stroke=0, fill=1)
    c.setStrokeColorRGB(*RULE)
    c.setLineWidth(0.6 * k)
    c.line(0, band, width, band)
    c.setFillColorRGB(*INK)
    right_w = fonts.width(right, size)
    text = _fit(fonts, left, name, size, width - 2 * pad - right_w - 10 * k)
    _draw_runs(c, fonts, pad, band * 0.36, text, size)
    _draw_runs(c, fonts, width - pad - right_w, band * 0.36, right, size)
    c.restoreState()


def _draw_runs(c: Canvas, fonts: FontSet, x: float, y: float, text: str, size: float, bold: bool = False) -> None:
    t = c.beginText(x, y)
    for font, run in fonts.runs(text, bold):
        t.setFont(font, size)
        t.textOut(run)
    c.drawText(t)


def enlarge(page: pikepdf.Page, frame: Frame) -> None:
    """Grow the page downwards by the band; the page's other boxes are dropped (the MediaBox is now the page)."""
    ox, oy = frame.origin
    page.obj.MediaBox = Array([ox, oy, ox + frame.width, oy + frame.height])
    for key in ("/CropBox", "/TrimBox", "/BleedBox", "/ArtBox"):
        if key in page.obj:
            del page.obj[key]


def place_overlay(page: pikepdf.Page, overlay: pikepdf.Page, frame: Frame) -> None:
    """Draw `overlay` (a page the size of `frame`) over `page` at the frame's origin, as a form XObject."""
    form = overlay.as_form_xobject()
    if "/Resources" not in page.obj:
        page.obj.Resources = pikepdf.Dictionary()
    existing = page.obj.Resources.get("/XObject", pikepdf.Dictionary())
    name, n = Name("/EvOverlay"), 0
    while name in existing:
        n += 1
        name = Name(f"/EvOverlay{n}")
    page.add_resource(form, Name.XObject, name)
    ox, oy = frame.origin
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(f"\nQ\nq 1 0 0 1 {ox:.4f} {oy:.4f} cm {name} Do Q\n".encode())
