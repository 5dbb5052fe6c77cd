"""The product on the independent, browser-rendered labelled set (bench/browser_set): findings and facts.

    .venv/bin/python -m bench.browser_set.build        # once: renders build/browser_set/ (~1.5 min)
    .venv/bin/python bench/eval_browser.py             # runs the product on it and prints the tables
    .venv/bin/python bench/eval_browser.py --workers 2 --only trk_ --show-misses --json build/browser_set/results.json

Every file is checked as a one-file claim through the real pipeline (`evidence_svc.pipeline.check_claim`: ingest,
OCR, validators, facts, claim checks) with the claim its label gives (order ID, tracking numbers, marketplace,
reason, opened_at; `now` one hour after opening so no deadline finding interferes). Printed:
- per finding code: TP (expected and raised), FP (listed absent and raised), FN (expected, not raised), precision
  and recall; codes in neither list of a file are "don't care" for it;
- every FALSE ERROR: an error-severity finding on a file that should get none of that code, with the value the
  validator measured and its threshold (and, for pixel checks, the page measurements behind it);
- every MISSED defect, with what the validators measured on that file;
- fact exact-match accuracy per kind (order IDs, tracking number+carrier, tracking number alone, delivery status,
  delivery date, refunds) on reliable files and on all, precision ("no invented facts"), timestamp recall.
Exit code 0 when there is no false error and no missed defect, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.bench_facts import fact_value  # noqa: E402  (after the path is set)

SET = REPO / "build" / "browser_set"
PIXEL_CODES = ("blurry", "low-resolution", "timestamp-cropped")
KINDS = ("order_ids", "tracking", "tracking_number", "delivery_status", "delivery_date", "refunds")


def _claim(rec: dict):
    from evidence_svc.model import Claim

    opened = datetime.fromisoformat(rec["opened_at"].replace("Z", "+00:00"))
    return Claim(
        order_id=rec["order_id"],
        marketplace=rec["marketplace"],
        tracking=list(rec.get("claim_tracking") or []),
        reason=rec.get("reason", "not_received"),
        opened_at=opened,
    ), opened


def check_one(setdir: str, rec: dict, cache_dir: str | None) -> dict:
    """One labelled file through the product as a one-file claim."""
    from evidence_svc import pipeline
    from evidence_svc.config import load_settings

    overrides = {"workers": 1}
    if cache_dir:
        overrides["cache_dir"] = Path(cache_dir)
    settings = load_settings(**overrides)
    claim, opened = _claim(rec)
    t0 = time.perf_counter()
    try:
        rep = pipeline.check_claim(claim, [Path(setdir) / rec["file"]], settings, now=opened + timedelta(hours=1))
    except Exception as exc:  # the product must never raise; record it as a finding-like failure
        return {
            "file": rec["file"],
            "crash": f"{type(exc).__name__}: {exc}",
            "findings": [],
            "claim_findings": [],
            "facts": None,
            "kind": None,
            "seconds": time.perf_counter() - t0,
        }
    fr = rep.files[0]
    return {
        "file": rec["file"],
        "crash": None,
        "seconds": time.perf_counter() - t0,
        "kind": fr.kind,
        "findings": [f.model_dump(mode="json") for f in fr.findings],
        "claim_findings": [f.model_dump(mode="json") for f in rep.claim_findings],
        "facts": json.loads(fr.facts.model_dump_json()),
        "pages": [
            {"w": p.width, "h": p.height, "dpi": p.dpi, "src": p.text_source, "conf": p.ocr_confidence}
            for p in fr.pages
        ],
    }


def diagnose(setdir: str, rec: dict, cache_dir: str | None) -> dict:
    """What the pixel validators measure on a file's first raster page (read-only use of their helpers), so a
    false error or a miss can be explained: sharpness and where it was measured, text height, OCR read share."""
    import numpy as np

    from evidence_svc.config import load_settings
    from evidence_svc.ingest import open_source, render_page
    from evidence_svc.ocr import read_words
    from validators import blur, ink, resolution
    from validators.base import PageInput

    overrides = {"workers": 1}
    if cache_dir:
        overrides["cache_dir"] = Path(cache_dir)
    s = load_settings(**overrides)
    src = open_source(Path(setdir) / rec["file"], s)
    if not src.readable or not src.page_count:
        return {}
    rp = render_page(src, 0, s)
    if rp.image is None:
        return {"raster": False, "images": [(round(i.dpi), i.pixel_width, i.pixel_height) for i in rp.page.images]}
    if rp.needs_ocr:
        res = read_words(rp.image, s.ocr_langs_for(rec["marketplace"]), s)
        rp.page.words = res.words
    gray = np.asarray(rp.image.convert("L"))
    pi = PageInput(page=rp.page, gray=gray, source=src.kind or "image", name=src.name)
    m = blur.measure(pi, s.blur_min_words)
    height, read = resolution.text_size(pi)
    rows = ink.page_rows(gray)
    words = ink.readable_words(rp.page.words, blur.WORD_MIN_CONF)
    per_word = []
    for w in words:
        eb = ink.edge_blur(ink.crop(gray, w.box), both=False)
        if eb is not None:
            per_word.append((round(eb.sigma, 2), w.box[3] - w.box[1]))
    sig = [p[0] for p in per_word]
    hts = [p[1] for p in per_word]
    return {
        "raster": True,
        "size": list(gray.shape[::-1]),
        "dpi": rp.page.dpi,
        "sharpness": None if m is None else round(m[0], 1),
        "measured_on": None if m is None else m[1],
        "words": len(words),
        "word_sigma_median": round(float(np.median(sig)), 2) if sig else None,
        "word_height_median": float(np.median(hts)) if hts else None,
        "text_cap_px": None if height is None else round(height, 1),
        "ocr_read_share": round(read, 2),
        "rows": len(rows),
        "images": [(round(i.dpi), i.pixel_width, i.pixel_height) for i in rp.page.images],
    }


# ---------------------------------------------------------------------------------------------- scoring


def score_codes(recs: list[dict], outs: dict[str, dict]):
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    false_errors, fps, fns = [], [], []
    for r in recs:
        o = outs[r["file"]]
        fs = o["findings"] + [dict(f, claim=True) for f in o["claim_findings"]]
        raised = {f["code"]: f for f in fs}
        expect = list(r["expect_codes"]) + list(r.get("expect_claim_codes", []))
        absent = list(r["absent_codes"]) + list(r.get("absent_claim_codes", []))
        for code in expect:
            if code in raised:
                stats[code]["tp"] += 1
            else:
                stats[code]["fn"] += 1
                fns.append((r, code))
        for code in absent:
            if code in raised:
                stats[code]["fp"] += 1
                fps.append((r, raised[code]))
                if raised[code]["severity"] == "error":
                    false_errors.append((r, raised[code]))
        for f in o["findings"]:  # file-level errors on files that expect nothing at all, whatever the code
            if not expect and f["severity"] == "error" and f["code"] not in absent and f["code"] != "respond-by":
                false_errors.append((r, f))
    return stats, false_errors, fps, fns


def score_facts(recs: list[dict], outs: dict[str, dict]):
    table = {k: {"clean": [0, 0], "all": [0, 0], "prec": [0, 0]} for k in KINDS}
    misses: list[tuple[dict, str, object, object]] = []
    stamps = [0, 0]
    for r in recs:
        o = outs[r["file"]]
        if o["facts"] is None:
            continue
        for k in KINDS:
            want, got = fact_value(r["facts"], k), fact_value(o["facts"], k)
            ok = want == got
            table[k]["all"][0] += ok
            table[k]["all"][1] += 1
            if r["facts_reliable"]:
                table[k]["clean"][0] += ok
                table[k]["clean"][1] += 1
                if not ok:
                    misses.append((r, k, want, got))
            if isinstance(got, set):
                table[k]["prec"][0] += len(got & want)
                table[k]["prec"][1] += len(got)
            elif got is not None:
                table[k]["prec"][0] += got == want
                table[k]["prec"][1] += 1
        if r["facts_reliable"]:
            got = [t["value"] for t in o["facts"]["timestamps"]]
            for t in r["facts"].get("timestamps") or []:
                stamps[1] += 1
                v = t["value"]
                stamps[0] += any(g.startswith(v) or (t.get("time_only") and g.endswith(v)) or v in g for g in got)
    return table, misses, stamps


# ---------------------------------------------------------------------------------------------- printing


def _r(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "  -  (0/0)"


def _p(x: int, y: int) -> str:
    return f"{x / y:5.3f}" if y else "  -  "


def _describe(r: dict) -> str:
    bits = [r["lang"], r["marketplace"], r["layout"], r["frame"], f"dsf {r['dsf']}"]
    if r.get("zoom", 1) != 1:
        bits.append(f"zoom {r['zoom']}")
    if r.get("dark"):
        bits.append("dark")
    bits.append(f"text {r['text_px']} px")
    if r.get("dpi"):
        bits.append(f"{r['dpi']} dpi")
    return ", ".join(str(b) for b in bits)


def _diag_str(d: dict) -> str:
    if not d:
        return ""
    if not d.get("raster"):
        return f"no raster page; embedded images (dpi, w, h): {d.get('images')}"
    return (
        f"measured: sharpness {d['sharpness']} on {d['measured_on']} ({d['words']} OCR words, median edge sigma "
        f"{d['word_sigma_median']} px, median word box height {d['word_height_median']} px); text cap height "
        f"{d['text_cap_px']} px, OCR read share {d['ocr_read_share']}, {d['rows']} glyph rows; image {d['size']}"
        + (f", embedded images {d['images']}" if d["images"] else "")
    )


def product_version() -> str:
    """The commit checked, and whether the product's code differs from it (read-only git)."""
    import subprocess

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "evidence_svc", "validators")
    return head + (f" + uncommitted changes in {len(dirty.splitlines())} product files" if dirty else "")


