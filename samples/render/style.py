"""Colours, fonts and spacing for one rendering: light/dark themes, carrier brand colours, density and scale."""

from __future__ import annotations

import random
from dataclasses import dataclass

from samples import fonts

Color = tuple[int, int, int]

BRANDS: dict[str, tuple[Color, Color, str]] = {  # carrier -> (bar colour, accent, display name)
    "UPS": ((53, 28, 21), (255, 181, 0), "UPS"),
    "USPS": ((51, 51, 102), (218, 41, 28), "USPS Tracking®"),
    "FedEx": ((77, 20, 140), (255, 102, 0), "FedEx"),
    "DHL": ((255, 204, 0), (212, 5, 17), "DHL"),
    "DeutschePost": ((255, 204, 0), (30, 30, 30), "Deutsche Post DHL"),
    "JapanPost": ((204, 0, 0), (204, 0, 0), "日本郵便 JAPAN POST"),
    "Yamato": ((255, 204, 0), (0, 130, 70), "ヤマト運輸"),
    "ChinaPost": ((0, 102, 51), (0, 102, 51), "中国邮政 CHINA POST"),
    "YunExpress": ((0, 82, 163), (0, 82, 163), "云途物流 YunExpress"),
    "Yanwen": ((220, 30, 40), (220, 30, 40), "燕文物流 Yanwen"),
    "RoyalMail": ((218, 41, 28), (218, 41, 28), "Royal Mail"),
    "AmazonLogistics": ((35, 47, 62), (255, 153, 0), "Amazon Shipping"),
}

ACCENTS: list[Color] = [(0, 113, 133), (255, 153, 0), (35, 120, 220), (0, 150, 90), (200, 40, 90), (110, 60, 200)]
LATIN_FAMILIES = ["dejavu-sans", "liberation-sans", "liberation-serif", "dejavu-serif"]


@dataclass
class Style:
    dark: bool = False
    accent: Color = (0, 113, 133)
    family: str = "liberation-sans"  # body font family (CJK langs override)
    base_css: float = 14.0  # body text size in CSS px
    scale: float = 1.0  # device pixel ratio
    density: float = 1.0  # spacing multiplier: <1 dense, >1 sparse

    @property
    def bg(self) -> Color:
        return (24, 26, 29) if self.dark else (255, 255, 255)

    @property
    def surface(self) -> Color:
        return (36, 39, 43) if self.dark else (247, 248, 250)

    @property
    def fg(self) -> Color:
        return (230, 232, 235) if self.dark else (17, 17, 17)

    @property
    def muted(self) -> Color:
        return (160, 165, 172) if self.dark else (86, 89, 95)

    @property
    def border(self) -> Color:
        return (62, 66, 72) if self.dark else (213, 217, 222)

    def px(self, css: float) -> int:
        return max(1, round(css * self.scale))

    def gap(self, css: float) -> int:
        return max(1, round(css * self.scale * self.density))

    def font(self, css: float | None = None, bold: bool = False, family: str | None = None):
        return fonts.font(family or self.family, self.px(css or self.base_css), bold)

    @property
    def text_px(self) -> float:
        return self.base_css * self.scale


def random_style(rng: random.Random, lang: str, dark: bool | None = None, scale: float | None = None,
                 base_css: float | None = None, density: float | None = None) -> Style:
    fam = {"ja": "noto-cjk-jp", "zh": "noto-cjk-sc"}.get(lang) or rng.choice(LATIN_FAMILIES)
    return Style(
        dark=rng.random() < 0.2 if dark is None else dark,
        accent=rng.choice(ACCENTS),
        family=fam,
        base_css=base_css or rng.choice([13.0, 14.0, 15.0, 16.0]),
        scale=scale or rng.choice([1.0, 1.25, 1.5, 2.0]),
        density=density or rng.choice([0.8, 1.0, 1.0, 1.3]),
    )
