"""Page image -> words with boxes and confidences: the only module that knows tesseract exists.

One tesseract pass per page (TSV output: text, box and confidence together), through tesserocr (libtesseract
in-process, the model stays loaded between pages) or the `tesseract` CLI via pytesseract; `settings.ocr_engine`
chooses, the default is the faster one in `bench/bench_ocr_engine.py`. Results are cached on disk by the
pixels' hash, the languages and the engine version, so re-checking an unchanged file runs no OCR. Failures and
timeouts come back as `OcrResult.error`, never as exceptions. Boxes are always in the pixels of the image given.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image

from . import cache
from .config import Settings
from .model import Word

# libtesseract's OpenMP threads fight the process pool for the same cores; one thread per process is faster
# overall. Set before libtesseract is loaded (tesserocr import) and inherited by the tesseract CLI.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the cached JSON shape or the word post-processing changes


@dataclass
class OcrResult:
    words: list[Word] = field(default_factory=list)
    confidence: float | None = None  # mean word confidence 0..100
    error: str | None = None  # e.g. "timed out after 120 s"; words empty then
    cached: bool = False
    seconds: float = 0.0  # time spent in tesseract (0 on a cache hit)


def read_words(image: Image.Image, langs: str, settings: Settings) -> OcrResult:
    """Words on `image` in reading order, each with a box in `image` pixels and a line id. Never raises."""
    try:
        langs = usable_langs(langs)
        engine = _engine(settings)
        dpi = _dpi_of(image)
        # The upscale rule is a pure function of the pixels and this setting: key on the setting, so a cache
        # hit does not even measure the glyphs.
        key = cache_key(image, langs, f"{engine.ident}|psm3|up<{settings.ocr_upscale_below_glyph_px:g}|dpi{dpi}")
        hit = _cache_get(settings, key)
        if hit is not None:
            hit.cached = True
            return hit
        t0 = time.perf_counter()
        scale = _upscale_factor(image, settings)
        # Grey is what tesseract recognises anyway; converting here costs a third of the memory of RGB.
        work = image.convert("L")
        if scale != 1:
            work = work.resize((work.width * scale, work.height * scale), Image.Resampling.LANCZOS)
        if dpi:
            work.info["dpi"] = (dpi * scale, dpi * scale)
        tsv = engine.tsv(work, langs, settings.ocr_timeout_s)
        result = parse_tsv(tsv, scale, image.size)
        result.seconds = time.perf_counter() - t0
        _cache_put(settings, key, result)
        return result
    except OcrTimeout:
        return OcrResult(error=f"timed out after {settings.ocr_timeout_s:g} s")
    except Exception as e:  # a missing language pack, a killed process ...: the page is unreadable, not fatal
        log.warning("OCR failed: %s", e, exc_info=log.isEnabledFor(logging.DEBUG))
        return OcrResult(error=f"{type(e).__name__}: {e}"[:300])


def read_line(image: Image.Image, langs: str, settings: Settings, allow: str = "") -> str:
    """The text of a small image holding one line, in tesseract's single-line mode: a strip re-read on its own,
    upscaled (e.g. a line cut by the image edge that the page pass did not read). `allow`, when given, is the only
    characters tesseract may output (e.g. digits and date separators). Not cached: a strip takes 10-50 ms. Never
    raises; "" when nothing was read or tesseract failed."""
    try:
        return _engine(settings).line(image.convert("L"), usable_langs(langs), min(settings.ocr_timeout_s, 10.0),
                                      allow)
    except Exception as e:  # a missing language pack, a timeout ...: nothing read
        log.debug("line OCR failed: %s", e)
        return ""


class OcrTimeout(Exception):
    pass


def _dpi_of(image: Image.Image) -> int | None:
    try:
        dpi = float(image.info.get("dpi", (0, 0))[0])
    except (TypeError, ValueError, IndexError):
        return None
    return int(round(dpi)) if dpi > 1 else None


def _upscale_factor(image: Image.Image, settings: Settings) -> int:
    """2 for small UI text (median glyph height under `ocr_upscale_below_glyph_px`), else 1. Measured in
    bench/bench_ocr_engine.py: doubling lifts word recall on 11-13 px screenshot text and lowers it on large or
    noisy text, so the decision follows the text size, not the image size. Boxes are scaled back."""
    limit = settings.ocr_upscale_below_glyph_px
    if not limit or image.width * image.height * 4 > settings.max_image_pixels or image.width * 2 > 8000:
        return 1
    h = glyph_height(image)
    return 2 if h is not None and h < limit else 1


def glyph_height(image: Image.Image) -> float | None:
    """Median height in pixels of letter-like connected components (Otsu ink, either polarity), or None when
    the image has too few to tell. About 20 ms for a full-HD screenshot."""
    import cv2
    import numpy as np

    gray = np.asarray(image.convert("L"))
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    if ink.mean() > 127:  # dark mode: the text is the light minority
        ink = 255 - ink
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h = stats[1:, cv2.CC_STAT_HEIGHT]
    w = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (h >= 4) & (h <= 200) & (w <= 3 * h)  # drop specks, rules and boxes
    return float(np.median(h[keep])) if int(keep.sum()) >= 10 else None


# ------------------------------------------------------------------------------------------------ engines


class _Tesserocr:
    """libtesseract in this process; one loaded API per language set, kept for the life of the process."""

    name = "tesserocr"

    def __init__(self) -> None:
        import tesserocr

        self._mod = tesserocr
        self.ident = "tesserocr-" + tesserocr.tesseract_version().split()[1]
        self._apis: dict[str, object] = {}
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def _api(self, langs: str):
        api = self._apis.pop(langs, None)
        if api is None:
            if len(self._apis) >= 3:  # each loaded model costs 20-100 MB: keep the three most recent
                self._apis.pop(next(iter(self._apis))).End()
            api = self._mod.PyTessBaseAPI(path=tessdata_dir(), lang=langs, psm=self._mod.PSM.AUTO)
        self._apis[langs] = api  # most recently used last
        return api

    def tsv(self, image: Image.Image, langs: str, timeout_s: float) -> str:
        if os.getpid() != self._pid:  # forked: never share a parent's engine (or its lock's state)
            self._apis, self._pid, self._lock = {}, os.getpid(), threading.Lock()
        with self._lock:  # one API object is not safe to share between threads (e.g. a web server's)
            api = self._api(langs)
            try:
                api.SetImage(image)
                dpi = _dpi_of(image)
                if dpi:
                    api.SetSourceResolution(dpi)
                # timeout 0 means "none" to tesseract: keep at least 1 ms
                if not api.Recognize(timeout=max(1, int(timeout_s * 1000))):
                    raise OcrTimeout()
                return api.GetTSVText(0)
            finally:
                api.Clear()

    def line(self, image: Image.Image, langs: str, timeout_s: float, allow: str = "") -> str:
        if os.getpid() != self._pid:
            self._apis, self._pid, self._lock = {}, os.getpid(), threading.Lock()
        with self._lock:
            api = self._api(langs)
            api.SetPageSegMode(self._mod.PSM.SINGLE_LINE)
            api.SetVariable("tessedit_char_whitelist", allow)
            try:
                api.SetImage(image)
                if not api.Recognize(timeout=max(1, int(timeout_s * 1000))):
                    raise OcrTimeout()
                return (api.GetUTF8Text() or "").strip()
            finally:
                api.Clear()
                api.SetPageSegMode(self._mod.PSM.AUTO)
                api.SetVariable("tessedit_char_whitelist", "")


class _Cli:
    """The `tesseract` program through pytesseract, given a lossless PNG path (an in-memory image would be
    re-encoded in its original format, JPEG q75 for JPEG sources)."""

    name = "cli"

    def __init__(self) -> None:
        import pytesseract

        self._pt = pytesseract
        self.ident = "cli-" + str(pytesseract.get_tesseract_version())

    def tsv(self, image: Image.Image, langs: str, timeout_s: float) -> str:
        with tempfile.TemporaryDirectory(prefix="evidence-ocr-") as d:
            p = os.path.join(d, "page.png")
            dpi = _dpi_of(image)
            image.save(p, format="PNG", compress_level=1, **({"dpi": (dpi, dpi)} if dpi else {}))
            try:
                return self._pt.image_to_data(p, lang=langs, config="--psm 3", timeout=timeout_s)
            except RuntimeError as e:
                if "timeout" in str(e).lower():
                    raise OcrTimeout() from e
                raise

    def line(self, image: Image.Image, langs: str, timeout_s: float, allow: str = "") -> str:
        with tempfile.TemporaryDirectory(prefix="evidence-ocr-") as d:
            p = os.path.join(d, "line.png")
            image.save(p, format="PNG", compress_level=1)
            config = "--psm 7" + (f" -c tessedit_char_whitelist={allow}" if allow else "")
            return self._pt.image_to_string(p, lang=langs, config=config, timeout=timeout_s).strip()


_ENGINES: dict[str, object] = {}


def _engine(settings: Settings):
    name = settings.ocr_engine
    eng = _ENGINES.get(name)
    if eng is None:
        if name == "tesserocr":
            try:
                eng = _Tesserocr()
            except ImportError:  # no wheel for this platform: the CLI reads the same words, slower
                log.warning("tesserocr is not installed; using the tesseract program")
                eng = _Cli()
        else:
            eng = _Cli()
        _ENGINES[name] = eng
    return eng


@lru_cache(maxsize=1)
def tessdata_dir() -> str:
    """Where the installed language packs are: $TESSDATA_PREFIX, else what the tesseract program reports."""
    env = os.environ.get("TESSDATA_PREFIX")
    if env and Path(env).is_dir():
        return env.rstrip("/") + "/"
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30).stdout
        m = re.search(r'"([^"]+)"', out)
        if m:
            return m.group(1).rstrip("/") + "/"
    except (OSError, subprocess.SubprocessError):
        pass
    for cand in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata", "/usr/local/share/tessdata"):
        if Path(cand).is_dir():
            return cand + "/"
    return "./"


@lru_cache(maxsize=1)
def available_langs() -> frozenset[str]:
    return frozenset(p.stem for p in Path(tessdata_dir()).glob("*.traineddata"))


def usable_langs(langs: str) -> str:
    """The installed part of `langs` ("deu+eng"), so a missing pack degrades to the others; raises when none is
    installed (the caller turns that into an `unreadable` result)."""
    have = available_langs()
    wanted = [lang for lang in langs.split("+") if lang]
    if not have:  # cannot tell (unusual layout): let tesseract decide
        return "+".join(wanted)
    ok = [lang for lang in wanted if lang in have]
    missing = [lang for lang in wanted if lang not in have]
    if missing:
        log.warning("tesseract language packs not installed: %s", ", ".join(missing))
    if not ok:
        raise LookupError(f"tesseract language pack not installed: {', '.join(missing)}")
    return "+".join(ok)


# ------------------------------------------------------------------------------------------------ parsing


def parse_tsv(tsv: str, scale: int, size: tuple[int, int]) -> OcrResult:
    """Tesseract TSV -> words in original pixels. Line ids number (block, paragraph, line) in reading order;
    empty words and conf < 0 (layout rows) are dropped."""
    words: list[Word] = []
    line_ids: dict[tuple[str, str, str, str], int] = {}
    w_max, h_max = size
    for row in tsv.splitlines():
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        text = cols[11].strip()
        try:
            conf = float(cols[10])
            left, top, width, height = (int(c) for c in cols[6:10])
        except ValueError:
            continue
        if not text or conf < 0:
            continue
        lid = line_ids.setdefault((cols[1], cols[2], cols[3], cols[4]), len(line_ids))
        x0, y0 = left // scale, top // scale
        x1, y1 = -(-(left + width) // scale), -(-(top + height) // scale)
        box = (max(0, x0), max(0, y0), min(w_max, max(x1, x0 + 1)), min(h_max, max(y1, y0 + 1)))
        words.append(Word(text=text, box=box, conf=round(conf, 2), line=lid))
    conf = round(sum(w.conf for w in words) / len(words), 2) if words else None
    return OcrResult(words=words, confidence=conf)


# -------------------------------------------------------------------------------------------------- cache


def cache_key(image: Image.Image, langs: str, engine: str) -> str:
    h = hashlib.sha256()
    h.update(f"{CACHE_FORMAT}|{image.mode}|{image.width}x{image.height}|{langs}|{engine}|".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _cache_get(settings: Settings, key: str) -> OcrResult | None:
    raw = cache.read(settings, "ocr", key, ".json")
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return OcrResult(words=[Word(**w) for w in data["words"]], confidence=data.get("confidence"))
    except Exception:  # a damaged entry is recomputed and overwritten
        log.debug("bad OCR cache entry %s", key, exc_info=True)
        return None


def _cache_put(settings: Settings, key: str, result: OcrResult) -> None:
    data = {"words": [w.model_dump() for w in result.words], "confidence": result.confidence}
    cache.write(settings, "ocr", key, ".json", json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())
