"""The Celery side of tasks.py without a worker: which errors are retried, the reliability settings, submitting.

Errors come from real failures (a refused connection to a closed port, a stale NFS handle's errno), the submit
tests use the real Redis from `.ci/services.sh` (skipped locally without it, failing under CI=true).
"""

from __future__ import annotations

import errno
import socket
import time

import pytest
import redis
import sqlalchemy
from redis.backoff import NoBackoff
from redis.retry import Retry

from evidence_svc import tasks
from evidence_svc.config import Settings
from evidence_svc.jobs import JobBusy


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


def test_lost_database_and_broker_connections_are_transient() -> None:
    port = _closed_port()
    engine = sqlalchemy.create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{port}/none")
    with pytest.raises(sqlalchemy.exc.OperationalError) as db_error:
        engine.connect()
    assert tasks.is_transient(db_error.value)
    with pytest.raises(redis.exceptions.ConnectionError) as broker_error:
        redis.Redis(port=port, socket_connect_timeout=1, retry=Retry(NoBackoff(), 0)).ping()
    assert tasks.is_transient(broker_error.value)


def test_flaky_shared_storage_is_transient_but_a_missing_or_bad_file_is_not() -> None:
    assert tasks.is_transient(OSError(errno.ESTALE, "Stale file handle"))
    assert tasks.is_transient(OSError(errno.ETIMEDOUT, "Connection timed out"))
    assert not tasks.is_transient(FileNotFoundError(errno.ENOENT, "No such file"))
    assert not tasks.is_transient(PermissionError(errno.EACCES, "Permission denied"))
    assert not tasks.is_transient(ValueError("cannot identify image file"))


def test_the_cause_chain_is_followed() -> None:
    try:
        try:
            raise OSError(errno.EIO, "Input/output error")
        except OSError as inner:
            raise RuntimeError("while reading the blob") from inner
    except RuntimeError as outer:
        assert tasks.is_transient(outer)


def test_a_job_busy_elsewhere_is_retried_later() -> None:
    assert tasks.is_transient(JobBusy("job_x is running elsewhere"))


def test_backoff_doubles_and_is_capped() -> None:
    settings = Settings(task_retry_backoff_max_s=30)
    assert [tasks.backoff_seconds(n, settings) for n in range(6)] == [2, 4, 8, 16, 30, 30]


def test_settings_that_would_run_a_claim_twice_at_once_are_refused() -> None:
    with pytest.raises(ValueError, match="visibility"):
        tasks.check_settings(Settings(task_soft_time_limit_s=500, task_time_limit_s=600,
                                      broker_visibility_timeout_s=600))
    with pytest.raises(ValueError, match="soft"):
        tasks.check_settings(Settings(task_soft_time_limit_s=600, task_time_limit_s=600))


def test_the_app_is_configured_for_long_tasks_that_must_not_be_lost() -> None:
    settings = Settings(broker_url="redis://127.0.0.1:6379/0", task_soft_time_limit_s=100, task_time_limit_s=120,
                        broker_visibility_timeout_s=300)
    conf = tasks.configure(settings).conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] == 300
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (100, 120)
    assert conf.task_ignore_result and conf.accept_content == ["json"]
    assert tasks.check_task.name in tasks.app.tasks


def test_a_job_waiting_in_the_queue_is_not_queued_twice(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url)
    leftovers = (tasks.QUEUE, tasks._SUBMITTED_KEY.format("job_dedupe"))
    client.delete(*leftovers)
    settings = Settings(broker_url=redis_url)
    assert tasks.submit("job_dedupe", settings)
    assert not tasks.submit("job_dedupe", settings)  # the sweeper's second submission: nothing sent
    assert client.llen(tasks.QUEUE) == 1
    tasks._forget_submitted("job_dedupe", settings)  # what the task does when it starts the job
    assert tasks.submit("job_dedupe", settings)  # e.g. the runner died and the job was queued again
    assert client.llen(tasks.QUEUE) == 2
    client.delete(*leftovers)  # no worker should ever run these made-up jobs


def test_an_unreachable_broker_leaves_the_job_queued_instead_of_failing_the_request() -> None:
    settings = Settings(broker_url=f"redis://127.0.0.1:{_closed_port()}/0")
    started = time.monotonic()
    assert tasks.submit("job_unreachable", settings) is False
    assert time.monotonic() - started < 3  # the API's request is not held for long


def test_a_hard_time_limit_fails_the_job_with_the_reason(tmp_path) -> None:
    """The worker kills a task that ignored its soft limit; Celery then calls on_failure in the worker's main
    process, which must record the job as failed (else it would sit 'running' until its lease ran out, then run
    into the same wall again)."""
    import io

    from celery.exceptions import TimeLimitExceeded

    from evidence_svc.store import ClaimFields, dispose_engines, open_store

    settings = Settings(data_dir=tmp_path / "data", task_time_limit_s=960)
    tasks.configure(settings)
    store = open_store(settings)
    tenant = store.ensure_tenant("acme").id
    claim = store.create_claim(tenant, ClaimFields(order_id="112-1234567-1234567", reason="not_received",
                                                   marketplace="US", tracking=[], opened_at=None, respond_by=None,
                                                   order_total=None, reply=None))
    sha, size = store.put_blob_stream(io.BytesIO(b"%PDF-1.4 x"), 1 << 20)
    store.add_files(tenant, claim.id, [("a.pdf", sha, size)])
    job, _ = store.create_job(tenant, claim.id)
    assert store.take_job(job.id, "vm:4242:killed", lease_s=60) is not None  # the child that was killed

    tasks.check_task.on_failure(TimeLimitExceeded(960), "task-1", (job.id,), {}, None)

    failed = store.get_job(job.id)
    assert failed.state == "failed" and "time limit of 960 s" in failed.error
    assert store.get_claim(tenant, claim.id).status == "failed"
    dispose_engines()
