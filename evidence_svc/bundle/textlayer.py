"""The invisible text layer: OCR words already computed by the checks, drawn in text render mode 3 (neither fill
nor stroke) exactly over the pixels they were read from, so the bundle is searchable and copyable.

No OCR happens here. Each word is stretched (horizontal scaling) to its box width; words of one line share a
baseline and a size so text extraction keeps reading order, and a space follows each word so extractors split
words whatever the gap. Words in scripts the Latin font lacks use the CJK font, which carries a ToUnicode map.
"""

from __future__ import annotations

from statistics import median

from reportlab.pdfgen.canvas import Canvas

from ..model import Page
from ..text import lines_of
from .fonts import FontSet
from .layout import Frame


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
        height = median(w.box[3] - w.box[1] for w in words) * sy
        if height <= 0.5:
            continue
        size = height * 0.92
        bottom = median(w.box[3] for w in words)
        _, base = frame.local(0, bottom)
        base += height * 0.18  # descenders sit below the baseline
        for i, word in enumerate(words):
            label = word.text.strip() + (" " if i < len(words) - 1 else "")
            x0, _ = frame.local(word.box[0], 0)
            x1, _ = frame.local(word.box[2], 0)
            natural = fonts.width(label, size)
            if natural <= 0 or x1 <= x0:
                continue
            # the space is part of the stretched run; scale so the word itself spans its box
            core = fonts.width(word.text.strip(), size) or natural
            text.setTextOrigin(x0, base)
            text.setHorizScale(max(1.0, min(1000.0, (x1 - x0) / core * 100.0)))
            for font, run in fonts.runs(label):
                text.setFont(font, size)
                text.textOut(run)
            drawn += 1
    c.drawText(text)
    c.restoreState()
    return drawn
