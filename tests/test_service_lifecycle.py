"""The service's edges against a real `evidence serve` on 127.0.0.1: stopping it, and input that used to cost a 500.

Stopping the server (SIGTERM as `docker stop` sends, SIGINT as Ctrl-C does) or killing it (-9) leaves none of its
processes behind: not the forkserver, not a pool worker (before, they lived on under PID 1, about 0.8 GB each
lifetime); the same for `evidence watch`. Then the requests an adversarial test found: a multipart boundary over
256 characters, a lone UTF-16 surrogate in JSON, a file in a field other than `file`, order IDs the CLI refuses,
and a key revoked with `evidence keys revoke` (listed with `evidence keys list`, never over HTTP).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest
from support.live_server import ROOT, LiveServer, create_key, wait_for_job
from test_watch import evidence_png, make_claim, order_id, start, wait_for
from test_watch import done as watch_done

pytestmark = pytest.mark.slow

ORDER = order_id(33)


def _still_running(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:  # is_running also tells a reused pid apart
                alive.append(p)
        except psutil.NoSuchProcess:
            pass
    return alive


def _wait_all_gone(procs: list[psutil.Process], timeout: float = 15) -> list[psutil.Process]:
    deadline = time.monotonic() + timeout
    while (left := _still_running(procs)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


def _describe(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        try:
            out.append(f"{p.pid} ppid={p.ppid()} {' '.join(p.cmdline())[:120]}")
        except psutil.Error:
            pass
    return out


def _server_with_a_pool(tmp: Path) -> tuple[LiveServer, list[psutil.Process]]:
    """A started server that has checked one claim, so its process pool exists; and its descendants."""
    data = tmp / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    try:
        with server.client(key) as c:
            claim = c.post("/v1/claims", json={"order_id": ORDER, "reason": "not_received"}).json()
            pngs = [("file", (f"page{day}.png", evidence_png(ORDER, day))) for day in (3, 4, 5)]  # pages: a pool
            uploaded = c.post(f"/v1/claims/{claim['id']}/files", files=pngs)
            assert uploaded.status_code == 201, uploaded.text
            job = wait_for_job(c, c.post(f"/v1/claims/{claim['id']}/check").json()["id"])
            assert job["state"] == "done", job
        children = psutil.Process(server.proc.pid).children(recursive=True)
        assert children, "the check ran in a process pool"
    except BaseException:
        server.kill()
        raise
    return server, children


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_server_leaves_no_forkserver_or_pool_worker(tmp_path, sig) -> None:
    server, children = _server_with_a_pool(tmp_path)
    try:
        server.proc.send_signal(sig)
        server.proc.wait(timeout=30)
        left = _wait_all_gone(children)
        assert not left, f"still running after {sig.name}: {_describe(left)}"
    finally:
        server.kill()


def test_pool_workers_exit_when_the_server_is_killed(tmp_path) -> None:
    server, children = _server_with_a_pool(tmp_path)
    try:
        server.proc.kill()  # SIGKILL to the server alone: no handler, no atexit
        server.proc.wait(timeout=10)
        left = _wait_all_gone(children)
        assert not left, f"orphans of a killed server: {_describe(left)}"
    finally:
        server.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_watch_leaves_no_forkserver_or_pool_worker(tmp_path, sig) -> None:
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    make_claim(inbox, ORDER, {"order.png": evidence_png(ORDER)})
    proc = start(tmp_path, inbox, out, "--settle", "0.2", log=log)
    try:
        wait_for(lambda: watch_done(log, ORDER), 90, "the claim", proc)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == 0
        left = _wait_all_gone(children)
        assert not left, f"still running after {sig.name}: {_describe(left)}"
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_stopping_or_killing_evidence_worker_leaves_no_process(tmp_path, redis_url, sig) -> None:
    """`evidence worker` (Celery prefork, a page pool inside its child): nothing of it outlives its main process."""
    data = tmp_path / "data"
    key = create_key(data, "acme")
    server = LiveServer(data)
    server.env["EVIDENCE_BROKER_URL"] = redis_url
    env = {**server.env, "EVIDENCE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "1"}
    log = open(tmp_path / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "evidence_svc", "worker", "--concurrency", "1"], cwd=ROOT,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    server.start()
    try:
        with server.client(key) as c:
            claim = c.post("/v1/claims", json={"order_id": ORDER}).json()
            pngs = [("file", (f"page{day}.png", evidence_png(ORDER, day))) for day in (3, 4, 5)]
            assert c.post(f"/v1/claims/{claim['id']}/files", files=pngs).status_code == 201
            job = wait_for_job(c, c.post(f"/v1/claims/{claim['id']}/check").json()["id"])
            assert job["state"] == "done", job
        children = psutil.Process(worker.pid).children(recursive=True)
        assert len(children) >= 2, "a prefork child and its page pool"
        worker.send_signal(sig)
        worker.wait(timeout=60)
        left = _wait_all_gone(children)
        assert not left, f"still running after {sig.name}: {_describe(left)}"
    finally:
        server.kill()
        try:
            os.killpg(worker.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


# --- requests that used to answer 500 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    data = tmp_path_factory.mktemp("lifecycle") / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    yield server, key
    server.stop()


@pytest.fixture(scope="module")
def claim_id(service) -> str:
    server, key = service
    with server.client(key) as c:
        created = c.post("/v1/claims", json={"order_id": ORDER})
        assert created.status_code == 201, created.text
        return created.json()["id"]


def _error(resp: httpx.Response) -> dict:
    body = resp.json()
    return body.get("error", body)


def test_a_multipart_boundary_over_256_characters_is_a_400(service, claim_id) -> None:
    server, key = service
    boundary = "b" * 300
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n"
            f"x\r\n--{boundary}--\r\n").encode()
    with server.client(key) as c:
        resp = c.post(f"/v1/claims/{claim_id}/files", content=body,
                      headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert resp.status_code == 400, resp.text
    assert "256" in resp.text


def test_a_lone_surrogate_in_json_is_a_422(service, claim_id) -> None:
    server, key = service
    raw = '{"order_id": "%s", "reply": "\\ud800x"}' % ORDER  # JSON escapes: valid JSON, not valid Unicode
    with server.client(key) as c:
        created = c.post("/v1/claims", content=raw, headers={"Content-Type": "application/json"})
        replaced = c.put(f"/v1/claims/{claim_id}/reply", content='{"text": "\\udc00"}',
                         headers={"Content-Type": "application/json"})
    assert created.status_code == 422, created.text
    assert replaced.status_code == 422, replaced.text
    assert "surrogate" in created.text


def test_a_file_in_any_field_but_file_is_refused_by_name(service, claim_id) -> None:
    server, key = service
    png = evidence_png(ORDER)
    with server.client(key) as c:
        resp = c.post(f"/v1/claims/{claim_id}/files",
                      files=[("file", ("order.png", png)), ("attachment", ("other.png", png))])
        listed = c.get(f"/v1/claims/{claim_id}").json()
    assert resp.status_code == 400, resp.text
    assert "attachment" in resp.text
    assert all(f["name"] != "other.png" for f in listed.get("files", []))


@pytest.mark.parametrize("bad", ["12345", "112-229169-6427952"])
def test_the_api_refuses_the_order_ids_the_cli_refuses(service, bad) -> None:
    server, key = service
    with server.client(key) as c:
        resp = c.post("/v1/claims", json={"order_id": bad})
    assert resp.status_code == 422, resp.text
    text = json.dumps(resp.json(), ensure_ascii=False)
    assert "is not an order ID (3-7-7 digits" in text and "不是订单号（3-7-7 位数字" in text
    cli = subprocess.run([sys.executable, "-m", "evidence_svc", "lint", "--order", bad, str(ROOT / "README.md")],
                         capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert cli.returncode == 2 and "is not an order ID (3-7-7 digits" in cli.stderr


def _keys(data: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "evidence_svc", "keys", *args, "--data-dir", str(data)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)


def test_keys_are_listed_and_a_revoked_key_answers_401_at_once(service) -> None:
    server, _ = service
    key = create_key(server.data_dir, "globex")
    with server.client(key) as c:
        assert c.get("/v1/claims").status_code == 200
    listing = _keys(server.data_dir, "list")
    assert listing.returncode == 0, listing.stderr
    line = next(ln for ln in listing.stdout.splitlines() if "globex" in ln)
    assert key[:10] in line and key not in listing.stdout  # the prefix tells keys apart; the key is never shown
    key_id = line.split()[0]
    revoked = _keys(server.data_dir, "revoke", key_id)
    assert revoked.returncode == 0, revoked.stderr
    with server.client(key) as c:
        resp = c.get("/v1/claims")
    assert resp.status_code == 401 and "revoked" in resp.text
    assert "revoked" in next(ln for ln in _keys(server.data_dir, "list").stdout.splitlines() if key_id in ln)
    unknown = _keys(server.data_dir, "revoke", "key_nosuchkey")
    assert unknown.returncode == 2 and "key_nosuchkey" in unknown.stderr
    with server.client(key) as c:  # nothing over HTTP lists or revokes keys
        assert c.get("/v1/keys").status_code in (401, 404)
