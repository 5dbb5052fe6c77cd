"""Throughput of Celery workers (1 vs 2 worker processes) and the latency the broker path adds to one claim.

Runs against the real Redis and PostgreSQL that `.ci/services.sh` starts (it reads the same env file as the tests).
Each configuration gets a fresh database, a fresh Redis database and fresh OCR caches, and checks the same claims
(one rendered order screenshot each), so the numbers compare like with like:

  1. throughput: the claims are queued at once; `evidence worker --concurrency 1` processes (EVIDENCE_WORKERS=1,
     so each is one core) run them; files per minute from the first submit to the last job done, and the ratio;
  2. latency of one claim, end to end (submit -> job done in the store), median of several: the in-process pool
     (`jobs.LocalPool`, what `evidence serve` uses without a broker) vs the broker path (Redis -> an idle, warm
     worker -> the same `jobs.run_check`). The difference is what the broker path adds.

    .ci/services.sh && .venv/bin/python bench/bench_workers.py [--claims 16] [--repeats 5]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from evidence_svc.config import Settings  # noqa: E402
from evidence_svc.store import ClaimFields, Store, dispose_engines, open_store  # noqa: E402

ENV_FILE = Path(os.environ.get("EVIDENCE_SERVICES_DIR", "/tmp/evidence-services")) / "env"


def service_urls() -> tuple[str, str]:
    values = dict(os.environ)
    if ENV_FILE.is_file():
        for line in ENV_FILE.read_text().splitlines():
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), value.strip())
    redis_url, pg_url = values.get("EVIDENCE_TEST_REDIS_URL"), values.get("EVIDENCE_TEST_POSTGRES_URL")
    if not redis_url or not pg_url:
        raise SystemExit("no Redis/PostgreSQL configured: run .ci/services.sh first")
    return claim_redis_db(redis_url.rsplit("/", 1)[0]), pg_url


_LOCK_KEY = "evidence-test-session"  # the same lock the test fixtures take (tests/support/services.py)


def claim_redis_db(base: str) -> str:
    """A Redis database no test session is using, locked for this run (released by the final flush)."""
    import redis

    for db in range(1, 16):
        if redis.Redis.from_url(f"{base}/{db}").set(_LOCK_KEY, uuid.uuid4().hex, nx=True, ex=3600):
            return f"{base}/{db}"
    raise SystemExit(f"no free Redis database on {base}")


def empty_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = [k for k in client.scan_iter(count=1000) if k != _LOCK_KEY.encode()]
    if keys:
        client.delete(*keys)


def fresh_database(pg_url: str) -> str:
    import psycopg

    name = f"evidence_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("postgresql://" + pg_url.split("://", 1)[1], autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return pg_url.rsplit("/", 1)[0] + "/" + name


def drop_database(pg_url: str, url: str) -> None:
    import psycopg

    dispose_engines()
    with psycopg.connect("postgresql://" + pg_url.split("://", 1)[1], autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def order_image(order_id: str, n: int) -> bytes:
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


def make_claims(store: Store, images: list[tuple[str, bytes]]) -> list[str]:
    """One claim per image, each with a queued check job; returns the job IDs (not yet submitted)."""
    tenant = store.ensure_tenant("bench").id
    job_ids = []
    for order_id, data in images:
        sha, size = store.put_blob_stream(io.BytesIO(data), 1 << 26)
        claim = store.create_claim(tenant, ClaimFields(
            order_id=order_id, reason="not_received", marketplace="US", tracking=[],
            opened_at=datetime(2026, 3, 6, 10, tzinfo=timezone.utc), respond_by=None, order_total=None, reply=None))
        store.add_files(tenant, claim.id, [(f"{order_id}.png", sha, size)])
        job, _ = store.create_job(tenant, claim.id)
        job_ids.append(job.id)
    return job_ids


def wait_done(store: Store, job_ids: list[str], timeout: float = 900, poll: float = 0.01) -> float:
    from sqlalchemy import text

    deadline = time.monotonic() + timeout
    with store.engine.connect() as conn:
        while time.monotonic() < deadline:
            states = conn.execute(text("SELECT state FROM jobs WHERE id = ANY(:ids)"), {"ids": job_ids}).scalars().all()
            conn.commit()
            if "failed" in states:
                raise SystemExit(f"a job failed: {states}")
            if len(states) == len(job_ids) and all(s == "done" for s in states):
                return time.perf_counter()
            time.sleep(poll)
    raise SystemExit("jobs did not finish in time")


class Workers:
    """`evidence worker` processes, each in its own process group, stopped with the group."""

    def __init__(self, count: int, env: dict[str, str], root: Path) -> None:
        self.procs: list[subprocess.Popen] = []
        for i in range(count):
            data = root / f"worker-{i}"
            data.mkdir(parents=True, exist_ok=True)
            log = data / "worker.log"
            wenv = {**env, "EVIDENCE_DATA_DIR": str(data), "EVIDENCE_CACHE_DIR": str(data / "cache"),
                    "EVIDENCE_LOG_JSON": "false"}
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "evidence_svc", "worker", "--concurrency", "1"], cwd=ROOT, env=wenv,
                stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True))
            deadline = time.monotonic() + 60
            while b"ready." not in log.read_bytes():
                if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                    raise SystemExit(f"worker did not start: {log}")
                time.sleep(0.1)

    def stop(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def base_env(redis_url: str, db_url: str, blobs: Path) -> dict[str, str]:
    return {**os.environ, "EVIDENCE_BROKER_URL": redis_url, "EVIDENCE_DATABASE_URL": db_url,
            "EVIDENCE_BLOB_DIR": str(blobs), "EVIDENCE_WORKERS": "1", "PYTHONUNBUFFERED": "1"}


def throughput(workers: int, images: list[tuple[str, bytes]], redis_url: str, pg_url: str) -> dict:
    from evidence_svc import tasks

    empty_redis(redis_url)
    db = fresh_database(pg_url)
    with tempfile.TemporaryDirectory(prefix="bench-workers-") as tmp:
        root = Path(tmp)
        settings = Settings(data_dir=root / "bench", database_url=db, blob_dir=root / "blobs", broker_url=redis_url)
        store = open_store(settings)
        job_ids = make_claims(store, images)
        pool = Workers(workers, base_env(redis_url, db, root / "blobs"), root)
        try:
            started = time.perf_counter()
            for job_id in job_ids:
                tasks.submit(job_id, settings)
            seconds = wait_done(store, job_ids, poll=0.05) - started
        finally:
            pool.stop()
        drop_database(pg_url, db)
    return {"workers": workers, "files": len(images), "seconds": seconds, "files_per_min": len(images) / seconds * 60}


def _one(store: Store, image: tuple[str, bytes], submit) -> tuple[float, float]:
    """(submit -> done, submit -> a runner took it) for one new claim, from the runner's own timestamps in the
    store (one machine, one clock), so how often this process polls does not enter the number. The claim is made
    just before it is submitted: a queued job would be picked up early by the pool's start-up sweep."""
    job_id = make_claims(store, [image])[0]
    submitted = datetime.now(timezone.utc)
    submit(job_id)
    wait_done(store, [job_id], poll=0.05)
    job = store.get_job(job_id)
    return (job.finished_at - submitted).total_seconds(), (job.started_at - submitted).total_seconds()


