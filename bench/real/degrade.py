"""Degraded copies of real files of bench/real/files/, made the same way every time so they need not be stored.

    .venv/bin/python -m bench.real.degrade        # writes bench/real/files/d_*.{png,jpg} next to their sources

Each copy is one plain operation on one real file (Pillow): a gaussian blur, a downscale, or a crop whose bottom edge
runs through the middle of a dated line (the row was measured once on the source with tesseract and is fixed here).
Output is written losslessly as PNG so nothing but the operation changes the pixels. The labels of the copies are in
labels.toml (`derived_from`); this script must not change the real files or the labels.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageFilter, ImageOps

FILES = Path(__file__).resolve().parent / "files"

# name -> (source, operation, parameter)
DERIVED: dict[str, tuple[str, str, float]] = {
    "d_blur3_trk_parcel_detail_pl.png": ("trk_parcel_detail_pl.png", "blur", 3),
    "d_blur2_rcpt_sroie_078.png": ("rcpt_sroie_078.jpg", "blur", 2),
    "d_blur3_trk_libretrack_detail.png": ("trk_libretrack_detail.png", "blur", 3),
    "d_small40_rcpt_sroie_000.png": ("rcpt_sroie_000.jpg", "scale", 0.4),
    "d_small40_rcpt_sroie_033.png": ("rcpt_sroie_033.jpg", "scale", 0.4),
    "d_small40_trk_libretrack_detail.png": ("trk_libretrack_detail.png", "scale", 0.4),
    # bottom edge through "3/9/25, 10:25 PM" (text rows 2913-2951)
    "d_cut_trk_parcel_detail_en.png": ("trk_parcel_detail_en.png", "cut_bottom", 2932),
    # bottom edge through "Aug 30, 2010 10:39 AM" (rows 2444-2478)
    "d_cut_trk_libretrack_history.png": ("trk_libretrack_history.png", "cut_bottom", 2461),
    # bottom edge through "12/03/18" (rows 734-758) of the receipt header
    "d_cut_rcpt_sroie_060.png": ("rcpt_sroie_060.jpg", "cut_bottom", 746),
}


def make(src: Image.Image, op: str, p: float) -> Image.Image:
    im = ImageOps.exif_transpose(src).convert("RGB")
    if op == "blur":
        return im.filter(ImageFilter.GaussianBlur(radius=p))
    if op == "scale":
        return im.resize((round(im.width * p), round(im.height * p)), Image.Resampling.LANCZOS)
    if op == "cut_bottom":
        return im.crop((0, 0, im.width, int(p)))
    raise ValueError(op)


def main(argv: list[str] | None = None) -> int:
    missing = 0
    for name, (source, op, p) in DERIVED.items():
        path = FILES / source
        if not path.exists():
            print(f"  {name}: source {source} missing", file=sys.stderr)
            missing += 1
            continue
        with Image.open(path) as src:
            make(src, op, p).save(FILES / name, format="PNG", optimize=False)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
