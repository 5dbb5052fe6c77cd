"""A `Sheet` is an RGB image plus the facts drawn on it, each with its box, carried through every transform.

Ground truth comes from here: after crops and scaling an element is `visible` (fully inside), `cut` (crossing an
edge) or gone. Renderers draw text through `Sheet.text` so nothing visible goes unrecorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image, ImageDraw, ImageFont

Box = tuple[float, float, float, float]


@dataclass
class Element:
    kind: str  # timestamp | order_id | tracking | delivery | refund
    box: Box
    text: str
    data: dict = field(default_factory=dict)

    def moved(self, box: Box) -> "Element":
        return replace(self, box=box)


class RecordingDraw(ImageDraw.ImageDraw):
    """ImageDraw that records the box of every text it draws on its sheet (kind "text"), so tests can prove that
    no text is cut by an edge on files labelled clean."""

    def __init__(self, im: Image.Image, sheet: "Sheet"):
        super().__init__(im)
        self._sheet = sheet

    def text(self, xy, text, fill=None, font=None, anchor=None, *args, **kwargs):
        super().text(xy, text, fill, font, anchor, *args, **kwargs)
        if str(text).strip():
            box = self.textbbox(xy, text, font=font, anchor=anchor)
            self._sheet.elements.append(Element("text", tuple(float(v) for v in box), str(text)))


@dataclass
class Sheet:
    img: Image.Image
    elements: list[Element] = field(default_factory=list)
    breaks: list[float] = field(default_factory=list)  # y positions between blocks where a viewport may clip
    text_px: float = 0.0  # em size of body text in pixels (after all scaling)

    @property
    def size(self) -> tuple[int, int]:
        return self.img.size

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return RecordingDraw(self.img, self)

    def text(self, xy: tuple[float, float], s: str, font: ImageFont.FreeTypeFont, fill, kind: str | None = None,
             anchor: str = "la", draw: ImageDraw.ImageDraw | None = None, **data) -> Box:
        d = draw or RecordingDraw(self.img, self)
        d.text(xy, s, font=font, fill=fill, anchor=anchor)
        box = d.textbbox(xy, s, font=font, anchor=anchor)
        if kind:
            self.elements.append(Element(kind, tuple(float(v) for v in box), s, data))
        return box

    def mark(self, kind: str, box: Box, text: str, **data) -> None:
        self.elements.append(Element(kind, tuple(float(v) for v in box), text, data))

    # ---- transforms (each returns a new Sheet)
    def crop(self, box: tuple[int, int, int, int]) -> "Sheet":
        x0, y0, x1, y1 = box
        els = [e.moved((e.box[0] - x0, e.box[1] - y0, e.box[2] - x0, e.box[3] - y0)) for e in self.elements]
        brk = [b - y0 for b in self.breaks if y0 < b < y1]
        return Sheet(self.img.crop(box), els, brk, self.text_px)

    def scaled(self, f: float, resample=Image.Resampling.LANCZOS) -> "Sheet":
        w, h = self.img.size
        img = self.img.resize((max(1, round(w * f)), max(1, round(h * f))), resample)
        els = [e.moved(tuple(v * f for v in e.box)) for e in self.elements]
        return Sheet(img, els, [b * f for b in self.breaks], self.text_px * f)

    def resized(self, size: tuple[int, int]) -> "Sheet":
        fx, fy = size[0] / self.img.width, size[1] / self.img.height
        img = self.img.resize(size, Image.Resampling.LANCZOS)
        els = [e.moved((e.box[0] * fx, e.box[1] * fy, e.box[2] * fx, e.box[3] * fy)) for e in self.elements]
        return Sheet(img, els, [b * fy for b in self.breaks], self.text_px * min(fx, fy))

    def with_image(self, img: Image.Image) -> "Sheet":
        return Sheet(img, list(self.elements), list(self.breaks), self.text_px)

    def paste_into(self, canvas: "Sheet", xy: tuple[int, int], clip_h: int | None = None) -> None:
        """Paste this sheet at xy onto canvas, optionally keeping only the top clip_h pixels."""
        src = self
        if clip_h is not None and clip_h < self.img.height:
            src = self.crop((0, 0, self.img.width, clip_h))
        canvas.img.paste(src.img, xy)
        x, y = xy
        for e in src.elements:
            vis = src.visibility(e)
            if vis == "gone":
                continue  # clipped away by the viewport
            moved = e.moved((e.box[0] + x, e.box[1] + y, e.box[2] + x, e.box[3] + y))
            if vis == "cut":  # half-drawn by the clip: keep it, marked, so the truth says so
                moved = replace(moved, data={**moved.data, "clipped": True})
            canvas.elements.append(moved)
        canvas.text_px = canvas.text_px or src.text_px

    def warped(self, matrix: np.ndarray, size: tuple[int, int], out: Image.Image) -> "Sheet":
        """Elements mapped through a 3x3 homography (the image is warped by the caller into `out`)."""
        els = []
        for e in self.elements:
            x0, y0, x1, y1 = e.box
            pts = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=float).T
            m = matrix @ pts
            xs, ys = m[0] / m[2], m[1] / m[2]
            els.append(e.moved((float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))))
        return Sheet(out, els, [], self.text_px)

    # ---- ground truth
    def visibility(self, e: Element, tol: float = 0.5) -> str:
        w, h = self.img.size
        x0, y0, x1, y1 = e.box
        if e.data.get("clipped"):
            return "cut"
        if x1 <= 0 or y1 <= 0 or x0 >= w or y0 >= h:
            return "gone"
        if x0 >= -tol and y0 >= -tol and x1 <= w + tol and y1 <= h + tol:
            return "visible"
        return "cut"

    def visible(self, kind: str | None = None) -> list[Element]:
        return [e for e in self.elements if (kind is None or e.kind == kind) and self.visibility(e) == "visible"]

    def cut(self, kind: str | None = None) -> list[Element]:
        return [e for e in self.elements if (kind is None or e.kind == kind) and self.visibility(e) == "cut"]
