"""Webhooks as a receiver meets them: a real `evidence serve` process posts signed `check.finished` events to a real
HTTP server on a loopback port; a delivery that failed while the receiver was down arrives once it is back, also
across a server restart; and the address rule keeps webhooks off loopback and private networks unless allowed.
"""

from __future__ import annotations

import io
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from support.live_server import LiveServer, create_key, free_port, wait_for_job

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.store import create_key as store_key
from evidence_svc.store import ClaimFields, dispose_engines, open_store, utcnow
from evidence_svc.webhooks import UnsafeUrl, check_url, sign, verify
from evidence_svc.webhooks.delivery import deliver

ORDER = "112-1234567-1234567"
FAST_RETRIES = {"EVIDENCE_WEBHOOK_ALLOW_PRIVATE": "1", "EVIDENCE_WEBHOOK_RETRY_BASE_S": "0.2",
                "EVIDENCE_WEBHOOK_RETRY_MAX_S": "1", "EVIDENCE_WEBHOOK_POLL_S": "0.2"}


class Receiver:
    """An HTTP server on 127.0.0.1 that records every POST (headers and exact body) and answers 200."""

    def __init__(self, port: int = 0) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received.append((dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/evidence"

    def wait(self, count: int = 1, timeout: float = 60) -> list[tuple[dict, bytes]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(self.received) >= count, f"{len(self.received)} deliveries, expected {count}"
        return self.received

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), "white").save(buf, "PNG")
    return buf.getvalue()


def _checked_claim(client) -> tuple[str, dict]:
    claim = client.post("/v1/claims", json={"order_id": ORDER}).json()
    assert client.post(f"/v1/claims/{claim['id']}/files", files={"file": ("order.png", _png())}).status_code == 201
    job = wait_for_job(client, client.post(f"/v1/claims/{claim['id']}/check").json()["id"])
    assert job["state"] == "done", job
    return claim["id"], job


def _wait_deliveries(client, hook_id: str, until, timeout: float = 30) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = client.get(f"/v1/webhooks/{hook_id}/deliveries").json()["deliveries"]
        if until(rows):
            return rows
        time.sleep(0.2)
    raise AssertionError(f"deliveries never reached the expected state: {rows}")


def test_signatures_verify_and_fail_when_tampered_or_old() -> None:
    body = b'{"type":"check.finished"}'
    header = sign("whsec_test", body, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=") and len(header.split("v1=")[1]) == 64
    assert verify("whsec_test", body, header, now=1_700_000_100)
    assert not verify("whsec_test", body + b" ", header, now=1_700_000_100)
    assert not verify("whsec_other", body, header, now=1_700_000_100)
    assert not verify("whsec_test", body, header, now=1_700_001_000)  # older than 5 minutes: a replay
    assert not verify("whsec_test", body, "garbage")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x", "http://169.254.169.254/latest/meta-data",
    "http://[::1]/x", "http://[::ffff:10.0.0.1]/", "http://224.0.0.1/x", "http://0.0.0.0/x"])
def test_private_and_loopback_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, allow_private=False)
    assert refused.value.message_zh and refused.value.status == 403
    assert check_url(url.replace("localhost", "127.0.0.1"), allow_private=True) if "[" not in url else True


def test_the_api_refuses_a_private_url_without_the_setting_in_both_languages(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1)
    try:
        with TestClient(create_app(settings)) as c:
            c.headers["Authorization"] = f"Bearer {store_key(settings, 'acme')}"
            for url, status in (("http://127.0.0.1:9/hook", 403), ("http://[fe80::1]:9/hook", 403),
                                ("ftp://example.com/hook", 422), ("http://user:pw@example.com/hook", 422)):
                r = c.post("/v1/webhooks", json={"url": url, "events": ["check.finished"]})
                assert r.status_code == status, (url, r.text)
                assert r.json()["error"]["message_zh"], url
            assert c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook", "events": ["nope"]}
                          ).status_code == 422
            assert c.get("/v1/webhooks").json() == {"webhooks": []}
    finally:
        dispose_engines()


def test_a_url_that_turns_private_after_registration_is_not_sent_to(tmp_path: Path) -> None:
    """DNS rebinding: the address is checked again when sending, whatever was true at registration."""
    lenient = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", webhook_allow_private=True)
    receiver = Receiver()
    try:
        store = open_store(lenient)
        tenant = store.ensure_tenant("acme")
        hook = store.create_webhook(tenant.id, receiver.url, ["claim.deadline_near"], "whsec_x")
        soon = utcnow()
        store.create_claim(tenant.id, ClaimFields(order_id=ORDER, reason="not_received", marketplace="US",
                                                  tracking=[], opened_at=soon, respond_by=soon.replace(
                                                      year=soon.year + 1), order_total=None, reply=None))
        assert store.add_deadline_events(timedelta(days=400)) == 1
        assert store.add_deadline_events(timedelta(days=400)) == 0  # once per claim and deadline
        [delivery_id] = store.due_deliveries()
        strict = lenient.model_copy(update={"webhook_allow_private": False})
        assert deliver(delivery_id, strict, store) == "pending"
        [row] = store.list_deliveries(tenant.id, hook.id)
        assert row.attempts == 1 and "loopback" in (row.last_error or "") and not receiver.received
    finally:
        receiver.close()
        dispose_engines()


