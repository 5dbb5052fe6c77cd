"""Phone-camera photos: a parcel with its shipping label on a table (blurred background, sharp label, noise,
perspective, a camera date watermark in orange digits bottom-right), and photos of a monitor showing a page.
"""

from __future__ import annotations

from datetime import datetime

import cv2
import numpy as np
from PIL import Image, ImageDraw

from samples import fonts
from samples.render import degrade
from samples.render.sheet import Sheet

WATERMARK = (255, 150, 30)


def _texture(rng: np.random.Generator, w: int, h: int, base, amp: float, grain: int) -> np.ndarray:
    small = rng.normal(0, 1, (max(2, h // grain), max(2, w // grain))).astype(np.float32)
    big = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    streaks = cv2.resize(rng.normal(0, 1, (max(2, h // 3), 4)).astype(np.float32), (w, h),
                         interpolation=cv2.INTER_LINEAR)
    a = np.array(base, np.float32)[None, None, :] + (amp * big + amp * 0.5 * streaks)[..., None]
    return np.clip(a, 0, 255)


def watermark(s: Sheet, at: datetime, style: str = "ymd", size_frac: float = 0.035) -> Sheet:
    """Camera date stamp bottom-right, like cheap cameras and 'timestamp camera' apps."""
    w, h = s.size
    txt = f"{at:%Y/%m/%d %H:%M}" if style == "ymd" else f"{at:%m/%d/%Y %H:%M}" if style == "mdy" \
        else f"{at:%d.%m.%Y %H:%M}"
    f = fonts.font("dejavu-mono", max(12, int(h * size_frac)), True)
    d = ImageDraw.Draw(s.img)
    margin = int(h * 0.03)
    xy = (w - margin, h - margin)
    # dark halo for contrast on light backgrounds, then the orange digits
    for dx, dy in [(-2, 0), (2, 0), (0, -2), (0, 2)]:
        d.text((xy[0] + dx, xy[1] + dy), txt, font=f, fill=(60, 30, 0), anchor="rd")
    s.text(xy, txt, f, WATERMARK, kind="timestamp", anchor="rd", draw=d, value=at.strftime("%Y-%m-%dT%H:%M"),
           watermark=True)
    return s


def parcel_photo(label: Sheet, rng: np.random.Generator, size=(2016, 1512), at: datetime | None = None,
                 bg_blur: float = 9.0, label_frac: float = 0.42, wm_style: str = "ymd") -> Sheet:
    """Compose the label on a cardboard box on a table, warp the label slightly, add grain and a watermark."""
    W, H = size
    table = _texture(rng, W, H, (rng.integers(120, 170), rng.integers(90, 120), rng.integers(60, 85)), 18, 40)
    canvas = degrade.blur_image(Image.fromarray(table.astype(np.uint8)), bg_blur)
    # the box: a slightly rotated brown quad, a little out of focus at its edges
    bw, bh = int(W * 0.62), int(H * 0.78)
    box = _texture(rng, bw, bh, (196, 160, 112), 9, 12).astype(np.uint8)
    box_img = degrade.blur_image(Image.fromarray(box), 1.2)
    d = ImageDraw.Draw(box_img)
    d.rectangle((0, int(bh * 0.47), bw, int(bh * 0.53)), fill=(170, 140, 95))  # tape
    bx, by = (W - bw) // 2 + int(rng.integers(-40, 40)), (H - bh) // 2 + int(rng.integers(-20, 20))
    shadow = Image.new("L", (W, H), 0)
    ImageDraw.Draw(shadow).rectangle((bx + 25, by + 30, bx + bw + 25, by + bh + 30), fill=120)
    shadow = degrade.blur_image(shadow, 25)
    canvas = Image.composite(Image.new("RGB", (W, H), (30, 22, 15)), canvas, shadow)
    canvas.paste(box_img, (bx, by))
    # the label: scale to a fraction of the photo height, warp slightly (hand-held angle)
    lab = label.scaled(label_frac * H / label.img.height)
    lw, lh = lab.size
    lx, ly = bx + (bw - lw) // 2 + int(rng.integers(-30, 30)), by + (bh - lh) // 2 + int(rng.integers(-15, 15))
    full = Sheet(canvas)
    full.text_px = lab.text_px
    lab.paste_into(full, (lx, ly))
    out = degrade.perspective(full, rng, 0.035, fill=(40, 30, 20))
    # crop the black borders of the warp
    m = int(0.04 * min(W, H))
    out = out.crop((m, m, W - m, H - m))
    out = degrade.vignette(out, 0.3)
    out = degrade.noise(out, rng, 4.0)
    if at is not None:
        out = watermark(out, at, wm_style)
    return out


def screen_photo(screen: Sheet, rng: np.random.Generator, blur_sigma: float = 3.0, size=(2016, 1512)) -> Sheet:
    """A phone photo of a monitor: dark bezel, perspective, moiré, defocus, noise."""
    W, H = size
    f = min(W * 0.86 / screen.img.width, H * 0.86 / screen.img.height)
    s = screen.scaled(f)
    bezel = Sheet(Image.new("RGB", (s.img.width + 40, s.img.height + 40), (18, 18, 20)))
    s.paste_into(bezel, (20, 20))
    bezel.text_px = s.text_px
    room = Sheet(Image.new("RGB", (W, H), (70, 66, 60)))
    room.text_px = s.text_px
    bezel.paste_into(room, ((W - bezel.img.width) // 2, (H - bezel.img.height) // 2))
    out = degrade.perspective(room, rng, 0.05, fill=(60, 56, 50))
    out = degrade.moire(out, rng)
    out = degrade.gaussian(out, blur_sigma)
    out = degrade.noise(out, rng, 5.0)
    return out