def report(recs, outs, diags, show_misses: bool) -> int:
    stats, false_errors, fps, fns = score_codes(recs, outs)
    n_clean = sum(not r["expect_codes"] for r in recs)
    secs = sum(o["seconds"] for o in outs.values())
    langs = sorted({r["lang"] for r in recs})
    print(f"product: {product_version()}")
    print(
        f"{len(recs)} browser-rendered files ({n_clean} expect no finding; languages {', '.join(langs)}); "
        f"{secs:.0f} s of checking, {secs / max(len(recs), 1):.1f} s per file"
    )
    crashes = [o for o in outs.values() if o["crash"]]
    for o in crashes:
        print(f"  CRASH {o['file']}: {o['crash']}")
    print(f"\n{'code':22s} {'TP':>4s} {'FP':>4s} {'FN':>4s} {'precision':>9s} {'recall':>7s}")
    for code in sorted(stats):
        s = stats[code]
        print(
            f"{code:22s} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d} {_p(s['tp'], s['tp'] + s['fp']):>9s} {_p(s['tp'], s['tp'] + s['fn']):>7s}"
        )

    print(f"\nFALSE ERRORS (error-severity findings a file should not get): {len(false_errors)}")
    for r, f in false_errors:
        status = {x["code"] for x in outs[r["file"]]["findings"] if x["severity"] == "error"}
        cascade = f.get("claim") and status
        print(
            f"  {r['file']}: {f['code']} value={f.get('value')} threshold={f.get('threshold')} [{_describe(r)}]"
            + (
                f"  <- follows from the file's own false error(s) {sorted(status)}: failed files prove nothing"
                if cascade
                else ""
            )
        )
        print(f"      product says: {f['message']}")
        if f["code"] in PIXEL_CODES and r["file"] in diags:
            print(f"      {_diag_str(diags[r['file']])}")
        if f["code"] == "timestamp-cropped":
            print(
                f"      text the edge really cuts (no date/time among it): {r.get('cut_text') or 'none'}; finding box {f.get('box')}"
            )
    warn_fps = [(r, f) for r, f in fps if f["severity"] != "error"]
    if warn_fps:
        print(f"\nfalse warnings: {len(warn_fps)}")
        for r, f in warn_fps:
            print(f"  {r['file']}: {f['code']} value={f.get('value')} threshold={f.get('threshold')} [{_describe(r)}]")
    print(f"\nMISSED (expected, not raised): {len(fns)}")
    for r, code in fns:
        got = sorted({f["code"] for f in outs[r["file"]]["findings"]})
        print(
            f"  {r['file']}: {code} missed ({r['variant']}; {r.get('notes') or _describe(r)}); raised instead: {got or 'nothing'}"
        )
        if code in PIXEL_CODES and r["file"] in diags:
            print(f"      {_diag_str(diags[r['file']])}")
        if code == "timestamp-cropped":
            print(f"      cut: {[c['text'] for c in r['cut_timestamps']]}")

    table, misses, stamps = score_facts(recs, outs)
    n_rel = sum(bool(r["facts_reliable"]) for r in recs)
    print(f"\nfacts: exact match per file ({n_rel} reliable files = clean and mildly degraded)")
    print(f"{'kind':17s} {'accuracy reliable':>20s} {'accuracy all':>20s} {'precision':>20s}")
    for k in KINDS:
        t = table[k]
        print(f"{k:17s} {_r(*t['clean']):>20s} {_r(*t['all']):>20s} {_r(*t['prec']):>20s}")
    print(f"{'timestamps recall':17s} {_r(*stamps):>20s}")
    if show_misses and misses:
        print("\nfact misses on reliable files:")
        for r, k, want, got in misses:
            print(f"  {r['file']:34s} {k:16s} want {_fmt(want)}  got {_fmt(got)}")
    kinds = defaultdict(lambda: [0, 0])
    expect_kind = {"tracking": "delivery", "refund": "refund", "messages": "messages", "order": "order"}
    for r in recs:
        if r["facts_reliable"] and outs[r["file"]]["kind"] is not None:
            kinds[r["layout"]][1] += 1
            kinds[r["layout"]][0] += outs[r["file"]]["kind"] == expect_kind[r["layout"]]
    print("file kind = layout: " + ", ".join(f"{k} {_r(*v)}" for k, v in sorted(kinds.items())))
    return 1 if false_errors or fns or crashes else 0


