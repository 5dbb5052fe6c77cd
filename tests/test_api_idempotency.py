"""`Idempotency-Key` on the POSTs that create something (claims, files, checks): a retry gets the first answer, the
same key for a different request is 409, keys are per tenant and last 24 hours.

In-process (Starlette's test client) on a real data directory; the keys live in the real SQLite database.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import update

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.store import IdempotencyRow, create_key, dispose_engines, open_store, utcnow

ORDER = "112-1234567-1234567"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, job_workers=1)
    dispose_engines()


@pytest.fixture
def app(settings: Settings):
    with TestClient(create_app(settings)) as c:
        yield c


def _client(app: TestClient, settings: Settings, tenant: str) -> TestClient:
    c = TestClient(app.app)
    c.headers["Authorization"] = f"Bearer {create_key(settings, tenant)}"
    return c


def _png(color: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return buf.getvalue()


def test_a_retried_claim_gets_the_first_answer_and_makes_one_claim(app: TestClient, settings: Settings) -> None:
    acme = _client(app, settings, "acme")
    key = {"Idempotency-Key": "order-112-retry-1"}
    first = acme.post("/v1/claims", json={"order_id": ORDER, "marketplace": "DE"}, headers=key)
    # the same request, written differently (key order, spacing): the same meaning, so the same answer
    again = acme.post("/v1/claims", content=' {"marketplace":"DE",  "order_id": "%s"}' % ORDER,
                      headers={**key, "Content-Type": "application/json"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert acme.get("/v1/claims").json()["total"] == 1

    other = acme.post("/v1/claims", json={"order_id": ORDER, "marketplace": "FR"}, headers=key)
    assert other.status_code == 409
    error = other.json()["error"]
    assert error["code"] == "idempotency-key-reused" and "Idempotency-Key" in error["message_zh"]
    # keys are per tenant: another seller's identical key is a new request
    globex = _client(app, settings, "globex")
    assert globex.post("/v1/claims", json={"order_id": ORDER}, headers=key).status_code == 201
    assert acme.get("/v1/claims").json()["total"] == 1


def test_a_retried_upload_adds_the_files_once_even_re_encoded(app: TestClient, settings: Settings) -> None:
    acme = _client(app, settings, "acme")
    cid = acme.post("/v1/claims", json={"order_id": ORDER}).json()["id"]
    files = [("file", ("a.png", _png("white"))), ("file", ("b.png", _png("black")))]
    key = {"Idempotency-Key": "upload-7f3a"}
    first = acme.post(f"/v1/claims/{cid}/files", files=files, headers=key)
    again = acme.post(f"/v1/claims/{cid}/files", files=files, headers=key)  # a new multipart boundary
    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert len(acme.get(f"/v1/claims/{cid}").json()["files"]) == 2
    changed = acme.post(f"/v1/claims/{cid}/files", files=[("file", ("a.png", _png("red")))], headers=key)
    assert changed.status_code == 409 and len(acme.get(f"/v1/claims/{cid}").json()["files"]) == 2


def test_a_retried_check_returns_the_same_job(app: TestClient, settings: Settings) -> None:
    acme = _client(app, settings, "acme")
    cid = acme.post("/v1/claims", json={"order_id": ORDER}).json()["id"]
    key = {"Idempotency-Key": "check-1"}
    first = acme.post(f"/v1/claims/{cid}/check", json={"target": "stripe"}, headers=key)
    again = acme.post(f"/v1/claims/{cid}/check", json={"target": "stripe"}, headers=key)
    assert first.status_code == again.status_code == 202
    assert again.json()["id"] == first.json()["id"] and again.headers["Location"] == f"/v1/jobs/{first.json()['id']}"
    assert acme.post(f"/v1/claims/{cid}/check", json={"target": "amazon"}, headers=key).status_code == 409


def test_a_refused_request_frees_its_key_and_keys_expire_after_a_day(app: TestClient, settings: Settings) -> None:
    acme = _client(app, settings, "acme")
    key = {"Idempotency-Key": "k-1"}
    assert acme.post("/v1/claims/clm_missing/check", headers=key).status_code == 404
    first = acme.post("/v1/claims", json={"order_id": ORDER}, headers=key)
    assert first.status_code == 201  # the 404 was not remembered: the key was free again
    store = open_store(settings)
    with store.engine.begin() as conn:  # the day passes
        conn.execute(update(IdempotencyRow).values(created_at=utcnow() - timedelta(hours=25)))
    later = acme.post("/v1/claims", json={"order_id": ORDER}, headers=key)
    assert later.status_code == 201 and later.json()["id"] != first.json()["id"]
    assert acme.get("/v1/claims").json()["total"] == 2
    assert acme.post("/v1/claims", json={"order_id": ORDER}, headers={"Idempotency-Key": ""}).status_code == 422


def test_the_key_is_documented_on_every_creating_post(app: TestClient) -> None:
    doc = app.get("/openapi.json").json()
    for path in ("/v1/claims", "/v1/claims/{claim_id}/files", "/v1/claims/{claim_id}/check"):
        params = doc["paths"][path]["post"].get("parameters", [])
        assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in params), path
        assert "409" in doc["paths"][path]["post"]["responses"], path
    assert json.dumps(doc)  # the schema stays serialisable
