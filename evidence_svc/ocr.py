"""Page image -> words with boxes and confidences: the only module that knows tesseract exists.

One tesseract pass per page (TSV output: text, box and confidence together), through tesserocr (libtesseract
in-process, the model stays loaded between pages) or the `tesseract` CLI via pytesseract; `settings.ocr_engine`
chooses, the default is the faster one in `bench/bench_ocr_engine.py`. Results are cached on disk by the
pixels' hash, the languages, the engine version and the reading policy, so re-checking an unchanged file runs no
OCR. Failures and timeouts come back as `OcrResult.error`, never as exceptions. Boxes are always in the pixels of
the image given.

Script fallback: the marketplace decides the languages, but a Chinese seller on amazon.com uploads Cainiao or China
Post pages in Chinese, which `eng` turns into garbage. When the first pass leaves several unreadable letter-words
(`_garbage`), a probe re-reads only those lines (cropped, stacked, one small image) with `jpn` and `chi_sim`; if
either reads them confidently as CJK, the page is read again with that language + eng. Measured in
`bench/bench_script_fallback.py` on both labelled sets: the probe runs on 16 of 188 Latin-script pages (blurred or
tiny text) and adds 1.6 % to their OCR time, reads none of them again, and reads 82 of 94 CJK pages again.
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
    langs: str | None = None  # the languages the words were read with (the script fallback may change them)


def read_words(image: Image.Image, langs: str, settings: Settings) -> OcrResult:
    """Words on `image` in reading order, each with a box in `image` pixels and a line id. Never raises."""
    try:
        langs = usable_langs(langs)
        engine = _engine(settings)
        dpi = _dpi_of(image)
        # The upscale rule is a pure function of the pixels and this setting: key on the setting, so a cache
        # hit does not even measure the glyphs.
        fallback = settings.ocr_script_fallback and not set(langs.split("+")) & set(CJK_LANGS)
        policy = f"{engine.ident}|psm3|up<{settings.ocr_upscale_below_glyph_px:g}|dpi{dpi}"
        key = cache_key(image, langs, policy + (f"|cjk-fallback{FALLBACK_VERSION}" if fallback else ""))
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
                    result = parse_tsv(engine.tsv(work, again, _left(deadline)), scale, image.size)
                    result.langs = again
            except Exception as e:  # no time left (OcrTimeout) or a failed second reading: the first one stands,
                complete = False  # but is not cached as the page's reading
                log.warning("OCR script fallback skipped: %s", type(e).__name__)
        result.seconds = time.perf_counter() - t0
        if complete:
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


def _left(deadline: float) -> float:
    left = deadline - time.perf_counter()
    if left <= 0:
        raise OcrTimeout()
    return left


# ------------------------------------------------------------------------------------------- script fallback

CJK_LANGS = ("jpn", "chi_sim", "chi_tra", "jpn_vert", "chi_sim_vert", "chi_tra_vert")
FALLBACK_VERSION = 2  # part of the cache key: bump when the probe's decision rule changes
_LETTERS = re.compile(r"[A-Za-z]")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
# Calibrated on both labelled sets (bench/bench_script_fallback.py): on pages in Latin script the probe reads at
# most 3 confident CJK characters; on CJK pages 5-130. Clean Latin pages leave under 12 % of their letter-words
# unreadable (icons, logos); CJK pages read with eng 22-100 %.
PROBE_MIN_GARBAGE = 3  # unreadable letter-words before the probe runs
PROBE_MIN_SHARE = 0.15  # ... and their share of all letter-words
PROBE_MIN_CJK = 5  # confidently read CJK characters that make a page CJK
PROBE_CONF = 80.0  # a character counts as confidently read at this word confidence
PROBE_LINES = 5


def _garbage(words: list[Word]) -> list[Word]:
    """What a Latin model makes of CJK text: low-confidence words of two or more letters ("BRE", "SHWSHe")."""
    return [w for w in words if w.conf < 45 and len(_LETTERS.findall(w.text)) >= 2]


def worth_probing(words: list[Word]) -> bool:
    """Enough unreadable letter-words, and a large enough share of them, to look for CJK text (free: no OCR)."""
    garbage = len(_garbage(words))
    letter_words = sum(len(_LETTERS.findall(w.text)) >= 2 for w in words)
    return garbage >= PROBE_MIN_GARBAGE and garbage >= PROBE_MIN_SHARE * letter_words


def cjk_script(image: Image.Image, words: list[Word], engine, deadline: float) -> str | None:
    """'jpn' or 'chi_sim' when the page's unreadable words are Japanese or Chinese text, else None. Reads up to
    five of their lines (cropped, light background, about 40 px tall, stacked into one small image) with jpn
    first: confident kana make it Japanese; otherwise chi_sim decides whether it is Chinese."""
    if not worth_probing(words):
        return None
    have = available_langs()
    probe = _probe_image(image, words, _garbage(words))
    if probe is None:
        return None
    if not have or "jpn" in have:
        good, kana, total = _cjk_read(engine.tsv(probe, "jpn", _left(deadline), psm=6))
        if kana >= 2 and good >= PROBE_MIN_CJK:
            return "jpn"
        if total < PROBE_MIN_CJK:
            return None  # jpn reads Han characters too: hardly any CJK at all means Latin text
    if have and "chi_sim" not in have:
        return None
    chi = _cjk_read(engine.tsv(probe, "chi_sim", _left(deadline), psm=6))
    if chi[0] >= PROBE_MIN_CJK and chi[0] >= 0.4 * chi[2]:
        return "chi_sim"
    return None


def _probe_image(image: Image.Image, words: list[Word], garbage: list[Word]) -> Image.Image | None:
    import numpy as np

    heights = sorted(w.box[3] - w.box[1] for w in words)
    median = heights[len(heights) // 2]
    by_line: dict[int, list[Word]] = {}
    for w in garbage:
        if 0.5 * median <= w.box[3] - w.box[1] <= 2.5 * median:  # not icons, not search boxes
            by_line.setdefault(w.line, []).append(w)
    lines = sorted(by_line.values(), key=lambda ws: -sum(w.box[2] - w.box[0] for w in ws))[:PROBE_LINES]
    crops = []
    for ws in lines:
        x0, y0 = min(w.box[0] for w in ws), min(w.box[1] for w in ws)
        x1, y1 = max(w.box[2] for w in ws), max(w.box[3] for w in ws)
        pad = max(2, (y1 - y0) // 4)
        crop = np.asarray(image.crop((max(0, x0 - pad), max(0, y0 - pad), min(image.width, x1 + pad),
                                      min(image.height, y1 + pad))).convert("L"))
        if np.median(crop) < 128:  # dark mode: light text on dark ground
            crop = 255 - crop
        c = Image.fromarray(crop)
        f = min(3.0, max(1.0, 40 / max(1, y1 - y0)))
        if f > 1.05:
            c = c.resize((round(c.width * f), round(c.height * f)), Image.Resampling.LANCZOS)
        crops.append(c)
    if not crops:
        return None
    canvas = Image.new("L", (max(c.width for c in crops) + 20, sum(c.height + 10 for c in crops) + 10), 255)
    y = 10
    for c in crops:
        canvas.paste(c, (10, y))
        y += c.height + 10
    return canvas


def _cjk_read(tsv: str) -> tuple[int, int, int]:
    """(confident CJK characters, confident kana, all CJK characters) in a probe's TSV."""
    good = kana = total = 0
    for w in parse_tsv(tsv, 1, (10**6, 10**6)).words:
        n = len(_CJK_CHAR.findall(w.text))
        total += n
        if w.conf >= PROBE_CONF:
            good += n
            kana += len(_KANA.findall(w.text))
    return good, kana, total


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
            if len(self._apis) >= 4:  # each loaded model costs 20-100 MB: keep the four most recent
                self._apis.pop(next(iter(self._apis))).End()
            api = self._mod.PyTessBaseAPI(path=tessdata_dir(), lang=langs, psm=self._mod.PSM.AUTO)
        self._apis[langs] = api  # most recently used last
        return api

    def tsv(self, image: Image.Image, langs: str, timeout_s: float, psm: int = 3) -> str:
        if os.getpid() != self._pid:  # forked: never share a parent's engine (or its lock's state)
            self._apis, self._pid, self._lock = {}, os.getpid(), threading.Lock()
        with self._lock:  # one API object is not safe to share between threads (e.g. a web server's)
            api = self._api(langs)
            try:
                api.SetPageSegMode(psm)
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

    def tsv(self, image: Image.Image, langs: str, timeout_s: float, psm: int = 3) -> str:
        with tempfile.TemporaryDirectory(prefix="evidence-ocr-") as d:
            p = os.path.join(d, "page.png")
            dpi = _dpi_of(image)
            image.save(p, format="PNG", compress_level=1, **({"dpi": (dpi, dpi)} if dpi else {}))
            try:
                return self._pt.image_to_data(p, lang=langs, config=f"--psm {psm}", timeout=timeout_s)
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
        return OcrResult(words=[Word(**w) for w in data["words"]], confidence=data.get("confidence"),
                         langs=data.get("langs"))
    except Exception:  # a damaged entry is recomputed and overwritten
        log.debug("bad OCR cache entry %s", key, exc_info=True)
        return None


def _cache_put(settings: Settings, key: str, result: OcrResult) -> None:
    data = {"words": [w.model_dump() for w in result.words], "confidence": result.confidence, "langs": result.langs}
    cache.write(settings, "ocr", key, ".json", json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode())
