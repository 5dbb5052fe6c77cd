"""Degradations for the defective variants and the mild ones: blur (gaussian, motion), JPEG, downscaling, edge
cuts through a chosen element, perspective, sensor noise, moiré (a phone photo of a screen) and scanning.

Every function takes and returns a `Sheet` (or bytes for encoders) and uses an explicit numpy Generator so the
output is identical for the same seed.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from samples.render.sheet import Element, Sheet


def gaussian(s: Sheet, sigma: float) -> Sheet:
    return s.with_image(blur_image(s.img, sigma))


def blur_image(img: Image.Image, sigma: float) -> Image.Image:
    """Gaussian blur with OpenCV (several times faster than Pillow's on large photos)."""
    if sigma <= 0:
        return img
    arr = cv2.GaussianBlur(np.asarray(img), (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REPLICATE)
    return Image.fromarray(arr)


def motion(s: Sheet, length: int, angle_deg: float) -> Sheet:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle_deg, 1.0)
    k = cv2.warpAffine(k, rot, (length, length))
    k /= k.sum()
    arr = cv2.filter2D(np.asarray(s.img), -1, k, borderType=cv2.BORDER_REPLICATE)
    return s.with_image(Image.fromarray(arr))


def noise(s: Sheet, rng: np.random.Generator, sigma: float) -> Sheet:
    a = np.asarray(s.img).astype(np.float32)
    a += (rng.standard_normal(a.shape[:2], dtype=np.float32) * sigma)[..., None]
    return s.with_image(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))


def jpeg_bytes(img: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=quality, optimize=False, subsampling=2 if quality < 90 else 0)
    return buf.getvalue()


def jpeg_roundtrip(s: Sheet, quality: int) -> Sheet:
    return s.with_image(Image.open(io.BytesIO(jpeg_bytes(s.img, quality))).convert("RGB"))


def downscale_to_text(s: Sheet, text_px: float) -> Sheet:
    """Scale so body text is `text_px` pixels (em size)."""
    return s.scaled(text_px / s.text_px, Image.Resampling.BOX if text_px < s.text_px else Image.Resampling.LANCZOS)


def cut_through(s: Sheet, e: Element, side: str, frac: float = 0.5, margin_other: int | None = None) -> Sheet:
    """Crop so that `side` (top/bottom/left/right) passes through element e at `frac` of its extent.

    With frac 0.5 the glyphs are cut in half, which is what defeats OCR on real cropped clocks.
    """
    w, h = s.size
    x0, y0, x1, y1 = e.box
    box = [0, 0, w, h]
    if side == "bottom":
        box[3] = int(round(y0 + (y1 - y0) * frac))
    elif side == "top":
        box[1] = int(round(y0 + (y1 - y0) * (1 - frac)))
    elif side == "right":
        box[2] = int(round(x0 + (x1 - x0) * frac))
    elif side == "left":
        box[0] = int(round(x0 + (x1 - x0) * (1 - frac)))
    return s.crop(tuple(box))


def safe_crop(s: Sheet, box: tuple[int, int, int, int], pad: int = 0) -> Sheet:
    """Crop to box grown by pad, clamped to the image."""
    w, h = s.size
    x0, y0, x1, y1 = box
    return s.crop((max(0, int(x0 - pad)), max(0, int(y0 - pad)), min(w, int(x1 + pad)), min(h, int(y1 + pad))))


def perspective(s: Sheet, rng: np.random.Generator, strength: float, out_size: tuple[int, int] | None = None,
                fill=(0, 0, 0)) -> Sheet:
    w, h = s.size
    ow, oh = out_size or (w, h)
    j = strength * min(w, h)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    # place the image inside the output with random corner jitter
    mx, my = (ow - w) / 2, (oh - h) / 2
    dst = np.float32([[mx + rng.uniform(0, j), my + rng.uniform(0, j)],
                      [mx + w - rng.uniform(0, j), my + rng.uniform(0, j)],
                      [mx + w - rng.uniform(0, j), my + h - rng.uniform(0, j)],
                      [mx + rng.uniform(0, j), my + h - rng.uniform(0, j)]])
    m = cv2.getPerspectiveTransform(src, dst)
    arr = cv2.warpPerspective(np.asarray(s.img), m, (ow, oh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                              borderValue=fill)
    return s.warped(m, (ow, oh), Image.fromarray(arr))


def moire(s: Sheet, rng: np.random.Generator, amp: float = 14.0) -> Sheet:
    """Interference stripes of a camera sampling an LCD's pixel grid."""
    w, h = s.size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang = rng.uniform(0.2, 1.2)
    freq = rng.uniform(0.18, 0.32)
    pattern = np.sin((xx * np.cos(ang) + yy * np.sin(ang)) * freq) * np.sin(xx * 0.021 + yy * 0.013)
    a = np.asarray(s.img).astype(np.float32) + amp * pattern[..., None]
    return s.with_image(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))


def vignette(s: Sheet, strength: float = 0.35) -> Sheet:
    w, h = s.size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2)
    g = 1 - strength * np.clip(r - 0.4, 0, None) ** 1.5
    a = np.asarray(s.img).astype(np.float32) * g[..., None]
    return s.with_image(Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)))


def scan(s: Sheet, rng: np.random.Generator, angle: float, paper=(246, 244, 238), noise_sigma: float = 6.0) -> Sheet:
    """A page through a flatbed scanner: paper tint, slight rotation, grain. Boxes follow the rotation."""
    img = s.img.convert("RGB")
    w, h = img.size
    a = np.asarray(img).astype(np.float32)
    tint = np.array(paper, np.float32) / 255.0
    a = a * tint
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    a = cv2.warpAffine(a, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                       borderValue=tuple(float(c) for c in paper))
    a += (rng.standard_normal(a.shape[:2], dtype=np.float32) * noise_sigma)[..., None]
    out = Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))
    m3 = np.vstack([m, [0, 0, 1]])
    return s.warped(m3, (w, h), out)
