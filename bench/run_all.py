"""Run the benchmarks one after another and print their numbers (`make bench`).

Benchmarks are kept out of the test suite (timing on shared machines is noise); each prints its own numbers and
ratios against a baseline measured in the same run. The labelled sets are generated first when missing.

    .venv/bin/python bench/run_all.py            # accuracy + speed (about 20-30 minutes on 2 cores)
    .venv/bin/python bench/run_all.py --quick    # accuracy on both labelled sets, pipeline speed
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable

QUICK = [
    ("validators on the generated calibration set", [PY, "-m", "bench.calibrate"]),
    ("validators and facts on the browser-rendered set", [PY, "bench/eval_browser.py"]),
    ("validators and facts on the real-evidence set (bench/real)", [PY, "bench/eval_real.py"]),
    ("facts on the generated calibration set", [PY, "-m", "bench.bench_facts"]),
    ("pipeline vs bare tesseract, cache, text vs scanned PDF, memory", [PY, "bench/bench_pipeline.py"]),
    ("issue 15 targets: start-up, cold/warm lint, CPU use, text PDF, 300-dpi memory", [PY, "-m", "bench.bench_speed"]),
]
FULL = QUICK + [
    ("OCR engine: tesserocr vs tesseract CLI", [PY, "bench/bench_ocr_engine.py"]),
    ("CJK script fallback: cost on Latin pages, gain on CJK pages", [PY, "-m", "bench.bench_script_fallback"]),
    ("bundle vs lint time, bundle size", [PY, "-m", "bench.bench_bundle"]),
    ("watch --once vs lint + bundle per claim", [PY, "bench/bench_watch.py", "--claims", "40"]),
    ("Celery: 1 vs 2 workers, broker latency", [PY, "bench/bench_workers.py"]),
    ("HTTP upload load", [PY, "-m", "bench.load"]),
    ("HTTP checks: 1 client vs 4 clients, a small claim behind a big one", [PY, "-m", "bench.bench_http"]),
    ("scanned JPEG pages: decoded from the file vs drawn by pdfium", [PY, "-m", "bench.scan_decode"]),
]


def ensure_sets() -> None:
    if not (ROOT / "build" / "calibration" / "labels.jsonl").exists():
        subprocess.run([PY, "-m", "samples.generate", "--only", "calibration"], cwd=ROOT, check=True)
    if not (ROOT / "build" / "browser_set" / "labels.jsonl").exists():
        subprocess.run([PY, "-m", "bench.browser_set.build"], cwd=ROOT, check=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    ensure_sets()
    failed = 0
    for title, cmd in QUICK if args.quick else FULL:
        print(f"\n=== {title}: {' '.join(Path(c).name if c == PY else c for c in cmd)}", flush=True)
        started = time.perf_counter()
        rc = subprocess.run(cmd, cwd=ROOT).returncode
        print(f"--- {time.perf_counter() - started:.0f} s, exit {rc}", flush=True)
        failed += rc != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
