"""The pixel validators on pages rendered by a real browser (Chromium) that they once got wrong, through the real
pipeline: good screenshots that end mid-line (no date in the cut line), pages at 67 % zoom that read fine at 100 %,
a 3x phone screenshot with a mild blur, a USPS tracking number in the address bar - none may get an error; a page
at 40 % zoom whose tabs and address bar keep full-size letters, a tracking history cut through its next dated row
and a taskbar date cut at the right edge must get theirs.

Scenes come from bench/browser_set (same templates and builder as the evaluation set), rendered once per session.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # starts a browser

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # bench/ is not an installed package
    sys.path.insert(0, str(REPO))

CHROMIUM = Path("/usr/bin/chromium")
# scene -> codes that must not be raised (each was a false error once)
GOOD = {
    "trk_cainiao_us_crossborder": {"timestamp-cropped"},  # "HEBRON, KY, US" cut at the bottom-left
    "dark_trk_cainiao_android": {"timestamp-cropped"},  # a footer with a phone number cut at the bottom
    "dark_trk_jp_chrome": {"timestamp-cropped"},
    "cut_plain_trk_dhl_de": {"timestamp-cropped"},
    "cut_plain_sc_order_fr": {"timestamp-cropped"},  # "ASIN: ... SKU: 6804-BL" cut at the bottom
    "zoom67_trk_usps_win": {"low-resolution", "order-mismatch"},  # 17 of the USPS number's digits in the URL
    "zoom67_sc_order_en": {"low-resolution"},
    "mild_gauss_usps_ios3x_s25": {"blurry"},  # a 2.5 px blur on 3x text is 0.8 px at 1x
}
DEFECTIVE = {
    "zoom40_sc_order_en": "low-resolution",
    "cut_row_trk_ups_win": "timestamp-cropped",
    "cut_right_mail_de_win": "timestamp-cropped",
}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, dict]:
    pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed (make system-test installs it)")
    from playwright.sync_api import sync_playwright

    from bench.browser_set import build

    out = tmp_path_factory.mktemp("browser_validators")
    wanted = set(GOOD) | set(DEFECTIVE)
    scenes = [s for s in build.scenes() if s.name in wanted]
    assert {s.name for s in scenes} == wanted
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


@pytest.fixture(scope="session")
def findings(rendered, tmp_path_factory) -> dict[str, list]:
    from evidence_svc import pipeline
    from evidence_svc.config import load_settings
    from evidence_svc.model import Claim

    settings = load_settings(workers=min(2, os.cpu_count() or 1), cache_dir=tmp_path_factory.mktemp("cache"))
    out = {}
    for name, rec in rendered.items():
        opened = datetime.fromisoformat(rec["opened_at"].replace("Z", "+00:00"))
        claim = Claim(order_id=rec["order_id"], marketplace=rec["marketplace"], tracking=rec["claim_tracking"],
                      reason=rec["reason"], opened_at=opened)
        rep = pipeline.check_claim(claim, [rec["path"]], settings, now=opened + timedelta(hours=1))
        out[name] = rep.files[0].findings
    return out


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_browser_screenshot_gets_none_of_its_old_false_errors(name, rendered, findings):
    assert not set(rendered[name]["expect_codes"]) & GOOD[name]
    wrong = [(f.code, f.value, f.threshold) for f in findings[name] if f.code in GOOD[name]]
    assert wrong == [], f"{name}: {wrong}"


@pytest.mark.parametrize("name", sorted(DEFECTIVE))
def test_defective_browser_screenshot_gets_its_finding(name, rendered, findings):
    code = DEFECTIVE[name]
    assert code in rendered[name]["expect_codes"]
    assert code in {f.code for f in findings[name]}, f"{name}: {[f.code for f in findings[name]]}"
