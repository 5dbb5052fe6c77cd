"""OCR'd number text: where number-like runs are on a line, and how OCR's letter/digit confusions are undone.

OCR splits long numbers into several words and confuses O/0, l/1, S/5...; this module joins adjacent number-like
words into runs (order IDs, dates and clock times masked out first), offers a digit variant of a chunk with a
confusable letter or two, and repairs a misread S10 or UPS number when exactly one repair makes its check digit
hold. It decides nothing about context or carriers (`finder` does).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .spec import Identified, fits, service_known

CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                             "L": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9"})
_CHUNK = regex.compile(r"[A-Za-z0-9|]+")
# Japanese domestic numbers are printed 4-4-4 with hyphens ("3180-6866-5552"): read as one spaced number.
_HYPHEN_444 = regex.compile(r"(?<![\d-])\d{4}(?P<h1>-)\d{4}(?P<h2>-)\d{4}(?![\d-])")
# Spans that are never part of a tracking number: order IDs, dates, clock times.
_MASK = regex.compile(
    r"(?<!\d)\d{3}\s?-\s?\d{7}\s?-\s?\d{7}(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
    r"|(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d(?!\d)"
    r"|(?<![\d:])\d{1,2}:\d\d(?::\d\d)?(?![\d:])"
)
MAX_RUN = 48  # characters: longer runs are not one number


@dataclass
class Chunk:
    text: str
    start: int  # in line text
    end: int


def numberish(chunk: str) -> bool:
    if any(c.isdigit() for c in chunk):
        return True
    return chunk.isupper() and len(chunk) <= 4  # "1 Z", "TBA", "CN", "YP", "JVGL": parts of a number


def runs(text: str) -> list[list[Chunk]]:
    """Sequences of number-like chunks separated only by spaces (punctuation inside a word ends a run)."""
    masked = _MASK.sub(lambda m: "#" * len(m.group(0)), text)
    masked = _HYPHEN_444.sub(lambda m: m.group(0).replace("-", " "), masked)
    runs: list[list[Chunk]] = []
    cur: list[Chunk] = []
    prev_end = -1
    for m in _CHUNK.finditer(masked):
        s, e = m.span()
        chunk = Chunk(text[s:e], s, e)
        if not numberish(chunk.text):
            if cur:
                runs.append(cur)
            cur, prev_end = [], -1
            continue
        if cur and not (masked[prev_end:s].isspace() and s - prev_end <= 3):
            runs.append(cur)
            cur = []
        cur.append(chunk)
        prev_end = e
    if cur:
        runs.append(cur)
    return runs


def fix_confusions(chunk: str) -> str:
    """Letters OCR reads for digits, replaced when a chunk is otherwise digits (at most two such letters)."""
    letters = [c for c in chunk if not c.isdigit()]
    digits = len(chunk) - len(letters)
    if not letters or len(letters) > 2 or digits < 2 or len(letters) > digits:
        return chunk
    fixed = chunk.translate(CONFUSABLE)
    return fixed if fixed.isdigit() else chunk


_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"})
_SWAPS = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z",
          "D": "0", "G": "6", "6": "G", "L": "1"}


@lru_cache(maxsize=4096)
def repaired(joined: str) -> tuple[Identified, ...]:
    """Readings of a misread S10 (13 characters) or UPS (1Z..., 18) number whose check digit then validates.
    Only a unique single repair counts: two different repairs that both validate mean we cannot tell."""
    if len(joined) == 13:
        fixed = joined[:2].translate(_TO_LETTER) + joined[2:11].translate(CONFUSABLE) + joined[11:].translate(_TO_LETTER)
        if fixed != joined:  # a guess already: its service indicator must be one the S10 standard allocates
            return tuple(h for h in fits(fixed) if h.valid and service_known(h) is not False)
        return ()
    if len(joined) == 18 and joined[:2] in ("1Z", "12", "IZ", "I2", "lZ"):
        # UPS: 1Z, a 6-character shipper, then service and package digits: letters there are misread digits
        base = "1Z" + joined[2:8] + joined[8:].translate(CONFUSABLE)
        found = {h.number: h for h in fits(base) if h.valid}
        if not found:
            for k in range(2, 18):
                alt = _SWAPS.get(base[k])
                if alt:
                    for h in fits(base[:k] + alt + base[k + 1:]):
                        if h.valid:
                            found[h.number] = h
        return tuple(found.values()) if len(found) == 1 else ()
    return ()
