"""A scanned page that is one JPEG: decoded straight from the file (the product) against drawn by pdfium (before).

    .venv/bin/python -m bench.scan_decode [--dpi 150,300]

Every reliable, defect-free screenshot of the browser set (`python -m bench.browser_set.build`) is wrapped, as a
scanner writes it, into a one-page PDF holding its JPEG (quality 85) at each `--dpi`, and checked as a one-file
claim both ways, each with a cache of its own. Printed per fact kind: files whose fact matches the label, and the
files with an error finding (all are clean, so every error is a false one), then each file whose result differs.
pdfium draws such a page one pixel larger than the JPEG and resamples it; decoding the JPEG avoids that and the
~50 MB the drawing holds on a 300-dpi page (`python -m bench.bench_speed --only memory`).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from pathlib import Path

import pikepdf
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_facts import fact_value  # noqa: E402
from bench.eval_browser import check_one  # noqa: E402

KINDS = ("order_ids", "tracking", "delivery_status", "delivery_date", "refunds")
SET = ROOT / "build" / "browser_set"


def scan_pdf(image: Path, dpi: int, out: Path) -> Path:
    """`image` as a scanner's PDF: one page, exactly the JPEG, drawn at `dpi`."""
    im = Image.open(image).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    pdf = pikepdf.new()
    w, h = im.width * 72 / dpi, im.height * 72 / dpi
    jpeg = pikepdf.Stream(pdf, buf.getvalue(), Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                          Width=im.width, Height=im.height, ColorSpace=pikepdf.Name.DeviceRGB, BitsPerComponent=8,
                          Filter=pikepdf.Name.DCTDecode)
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, w, h],
                              Resources=pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=jpeg)),
                              Contents=pikepdf.Stream(pdf, f"q {w:.4f} 0 0 {h:.4f} 0 0 cm /Im0 Do Q".encode()))
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(out)
    return out


def run(recs: list[dict], folder: Path, cache: Path) -> dict[str, dict]:
    out = {}
    for rec in recs:
        o = check_one(str(folder), rec, str(cache))
        out[rec["file"]] = {
            "ok": [k for k in KINDS if fact_value(o["facts"] or {}, k) == fact_value(rec["facts"], k)],
            "errors": sorted(f["code"] for f in o["findings"] + o["claim_findings"] if f["severity"] == "error"),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", default="150,300")
    args = ap.parse_args(argv)
    if not (SET / "labels.jsonl").exists():
        print("no browser set: run `.venv/bin/python -m bench.browser_set.build` first")
        return 2
    from evidence_svc.ingest import render

    labels = [json.loads(line) for line in (SET / "labels.jsonl").read_text().splitlines()]
    clean = [r for r in labels if r["facts_reliable"] and not r["expect_codes"]
             and r["file"].endswith((".png", ".jpg"))]
    with tempfile.TemporaryDirectory(prefix="evidence-scan-") as tmp:
        folder = Path(tmp)
        recs = [dict(r, file=scan_pdf(SET / r["file"], dpi, folder / f"{Path(r['file']).stem}_{dpi}.pdf").name)
                for dpi in map(int, args.dpi.split(",")) for r in clean]
        direct = run(recs, folder, folder / "cache-direct")
        decode = render._scan_jpeg
        render._scan_jpeg = lambda *a: None  # every page drawn by pdfium, as before
        try:
            drawn = run(recs, folder, folder / "cache-drawn")
        finally:
            render._scan_jpeg = decode
    print(f"{len(recs)} scanned pages from {len(clean)} clean browser-set screenshots at {args.dpi} dpi\n")
    print(f"{'':22s} {'decoded':>9s} {'drawn':>9s}")
    for k in KINDS:
        print(f"{k + ' correct':22s} {sum(k in v['ok'] for v in direct.values()):9d} "
              f"{sum(k in v['ok'] for v in drawn.values()):9d}")
    print(f"{'files with an error':22s} {sum(bool(v['errors']) for v in direct.values()):9d} "
          f"{sum(bool(v['errors']) for v in drawn.values()):9d}")
    print("\ndiffering files (facts wrong; errors):")
    for name in sorted(direct):
        a, b = direct[name], drawn[name]
        if a != b:
            wrong = [k for k in KINDS if k not in a["ok"]], [k for k in KINDS if k not in b["ok"]]
            print(f"  {name}: decoded {wrong[0]} {a['errors']} | drawn {wrong[1]} {b['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
