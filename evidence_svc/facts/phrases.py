"""Phrase lists (data files) as regular expressions that survive OCR spacing and dropped diacritics.

Tesseract often puts spaces between CJK characters ("配達 完了", "已 签收"), and splits Latin phrases at odd
places; a phrase from a data file is therefore matched with optional whitespace between CJK characters and any
whitespace between Latin words. Latin phrases match whole words (or, with `prefix=True`, word starts, so that
"refund" also finds "refunded" and "erstatt" finds "Erstatteter").

Latin letters are compared on their diacritic-folded form: OCR (and people typing on a keyboard without umlauts)
drop accents, so "Rückzahlungsbetrag" is also found as "Ruckzahlungsbetrag" and "remboursé" as "rembourse". The
patterns are compiled from folded phrases and run on folded text (`fold` maps one character to one, so match
offsets are offsets in the original text; a match's `group(0)` is folded text). Folding the text rather than
spelling every accented variant into the pattern keeps compiling the phrase lists about 25 times faster.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def _fold_table() -> dict[int, str]:
    """Accented Latin letter -> its base letter, for Latin-1 Supplement, Latin Extended-A/B and Additional."""
    table: dict[int, str] = {}
    for lo, hi in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for cp in range(lo, hi + 1):
            d = unicodedata.normalize("NFD", chr(cp))
            if len(d) > 1 and d[0].isascii() and d[0].isalpha() and all(unicodedata.combining(x) for x in d[1:]):
                table[cp] = d[0]
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """`text` with Latin diacritics dropped ("Rückzahlung" -> "Ruckzahlung"); one character for one, so offsets
    in the result are offsets in `text`. Other scripts (CJK, kana with dakuten) are left alone."""
    return text.translate(_FOLD)


def is_latin(phrase: str) -> bool:
    return not _CJK.search(phrase)


def phrase_rx(phrase: str, prefix: bool = False) -> str:
    """A regex for one phrase, to be run on `fold`ed text."""
    if is_latin(phrase):
        body = r"\s+".join(re.escape(w) for w in fold(phrase).split())
        return rf"(?<![^\W\d_]){body}" + ("" if prefix else r"(?![^\W\d_])")
    return r"\s*".join(re.escape(c) for c in phrase if not c.isspace())


class FoldedPattern:
    """A compiled pattern that folds the text it is given: `search`, `match` and `finditer` take the original text
    and return matches whose offsets are the original's (their `group(0)` is the folded text)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.compiled = pattern
        self.pattern = pattern.pattern

    def search(self, text: str, *args: Any) -> re.Match[str] | None:
        return self.compiled.search(fold(text), *args)

    def match(self, text: str, *args: Any) -> re.Match[str] | None:
        return self.compiled.match(fold(text), *args)

    def finditer(self, text: str, *args: Any) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(fold(text), *args)


def phrases_rx(phrases: list[str], prefix: bool = False, flags: int = re.I) -> FoldedPattern:
    """One alternation of all phrases, longest first (the longest phrase wins where several start together)."""
    ordered = sorted(dict.fromkeys(fold(p) for p in phrases), key=len, reverse=True)
    return FoldedPattern(re.compile("|".join(phrase_rx(p, prefix) for p in ordered) or r"(?!)", flags))
