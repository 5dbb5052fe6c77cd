"""The store and the job runner on a real SQLite file and a real blob directory.

Blobs are content-addressed, written atomically, streamed with a limit, and leave nothing behind when refused;
an old data directory is migrated in place without losing rows; the models match the migrations; claims move
through their states as files, replies and checks come and go; keys are stored only as hashes; and the job
functions run the real pipeline, reuse an identical report, and pick up a job whose process died.
(test_store_backends.py runs the concurrency and tenancy rules against SQLite and PostgreSQL.)
"""

from __future__ import annotations

import io
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import create_engine, text

from evidence_svc import jobs
from evidence_svc.config import Settings
from evidence_svc.migrations import current_revision, upgrade
from evidence_svc.store.blobs import BlobEmpty, BlobTooLarge
from evidence_svc.store import Base, ClaimFields, Store, dispose_engines, hash_key, open_store
from evidence_svc.uploads import make_thumbnail

ROOT = Path(__file__).resolve().parents[1]
ORDER = "112-6518054-2727530"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, job_lease_s=30)
    dispose_engines()


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings)


def _fields(order_id: str = ORDER, reply: str | None = None, opened_at: datetime | None = None) -> ClaimFields:
    respond_by = opened_at + timedelta(hours=48) if opened_at else None
    return ClaimFields(order_id=order_id, reason="not_received", marketplace="US", tracking=[], opened_at=opened_at,
                       respond_by=respond_by, order_total=None, reply=reply)


# --- blobs ---------------------------------------------------------------------------------------------------------


def test_blobs_are_content_addressed_and_stored_once(store: Store) -> None:
    data = os.urandom(3 * 1024 * 1024 + 17)  # more than one chunk
    sha, size = store.put_blob_stream(io.BytesIO(data), 10 << 20)
    again, _ = store.put_blob_stream(io.BytesIO(data), 10 << 20)
    assert (sha, size) == (again, len(data))
    path = store.blob_path(sha)
    assert path == store.blobs / sha[:2] / sha[2:4] / sha and path.read_bytes() == data
    assert [p for p in store.blobs.rglob("*") if p.is_file()] == [path]  # one copy, no temp file left


def test_a_blob_over_the_limit_is_refused_while_streaming_and_leaves_nothing(store: Store) -> None:
    class Endless(io.RawIOBase):
        """Yields zeros forever: the store must stop reading at the limit, not at the end."""
        read_calls = 0

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            Endless.read_calls += 1
            b[:] = bytes(len(b))
            return len(b)

    with pytest.raises(BlobTooLarge) as err:
        store.put_blob_stream(io.BufferedReader(Endless()), max_bytes=5 << 20)
    assert err.value.limit == 5 << 20
    assert Endless.read_calls < 20
    with pytest.raises(BlobEmpty):
        store.put_blob_stream(io.BytesIO(b""), 10)
    assert not [p for p in store.blobs.rglob("*") if p.is_file()]


def test_opening_a_store_removes_stale_temp_files_only(settings: Settings) -> None:
    tmp = settings.blobs / "tmp"
    tmp.mkdir(parents=True)
    stale, fresh = tmp / "part-old.tmp", tmp / "part-new.tmp"
    stale.write_bytes(b"killed upload")
    fresh.write_bytes(b"upload in progress in another process")
    os.utime(stale, (time.time() - 2 * 86400,) * 2)
    open_store(settings)
    assert not stale.exists() and fresh.exists()


KILLED_MID_BUNDLE = """
import sys, tempfile, time
from evidence_svc.config import Settings
from evidence_svc.store import open_store
store = open_store(Settings(data_dir=sys.argv[1]))
scratch = tempfile.mkdtemp(dir=store.tmp_dir(), prefix=store.scratch_prefix("bundle"))  # as jobs.run_job does
open(scratch + "/bundle.pdf", "wb").write(b"%PDF-1.7 half a bundle")
print(scratch, flush=True)
time.sleep(120)
"""


