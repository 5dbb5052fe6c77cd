"""Bundle cost against lint cost, and bundle size against the inputs, on the sample claims.

    .venv/bin/python -m bench.bench_bundle                          # samples/claims/*/claim.toml
    .venv/bin/python -m bench.bench_bundle --claims DIR --target stripe --lang zh --include-failed --keep OUT

Each claim is linted with the real pipeline (`check_claim`, fresh OCR cache so OCR really runs), then bundled
from that report (`build_bundle`: no OCR, the words are reused). Printed per claim: files, bundle pages, lint
seconds, bundle seconds and their ratio (target <= 0.25x), the inputs' bytes, the bundle's bytes and that ratio,
and the recompression step used. The first bundle in the process also pays one-time costs (font discovery,
fontTools import), so it is the honest worst case for a one-shot CLI call.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

TARGET_RATIO = 0.25


def main(argv: list[str] | None = None) -> int:
    from evidence_svc.bundle import build_bundle
    from evidence_svc.claim_folder import load_claim_toml
    from evidence_svc.config import load_settings
    from evidence_svc.pipeline import check_claim

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=Path, default=REPO / "samples" / "claims")
    ap.add_argument("--target", default="amazon")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--include-failed", action="store_true")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="write the bundles here instead of a temp dir")
    args = ap.parse_args(argv)

    tomls = sorted(args.claims.glob("*/claim.toml"))
    if not tomls:
        print(f"no claims under {args.claims} (run `make samples`)", file=sys.stderr)
        return 2
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        out_dir = args.keep or Path(tmp) / "bundles"
        out_dir.mkdir(parents=True, exist_ok=True)
        settings = load_settings(cache_dir=Path(tmp) / "cache", workers=args.workers)
        header = f"{'claim':28} {'files':>5} {'pages':>5} {'lint s':>7} {'bundle s':>8} {'ratio':>6} " \
                 f"{'inputs':>9} {'bundle':>9} {'size':>6} step"
        print(header)
        print("-" * len(header))
        for toml in tomls:
            claim, paths = load_claim_toml(toml)
            t0 = time.perf_counter()
            report = check_claim(claim, paths, settings)
            lint_s = time.perf_counter() - t0
            files = {fr.sha256: p for fr, p in zip(report.files, paths, strict=True)}
            t0 = time.perf_counter()
            result = build_bundle(report, files, out_dir / f"{toml.parent.name}.pdf", settings, target=args.target,
                                  include_failed=args.include_failed, lang=args.lang)
            bundle_s = time.perf_counter() - t0
            inputs = sum(p.stat().st_size for p in paths)
            rows.append((lint_s, bundle_s, inputs, result.info.bytes))
            print(f"{toml.parent.name:28} {len(paths):5d} {result.info.pages:5d} {lint_s:7.2f} {bundle_s:8.2f} "
                  f"{bundle_s / lint_s:5.2f}x {inputs:9,d} {result.info.bytes:9,d} "
                  f"{result.info.bytes / max(inputs, 1):5.2f}x {result.step}"
                  + ("  " + "; ".join(f.code for f in result.findings) if result.findings else ""))
    lint = sum(r[0] for r in rows)
    bundle = sum(r[1] for r in rows)
    size_in = sum(r[2] for r in rows)
    size_out = sum(r[3] for r in rows)
    ratio = bundle / lint
    print("-" * len(header))
    print(f"{'all':28} {'':5} {'':5} {lint:7.2f} {bundle:8.2f} {ratio:5.2f}x {size_in:9,d} {size_out:9,d} "
          f"{size_out / max(size_in, 1):5.2f}x")
    verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
    print(f"bundle time / lint time = {ratio:.2f} (target <= {TARGET_RATIO}): {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
