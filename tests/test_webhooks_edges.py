"""The edges of webhooks and claim deletion: the address rule against every spelling of a private host, redirects
that are not followed, a slow receiver that does not hold up the others (each webhook's events still in order),
the delivery log pruned, the per-account webhook limit, deliveries on their own Celery queue, and a claim deleted
while its check runs (the job ends quietly, sends nothing and leaves no bundle behind).

Traffic goes only to receivers on 127.0.0.1, with `webhook_allow_private`; the refusal table only resolves
numeric hosts and `localhost`, so it needs no network.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw, ImageFont

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.jobs import run_check
from evidence_svc.store import ClaimFields, dispose_engines, open_store
from evidence_svc.store import create_key as store_key
from evidence_svc.webhooks import UnsafeUrl, check_url
from evidence_svc.webhooks.delivery import Outbox, deliver
from evidence_svc.webhooks.guard import is_public

ORDER = "112-1234567-1234567"


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST's event and answers `status` after `delay` seconds."""

    def __init__(self, status: int = 200, delay: float = 0.0, location: str | None = None) -> None:
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                received.append(json.loads(body))
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/in"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def seqs(self) -> list[int]:
        return [event["data"]["seq"] for event in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _until(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


@pytest.fixture
def settings(tmp_path: Path):
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, webhook_allow_private=True,
                   webhook_poll_s=0.1)
    dispose_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_settings(request: pytest.FixtureRequest, tmp_path: Path):
    """The store-level tests on both databases (PostgreSQL from .ci/services.sh, skipped when absent)."""
    url = request.getfixturevalue("postgres_database") if request.param == "postgresql" else None
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, database_url=url)
    dispose_engines()


# --- the address rule --------------------------------------------------------------------------------------------

REFUSED = [
    "http://127.0.0.1/", "http://127.1/", "http://localhost/", "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f.1/", "http://0x7f000001/", "http://0177.0.0.1/",  # hex and octal spellings of 127.0.0.1
    "http://0.0.0.0/", "http://0/", "http://[::]/", "http://[::1]/", "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/", "http://[::ffff:169.254.169.254]/", "http://[fe80::1]/", "http://[fe80::1%25eth0]/",
    "http://[fc00::1]/", "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 around 169.254.169.254
    "http://10.0.0.1/", "http://172.16.5.4/", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data",
    "http://100.64.0.1/", "http://100.127.255.254/",  # CGNAT
    "http://192.0.0.8/", "http://192.0.2.1/", "http://198.18.0.1/", "http://198.51.100.7/", "http://203.0.113.9/",
    "http://240.0.0.1/", "http://255.255.255.255/", "http://224.0.0.1/", "http://[ff02::1]/", "http://[2001:db8::1]/",
    "http://public@127.0.0.1/", "http://public:pw@8.8.8.8/", "http://8.8.8.8@127.0.0.1/",  # user-info tricks
    "http://127.0.0.1:99999/", "http://8.8.8.8:0/", "ftp://8.8.8.8/", "file:///etc/passwd", "gopher://8.8.8.8/", "http:///x",
]
ALLOWED = ["http://8.8.8.8/hook", "https://1.1.1.1:8443/hook?x=1", "http://[2606:4700:4700::1111]/hook",
           "http://[2002:808:808::]/"]  # 6to4 around a public address


@pytest.mark.parametrize("url", REFUSED)
def test_private_hosts_are_refused_in_every_spelling(url: str) -> None:
    with pytest.raises(UnsafeUrl) as refused:
        check_url(url, allow_private=False)
    assert refused.value.status == 403 and refused.value.message and refused.value.message_zh


@pytest.mark.parametrize("url", ALLOWED)
def test_public_addresses_are_accepted(url: str) -> None:
    assert check_url(url, allow_private=False)


@pytest.mark.parametrize("address, public", [
    ("8.8.8.8", True), ("100.64.0.1", False), ("192.0.0.8", False), ("::ffff:10.0.0.1", False),
    ("::ffff:8.8.8.8", True), ("2002:a00:1::", False), ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
    ("fe80::1%eth0", False), ("3fff::1", False), ("2606:4700:4700::1111", True)])
