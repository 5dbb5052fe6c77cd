"""The store behaves the same on SQLite and on a real PostgreSQL server.

The tests written here run twice: against a SQLite file (the single-machine default) and against a fresh database
on the PostgreSQL server that `.ci/services.sh` starts (skipped locally when none is configured, failing under
CI=true). What is checked is what scaling out relies on: the schema migrates in place, and concurrently when API
and workers start together; a job has one runner at a time (the atomic take, the lease, the owner check on
finish); a report is stored once per fingerprint; tenants stay apart; datetimes come back as aware UTC.

Every test of tests/test_store.py (which runs on SQLite there) runs here once more on PostgreSQL, through the same
`settings` fixture name, except those about SQLite itself.
"""

from __future__ import annotations

import io
import subprocess
import sys
import threading
import time
import types
from datetime import datetime, timedelta, timezone
from inspect import signature as inspect_signature
from pathlib import Path
from typing import Callable

import pytest
import test_store as store_tests
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from evidence_svc.config import Settings
from evidence_svc.migrations import current_revision
from evidence_svc.store import Base, ClaimFields, Store, dispose_engines, engine_for, open_store

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = None
    if request.param == "postgresql":
        url = request.getfixturevalue("postgres_database")
    # the same values as test_store.py's fixture, whose tests run here too
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1, job_lease_s=30,
                   database_url=url)
    dispose_engines()  # the PostgreSQL database is dropped next; no pooled connection may hold it


def _on_postgresql(test: Callable) -> Callable:
    """A copy of one of test_store.py's tests (same code and globals), parametrized to PostgreSQL only."""
    copy = types.FunctionType(test.__code__, test.__globals__, test.__name__, test.__defaults__, test.__closure__)
    copy.__dict__.update({k: v for k, v in test.__dict__.items() if k != "pytestmark"})
    copy.pytestmark = [m for m in getattr(test, "pytestmark", [])
                       if not (m.name == "parametrize" and m.args and m.args[0] == "settings")]
    return pytest.mark.parametrize("settings", ["postgresql"], indirect=True)(copy)


for _name, _test in list(vars(store_tests).items()):
    if (_name.startswith("test_") and callable(_test) and "sqlite" not in _name
            and {"settings", "store"} & set(inspect_signature(_test).parameters)):
        globals()[f"{_name}_on_postgresql"] = _on_postgresql(_test)


@pytest.fixture
def store(settings: Settings) -> Store:
    return open_store(settings)


def _claim(store: Store, tenant: str = "acme", order_id: str = "112-1234567-1234567", **kw: object) -> tuple[str, str]:
    tenant_id = store.ensure_tenant(tenant).id
    fields = ClaimFields(order_id=order_id, reason="not_received", marketplace="US", tracking=[],
                         opened_at=kw.get("opened_at"), respond_by=None, order_total=None, reply=None)
    return tenant_id, store.create_claim(tenant_id, fields).id


def _job(store: Store, tenant: str = "acme") -> tuple[str, str, str]:
    tenant_id, claim_id = _claim(store, tenant)
    sha, size = store.put_blob_stream(io.BytesIO(b"%PDF-1.4 evidence " + claim_id.encode()), 1 << 20)
    store.add_files(tenant_id, claim_id, [("label.pdf", sha, size)])
    job, created = store.create_job(tenant_id, claim_id)
    assert job is not None and created
    return tenant_id, claim_id, job.id


def test_schema_is_migrated_to_head_and_reopens(settings: Settings) -> None:
    store = open_store(settings)
    tables = set(inspect(store.engine).get_table_names())
    assert {"tenants", "api_keys", "claims", "files", "reports", "bundles", "jobs", "replies"} <= tables
    head = current_revision(store.engine)
    assert head is not None
    dispose_engines()
    assert current_revision(open_store(settings).engine) == head  # opening again changes nothing


def test_models_match_the_migrations(store: Store) -> None:
    """The migrations build exactly the schema the models describe, on both databases (types included)."""
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata) == []


