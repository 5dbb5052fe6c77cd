"""Putting the bundle together: reportlab draws what is new (cover, stamps, invisible text), pikepdf joins it with
the exhibits' own pages and images, and the byte budget is met by re-encoding images in place.

Two documents are made. The reportlab one has the cover pages, then one page per exhibit page: for an image, the
page itself (text layer and stamp, the image goes underneath later); for a PDF page, an overlay the size of the
enlarged page (stamp, and the text layer when the page was OCR'd). The pikepdf one is the bundle: cover pages,
image pages with their image XObject, PDF pages copied as vector pages with the overlay placed as a form XObject,
then highlights. Images — exhibit images and images inside PDF exhibits — are tracked as `ManagedImage`s so each
ladder step can replace their data without rebuilding anything else.
"""

from __future__ import annotations

import io
import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from ..model import Page
from . import images
from .budget import Step
from .cover import CoverContent, draw_cover
from .fonts import FontSet
from .layout import PagePlan
from .stamps import draw_band, enlarge, place_overlay
from .textlayer import draw_words

MAX_CONTENT_PARSE = 8_000_000  # bytes of content stream we analyse for image placement


def text_layer_wanted(plan: PagePlan) -> bool:
    data = plan.data
    if data is None or not data.words:
        return False
    return plan.image is not None or data.text_source == "ocr"


def render_layers(cover: CoverContent, plans: list[PagePlan], fonts: FontSet, paper_size: tuple[float, float],
                  stamps: list[str], names: list[str], total: int) -> tuple[bytes, int]:
    """The reportlab document: cover pages, then one page per exhibit page. Returns (pdf bytes, cover pages)."""
    buf = io.BytesIO()
    c = Canvas(buf, invariant=1, pageCompression=1, pagesize=paper_size)
    c.setAuthor("evidence-svc")
    cover_n = draw_cover(c, cover, fonts, paper_size, 0, total)
    for plan, stamp, name in zip(plans, stamps, names, strict=True):
        f = plan.frame
        c.setPageSize((f.width, f.height))
        if text_layer_wanted(plan):
            draw_words(c, fonts, f, plan.data)
        if plan.image is not None:  # a hairline frame around the image, outside it
            x0, y0, x1, y1 = f.content
            c.setStrokeColorRGB(0.8, 0.82, 0.86)
            c.setLineWidth(0.5)
            c.rect(x0 - 0.5, y0 - 0.5, x1 - x0 + 1, y1 - y0 + 1, stroke=1, fill=0)
        draw_band(c, fonts, f.width, f.band, stamp, f"{plan.bundle_index + 1} / {total}", name)
        c.showPage()
    c.save()
    return buf.getvalue(), cover_n


def count_cover_pages(cover: CoverContent, fonts: FontSet, paper_size: tuple[float, float]) -> int:
    c = Canvas(io.BytesIO(), invariant=1, pagesize=paper_size)
    return draw_cover(c, cover, fonts, paper_size, 0, 1)


@dataclass
class ManagedImage:
    """An image whose data a ladder step may replace."""

    stream: pikepdf.Stream
    exhibit: int
    width: int  # pixels of the original
    height: int
    dpi: float  # as shown in the bundle (the smaller of x and y)
    floor_dpi: float  # below this the OCR'd text would get too small to read
    lossy: bool
    source: images.SourceImage | None = None  # image exhibits: reload from the file
    pixels: Image.Image | None = field(default=None, repr=False)  # PDF images: decoded once, on first need
    failed: bool = False
    current: int = 0  # bytes of the data now in the stream

    def prepare(self) -> None:
        """Main thread only (pikepdf objects are not thread-safe): decode a PDF image once, note the current size."""
        self.current = len(self.stream.read_raw_bytes())
        if self.source is None and self.pixels is None and not self.failed:
            try:
                self.pixels = images._normalise(pikepdf.PdfImage(self.stream).as_pil_image())
            except Exception:  # an image format PIL cannot decode is left as it is
                self.failed = True

    def encode(self, step: Step) -> images.Encoded | None:
        """The image re-encoded for `step`, or None when that would not make it smaller. Thread-safe after
        `prepare` (PIL releases the GIL while decoding, resizing and encoding)."""
        if self.failed:
            return None
        scale = min(1.0, max(step.dpi, self.floor_dpi) / self.dpi) if self.dpi > 0 else 1.0
        if self.source is not None:
            want = (max(1, math.ceil(self.width * scale)), max(1, math.ceil(self.height * scale)))
            im = self.source.load(max_size=want)
        else:
            im = self.pixels
        # JPEG draft decoding may return a size between the original and the target: scale from what we got
        eff = min(1.0, scale * self.width / im.width) if im.width else scale
        enc = images.recompress(im, eff, step.quality, self.lossy)
        return enc if len(enc.data) < self.current else None


