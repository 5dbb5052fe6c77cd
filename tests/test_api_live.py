"""The HTTP service as a client meets it: a real `evidence serve` process on a loopback port, real evidence files.

The whole flow (claim, upload, check, report, bundle, read-back), restart safety (kill -9 mid-job, start again,
the job completes exactly once), tenant isolation on every endpoint, and the limits (401, 404, 413, 415, bad
multipart, empty file), plus the synchronous lint and the logs (JSON lines with request IDs, never a key).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from support.live_server import LiveServer, create_key, sample_claims, wait_for_job

pytestmark = pytest.mark.slow

FILE_LIMIT = 3_000_000
BODY_LIMIT = 5_000_000


def _claim_body(folder: Path) -> tuple[dict, list[Path]]:
    spec = tomllib.loads((folder / "claim.toml").read_text(encoding="utf-8"))
    body = {k: spec[k] for k in ("order_id", "reason", "marketplace", "tracking", "reply") if k in spec}
    body["opened_at"] = spec["opened_at"].isoformat()
    return body, [folder / name for name in spec["files"]]


def _multipart(paths: list[Path]) -> list[tuple[str, tuple[str, bytes]]]:
    return [("file", (p.name, p.read_bytes())) for p in paths]


def _blob_files(data: Path) -> list[Path]:
    return [p for p in (data / "blobs").rglob("*") if p.is_file() and "thumbs" not in p.parts]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_claims(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("live") / "data"
    keys = {"acme": create_key(data, "acme"), "globex": create_key(data, "globex")}
    server = LiveServer(data, EVIDENCE_MAX_FILE_BYTES=str(FILE_LIMIT), EVIDENCE_MAX_UPLOAD_BYTES=str(BODY_LIMIT)).start()
    yield server, keys
    server.stop()


@pytest.fixture(scope="module")
def checked(service, samples):
    """Tenant acme's item-not-received claim: three files uploaded in one request, checked, report and bundle."""
    server, keys = service
    body, paths = _claim_body(samples / "us_not_received")
    with server.client(keys["acme"]) as c:
        created = c.post("/v1/claims", json=body)
        assert created.status_code == 201, created.text
        claim = created.json()
        uploaded = c.post(f"/v1/claims/{claim['id']}/files", files=_multipart(paths))
        assert uploaded.status_code == 201, uploaded.text
        started = c.post(f"/v1/claims/{claim['id']}/check")
        job = wait_for_job(c, started.json()["id"])
    return {"claim": claim, "files": uploaded.json()["files"], "started": started, "job": job, "paths": paths}


def test_whole_flow_claim_upload_check_report_bundle(service, checked) -> None:
    server, keys = service
    claim, files = checked["claim"], checked["files"]
    assert checked["started"].status_code == 202
    assert checked["started"].headers["location"] == f"/v1/jobs/{checked['job']['id']}"
    assert checked["job"]["state"] == "done", checked["job"]
    # each upload is stored exactly as sent
    assert [f["name"] for f in files] == [p.name for p in checked["paths"]]
    assert [f["sha256"] for f in files] == [hashlib.sha256(p.read_bytes()).hexdigest() for p in checked["paths"]]

    with server.client(keys["acme"]) as c:
        now = c.get(f"/v1/claims/{claim['id']}").json()
        assert now["status"] in ("ready", "needs_work") and now["report"]["current"] is True
        assert {f["media_type"] for f in now["files"]} == {"image/png"}  # sniffed by the pipeline, stored back
        report_resp = c.get(f"/v1/claims/{claim['id']}/report")
        assert report_resp.headers["x-report-current"] == "true"
        report = report_resp.json()
        assert report["schema"] == "evidence-report/1"
        assert report["claim"]["order_id"] == claim["order_id"]
        assert [f["name"] for f in report["files"]] == [f["name"] for f in files]
        tracking = {t["number"] for f in report["files"] for t in f["facts"]["tracking"]}
        assert claim["tracking"][0] in tracking  # the UPS page was read for real
        assert report["summary"]["errors"] == now["report"]["errors"]

        bundle = c.get(f"/v1/claims/{claim['id']}/bundle.pdf")
        assert bundle.status_code == 200 and bundle.headers["content-type"] == "application/pdf"
        assert bundle.content.startswith(b"%PDF-")
        assert hashlib.sha256(bundle.content).hexdigest() == report["bundle"]["sha256"]
        assert report["bundle"]["path"] == f"/v1/claims/{claim['id']}/bundle.pdf"
        assert "attachment" in bundle.headers["content-disposition"]

        for f in files:  # read-back: the bytes as uploaded, as an attachment that no browser renders
            content = c.get(f"/v1/claims/{claim['id']}/files/{f['id']}/content")
            assert hashlib.sha256(content.content).hexdigest() == f["sha256"]
            assert content.headers["content-type"] == "application/octet-stream"
            thumb = c.get(f"/v1/claims/{claim['id']}/files/{f['id']}/thumbnail.png")
            assert thumb.status_code == 200 and thumb.content.startswith(b"\x89PNG")

        # Same inputs again: the stored report is reused, not recomputed.
        again = wait_for_job(c, c.post(f"/v1/claims/{claim['id']}/check").json()["id"])
        assert again["state"] == "done" and again["reused"] is True
        assert c.get(f"/v1/claims/{claim['id']}/report").json()["generated_at"] == report["generated_at"]

        listed = c.get("/v1/claims", params={"respond_before": "2026-12-31T00:00:00Z"}).json()
        assert [i["id"] for i in listed["items"]] == [claim["id"]] and listed["items"][0]["file_count"] == 3

    metrics = httpx.get(f"{server.url}/metrics").text
    assert 'evidence_files_processed_total{status="' in metrics
    assert "evidence_queue_depth 0.0" in metrics
    ocr = [ln for ln in metrics.splitlines() if ln.startswith("evidence_ocr_seconds_total")]
    assert ocr and float(ocr[0].split()[-1]) > 0


