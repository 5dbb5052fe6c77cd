"""Regression test on pages rendered by a real browser (Chromium), not by the Pillow generator the thresholds were
calibrated on: clean screenshots in English, German and Japanese must get no error finding, and degraded ones
(gaussian blur, a taskbar clock cut by the bottom edge, a page zoomed out to 40 %) must get their finding.

The pages come from the browser-rendered evaluation set (bench/browser_set: same templates, same builder), rendered
once per session into a temporary folder and checked through the real pipeline as one-file claims. The full set
and its tables are `python -m bench.browser_set.build && python bench/eval_browser.py`.
"""

from __future__ import annotations

import pytest

from support.browser_scenes import check_each, render

pytestmark = pytest.mark.slow  # starts a browser

CLEAN = ["trk_ups_en_win", "sc_order_de_125", "jpeg60_sc_order_de", "trk_jp_win", "mail_gmail_ja_2x"]
DEGRADED = {
    "blur_gauss_sc_order_en": "blurry",
    "cut_bottom_sc_order_win": "timestamp-cropped",
    "zoom40_trk_ups_en": "low-resolution",
}


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> dict[str, dict]:
    return render(set(CLEAN) | set(DEGRADED), tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def reports(rendered, tmp_path_factory) -> dict:
    return check_each(rendered, tmp_path_factory.mktemp("cache"))


@pytest.mark.parametrize("name", CLEAN)
def test_clean_browser_page_gets_no_error(name, rendered, reports):
    rec, rep = rendered[name], reports[name]
    assert not rec["expect_codes"], "the label says this page is clean"
    errors = [(f.code, f.value, f.threshold) for f in rep.files[0].findings if f.severity == "error"]
    assert errors == [], f"{rec['file']} ({rec['lang']}, {rec['frame']}, dsf {rec['dsf']}) got false errors"
    facts = rep.files[0].facts
    # the page visibly belongs to its claim: its order ID or tracking number was read
    shown = set(facts.order_ids) | {t.number for t in facts.tracking}
    assert shown & ({rec["order_id"]} | set(rec["claim_tracking"])), f"{rec['file']}: read {shown}"


@pytest.mark.parametrize("name", sorted(DEGRADED))
def test_degraded_browser_page_gets_its_finding(name, rendered, reports):
    rec, rep = rendered[name], reports[name]
    code = DEGRADED[name]
    assert code in rec["expect_codes"]
    found = {f.code for f in rep.files[0].findings}
    assert code in found, f"{rec['file']}: expected {code}, got {sorted(found)}"
