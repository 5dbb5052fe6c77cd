"""Editing and deleting claims over HTTP, and what an integrator reads around them: bundle language and time zone,
cursor paging and deadline filters, bilingual errors on every refusal, revoked keys.

In-process (Starlette's test client) on a real data directory: real SQLite, real blobs on disk.
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.store import create_key, dispose_engines, open_store

ORDER = "112-1234567-1234567"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, max_file_bytes=2_000_000,
                   max_upload_bytes=3_000_000, max_json_bytes=64_000)
    dispose_engines()


@pytest.fixture
def app(settings: Settings):
    with TestClient(create_app(settings)) as c:
        yield c


def _client(app: TestClient, settings: Settings, tenant: str) -> TestClient:
    c = TestClient(app.app)
    c.headers["Authorization"] = f"Bearer {create_key(settings, tenant)}"
    return c


@pytest.fixture
def acme(app, settings) -> TestClient:
    return _client(app, settings, "acme")


@pytest.fixture
def globex(app, settings) -> TestClient:
    return _client(app, settings, "globex")


def _claim(client: TestClient, **body) -> dict:
    r = client.post("/v1/claims", json={"order_id": ORDER, **body})
    assert r.status_code == 201, r.text
    return r.json()


def _png(color: str = "white") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def _blobs(settings: Settings) -> set[str]:
    root = settings.data_dir / "blobs"
    return {p.name for p in root.rglob("*") if p.is_file() and p.relative_to(root).parts[0] not in ("tmp", "thumbs")}


def test_bundle_language_defaults_from_the_marketplace_and_is_accepted_on_create(acme: TestClient) -> None:
    assert _claim(acme)["bundle_lang"] == "en"
    assert _claim(acme, marketplace="DE")["bundle_lang"] == "de"
    assert _claim(acme, marketplace="JP")["bundle_lang"] == "ja"
    chosen = _claim(acme, marketplace="DE", bundle_lang="zh", timezone="Asia/Shanghai")
    assert (chosen["bundle_lang"], chosen["timezone"]) == ("zh", "Asia/Shanghai")
    bad = acme.post("/v1/claims", json={"order_id": ORDER, "bundle_lang": "xx"})
    assert bad.status_code == 422 and "bundle_lang" in bad.json()["error"]["message"]
    tz = acme.post("/v1/claims", json={"order_id": ORDER, "timezone": "Mars/Olympus"}).json()["error"]
    assert "IANA" in tz["message"] and "时区" in tz["message_zh"]


def test_patch_changes_only_what_is_sent_and_keeps_the_deadline_in_step(acme: TestClient) -> None:
    opened = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    claim = _claim(acme, opened_at=opened.isoformat(), tracking=["1Z999AA10123456784"], reply="We refunded it.")
    r = acme.patch(f"/v1/claims/{claim['id']}", json={
        "order_id": "113-7654321-7654321", "reason": "damaged", "opened_at": (opened + timedelta(days=2)).isoformat(),
        "order_total": {"amount": "23.45", "currency": "USD"}, "target": "stripe", "timezone": "Europe/Berlin"})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["order_id"], got["reason"], got["target"], got["timezone"]) == (
        "113-7654321-7654321", "damaged", "stripe", "Europe/Berlin")
    assert got["tracking"] == ["1Z999AA10123456784"] and got["reply"] == "We refunded it."  # not sent: unchanged
    assert got["respond_by"] == "2026-11-24T09:00:00Z" and got["status"] == "draft"
    # the list filters on the stored deadline: it moved with opened_at
    before = acme.get("/v1/claims", params={"respond_before": "2026-11-23T00:00:00Z"}).json()
    after = acme.get("/v1/claims", params={"respond_after": "2026-11-24T00:00:00Z"}).json()
    assert before["total"] == 0 and [c["id"] for c in after["items"]] == [claim["id"]]
    cleared = acme.patch(f"/v1/claims/{claim['id']}", json={"opened_at": None, "timezone": None}).json()
    assert cleared["opened_at"] is None and cleared["respond_by"] is None and cleared["timezone"] is None


def test_patch_bundle_language_follows_the_marketplace_until_chosen(acme: TestClient) -> None:
    cid = _claim(acme)["id"]
    assert acme.patch(f"/v1/claims/{cid}", json={"marketplace": "FR"}).json()["bundle_lang"] == "fr"
    assert acme.patch(f"/v1/claims/{cid}", json={"bundle_lang": "en"}).json()["bundle_lang"] == "en"
    assert acme.patch(f"/v1/claims/{cid}", json={"marketplace": "DE"}).json()["bundle_lang"] == "en"  # chosen
    assert acme.patch(f"/v1/claims/{cid}", json={"bundle_lang": None}).json()["bundle_lang"] == "de"  # reset


@pytest.mark.parametrize(("body", "field"), [
    ({"order_id": None}, "order_id"), ({"order_id": "12345"}, "order_id"), ({"timezone": "UTC+8"}, "timezone"),
    ({"marketplace": "XX"}, "marketplace"), ({"status": "ready"}, "status"), ({"reply": "hi"}, "reply"),
])
def test_a_bad_patch_is_a_422_naming_the_field_in_both_languages(acme: TestClient, body: dict, field: str) -> None:
    cid = _claim(acme)["id"]
    r = acme.patch(f"/v1/claims/{cid}", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert field in error["message"] and error["message_zh"] and field in error["message_zh"]
    assert acme.get(f"/v1/claims/{cid}").json()["order_id"] == ORDER


def test_delete_removes_files_reports_and_the_blobs_no_other_claim_uses(acme: TestClient, globex: TestClient,
                                                                      settings: Settings) -> None:
    shared, own = _png("white"), _png("black")
    first, second = _claim(acme)["id"], _claim(acme)["id"]
    theirs = _claim(globex)["id"]
    files = acme.post(f"/v1/claims/{first}/files", files=[("file", ("a.png", shared)), ("file", ("b.png", own))])
    fid = files.json()["files"][0]["id"]
    assert acme.get(f"/v1/claims/{first}/files/{fid}/thumbnail.png").status_code == 200
    assert acme.post(f"/v1/claims/{second}/files", files={"file": ("c.png", shared)}).status_code == 201
    assert globex.post(f"/v1/claims/{theirs}/files", files={"file": ("d.png", own)}).status_code == 201
    assert len(_blobs(settings)) == 2

    assert globex.delete(f"/v1/claims/{first}").status_code == 404  # another tenant's claim: not found
    assert globex.patch(f"/v1/claims/{first}", json={"reason": "damaged"}).status_code == 404
    assert acme.get(f"/v1/claims/{first}").json()["reason"] == "not_received"

    assert acme.delete(f"/v1/claims/{first}").status_code == 204
    assert acme.get(f"/v1/claims/{first}").status_code == 404
    assert acme.get(f"/v1/claims/{first}/files/{fid}/content").status_code == 404
    assert acme.delete(f"/v1/claims/{first}").status_code == 404
    assert len(_blobs(settings)) == 2  # both still used: by the second claim and by globex's
    assert acme.delete(f"/v1/claims/{second}").status_code == 204
    assert len(_blobs(settings)) == 1  # the shared one went with its last claim; globex's stays
    assert not list((settings.data_dir / "blobs" / "thumbs").rglob("*.png"))
    assert globex.get(f"/v1/claims/{theirs}").json()["files"][0]["name"] == "d.png"


def test_cursor_paging_walks_every_claim_once_while_claims_are_added(acme: TestClient) -> None:
    ids = [_claim(acme)["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = acme.get("/v1/claims", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if len(seen) == 2:
            _claim(acme)  # a new claim lands on top: the cursor does not shift under it
        if cursor is None:
            break
    assert seen == ids[::-1]
    assert acme.get("/v1/claims", params={"cursor": "not a cursor"}).status_code == 422
    assert acme.get("/v1/claims", params={"cursor": "0_clm_0"}).json()["items"] == []  # before the first claim
    assert acme.get("/v1/claims", params={"status": "draft", "limit": 200}).json()["total"] == 6


def test_every_refusal_carries_a_chinese_message(acme: TestClient, app: TestClient) -> None:
    cases = [acme.get("/v1/nothing-here"), acme.put("/v1/claims"), acme.get("/v1/claims/clm_nope"),
             acme.post("/v1/claims", json={"order_id": ORDER, "surprise": 1}), app.get("/v1/claims"),
             acme.get("/v1/claims", params={"limit": 0})]
    assert [r.status_code for r in cases] == [404, 405, 404, 422, 401, 422]
    for r in cases:
        error = r.json()["error"]
        assert error["message"] and error["message_zh"] and error["message_zh"] != error["message"], error


def test_a_revoked_key_gets_401_at_once(app: TestClient, settings: Settings) -> None:
    client = _client(app, settings, "acme")
    assert client.get("/v1/claims").status_code == 200
    store = open_store(settings)
    for key, _tenant in store.list_keys():
        store.revoke_key(key.id)
    r = client.get("/v1/claims")
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    assert r.json()["error"]["message_zh"] == "API 密钥无效或已被吊销"


@pytest.mark.slow
def test_the_web_page_edits_and_deletes_a_claim_after_confirmation(tmp_path: Path) -> None:
    """In a real headless Chromium against a real server: Edit changes the claim and shows and reads "opened at" in
    the page's chosen zone (not the computer's); Delete asks in the page's own dialog, where Cancel and Escape keep."""
    import shutil

    from support.live_server import LiveServer
    from support.live_server import create_key as cli_key

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("chromium is not installed (apt-get install chromium)", pytrace=False)
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    key = cli_key(data, "acme")
    server = LiveServer(data).start()
    try:
        with server.client(key) as c:
            claim = c.post("/v1/claims", json={"order_id": ORDER, "opened_at": "2026-11-20T09:00:00Z"}).json()
        with sync_playwright() as p, server.client(key) as c:
            api_claim = lambda: c.get(f"/v1/claims/{claim['id']}")  # noqa: E731
            browser = p.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = browser.new_context(timezone_id="Europe/Berlin").new_page()  # the computer is in Berlin ...
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server.url)
            page.evaluate("localStorage.setItem('evidence.lang', 'en');"
                          "localStorage.setItem('evidence.tz', 'Asia/Shanghai')")
            page.reload()  # ... and the reader chose Beijing time for the page
            page.fill("#api-key", key)
            page.click("#signin-form button[type=submit]")
            page.click("#claim-list button")
            page.click("#edit-claim")
            assert page.input_value("#e-opened") == "2026-11-20T17:00"  # 09:00 UTC in Shanghai, not Berlin's 10:00
            assert "Asia/Shanghai" in page.inner_text("dialog.edit-claim")
            page.fill("#e-order", "113-7654321-7654321")
            page.select_option("#e-market", "DE")
            page.select_option("#e-lang", "de")
            page.fill("#e-tz", "Europe/Berlin")
            page.click("dialog.edit-claim button[type=submit]")
            page.wait_for_selector("#c-title:has-text('113-7654321-7654321')", timeout=15_000)
            got = api_claim().json()
            assert (got["order_id"], got["marketplace"], got["bundle_lang"], got["timezone"]) == (
                "113-7654321-7654321", "DE", "de", "Europe/Berlin")
            assert got["opened_at"] == "2026-11-20T09:00:00Z"  # untouched through the minute-wide field

            page.click("#edit-claim")
            page.fill("#e-opened", "2026-11-20T18:30")  # typed in the page's zone
            page.click("dialog.edit-claim button[type=submit]")
            page.wait_for_selector("#c-sub:has-text('2026-11-20 18:30 Asia/Shanghai')", timeout=15_000)
            assert api_claim().json()["opened_at"] == "2026-11-20T10:30:00Z"

            page.click("#delete-claim")  # the page's own dialog, not the browser's confirm()
            page.wait_for_selector("#confirm[open]")
            assert "113-7654321-7654321" in page.inner_text("#confirm-text")
            assert page.inner_text("#confirm-ok") == "Delete claim" and page.inner_text("#confirm-cancel") == "Cancel"
            page.click("#confirm-cancel")
            page.click("#delete-claim")
            page.wait_for_selector("#confirm[open]")
            page.keyboard.press("Escape")
            page.wait_for_timeout(500)
            assert page.is_hidden("#confirm") and api_claim().status_code == 200
            page.click("#delete-claim")
            page.wait_for_selector("#confirm[open]")
            page.click("#confirm-ok")
            page.wait_for_selector("#view-empty:not([hidden])", timeout=15_000)
            assert api_claim().status_code == 404
            assert "#claim=" not in page.url
            assert errors == []
            browser.close()
    finally:
        server.stop()


