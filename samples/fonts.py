"""System fonts for the sample renderers, found with fc-list at runtime (DejaVu, Liberation, Noto Sans CJK).

A missing font is an error naming the Debian package to install, never a silent fallback to Pillow's bitmap font
(which would make every sample look the same and OCR differently).
"""

from __future__ import annotations

import subprocess
from functools import lru_cache

from PIL import ImageFont

# family key -> (fontconfig family name, Debian package that ships it)
FAMILIES: dict[str, tuple[str, str]] = {
    "dejavu-sans": ("DejaVu Sans", "fonts-dejavu-core"),
    "dejavu-serif": ("DejaVu Serif", "fonts-dejavu-core"),
    "dejavu-mono": ("DejaVu Sans Mono", "fonts-dejavu-core"),
    "liberation-sans": ("Liberation Sans", "fonts-liberation2"),
    "liberation-serif": ("Liberation Serif", "fonts-liberation2"),
    "liberation-mono": ("Liberation Mono", "fonts-liberation2"),
    "noto-cjk-jp": ("Noto Sans CJK JP", "fonts-noto-cjk"),
    "noto-cjk-sc": ("Noto Sans CJK SC", "fonts-noto-cjk"),
}


class FontMissing(RuntimeError):
    pass


@lru_cache(maxsize=1)
def _catalogue() -> list[tuple[str, int, str, str]]:
    """(file, index, family, style) for every installed face."""
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\n"],
            capture_output=True, text=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FontMissing("fc-list (fontconfig) is needed to find fonts: apt-get install fontconfig") from exc
    rows = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) != 4:
            continue
        file, index, families, styles = parts
        rows.append((file, int(index or 0), families, styles))
    rows.sort()  # fc-list order is not stable between runs; sorting keeps the choice deterministic
    return rows


@lru_cache(maxsize=None)
def font_file(family: str, bold: bool = False) -> tuple[str, int]:
    name, package = FAMILIES[family]
    want = "Bold" if bold else ("Regular", "Book")
    candidates = []
    for file, index, families, styles in _catalogue():
        if name not in families.split(","):
            continue
        style_list = styles.split(",")
        if bold and "Bold" in style_list and not any("Italic" in s or "Oblique" in s for s in style_list):
            candidates.append((file, index))
        elif not bold and any(s in want for s in style_list):
            candidates.append((file, index))
    if not candidates:
        raise FontMissing(f"font '{name}' ({'bold' if bold else 'regular'}) not found; apt-get install {package}")
    # liberation2 and liberation (1.x) may both be installed: prefer the newer directory
    candidates.sort(key=lambda c: ("liberation2" not in c[0], c[0], c[1]))
    return candidates[0]


@lru_cache(maxsize=512)
def font(family: str, size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    file, index = font_file(family, bold)
    return ImageFont.truetype(file, max(4, int(round(size))), index=index)


def check_fonts() -> None:
    """Raise FontMissing naming every missing family at once."""
    missing = []
    for fam in FAMILIES:
        for bold in (False, True):
            try:
                font_file(fam, bold)
            except FontMissing as exc:
                missing.append(str(exc))
    if missing:
        raise FontMissing("; ".join(missing))
