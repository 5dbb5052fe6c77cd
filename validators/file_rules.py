"""File-level rules: `duplicate-file` here; the format, size and page-count codes are listed for the registry.

`unsupported-format`, `corrupt-file`, `encrypted-pdf`, `image-too-large`, `file-too-large` and `active-content`
are raised by `evidence_svc.ingest` while it triages the bytes (before anything expensive runs); they are named in
`codes` so the registry lists every code, and are not checked a second time here.

A duplicate is a file with the same sha256 as an earlier file of the claim, or an image whose perceptual hash
(pHash of the first page, the same bits as ImageHash's `phash`) is within `settings.duplicate_phash_distance` bits of an earlier one. pHash
sees only coarse layout, and two screenshots of one web page template with different orders hash alike, so a
near-identical hash counts only when the text also agrees: the same order IDs, the same numbers and nearly the
same words (or neither image has text).
"""

from __future__ import annotations

import re
from functools import lru_cache

from PIL import Image
from rapidfuzz import fuzz

from evidence_svc.facts.order_ids import find_order_ids, same_order
from evidence_svc.messages import finding
from evidence_svc.model import Finding
from evidence_svc.text import lines_of, page_text

from .base import BaseValidator, CheckContext, FileInput

INGEST_CODES = ("unsupported-format", "corrupt-file", "encrypted-pdf", "image-too-large", "file-too-large",
                "active-content")
MIN_TEXT_SIMILARITY = 90.0  # rapidfuzz ratio of the two files' text for a pHash match to count
MIN_NUMBER_SIMILARITY = 90.0  # ... and of their numbers, which differ between two pages of one template
MIN_TEXT_SIMILARITY_WITH_NUMBERS = 60.0  # text agreement needed when three or more numbers agree


_PHASH_BITS = 8  # 8 x 8 low frequencies of a 32 x 32 thumbnail: ImageHash's phash defaults
_PHASH_SIZE = 32


@lru_cache(maxsize=1)
def _dct():
    """Rows 0..7 of the DCT-II basis (scipy.fftpack's unnormalised type II: 2 cos(pi k (2n + 1) / 2N))."""
    import numpy as np  # here: the duplicate check of cached files compares stored hashes and needs no numpy

    return 2 * np.cos(np.pi * np.outer(np.arange(_PHASH_BITS), 2 * np.arange(_PHASH_SIZE) + 1) / (2 * _PHASH_SIZE))


def image_phash(image: Image.Image) -> str:
    """The hex pHash the pipeline stores in `FileInput.phash` (one definition, so hashes always compare).

    ImageHash's algorithm bit for bit (tests compare the two), computed with a small matrix product instead of
    scipy's DCT: importing scipy cost more start-up time than all of a cached run's work."""
    import numpy as np

    dct = _dct()
    pixels = np.asarray(image.convert("L").resize((_PHASH_SIZE, _PHASH_SIZE), Image.Resampling.LANCZOS),
                        dtype=np.float64)
    # Rounded so that coefficients which are zero in exact arithmetic (flat images) compare as equal.
    low = np.round(dct @ pixels @ dct.T, 6)
    bits = (low > np.median(low)).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):0{_PHASH_BITS * _PHASH_BITS // 4}x}"


def _text(file: FileInput) -> str:
    return "\n".join(page_text(p) for p in file.pages)


def _numbers(text: str) -> str:
    """The digit runs of a text, sorted: order IDs, tracking numbers, amounts and dates are what tell two
    screenshots of one template apart."""
    return " ".join(sorted(m for m in re.findall(r"\d+", text) if len(m) >= 2))


def _same_content(a: FileInput, b: FileInput) -> bool:
    """Near-identical pictures count as one file only when their text agrees too: the same order IDs and
    (allowing OCR noise) the same numbers and words. No text on either side: the picture decides."""
    ta, tb = _text(a), _text(b)
    if not ta.strip() and not tb.strip():
        return True
    ids_a = _ids(a)
    ids_b = _ids(b)
    if not all(any(same_order(x, y) for y in ids_b) for x in ids_a) or not all(
        any(same_order(y, x) for x in ids_a) for y in ids_b
    ):
        return False
    na, nb = _numbers(ta), _numbers(tb)
    if (na or nb) and fuzz.ratio(na, nb) < MIN_NUMBER_SIMILARITY:
        return False
    # With enough numbers agreeing the words only need to agree loosely: OCR of a rescaled copy (CJK above
    # all) reads words differently, while a page of one template with other content differs in its numbers.
    enough_numbers = min(len(na.split()), len(nb.split())) >= 3
    return fuzz.ratio(ta, tb) >= (MIN_TEXT_SIMILARITY_WITH_NUMBERS if enough_numbers else MIN_TEXT_SIMILARITY)


def _ids(file: FileInput) -> set[str]:
    return {h.value for p in file.pages for h in find_order_ids(lines_of(p))}


def phash_distance(a: str, b: str) -> int | None:
    """Bits that differ between two hex hashes; None for hashes of another size or a garbled string."""
    if not isinstance(a, str) or not isinstance(b, str) or len(a) != len(b):
        return None
    try:
        return (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return None


class FileRules(BaseValidator):
    name = "file_rules"
    codes = ("duplicate-file", *INGEST_CODES)

    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]:
        for earlier in ctx.earlier_files:
            if earlier.sha256 == file.sha256:
                return [finding("duplicate-file", value=earlier.name)]
        if file.phash is None:
            return []
        limit = ctx.settings.duplicate_phash_distance
        for earlier in ctx.earlier_files:
            if earlier.phash is None:
                continue
            dist = phash_distance(file.phash, earlier.phash)
            if dist is not None and dist <= limit and _same_content(file, earlier):
                return [finding("duplicate-file", value=earlier.name, threshold=limit)]
        return []
