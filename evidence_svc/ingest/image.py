"""Image files: header-only triage of every frame against the pixel limit, decoding, and conversion to RGB.

Pillow's decompression-bomb guard stays on behind our own check; EXIF rotation is applied and the file's DPI kept
for tesseract. Pure Pillow work on one file; this module knows nothing about PDFs, OCR or validators.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from ..config import Settings
from ..messages import finding
from ..model import Finding, Page
from .source import RenderedPage, Source, corrupt, fail, too_many_pages, too_many_pixels


def open_image(path: Path, settings: Settings) -> Image.Image:
    """Image.open reads the header only. Pillow's own bomb guard stays on as a second line behind our check
    (it raises above 2x this value); its warning below that is ours to turn into a finding, so it is muted."""
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        return Image.open(path)


def triage_image(src: Source, settings: Settings, decode: bool = True) -> None:
    """Header-only size check for every frame, then (`decode`) one full decode of what will be rendered."""
    try:
        im = open_image(src.path, settings)
    except Image.DecompressionBombError as e:
        m = re.search(r"\((\d+) pixels\)", str(e))
        fail(src, too_many_pixels(int(m.group(1)) if m else settings.max_image_pixels * 2, settings))
        return
    except Exception as e:
        fail(src, corrupt(e, path=src.path))
        return
    with im:
        frames = _frame_count(im, src.media_type)
        if frames > settings.max_pdf_pages:
            fail(src, too_many_pages(frames, settings))
            return
        for i in range(frames):
            if i:
                im.seek(i)  # reads the next frame's header (TIFF IFD), not its pixels
            w, h = im.size
            if w * h > settings.max_image_pixels:
                fail(src, too_many_pixels(w * h, settings, page=i if frames > 1 else None))
                return
            if w == 0 or h == 0:
                fail(src, finding("corrupt-file", detail="the image has no pixels", detail_zh="图片没有像素"))
                return
        src.page_count = frames
    # Decode now so a truncated file is a file finding, not a page failure later (decode=False: the caller runs
    # `decode_problem` itself, as the pipeline does in its workers).
    for i in range(src.page_count if decode else 0):
        problem = decode_problem(src, i, settings)
        if problem is not None:
            fail(src, problem)
            return


def decode_problem(src: Source, index: int, settings: Settings) -> Finding | None:
    """The damaged-file finding for frame `index` if its pixels cannot be decoded (a truncated file), else None.
    The pipeline runs it in a pool worker for files triaged with `decode=False`; the finding is file-level."""
    try:
        with open_image(src.path, settings) as im:
            if index:
                im.seek(index)
            im.load()
    except Exception as e:
        return corrupt(e, page=index if src.page_count > 1 else None, path=src.path)
    return None


def _frame_count(im: Image.Image, media_type: str | None) -> int:
    """Pages of an image file. TIFF: every frame is a page (multi-page scans and faxes are documents).
    GIF/WebP/HEIC: the first frame only (animations and bursts show one moment)."""
    if media_type == "image/tiff":
        return max(1, int(getattr(im, "n_frames", 1)))
    return 1


def to_rgb(im: Image.Image) -> Image.Image:
    """Any Pillow mode -> RGB; transparency is composited on white (screenshots with alpha are shown on white)."""
    if im.mode == "RGB":
        return im
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        import numpy as np

        a = np.asarray(im, dtype=np.float64)
        hi = float(a.max()) or 1.0
        im = Image.fromarray((a * (255.0 / (65535.0 if hi > 255 else 255.0))).clip(0, 255).astype("uint8"))
    if im.mode == "F":
        im = im.convert("L")
    if im.mode in ("LA", "PA", "La"):
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "RGBa"):
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(im.convert("RGBA"), mask=im.convert("RGBA").getchannel("A"))
        return bg
    return im.convert("RGB")  # L, 1, CMYK, YCbCr, LAB, HSV


def _image_dpi(im: Image.Image) -> float | None:
    dpi = im.info.get("dpi")
    try:
        if dpi:
            x, y = float(dpi[0]), float(dpi[1])
            # Many encoders write 1 or 72 as "unknown"; 72 is also genuine for screenshots on Macs, keep it.
            if x > 1 and y > 1:
                return round(min(x, y), 2)
    except (TypeError, ValueError, IndexError):
        pass
    return None


def render_image(source: Source, index: int, settings: Settings) -> RenderedPage:
    """One frame of an image file as RGB, upright (EXIF), with its DPI when the file states one."""
    with open_image(source.path, settings) as im:
        if index:
            im.seek(index)
        dpi = _image_dpi(im)
        im.load()
        rgb = to_rgb(ImageOps.exif_transpose(im))  # exif_transpose returns a copy, rotated or not
    rgb.info.pop("exif", None)
    if dpi:
        rgb.info["dpi"] = (dpi, dpi)  # tells tesseract the resolution
    page = Page(index=index, width=rgb.width, height=rgb.height, dpi=dpi, text_source="ocr")
    return RenderedPage(page, rgb, True)
