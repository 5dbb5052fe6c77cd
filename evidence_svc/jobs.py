"""Where checks run, off the request path: job functions, and the embedded pool that runs them by default.

A job is a row in the store; the code that runs it is `run_check(job_id, settings)`, a function of IDs only, so
any runner can call it: the in-process `LocalPool` here, or a Celery worker (tasks.py, whose task body calls
`run_check(job_id, settings)`). Everything a runner needs is in the store: the claim, the blobs,
earlier reports. `run_check` is safe to call twice or concurrently for one job: `Store.take_job` lets one runner
in at a time (a lease it renews while working), a report is stored once per input fingerprint, and an identical
earlier report is reused instead of checking again. A job that was running when its process died goes back to
the queue on the next start (or when its lease expires) and runs again; after `job_max_attempts` it fails. A job
whose claim is deleted while it runs ends quietly as "deleted": no failure, no event, and the bundle it stored is
removed again.
"""

from __future__ import annotations

import logging
import queue
import tempfile
import threading
import time
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from . import metrics
from .config import Settings
from .model import Claim, Money, Reason
from .pools import owner_is_dead, process_owner
from .replies import StoreHistory
from .runs import run_claim, run_fingerprint
from .store import ClaimRow, JobRow, Store, open_store
from .transient import is_transient

log = logging.getLogger("evidence_svc.jobs")


def claim_of(row: ClaimRow) -> Claim:
    return Claim(
        order_id=row.order_id, reason=Reason(row.reason), marketplace=row.marketplace, tracking=list(row.tracking or []),
        opened_at=row.opened_at, order_total=Money(**row.order_total) if row.order_total else None, reply=row.reply,
        timezone=row.timezone,
    )


class _Heartbeat:
    """Renews a running job's lease in the background, so that only a dead runner's lease runs out."""

    def __init__(self, store: Store, job_id: str, owner: str, lease_s: float) -> None:
        self.store, self.job_id, self.owner, self.lease_s = store, job_id, owner, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id[-6:]}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 4):
            try:
                if not self.store.renew_lease(self.job_id, self.owner, self.lease_s):
                    return  # taken over or finished; the result will be discarded by finish_job
            except Exception:  # a busy database: try again next beat
                log.warning("lease renewal failed", extra={"job_id": self.job_id})

    def __enter__(self) -> "_Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class JobBusy(TimeoutError):
    """Another live runner holds the job's lease. A TimeoutError, so a task engine retries it later (by then the
    job is done, or the runner died and its lease ran out)."""


def run_check(job_id: str, settings: Settings) -> str:
    """Run one check job to its end and return the job's state. Safe to call again, or from two places at once.

    Raises only for transient failures (database, disk), after giving the job back to the queue, and JobBusy.
    """
    store = open_store(settings)
    owner = process_owner()
    job = store.take_job(job_id, owner, settings.job_lease_s)
    if job is None:
        current = store.get_job(job_id)
        if current is not None and current.state == "running" and current.owner != owner:
            raise JobBusy(f"job {job_id} is running elsewhere ({current.owner})")
        return current.state if current else "missing"
    if job.attempts > settings.job_max_attempts:
        store.fail_job(job_id, owner, f"gave up after {job.attempts - 1} attempts; last error: {job.error}")
        metrics.JOBS.labels("failed").inc()
        return "failed"
    log.info("job started", extra={"job_id": job_id, "claim_id": job.claim_id, "attempt": job.attempts})
    with _Heartbeat(store, job_id, owner, settings.job_lease_s):
        try:
            outcome = _check(store, job, owner, settings)
        except Exception as exc:
            if _deleted(store, job_id):  # its files vanished under it, or its rows could not be written
                log.info("job ended: its claim was deleted", extra={"job_id": job_id, "claim_id": job.claim_id})
                metrics.JOBS.labels("deleted").inc()
                return "deleted"
            if is_transient(exc):
                store.release_job(job_id, owner, f"{type(exc).__name__}: retrying")
                log.warning("job released after a transient error", extra={"job_id": job_id}, exc_info=True)
                raise
            log.exception("job failed", extra={"job_id": job_id, "claim_id": job.claim_id})
            store.fail_job(job_id, owner, f"internal error while checking ({type(exc).__name__}); "
                                          f"see the service log for job {job_id}")
            metrics.JOBS.labels("failed").inc()
            return "failed"
    metrics.JOBS.labels(outcome).inc()
    log.info("job finished", extra={"job_id": job_id, "claim_id": job.claim_id, "outcome": outcome})
    return "done" if outcome in ("done", "reused") else outcome


def _deleted(store: Store, job_id: str) -> bool:
    """True when the job's row is gone: its claim was deleted (the row cascades with it)."""
    try:
        return store.get_job(job_id) is None
    except Exception:  # cannot tell (the database is away): not a reason to hide the original error
        return False


