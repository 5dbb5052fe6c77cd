"""Image files and embedded PDF images as PDF image data, at the fidelity the byte budget allows.

At level 0 an image goes in as it came whenever PDF can carry its bytes directly: a JPEG as DCTDecode, a plain PNG
by lifting its zlib stream (IDAT) with the PNG predictor, the way img2pdf does. Everything else is decoded once
(EXIF orientation applied, transparency flattened onto white) and stored losslessly, or as JPEG if the source was
already lossy. Recompression steps (budget.py's ladder) shrink an image to the resolution a step allows, never
below the resolution that keeps its OCR'd text legible, and pick JPEG at the step's quality or lossless, whichever
is smaller. Nothing here touches pages or fonts.
"""

from __future__ import annotations

import heapq
import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence

from ..ingest.filetype import register_heif

register_heif()  # HEIC/HEIF phone photos: ingest accepts them, so the bundle must draw them too

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# Share of pixels in an image's 8 most common colours: screens and scans are flat fills (0.2-1.0: a white page is
# most of a screenshot), camera photos are noise and light falloff (under 0.1, blurred ones included).
PHOTO_TOP_COLOURS_MAX = 0.15
CAMERA_TAGS = (0x010F, 0x0110)  # EXIF Make, Model


@dataclass
class Encoded:
    """Image data ready for a PDF image XObject."""

    data: bytes
    width: int
    height: int
    filter: str  # "/DCTDecode" or "/FlateDecode"
    colorspace: object  # "/DeviceRGB", "/DeviceGray" or an Indexed array [name, base, hival, palette bytes]
    bpc: int = 8
    predictor_colors: int | None = None  # FlateDecode with PNG predictor: /Colors (None: no DecodeParms)


@dataclass
class SourceImage:
    """One frame of an image file, opened lazily."""

    path: Path
    frame: int
    width: int  # after EXIF orientation
    height: int
    lossy: bool  # JPEG/HEIC/WebP-lossy source: re-encode as JPEG rather than losslessly
    media: str  # PIL format name

    def load(self, max_size: tuple[int, int] | None = None) -> Image.Image:
        """The frame as RGB or L pixels, upright, transparency flattened on white; JPEG decodes at a reduced
        scale when `max_size` allows (much faster for 12-megapixel photos)."""
        with Image.open(self.path) as im:
            if self.frame:
                im.seek(self.frame)
            if max_size and im.format == "JPEG":
                swap = _orientation(im) in (5, 6, 7, 8)
                im.draft(im.mode if im.mode in ("RGB", "L") else "RGB",
                         (max_size[1], max_size[0]) if swap else max_size)
            im.load()
            return _normalise(ImageOps.exif_transpose(im) if _orientation(im) not in (0, 1) else im)


def _orientation(im: Image.Image) -> int:
    try:
        return int(im.getexif().get(0x0112, 1) or 1)
    except Exception:  # a broken EXIF block must not stop the bundle; treat the image as upright
        return 1