def latency(images: list[tuple[str, bytes]], redis_url: str, pg_url: str) -> dict:
    """One claim at a time, the two paths alternating: in-process pool vs broker + an idle, warm worker.

    Each path has a PostgreSQL database of its own (the pool's sweeper would otherwise pick up the broker's queued
    jobs); both run the pages in-process on one core (EVIDENCE_WORKERS=1), as the throughput runs do.
    """
    from evidence_svc import tasks
    from evidence_svc.jobs import LocalPool

    empty_redis(redis_url)
    db_local, db_broker = fresh_database(pg_url), fresh_database(pg_url)
    out: dict[str, list[float]] = {"in_process": [], "broker": [], "broker_queue_wait": [], "in_process_queue_wait": []}
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        root = Path(tmp)
        local = Settings(data_dir=root / "local", database_url=db_local, blob_dir=root / "blobs", workers=1,
                         job_workers=1, cache_dir=root / "cache-local")
        brokered = Settings(data_dir=root / "submit", database_url=db_broker, blob_dir=root / "blobs", workers=1,
                            broker_url=redis_url)
        local_store, broker_store = open_store(local), open_store(brokered)
        half = len(images) // 2
        pool = LocalPool(local)
        pool.start()
        workers = Workers(1, base_env(redis_url, db_broker, root / "blobs"), root)
        try:
            for i, (li, bi) in enumerate(zip(images[:half], images[half:])):
                total_l, wait_l = _one(local_store, li, pool.submit)
                total_b, wait_b = _one(broker_store, bi, lambda j: tasks.submit(j, brokered))
                if i:  # the first claim of each path warms it up (imports, language data, connections)
                    out["in_process"].append(total_l)
                    out["in_process_queue_wait"].append(wait_l)
                    out["broker"].append(total_b)
                    out["broker_queue_wait"].append(wait_b)
        finally:
            pool.stop()
            workers.stop()
        drop_database(pg_url, db_local)
        drop_database(pg_url, db_broker)
    return {k: statistics.median(v) for k, v in out.items()} | {"samples": out}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=16, help="claims (one image each) per throughput run")
    parser.add_argument("--repeats", type=int, default=5, help="timed single claims per path for the latency")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)

    redis_url, pg_url = service_urls()
    images = [(f"112-{5000000 + n:07d}-{8000000 + n:07d}", order_image(f"112-{5000000 + n:07d}-{8000000 + n:07d}", n))
              for n in range(args.claims)]
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; {args.claims} claims of one 1000x560 "
          f"screenshot each; Redis {redis_url}, PostgreSQL {pg_url.rsplit('@', 1)[-1]}")

    runs = [throughput(n, images, redis_url, pg_url) for n in (1, 2)]
    print(f"\n{'worker processes':>16} {'files':>6} {'seconds':>8} {'files/min':>10}")
    for r in runs:
        print(f"{r['workers']:>16} {r['files']:>6} {r['seconds']:>8.1f} {r['files_per_min']:>10.1f}")
    ratio = runs[1]["files_per_min"] / runs[0]["files_per_min"]
    print(f"ratio 2 vs 1 worker processes: {ratio:.2f}x")

    lat_orders = [f"112-{6000000 + n:07d}-{9000000 + n:07d}" for n in range(2 * (args.repeats + 1))]
    lat_images = [(order, order_image(order, n + 7)) for n, order in enumerate(lat_orders)]
    lat = latency(lat_images, redis_url, pg_url)
    added = lat["broker"] - lat["in_process"]
    print(f"\none claim, submit -> done, median of {args.repeats} (alternating): in-process pool "
          f"{lat['in_process']:.2f} s, broker path {lat['broker']:.2f} s; "
          f"added by the broker path {added * 1000:+.0f} ms")
    print(f"  of which submit -> a runner took the job: in-process {lat['in_process_queue_wait'] * 1000:.0f} ms, "
          f"broker {lat['broker_queue_wait'] * 1000:.0f} ms")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          "(other work on the machine skews every number above)")
    import redis

    redis.Redis.from_url(redis_url).flushdb()  # also releases the database's lock
    if args.json:
        args.json.write_text(json.dumps({"throughput": runs, "ratio": ratio, "latency": lat, "added_s": added},
                                        indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
