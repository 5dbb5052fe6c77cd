"""Phrase lists (data files) as regular expressions that survive OCR spacing.

Tesseract often puts spaces between CJK characters ("配達 完了", "已 签收"), and splits Latin phrases at odd
places; a phrase from a data file is therefore matched with optional whitespace between CJK characters and any
whitespace between Latin words. Latin phrases match whole words (or, with `prefix=True`, word starts, so that
"refund" also finds "refunded" and "erstatt" finds "Erstatteter").
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")


def is_latin(phrase: str) -> bool:
    return not _CJK.search(phrase)


def phrase_rx(phrase: str, prefix: bool = False) -> str:
    if is_latin(phrase):
        body = r"\s+".join(re.escape(w) for w in phrase.split())
        return rf"(?<![^\W\d_]){body}" + ("" if prefix else r"(?![^\W\d_])")
    return r"\s*".join(re.escape(c) for c in phrase if not c.isspace())


def phrases_rx(phrases: list[str], prefix: bool = False, flags: int = re.I) -> re.Pattern[str]:
    """One alternation of all phrases, longest first (the longest phrase wins where several start together)."""
    ordered = sorted(dict.fromkeys(phrases), key=len, reverse=True)
    return re.compile("|".join(phrase_rx(p, prefix) for p in ordered) or r"(?!)", flags)
