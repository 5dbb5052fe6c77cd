"""The product on the real-evidence set (bench/real/): findings and facts against labels made by looking at each file.

    .venv/bin/python -m bench.real.fetch                 # once, on a machine with network: rebuilds bench/real/files/
    .venv/bin/python bench/eval_real.py                  # runs the product on every labelled file, prints the tables
    .venv/bin/python bench/eval_real.py --only rcpt_ --workers 2 --json build/real_results.json

Every file is checked alone as a one-file claim through the real pipeline (`bench.eval_browser.check_one`: ingest,
OCR, validators, facts, claim checks) with the label's marketplace and Amazon order ID (a placeholder when the file
shows none), opened 20 days after the latest date the file shows so no date is implausible for the claim. Printed:
- per finding code: TP (expected and raised), FP (listed absent and raised), FN (expected, not raised), precision,
  recall, with each miss and each false hit by file name (and, for pixel codes, what the validators measured);
- false errors: error-severity file findings the label does not expect and does not leave as "don't care"
  (claim-level codes excluded: a placeholder claim proves nothing about them), counted apart on the files that
  expect no finding at all;
- facts on files whose facts are reliable (not blurred or shrunk on purpose), precision and recall per kind: Amazon
  order IDs, tracking number+carrier, tracking number, carrier of the numbers found, delivery status, delivery
  date, refunds, full dates (dates without a year or cut are ignored either way), clocks (recall only); every
  invented refund on any file; the product's file kind against the labelled kind.
It never fails the run: exit 0 (the figures are the result); it does not change labels or files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
import tomllib
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.bench_facts import fact_value  # noqa: E402  (after the path is set)
from bench.eval_browser import check_one, diagnose  # noqa: E402

REAL = REPO / "bench" / "real"
PLACEHOLDER_ORDER = "999-9999999-9999999"
PIXEL_CODES = ("blurry", "low-resolution", "timestamp-cropped")
# Findings about the claim rather than the file: a one-file placeholder claim says nothing about them.
CLAIM_CODES = {"order-mismatch", "order-missing", "tracking-mismatch", "duplicate-file", "no-delivery-proof",
               "no-refund-proof", "respond-by", "remedy-not-evidenced", "refund-amount-mismatch"}
# The codes the labels judge; a code of these in neither list of a file is "don't care" for it. Any other
# file-level error (corrupt-file, unreadable, ...) on a labelled file is a false error.
LABELLED_CODES = {"blurry", "low-resolution", "timestamp-cropped", "timestamp-missing"}
SET_KINDS = ("order_ids", "tracking", "tracking_number", "delivery_status", "delivery_date", "refunds")


def load_labels(real: Path) -> dict[str, dict]:
    return tomllib.loads((real / "labels.toml").read_text(encoding="utf-8"))["files"]


def _opened(lab: dict) -> datetime:
    days = [date.fromisoformat(d) for d in lab["dates"]]
    if lab["delivery"].get("date"):
        days.append(date.fromisoformat(lab["delivery"]["date"]))
    day = max(days) + timedelta(days=20) if days else date(2026, 12, 1)
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


def claim_record(name: str, lab: dict) -> dict:
    """The record `bench.eval_browser.check_one` takes."""
    return {"file": name, "order_id": (lab["order_ids"] or [PLACEHOLDER_ORDER])[0], "marketplace": lab["marketplace"],
            "claim_tracking": [], "reason": "not_received", "opened_at": _opened(lab).isoformat()}


def _safe_diagnose(setdir: str, rec: dict, cache: str | None) -> dict:
    try:
        return diagnose(setdir, rec, cache)
    except Exception as exc:  # the diagnosis reads validator internals that may be changing; never fail the run
        return {"error": f"{type(exc).__name__}: {exc}"}


# ---------------------------------------------------------------------------------------------- scoring


def score_codes(labels: dict[str, dict], outs: dict[str, dict]):
    stats: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    misses, false_hits, false_errors = [], [], []
    for name, lab in labels.items():
        o = outs[name]
        raised = {f["code"]: f for f in o["findings"]}
        for code in lab["expect"]:
            stats[code]["tp" if code in raised else "fn"] += 1
            if code not in raised:
                misses.append((name, code))
        for code in lab["absent"]:
            stats[code]["fp" if code in raised else "tn"] += 1
            if code in raised:
                false_hits.append((name, raised[code]))
        for f in o["findings"]:
            if f["severity"] != "error" or f["code"] in CLAIM_CODES:
                continue
            dont_care = f["code"] in LABELLED_CODES and f["code"] not in lab["absent"]
            if f["code"] not in lab["expect"] and not dont_care:
                false_errors.append((name, f))
    return stats, misses, false_hits, false_errors


def _dates_of(report_facts: dict) -> set[str]:
    return {t["value"][:10] for t in report_facts.get("timestamps") or [] if len(t["value"]) >= 10}


def _ignored(d: str, partial: list[str]) -> bool:
    return any(d == p or (len(p) == 7 and d.startswith(p)) or (len(p) == 5 and d[5:] == p) for p in partial)


def _clock_minutes(text: str) -> int | None:
    """Minutes past midnight modulo 12 hours of a time or a date-time value ("6:59", "18:59", "...T18:59:00")."""
    part = text.split("T")[-1]
    bits = part.split(":")
    if len(bits) < 2 or not (bits[0].isdigit() and bits[1][:2].isdigit()):
        return None
    return (int(bits[0]) % 12) * 60 + int(bits[1][:2])


def score_facts(labels: dict[str, dict], outs: dict[str, dict]):
    """Per kind: [correct reported, reported, correct labelled, labelled], and the misses and false hits."""
    table: dict[str, list[int]] = {k: [0, 0, 0, 0] for k in (*SET_KINDS, "carrier", "dates", "clocks")}
    wrong: list[tuple[str, str, str, object]] = []  # (file, kind, "missed"/"false", value)
    for name, lab in labels.items():
        got_facts = outs[name]["facts"]
        if got_facts is None or not lab["facts_reliable"]:
            continue
        for k in SET_KINDS:
            want, got = fact_value(lab, k), fact_value(got_facts, k)
            want = want if isinstance(want, set) else ({want} if want else set())
            got = got if isinstance(got, set) else ({got} if got else set())
            _tally(table[k], wrong, name, k, want, got)
        mine = {t["number"]: t["carrier"] for t in lab["tracking"]}
        for t in got_facts.get("tracking") or []:
            if t["number"] in mine:
                _tally(table["carrier"], wrong, name, "carrier", {(t["number"], mine[t["number"]])},
                       {(t["number"], t["carrier"])})
        want_d = set(lab["dates"])
        got_d = {d for d in _dates_of(got_facts) if d in want_d or not _ignored(d, lab["dates_partial"])}
        _tally(table["dates"], wrong, name, "dates", want_d, got_d)
        got_clock = {_clock_minutes(t["value"]) for t in got_facts.get("timestamps") or []}
        for c in lab["clocks"]:
            found = _clock_minutes(c) in got_clock
            table["clocks"][2] += found
            table["clocks"][3] += 1
            if not found:
                wrong.append((name, "clocks", "missed", c))
    return table, wrong


def _tally(row: list[int], wrong: list, name: str, kind: str, want: set, got: set) -> None:
    row[0] += len(got & want)
    row[1] += len(got)
    row[2] += len(got & want)
    row[3] += len(want)
    wrong.extend((name, kind, "missed", v) for v in sorted(want - got, key=str))
    wrong.extend((name, kind, "false", v) for v in sorted(got - want, key=str))


# ---------------------------------------------------------------------------------------------- printing


def _p(n: int, d: int) -> str:
    return f"{n / d:.3f} ({n}/{d})" if d else "  -  (0/0)"


def _diag(d: dict | None) -> str:
    if not d:
        return ""
    if "error" in d:
        return f"      (no diagnosis: {d['error']})"
    if not d.get("raster"):
        return f"      no raster page; embedded images (dpi, w, h): {d.get('images')}"
    return (f"      measured: sharpness {d['sharpness']} on {d['measured_on']}, text cap {d['text_cap_px']} px, "
            f"OCR read {d['ocr_read_share']}, {d['words']} words, median edge sigma {d['word_sigma_median']}, "
            f"image {d['size']}")


def report(labels: dict[str, dict], outs: dict[str, dict], diags: dict[str, dict]) -> None:
    from bench.eval_browser import product_version

    secs = sum(o["seconds"] for o in outs.values())
    langs = Counter(lab["language"] for lab in labels.values())
    kinds = Counter(lab["kind"] for lab in labels.values())
    n_derived = sum(bool(lab.get("derived_from")) for lab in labels.values())
    n_clean = sum(not lab["expect"] for lab in labels.values())
    print(f"product: {product_version()}")
    print(f"{len(labels)} real files ({len(labels) - n_derived} as found, {n_derived} degraded copies; {n_clean} "
          f"expect no finding); {secs:.0f} s of checking, {secs / max(len(labels), 1):.1f} s per file")
    print("languages: " + ", ".join(f"{k} {v}" for k, v in langs.most_common()))
    print("kinds: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    for o in outs.values():
        if o["crash"]:
            print(f"  CRASH {o['file']}: {o['crash']}")

    stats, misses, false_hits, false_errors = score_codes(labels, outs)
    print(f"\n{'code':20s} {'TP':>4s} {'FP':>4s} {'FN':>4s} {'TN':>4s} {'precision':>15s} {'recall':>15s}")
    for code in sorted(stats):
        s = stats[code]
        print(f"{code:20s} {s['tp']:4d} {s['fp']:4d} {s['fn']:4d} {s['tn']:4d} {_p(s['tp'], s['tp'] + s['fp']):>15s} "
              f"{_p(s['tp'], s['tp'] + s['fn']):>15s}")
    tp = sum(stats[c]["tp"] for c in stats)
    fn = sum(stats[c]["fn"] for c in stats)
    print(f"{'all labelled defects':20s} recall {_p(tp, tp + fn)}")

    clean_errors = [(n, f) for n, f in false_errors if not labels[n]["expect"]]
    print(f"\nfalse errors on clean files: {len(clean_errors)} (on {n_clean} files that expect no finding); "
          f"on all files: {len(false_errors)}")
    for n, f in false_errors:
        print(f"  {n}: {f['code']} ({f['severity']}) value={f.get('value')} threshold={f.get('threshold')}")
        if f["code"] in PIXEL_CODES:
            print(_diag(diags.get(n)))
    print(f"\nfalse hits (raised, label says absent): {len(false_hits)}")
    for n, f in false_hits:
        print(f"  {n}: {f['code']} ({f['severity']}) value={f.get('value')} threshold={f.get('threshold')}"
              f"  -- {labels[n]['notes']}")
    print(f"\nmissed defects (expected, not raised): {len(misses)}")
    for n, code in misses:
        got = sorted({f['code'] for f in outs[n]['findings']})
        print(f"  {n}: {code} missed; raised instead: {got or 'nothing'}  -- {labels[n]['notes']}")
        if code in PIXEL_CODES:
            print(_diag(diags.get(n)))

    table, wrong = score_facts(labels, outs)
    n_rel = sum(bool(lab["facts_reliable"]) for lab in labels.values())
    print(f"\nfacts on {n_rel} files with reliable facts "
          "(items: correct/reported = precision, correct/labelled = recall)")
    print(f"{'kind':16s} {'precision':>16s} {'recall':>16s}")
    for k, (c1, r, c2, w) in table.items():
        print(f"{k:16s} {(_p(c1, r) if k != 'clocks' else '  (recall only)'):>16s} {_p(c2, w):>16s}")
    for n, k, what, v in wrong:
        print(f"  {what:6s} {k:15s} {n}: {v}")
    invented = [(n, r) for n, o in outs.items() if o["facts"] for r in o["facts"].get("refunds") or []
                if (r["amount"], r["currency"]) not in fact_value(labels[n], "refunds")]
    print(f"\ninvented refunds (any file): {len(invented)}")
    for n, r in invented:
        print(f"  {n}: {r['amount']} {r['currency']}  -- {labels[n]['notes']}")
    pairs = Counter((lab["kind"], outs[n]["kind"]) for n, lab in labels.items())
    print("\nfile kind (label -> product): "
          + ", ".join(f"{a}->{b} {c}" for (a, b), c in sorted(pairs.items(), key=str)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--real", type=Path, default=REAL, help="folder with labels.toml and files/")
    ap.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    ap.add_argument("--only", default="", help="files whose name starts with this")
    ap.add_argument("--json", type=Path, help="write raw results here")
    args = ap.parse_args(argv)
    files = args.real / "files"
    if not files.is_dir():
        print(f"no {files}: the real files are not in git; rebuild them with `python -m bench.real.fetch` (skipped)")
        return 0
    labels = {n: lab for n, lab in load_labels(args.real).items() if n.startswith(args.only)}
    absent = [n for n in labels if not (files / n).exists()]
    for n in absent:
        print(f"  missing {n} (skipped)")
    labels = {n: lab for n, lab in labels.items() if n not in absent}
    for n, lab in labels.items():
        if hashlib.sha256((files / n).read_bytes()).hexdigest() != lab["sha256"]:
            print(f"  warning: {n} differs from the labelled file (sha256)")
    recs = [claim_record(n, lab) for n, lab in labels.items()]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as ex:
        results = list(ex.map(check_one, [str(files)] * len(recs), recs, [None] * len(recs)))
        outs = {o["file"]: o for o in results}
        _, misses, false_hits, false_errors = score_codes(labels, outs)
        todo = sorted({n for n, c in misses if c in PIXEL_CODES}
                      | {n for n, f in false_hits + false_errors if f["code"] in PIXEL_CODES})
        by_name = {r["file"]: r for r in recs}
        diag_list = list(ex.map(_safe_diagnose, [str(files)] * len(todo), [by_name[n] for n in todo],
                                [None] * len(todo)))
    report(labels, outs, dict(zip(todo, diag_list)))
    print(f"\nwall time {time.perf_counter() - t0:.0f} s with {args.workers} worker processes")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"results": results}, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