def test_is_public_judges_each_special_range(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_user_info_is_refused_even_where_private_addresses_are_allowed() -> None:
    with pytest.raises(UnsafeUrl):
        check_url("http://public@127.0.0.1/", allow_private=True)


# --- sending -----------------------------------------------------------------------------------------------------


def _tenant_with_hooks(settings: Settings, *urls: str):
    store = open_store(settings)
    tenant = store.ensure_tenant("acme")
    hooks = [store.create_webhook(tenant.id, url, ["check.finished"], "whsec_x") for url in urls]
    return store, tenant, hooks


def test_a_redirect_is_not_followed(settings: Settings) -> None:
    target = Receiver()
    redirecting = Receiver(status=302, location=target.url)
    try:
        store, tenant, [hook] = _tenant_with_hooks(settings, redirecting.url)
        store.queue_event(tenant.id, "check.finished", "t:0", {"seq": 0})
        [delivery_id] = store.due_deliveries()
        assert deliver(delivery_id, settings, store) == "pending"
        [row] = store.list_deliveries(tenant.id, hook.id)
        assert row.last_status == 302 and row.last_error == "HTTP 302"
        assert redirecting.seqs() == [0] and target.received == []
    finally:
        target.close()
        redirecting.close()


def test_a_slow_receiver_does_not_hold_up_the_others_and_each_keeps_its_order(settings: Settings) -> None:
    slow, fast = Receiver(delay=1.0), Receiver()
    outbox = Outbox(settings)
    try:
        store, tenant, [slow_hook, fast_hook] = _tenant_with_hooks(settings, slow.url, fast.url)
        for seq in range(3):
            assert store.queue_event(tenant.id, "check.finished", f"t:{seq}", {"seq": seq}) == 2
        assert outbox.tick(store) == 6
        _until(lambda: len(fast.received) == 3, timeout=2.5)  # not behind the slow one's 3 s
        assert len(slow.received) <= 2
        assert outbox.tick(store) == 0  # the slow webhook is still being sent to: not started twice
        _until(lambda: len(slow.received) == 3)
        assert fast.seqs() == [0, 1, 2] and slow.seqs() == [0, 1, 2]
        _until(lambda: all(r.state == "delivered" for h in (slow_hook, fast_hook)
                           for r in store.list_deliveries(tenant.id, h.id)))
    finally:
        outbox.stop()
        slow.close()
        fast.close()


def test_the_bound_limits_how_many_webhooks_are_sent_to_at_once(settings: Settings) -> None:
    slow_a, slow_b = Receiver(delay=0.5), Receiver(delay=0.5)
    outbox = Outbox(settings.model_copy(update={"webhook_concurrency": 1}))
    try:
        store, tenant, _hooks = _tenant_with_hooks(settings, slow_a.url, slow_b.url)
        store.queue_event(tenant.id, "check.finished", "t:0", {"seq": 0})
        assert outbox.tick(store) == 1 and outbox.tick(store) == 0
        _until(lambda: len(slow_a.received) + len(slow_b.received) == 1)
        _until(lambda: outbox.tick(store) == 1)  # the other one, once the first is done
        _until(lambda: len(slow_a.received) + len(slow_b.received) == 2)
    finally:
        outbox.stop()
        slow_a.close()
        slow_b.close()


def test_the_delivery_log_is_pruned_but_pending_deliveries_stay(any_settings: Settings) -> None:
    store, tenant, [hook] = _tenant_with_hooks(any_settings, "http://127.0.0.1:9/closed")
    for seq in range(3):
        store.queue_event(tenant.id, "check.finished", f"t:{seq}", {"seq": seq})
    first, second, _third = store.due_deliveries()
    for delivery_id, delivered in ((first, True), (second, False)):
        assert store.take_delivery(delivery_id, lease_s=30) is not None
        store.record_attempt(delivery_id, delivered=delivered, status=200 if delivered else 500, error=None,
                             retry_in=None)
    assert store.prune_deliveries(timedelta(days=30)) == 0  # all recent
    assert sorted(r.state for r in store.list_deliveries(tenant.id, hook.id)) == ["delivered", "failed", "pending"]
    assert store.prune_deliveries(timedelta(0)) == 2
    assert [r.state for r in store.list_deliveries(tenant.id, hook.id)] == ["pending"]


def test_due_deliveries_come_grouped_by_webhook_in_queue_order(any_settings: Settings) -> None:
    store, tenant, [a, b] = _tenant_with_hooks(any_settings, "http://127.0.0.1:9/a", "http://127.0.0.1:9/b")
    for seq in range(3):
        store.queue_event(tenant.id, "check.finished", f"t:{seq}", {"seq": seq})
    groups = store.due_by_webhook()
    assert set(groups) == {a.id, b.id}
    for hook in (a, b):
        logged = {r.id: json.loads(r.payload)["data"]["seq"] for r in store.list_deliveries(tenant.id, hook.id)}
        assert [logged[d] for d in groups[hook.id]] == [0, 1, 2]
    assert set(store.due_by_webhook(exclude=frozenset({a.id}))) == {b.id}


def test_deleting_a_claim_gives_up_its_pending_events_on_both_databases(any_settings: Settings) -> None:
    store, tenant, [hook] = _tenant_with_hooks(any_settings, "http://127.0.0.1:9/closed")
    fields = ClaimFields(order_id=ORDER, reason="not_received", marketplace="US", tracking=[], opened_at=None,
                         respond_by=None, order_total=None, reply=None)
    claim = store.create_claim(tenant.id, fields)
    job, _created = store.create_job(tenant.id, claim.id)
    assert job is not None
    store.queue_event(tenant.id, "check.finished", f"check.finished:{job.id}", {"claim_id": claim.id})
    store.queue_event(tenant.id, "check.finished", "check.finished:job_other", {"claim_id": "clm_other"})
    assert store.delete_claim_everything(tenant.id, claim.id)
    states = {json.loads(r.payload)["data"]["claim_id"]: (r.state, r.last_error)
              for r in store.list_deliveries(tenant.id, hook.id)}
    assert states == {claim.id: ("failed", "not sent: the claim was deleted"), "clm_other": ("pending", None)}


def test_the_outbox_loop_prunes_the_log(settings: Settings) -> None:
    receiver = Receiver()
    outbox = Outbox(settings.model_copy(update={"webhook_log_days": 0}))
    try:
        store, tenant, [hook] = _tenant_with_hooks(settings, receiver.url)
        store.queue_event(tenant.id, "check.finished", "t:0", {"seq": 0})
        [delivery_id] = store.due_deliveries()
        assert deliver(delivery_id, settings, store) == "delivered"
        outbox.start()
        _until(lambda: store.list_deliveries(tenant.id, hook.id) == [])
    finally:
        outbox.stop()
        receiver.close()


def test_an_account_has_at_most_the_configured_number_of_webhooks(settings: Settings) -> None:
    limited = settings.model_copy(update={"webhook_max_per_tenant": 2})
    with TestClient(create_app(limited)) as c:
        c.headers["Authorization"] = f"Bearer {store_key(limited, 'acme')}"
        body = {"url": "http://127.0.0.1:9/hook", "events": ["check.finished"]}
        first, _second = (c.post("/v1/webhooks", json=body) for _ in range(2))
        refused = c.post("/v1/webhooks", json=body)
        assert refused.status_code == 409, refused.text
        error = refused.json()["error"]
        assert error["code"] == "webhook-limit" and "2" in error["message"] and "上限" in error["message_zh"]
        other = {"Authorization": f"Bearer {store_key(limited, 'other')}"}
        assert c.post("/v1/webhooks", json=body, headers=other).status_code == 201  # per account
        assert c.delete(f"/v1/webhooks/{first.json()['id']}").status_code == 204
        assert c.post("/v1/webhooks", json=body).status_code == 201
        assert len(c.get("/v1/webhooks").json()["webhooks"]) == 2


# --- a claim deleted while its check runs ------------------------------------------------------------------------


def _text_pages(folder: Path, count: int) -> list[Path]:
    """Scanned-looking pages full of text, so that a check of them takes a few seconds of real OCR."""
    font = ImageFont.load_default(size=28)
    paths = []
    for page in range(count):
        image = Image.new("RGB", (1700, 2200), "white")
        draw = ImageDraw.Draw(image)
        for line in range(60):
            draw.text((80, 60 + line * 34), f"Order {ORDER} shipped {page}-{line} tracking 1Z999AA1012345678{line % 10}"
                      f" delivered to front door on 2026-11-{1 + line % 28:02d} 10:{line % 60:02d}", fill="black",
                      font=font)
        path = folder / f"page-{page}.png"
        image.save(path)
        paths.append(path)
    return paths


def _blobs_left(settings: Settings) -> list[Path]:
    return [p for p in settings.blobs.rglob("*") if p.is_file() and re.fullmatch(r"[0-9a-f]{64}", p.name)]


def test_a_claim_deleted_while_its_check_runs_ends_the_job_quietly(settings: Settings, tmp_path: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    store, tenant, [hook] = _tenant_with_hooks(settings, "http://127.0.0.1:9/never")
    claim = store.create_claim(tenant.id, ClaimFields(order_id=ORDER, reason="not_received", marketplace="US",
                                                      tracking=[], opened_at=None, respond_by=None,
                                                      order_total=None, reply=None))
    blobs = [(p.name, *store.put_blob_file(p)) for p in _text_pages(tmp_path, 4)]
    assert store.add_files(tenant.id, claim.id, blobs)
    job, created = store.create_job(tenant.id, claim.id)
    assert created and job is not None
    result: list[str] = []
    runner = threading.Thread(target=lambda: result.append(run_check(job.id, settings)))
    with caplog.at_level(logging.INFO, logger="evidence_svc"):
        runner.start()
        _until(lambda: (store.get_job(job.id) or job).state == "running")
        time.sleep(0.3)
        assert store.delete_claim_everything(tenant.id, claim.id)
        runner.join(timeout=300)
    assert result == ["deleted"]
    assert store.get_job(job.id) is None and store.get_claim(tenant.id, claim.id) is None
    assert _blobs_left(settings) == []  # neither the files nor a bundle made for the deleted claim
    assert store.list_deliveries(tenant.id, hook.id) == []  # no check.finished for a claim that is gone
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], [r.getMessage() for r in caplog.records]
    assert any("its claim was deleted" in r.getMessage() for r in caplog.records)


def test_events_not_yet_sent_about_a_deleted_claim_are_never_sent(settings: Settings) -> None:
    store, tenant, [hook] = _tenant_with_hooks(settings, "http://127.0.0.1:9/closed")
    quiet = settings.model_copy(update={"webhook_poll_s": 3600.0})  # the app's outbox stays out of the way
    with TestClient(create_app(quiet)) as c:
        c.headers["Authorization"] = f"Bearer {store_key(settings, 'acme')}"
        deadline_hook = c.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/closed",
                                                     "events": ["claim.deadline_near"]}).json()
        kept, doomed = (c.post("/v1/claims", json={"order_id": ORDER, "opened_at": "2099-01-01T00:00:00Z"}).json()
                        for _ in range(2))
        assert store.add_deadline_events(timedelta(days=365 * 100)) == 2
        assert c.delete(f"/v1/claims/{doomed['id']}").status_code == 204
        rows = c.get(f"/v1/webhooks/{deadline_hook['id']}/deliveries").json()["deliveries"]
    by_claim = {r["payload"]["data"]["claim_id"]: r for r in rows}
    assert by_claim[kept["id"]]["state"] == "pending"
    assert by_claim[doomed["id"]]["state"] == "failed"
    assert by_claim[doomed["id"]]["last_error"] == "not sent: the claim was deleted"
    assert store.due_deliveries() == [by_claim[kept["id"]]["id"]]
    assert store.list_deliveries(tenant.id, hook.id) == []


