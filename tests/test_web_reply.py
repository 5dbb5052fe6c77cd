"""The "Draft reply" button in a real headless Chromium against a real server: a checked sample claim gets a draft
that names its order and tracking number, with the Chinese beside it; an unchecked claim says why there is none."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from support.live_server import LiveServer, create_key, wait_for_job

from evidence_svc.labels import labels_for

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("repo_sample_claims")]

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "claims" / "us_not_received"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("web-reply") / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    yield server, key
    server.stop()


def _claim(client, spec: dict, order_id: str) -> str:
    body = {"order_id": order_id, "reason": spec["reason"], "marketplace": spec["marketplace"],
            "tracking": spec["tracking"], "opened_at": spec["opened_at"].isoformat()}
    r = client.post("/v1/claims", json=body)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_draft_reply_button_shows_the_draft_with_order_and_tracking_and_the_chinese_beside_it(site, browser):
    server, key = site
    spec = tomllib.loads((SAMPLE / "claim.toml").read_text(encoding="utf-8"))
    order, tracking = spec["order_id"], spec["tracking"][0]
    with server.client(key) as client:
        cid = _claim(client, spec, order)
        files = [("file", (n, (SAMPLE / n).read_bytes())) for n in spec["files"]]
        assert client.post(f"/v1/claims/{cid}/files", files=files).status_code == 201
        job = wait_for_job(client, client.post(f"/v1/claims/{cid}/check").json()["id"])
        assert job["state"] == "done", job
        unchecked = "113-1111111-2222222"
        _claim(client, spec, unchecked)

    page = browser.new_page(viewport={"width": 1366, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.evaluate("localStorage.setItem('evidence.lang', 'en')")
    page.reload()
    page.fill("#api-key", key)
    page.click("#signin-form button[type=submit]")

    page.click(f"#claim-list button:has-text('{unchecked}')")
    page.wait_for_selector(f"#c-title:has-text('{unchecked}')")
    assert page.inner_text("#draft-reply") == "Draft reply"
    page.click("#draft-reply")
    page.wait_for_selector("#draft-error:not([hidden])")
    assert "no check of this claim has finished yet" in page.inner_text("#draft-error")

    page.click(f"#claim-list button:has-text('{order}')")
    page.wait_for_selector(f"#c-title:has-text('{order}')")
    page.wait_for_selector("#draft-error", state="hidden")
    page.click("#draft-reply")
    page.wait_for_selector("#draft-text")
    text = page.input_value("#draft-text")
    assert order in text and tracking in text and "November 1, 2026" in text
    zh = page.inner_text("#draft-zh")
    assert order in zh and tracking in zh and "2026年11月1日" in zh
    assert "Nothing missing" in page.inner_text("#draft-out")

    page.select_option("#draft-lang", "de")
    page.click("#draft-reply")
    page.wait_for_selector("#draft-text[lang=de]")
    assert tracking in page.input_value("#draft-text") and "1. November 2026" in page.input_value("#draft-text")
    page.click("#draft-use")
    assert page.input_value("#c-reply") == page.input_value("#draft-text")

    page.click("#lang-zh")
    assert page.inner_text("#draft-reply") == "生成回复草稿"
    german = labels_for("zh")["reply_draft"]["languages"]["de"]  # a language's name in the reader's language
    assert labels_for("zh")["reply_draft"]["web_buyer"].format(language=german) in page.inner_text("#draft-out")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#reply-draft").screenshot(path=str(ARTIFACTS / "web-reply-draft-zh.png"))
    assert errors == []
    page.close()