def test_a_bundle_scratch_folder_left_by_kill_9_is_removed_when_a_store_opens(settings: Settings) -> None:
    proc = subprocess.Popen([sys.executable, "-c", KILLED_MID_BUNDLE, str(settings.data_dir)], stdout=subprocess.PIPE,
                            text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    killed = Path(proc.stdout.readline().strip())
    assert killed.is_dir() and killed.name.startswith("bundle-")
    store = open_store(settings)
    assert killed.is_dir()  # its owner is alive: hands off
    proc.kill()  # SIGKILL mid-bundle: no cleanup of any kind
    proc.wait(timeout=10)
    ours = Path(tempfile.mkdtemp(dir=store.tmp_dir(), prefix=store.scratch_prefix("bundle")))
    old_untagged, fresh_untagged = store.tmp_dir() / "bundle-old", store.tmp_dir() / "bundle-fresh"
    old_untagged.mkdir(), fresh_untagged.mkdir()
    os.utime(old_untagged, (time.time() - 2 * 86400,) * 2)

    open_store(settings)  # the next start
    assert not killed.exists() and not old_untagged.exists()
    assert ours.is_dir() and fresh_untagged.is_dir()  # a live owner's, and an unknown one's younger than a day


def test_the_data_directory_is_created_private(tmp_path: Path) -> None:
    data = tmp_path / "new" / "data"
    settings = Settings(data_dir=data, cache_dir=tmp_path / "cache", workers=1)
    try:
        store = open_store(settings)
        sha, _ = store.put_blob_stream(io.BytesIO(b"a tenant's evidence"), 1 << 20)
        tenant = store.ensure_tenant("acme")
        store.add_key(tenant.id)  # a write: the WAL file exists
        mode = lambda p: oct(os.stat(p).st_mode & 0o777)  # noqa: E731
        assert mode(tmp_path / "new") == mode(data) == mode(settings.blobs) == oct(0o700)
        assert mode(store.blob_path(sha).parent) == mode(store.tmp_dir()) == oct(0o700)
        assert mode(store.blob_path(sha)) == oct(0o600)
        png = tmp_path / "shot.png"
        Image.new("RGB", (400, 300), "white").save(png)
        assert make_thumbnail(png, store.thumb_path(sha), 10_000_000)
        assert mode(store.thumb_path(sha)) == oct(0o600) and mode(store.thumb_path(sha).parent) == oct(0o700)
        db = data / "evidence.db"
        for f in (db, db.with_name("evidence.db-wal"), db.with_name("evidence.db-shm")):
            assert mode(f) == oct(0o600), f
    finally:
        dispose_engines()


# --- schema --------------------------------------------------------------------------------------------------------


def test_an_old_data_directory_is_upgraded_in_place(settings: Settings) -> None:
    """A database left at the first revision (claims and files, no jobs yet) keeps its rows and gains the rest."""
    settings.data_dir.mkdir(parents=True)
    url = settings.sqlalchemy_url
    old = create_engine(url)
    upgrade(old, "0001")
    now = datetime(2026, 11, 1, 12, 0)
    with old.begin() as conn:
        conn.execute(text("INSERT INTO tenants (id, name, created_at) VALUES ('tnt_1', 'acme', :t)"), {"t": now})
        conn.execute(text(
            "INSERT INTO claims (id, tenant_id, order_id, reason, marketplace, tracking, status, revision, target, "
            "created_at, updated_at) VALUES ('clm_1', 'tnt_1', :o, 'not_received', 'US', '[]', 'draft', 1, "
            "'amazon', :t, :t)"), {"o": ORDER, "t": now})
    assert current_revision(old) == "0001"
    old.dispose()

    store = open_store(settings)  # what `evidence serve` does on start
    assert current_revision(store.engine) == "0003"
    claim = store.get_claim("tnt_1", "clm_1")
    assert claim is not None and claim.order_id == ORDER and claim.created_at.tzinfo is not None
    assert claim.bundle_lang == "en"  # 0003 gives old claims their marketplace's bundle language
    job, created = store.create_job("tnt_1", "clm_1")  # the new tables work on the old rows
    assert created and job.state == "queued"


def test_models_match_the_migrations_and_sqlite_runs_in_wal_mode(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# --- claims, replies, keys -----------------------------------------------------------------------------------------


def test_claim_states_follow_files_replies_and_checks(store: Store) -> None:
    tenant = store.ensure_tenant("acme").id
    claim = store.create_claim(tenant, _fields())
    assert (claim.status, claim.revision) == ("draft", 1)
    sha, size = store.put_blob_stream(io.BytesIO(b"%PDF-1.4 receipt"), 1 << 20)
    store.add_files(tenant, claim.id, [("receipt.pdf", sha, size)])
    job, _ = store.create_job(tenant, claim.id)
    assert store.get_claim(tenant, claim.id).status == "checking"
    taken = store.take_job(job.id, "w:1:t", 60)
    store.claim_for_job(taken)  # the runner reads the claim at revision 2
    store.set_reply(tenant, claim.id, "Refunded in full on 25 November.")  # changed while the check runs
    store.finish_job(taken, "w:1:t", fingerprint="f" * 64, report_json="{}", ready=True)
    after = store.get_claim(tenant, claim.id)
    assert after.status == "draft" and after.report_id is not None  # a report, but of an older revision
    job2, _ = store.create_job(tenant, claim.id)
    taken2 = store.take_job(job2.id, "w:1:t", 60)
    store.claim_for_job(taken2)
    store.finish_job(taken2, "w:1:t", fingerprint="e" * 64, report_json="{}", ready=False, errors=2)
    assert store.get_claim(tenant, claim.id).status == "needs_work"


def test_earlier_replies_are_the_tenants_other_claims_only(store: Store) -> None:
    acme, globex = store.ensure_tenant("acme").id, store.ensure_tenant("globex").id
    this = store.create_claim(acme, _fields(reply="Draft for this claim"))
    store.create_claim(acme, _fields("113-0000000-0000001", reply="We shipped a replacement on 3 May."))
    store.create_claim(globex, _fields("114-0000000-0000002", reply="Another seller's template"))
    store.set_reply(acme, this.id, "Second draft for this claim")
    assert store.earlier_replies(acme, this.id) == ["We shipped a replacement on 3 May."]


def test_listing_pages_and_filters_by_status_and_deadline(store: Store) -> None:
    tenant = store.ensure_tenant("acme").id
    base = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)
    ids = [store.create_claim(tenant, _fields(f"112-000000{i}-0000000", opened_at=base + timedelta(days=i))).id
           for i in range(5)]
    rows, total, _ = store.list_claims(tenant, limit=2, offset=2)
    assert total == 5 and [r.id for r in rows] == ids[::-1][2:4]  # newest first
    due = store.list_claims(tenant, respond_before=base + timedelta(days=3, hours=1))[0]
    assert sorted(r.id for r in due) == sorted(ids[:2])  # opened day 0 and 1: due by day 2 and 3
    store.create_job(tenant, ids[0])
    assert [r.id for r in store.list_claims(tenant, status="checking")[0]] == [ids[0]]


def test_cli_prints_a_new_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = subprocess.run([sys.executable, "-m", "evidence_svc", "keys", "create", "--tenant", "acme",
                          "--data-dir", str(data)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    key = out.stdout.strip()
    assert key.startswith("evk_") and len(key) > 40
    raw_db = b"".join(p.read_bytes() for p in data.glob("evidence.db*"))
    assert key.encode() not in raw_db and hash_key(key).encode() in raw_db
    db = sqlite3.connect(data / "evidence.db")
    assert db.execute("SELECT t.name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id").fetchall() == [("acme",)]


# --- jobs (the real pipeline) --------------------------------------------------------------------------------------


def _evidence_png(tmp_path: Path) -> bytes:
    """A small order-page screenshot with the claim's order ID and a date, as real as a test needs."""
    font = ImageFont.truetype("DejaVuSans.ttf", 22)
    image = Image.new("RGB", (1000, 420), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["Order Details", f"Order # {ORDER}", "Ordered on November 2, 2026",
                              "Delivered November 5, 2026 14:31", "Grand total: $83.45"]):
        draw.text((40, 40 + 60 * i), line, fill="black", font=font)
    buf = io.BytesIO()
    image.save(buf, "PNG")
    return buf.getvalue()


def _queued_check(store: Store, tmp_path: Path, reply: str | None = None) -> tuple[str, str, str]:
    tenant = store.ensure_tenant("acme").id
    claim = store.create_claim(tenant, _fields(reply=reply, opened_at=datetime(2026, 11, 24, 9, tzinfo=timezone.utc)))
    sha, size = store.put_blob_stream(io.BytesIO(_evidence_png(tmp_path)), 1 << 20)
    store.add_files(tenant, claim.id, [("order.png", sha, size)])
    job, _ = store.create_job(tenant, claim.id)
    return tenant, claim.id, job.id


def test_run_check_stores_one_report_and_reuses_it_for_the_same_inputs(store: Store, settings: Settings,
                                                                        tmp_path: Path) -> None:
    tenant, claim_id, job_id = _queued_check(store, tmp_path, reply="Delivered on 5 November, see the order page.")
    assert jobs.run_check(job_id, settings) == "done"
    assert jobs.run_check(job_id, settings) == "done"  # a redelivered task: nothing runs twice
    assert store.count_reports(claim_id) == 1
    first = store.get_job(job_id)
    report = store.get_report(first.report_id)
    assert '"evidence-report/1"' in report.body and ORDER in report.body
    assert store.bundle_for_report(report.id) is not None

    again, _ = store.create_job(tenant, claim_id)
    assert jobs.run_check(again.id, settings) == "done"
    assert store.get_job(again.id).reused and store.count_reports(claim_id) == 1

    store.set_reply(tenant, claim_id, "We are sorry. We will check.")  # new inputs: a new report
    third, _ = store.create_job(tenant, claim_id)
    jobs.run_check(third.id, settings)
    assert not store.get_job(third.id).reused and store.count_reports(claim_id) == 2


def test_pool_start_requeues_a_job_whose_process_died_and_runs_it(store: Store, settings: Settings,
                                                                  tmp_path: Path) -> None:
    _, claim_id, job_id = _queued_check(store, tmp_path)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer exists on this host
    assert store.take_job(job_id, f"{socket.gethostname()}:{dead.pid}:deadbeef", lease_s=3600) is not None

    pool = jobs.LocalPool(settings)
    pool.start()
    try:
        deadline = time.monotonic() + 120
        while store.get_job(job_id).state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        pool.stop()
    job = store.get_job(job_id)
    assert (job.state, job.attempts) == ("done", 2)
    assert store.count_reports(claim_id) == 1
