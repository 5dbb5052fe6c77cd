"""Degradations applied after rendering (Pillow/OpenCV), and synthetic photos for pages that show one.

Each image operation returns the new image and the affine map (scale, offset) from old to new pixel coordinates,
so the measured boxes of timestamps and facts follow the image (crops, rescales). Perspective warps (a phone
photo of a screen) do not keep boxes; the builder takes the facts from the page instead.
"""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np
from PIL import Image

Map = tuple[float, float, float]  # new = old * scale - (dx, dy) ... as (scale, dx, dy)


def to_np(img: Image.Image) -> np.ndarray:
    return np.asarray(img.convert("RGB"))


def gauss(img: Image.Image, sigma: float) -> Image.Image:
    return Image.fromarray(cv2.GaussianBlur(to_np(img), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE))


def motion(img: Image.Image, length: int, angle: float) -> Image.Image:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1
    m = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1)
    k = cv2.warpAffine(k, m, (length, length))
    k /= k.sum()
    return Image.fromarray(cv2.filter2D(to_np(img), -1, k, borderType=cv2.BORDER_REPLICATE))


def rescale(img: Image.Image, factor: float, method: int = Image.Resampling.BICUBIC) -> Image.Image:
    w, h = img.size
    return img.resize((max(1, round(w * factor)), max(1, round(h * factor))), method)


def down_up(img: Image.Image, factor: float) -> Image.Image:
    """Shrink (as a chat app or a 'reduce size' export does) and blow back up to the original size."""
    small = rescale(img, factor, Image.Resampling.BILINEAR)
    return small.resize(img.size, Image.Resampling.BICUBIC)


def jpeg_bytes(img: Image.Image, q: int) -> bytes:
    buf = io.BytesIO()
    img.convert("RGB").save(buf, "JPEG", quality=q, subsampling=2)
    return buf.getvalue()


def jpeg(img: Image.Image, q: int) -> Image.Image:
    return Image.open(io.BytesIO(jpeg_bytes(img, q))).convert("RGB")