def _check(store: Store, job: JobRow, owner: str, settings: Settings) -> str:
    found = store.claim_for_job(job)
    if found is None:
        log.info("job ended: its claim was deleted", extra={"job_id": job.id, "claim_id": job.claim_id})
        return "deleted"
    row, files = found
    claim = claim_of(row)
    history = StoreHistory(store, row.tenant_id, row.id)
    earlier = history.earlier(claim) if claim.reply else []
    lang = row.bundle_lang or "en"
    fp = run_fingerprint(claim, [(f.sha256, f.name) for f in files], earlier, job.target, settings, lang=lang)
    if store.report_by_fingerprint(row.id, fp) is not None:
        done = _finish(store, job, owner, fingerprint=fp)
        return "reused" if done else ("deleted" if _deleted(store, job.id) else "superseded")

    paths = [store.blob_path(f.sha256) for f in files]
    missing = [f.name for f, p in zip(files, paths) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"stored files missing: {', '.join(missing)}")

    bundle_row = None
    tmp_root = store.tmp_dir()
    with tempfile.TemporaryDirectory(dir=tmp_root, prefix=store.scratch_prefix("bundle")) as tmp:  # see clean_tmp
        out = Path(tmp) / "bundle.pdf"
        report = run_claim(claim, paths, settings, history=history, earlier_replies=earlier,
                           names=[f.name for f in files], bundle_to=out, target=job.target, lang=lang)
        if report.bundle is not None and out.is_file():
            sha, size = store.put_blob_file(out)
            report.bundle = report.bundle.model_copy(
                update={"path": f"/v1/claims/{row.id}/bundle.pdf", "sha256": sha, "bytes": size})
            bundle_row = {"sha256": sha, "pages": report.bundle.pages, "bytes": size, "target": job.target}
    done = _finish(store, job, owner, fingerprint=fp, report_json=report.to_json(), errors=report.summary.errors,
                   warnings=report.summary.warnings, ready=report.summary.ready, bundle=bundle_row,
                   media_types={fr.sha256: fr.media_type for fr in report.files})
    if not done:
        if not _deleted(store, job.id):
            return "superseded"
        if bundle_row is not None:  # stored for a claim that no longer exists: nothing will ever refer to it
            store.remove_blob_if_unused(bundle_row["sha256"])
        log.info("job ended: its claim was deleted", extra={"job_id": job.id, "claim_id": job.claim_id})
        return "deleted"
    metrics.count_report(report)
    return "done"


def fail(job_id: str, settings: Settings, error: str) -> None:
    """Record a job as failed whoever runs it (a task engine's time limit ran out)."""
    open_store(settings).fail_job(job_id, None, error)
    metrics.JOBS.labels("failed").inc()


def _finish(store: Store, job: JobRow, owner: str, **kwargs: object) -> bool:
    try:
        result = store.finish_job(job, owner, **kwargs)  # type: ignore[arg-type]
    except IntegrityError:  # another runner stored the same fingerprint a moment ago: reuse theirs
        result = store.finish_job(job, owner, fingerprint=kwargs["fingerprint"])  # type: ignore[arg-type]
    return result is not None


# --- backends ----------------------------------------------------------------------------------------------------


class Backend(Protocol):
    """What the API needs from a runner: start, hand over a job ID, stop. A Celery backend implements the same."""

    def start(self) -> None: ...

    def submit(self, job_id: str) -> None: ...

    def stop(self) -> None: ...


class LocalPool:
    """The embedded backend: `job_workers` threads run jobs from an in-memory queue of IDs.

    The queue only holds IDs; the store holds the truth. On start, jobs orphaned by a dead process are re-queued;
    a sweeper re-submits queued jobs this process does not know about (another process queued them, or a
    transient failure released them) and recovers jobs whose runner's lease ran out.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        self._sweep()
        for i in range(max(1, self.settings.job_workers)):
            t = threading.Thread(target=self._work, name=f"job-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        sweeper = threading.Thread(target=self._sweeper, name="job-sweeper", daemon=True)
        sweeper.start()
        self._threads.append(sweeper)

    def submit(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._pending:
                return
            self._pending.add(job_id)
        self._queue.put(job_id)

    def stop(self, timeout: float = 3.0) -> None:
        """Stop taking jobs. A check still running is not waited for (a container gets ~10 s to stop): the next
        start finds its owner, this process, dead and runs it again."""
        self._stop.set()
        for _ in range(self.settings.job_workers):
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(timeout=max(0.0, deadline - time.monotonic()))

    def _sweep(self) -> None:
        store = open_store(self.settings)
        store.recover_jobs(owner_is_dead, self.settings.job_max_attempts)
        for job_id in store.queued_job_ids():
            self.submit(job_id)

    def _sweeper(self) -> None:
        interval = min(10.0, max(1.0, self.settings.job_lease_s / 2))
        while not self._stop.wait(interval):
            try:
                self._sweep()
            except Exception:
                log.warning("job sweep failed", exc_info=True)

    def _work(self) -> None:
        while True:
            job_id = self._queue.get()
            if job_id is None or self._stop.is_set():
                return
            with self._lock:
                self._pending.discard(job_id)
            try:
                run_check(job_id, self.settings)
            except Exception as exc:
                if not is_transient(exc):  # JobBusy is transient too
                    log.exception("job runner error", extra={"job_id": job_id})
                # else: released to the queue, or running elsewhere: the sweeper looks again

