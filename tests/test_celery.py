"""Scale-out, for real: an API process and two `evidence worker` processes share Redis, PostgreSQL and a blob dir.

Nothing is faked: the API is `evidence serve` (uvicorn) with EVIDENCE_BROKER_URL set, the workers are
`evidence worker` (Celery, prefork), the broker and the database are the servers `.ci/services.sh` starts, and
every claim is a real image that tesseract reads. Each process has its own data directory; only the database and
the blob directory are shared, as on separate machines. A trigger on the `jobs` table (test instrumentation in the
database, not in our code) records every change of a job's state or runner, so "exactly once" is read from the
store: one transition to `done` per job, one report and one bundle per claim.

Skipped without the services locally; failing under CI=true (see tests/support/services.py).
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from PIL import Image, ImageDraw
from sqlalchemy import text

from evidence_svc.config import Settings
from evidence_svc.store import Store, dispose_engines, open_store

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
LEASE_S = 6  # a dead runner's job is taken over this long after its last heartbeat
TIMEOUT_S = 180

TRANSITIONS_SQL = [
    """CREATE TABLE job_transitions (
         n serial PRIMARY KEY, job_id text NOT NULL, old_state text, new_state text,
         old_owner text, new_owner text, attempts int, at timestamptz NOT NULL DEFAULT clock_timestamp())""",
    """CREATE FUNCTION log_job_transition() RETURNS trigger AS $$
       BEGIN
         IF NEW.state IS DISTINCT FROM OLD.state OR NEW.owner IS DISTINCT FROM OLD.owner THEN
           INSERT INTO job_transitions (job_id, old_state, new_state, old_owner, new_owner, attempts)
           VALUES (NEW.id, OLD.state, NEW.state, OLD.owner, NEW.owner, NEW.attempts);
         END IF;
         RETURN NEW;
       END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER jobs_transitions AFTER UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION log_job_transition()",
]


