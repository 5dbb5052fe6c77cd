"""Shared by the tests that use pages rendered by a real browser: render scenes of bench/browser_set with the
Debian Chromium, and check each rendered file as a one-file claim through the real pipeline."""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from support.paths import REPO

if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

CHROMIUM = Path("/usr/bin/chromium")


def render(names: set[str], out: Path) -> dict[str, dict]:
    """Render the named scenes into `out`; name -> label record (file, claim, expected codes, facts) + `path`."""
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (make system-test installs it)")
    from playwright.sync_api import sync_playwright

    from bench.browser_set import build

    scenes = [s for s in build.scenes() if s.name in names]
    assert {s.name for s in scenes} == names
    recs = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=build.CHROMIUM_ARGS)
        contexts: dict = {}
        try:
            for s in scenes:
                rec = build.build_one(browser, contexts, s, out)
                rec["path"] = out / rec["file"]
                recs[s.name] = rec
        finally:
            for ctx, _ in contexts.values():
                ctx.close()
            browser.close()
    return recs


def check_each(recs: dict[str, dict], cache: Path) -> dict:
    """Each rendered file checked as a one-file claim (fresh cache), an hour after the claim was opened."""
    from evidence_svc import pipeline
    from evidence_svc.config import load_settings
    from evidence_svc.model import Claim

    settings = load_settings(workers=min(2, os.cpu_count() or 1), cache_dir=cache)
    out = {}
    for name, rec in recs.items():
        opened = datetime.fromisoformat(rec["opened_at"].replace("Z", "+00:00"))
        claim = Claim(order_id=rec["order_id"], marketplace=rec["marketplace"], tracking=rec["claim_tracking"],
                      reason=rec["reason"], opened_at=opened)
        out[name] = pipeline.check_claim(claim, [rec["path"]], settings, now=opened + timedelta(hours=1))
    return out