@pytest.mark.slow
def test_a_loopback_receiver_gets_a_signed_check_finished_event(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key = create_key(data, "acme")
    receiver = Receiver()
    server = LiveServer(data, **FAST_RETRIES).start()
    try:
        with server.client(key) as c:
            created = c.post("/v1/webhooks", json={"url": receiver.url, "events": ["check.finished"]})
            assert created.status_code == 201, created.text
            hook = created.json()
            assert hook["secret"].startswith("whsec_") and "secret" not in c.get("/v1/webhooks").json()["webhooks"][0]
            claim_id, job = _checked_claim(c)
            [(headers, body)] = receiver.wait(1)
            assert verify(hook["secret"], body, headers["Evidence-Signature"])
            event = json.loads(body)
            assert event["type"] == "check.finished" and headers["Evidence-Event"] == "check.finished"
            assert event["data"]["claim_id"] == claim_id and event["data"]["job_id"] == job["id"]
            assert event["data"]["state"] == "done" and event["data"]["report"]["errors"] >= 0
            report = c.get(f"/v1/claims/{claim_id}/report").json()  # the report names the files by their API IDs
            assert [f["file_id"] for f in report["files"]] == [f["id"] for f in c.get(f"/v1/claims/{claim_id}")
                                                              .json()["files"]]
            paged = [f for fr in report["files"] for f in fr["findings"] if f["page"] is not None]
            assert all(f["page_number"] == f["page"] + 1 for f in paged)
            [log] = _wait_deliveries(c, hook["id"], lambda rows: rows and rows[0]["state"] == "delivered")
            assert log["last_status"] == 200 and log["attempts"] == 1 and log["payload"] == event
            assert c.delete(f"/v1/webhooks/{hook['id']}").status_code == 204
            assert c.get(f"/v1/webhooks/{hook['id']}/deliveries").status_code == 404
    finally:
        server.stop()
        receiver.close()


@pytest.mark.slow
def test_a_delivery_missed_while_the_receiver_was_down_arrives_after_it_is_back_and_a_restart(tmp_path: Path) -> None:
    data = tmp_path / "data"
    key = create_key(data, "acme")
    port = free_port()  # nobody listens here yet
    server = LiveServer(data, **FAST_RETRIES).start()
    receiver = None
    try:
        with server.client(key) as c:
            hook = c.post("/v1/webhooks", json={"url": f"http://127.0.0.1:{port}/in",
                                                "events": ["check.finished"]}).json()
            _checked_claim(c)
            [row] = _wait_deliveries(c, hook["id"], lambda rows: rows and rows[0]["attempts"] >= 2)
            assert row["state"] == "pending" and row["last_status"] is None and row["last_error"]
        server.stop()  # the service goes down with the delivery still owed
        receiver = Receiver(port)  # the receiver comes back
        server.start()
        [(headers, body)] = receiver.wait(1, timeout=30)
        assert verify(hook["secret"], body, headers["Evidence-Signature"])
        with server.client(key) as c:
            [row] = _wait_deliveries(c, hook["id"], lambda rows: rows[0]["state"] == "delivered")
            assert row["attempts"] >= 3 and row["last_status"] == 200
        time.sleep(1)
        assert len(receiver.received) == 1  # delivered once
    finally:
        server.stop()
        if receiver is not None:
            receiver.close()


def test_the_readme_verification_function_accepts_our_signatures() -> None:
    """The short function the README tells receivers to copy works on what the service sends."""
    from support.paths import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Webhooks"):]
    code = section[section.index("```python") + len("```python"):section.index("```", section.index("```python") + 9)]
    namespace: dict = {}
    exec(code, namespace)  # noqa: S102 - our own README's example
    body = b'{"type":"check.finished","data":{}}'
    assert namespace["verify"]("whsec_abc", body, sign("whsec_abc", body))
    assert not namespace["verify"]("whsec_abc", body + b"x", sign("whsec_abc", body))


@pytest.mark.slow
def test_with_a_broker_the_celery_worker_sends_the_delivery(tmp_path: Path, redis_url: str) -> None:
    """`evidence serve` with EVIDENCE_BROKER_URL hands due deliveries to `evidence worker`, which sends them."""
    import os
    import signal
    import subprocess
    import sys

    from support.paths import REPO

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**os.environ, **FAST_RETRIES, "EVIDENCE_BROKER_URL": redis_url, "EVIDENCE_DATABASE_URL": db,
           "EVIDENCE_BLOB_DIR": str(tmp_path / "blobs"), "EVIDENCE_WORKERS": "1", "PYTHONUNBUFFERED": "1"}
    settings = Settings(data_dir=tmp_path / "api", database_url=db, blob_dir=tmp_path / "blobs")
    key = store_key(settings, "acme")
    dispose_engines()
    receiver = Receiver()
    worker_log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "evidence_svc", "worker", "--concurrency", "1"], cwd=REPO,
                              env={**env, "EVIDENCE_DATA_DIR": str(tmp_path / "worker")},
                              stdout=open(worker_log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    server = LiveServer(tmp_path / "api", **{k: v for k, v in env.items() if k.startswith("EVIDENCE_")})
    server.env["EVIDENCE_BROKER_URL"] = redis_url  # LiveServer drops the shell's broker; this test wants one
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in worker_log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, worker_log.read_text()
            time.sleep(0.2)
        server.start()
        with server.client(key) as c:
            hook = c.post("/v1/webhooks", json={"url": receiver.url, "events": ["check.finished"]}).json()
            _checked_claim(c)
            [(headers, body)] = receiver.wait(1, timeout=60)
            assert verify(hook["secret"], body, headers["Evidence-Signature"])
        assert "webhook delivered" in worker_log.read_text() and "webhook delivered" not in server.log()
    finally:
        server.stop()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver.close()
        dispose_engines()
