"""Text lines from words: the one place that turns OCR or PDF words into searchable line strings.

Fact extractors and validators run regexes over `Line.text` and map a match back to page pixels with
`Line.box_of(start, end)`, so every fact keeps the page and box where it was seen.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from .model import Box, Page, Word


def normalize_text(text: str) -> str:
    """NFKC: compatibility forms to their plain characters (full-width digits and punctuation to ASCII, the Kangxi
    radicals Chromium's "Save as PDF" writes for CJK ideographs, e.g. U+2F49 to 月, ligatures to letters). The one
    normalisation of extracted text: ingest applies it to PDF words, order IDs to OCR and typed text per
    character."""
    return unicodedata.normalize("NFKC", text)


@dataclass(frozen=True)
class Line:
    page: int
    words: tuple[Word, ...]
    text: str = field(init=False)
    starts: tuple[int, ...] = field(init=False)

    def __post_init__(self) -> None:
        starts, pos = [], 0
        for w in self.words:
            starts.append(pos)
            pos += len(w.text) + 1
        object.__setattr__(self, "text", " ".join(w.text for w in self.words))
        object.__setattr__(self, "starts", tuple(starts))

    @property
    def box(self) -> Box:
        return union([w.box for w in self.words])

    def words_in(self, start: int, end: int) -> list[Word]:
        return [w for w, s in zip(self.words, self.starts) if s < end and s + len(w.text) > start]

    def box_of(self, start: int, end: int) -> Box:
        """The pixel box of the words that the character span [start, end) touches."""
        hit = self.words_in(start, end)
        return union([w.box for w in hit]) if hit else self.box


def union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def lines_of(page: Page) -> list[Line]:
    """Words grouped by their `line` id, each line in left-to-right order, lines top to bottom."""
    groups: dict[int, list[Word]] = {}
    for w in page.words:
        if w.text.strip():
            groups.setdefault(w.line, []).append(w)
    lines = [Line(page.index, tuple(sorted(ws, key=lambda w: w.box[0]))) for ws in groups.values()]
    return sorted(lines, key=lambda ln: (ln.box[1], ln.box[0]))


def page_text(page: Page) -> str:
    return "\n".join(ln.text for ln in lines_of(page))