@pytest.mark.slow
def test_a_key_revoked_with_the_cli_gets_401_from_a_running_server(tmp_path: Path) -> None:
    import subprocess
    import sys

    from support.live_server import LiveServer
    from support.live_server import create_key as cli_key
    from support.paths import REPO

    data = tmp_path / "data"
    key, other = cli_key(data, "acme"), cli_key(data, "acme")
    server = LiveServer(data).start()
    try:
        with server.client(key) as c:
            assert c.get("/v1/claims").status_code == 200
        listed = subprocess.run([sys.executable, "-m", "evidence_svc", "keys", "list", "--data-dir", str(data)],
                                cwd=REPO, capture_output=True, text=True, timeout=60)
        assert listed.returncode == 0 and key not in listed.stdout  # IDs and prefixes only, never a key
        key_id = next(line.split()[0] for line in listed.stdout.splitlines() if key[:10] in line)
        revoked = subprocess.run([sys.executable, "-m", "evidence_svc", "keys", "revoke", key_id, "--data-dir",
                                  str(data)], cwd=REPO, capture_output=True, text=True, timeout=60)
        assert revoked.returncode == 0, revoked.stderr
        with server.client(key) as c:
            r = c.get("/v1/claims")
            assert r.status_code == 401 and r.json()["error"]["message_zh"]
        with server.client(other) as c:  # the tenant's other key still works
            assert c.get("/v1/claims").status_code == 200
    finally:
        server.stop()
