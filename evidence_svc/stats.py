"""Counters the pipeline keeps in the process that runs it (files, pages, OCR seconds), for metrics and benchmarks.

A module of its own so that `metrics.py` can read them without importing the pipeline's heavy stack. Only the
pipeline writes them; readers treat them as monotonic counters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    """Counters the HTTP metrics and the benchmarks read."""

    files: int = 0
    pages: int = 0
    ocr_seconds: float = 0.0


STATS = Stats()