def test_changing_the_reply_makes_the_report_stale_until_checked_again(service, checked) -> None:
    server, keys = service
    cid = checked["claim"]["id"]
    with server.client(keys["acme"]) as c:
        before = c.get(f"/v1/claims/{cid}/report").json()
        changed = c.put(f"/v1/claims/{cid}/reply", json={"text": "We are sorry. We will check."})
        assert changed.status_code == 200 and changed.json()["status"] == "draft"
        assert changed.json()["report"]["current"] is False
        assert c.get(f"/v1/claims/{cid}/report").headers["x-report-current"] == "false"
        job = wait_for_job(c, c.post(f"/v1/claims/{cid}/check").json()["id"])
        assert job["state"] == "done" and job["reused"] is False
        after = c.get(f"/v1/claims/{cid}/report").json()
        codes = {f["code"] for f in after["reply"]["findings"]}
        assert after["reply"]["text"] == "We are sorry. We will check." and after != before
        assert codes & {"reply-no-substance", "reply-vague"}  # the vague reply is caught


def test_tenant_isolation_every_endpoint_answers_404_and_no_data(service, checked) -> None:
    server, keys = service
    cid, fid, jid = checked["claim"]["id"], checked["files"][0]["id"], checked["job"]["id"]
    secrets = [checked["claim"]["order_id"], checked["files"][0]["name"], checked["files"][0]["sha256"]]
    attempts = [
        ("GET", f"/v1/claims/{cid}", {}),
        ("POST", f"/v1/claims/{cid}/files", {"files": {"file": ("x.png", b"\x89PNG not really")}}),
        ("GET", f"/v1/claims/{cid}/files/{fid}/content", {}),
        ("GET", f"/v1/claims/{cid}/files/{fid}/thumbnail.png", {}),
        ("DELETE", f"/v1/claims/{cid}/files/{fid}", {}),
        ("PUT", f"/v1/claims/{cid}/reply", {"json": {"text": "hijacked"}}),
        ("POST", f"/v1/claims/{cid}/check", {}),
        ("GET", f"/v1/jobs/{jid}", {}),
        ("GET", f"/v1/claims/{cid}/report", {}),
        ("GET", f"/v1/claims/{cid}/bundle.pdf", {}),
    ]
    with server.client(keys["globex"]) as other, server.client(keys["acme"]) as owner:
        before = owner.get(f"/v1/claims/{cid}").json()
        for method, path, kwargs in attempts:
            r = other.request(method, path, **kwargs)
            assert r.status_code == 404, (method, path, r.status_code)
            assert r.json()["error"]["code"] == "not-found"
            assert not any(s in r.text for s in secrets), (method, path)
        assert other.get("/v1/claims").json()["total"] == 0
        after = owner.get(f"/v1/claims/{cid}").json()
        assert after["files"] == before["files"] and after["reply"] == before["reply"]
        assert after["job"]["id"] == before["job"]["id"]  # no job was started for acme by globex