# --- with a broker: deliveries on their own queue ----------------------------------------------------------------


@pytest.mark.slow
def test_a_worker_for_the_webhooks_queue_alone_sends_the_deliveries(tmp_path: Path, redis_url: str) -> None:
    """Deliveries travel on the `webhooks` queue: a worker started with `--queues webhooks` sends them."""
    import os
    import signal
    import subprocess
    import sys

    from support.live_server import LiveServer
    from support.paths import REPO

    db = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {**os.environ, "EVIDENCE_WEBHOOK_ALLOW_PRIVATE": "1", "EVIDENCE_WEBHOOK_POLL_S": "0.2",
           "EVIDENCE_BROKER_URL": redis_url, "EVIDENCE_DATABASE_URL": db, "EVIDENCE_BLOB_DIR": str(tmp_path / "blobs"),
           "EVIDENCE_WORKERS": "1", "PYTHONUNBUFFERED": "1"}
    settings = Settings(data_dir=tmp_path / "api", database_url=db, blob_dir=tmp_path / "blobs")
    receiver = Receiver()
    store, tenant, [hook] = _tenant_with_hooks(settings, receiver.url)
    dispose_engines()
    worker_log = tmp_path / "worker.log"
    worker = subprocess.Popen([sys.executable, "-m", "evidence_svc", "worker", "--concurrency", "1",
                               "--queues", "webhooks"], cwd=REPO,
                              env={**env, "EVIDENCE_DATA_DIR": str(tmp_path / "worker")},
                              stdout=open(worker_log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
    server = LiveServer(tmp_path / "api", **{k: v for k, v in env.items() if k.startswith("EVIDENCE_")})
    server.env["EVIDENCE_BROKER_URL"] = redis_url  # LiveServer drops the shell's broker; this test wants one
    try:
        deadline = time.monotonic() + 60
        while b"ready." not in worker_log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, worker_log.read_text()
            time.sleep(0.2)
        text = worker_log.read_text()
        assert ".> webhooks" in text and ".> evidence" not in text, text  # the one queue it consumes
        server.start()
        open_store(settings).queue_event(tenant.id, "check.finished", "t:0", {"seq": 0})
        _until(lambda: receiver.seqs() == [0], timeout=60)
        # the worker logs the delivery once the receiver's answer is back and recorded, a moment after it arrived
        _until(lambda: "webhook delivered" in worker_log.read_text(), timeout=30)
        assert "webhook delivered" in worker_log.read_text() and "webhook delivered" not in server.log()
    finally:
        server.stop()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        receiver.close()
        dispose_engines()


def test_the_worker_refuses_an_unknown_queue(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from support.paths import REPO

    out = subprocess.run([sys.executable, "-m", "evidence_svc", "worker", "--queues", "webhooks,nope"], cwd=REPO,
                         env={**os.environ, "EVIDENCE_BROKER_URL": "redis://127.0.0.1:1/0",
                              "EVIDENCE_DATA_DIR": str(tmp_path)}, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "--queues takes evidence and/or webhooks" in out.stderr, out.stderr
