"""Script fallback: notice CJK text on a page read with a Latin model, and say which language reads it.

The marketplace decides the languages, but a Chinese seller on amazon.com uploads Cainiao or China Post pages in
Chinese, which `eng` turns into garbage. When the first pass leaves several unreadable letter-words (`_garbage`), a
probe re-reads only those lines (cropped, stacked, one small image) with `jpn` and `chi_sim`; if either reads them
confidently as CJK, `read.py` reads the page again with that language + eng. Measured in
`bench/bench_script_fallback.py` on both labelled sets: the probe runs on 15 of 188 Latin-script pages (blurred or
tiny text) and adds 2.9 % to their OCR time (its models are unloaded after each probe: loading again costs less
than holding them in every worker), reads none of them again, and reads 82 of 94 CJK pages again. This
module decides only; it never reads a whole page nor touches the cache.
"""

from __future__ import annotations

import re

from PIL import Image

from ..model import Word
from .result import left
from .tesseract import available_langs, parse_tsv

CJK_LANGS = ("jpn", "chi_sim", "chi_tra", "jpn_vert", "chi_sim_vert", "chi_tra_vert")
FALLBACK_VERSION = 2  # part of the cache key: bump when the probe's decision rule changes
_LETTERS = re.compile(r"[A-Za-z]")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Calibrated on both labelled sets (bench/bench_script_fallback.py): on pages in Latin script the probe reads at
# most 3 confident CJK characters; on CJK pages 5-130. Clean Latin pages leave under 12 % of their letter-words
# unreadable (icons, logos); CJK pages read with eng 22-100 %.
PROBE_MIN_GARBAGE = 3  # unreadable letter-words before the probe runs
PROBE_MIN_SHARE = 0.15  # ... and their share of all letter-words
PROBE_MIN_CJK = 5  # confidently read CJK characters that make a page CJK
PROBE_CONF = 80.0  # a character counts as confidently read at this word confidence
PROBE_LINES = 5


def _garbage(words: list[Word]) -> list[Word]:
    """What a Latin model makes of CJK text: low-confidence words of two or more letters ("BRE", "SHWSHe")."""
    return [w for w in words if w.conf < 45 and len(_LETTERS.findall(w.text)) >= 2]


def worth_probing(words: list[Word]) -> bool:
    """Enough unreadable letter-words, and a large enough share of them, to look for CJK text (free: no OCR)."""
    garbage = len(_garbage(words))
    letter_words = sum(len(_LETTERS.findall(w.text)) >= 2 for w in words)
    return garbage >= PROBE_MIN_GARBAGE and garbage >= PROBE_MIN_SHARE * letter_words


def cjk_script(image: Image.Image, words: list[Word], engine, deadline: float) -> str | None:
    """'jpn' or 'chi_sim' when the page's unreadable words are Japanese or Chinese text, else None. Reads up to
    five of their lines (cropped, light background, about 40 px tall, stacked into one small image) with jpn
    first: confident kana make it Japanese; otherwise chi_sim decides whether it is Chinese."""
    if not worth_probing(words):
        return None
    have = available_langs()
    probe = _probe_image(image, words, _garbage(words))
    if probe is None:
        return None
    if not have or "jpn" in have:
        good, kana, total = _cjk_read(engine.tsv(probe, "jpn", left(deadline), psm=6, keep=False))
        if kana >= 2 and good >= PROBE_MIN_CJK:
            return "jpn"
        if total < PROBE_MIN_CJK:
            return None  # jpn reads Han characters too: hardly any CJK at all means Latin text
    if have and "chi_sim" not in have:
        return None
    chi = _cjk_read(engine.tsv(probe, "chi_sim", left(deadline), psm=6, keep=False))
    if chi[0] >= PROBE_MIN_CJK and chi[0] >= 0.4 * chi[2]:
        return "chi_sim"
    return None


def _probe_image(image: Image.Image, words: list[Word], garbage: list[Word]) -> Image.Image | None:
    import numpy as np

    heights = sorted(w.box[3] - w.box[1] for w in words)
    median = heights[len(heights) // 2]
    by_line: dict[int, list[Word]] = {}
    for w in garbage:
        if 0.5 * median <= w.box[3] - w.box[1] <= 2.5 * median:  # not icons, not search boxes
            by_line.setdefault(w.line, []).append(w)
    lines = sorted(by_line.values(), key=lambda ws: -sum(w.box[2] - w.box[0] for w in ws))[:PROBE_LINES]
    crops = []
    for ws in lines:
        x0, y0 = min(w.box[0] for w in ws), min(w.box[1] for w in ws)
        x1, y1 = max(w.box[2] for w in ws), max(w.box[3] for w in ws)
        pad = max(2, (y1 - y0) // 4)
        crop = np.asarray(image.crop((max(0, x0 - pad), max(0, y0 - pad), min(image.width, x1 + pad),
                                      min(image.height, y1 + pad))).convert("L"))
        if np.median(crop) < 128:  # dark mode: light text on dark ground
            crop = 255 - crop
        c = Image.fromarray(crop)
        f = min(3.0, max(1.0, 40 / max(1, y1 - y0)))
        if f > 1.05:
            c = c.resize((round(c.width * f), round(c.height * f)), Image.Resampling.LANCZOS)
        crops.append(c)
    if not crops:
        return None
    canvas = Image.new("L", (max(c.width for c in crops) + 20, sum(c.height + 10 for c in crops) + 10), 255)
    y = 10
    for c in crops:
        canvas.paste(c, (10, y))
        y += c.height + 10
    return canvas


def _cjk_read(tsv: str) -> tuple[int, int, int]:
    """(confident CJK characters, confident kana, all CJK characters) in a probe's TSV."""
    good = kana = total = 0
    for w in parse_tsv(tsv, 1, (10**6, 10**6)).words:
        n = len(_CJK_CHAR.findall(w.text))
        total += n
        if w.conf >= PROBE_CONF:
            good += n
            kana += len(_KANA.findall(w.text))
    return good, kana, total
