"""Amazon order IDs (3-7-7 digits) in OCR'd or PDF text lines, tolerant of the ways OCR garbles them.

`find_order_ids(lines)` returns every order ID seen, normalised to `DDD-DDDDDDD-DDDDDDD`, with the page and pixel
box where it was read. OCR confuses digits with look-alike letters (O/0, l/I/1, S/5, B/8, Z/2 ...), drops or
doubles hyphens and splits long numbers with spaces; all of that is undone here. `same_order(a, b)` compares two
IDs the same tolerant way. This module only reads text: it does not decide whether an ID belongs to a claim.

Seventeen digits without the ID's grouping are ambiguous: a USPS tracking number in a URL bar ("94001
11874970822550856"), a transaction or invoice number. Such a run counts only when the nearest label before it on
its line is an order word (`data/facts/order_ids.toml`) and it stands alone: not part of a longer digit run, not in
a URL, not glued to letters. `normalise` (a claim's own ID, typed by a person) does not ask for a label.

No library parses order IDs out of noisy OCR text, so the scanner below is hand-written.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Iterable

from ..model import Box
from ..text import Line, normalize_text
from .phrases import phrases_rx

# Characters OCR reads in place of a digit. Kept to the confusions tesseract makes on UI fonts; a wider set
# (e.g. A->4) starts turning ordinary words into "digits".
LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "Q": "0", "D": "0", "U": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "L": "1", "]": "1", "[": "1",
    "Z": "2", "z": "2",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "T": "7",
    "B": "8",
    "g": "9", "q": "9",
}
HYPHENS = frozenset("-‐‑‒–—―−~_=.")
SPACES = frozenset(" \t")
GROUPS = (3, 7, 7)
LENGTH = sum(GROUPS)
BOUNDARIES = (3, 10)  # digit counts at which the two hyphens sit
MIN_REAL_DIGITS = 11  # of 17: at most 6 characters may be look-alike letters
MAX_LABEL_GAP = 24  # characters (no digits) between an order word and the hyphen-less run it labels
# A URL before the number on its line (an address bar), or URL punctuation in the number's own token.
_URL_BEFORE = re.compile(r"://|\bwww\.|\b[a-z0-9-]+\.(?:com|net|org|co|de|fr|it|es|jp|cn|uk|gov)\b", re.I)
_URL_CHARS = frozenset("/?=&%#@")


@dataclass(frozen=True)
class OrderIdHit:
    value: str  # normalised DDD-DDDDDDD-DDDDDDD
    page: int
    box: Box
    raw: str  # the text as it was read


@dataclass
class _Segment:
    start: int
    end: int
    digits: str
    real: int  # how many were digits already (not look-alike letters)
    sep_after: str  # "hyphen", "space" or "" (end of run)


def _norm_char(c: str) -> str:
    """Full-width and other compatibility forms to ASCII, one character for one (keeps string offsets). OCR
    text and typed text (claims, replies) arrive unnormalised; PDF words were normalised by ingest already."""
    n = normalize_text(c)
    return n if len(n) == 1 else c


def _digit(c: str) -> tuple[str, bool] | None:
    if c.isascii() and c.isdigit():
        return c, True
    if c in LOOKALIKES:
        return LOOKALIKES[c], False
    return None


def _segments(text: str) -> list[list[_Segment]]:
    """Runs of digit-like segments joined by hyphens/spaces; a run ends at any other character."""
    runs: list[list[_Segment]] = []
    run: list[_Segment] = []
    i, n = 0, len(text)
    while i < n:
        d = _digit(text[i])
        # A look-alike letter glued to real letters is a word, not a digit ("Order", "ID", "Status").
        if d is not None and not d[1] and _in_word(text, i):
            d = None
        if d is None:
            if run:
                runs.append(run)
                run = []
            i += 1
            continue
        start, digits, real = i, [], 0
        while i < n:
            d = _digit(text[i])
            if d is None or (not d[1] and _in_word(text, i)):
                break
            digits.append(d[0])
            real += d[1]
            i += 1
        seg = _Segment(start, i, "".join(digits), real, "")
        run.append(seg)
        j, seps = i, ""
        while j < n and (text[j] in HYPHENS or text[j] in SPACES) and len(seps) < 4:
            seps += text[j]
            j += 1
        nxt = _digit(text[j]) if j < n else None
        if seps and nxt is not None and not (not nxt[1] and _in_word(text, j)):
            seg.sep_after = "hyphen" if any(c in HYPHENS for c in seps) else "space"
            i = j
        else:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def _in_word(text: str, i: int) -> bool:
    """True when text[i] touches a letter that no digit is confused with (so it belongs to a word)."""
    for j in (i - 1, i + 1):
        if 0 <= j < len(text):
            c = text[j]
            if c.isalpha() and c not in LOOKALIKES:
                return True
    return False


def _plausible(segs: list[_Segment]) -> bool:
    """Segments whose digits make one 3-7-7 ID: hyphens where the ID has them, at most one stray space split."""
    count, stray = 0, 0
    for k, seg in enumerate(segs):
        if seg.real == 0 and len(seg.digits) > 1:
            return False  # a whole segment of letters: a word like "SOS", not part of a number
        count += len(seg.digits)
        if k < len(segs) - 1 and count not in BOUNDARIES:
            if segs[k].sep_after == "hyphen":
                return False
            stray += 1
    return stray <= 1 and sum(s.real for s in segs) >= MIN_REAL_DIGITS


def _shaped(segs: list[_Segment]) -> bool:
    """The ID's own grouping is visible: a hyphen at one of its two boundaries, or a break at both."""
    count, breaks, hyphen = 0, 0, False
    for seg in segs[:-1]:
        count += len(seg.digits)
        if count in BOUNDARIES:
            breaks += 1
            hyphen |= seg.sep_after == "hyphen"
    return hyphen or breaks == len(BOUNDARIES)