def _fmt(x) -> str:
    if isinstance(x, set):
        return "{" + ", ".join(sorted(map(str, x))) + "}"
    return str(x)


def margins(recs: list[dict], outs: dict[str, dict], diags: dict[str, dict]) -> None:
    """How close the clean raster files come to a false blurry / low-resolution error."""
    from evidence_svc.config import load_settings

    s = load_settings()
    rows = []
    for r in recs:
        d = diags.get(r["file"])
        if not d or not d.get("raster") or r["expect_codes"]:
            continue
        rows.append((r, d))
    print(
        f"\nmargins on {len(rows)} files that expect no finding (thresholds: sharpness >= {s.blur_min_sharpness:g}; "
        f"text cap >= {s.min_text_height_px:g} px unless OCR read >= 70 %, never below {s.min_glyph_height_px:g} px)"
    )
    print(f"  {'file':34s} {'sharp':>6s} {'on':6s} {'sigma':>6s} {'cap px':>7s} {'read':>5s}  render")

    def key(rd: tuple[dict, dict]) -> float:
        return rd[1]["sharpness"] if rd[1]["sharpness"] is not None else 999

    for r, d in sorted(rows, key=key)[:12]:
        print(
            f"  {r['file']:34s} {d['sharpness']!s:>6s} {d['measured_on']!s:6s} {d['word_sigma_median']!s:>6s} "
            f"{d['text_cap_px']!s:>7s} {d['ocr_read_share']!s:>5s}  {_describe(r)}"
        )
    print("  ... smallest text:")
    for r, d in sorted(rows, key=lambda rd: rd[1]["text_cap_px"] or 999)[:8]:
        print(
            f"  {r['file']:34s} {d['sharpness']!s:>6s} {d['measured_on']!s:6s} {d['word_sigma_median']!s:>6s} "
            f"{d['text_cap_px']!s:>7s} {d['ocr_read_share']!s:>5s}  {_describe(r)}"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", type=Path, default=SET)
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--only", default="", help="files whose name starts with this")
    ap.add_argument("--show-misses", action="store_true", help="list every fact mismatch on reliable files")
    ap.add_argument("--fresh-cache", action="store_true", help="OCR into a new cache (default: the user's cache)")
    ap.add_argument("--json", type=Path, help="write raw results here")
    ap.add_argument(
        "--margins",
        action="store_true",
        help="measure every clean raster file and print the ones closest to a blurry/low-resolution error",
    )
    args = ap.parse_args(argv)
    labels = args.set / "labels.jsonl"
    if not labels.exists():
        print(f"no {labels}: run `.venv/bin/python -m bench.browser_set.build` first", file=sys.stderr)
        return 2
    recs = [json.loads(x) for x in labels.read_text(encoding="utf-8").splitlines() if x.strip()]
    recs = [r for r in recs if r["file"].startswith(args.only) and (args.set / r["file"]).exists()]
    tmp = tempfile.TemporaryDirectory(prefix="eval-browser-") if args.fresh_cache else None
    cache = tmp.name if tmp else None
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as ex:
        results = list(ex.map(check_one, [str(args.set)] * len(recs), recs, [cache] * len(recs)))
        outs = {o["file"]: o for o in results}
        _, false_errors, fps, fns = score_codes(recs, outs)
        todo = {r["file"]: r for r, f in false_errors + fps if f["code"] in PIXEL_CODES}
        todo.update({r["file"]: r for r, c in fns if c in PIXEL_CODES})
        if args.margins:
            todo.update({r["file"]: r for r in recs if not r["expect_codes"] and not r["file"].endswith(".pdf")})
        diag_list = list(ex.map(diagnose, [str(args.set)] * len(todo), list(todo.values()), [cache] * len(todo)))
    diags = dict(zip(todo, diag_list))
    wall = time.perf_counter() - t0
    rc = report(recs, outs, diags, args.show_misses)
    if args.margins:
        margins(recs, outs, diags)
    print(f"\nwall time {wall:.0f} s with {args.workers} worker processes")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"results": results, "diagnostics": diags}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    if tmp:
        tmp.cleanup()
    return rc


if __name__ == "__main__":
    sys.exit(main())