def apply_step(managed: list[ManagedImage], step: Step, workers: int) -> bool:
    """Re-encode every image that gets smaller at `step`; True when any did."""
    for m in managed:
        m.prepare()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        encoded = list(pool.map(lambda m: m.encode(step), managed))
    for m, enc in zip(managed, encoded, strict=True):
        if enc is not None:
            write_image(m.stream, enc)
    return any(enc is not None for enc in encoded)


def write_image(stream: pikepdf.Stream, enc: images.Encoded) -> None:
    for key in ("/DecodeParms", "/Decode", "/SMaskInData", "/Filter"):
        if key in stream:
            del stream[key]
    parms = None
    if enc.predictor_colors:
        parms = Dictionary(Predictor=15, Colors=enc.predictor_colors, BitsPerComponent=enc.bpc, Columns=enc.width)
    stream.write(enc.data, filter=Name(enc.filter), decode_parms=parms)
    stream.Type = Name.XObject
    stream.Subtype = Name.Image
    stream.Width = enc.width
    stream.Height = enc.height
    stream.BitsPerComponent = enc.bpc
    if isinstance(enc.colorspace, list):
        _, base, hival, palette = enc.colorspace
        stream.ColorSpace = Array([Name.Indexed, Name(base), hival, pikepdf.String(palette)])
    else:
        stream.ColorSpace = Name(enc.colorspace)