@lru_cache(maxsize=1)
def _label_rx() -> tuple[re.Pattern[str], re.Pattern[str]]:
    text = resources.files("evidence_svc").joinpath("data/facts/order_ids.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return phrases_rx(data["order"], prefix=True), phrases_rx(data["other"], prefix=True)


def _labelled(text: str, run: list[_Segment], k: int, m: int) -> bool:
    """A hyphen-less run run[k..m] is an order ID only when it is the whole digit run, stands alone (no letter
    glued to it, no URL around it) and the nearest label before it on the line is an order word."""
    if k != 0 or m != len(run) - 1:
        return False  # part of a longer digit run: a 22-digit tracking number split by OCR
    start, end = run[k].start, run[m].end
    before, after = text[start - 1 : start], text[end : end + 1]
    if any(c.isascii() and c.isalpha() for c in before + after):
        return False
    tok_start = text.rfind(" ", 0, start) + 1
    tok_end = text.find(" ", end)
    token = text[tok_start : tok_end if tok_end >= 0 else len(text)]
    if any(c in _URL_CHARS for c in token) or _URL_BEFORE.search(text, 0, start):
        return False
    order_rx, other_rx = _label_rx()
    head = text[:start]
    labels = [(mt.end(), True) for mt in order_rx.finditer(head)] + [(mt.end(), False) for mt in
                                                                     other_rx.finditer(head)]
    if not labels:
        return False
    last_end, is_order = max(labels)
    gap = head[last_end:]
    return is_order and len(gap) <= MAX_LABEL_GAP and not any(c.isdigit() for c in gap)


def _format(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:10]}-{digits[10:]}"


def _scan(text: str, labelled: bool = True) -> list[tuple[int, int, str]]:
    """(start, end, normalised ID) for every order ID in one line of text. With `labelled`, a run without the
    ID's grouping needs an order word before it (`_labelled`)."""
    text = "".join(_norm_char(c) for c in text)
    out: list[tuple[int, int, str]] = []
    for run in _segments(text):
        k = 0
        while k < len(run):
            total, found = 0, None
            for m in range(k, len(run)):
                total += len(run[m].digits)
                if total == LENGTH and _plausible(run[k : m + 1]):
                    found = m
                    break
                if total >= LENGTH:
                    break
            if found is None or (labelled and not _shaped(run[k : found + 1])
                                 and not _labelled(text, run, k, found)):
                k += 1
                continue
            digits = "".join(s.digits for s in run[k : found + 1])
            out.append((run[k].start, run[found].end, _format(digits)))
            k = found + 1
    return out


def find_order_ids(lines: Iterable[Line]) -> list[OrderIdHit]:
    """Every order ID in the lines, in reading order, each with the page and box where it was seen."""
    hits: list[OrderIdHit] = []
    for line in lines:
        for start, end, value in _scan(line.text):
            hits.append(OrderIdHit(value, line.page, line.box_of(start, end), line.text[start:end]))
    return hits


def find_in_text(text: str) -> list[str]:
    """Order IDs in free text (a claim form field, a reply), normalised."""
    return [v for line in text.splitlines() for _, _, v in _scan(line)]


def normalise(order_id: str) -> str | None:
    """`order_id` as DDD-DDDDDDD-DDDDDDD, or None when it does not read as one order ID."""
    found = _scan(order_id.strip(), labelled=False)
    return found[0][2] if len(found) == 1 else None


def _digits(order_id: str) -> str:
    norm = normalise(order_id)
    if norm:
        return norm.replace("-", "")
    return "".join(d[0] for c in order_id if (d := _digit(_norm_char(c))))


def same_order(a: str, b: str, min_similarity: float = 90.0) -> bool:
    """True when two IDs name the same order. Look-alike letters are read as digits, and one misread digit is
    allowed at the default similarity: two different orders of one seller share the 3-digit prefix and little
    else, so one differing position is far likelier an OCR slip than another order."""
    da, db = _digits(a), _digits(b)
    if not da or not db:
        return False
    if da == db:
        return True
    if len(da) != len(db):
        return False
    max_subst = int(len(da) * (100.0 - min_similarity) / 100.0)  # 17 digits at 90%: one
    return sum(x != y for x, y in zip(da, db)) <= max_subst