def _normalise(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        bg = Image.new("RGB", rgba.size, (255, 255, 255))
        bg.paste(rgba, mask=rgba.getchannel("A"))
        return bg
    if im.mode in ("RGB", "L"):
        return im
    if im.mode == "1":
        return im.convert("L")
    if im.mode.startswith("I") or im.mode == "F":  # 16-bit and float scans: scale into 8 bits
        import numpy as np  # here: only such scans need it, and a bundle of screenshots should not pay the import

        a = np.asarray(im, dtype=np.float64)
        lo, hi = float(a.min()), float(a.max())
        return Image.fromarray(((a - lo) * (255.0 / (hi - lo or 1.0))).astype(np.uint8), "L")
    return im.convert("RGB")


def open_frames(path: Path) -> list[SourceImage]:
    """The frames of an image file (one for PNG/JPEG; several for multi-page TIFF), sizes as displayed."""
    out: list[SourceImage] = []
    with Image.open(path) as im:
        fmt = im.format or ""
        lossy = fmt in ("JPEG", "HEIF", "MPO") or (fmt == "WEBP" and not im.info.get("lossless"))
        for i, frame in enumerate(ImageSequence.Iterator(im)):
            w, h = frame.size
            if _orientation(frame) in (5, 6, 7, 8):
                w, h = h, w
            out.append(SourceImage(path, i, w, h, lossy, fmt))
            if fmt != "TIFF":  # as ingest: only TIFF frames are pages; animations and bursts show one moment
                break
    return out


def looks_like_photo(src: SourceImage) -> bool:
    """A camera photo (parcel, damage, label) rather than a screenshot or a scan: a camera in the EXIF data, a
    HEIC file, or colours spread like a photo's."""
    if src.media == "HEIF":
        return True
    with Image.open(src.path) as im:
        try:
            exif = im.getexif()
        except Exception:  # a broken EXIF block says nothing either way
            exif = {}
        if any(exif.get(tag) for tag in CAMERA_TAGS):
            return True
    im = src.load(max_size=(800, 800)).convert("RGB")
    im.thumbnail((800, 800), Image.Resampling.NEAREST)  # nearest keeps flat fills exactly flat
    pixels = im.width * im.height
    counts = im.getcolors(maxcolors=max(1, pixels)) or []  # (count, colour) of every colour
    top = sum(n for n, _ in heapq.nlargest(8, counts)) / max(1, pixels)
    return top < PHOTO_TOP_COLOURS_MAX


def passthrough(src: SourceImage) -> Encoded | None:
    """The file's own bytes as PDF image data, when PDF can carry them unchanged."""
    if src.frame:
        return None
    data = src.path.read_bytes()
    if src.media == "JPEG":
        with Image.open(io.BytesIO(data)) as im:
            if im.mode not in ("RGB", "L") or _orientation(im) not in (0, 1):
                return None
            cs = "/DeviceRGB" if im.mode == "RGB" else "/DeviceGray"
            return Encoded(data, im.width, im.height, "/DCTDecode", cs)
    if src.media == "PNG":
        return _png_idat(data)
    return None


def _png_idat(data: bytes) -> Encoded | None:
    """A PNG's compressed pixels as FlateDecode data (hand-written: no library exposes this; img2pdf does the same
    internally). Only non-interlaced 8-bit gray/RGB and 1-8-bit palette PNGs without transparency qualify."""
    if not data.startswith(PNG_MAGIC):
        return None
    pos, idat, plte = 8, [], None
    ihdr = None
    while pos + 8 <= len(data):
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if ctype == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif ctype == b"PLTE":
            plte = body
        elif ctype == b"IDAT":
            idat.append(body)
        elif ctype in (b"tRNS", b"eXIf"):
            return None  # transparency must be flattened; EXIF may rotate
        elif ctype == b"IEND":
            break
        pos += 12 + length
    if not ihdr or not idat:
        return None
    width, height, depth, color, _comp, _filt, interlace = ihdr
    if interlace:
        return None
    if color == 0 and depth == 8:
        return Encoded(b"".join(idat), width, height, "/FlateDecode", "/DeviceGray", 8, 1)
    if color == 2 and depth == 8:
        return Encoded(b"".join(idat), width, height, "/FlateDecode", "/DeviceRGB", 8, 3)
    if color == 3 and plte and depth in (1, 2, 4, 8):
        cs = ["/Indexed", "/DeviceRGB", len(plte) // 3 - 1, plte]
        return Encoded(b"".join(idat), width, height, "/FlateDecode", cs, depth, 1)
    return None


def lossless(im: Image.Image) -> Encoded:
    """Pixels as PNG-predicted Flate data (PIL's PNG encoder picks the filters; its IDAT is what PDF needs)."""
    buf = io.BytesIO()
    im.save(buf, format="PNG", compress_level=6)
    enc = _png_idat(buf.getvalue())
    if enc is None:  # cannot happen for RGB/L, but never lose an image over it
        raw = im.tobytes()
        cs = "/DeviceRGB" if im.mode == "RGB" else "/DeviceGray"
        return Encoded(zlib.compress(raw, 6), im.width, im.height, "/FlateDecode", cs)
    return enc


def jpeg(im: Image.Image, quality: int) -> Encoded:
    buf = io.BytesIO()
    # 4:2:0 subsampling for photos; no optimisation tables that depend on anything but the pixels (deterministic)
    im.save(buf, format="JPEG", quality=quality, optimize=True, subsampling="4:2:0" if quality < 90 else "4:4:4")
    cs = "/DeviceRGB" if im.mode == "RGB" else "/DeviceGray"
    return Encoded(buf.getvalue(), im.width, im.height, "/DCTDecode", cs)


def first_encoding(src: SourceImage) -> Encoded:
    """Level 0: as it came, or decoded once and stored without further loss."""
    enc = passthrough(src)
    if enc is not None:
        return enc
    im = src.load()
    return jpeg(im, 92) if src.lossy else lossless(im)


def shrink(im: Image.Image, scale: float) -> Image.Image:
    if scale >= 0.999:
        return im
    size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
    # bicubic after an integer box reduction: indistinguishable from Lanczos when shrinking, several times faster
    return im.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def recompress(im: Image.Image, scale: float, quality: int, lossy_source: bool) -> Encoded:
    """The pixels at `scale` (<= 1), as JPEG at `quality` or lossless, whichever is smaller (photos: JPEG only)."""
    small = shrink(im, scale)
    enc = jpeg(small, quality)
    if lossy_source:
        return enc
    flat = lossless(small)
    return flat if len(flat.data) <= len(enc.data) else enc
