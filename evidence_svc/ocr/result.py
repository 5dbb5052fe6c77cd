"""What one OCR reading gives back (`OcrResult`) and the time budget it runs under (`OcrTimeout`, `left`).

Plain data and one clock helper, shared by the engines, the script fallback and the cache; no tesseract here.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..model import Word


@dataclass
class OcrResult:
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence 0..100
    error: str | None = None  # e.g. "timed out after 120 s"; words empty then
    cached: bool = False
    seconds: float = 0.0  # time spent in tesseract (0 on a cache hit)
    langs: str | None = None  # the languages the words were read with (the script fallback may change them)


class OcrTimeout(Exception):
    pass


def left(deadline: float) -> float:
    """Seconds left before `deadline` (a `time.perf_counter()` value); raises OcrTimeout when none are."""
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise OcrTimeout()
    return remaining