def text_floor_dpi(data: Page | None, px_per_inch: float, min_text_px: float) -> float:
    """The resolution below which the 10th-percentile OCR'd word would be shorter than `min_text_px`."""
    if data is None or data.text_source != "ocr":
        return 0.0
    heights = sorted(w.box[3] - w.box[1] for w in data.words if w.text.strip() and w.box[3] > w.box[1])
    if not heights:
        return 0.0
    return px_per_inch * min_text_px / heights[len(heights) // 10]


def image_uses(page: pikepdf.Page) -> dict[tuple[int, int], tuple[pikepdf.Stream, float, float]]:
    """Image XObjects drawn by a page (and its forms), with the largest size each is shown at, in points."""
    found: dict[tuple[int, int], tuple[pikepdf.Stream, float, float]] = {}

    def walk(owner: object, resources: object, ctm: pikepdf.Matrix, depth: int) -> None:
        stack: list[pikepdf.Matrix] = []
        try:
            ops = pikepdf.parse_content_stream(owner, "q Q cm Do")
        except Exception:  # unparsable content: leave its images alone
            return
        xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
        for operands, op in ops:
            name = str(op)
            if name == "q":
                stack.append(ctm)
            elif name == "Q":
                ctm = stack.pop() if stack else ctm
            elif name == "cm" and len(operands) == 6:
                ctm = pikepdf.Matrix(*[float(v) for v in operands]) @ ctm
            elif name == "Do" and xobjects is not None and operands:
                x = xobjects.get(operands[0])
                if not isinstance(x, pikepdf.Stream) or not x.is_indirect:
                    continue
                if x.get("/Subtype") == Name.Image:
                    w, h = math.hypot(ctm.a, ctm.b), math.hypot(ctm.c, ctm.d)
                    prev = found.get(x.objgen)
                    if prev:
                        w, h = max(w, prev[1]), max(h, prev[2])
                    found[x.objgen] = (x, w, h)
                elif x.get("/Subtype") == Name.Form and depth < 4:
                    m = x.get("/Matrix")
                    fm = pikepdf.Matrix(*[float(v) for v in m]) if m is not None and len(m) == 6 else pikepdf.Matrix()
                    walk(x, x.get("/Resources", resources), fm @ ctm, depth + 1)

    if not _has_images(page.obj.get("/Resources"), 0):
        return found
    contents = page.obj.get("/Contents")
    size = 0
    for s in (contents if isinstance(contents, Array) else [contents] if contents is not None else []):
        if isinstance(s, pikepdf.Stream):
            size += int(s.get("/Length", 0))
    if size <= MAX_CONTENT_PARSE:
        walk(page, page.obj.get("/Resources", Dictionary()), pikepdf.Matrix(), 0)
    return found


def _plain_colours(cs: object) -> bool:
    """RGB or gray (device, calibrated, ICC, or indexed over those): what re-encoding keeps faithfully."""
    if isinstance(cs, Name):
        return cs in (Name.DeviceRGB, Name.DeviceGray, Name.CalRGB, Name.CalGray)
    if isinstance(cs, Array) and len(cs):
        kind = cs[0]
        if kind == Name.ICCBased:
            return int(cs[1].get("/N", 0)) in (1, 3)
        if kind == Name.Indexed and len(cs) > 1:
            return _plain_colours(cs[1])
        if kind in (Name.CalRGB, Name.CalGray):
            return True
    return False


def _has_images(resources: object, depth: int) -> bool:
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    if not isinstance(xobjects, Dictionary):
        return False
    for x in xobjects.values():
        if isinstance(x, pikepdf.Stream):
            if x.get("/Subtype") == Name.Image:
                return True
            if x.get("/Subtype") == Name.Form and depth < 4 and _has_images(x.get("/Resources"), depth + 1):
                return True
    return False


def pdf_images(page: pikepdf.Page, plan: PagePlan, min_text_px: float) -> list[ManagedImage]:
    out = []
    f = plan.frame
    px_per_inch = f.px_width / ((f.content[2] - f.content[0]) / 72.0)
    floor = text_floor_dpi(plan.data, px_per_inch, min_text_px)
    for _key, (x, w_pt, h_pt) in image_uses(page).items():
        if w_pt < 1 or h_pt < 1 or x.get("/ImageMask") or int(x.get("/BitsPerComponent", 8)) != 8:
            continue
        if "/Decode" in x or not _plain_colours(x.get("/ColorSpace")):
            continue  # inverted, CMYK or spot-colour images are left exactly as they are
        filt = x.get("/Filter")
        filters = [str(v) for v in filt] if isinstance(filt, Array) else [str(filt)] if filt is not None else []
        if any(v in ("/JBIG2Decode", "/CCITTFaxDecode") for v in filters):
            continue
        width, height = int(x.Width), int(x.Height)
        dpi = min(width / (w_pt / 72.0), height / (h_pt / 72.0))
        lossy = "/DCTDecode" in filters or "/JPXDecode" in filters
        out.append(ManagedImage(x, plan.exhibit.number, width, height, dpi, floor, lossy))
    return out


def compose(rl_bytes: bytes, cover_n: int, plans: list[PagePlan], min_text_px: float
            ) -> tuple[pikepdf.Pdf, list[ManagedImage], pikepdf.Pdf]:
    """The bundle as a pikepdf document, with the images a ladder step may re-encode."""
    out = pikepdf.new()
    rl = pikepdf.open(io.BytesIO(rl_bytes))
    for i in range(cover_n):
        out.pages.append(rl.pages[i])
    managed: list[ManagedImage] = []
    for k, plan in enumerate(plans):
        layer = rl.pages[cover_n + k]
        f = plan.frame
        if plan.image is not None:
            out.pages.append(layer)
            page = out.pages[-1]
            enc = images.first_encoding(plan.image)
            stream = pikepdf.Stream(out, b"")
            write_image(stream, enc)
            stream = out.make_indirect(stream)
            page.add_resource(stream, Name.XObject, Name("/EvImage"))
            x0, y0, x1, y1 = f.content
            page.contents_add(f"q {x1 - x0:.4f} 0 0 {y1 - y0:.4f} {x0:.4f} {y0:.4f} cm /EvImage Do Q\n".encode(),
                              prepend=True)
            px_per_inch = f.px_width / ((x1 - x0) / 72.0)
            floor = text_floor_dpi(plan.data, px_per_inch, min_text_px) if plan.data and plan.data.words else 0.0
            dpi = min(plan.image.width / ((x1 - x0) / 72.0), plan.image.height / ((y1 - y0) / 72.0))
            managed.append(ManagedImage(page.obj.Resources.XObject.EvImage, plan.exhibit.number,
                                        plan.image.width, plan.image.height, dpi, floor, plan.image.lossy,
                                        source=plan.image))
        else:
            out.pages.append(plan.exhibit.pdf.pages[plan.index])
            page = out.pages[-1]
            enlarge(page, f)
            place_overlay(page, layer, f)
    return out, managed, rl


def managed_pdf_images(pdf: pikepdf.Pdf, plans: list[PagePlan], min_text_px: float) -> list[ManagedImage]:
    """Images inside the PDF exhibits' pages, each once (found only when the budget needs them: parsing page
    content is the slow part of bundling vector-heavy PDFs)."""
    managed: list[ManagedImage] = []
    seen: set[tuple[int, int]] = set()
    for plan in plans:
        if plan.image is not None:
            continue
        for m in pdf_images(pdf.pages[plan.bundle_index], plan, min_text_px):
            if m.stream.objgen not in seen:
                seen.add(m.stream.objgen)
                managed.append(m)
    return managed


def save(pdf: pikepdf.Pdf) -> bytes:
    buf = io.BytesIO()
    pdf.save(buf, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
             compress_streams=True, fix_metadata_version=False)
    return buf.getvalue()
