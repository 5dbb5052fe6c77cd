"""Which OCR engine, and whether to upscale small screenshots: measured on the same generated pages.

Renders 10 evidence-like pages with known text (desktop and phone screenshots, small UI crops, dark mode, a
document page, a noisy scan, heavy JPEG, German), then OCRs each page with every engine configuration, cache
off, and prints per-page seconds and word recall (share of the drawn words that tesseract returned exactly).

    .venv/bin/python bench/bench_ocr_engine.py            # engines: tesserocr (in-process) vs tesseract CLI
    .venv/bin/python bench/bench_ocr_engine.py --repeat 3 # more stable timings
    .venv/bin/python bench/bench_ocr_engine.py --memory   # peak RSS: 30-page scanned PDF, ingest + OCR in one process

Engines compared:
  tesserocr        libtesseract in this process, image passed in memory, model kept loaded between pages
  cli-png          tesseract program via pytesseract, image written as a lossless PNG path (what ocr.py does)
  cli-inmem-jpeg   pytesseract given a JPEG-sourced PIL image (re-encoded as JPEG q75: the pitfall, for contrast)
Upscaling (tesserocr): never, the default rule (2x when the median glyph is under 10.5 px), and always.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw, ImageFilter, ImageFont  # noqa: E402

from evidence_svc import ocr  # noqa: E402
from evidence_svc.config import load_settings  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_B = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
SERIF = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"

LINES_EN = [
    "Order ID: 112-1234567-1234567",
    "Package was delivered on March 3, 2024 at 10:42 AM",
    "Tracking number 1Z999AA10123456784 via UPS Ground",
    "Left at front door. Signed by: RESIDENT",
    "Refund issued: $23.45 to Visa ending in 4242",
    "Buyer message: Where is my parcel? It has not arrived yet.",
    "Seller reply: The carrier shows delivery to your mailbox.",
    "Estimated delivery Friday, March 1 - Monday, March 4",
]
LINES_DE = [
    "Bestellnummer: 302-7654321-7654321",
    "Zugestellt am 14. Februar 2024 um 09:17 Uhr",
    "Sendungsnummer 00340434161094042557 DHL Paket",
    "Erstattung: 19,99 EUR an Ihr Konto",
    "Die Sendung wurde im Briefkasten abgelegt.",
]


def _font(path: str, px: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, px)
    except OSError:
        return ImageFont.truetype(FONT, px)


def _text_page(size, lines, px, *, fg=(20, 20, 20), bg=(255, 255, 255), font=FONT, x=24, gap=1.7, chrome=True):
    im = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(im)
    if chrome:  # a browser-like toolbar and a side panel: not plain text on white
        d.rectangle((0, 0, size[0], max(28, px * 2)), fill=(222, 226, 232) if bg[0] > 128 else (40, 42, 48))
        d.rectangle((size[0] - size[0] // 5, max(28, px * 2), size[0], size[1]),
                    fill=(245, 246, 248) if bg[0] > 128 else (30, 32, 36))
    y = max(28, px * 2) + px
    f = _font(font, px)
    words: list[str] = []
    for i, line in enumerate(lines):
        d.text((x, y), line, fill=fg, font=_font(FONT_B, px) if i == 0 else f)
        words += line.split()
        y += int(px * gap)
        if y > size[1] - px * 2:
            break
    return im, words


def pages() -> list[tuple[str, Image.Image, str, list[str]]]:
    """(name, image, langs, ground-truth words)."""
    rnd = random.Random(7)
    out = []
    im, w = _text_page((1920, 1080), LINES_EN * 2, 15)
    out.append(("desktop-1920-15px", im, "eng", w))
    im, w = _text_page((1170, 2532), LINES_EN * 3, 42, x=40, gap=2.2)
    out.append(("phone-1170-42px", im, "eng", w))
    im, w = _text_page((640, 300), LINES_EN[:5], 11, x=10, gap=1.6, chrome=False)
    out.append(("crop-640-11px", im, "eng", w))
    im, w = _text_page((900, 420), LINES_EN[:6], 12, x=12, gap=1.6)
    out.append(("crop-900-12px", im, "eng", w))
    im, w = _text_page((1280, 720), LINES_EN, 13, fg=(225, 225, 225), bg=(28, 28, 30))
    out.append(("dark-1280-13px", im, "eng", w))
    im, w = _text_page((1700, 2200), LINES_EN * 4, 28, font=SERIF, x=150, chrome=False)
    out.append(("doc-200dpi-10pt", im, "eng", w))
    im, w = _text_page((1275, 1650), LINES_EN * 3, 21, font=SERIF, x=110, chrome=False)
    noisy = im.convert("L").filter(ImageFilter.GaussianBlur(0.6))
    px = noisy.load()
    for _ in range(60_000):
        x, y = rnd.randrange(noisy.width), rnd.randrange(noisy.height)
        px[x, y] = rnd.choice((0, 255))
    out.append(("scan-150dpi-noise", noisy.convert("RGB"), "eng", w))
    im, w = _text_page((1366, 768), LINES_EN, 14)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=35)
    out.append(("jpeg-q35-1366-14px", Image.open(io.BytesIO(buf.getvalue())), "eng", w))
    im, w = _text_page((1440, 900), LINES_DE * 2, 16)
    out.append(("german-1440-16px", im, "deu+eng", w))
    im, w = _text_page((1100, 600), LINES_EN, 12, x=14, gap=1.6)
    out.append(("small-1100-12px", im, "eng", w))
    return out


def recall(truth: list[str], found: list[str]) -> float:
    want, got = Counter(truth), Counter(found)
    return sum(min(n, got[t]) for t, n in want.items()) / max(1, sum(want.values()))


def run_engine(name: str, im: Image.Image, langs: str, upscale_below: float, timeout: float) -> tuple[float, list[str]]:
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        if name == "cli-inmem-jpeg":
            import pytesseract

            buf = io.BytesIO()
            im.convert("RGB").save(buf, "JPEG", quality=95)
            src = Image.open(io.BytesIO(buf.getvalue()))  # format JPEG: pytesseract re-saves it as JPEG q75
            tsv = pytesseract.image_to_data(src, lang=langs, config="--psm 3")
            words = [w.text for w in ocr.parse_tsv(tsv, 1, im.size).words]
        else:
            engine = "tesserocr" if name.startswith("tesserocr") else "cli"
            upscale_below = {"never": 0.0, "always": 1e6}.get(name.rsplit("-", 1)[-1], upscale_below)
            s = load_settings(cache_dir=Path(cache), ocr_engine=engine, ocr_upscale_below_glyph_px=upscale_below,
                              ocr_timeout_s=timeout)
            r = ocr.read_words(im, langs, s)
            if r.error:
                raise SystemExit(f"{name}: {r.error}")
            words = [w.text for w in r.words]
        return time.perf_counter() - t0, words


def memory(pages_n: int = 30) -> None:
    """Peak RSS of open_source + render_page + read_words over a scanned PDF, one page at a time, in one process
    (what one pool worker does for a whole file, the worst case)."""
    import resource

    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    from evidence_svc.ingest import open_source, render_page

    with tempfile.TemporaryDirectory() as d:
        scan, _ = _text_page((2550, 3300), LINES_EN * 4, 42, font=SERIF, x=220, chrome=False)  # 300 dpi letter
        pdf = Path(d) / "scan.pdf"
        c = canvas.Canvas(str(pdf), pagesize=letter)
        for i in range(pages_n):  # every page different, so no page is an OCR cache hit
            page = scan.convert("L")
            ImageDraw.Draw(page).text((220, 3000), f"Page {i + 1} of {pages_n}", fill=0, font=_font(SERIF, 42))
            jpg = Path(d) / f"scan{i}.jpg"
            page.save(jpg, quality=25)
            c.drawImage(str(jpg), 0, 0, width=612, height=792)
            c.showPage()
        c.save()
        s = load_settings(cache_dir=Path(d) / "cache")
        t0 = time.perf_counter()
        src = open_source(pdf, s)
        assert src.readable, src.findings
        words = 0
        for i in range(src.page_count):
            rp = render_page(src, i, s)
            words += len(ocr.read_words(rp.image, "eng", s).words)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{pages_n}-page scanned PDF ({pdf.stat().st_size / 1e6:.1f} MB, {rp.page.dpi:g} dpi): "
              f"{time.perf_counter() - t0:.1f} s, {words} words, peak RSS {rss:.0f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--memory", action="store_true", help="measure peak RSS on a 30-page scanned PDF instead")
    args = ap.parse_args()
    if args.memory:
        memory()
        return

    data = pages()
    # Warm up: load each language model once in this process (what a long-lived worker does).
    for langs in {p[2] for p in data}:
        run_engine("tesserocr", data[0][1].crop((0, 0, 200, 100)), langs, 0.0, args.timeout)

    default_rule = load_settings().ocr_upscale_below_glyph_px
    configs = [("tesserocr-up-never", 0.0), ("cli-png-up-never", 0.0), ("cli-inmem-jpeg", 0.0),
               ("tesserocr-up-rule", default_rule), ("tesserocr-up-always", 0.0)]
    res: dict[str, list[tuple[float, float]]] = {c: [] for c, _ in configs}
    print(f"{'page (glyph px)':22s} " + " ".join(f"{c:>22s}" for c, _ in configs))
    for name, im, langs, truth in data:
        row = []
        for cfg, up in configs:
            times, rec = [], 0.0
            for _ in range(args.repeat):
                dt, words = run_engine(cfg, im, langs, up, args.timeout)
                times.append(dt)
                rec = recall(truth, words)
            t = statistics.median(times)
            res[cfg].append((t, rec))
            row.append(f"{t:7.2f}s recall {rec:5.3f}")
        label = f"{name} ({ocr.glyph_height(im) or 0:g})"
        print(f"{label:22s} " + " ".join(f"{c:>22s}" for c in row), flush=True)
    print()
    small = [i for i, (_, im, _, _) in enumerate(data) if (ocr.glyph_height(im) or 99) < default_rule]
    for cfg, _ in configs:
        ts = [t for t, _ in res[cfg]]
        rs = [r for _, r in res[cfg]]
        rs_small = [res[cfg][i][1] for i in small]
        print(f"{cfg:22s} total {sum(ts):6.2f}s  mean recall {statistics.mean(rs):.3f}  "
              f"on the {len(small)} small-text pages {statistics.mean(rs_small):.3f}")
    print(f"\ntesseract CLI {ocr.engine_for(load_settings(ocr_engine='cli')).ident}, "
          f"tesserocr {ocr.engine_for(load_settings(ocr_engine='tesserocr')).ident}, OMP_THREAD_LIMIT="
          f"{os.environ.get('OMP_THREAD_LIMIT')}")


if __name__ == "__main__":
    main()
