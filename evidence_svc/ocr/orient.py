"""Upright text for pages photographed sideways: tesseract's orientation detection (OSD) when a reading is poor.

A phone photo of a shipping label is often taken sideways, and a sideways page reads at a mean confidence of
30-60 instead of 80-95. When the first reading is under OSD_BELOW, OSD (the `osd` model, on a copy at most
OSD_SIDE pixels long) says how far the text is turned; when it is sure enough (OSD_MIN_CONF), the page is read
again turned upright and that reading is kept if it is clearly better. Word boxes are mapped back to the pixels of
the image as given, so every later stage (validators, highlights in the bundle) still points at the right place.
"""

from __future__ import annotations

import logging
import re
import subprocess

from PIL import Image

from ..model import Box, Word
from .tesseract import tessdata_dir

log = logging.getLogger(__name__)

OSD_BELOW = 65.0  # a first reading with a mean word confidence under this is worth an orientation check
OSD_MIN_CONF = 1.0  # tesseract's orientation confidence needed to act on its answer (the better reading decides)
OSD_SIDE = 2000  # OSD runs on a copy at most this many pixels long (it needs the layout, not the detail)
BETTER_BY = 5.0  # the upright reading is kept when its mean confidence is at least this much higher


def osd_angle(image: Image.Image, timeout_s: float) -> int:
    """Degrees (0, 90, 180, 270) to turn `image` counter-clockwise so its text stands upright; 0 when unsure."""
    small = image.convert("L")
    small.thumbnail((OSD_SIDE, OSD_SIDE))
    try:
        deg, conf = _osd_tesserocr(small)
    except ImportError:
        deg, conf = _osd_cli(small, timeout_s)
    return deg if deg in (90, 180, 270) and conf >= OSD_MIN_CONF else 0


def _osd_tesserocr(image: Image.Image) -> tuple[int, float]:
    import tesserocr

    # The eng model crashes libtesseract 5.5 in OSD-only mode; the osd model is what OSD needs anyway.
    with tesserocr.PyTessBaseAPI(path=tessdata_dir(), lang="osd", psm=tesserocr.PSM.OSD_ONLY) as api:
        api.SetImage(image)
        api.SetSourceResolution(200)
        r = api.DetectOrientationScript() or {}
    return int(r.get("orient_deg", 0)), float(r.get("orient_conf", 0.0))


def _osd_cli(image: Image.Image, timeout_s: float) -> tuple[int, float]:
    import io

    buf = io.BytesIO()
    image.save(buf, "PNG")
    out = subprocess.run(["tesseract", "stdin", "stdout", "--psm", "0", "--tessdata-dir", tessdata_dir()],
                         input=buf.getvalue(), capture_output=True, timeout=timeout_s, check=False).stdout.decode()
    deg = re.search(r"Orientation in degrees:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    return (int(deg.group(1)) if deg else 0), (float(conf.group(1)) if conf else 0.0)


def turned_size(size: tuple[int, int], angle: int) -> tuple[int, int]:
    w, h = size
    return (h, w) if angle in (90, 270) else (w, h)


def unturn(words: list[Word], angle: int, size: tuple[int, int]) -> list[Word]:
    """Words read on the image turned by `angle` (counter-clockwise, as `Image.rotate(angle, expand=True)`), with
    their boxes mapped back to the image as given (`size`)."""
    w, h = size

    def back(x: int, y: int) -> tuple[int, int]:
        if angle == 90:
            return w - y, x
        if angle == 180:
            return w - x, h - y
        return y, h - x  # 270

    out = []
    for wd in words:
        (ax, ay), (bx, by) = back(wd.box[0], wd.box[1]), back(wd.box[2], wd.box[3])
        box: Box = (max(min(ax, bx), 0), max(min(ay, by), 0), min(max(ax, bx), w), min(max(ay, by), h))
        out.append(wd.model_copy(update={"box": box}))
    return out
