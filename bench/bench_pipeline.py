"""Speed and memory of `evidence lint` against bare tesseract on the same pages, in one run.

Prints: bare `tesseract` CLI time for the pages; `evidence lint` cold with 1 worker and with all cores, warm
(cache hit); a text PDF vs the same pages scanned; peak RSS (whole process tree) on a 30-page scanned PDF.
Targets (issue 2): cold/1 worker <= 1.3x bare; cold/all cores <= 0.75x; warm >= 20x faster than cold;
text PDF >= 20x faster than scanned; peak RSS <= 500 MB.

    .venv/bin/python bench/bench_pipeline.py [--pages 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
EVIDENCE = [sys.executable, "-m", "evidence_svc"]
ORDER = "112-1234567-1234567"


def sample_pages(n: int) -> list[Path]:
    claims = ROOT / "samples" / "claims"
    if not any(claims.glob("*/claim.toml")):
        subprocess.run([sys.executable, "-m", "samples.generate", "--only", "claims", "--claims", str(claims)],
                       check=True, cwd=ROOT)
    pics = sorted(p for p in claims.glob("*/*") if p.suffix.lower() in {".png", ".jpg", ".jpeg"})
    if not pics:
        raise SystemExit("no sample images: run `python -m samples.generate` first")
    return [pics[i % len(pics)] for i in range(n)]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def peak_memory(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Seconds, and the peaks of the summed PSS and RSS (MB) of the process and all its children, every 20 ms.

    PSS counts a page shared by forked workers once (divided among them); RSS counts it in every process."""
    started = time.perf_counter()
    proc = psutil.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_pss = peak_rss = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_pss, peak_rss
        while not done.is_set():
            try:
                infos = [p.memory_full_info() for p in [proc] + proc.children(recursive=True) if p.is_running()]
                peak_pss = max(peak_pss, sum(i.pss for i in infos))
                peak_rss = max(peak_rss, sum(i.rss for i in infos))
            except psutil.Error:
                pass
            time.sleep(0.02)

    t = threading.Thread(target=sample)
    t.start()
    proc.wait()
    done.set()
    t.join()
    return time.perf_counter() - started, peak_pss / 1e6, peak_rss / 1e6


def scanned_pdf(pages: list[Path], out: Path) -> Path:
    images = [Image.open(p).convert("RGB") for p in pages]
    images[0].save(out, save_all=True, append_images=images[1:], resolution=200.0)
    return out


def text_pdf(pages: list[Path], out: Path) -> Path:
    """The same pages as a born-digital PDF: each OCR'd line drawn as real text where it stood. Made once, untimed."""
    import pytesseract
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(out))
    for p in pages:
        img = Image.open(p)
        scale = 72 / 200  # the scanned PDF places the images at 200 dpi; keep the same physical size
        pdf.setPageSize((img.width * scale, img.height * scale))
        data = pytesseract.image_to_data(img, output_type=pytesseract.Output.DICT)
        lines: dict[tuple, list[int]] = {}
        for i, text in enumerate(data["text"]):
            if text.strip():
                lines.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
        for idx in lines.values():
            x, y, h = data["left"][idx[0]], data["top"][idx[0]], max(data["height"][i] for i in idx)
            pdf.setFont("Helvetica", max(4.0, h * scale * 0.9))
            pdf.drawString(x * scale, (img.height - y - h) * scale, " ".join(data["text"][i] for i in idx))
        pdf.showPage()
    pdf.save()
    return out


def in_process_warm(files: list[Path], cache: Path) -> float:
    """A warm check inside a running process (the HTTP service, watch mode): no interpreter start-up."""
    from evidence_svc.config import load_settings
    from evidence_svc.model import Claim
    from evidence_svc.pipeline import check_claim

    settings = load_settings(cache_dir=cache)
    check_claim(Claim(order_id=ORDER), files, settings)  # first call pays the lazy imports
    started = time.perf_counter()
    check_claim(Claim(order_id=ORDER), files, settings)
    return time.perf_counter() - started


def in_process_cold(files: list[Path], cache: Path) -> float:
    """A cold check (empty cache) inside a running process: the stage cost without interpreter start-up."""
    from evidence_svc.config import load_settings
    from evidence_svc.model import Claim
    from evidence_svc.pipeline import check_claim

    started = time.perf_counter()
    check_claim(Claim(order_id=ORDER), files, load_settings(cache_dir=cache))
    return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=8)
    args = ap.parse_args()
    pages = sample_pages(args.pages)
    work = Path(tempfile.mkdtemp(prefix="evidence-bench-"))
    env = dict(os.environ)
    try:
        for i, p in enumerate(pages):  # distinct copies: the duplicate check must not short-cut anything
            shutil.copy(p, work / f"p{i}{p.suffix}")
        files = sorted(work.glob("p*"))

        bare = 0.0
        for f in files:
            bare += timed(["tesseract", str(f), "-", "-l", "eng", "tsv"], env)

        def lint(workers: int, cache: Path, target: list[Path]) -> float:
            e = dict(env, EVIDENCE_CACHE_DIR=str(cache))
            return timed([*EVIDENCE, "lint", "--order", ORDER, "--workers", str(workers), "--format", "json",
                          *map(str, target)], e)

        cold1 = lint(1, work / "c1", files)
        cold_all = lint(os.cpu_count() or 2, work / "c2", files)
        warm = lint(os.cpu_count() or 2, work / "c2", files)
        warm_service = in_process_warm(files, work / "c2")

        scanned = scanned_pdf(pages, work / "scanned.pdf")
        texted = text_pdf(pages, work / "text.pdf")
        t_scanned = lint(os.cpu_count() or 2, work / "c3", [scanned])
        t_text = lint(os.cpu_count() or 2, work / "c4", [texted])
        in_scanned = in_process_cold([scanned], work / "c6")
        in_text = in_process_cold([texted], work / "c7")

        big = scanned_pdf(sample_pages(30), work / "scanned30.pdf")
        e = dict(env, EVIDENCE_CACHE_DIR=str(work / "c5"))
        t_big, pss, rss = peak_memory([*EVIDENCE, "lint", "--order", ORDER, "--format", "json", str(big)], e)

        n = len(files)
        print(f"pages: {n} images ({', '.join(sorted({p.name for p in pages}))[:80]}...)")
        print(f"bare tesseract (sequential):      {bare:7.2f} s")
        print(f"evidence lint cold, 1 worker:     {cold1:7.2f} s   ratio {cold1 / bare:5.2f}x  (target <= 1.3x)")
        print(f"evidence lint cold, all cores:    {cold_all:7.2f} s   ratio {cold_all / bare:5.2f}x  (target <= 0.75x)")
        print(f"evidence lint warm (cache hit):   {warm:7.2f} s   {cold_all / warm:5.1f}x faster than cold (target >= 20x)")
        print(f"warm inside a running service:    {warm_service:7.2f} s   {cold_all / warm_service:5.1f}x faster than cold")
        print(f"scanned PDF ({n} pages):           {t_scanned:7.2f} s")
        print(f"text PDF (same {n} pages):         {t_text:7.2f} s   {t_scanned / t_text:5.1f}x faster (target >= 20x)")
        print(f"  the same inside a running service: scanned {in_scanned:.2f} s, text {in_text:.2f} s, "
              f"{in_scanned / in_text:.1f}x faster")
        print(f"30-page scanned PDF:              {t_big:7.2f} s   peak PSS {pss:4.0f} MB (target <= 500 MB), "
              f"RSS summed over processes {rss:4.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