def test_processes_starting_together_migrate_once(settings: Settings) -> None:
    """API and workers open an empty database at the same moment: each must come up, the schema once."""
    code = (
        "import sys; from evidence_svc.config import Settings; from evidence_svc.store import open_store; "
        "s = open_store(Settings(data_dir=sys.argv[1], database_url=sys.argv[2] or None)); s.ping(); print('up')"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(settings.data_dir), settings.database_url or ""],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outcomes = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in outcomes]
    engine = engine_for(settings.sqlalchemy_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1


def test_racing_runners_take_a_job_exactly_once(store: Store) -> None:
    _, _, job_id = _job(store)
    barrier = threading.Barrier(8)
    winners: list[str] = []
    errors: list[BaseException] = []

    def runner(n: int) -> None:
        try:
            barrier.wait()
            if store.take_job(job_id, f"host:{n}:tok", lease_s=60) is not None:
                winners.append(f"host:{n}:tok")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(winners) == 1
    job = store.get_job(job_id)
    assert job is not None and job.state == "running" and job.owner == winners[0] and job.attempts == 1


def test_expired_lease_is_taken_over_and_the_old_runner_cannot_finish(store: Store) -> None:
    _, claim_id, job_id = _job(store)
    first = store.take_job(job_id, "host-a:1:aaaa", lease_s=0.2)
    assert first is not None
    assert store.take_job(job_id, "host-b:2:bbbb", lease_s=60) is None  # lease still valid: nobody else gets in
    time.sleep(0.4)
    second = store.take_job(job_id, "host-b:2:bbbb", lease_s=60)
    assert second is not None and second.attempts == 2

    assert store.finish_job(first, "host-a:1:aaaa", fingerprint="f" * 64, report_json="{}") is None
    report_id, reused = store.finish_job(second, "host-b:2:bbbb", fingerprint="f" * 64, report_json="{}")
    assert not reused
    assert store.count_reports(claim_id) == 1
    job = store.get_job(job_id)
    assert job is not None and job.state == "done" and job.report_id == report_id
    # a job that is done stays done: no runner takes it again
    assert store.take_job(job_id, "host-c:3:cccc", lease_s=60) is None


def test_a_report_is_stored_once_per_fingerprint(store: Store) -> None:
    tenant_id, claim_id, job_id = _job(store)
    job = store.take_job(job_id, "w:1:t", 60)
    assert job is not None
    report_id, reused = store.finish_job(job, "w:1:t", fingerprint="a" * 64, report_json='{"n": 1}',
                                         bundle={"sha256": "b" * 64, "pages": 3, "bytes": 1000, "target": "amazon"})
    assert not reused
    again, created = store.create_job(tenant_id, claim_id)
    assert again is not None and created
    taken = store.take_job(again.id, "w:2:t", 60)
    assert taken is not None
    assert store.finish_job(taken, "w:2:t", fingerprint="a" * 64) == (report_id, True)
    assert store.count_reports(claim_id) == 1
    bundle = store.bundle_for_report(report_id)
    assert bundle is not None and bundle.pages == 3


def test_recovery_requeues_an_abandoned_job_and_fails_a_poison_one(store: Store) -> None:
    _, _, abandoned = _job(store, "t1")
    _, _, poison = _job(store, "t2")
    assert store.take_job(abandoned, "gone:1:x", lease_s=0.1) is not None
    for n in range(3):
        store.take_job(poison, f"gone:{n}:y", lease_s=0.01)
        time.sleep(0.05)
    time.sleep(0.2)
    queued = store.recover_jobs(lambda owner: False, max_attempts=3)
    assert abandoned in queued and poison not in queued
    assert store.get_job(abandoned).state == "queued"
    failed = store.get_job(poison)
    assert failed.state == "failed" and "3 times" in (failed.error or "")


def test_a_tenant_never_sees_another_tenants_rows(store: Store) -> None:
    tenant_a, claim_a, job_a = _job(store, "tenant-a")
    tenant_b = store.ensure_tenant("tenant-b").id
    file_a = store.list_files(claim_a)[0]
    assert store.get_claim(tenant_b, claim_a) is None
    assert store.get_file(tenant_b, claim_a, file_a.id) is None
    assert store.get_job(job_a, tenant_b) is None
    assert store.list_claims(tenant_b)[1] == 0
    assert store.add_files(tenant_b, claim_a, [("x.png", "c" * 64, 1)]) is None
    assert not store.delete_file(tenant_b, claim_a, file_a.id)
    assert store.get_claim(tenant_a, claim_a) is not None


def test_datetimes_come_back_as_aware_utc(store: Store) -> None:
    opened = datetime(2026, 3, 1, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    tenant_id, claim_id = _claim(store, opened_at=opened)
    row = store.get_claim(tenant_id, claim_id)
    assert row is not None and row.opened_at == opened and row.opened_at.utcoffset() == timedelta(0)


def test_api_keys_resolve_to_their_tenant_only_by_hash(store: Store) -> None:
    tenant = store.ensure_tenant("acme")
    raw = store.add_key(tenant.id)
    assert store.tenant_for_key(raw).id == tenant.id
    assert store.tenant_for_key(raw + "x") is None
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM api_keys")).scalars().all()
    assert raw not in stored
