"""The pixel validators on pages rendered by a real browser (Chromium) that they once got wrong, through the real
pipeline: good screenshots that end mid-line (no date in the cut line), pages at 67 % zoom that read fine at 100 %,
a 3x phone screenshot with a mild blur, a USPS tracking number in the address bar - none may get an error; a page
at 40 % zoom whose tabs and address bar keep full-size letters, a tracking history cut through its next dated row
and a taskbar date cut at the right edge must get theirs.

Scenes come from bench/browser_set (same templates and builder as the evaluation set), rendered once per session.
"""

from __future__ import annotations

import pytest

from support.browser_scenes import check_each, render

pytestmark = pytest.mark.slow  # starts a browser

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
    return render(set(GOOD) | set(DEFECTIVE), tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def findings(rendered, tmp_path_factory) -> dict[str, list]:
    reports = check_each(rendered, tmp_path_factory.mktemp("cache"))
    return {name: rep.files[0].findings for name, rep in reports.items()}


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