def order_image(order_id: str, n: int) -> bytes:
    """An order-details screenshot with the order ID, a delivery date and a time: small, quick to OCR."""
    from samples.fonts import font

    img = Image.new("RGB", (1000, 560), "white")
    draw = ImageDraw.Draw(img)
    big, small = font("dejavu-sans", 30), font("dejavu-sans", 24)
    draw.text((50, 40), "Your Orders  >  Order Details", fill=(20, 20, 20), font=big)
    draw.text((50, 120), f"Order # {order_id}", fill="black", font=big)
    draw.text((50, 190), "Order placed March 1, 2026", fill="black", font=small)
    draw.text((50, 250), f"Delivered March 4, 2026 2:{n % 60:02d} PM", fill="black", font=small)
    draw.text((50, 310), "Tracking ID: 1Z999AA10123456784", fill="black", font=small)
    draw.text((50, 470), f"Printed 2026-03-05 09:{n % 60:02d}", fill=(60, 60, 60), font=small)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def long_image(order_id: str) -> bytes:
    """A full page of small text: several seconds of OCR, to outlast a short time limit."""
    from samples.fonts import font

    img = Image.new("RGB", (2200, 3000), "white")
    draw = ImageDraw.Draw(img)
    small = font("dejavu-sans", 26)
    draw.text((80, 60), f"Order # {order_id}", fill="black", font=small)
    for n in range(70):
        draw.text((80, 120 + n * 40), f"{n:02d} 2026-03-0{n % 9 + 1} package scanned at sort facility "
                  f"{n * 7919 % 10007} in transit to destination, carrier event {n * 104729 % 99991}",
                  fill="black", font=small)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    env: dict[str, str]
    settings: Settings
    store: Store
    base_url: str
    api_key: str
    logs: Path
    api: subprocess.Popen | None = None
    workers: list[subprocess.Popen] = field(default_factory=list)

    def start_worker(self, name: str, **extra_env: str) -> subprocess.Popen:
        data = self.logs.parent / f"data-{name}"
        env = {**self.env, "EVIDENCE_DATA_DIR": str(data), "EVIDENCE_CACHE_DIR": str(data / "cache"), **extra_env}
        log = open(self.logs / f"{name}.log", "wb")
        # A session of its own: `kill -9` of the process group takes the whole worker (main process and child)
        proc = subprocess.Popen([sys.executable, "-m", "evidence_svc", "worker", "--concurrency", "1"], cwd=ROOT,
                                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.workers.append(proc)
        _wait_for(lambda: b"ready." in (self.logs / f"{name}.log").read_bytes(), 60,
                  f"worker {name} did not start; see {self.logs / f'{name}.log'}", proc)
        return proc

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"},
                            timeout=30)

    def submit_claims(self, count: int, first: int, image=order_image, files_per_claim=lambda n: 1
                      ) -> dict[str, str]:
        """Create `count` claims through the API, upload `files_per_claim(n)` images to each and start their
        checks: {claim_id: job_id}."""
        jobs: dict[str, str] = {}
        with self.http() as client:
            for n in range(first, first + count):
                order_id = f"112-{4000000 + n:07d}-{7000000 + n:07d}"
                r = client.post("/v1/claims", json={"order_id": order_id, "reason": "not_received",
                                                    "marketplace": "US", "opened_at": "2026-03-06T10:00:00Z"})
                assert r.status_code == 201, r.text
                claim_id = r.json()["id"]
                for k in range(files_per_claim(n)):
                    r = client.post(f"/v1/claims/{claim_id}/files",
                                    files={"file": (f"order-{n}-{k}.png", image(order_id, n + 31 * k), "image/png")})
                    assert r.status_code == 201, r.text
                r = client.post(f"/v1/claims/{claim_id}/check")
                assert r.status_code == 202, r.text
                jobs[claim_id] = r.json()["id"]
        return jobs

    def wait_done(self, job_ids: list[str], timeout: float = TIMEOUT_S) -> None:
        def finished() -> bool:
            with self.store.engine.connect() as conn:
                rows = conn.execute(text("SELECT id, state, error FROM jobs WHERE id = ANY(:ids)"),
                                    {"ids": job_ids}).all()
            failed = [r for r in rows if r.state == "failed"]
            assert not failed, f"jobs failed: {failed}"
            return len(rows) == len(job_ids) and all(r.state == "done" for r in rows)

        _wait_for(finished, timeout, f"jobs not done within {timeout} s; logs in {self.logs}", *self.workers)

    def transitions(self, job_id: str) -> list[tuple[str, str, str | None, int]]:
        with self.store.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT old_state, new_state, new_owner, attempts FROM job_transitions WHERE job_id = :j ORDER BY n"),
                {"j": job_id})]


