"""The OCR script fallback (evidence_svc/ocr.py): its cost on pages in Latin script and its gain on CJK pages.

    .venv/bin/python -m bench.bench_script_fallback               # both labelled sets, 2 processes
    .venv/bin/python -m bench.bench_script_fallback --workers 1 --only trk_

Every OCR'd page of build/browser_set and build/calibration (first three pages of a PDF) is read twice, fallback
off and on (in alternating order), each into a fresh cache, timing tesseract by process CPU time (steadier than
wall time on a busy machine; libtesseract runs in-process with one thread):
- pages not in Chinese or Japanese, with their marketplace's languages: the probe's own CPU time against the first
  pass's (the exact extra cost when no page is read again), the end-to-end difference, pages probed, pages read
  again (a page read again here is a false trigger);
- Chinese and Japanese pages as if uploaded on amazon.com (languages "eng"): pages detected, the language chosen,
  extra OCR time, and fact accuracy (tracking, delivery status and date, refunds, order IDs; exact match per file
  against the labels) without and with the fallback.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SETS = (REPO / "build" / "browser_set", REPO / "build" / "calibration")
KINDS = ("order_ids", "tracking", "delivery_status", "delivery_date", "refunds")
CJK = ("ja", "zh")


def run_file(setdir: str, rec: dict) -> dict | None:
    from evidence_svc import ocr
    from evidence_svc.config import load_settings
    from evidence_svc.facts import extract_facts
    from evidence_svc.ingest import open_source, render_page

    cjk = rec.get("lang") in CJK
    marketplace = "US" if cjk else rec.get("marketplace", "US")
    with tempfile.TemporaryDirectory(prefix="bench-fallback-") as d:
        base = load_settings(workers=1, cache_dir=Path(d) / "off", ocr_script_fallback=False)
        on = load_settings(workers=1, cache_dir=Path(d) / "on", ocr_script_fallback=True)
        try:
            src = open_source(Path(setdir) / rec["file"], base)
        except Exception:
            return None
        if not src.readable:
            return None
        out = {"file": rec["file"], "set": Path(setdir).name, "cjk": cjk, "pages": 0, "cpu_off": 0.0, "cpu_on": 0.0,
               "cpu_probe": 0.0, "probed": 0, "reread": 0, "langs": []}
        pages = {"off": [], "on": []}
        for i in range(min(src.page_count, 3)):
            rp = render_page(src, i, base)
            if not (rp.needs_ocr and rp.image is not None):
                continue
            langs = base.ocr_langs_for(marketplace)
            out["pages"] += 1
            modes = [("off", base), ("on", on)]
            for mode, settings in (modes if (i + len(rec["file"])) % 2 else modes[::-1]):
                t = time.process_time()
                res = ocr.read_words(rp.image, langs, settings)
                out["cpu_" + mode] += time.process_time() - t
                page = rp.page.model_copy(deep=True)
                page.words, page.text_source = res.words, "ocr"
                pages[mode].append(page)
                if mode == "on":
                    out["reread"] += res.langs != langs
                    out["langs"].append(res.langs)
            first = pages["off"][-1].words
            out["probed"] += ocr.worth_probing(first)
            t = time.process_time()
            ocr.cjk_script(rp.image, first, ocr.engine_for(base), time.perf_counter() + 120)
            out["cpu_probe"] += time.process_time() - t
        if not out["pages"]:
            return None
        if rec.get("facts"):
            from bench.bench_facts import _claim

            claim = _claim({**rec, "marketplace": marketplace})
            for mode in ("off", "on"):
                facts = extract_facts(pages[mode], claim, base)
                out["facts_" + mode] = json.loads(facts.model_dump_json())
        return out


def main() -> int:
    from bench.bench_facts import fact_value

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="", help="files whose name starts with this")
    ap.add_argument("--json", type=Path, help="write per-file results here")
    args = ap.parse_args()
    jobs = []
    for setdir in SETS:
        labels = setdir / "labels.jsonl"
        if not labels.exists():
            print(f"missing {labels}: build the set first (see bench/eval_browser.py, samples.generate)")
            return 2
        for line in labels.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["file"].startswith(args.only):
                jobs.append((str(setdir), rec))
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as ex:
        results = [r for r in ex.map(run_file, *zip(*jobs)) if r]
    recs = {(Path(s).name, r["file"]): r for s, r in jobs}
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    latin = [r for r in results if not r["cjk"]]
    cjk = [r for r in results if r["cjk"]]
    off = sum(r["cpu_off"] for r in latin)
    on = sum(r["cpu_on"] for r in latin)
    probe = sum(r["cpu_probe"] for r in latin)
    print(f"pages in Latin script, marketplace languages: {sum(r['pages'] for r in latin)} pages in {len(latin)} files")
    print(f"  probe CPU {probe:.2f} s against {off:.1f} s of first-pass OCR: {100 * probe / off:+.1f}%")
    print(f"  end to end: OCR CPU without fallback {off:.1f} s, with {on:.1f} s: {100 * (on - off) / off:+.1f}% "
          "(includes run-to-run noise)")
    print(f"  probed {sum(r['probed'] for r in latin)} pages, read again {sum(r['reread'] for r in latin)} "
          f"(false triggers): {[r['file'] for r in latin if r['reread']]}")
    off = sum(r["cpu_off"] for r in cjk)
    on = sum(r["cpu_on"] for r in cjk)
    n = sum(r["pages"] for r in cjk)
    ja = [x for r in cjk if recs[(r["set"], r["file"])].get("lang") == "ja" for x in r["langs"]]
    zh = [x for r in cjk if recs[(r["set"], r["file"])].get("lang") == "zh" for x in r["langs"]]
    print(f"Chinese and Japanese pages read as on amazon.com (eng): {n} pages in {len(cjk)} files")
    print(f"  read again: ja {sum(x.startswith('jpn') for x in ja)}/{len(ja)} with jpn+eng "
          f"({sum(x.startswith('chi_sim') for x in ja)} with chi_sim+eng); "
          f"zh {sum(x.startswith('chi_sim') for x in zh)}/{len(zh)} with chi_sim+eng "
          f"({sum(x.startswith('jpn') for x in zh)} with jpn+eng)")
    print(f"  OCR CPU without fallback {off:.1f} s, with {on:.1f} s ({on / max(off, 1e-9):.2f}x)")
    with_facts = [r for r in cjk if "facts_off" in r]
    reliable = [r for r in with_facts if recs[(r["set"], r["file"])].get("facts_reliable")]
    print(f"  fact accuracy (exact match per file; {len(reliable)} reliable files / {len(with_facts)} all)")
    print(f"  {'kind':18} {'without':>16} {'with fallback':>16}   all files: without / with")
    for k in KINDS:
        row = []
        for group in (reliable, with_facts):
            for mode in ("off", "on"):
                ok = sum(fact_value(recs[(r["set"], r["file"])]["facts"], k) == fact_value(r["facts_" + mode], k)
                         for r in group)
                row.append(f"{ok}/{len(group)}")
        print(f"  {k:18} {row[0]:>16} {row[1]:>16}   {row[2]} / {row[3]}")
    print(f"wall time {time.perf_counter() - t0:.0f} s with {args.workers} processes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
