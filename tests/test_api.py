"""The HTTP API's rules, checked in-process (fast): schema and auth, validation, paging, uploads, safety headers.

What needs a real server process (restart, the full check flow, logs) is in test_api_live.py; here the app from
`create_app` runs under Starlette's test client against a real data directory.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.store import create_key, dispose_engines


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, max_file_bytes=2_000_000,
                   max_upload_bytes=3_000_000, max_json_bytes=64_000)
    dispose_engines()


@pytest.fixture
def client(settings: Settings):
    key = create_key(settings, "acme")
    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        yield c


def _claim(client: TestClient, **body) -> dict:
    r = client.post("/v1/claims", json={"order_id": "112-1234567-1234567", **body})
    assert r.status_code == 201, r.text
    return r.json()


def _png(size=(640, 480), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, "white").save(buf, "PNG")
    return buf.getvalue()


def _pdf() -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.drawString(72, 760, "Refund issued for order 112-1234567-1234567: $23.45")
    c.save()
    return buf.getvalue()


def test_openapi_documents_every_v1_operation_with_bearer_auth_and_error_bodies(client: TestClient) -> None:
    doc = client.get("/openapi.json").json()
    assert doc["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "description": doc["components"]["securitySchemes"]["ApiKey"]["description"]}
    ops = [(p, m, op) for p, item in doc["paths"].items() for m, op in item.items()]
    v1 = [(p, m, op) for p, m, op in ops if p.startswith("/v1/")]
    assert len(v1) >= 20  # claims (7 with the CSV log), files (4), checks, jobs, lint, reports (2), webhooks (4)
    for path, method, op in v1:
        assert op["security"] == [{"ApiKey": []}], (method, path)
        assert op["responses"]["401"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert {p for p, _, _ in ops if not p.startswith("/v1/")} == {"/healthz", "/metrics"}
    docs = client.get("/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in docs and "cdn." not in docs  # works without a network
    assert client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200


def test_cors_is_off_unless_origins_are_configured(client: TestClient, settings: Settings) -> None:
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"}
    r = client.options("/v1/claims", headers=preflight)
    assert "access-control-allow-origin" not in r.headers
    assert "access-control-allow-origin" not in client.get("/v1/claims", headers={"Origin": "https://x.example"}).headers
    allowed = settings.model_copy(update={"cors_origins": ["https://erp.example"]})
    with TestClient(create_app(allowed)) as other:
        r = other.options("/v1/claims", headers={**preflight, "Origin": "https://erp.example"})
        assert r.headers["access-control-allow-origin"] == "https://erp.example"


def test_every_response_has_a_request_id_and_safety_headers(client: TestClient) -> None:
    for path in ("/", "/v1/claims", "/healthz", "/v1/claims/nope", "/static/app.js"):
        r = client.get(path)
        assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert "default-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"] != \
        "bad id with spaces"
    err = client.get("/v1/claims/nope").json()
    assert err["request_id"] and err["error"]["code"] == "not-found" and err["error"]["message_zh"]


def test_the_web_page_loads_nothing_from_outside(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in ("/static/app.js", "/static/style.css", "/static/favicon.svg"):
        assert client.get(asset).status_code == 200
    web = Path(__file__).resolve().parents[1] / "evidence_svc" / "web"
    for f in web.iterdir():
        text = f.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a fetch
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text), f.name


OID = "112-1234567-1234567"


@pytest.mark.parametrize(("body", "field"), [
    ({"order_id": "112 123"}, "order_id"),
    ({"order_id": OID, "marketplace": "XX"}, "marketplace"),
    ({"order_id": OID, "opened_at": "1999-12-31T00:00:00Z"}, "opened_at"),
    ({"order_id": OID, "opened_at": "9999-12-31T23:00:00-05:00"}, "opened_at"),
    ({"order_id": OID, "reply": "a\u0000b"}, "reply"),
    ({"order_id": OID, "order_total": {"amount": "1e9", "currency": "USD"}}, "amount"),
    ({"order_id": OID, "surprise": 1}, "surprise"),
])
def test_bad_claim_input_is_a_422_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    r = client.post("/v1/claims", json=body)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "invalid-request" and field in r.json()["error"]["message"]


@pytest.mark.parametrize("order_id", ["112-1", "112-1234567-123456", "112-1234567-1234567\n", "A12-1234567-1234567"])
def test_an_order_id_that_is_not_3_7_7_is_refused_as_the_cli_refuses_it(client: TestClient, order_id: str) -> None:
    err = client.post("/v1/claims", json={"order_id": order_id}).json()["error"]
    assert err["code"] == "invalid-request"
    assert err["message"] == (f"body.order_id: order_id {order_id!r} is not an order ID "
                              "(3-7-7 digits, e.g. 112-1234567-1234567)")
    assert err["message_zh"] == f"body.order_id：order_id {order_id!r} 不是订单号（3-7-7 位数字，例如 112-1234567-1234567）"
    assert client.get("/v1/claims", params={"order_id": order_id}).status_code == 422


def test_a_json_body_over_the_limit_is_413(client: TestClient) -> None:
    r = client.post("/v1/claims", json={"order_id": OID, "reply": "x" * 70_000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "request-too-large"


def test_claims_are_listed_newest_first_and_filtered(client: TestClient) -> None:
    opened = datetime(2026, 11, 20, 9, tzinfo=timezone.utc)
    ids = [_claim(client, opened_at=(opened + timedelta(days=i)).isoformat())["id"] for i in range(4)]
    page = client.get("/v1/claims", params={"limit": 3, "offset": 1}).json()
    assert page["total"] == 4 and [c["id"] for c in page["items"]] == ids[::-1][1:4]
    due = client.get("/v1/claims", params={"respond_before": (opened + timedelta(days=3)).isoformat()}).json()
    assert {c["id"] for c in due["items"]} == set(ids[:2])
    assert client.get("/v1/claims", params={"status": "ready"}).json()["total"] == 0
    assert client.get("/v1/claims", params={"limit": 0}).status_code == 422


def test_upload_names_are_display_text_and_identical_bytes_are_stored_once(client: TestClient,
                                                                           settings: Settings) -> None:
    a, b = _claim(client)["id"], _claim(client)["id"]
    png = _png()
    # written by hand: HTTP clients escape control characters in file names, a hostile one need not
    body = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="file"; filename="' + name + b'"\r\n\r\n' + png + b"\r\n"
        for name in (b"../../etc/evil.png", b"C:\\Users\\me\\Desktop\\scan\x07\x1b.png")) + b"--B--\r\n"
    r = client.post(f"/v1/claims/{a}/files", content=body, headers={"Content-Type": "multipart/form-data; boundary=B"})
    assert r.status_code == 201, r.text
    assert [f["name"] for f in r.json()["files"]] == ["evil.png", "scan.png"]
    assert client.post(f"/v1/claims/{b}/files", files={"file": ("copy.png", png)}).status_code == 201
    stored = [p for p in (settings.data_dir / "blobs").rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].name == r.json()["files"][0]["sha256"]
    assert not list(settings.data_dir.rglob("evil.png")) and not list(Path("/etc").glob("evil.png"))


def test_thumbnails_for_images_and_pdfs_and_none_for_what_cannot_be_drawn(client: TestClient) -> None:
    cid = _claim(client)["id"]
    bomb = _png((12_000, 12_000), mode="1")  # 144 megapixels, tiny on disk: refused before decoding
    files = client.post(f"/v1/claims/{cid}/files", files=[
        ("file", ("photo.png", _png((1600, 1200)))), ("file", ("receipt.pdf", _pdf())),
        ("file", ("notes.txt", b"not a picture")), ("file", ("bomb.png", bomb))]).json()["files"]
    shapes = []
    for f in files:
        r = client.get(f"/v1/claims/{cid}/files/{f['id']}/thumbnail.png")
        shapes.append(Image.open(io.BytesIO(r.content)).size if r.status_code == 200 else r.json()["error"]["code"])
    assert shapes[0] == (320, 240) and max(shapes[1]) == 320 and shapes[1][1] > shapes[1][0]
    assert shapes[2:] == ["no-thumbnail", "no-thumbnail"]


def test_deleting_a_file_removes_it_from_the_claim_only(client: TestClient) -> None:
    cid = _claim(client)["id"]
    fid = client.post(f"/v1/claims/{cid}/files", files={"file": ("a.pdf", _pdf())}).json()["files"][0]["id"]
    assert client.delete(f"/v1/claims/{cid}/files/{fid}").status_code == 204
    assert client.delete(f"/v1/claims/{cid}/files/{fid}").status_code == 404
    claim = client.get(f"/v1/claims/{cid}").json()
    assert claim["files"] == [] and claim["status"] == "draft"


def test_report_and_bundle_are_404_with_a_reason_before_any_check(client: TestClient) -> None:
    cid = _claim(client)["id"]
    for path in (f"/v1/claims/{cid}/report", f"/v1/claims/{cid}/bundle.pdf"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["error"]["code"] == "no-report"


def test_health_and_metrics_need_no_key(client: TestClient) -> None:
    del client.headers["Authorization"]
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "version": client.app.version}
    text = client.get("/metrics").text
    for name in ("evidence_files_processed", "evidence_ocr_seconds_total", "evidence_queue_depth",
                 "evidence_errors", "evidence_http_requests_total", "process_resident_memory_bytes"):
        assert name in text
    assert client.get("/v1/claims").status_code == 401
