"""Phrase lists (data files) as regular expressions that survive OCR spacing and dropped diacritics.

Tesseract often puts spaces between CJK characters ("配達 完了", "已 签收"), and splits Latin phrases at odd
places; a phrase from a data file is therefore matched with optional whitespace between CJK characters and any
whitespace between Latin words. Latin phrases match whole words (or, with `prefix=True`, word starts, so that
"refund" also finds "refunded" and "erstatt" finds "Erstatteter").

Latin letters are compared on their diacritic-folded form: OCR (and people typing on a keyboard without umlauts)
drop accents, so "Rückzahlungsbetrag" is also found as "Ruckzahlungsbetrag" and "remboursé" as "rembourse". Each
letter of a phrase becomes a character class of every Latin letter that folds to the same base letter, so the
match runs on the original text and match offsets stay those of the text. A phrase whose folded form is another
common word ("livré" -> "livre", a book) can be kept exact: pass it in `strict`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
# Latin-1 Supplement, Latin Extended-A/B and Latin Extended Additional: the accented letters of European languages.
_LATIN_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF))


def is_latin(phrase: str) -> bool:
    return not _CJK.search(phrase)


def fold_char(c: str) -> str:
    """The base letter of an accented Latin letter ("ü" -> "u", "É" -> "E"); any other character unchanged.
    One character in, one out, so offsets in a folded string are offsets in the original."""
    if not any(lo <= ord(c) <= hi for lo, hi in _LATIN_RANGES):
        return c
    d = unicodedata.normalize("NFD", c)
    if len(d) > 1 and d[0].isascii() and d[0].isalpha() and all(unicodedata.combining(x) for x in d[1:]):
        return d[0]
    return c


def fold(text: str) -> str:
    """`text` with Latin diacritics dropped, same length (see `fold_char`)."""
    return "".join(fold_char(c) for c in text)


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    """Base letter (lower and upper case) -> every Latin letter that folds to it, itself first."""
    groups: dict[str, list[str]] = {}
    for lo, hi in _LATIN_RANGES:
        for cp in range(lo, hi + 1):
            c = chr(cp)
            b = fold_char(c)
            if b != c:
                groups.setdefault(b, [b]).append(c)
    return {b: "".join(cs) for b, cs in groups.items()}


def _letter_class(c: str) -> str:
    base = fold_char(c)
    variants = _variants()
    chars = variants.get(base.lower(), base.lower()) + variants.get(base.upper(), base.upper())
    if len(set(chars)) <= 1:
        return re.escape(c)
    return "[" + "".join(dict.fromkeys(chars)) + "]"


def phrase_rx(phrase: str, prefix: bool = False, strict: bool = False) -> str:
    if is_latin(phrase):
        def word_rx(w: str) -> str:
            return re.escape(w) if strict else "".join(_letter_class(c) if c.isalpha() else re.escape(c) for c in w)

        body = r"\s+".join(word_rx(w) for w in phrase.split())
        return rf"(?<![^\W\d_]){body}" + ("" if prefix else r"(?![^\W\d_])")
    return r"\s*".join(re.escape(c) for c in phrase if not c.isspace())


def phrases_rx(phrases: list[str], prefix: bool = False, flags: int = re.I,
               strict: list[str] | tuple[str, ...] = ()) -> re.Pattern[str]:
    """One alternation of all phrases, longest first (the longest phrase wins where several start together).
    Phrases in `strict` keep their diacritics."""
    exact = {p.lower() for p in strict}
    ordered = sorted(dict.fromkeys(phrases), key=len, reverse=True)
    return re.compile("|".join(phrase_rx(p, prefix, p.lower() in exact) for p in ordered) or r"(?!)", flags)