def _wait_for(predicate, timeout: float, message: str, *procs: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        for p in procs:
            if p.poll() is not None and p.returncode not in (0, -signal.SIGKILL):
                pytest.fail(f"{message} (a process exited with {p.returncode})")
        time.sleep(0.2)
    pytest.fail(message)


@pytest.fixture(scope="module")
def cluster(redis_url: str, postgres_session_database: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("scaleout")
    logs = root / "logs"
    logs.mkdir()
    blobs = root / "shared-blobs"  # stands in for the NFS/SMB mount every machine sees
    env = {
        **os.environ,
        "EVIDENCE_BROKER_URL": redis_url,
        "EVIDENCE_DATABASE_URL": postgres_session_database,
        "EVIDENCE_BLOB_DIR": str(blobs),
        # Two OCR processes per worker, one claim at a time: a claim with two files spreads its pages over a
        # process pool inside the Celery child (the path `--concurrency 1` takes on a big machine).
        "EVIDENCE_WORKERS": "2",
        "EVIDENCE_JOB_LEASE_S": str(LEASE_S),
        # Short limits so the test sees Redis redeliver a dead worker's message; a claim here takes 1-5 s.
        "EVIDENCE_TASK_SOFT_TIME_LIMIT_S": "25",
        "EVIDENCE_TASK_TIME_LIMIT_S": "28",
        "EVIDENCE_BROKER_VISIBILITY_TIMEOUT_S": "32",
        "EVIDENCE_LOG_JSON": "true",
        "PYTHONUNBUFFERED": "1",
    }
    settings = Settings(data_dir=root / "data-test", database_url=postgres_session_database, blob_dir=blobs)
    store = open_store(settings)  # migrates the empty database
    with store.engine.begin() as conn:
        for sql in TRANSITIONS_SQL:
            conn.execute(text(sql))
    tenant = store.ensure_tenant("scale-out")
    port = _free_port()
    c = Cluster(env=env, settings=settings, store=store, base_url=f"http://127.0.0.1:{port}",
                api_key=store.add_key(tenant.id), logs=logs)
    try:
        c.api = subprocess.Popen(
            [sys.executable, "-m", "evidence_svc", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(root / "data-api")],
            cwd=ROOT, env=env, stdout=open(logs / "api.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        c.start_worker("worker-1")
        c.start_worker("worker-2")

        def healthy() -> bool:
            try:
                return httpx.get(f"{c.base_url}/healthz", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_for(healthy, 60, f"API did not start; see {logs / 'api.log'}", c.api)
        yield c
    finally:
        for p in [c.api, *c.workers]:
            if p is not None and p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in [c.api, *c.workers]:
            if p is not None:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
        dispose_engines()


def _runner_pid(owner: str | None) -> int:
    return int((owner or "::").split(":")[1] or 0)


def test_two_workers_check_twenty_claims_submitted_through_the_api(cluster: Cluster) -> None:
    two_files = {4, 9, 14, 19}
    jobs = cluster.submit_claims(20, first=0, files_per_claim=lambda n: 2 if n in two_files else 1)
    cluster.wait_done(list(jobs.values()))

    with cluster.http() as client:
        for n, claim_id in enumerate(jobs):
            report = client.get(f"/v1/claims/{claim_id}/report")
            assert report.status_code == 200, report.text
            body = report.json()
            assert body["schema"] == "evidence-report/1"
            assert len(body["files"]) == (2 if n in two_files else 1)
            for file in body["files"]:
                # the worker really read the picture: the claim's order ID was found by OCR
                assert file["media_type"] == "image/png"
                assert body["claim"]["order_id"] in file["facts"]["order_ids"]
            bundle = client.get(f"/v1/claims/{claim_id}/bundle.pdf")
            assert bundle.status_code == 200 and bundle.content.startswith(b"%PDF-")
            assert body["bundle"]["sha256"] and body["bundle"]["pages"] >= 2

    with cluster.store.engine.connect() as conn:
        owners = conn.execute(text("SELECT owner FROM jobs WHERE id = ANY(:ids)"),
                              {"ids": list(jobs.values())}).scalars().all()
        per_claim = conn.execute(text(
            "SELECT c.id, (SELECT count(*) FROM reports r WHERE r.claim_id = c.id), "
            "(SELECT count(*) FROM bundles b WHERE b.claim_id = c.id) FROM claims c WHERE c.id = ANY(:ids)"),
            {"ids": list(jobs)}).all()
    assert {(reports, bundles) for _, reports, bundles in per_claim} == {(1, 1)}
    # both worker processes took part (a runner is host:pid:token of the Celery child that ran the job)
    worker_groups = {os.getpgid(_runner_pid(o)) for o in owners if _pid_alive(_runner_pid(o))}
    assert worker_groups == {w.pid for w in cluster.workers}
    for job_id in jobs.values():
        done = [t for t in cluster.transitions(job_id) if t[1] == "done"]
        assert len(done) == 1


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except (ProcessLookupError, ValueError):
        return False


def _redis_unacked(redis_url: str) -> int:
    import redis

    return int(redis.Redis.from_url(redis_url).hlen("unacked"))


def test_a_worker_killed_mid_claim_loses_nothing_and_repeats_nothing(cluster: Cluster, redis_url: str) -> None:
    victim = cluster.workers[0]
    jobs = cluster.submit_claims(6, first=100)
    job_ids = list(jobs.values())

    # Wait until the victim's Celery child holds one of the jobs (the store names the runner), then kill -9 the
    # whole worker: main process, child, and anything they started.
    held: dict[str, str] = {}

    def victim_holds_a_job() -> bool:
        with cluster.store.engine.connect() as conn:
            for job_id, owner in conn.execute(text(
                    "SELECT id, owner FROM jobs WHERE id = ANY(:ids) AND state = 'running'"), {"ids": job_ids}):
                pid = _runner_pid(owner)
                try:
                    if os.getpgid(pid) == victim.pid:
                        held.update(job_id=job_id, owner=owner)
                        return True
                except ProcessLookupError:
                    pass
        return False

    _wait_for(victim_holds_a_job, 60, "the worker never took a job")
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=10)
    assert _redis_unacked(redis_url) >= 1  # its message is still unacknowledged in Redis

    cluster.wait_done(job_ids)

    killed = held["job_id"]
    steps = cluster.transitions(killed)
    runners = [owner for _, new, owner, _ in steps if new == "running" and owner]
    assert len(runners) >= 2 and runners[0] == held["owner"] and runners[-1] != held["owner"]
    assert cluster.store.get_job(killed).attempts >= 2  # the attempt is recorded
    for job_id in job_ids:
        assert [t[1] for t in cluster.transitions(job_id)].count("done") == 1, cluster.transitions(job_id)
    for claim_id in jobs:
        assert cluster.store.count_reports(claim_id) == 1
    with cluster.store.engine.connect() as conn:
        bundles = Counter(conn.execute(text("SELECT claim_id FROM bundles WHERE claim_id = ANY(:ids)"),
                                       {"ids": list(jobs)}).scalars())
    assert bundles == Counter({claim_id: 1 for claim_id in jobs})

    # Redis hands the dead worker's message to the surviving worker once the visibility timeout has passed;
    # that second delivery finds the job done and changes nothing.
    report_id = cluster.store.get_job(killed).report_id
    before = cluster.transitions(killed)
    _wait_for(lambda: _redis_unacked(redis_url) == 0, 120, "the dead worker's message was never redelivered",
              *cluster.workers[1:])
    time.sleep(1)
    assert cluster.transitions(killed) == before
    assert cluster.store.get_job(killed).report_id == report_id
    assert cluster.store.count_reports(jobs_claim(jobs, killed)) == 1
    survivor_log = (cluster.logs / "worker-2.log").read_text()
    assert f'"job_id": "{killed}", "state": "done", "retries": 0, "redelivered": true' in survivor_log


def jobs_claim(jobs: dict[str, str], job_id: str) -> str:
    return next(c for c, j in jobs.items() if j == job_id)


def test_a_claim_over_the_time_limit_fails_with_the_reason_and_is_not_retried(cluster: Cluster) -> None:
    for worker in cluster.workers:  # only a worker with a tiny limit may take the next job
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    cluster.start_worker("worker-limited", EVIDENCE_TASK_SOFT_TIME_LIMIT_S="2")
    jobs = cluster.submit_claims(1, first=200, image=lambda order_id, n: long_image(order_id))
    (claim_id, job_id), = jobs.items()

    def failed() -> bool:
        job = cluster.store.get_job(job_id)
        assert job.state != "done", "the job finished inside the limit; the limit was not tested"
        return job.state == "failed"

    _wait_for(failed, 60, "the job never failed", *cluster.workers[-1:])
    job = cluster.store.get_job(job_id)
    assert "time limit of 2 s" in (job.error or ""), job.error
    assert job.attempts <= 1
    # the limit is not mistaken for a problem with the file: no report says the file was corrupt
    assert cluster.store.count_reports(claim_id) == 0
    time.sleep(3)
    job = cluster.store.get_job(job_id)
    assert job.state == "failed" and job.attempts <= 1  # not retried: the same files would run out of time again
    with cluster.http() as client:
        assert client.get(f"/v1/jobs/{job_id}").json()["state"] == "failed"
