"""Page image -> words with boxes and confidences: the only package that knows tesseract exists.

One tesseract pass per page (TSV output: text, box and confidence together), through tesserocr (libtesseract
in-process, the model stays loaded between pages) or the `tesseract` CLI via pytesseract; `settings.ocr_engine`
chooses, the default is the faster one in `bench/bench_ocr_engine.py` (tesseract.py). Results are cached on disk by
the pixels' hash, the languages, the engine version and the reading policy (result_cache.py), so re-checking an
unchanged file runs no OCR. Small UI text is doubled before reading (preprocess.py); a page whose Latin reading is
garbage is probed for Chinese or Japanese and read again (fallback.py); a poorly read page is turned upright by
orientation detection (orient.py); status-bar, taskbar and camera-stamp clocks are read at their places
(clocks.py); `read.py` puts these together. Failures and
timeouts come back as `OcrResult.error`, never as exceptions. Boxes are always in the pixels of the image given.
Nothing outside this package may call tesseract.
"""

from __future__ import annotations

from .fallback import CJK_LANGS, FALLBACK_VERSION, cjk_script, worth_probing
from .preprocess import glyph_height, upscale_factor
from .read import read_line, read_words
from .result import OcrResult, OcrTimeout
from .result_cache import CACHE_FORMAT, cache_key
from .tesseract import available_langs, engine_for, parse_tsv, tessdata_dir, usable_langs

__all__ = [
    "CACHE_FORMAT", "CJK_LANGS", "FALLBACK_VERSION", "OcrResult", "OcrTimeout", "available_langs", "cache_key",
    "cjk_script", "engine_for", "glyph_height", "parse_tsv", "read_line", "read_words", "tessdata_dir",
    "upscale_factor", "usable_langs", "worth_probing",
]
