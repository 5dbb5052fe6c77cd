"""Where everything lands on a bundle page: the geometry shared by image placement, text layer, stamp and highlights.

Every exhibit page gets a `Frame`: its final size, the stamp band along the bottom (outside the original content:
PDF pages are enlarged downwards by the band, image pages reserve it), the rectangle the original content occupies,
and the map from the page pixels the checks used (`Page.width` x `Page.height`, top-left origin; words and fact
boxes are in these) to PDF points. Pure arithmetic: no PDF objects are changed here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Box, Page
from .exhibits import Exhibit
from .images import SourceImage

PAPER = {"A4": (595.2756, 841.8898), "Letter": (612.0, 792.0)}
BAND_PT = 22.0  # stamp band height on a letter/A4-sized page
MARGIN_PT = 36.0
NATIVE_DPI = 150.0  # an image is never shown larger than its pixels at this resolution


@dataclass
class Frame:
    width: float  # final page size, points
    height: float
    band: float  # height of the stamp band at the bottom
    content: tuple[float, float, float, float]  # x0, y0, x1, y1 of the original content, page-local points
    px_width: float  # the pixel space of words and fact boxes
    px_height: float
    origin: tuple[float, float] = (0.0, 0.0)  # user-space position of the page's lower-left corner

    @property
    def scale(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.content
        return (x1 - x0) / self.px_width, (y1 - y0) / self.px_height

    def local(self, px: float, py: float) -> tuple[float, float]:
        """Page pixel (top-left origin) -> page-local points (bottom-left origin of the final page)."""
        sx, sy = self.scale
        return self.content[0] + px * sx, self.content[3] - py * sy

    def user(self, px: float, py: float) -> tuple[float, float]:
        x, y = self.local(px, py)
        return x + self.origin[0], y + self.origin[1]

    def user_rect(self, box: Box, pad_px: float = 0.0) -> tuple[float, float, float, float]:
        """A pixel box as (x0, y0, x1, y1) in user space, padded and kept inside the original content."""
        x0 = max(0.0, box[0] - pad_px)
        y0 = max(0.0, box[1] - pad_px)
        x1 = min(self.px_width, box[2] + pad_px)
        y1 = min(self.px_height, box[3] + pad_px)
        ux0, uy1 = self.user(x0, y0)
        ux1, uy0 = self.user(x1, y1)
        return ux0, uy0, ux1, uy1


@dataclass
class PagePlan:
    exhibit: Exhibit
    index: int  # page within the file, 0-based
    bundle_index: int  # page within the bundle, 0-based
    frame: Frame
    data: Page | None  # what ingest saw on the page (words, size), when known
    image: SourceImage | None = None  # image pages: the frame to place


def paper_size(paper: str, landscape: bool) -> tuple[float, float]:
    w, h = PAPER.get(paper, PAPER["A4"])
    return (h, w) if landscape else (w, h)


def image_frame(src: SourceImage, data: Page | None, paper: str) -> Frame:
    """An image on paper: landscape paper for landscape images, fitted inside the margins, never shown larger than
    its pixels at 150 dpi, centred horizontally and set at the top."""
    landscape = src.width > src.height * 1.1
    pw, ph = paper_size(paper, landscape)
    avail_w = pw - 2 * MARGIN_PT
    avail_h = ph - MARGIN_PT - BAND_PT - 12.0
    native_w = src.width * 72.0 / NATIVE_DPI
    native_h = src.height * 72.0 / NATIVE_DPI
    s = min(avail_w / native_w, avail_h / native_h, 1.0)
    w, h = native_w * s, native_h * s
    x0 = (pw - w) / 2
    y1 = ph - MARGIN_PT
    px_w, px_h = _pixels(data, src.width, src.height)
    return Frame(pw, ph, BAND_PT, (x0, y1 - h, x0 + w, y1), px_w, px_h)


def pdf_frame(visible: tuple[float, float, float, float], data: Page | None) -> Frame:
    """A PDF page keeps its size; the band is added below its visible box (the page gets taller)."""
    llx, lly, urx, ury = visible
    w, h = urx - llx, ury - lly
    band = BAND_PT * max(1.0, min(w, h) / 612.0)
    px_w, px_h = _pixels(data, w, h)
    return Frame(w, h + band, band, (0.0, band, w, band + h), px_w, px_h, origin=(llx, lly - band))


def _pixels(data: Page | None, fallback_w: float, fallback_h: float) -> tuple[float, float]:
    if data is not None and data.width > 0 and data.height > 0:
        return float(data.width), float(data.height)
    return float(fallback_w), float(fallback_h)
