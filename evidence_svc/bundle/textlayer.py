"""The invisible text layer: OCR words already computed by the checks, drawn in text render mode 3 (neither fill
nor stroke) exactly over the pixels they were read from, so the bundle is searchable and copyable.

No OCR happens here. Each word is stretched (horizontal scaling) to its box width; words of one line share a
baseline and a size so text extraction keeps reading order, and a space follows each word so extractors split
words whatever the gap. Chinese and Japanese are written without spaces: OCR words that meet at a CJK character
are drawn as one run across their boxes, with no space between them, so searching 「お届け済み」 or 「已签收」
finds it. Words in scripts the Latin font lacks use the CJK font, which carries a ToUnicode map.
"""

from __future__ import annotations

import re
from statistics import median

from reportlab.pdfgen.canvas import Canvas

from ..model import Page, Word
from ..text import lines_of
from .fonts import FontSet
from .layout import Frame

# Han, kana, CJK punctuation and full-width forms: scripts written without spaces between words
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
TOUCH = 0.25  # a CJK word and a Latin/digit one closer than this many line heights are one run ("2026年")


def _joined(prev: Word, word: Word, height: float) -> bool:
    """No space between `prev` and `word`: both sides of the boundary are CJK, or one is and they touch."""
    a, b = bool(CJK.match(prev.text.strip()[-1])), bool(CJK.match(word.text.strip()[0]))
    if a and b:
        return True
    return (a or b) and word.box[0] - prev.box[2] < TOUCH * height


def runs_of(words: list[Word], height: float) -> list[list[Word]]:
    """A line's words as runs to draw without spaces inside (CJK) and one space between runs."""
    runs: list[list[Word]] = []
    for w in words:
        if runs and _joined(runs[-1][-1], w, height):
            runs[-1].append(w)
        else:
            runs.append([w])
    return runs


def draw_words(c: Canvas, fonts: FontSet, frame: Frame, page: Page) -> int:
    """Draw `page`'s words invisibly in `frame`'s content rectangle; returns how many were drawn."""
    _, sy = frame.scale
    drawn = 0
    c.saveState()
    text = c.beginText()
    text.setTextRenderMode(3)
    for line in lines_of(page):
        words = [w for w in line.words if w.text.strip()]
        if not words:
            continue
        height_px = median(w.box[3] - w.box[1] for w in words)
        height = height_px * sy
        if height <= 0.5:
            continue
        size = height * 0.92
        bottom = median(w.box[3] for w in words)
        _, base = frame.local(0, bottom)
        base += height * 0.18  # descenders sit below the baseline
        runs = runs_of(words, height_px)
        for i, run in enumerate(runs):
            core_text = "".join(w.text.strip() for w in run)
            label = core_text + (" " if i < len(runs) - 1 else "")
            x0, _ = frame.local(min(w.box[0] for w in run), 0)
            x1, _ = frame.local(max(w.box[2] for w in run), 0)
            natural = fonts.width(label, size)
            if natural <= 0 or x1 <= x0:
                continue
            # the space is part of the stretched run; scale so the word itself spans its box
            core = fonts.width(core_text, size) or natural
            text.setTextOrigin(x0, base)
            text.setHorizScale(max(1.0, min(1000.0, (x1 - x0) / core * 100.0)))
            for font, run in fonts.runs(label):
                text.setFont(font, size)
                text.textOut(run)
            drawn += 1
    c.drawText(text)
    c.restoreState()
    return drawn
