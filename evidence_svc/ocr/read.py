"""Page image -> words: one tesseract pass per page, cached, with the upscale rule and the script fallback.

`read_words` keys the disk cache on the pixels, the languages and the reading policy, so re-checking an unchanged
file runs no OCR; failures and timeouts come back as `OcrResult.error`, never as exceptions. Boxes are always in
the pixels of the image given. Tesseract itself is behind `tesseract.py`; this module only orchestrates.
"""

from __future__ import annotations

import logging
import time

from PIL import Image

from ..config import Settings
from ..model import Box
from .clocks import CLOCKS_VERSION, read_clocks
from .fallback import CJK_LANGS, FALLBACK_VERSION, cjk_script
from .orient import BETTER_BY, OSD_BELOW, OSD_MIN_CONF, osd_angle, turned_size, unturn
from .preprocess import dpi_of, upscale_factor
from .result import OcrResult, OcrTimeout, left
from .result_cache import cache_get, cache_key, cache_put
from .tesseract import engine_for, parse_tsv, usable_langs

log = logging.getLogger(__name__)


def read_words(image: Image.Image, langs: str, settings: Settings,
               stamp: tuple[Image.Image, Box] | None = None) -> OcrResult:
    """Words on `image` in reading order, each with a box in `image` pixels and a line id. Never raises. `stamp`:
    `clocks.find_stamp` of the colour page when `image` is its grey copy."""
    try:
        langs = usable_langs(langs)
        engine = engine_for(settings)
        dpi = dpi_of(image)
        # The upscale rule is a pure function of the pixels and this setting: key on the setting, so a cache
        # hit does not even measure the glyphs.
        fallback = settings.ocr_script_fallback and not set(langs.split("+")) & set(CJK_LANGS)
        policy = (f"{engine.ident}|psm3|up<{settings.ocr_upscale_below_glyph_px:g}|dpi{dpi}"
                  f"|osd{OSD_BELOW:g}-{OSD_MIN_CONF:g}|clocks{CLOCKS_VERSION}"
                  + ("|stamp" if stamp is not None else ""))
        key = cache_key(image, langs, policy + (f"|cjk-fallback{FALLBACK_VERSION}" if fallback else ""))
        hit = cache_get(settings, key)
        if hit is not None:
            hit.cached = True
            return hit
        t0 = time.perf_counter()
        scale = upscale_factor(image, settings)
        # Grey is what tesseract recognises anyway; converting here costs a third of the memory of RGB.
        work = image if image.mode == "L" else image.convert("L")
        if scale != 1:
            work = work.resize((work.width * scale, work.height * scale), Image.Resampling.LANCZOS)
        if dpi:
            work.info["dpi"] = (dpi * scale, dpi * scale)
        deadline = t0 + settings.ocr_timeout_s
        tsv = engine.tsv(work, langs, settings.ocr_timeout_s)
        result = parse_tsv(tsv, scale, image.size)
        result.langs = langs
        complete = True
        if fallback:
            try:
                script = cjk_script(image, result.words, engine, deadline)
                if script:
                    again = usable_langs(f"{script}+eng")
                    result = parse_tsv(engine.tsv(work, again, left(deadline)), scale, image.size)
                    result.langs = again
            except Exception as e:  # no time left (OcrTimeout) or a failed second reading: the first one stands,
                complete = False  # but is not cached as the page's reading
                log.warning("OCR script fallback skipped: %s", type(e).__name__)
        if complete:
            try:
                result = _upright(image, work, result, langs, scale, engine, deadline)
                result.words += read_clocks(image, result.words,
                                            lambda im, allow: engine.line(im, "eng", min(left(deadline), 10.0), allow),
                                            1 + max((w.line for w in result.words), default=-1), stamp)
            except Exception as e:  # no time left: the reading so far stands, but is not cached
                complete = False
                log.warning("OCR orientation/clock pass skipped: %s", type(e).__name__)
        result.seconds = time.perf_counter() - t0
        if complete:
            cache_put(settings, key, result)
        return result
    except OcrTimeout:
        return OcrResult(error=f"timed out after {settings.ocr_timeout_s:g} s")
    except Exception as e:  # a missing language pack, a killed process ...: the page is unreadable, not fatal
        log.warning("OCR failed: %s", e, exc_info=log.isEnabledFor(logging.DEBUG))
        return OcrResult(error=f"{type(e).__name__}: {e}"[:300])


def _upright(image: Image.Image, work: Image.Image, result: OcrResult, langs: str, scale: int, engine,
             deadline: float) -> OcrResult:
    """The reading of the page turned upright (orient.py) when the first one is poor and OSD is sure of the turn;
    boxes in the pixels of `image`. Otherwise `result` unchanged."""
    if result.confidence is None or result.confidence >= OSD_BELOW or min(image.size) < 200:
        return result
    angle = osd_angle(work, left(deadline))
    if not angle:
        return result
    turned = work.rotate(angle, expand=True)
    again = parse_tsv(engine.tsv(turned, langs, left(deadline)), scale, turned_size(image.size, angle))
    if (again.confidence or 0.0) < result.confidence + BETTER_BY:
        return result
    again.words, again.langs = unturn(again.words, angle, image.size), result.langs
    return again


def read_line(image: Image.Image, langs: str, settings: Settings, allow: str = "") -> str:
    """The text of a small image holding one line, in tesseract's single-line mode: a strip re-read on its own,
    upscaled (e.g. a line cut by the image edge that the page pass did not read). `allow`, when given, is the only
    characters tesseract may output (e.g. digits and date separators). Not cached: a strip takes 10-50 ms. Never
    raises; "" when nothing was read or tesseract failed."""
    try:
        return engine_for(settings).line(image.convert("L"), usable_langs(langs), min(settings.ocr_timeout_s, 10.0),
                                         allow)
    except Exception as e:  # a missing language pack, a timeout ...: nothing read
        log.debug("line OCR failed: %s", e)
        return ""
