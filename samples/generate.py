"""Entry point: `python -m samples.generate [--claims DIR] [--calibration DIR] [--seed N] [--only claims|calibration]`.

Renders the sample claims (default samples/claims/) and the labelled calibration set (default build/calibration/,
with labels.jsonl) deterministically from the seed. Files are rendered in a process pool; each file's randomness
depends only on (seed, file name), so the bytes do not depend on the number of workers.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from PIL import Image

from samples import fonts
from samples.calibration import Recipe, build
from samples.truth import VALIDATOR_CODES

ROOT = Path(__file__).resolve().parent.parent


def _build_one(args: tuple[Recipe, int, str]) -> dict:
    r, seed, out = args
    return build(r, seed, Path(out))


def _build_dup(r: Recipe, original: dict, outdir: Path) -> dict:
    src = (outdir / original["file"]).read_bytes()
    rec = json.loads(json.dumps(original))
    if r.variant == "dup_exact":
        data, ext, note = src, Path(original["file"]).suffix, f"same bytes as {original['file']}"
    else:
        img = Image.open(io.BytesIO(src)).convert("RGB")
        f = r.opts.get("scale", 1.0)
        if f != 1.0:
            img = img.resize((round(img.width * f), round(img.height * f)), Image.Resampling.LANCZOS)
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=90)
        data, ext = buf.getvalue(), ".jpg"
        note = f"{original['file']} re-encoded as JPEG q90" + (f", scaled {f}" if f != 1.0 else "")
        rec["width"], rec["height"] = img.width, img.height
        if rec.get("text_px"):
            rec["text_px"] = round(rec["text_px"] * f, 1)
    fname = r.name + ext
    (outdir / fname).write_bytes(data)
    rec.update(file=fname, variant=r.variant, group=r.group, notes=note, duplicate_of=original["file"],
               sha256=hashlib.sha256(data).hexdigest(), bytes=len(data))
    rec["expect_codes"] = sorted(set(rec["expect_codes"]) | {"duplicate-file"})
    rec["absent_codes"] = sorted(set(rec["absent_codes"]) - {"duplicate-file"})
    return rec


def generate_calibration(outdir: Path, seed: int = 7, v1_only: bool = False, workers: int | None = None) -> list[dict]:
    from samples.recipes import recipes
    outdir.mkdir(parents=True, exist_ok=True)
    for stale in outdir.glob("READY_v*"):
        stale.unlink()
    todo = [r for r in recipes() if r.v1 or not v1_only]
    plain = [r for r in todo if r.layout != "dup"]
    workers = workers or min(os.cpu_count() or 1, 4)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        records = list(pool.map(_build_one, [(r, seed, str(outdir)) for r in plain], chunksize=1))
    by_name = {r.name: rec for r, rec in zip(plain, records)}
    for r in todo:
        if r.layout == "dup":
            by_name[r.name] = _build_dup(r, by_name[r.opts["of"]], outdir)
    out = [by_name[r.name] for r in todo]
    for rec in out:
        rec.pop("_fmt", None)
    with open(outdir / "labels.jsonl", "w", encoding="utf-8") as f:
        for rec in out:
            f.write(json.dumps(rec, ensure_ascii=False, sort_keys=True) + "\n")
    (outdir / "SUMMARY.txt").write_text(summary(out), encoding="utf-8")
    # markers others wait for: v1 = the first small release (its files are a subset of the full set), v2 = full
    stamp = f"seed={seed} files={len(out)}\n"
    (outdir / "READY_v1").write_text(stamp, encoding="utf-8")
    if not v1_only:
        (outdir / "READY_v2").write_text(stamp, encoding="utf-8")
    return out


def summary(records: list[dict]) -> str:
    pos, neg = Counter(), Counter()
    for rec in records:
        pos.update(rec["expect_codes"])
        neg.update(rec["absent_codes"])
    langs = Counter(rec["lang"] for rec in records)
    facts = Counter(rec["lang"] for rec in records if rec["facts_reliable"])
    lines = [f"files: {len(records)}", f"files per language: {dict(sorted(langs.items()))}",
             f"files with facts ground truth per language: {dict(sorted(facts.items()))}",
             "code                          positives  negatives"]
    for code in VALIDATOR_CODES:
        lines.append(f"{code:<30}{pos[code]:>9}  {neg[code]:>9}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m samples.generate", description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=Path, default=ROOT / "samples" / "claims")
    ap.add_argument("--calibration", type=Path, default=ROOT / "build" / "calibration")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--only", choices=["claims", "calibration"])
    ap.add_argument("--v1", action="store_true", help="only the first, smaller calibration release")
    ap.add_argument("--workers", type=int)
    a = ap.parse_args(argv)
    try:
        fonts.check_fonts()
    except fonts.FontMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if a.only in (None, "claims"):
        from samples.claims import generate_claims
        t0 = time.perf_counter()
        names = generate_claims(a.claims, seed=a.seed)
        print(f"claims: {len(names)} in {a.claims} ({time.perf_counter() - t0:.1f} s)")
    if a.only in (None, "calibration"):
        t0 = time.perf_counter()
        recs = generate_calibration(a.calibration, seed=a.seed, v1_only=a.v1, workers=a.workers)
        print(f"calibration: {len(recs)} files in {a.calibration} ({time.perf_counter() - t0:.1f} s)")
        print(summary(recs), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