def test_limits_401_404_413_415_bad_multipart_empty(service, checked) -> None:
    server, keys = service
    cid = checked["claim"]["id"]
    data = server.data_dir
    blobs_before = len(_blob_files(data))
    with server.client() as anon:
        for headers in ({}, {"Authorization": "Bearer evk_not-a-key"}, {"Authorization": "Basic YWxhZGRpbjpv"}):
            r = anon.get("/v1/claims", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
    with server.client(keys["acme"]) as c:
        assert c.get("/v1/claims/clm_does_not_exist").status_code == 404
        assert c.get("/v1/jobs/job_nope").status_code == 404

        big = c.post(f"/v1/claims/{cid}/files", files={"file": ("huge-scan.png", b"\x89PNG" + b"0" * FILE_LIMIT)})
        assert big.status_code == 413
        err = big.json()["error"]
        assert err["code"] == "file-too-large" and "huge-scan.png" in err["message"]
        assert str(FILE_LIMIT) in err["message"] and err["details"] == {"file": "huge-scan.png",
                                                                       "limit_bytes": FILE_LIMIT}

        body = c.post(f"/v1/claims/{cid}/files", files={"file": ("a.png", b"1" * 2_000_000),
                                                         "file2": ("b.png", b"2" * 2_000_000),
                                                         "file3": ("c.png", b"3" * 2_000_000)})
        assert body.status_code == 413 and body.json()["error"]["code"] == "request-too-large"

        empty = c.post(f"/v1/claims/{cid}/files", files={"file": ("blank.jpg", b"")})
        assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty-file"
        assert "blank.jpg" in empty.json()["error"]["message"]

        truncated = c.post(f"/v1/claims/{cid}/files", content=b'--XyZ\r\nContent-Disposition: form-data; name="file"; '
                           b'filename="cut.png"\r\n\r\n\x89PNG partial', headers={
                               "Content-Type": "multipart/form-data; boundary=XyZ"})
        assert truncated.status_code == 400 and truncated.json()["error"]["code"] == "bad-multipart"
        no_boundary = c.post(f"/v1/claims/{cid}/files", content=b"abc",
                             headers={"Content-Type": "multipart/form-data"})
        assert no_boundary.status_code == 400
        not_multipart = c.post(f"/v1/claims/{cid}/files", json={"file": "x"})
        assert not_multipart.status_code == 415

        # Nothing of the refused uploads was kept: no file rows, no blobs, no temp files.
        assert len(c.get(f"/v1/claims/{cid}").json()["files"]) == 3
    assert len(_blob_files(data)) == blobs_before
    assert not [p for p in (data / "blobs" / "tmp").iterdir() if p.is_file()]
    assert httpx.get(f"{server.url}/healthz").json()["status"] == "ok"


def test_lint_answers_now_and_stores_nothing(service, samples) -> None:
    server, keys = service
    body, _ = _claim_body(samples / "us_bad_evidence")
    other = samples / "us_bad_evidence" / "other_order.png"
    blobs_before = len(_blob_files(server.data_dir))
    with server.client(keys["globex"]) as c:
        r = c.post("/v1/lint", data={"order_id": body["order_id"], "marketplace": "US"},
                   files={"file": (other.name, other.read_bytes())})
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["name"] == "other_order.png" and report["status"] == "fail"
        assert "order-mismatch" in {f["code"] for f in report["findings"]}
        assert all(f["message_zh"] for f in report["findings"])
        assert c.get("/v1/claims").json()["total"] == 0
    assert len(_blob_files(server.data_dir)) == blobs_before


def test_logs_are_json_lines_with_request_ids_and_never_a_key(service, checked) -> None:
    server, keys = service
    with server.client(keys["acme"]) as c:
        rid = c.get("/v1/claims", headers={"X-Request-ID": "trace-me-123"}).headers["x-request-id"]
        generated = c.get("/v1/claims").headers["x-request-id"]
    assert rid == "trace-me-123" and len(generated) == 32
    time.sleep(0.2)
    log = server.log()
    for key in keys.values():
        assert key not in log and key[4:20] not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert len(lines) == len([ln for ln in log.splitlines() if ln.strip()])  # every line is JSON
    requests = [ln for ln in lines if ln["msg"] == "request"]
    assert any(ln["request_id"] == "trace-me-123" and ln["path"] == "/v1/claims" for ln in requests)
    assert all("authorization" not in json.dumps(ln).lower() for ln in lines)


def test_killed_mid_job_the_job_runs_again_after_restart_and_completes_once(tmp_path: Path, samples: Path) -> None:
    data = tmp_path / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    body, paths = _claim_body(samples / "us_bad_evidence")
    try:
        with server.client(key) as c:
            cid = c.post("/v1/claims", json=body).json()["id"]
            assert c.post(f"/v1/claims/{cid}/files", files=_multipart(paths)).status_code == 201
            job_id = c.post(f"/v1/claims/{cid}/check").json()["id"]
            wait_for_job(c, job_id, timeout=60, states=("running", "done", "failed"))
            time.sleep(1.0)  # inside the pipeline now
        server.kill()  # kill -9 the server and its OCR workers, mid-job

        db = sqlite3.connect(data / "evidence.db")
        state, attempts = db.execute("SELECT state, attempts FROM jobs WHERE id = ?", (job_id,)).fetchone()
        db.close()
        assert (state, attempts) == ("running", 1), "the job finished before the kill; nothing was tested"

        server.start()
        with server.client(key) as c:
            job = wait_for_job(c, job_id)
            assert job["state"] == "done" and job["attempts"] == 2
            report = c.get(f"/v1/claims/{cid}/report")
            assert report.status_code == 200 and [f["name"] for f in report.json()["files"]] == [p.name for p in paths]
            assert c.get(f"/v1/claims/{cid}/bundle.pdf").content.startswith(b"%PDF-")
        db = sqlite3.connect(data / "evidence.db")
        assert db.execute("SELECT count(*) FROM reports WHERE claim_id = ?", (cid,)).fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM bundles WHERE claim_id = ?", (cid,)).fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM jobs WHERE claim_id = ?", (cid,)).fetchone() == (1,)
        db.close()
    finally:
        server.stop()
