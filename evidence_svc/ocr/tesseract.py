"""Tesseract itself: the two ways to run it, where its language packs are, and how to read its TSV output.

Through tesserocr (libtesseract in-process, one loaded model per language set kept between pages) or the
`tesseract` CLI via pytesseract; `settings.ocr_engine` chooses. This is the only code in the project that knows
tesseract exists; it does no caching, upscaling or language decisions (that is `read.py`).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from PIL import Image

from ..config import Settings
from ..model import Word
from ..pools import limit_omp_threads
from .preprocess import dpi_of
from .result import OcrResult, OcrTimeout

# Before libtesseract is loaded (tesserocr import); inherited by the tesseract CLI.
limit_omp_threads()

log = logging.getLogger(__name__)

# Models a tesserocr engine keeps loaded (the least recently used is unloaded first). Each costs memory in every
# worker (measured RSS: eng 18 MB, jpn 38, jpn+eng 47, chi_sim 43, chi_sim+eng 59) and loads again in about 0.1 s,
# so two are kept: the marketplace's languages and one script fallback, or eng for clock and line re-reads.
MAX_LOADED_MODELS = 2


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
            if len(self._apis) >= MAX_LOADED_MODELS:
                self._apis.pop(next(iter(self._apis))).End()
            api = self._mod.PyTessBaseAPI(path=tessdata_dir(), lang=langs, psm=self._mod.PSM.AUTO)
        self._apis[langs] = api  # most recently used last
        return api

    def tsv(self, image: Image.Image, langs: str, timeout_s: float, psm: int = 3, keep: bool = True) -> str:
        """Tesseract's TSV for `image`. `keep=False`: unload the model afterwards (a rarely used one, e.g. the
        script probe's, is cheaper to load again, ~0.1 s, than to hold in every worker)."""
        if os.getpid() != self._pid:  # forked: never share a parent's engine (or its lock's state)
            self._apis, self._pid, self._lock = {}, os.getpid(), threading.Lock()
        with self._lock:  # one API object is not safe to share between threads (e.g. a web server's)
            api = self._api(langs)
            try:
                api.SetPageSegMode(psm)
                api.SetImage(image)
                dpi = dpi_of(image)
                if dpi:
                    api.SetSourceResolution(dpi)
                # timeout 0 means "none" to tesseract: keep at least 1 ms
                if not api.Recognize(timeout=max(1, int(timeout_s * 1000))):
                    raise OcrTimeout()
                return api.GetTSVText(0)
            finally:
                api.Clear()
                if not keep:
                    self._apis.pop(langs).End()

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

    def tsv(self, image: Image.Image, langs: str, timeout_s: float, psm: int = 3, keep: bool = True) -> str:
        with tempfile.TemporaryDirectory(prefix="evidence-ocr-") as d:
            p = os.path.join(d, "page.png")
            dpi = dpi_of(image)
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


def engine_for(settings: Settings):
    """The engine `settings.ocr_engine` names, made once per process (tesserocr falls back to the CLI)."""
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
