"""The OCR result cache: the key (pixels' hash, languages, engine version, reading policy) and the JSON entries.

Entries live in the disk cache (`evidence_svc/cache.py`) under "ocr"; a damaged entry reads as a miss. Nothing here
runs OCR.
"""

from __future__ import annotations

import hashlib
import json
import logging

from PIL import Image

from .. import cache
from ..config import Settings
from ..model import Word
from .result import OcrResult

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the cached JSON shape or the word post-processing changes


def cache_key(image: Image.Image, langs: str, engine: str) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}|{image.mode}|{image.width}x{image.height}|{langs}|{engine}|".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def cache_get(settings: Settings, key: str) -> OcrResult | None:
    raw = cache.read(settings, "ocr", key, ".json")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return OcrResult(words=[Word(**w) for w in data["words"]], confidence=data.get("confidence"),
                         langs=data.get("langs"))
    except Exception:  # a damaged entry is recomputed and overwritten
        log.debug("bad OCR cache entry %s", key, exc_info=True)
        return None


def cache_put(settings: Settings, key: str, result: OcrResult) -> None:
    data = {"words": [w.model_dump() for w in result.words], "confidence": result.confidence, "langs": result.langs}
    cache.write(settings, "ocr", key, ".json", json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())
