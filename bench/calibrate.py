"""Precision and recall of every finding code on the labelled calibration set, through the real stack.

    .venv/bin/python -m bench.calibrate                          # build/calibration/labels.jsonl
    .venv/bin/python -m bench.calibrate --set DIR --workers 2 --show-all
    .venv/bin/python -m bench.calibrate --sanity                 # also real images from other projects

Each labelled file (samples/calibration.py writes `labels.jsonl`: file, order_id, claim_tracking, marketplace,
group, expect_codes, absent_codes, notes) is checked against its claim with `evidence_svc.pipeline` (ingest, OCR,
validators, facts; files of one `group` form one claim so duplicates are judged). Per code:
TP = expected and raised, FN = expected and not raised, FP = listed absent and raised; codes in neither list are
"don't care" for that file. "False errors on clean files" counts error-severity findings on files that expect no
finding at all. The calibration targets (issue 2): precision and recall >= 0.95 for blurry, low-resolution,
timestamp-cropped, timestamp-missing and order-mismatch, and zero false errors on clean files.

`--sanity` runs the corpus images in tests/data/corpus (real files from other projects, no labels) and prints
what each got: none of them should be called blurry or low-resolution unless it really is unreadable.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TARGET_CODES = ("blurry", "low-resolution", "timestamp-cropped", "timestamp-missing", "order-mismatch")
SANITY = ["ocrmypdf/linn.png", "ocrmypdf/crom.png", "ocrmypdf/baiona_alpha.png", "ocrmypdf/baiona_colormapped.png",
          "paperless/simple-alpha.png", "paperless/simple-no-dpi.png", "paperless/no-text-alpha.png",
          "ocrmypdf/poster.pdf", "ocrmypdf/aspect.pdf", "ocrmypdf/c02-22.pdf", "ocrmypdf/skew.pdf"]


def _settings(workers: int = 1):
    from evidence_svc.config import load_settings

    return load_settings(workers=workers)


def _claim(rec: dict):
    from evidence_svc.model import Claim

    return Claim(order_id=rec["order_id"], marketplace=rec.get("marketplace", "US"),
                 tracking=list(rec.get("claim_tracking") or []))


def check_paths(paths: list[Path], claim, settings) -> list[list]:
    """Findings per file for the files of one claim, through the whole pipeline (claim checks included: they
    raise the per-file tracking-mismatch)."""
    from evidence_svc import pipeline

    return [rep.findings for rep in pipeline.check_claim(claim, paths, settings).files]


def check_group(setdir: str, recs: list[dict]) -> list[tuple[str, list[dict], float]]:
    """Check the files of one claim in order; returns (file, findings as dicts, seconds) per file."""
    settings = _settings()
    paths = [Path(setdir) / r["file"] for r in recs]
    t0 = time.perf_counter()
    per_file = check_paths(paths, _claim(recs[0]), settings)
    if len({(r["order_id"], tuple(r.get("claim_tracking") or [])) for r in recs}) > 1:
        # A group of look-alike files from different claims (duplicates are judged across the group): every
        # other code is judged against each file's own claim.
        own = [check_paths([p], _claim(r), settings)[0] for p, r in zip(paths, recs)]
        per_file = [[f for f in fs if f.code != "duplicate-file"] + [f for f in grp if f.code == "duplicate-file"]
                    for fs, grp in zip(own, per_file)]
    dt = (time.perf_counter() - t0) / len(recs)
    return [(r["file"], [f.model_dump(mode="json") for f in fs], dt) for r, fs in zip(recs, per_file)]


def load_labels(setdir: Path) -> list[dict]:
    path = setdir / "labels.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(setdir: Path, workers: int) -> tuple[list[dict], dict[str, list[dict]], float]:
    recs = load_labels(setdir)
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in recs:
        groups[r.get("group") or r["file"]].append(r)
    found: dict[str, list[dict]] = {}
    seconds = 0.0
    jobs = list(groups.values())
    if workers <= 1:
        results = [check_group(str(setdir), g) for g in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as ex:
            results = list(ex.map(check_group, [str(setdir)] * len(jobs), jobs))
    for res in results:
        for name, fs, dt in res:
            found[name] = fs
            seconds += dt
    return recs, found, seconds


def score(recs: list[dict], found: dict[str, list[dict]]):
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    wrong: list[tuple[str, str, str, str]] = []
    false_errors: list[tuple[str, str, str]] = []
    clean_files = 0
    for r in recs:
        fs = found.get(r["file"], [])
        raised = {f["code"] for f in fs}
        for code in r["expect_codes"]:
            if code in raised:
                stats[code]["tp"] += 1
            else:
                stats[code]["fn"] += 1
                wrong.append((r["file"], code, "FN", r.get("notes", "")))
        for code in r["absent_codes"]:
            if code in raised:
                stats[code]["fp"] += 1
                msg = next(f["message"] for f in fs if f["code"] == code)
                wrong.append((r["file"], code, "FP", msg))
        if not r["expect_codes"]:
            clean_files += 1
            for f in fs:
                if f["severity"] == "error":
                    false_errors.append((r["file"], f["code"], f["message"]))
    return stats, wrong, false_errors, clean_files


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.3f}"


def report(recs, found, seconds, show_all: bool) -> int:
    stats, wrong, false_errors, clean_files = score(recs, found)
    print(f"{len(recs)} labelled files, {clean_files} clean; {seconds:.1f} s of checking "
          f"({seconds / max(len(recs), 1):.2f} s per file)\n")
    print(f"{'code':20s} {'TP':>4s} {'FP':>4s} {'FN':>4s} {'precision':>9s} {'recall':>7s}  target")
    failed = 0
    codes = sorted(stats, key=lambda c: (c not in TARGET_CODES, c))
    for code in codes:
        s = stats[code]
        p, rc = _ratio(s["tp"], s["tp"] + s["fp"]), _ratio(s["tp"], s["tp"] + s["fn"])
        target = code in TARGET_CODES
        ok = (p is None or p >= 0.95) and (rc is None or rc >= 0.95)
        failed += target and not ok
        mark = ("ok" if ok else "MISSED") if target else ""
        print(f"{code:20s} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d} {_fmt(p):>9s} {_fmt(rc):>7s}  {mark}")
    print(f"\nfalse errors on clean files: {len(false_errors)}")
    for name, code, msg in false_errors:
        print(f"  {name}: {code}: {msg}")
    shown = [w for w in wrong if show_all or w[1] in TARGET_CODES]
    if shown:
        print("\nmisclassified:")
        for name, code, kind, why in sorted(shown):
            print(f"  {kind} {code:18s} {name}  ({why})")
    return 1 if failed or false_errors else 0


def sanity(corpus: Path, workers: int) -> None:
    from evidence_svc.model import Claim

    settings = _settings(workers)
    claim = Claim(order_id="112-1234567-1234567")
    print(f"\nsanity check on real images ({corpus}):")
    for rel in SANITY:
        p = corpus / rel
        if not p.exists():
            continue
        findings = check_paths([p], claim, settings)[0]
        codes = [f"{f.code}({f.value})" for f in findings if f.code not in ("order-missing",)]
        print(f"  {rel:36s} {', '.join(codes) or 'no readability findings'}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", type=Path, default=REPO / "build" / "calibration", help="folder with labels.jsonl")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--show-all", action="store_true", help="list misclassified files for every code")
    ap.add_argument("--sanity", action="store_true", help="also run the real images in tests/data/corpus")
    ap.add_argument("--corpus", type=Path, default=REPO / "tests" / "data" / "corpus")
    args = ap.parse_args(argv)
    if not (args.set / "labels.jsonl").exists():
        print(f"no labels.jsonl in {args.set}: run `python -m samples.generate --calibration` first", file=sys.stderr)
        return 2
    recs, found, seconds = run(args.set, args.workers)
    rc = report(recs, found, seconds, args.show_all)
    if args.sanity:
        sanity(args.corpus, args.workers)
    return rc


if __name__ == "__main__":
    sys.exit(main())
