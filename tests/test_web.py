"""The web page in a real headless Chromium (Debian's), against a real server: what a customer-service agent does.

Sign in with a key, create a claim, drop files on the page, watch each file get its verdict, switch to Chinese,
download the bundle. Screenshots go to test-artifacts/ (English and Chinese) for a person to look at.
"""

from __future__ import annotations

import base64
import time
import tomllib
from pathlib import Path

import pytest
from support.live_server import LiveServer, create_key, sample_claims

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("web") / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    yield server, key
    server.stop()


def _drop(page, selector: str, paths: list[Path]) -> None:
    """Drop files on an element the way a browser does: a `drop` event whose DataTransfer holds File objects."""
    files = [{"name": p.name, "b64": base64.b64encode(p.read_bytes()).decode(), "type": "image/png"} for p in paths]
    transfer = page.evaluate_handle("""(files) => {
        const dt = new DataTransfer();
        for (const f of files) {
            const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], f.name, { type: f.type }));
        }
        return dt;
    }""", files)
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def _until(page, predicate: str, selector: str, timeout: float = 30) -> None:
    """Poll a predicate over the elements matching `selector`. (wait_for_function would need 'unsafe-eval', which
    the page's Content-Security-Policy rightly refuses.)"""
    deadline = time.monotonic() + timeout
    while not page.eval_on_selector_all(selector, predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate} on {selector}"
        time.sleep(0.25)


def test_agent_creates_a_claim_drops_files_reads_verdicts_in_chinese_and_downloads_the_bundle(
        site, browser, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    server, key = site
    claims = sample_claims(tmp_path_factory.getbasetemp())
    spec = tomllib.loads((claims / "us_not_received" / "claim.toml").read_text(encoding="utf-8"))
    good = [claims / "us_not_received" / name for name in spec["files"][:2]]
    wrong = claims / "us_bad_evidence" / "other_order.png"  # another order's page: must be flagged

    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.evaluate("localStorage.setItem('evidence.lang', 'en')")
    page.reload()

    page.fill("#api-key", key)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector("#view-new:not([hidden])")

    page.fill("#f-order", spec["order_id"])
    page.select_option("#f-reason", "not_received")
    page.select_option("#f-market", "US")
    page.fill("#f-opened", spec["opened_at"].strftime("%Y-%m-%dT%H:%M"))
    page.fill("#f-tracking", spec["tracking"][0])
    page.fill("#f-reply", spec["reply"])
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("#view-claim:not([hidden])")
    assert spec["order_id"] in page.inner_text("#c-title")
    assert "left to respond" in page.inner_text("#c-deadline") or "overdue" in page.inner_text("#c-deadline")

    _drop(page, "#dropzone", good + [wrong])
    _until(page, "(els) => els.length === 3 && els.every(b => ['pass', 'warn', 'fail'].includes(b.dataset.verdict))",
           ".file-card .badge", timeout=180)
    verdicts = {c.get_attribute("data-file"): c.query_selector(".badge").get_attribute("data-verdict")
                for c in page.query_selector_all(".file-card")}
    assert verdicts[wrong.name] == "fail"
    assert all(verdicts[p.name] in ("pass", "warn") for p in good), verdicts
    wrong_card = page.query_selector(f".file-card[data-file='{wrong.name}']")
    assert wrong_card.query_selector("li[data-code='order-mismatch']") is not None
    assert spec["tracking"][0] in page.inner_text("#facts")
    _until(page, "(els) => els.length === 3 && els.every(i => i.complete && i.naturalWidth > 0)", ".file-card img.thumb")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-claim-en.png"), full_page=True)

    page.click("#lang-zh")
    assert page.inner_text("#view-claim h2") == "文件"
    assert page.inner_text(f".file-card[data-file='{wrong.name}'] .badge") == "有问题"
    mismatch = page.inner_text(f".file-card[data-file='{wrong.name}'] li[data-code='order-mismatch']")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mismatch), mismatch  # the finding itself, in Chinese
    assert page.inner_text("#download") == "下载证据包（PDF）"
    page.screenshot(path=str(ARTIFACTS / "web-claim-zh.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#download")
    saved = tmp_path / "bundle.pdf"
    info.value.save_as(saved)
    assert info.value.suggested_filename == f"claim-{spec['order_id']}-evidence.pdf"
    assert saved.read_bytes().startswith(b"%PDF-") and saved.stat().st_size > 10_000
    assert not errors, errors
    page.close()