def screen_photo(
    img: Image.Image,
    rng: np.random.Generator,
    *,
    defocus: float,
    shake: int,
    moire: float,
    noise: float,
    out_w: int = 2016,
    tilt: float = 0.06,
) -> Image.Image:
    """A phone photo of a monitor: the screen lands as a tilted quadrilateral on a dark desk, with the
    screen's pixel grid beating against the sensor's (moiré), lens defocus, hand shake and sensor noise."""
    src = to_np(img).astype(np.float32)
    h, w = src.shape[:2]
    # the screen's RGB sub-pixel grid, which is what aliases into moiré on the sensor
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grid = (
        1
        - moire * 0.5 * (1 + np.cos(2 * np.pi * xx / 3.0)) * 0.6
        - moire * 0.3 * (1 + np.cos(2 * np.pi * yy / 3.0)) * 0.5
    )
    src = src * grid[..., None]
    out_h = int(out_w * 3 / 4)
    margin = 0.08
    sh = out_w * (1 - 2 * margin) * h / w  # the screen keeps its aspect ratio inside the margins
    top = (out_h - sh) / 2

    def j(s: float) -> float:  # hand-held jitter of each corner
        return float(rng.uniform(-s, s))

    dst = np.float32(
        [
            [out_w * margin + j(20), top + j(20) + tilt * sh],
            [out_w * (1 - margin) + j(20), top + j(20)],
            [out_w * (1 - margin) + j(20), top + sh + j(20)],
            [out_w * margin + j(20), top + sh + j(20) - tilt * sh],
        ]
    )
    m = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), dst)
    desk = np.zeros((out_h, out_w, 3), np.float32)
    desk[:] = (38, 36, 34)
    warped = cv2.warpPerspective(
        src, m, (out_w, out_h), dst=desk, borderMode=cv2.BORDER_TRANSPARENT, flags=cv2.INTER_AREA
    )
    # brightness falloff and a faint reflection
    yy, xx = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    vign = 1 - 0.25 * (((xx - out_w / 2) / out_w) ** 2 + ((yy - out_h / 2) / out_h) ** 2) * 4
    warped = (
        warped * vign[..., None]
        + 18 * np.exp(-((xx - 0.7 * out_w) ** 2 + (yy - 0.3 * out_h) ** 2) / (2 * (0.2 * out_w) ** 2))[..., None]
    )
    if defocus > 0:
        warped = cv2.GaussianBlur(warped, (0, 0), defocus)
    if shake > 1:
        k = np.zeros((shake, shake), np.float32)
        k[shake // 2, :] = 1
        k = cv2.warpAffine(
            k,
            cv2.getRotationMatrix2D(((shake - 1) / 2, (shake - 1) / 2), float(rng.uniform(-30, 30)), 1),
            (shake, shake),
        )
        warped = cv2.filter2D(warped, -1, k / k.sum())
    warped += rng.normal(0, noise, warped.shape[:2]).astype(np.float32)[..., None]
    warped += rng.normal(0, noise * 0.6, warped.shape).astype(np.float32)
    return Image.fromarray(np.clip(warped, 0, 255).astype(np.uint8))


def scan_look(img: Image.Image, rng: np.random.Generator, angle: float = 0.35) -> Image.Image:
    """A flatbed scan of a printed page: greyish paper, slight skew, toner noise, a faint edge shadow."""
    a = to_np(img.convert("L").convert("RGB"))[..., 0].astype(np.float32)
    a = 235 - (255 - a) * 0.92  # paper is not white, toner is not black
    h, w = a.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1)
    a = cv2.warpAffine(a, m, (w, h), borderValue=235)
    a += rng.normal(0, 3.5, a.shape).astype(np.float32)
    a[:, : max(2, w // 150)] *= 0.8
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "L")


# ------------------------------------------------------------------------------------------------ photos


def photo_data_uri(rng: np.random.Generator, kind: str = "doorstep", w: int = 640, h: int = 480) -> str:
    """A synthetic photo (a parcel at a door) as a JPEG data URI: soft background, sharper parcel, sensor noise."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    wall = np.array([196, 184, 165], np.float32) * (0.85 + 0.15 * (yy / h))[..., None]
    img[:] = wall
    floor = yy > 0.62 * h
    img[floor] = np.array([120, 105, 90], np.float32) + rng.normal(0, 6, (int(floor.sum()), 3)).astype(np.float32)
    door = (xx > 0.18 * w) & (xx < 0.55 * w) & (yy < 0.62 * h)
    img[door] = np.array([92, 58, 40], np.float32)
    for gx in (0.24, 0.37, 0.49):
        img[(np.abs(xx - gx * w) < 2) & door] *= 0.7
    img = cv2.GaussianBlur(img, (0, 0), 3.0)  # background out of focus
    box = (xx > 0.45 * w) & (xx < 0.8 * w) & (yy > 0.52 * h) & (yy < 0.86 * h)
    img[box] = np.array([176, 136, 92], np.float32)
    tape = box & (np.abs(yy - 0.58 * h) < 0.02 * h)
    img[tape] = np.array([210, 190, 150], np.float32)
    label = (xx > 0.58 * w) & (xx < 0.73 * w) & (yy > 0.66 * h) & (yy < 0.78 * h)
    img[label] = 245
    for ly in np.arange(0.68, 0.77, 0.018):
        img[label & (np.abs(yy - ly * h) < 1.2) & (xx < (0.6 + rng.uniform(0.05, 0.12)) * w)] = 30
    img = cv2.GaussianBlur(img, (0, 0), 0.8)
    img += rng.normal(0, 5, img.shape).astype(np.float32)
    if kind == "product":
        img = cv2.GaussianBlur(img, (0, 0), 1.5)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
