"""Celery tasks: the job functions of `jobs.py` run on any number of `evidence worker` processes.

Nothing here checks a file. The one task calls the same job function the in-process pool calls
(`jobs.run_check`), so the two paths cannot drift; job state, results and idempotency live in the store (an atomic
take with a lease and an attempt count, one report per input fingerprint), and Celery keeps no results. This
module owns only how work travels: the Celery app built from `Settings` (Redis broker, settings that suit long OCR
tasks), retries for transient errors, `submit` and the API's `BrokerBackend`, the webhook delivery task (an outbox
row's ID, sent by `webhooks.delivery.deliver`, the function the server's own loop calls; on a queue of its own,
`webhooks`, so a delivery never waits behind OCR checks in the broker) and `run_worker` behind `evidence worker`.

`evidence worker` and `celery -A evidence_svc.tasks worker` are the same thing; both read `EVIDENCE_*` from the
environment. A message carries only a job ID: every worker reads the claim and its files from the database and the
shared blob directory configured on its own machine.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Iterator

from celery import Celery, signals
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded

from . import pools
from .config import Settings, load_settings
from .logs import configure_logging
from .store import open_store
from .transient import is_transient

log = logging.getLogger("evidence_svc.tasks")

QUEUE = "evidence"
WEBHOOK_QUEUE = "webhooks"
CHECK_TASK = "evidence.check"
DELIVER_TASK = "evidence.webhook"
_SUBMITTED_KEY = "evidence:submitted:{}"  # "a message for this job is on its way"; see submit()

def backoff_seconds(retries: int, settings: Settings) -> float:
    """Exponential backoff for the n-th retry: 2, 4, 8 ... seconds, capped by task_retry_backoff_max_s."""
    return float(min(settings.task_retry_backoff_max_s, 2.0 ** (retries + 1)))


# --- the app -----------------------------------------------------------------------------------------------------

app = Celery("evidence_svc")
_settings: Settings | None = None  # this process's settings (its database URL, its mount of the blob directory)


def check_settings(settings: Settings) -> None:
    """Refuse combinations that would run one claim twice at once or never stop a runaway task."""
    if not settings.task_soft_time_limit_s < settings.task_time_limit_s:
        raise ValueError("task_soft_time_limit_s must be shorter than task_time_limit_s")
    if not settings.broker_visibility_timeout_s > settings.task_time_limit_s:
        raise ValueError(
            f"broker_visibility_timeout_s ({settings.broker_visibility_timeout_s:g}) must be longer than "
            f"task_time_limit_s ({settings.task_time_limit_s:g}): Redis would hand a running task to a second worker"
        )


def configure(settings: Settings) -> Celery:
    """Point the module's Celery app at `settings` (broker, limits) and remember them for the task."""
    global _settings
    check_settings(settings)
    if _settings is not None and _settings.broker_url != settings.broker_url:
        # Another broker for this process (tests, the benchmark): drop the pooled connections to the old one;
        # Celery would otherwise keep publishing there.
        app._pool = None
        app.amqp._producer_pool = None
    vt = settings.broker_visibility_timeout_s
    app.conf.update(
        broker_url=settings.broker_url,
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": vt,
            # How often a worker looks for messages whose worker died (unacknowledged for longer than the
            # visibility timeout). kombu's default scans every 100 s; a small scan every few seconds costs nothing.
            "unacked_restore_interval": max(1.0, min(10.0, vt / 10)),
            "unacked_restore_throttle": 1,
        },
        # Results live in the store (job state, reports); a result backend would be a second source of truth.
        result_backend=None,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        task_routes={DELIVER_TASK: {"queue": WEBHOOK_QUEUE}},
        # Acknowledge after the task ran, so a worker that dies mid-claim leaves the message for another one; a child
        # process killed by the OS (out of memory) puts its task back at once instead of dropping it.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        # One task reserved per process: an OCR task takes seconds to minutes, and a prefetched message would wait
        # behind it while another worker sits idle.
        worker_prefetch_multiplier=1,
        task_soft_time_limit=settings.task_soft_time_limit_s,
        task_time_limit=settings.task_time_limit_s,
        # A long task is not cut short (and run again elsewhere) because the broker link blinked.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        enable_utc=True,
    )
    _settings = settings
    return app


def settings_for_task() -> Settings:
    if _settings is None:
        configure(load_settings())
    assert _settings is not None
    return _settings


# `celery -A evidence_svc.tasks worker` imports this module in a fresh process: configure it from the environment.
if os.environ.get("EVIDENCE_BROKER_URL"):
    configure(load_settings())


# --- worker processes --------------------------------------------------------------------------------------------

_page_workers: int | None = None  # processes one task spreads its claim's pages over (see _split_cores)


@signals.worker_init.connect
def _split_cores(sender: Any = None, **_: Any) -> None:
    """Share the machine's process budget (`settings.workers`) between the tasks that run at once.

    With prefork concurrency N each task spreads its pages over workers // N processes, so a worker machine runs
    about `settings.workers` OCR processes in all: `--concurrency` = cores for many small claims (pages in-process),
    `--concurrency 1` for a few large PDFs (one claim's pages over all cores).
    """
    global _page_workers
    concurrency = int(getattr(sender, "concurrency", None) or 1)
    _page_workers = max(1, settings_for_task().workers // concurrency)


@signals.worker_process_init.connect
def _allow_page_pool(**_: Any) -> None:
    """Let a prefork child start the pipeline's page pool.

    billiard marks its children daemonic and gives them an authkey of its own type, so the standard library refuses
    to start a process pool inside a task ("daemonic processes are not allowed to have children") and cannot pickle
    the key. Only needed when a task has more than one page worker; the pool's processes end with the child.
    """
    if (_page_workers or 1) <= 1:
        return
    pools.allow_children_in_daemon()


@signals.setup_logging.connect
def _logging(loglevel: Any = None, **_: Any) -> None:
    """The same log lines as the API (JSON with job IDs when settings.log_json), instead of Celery's own format."""
    level = logging.getLevelName(loglevel) if isinstance(loglevel, str) else (loglevel or logging.INFO)
    configure_logging(settings_for_task(), level=level)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl PostgresqlImpl" at every start


@signals.worker_process_shutdown.connect
def _stop_page_pool(**_: Any) -> None:
    # billiard children leave with os._exit, which skips the atexit hook: stop the pools here, or the pool's
    # processes outlive the worker.
    pools.shutdown_all()


# --- the task ----------------------------------------------------------------------------------------------------


class _CheckTask(app.Task):  # type: ignore[name-defined,misc]
    def on_failure(self, exc: BaseException, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # The hard time limit kills the child; Celery calls this in the parent, where the job must be recorded as
        # failed, or it would stay "running" until its lease ran out and then be retried into the same wall.
        if isinstance(exc, TimeLimitExceeded) and args:
            from . import jobs

            settings = settings_for_task()
            try:
                jobs.fail(args[0], settings, f"stopped after the time limit of {settings.task_time_limit_s:g} s")
            except Exception:
                log.exception("could not record the time-out of job %s", args[0])


class OutOfTime(BaseException):
    """The task's soft time limit passed. A BaseException on purpose: Celery's own SoftTimeLimitExceeded is an
    Exception, and the pipeline turns an exception from a page into a `corrupt-file` finding, which would blame the
    seller's file for our time limit and store that report as if it were true."""


def _out_of_time(signum: int, frame: Any) -> None:
    raise OutOfTime()


@contextmanager
def _soft_limit_raises_out_of_time() -> Iterator[None]:
    # billiard signals the soft limit with SIGUSR1 to the child, whose handler it installs after our start-up
    # hooks; so swap it around the job only (tasks run in the child's main thread).
    sig = getattr(signal, "SIGUSR1", None)
    if sig is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(sig, _out_of_time)
    try:
        yield
    finally:
        signal.signal(sig, previous)


@app.task(name=CHECK_TASK, base=_CheckTask, bind=True, acks_late=True, reject_on_worker_lost=True)
def check_task(self: Any, job_id: str) -> str:
    """Run one check job (a claim's files -> report and bundle) exactly as the in-process pool would."""
    from . import jobs

    settings = settings_for_task()
    if _page_workers is not None:
        settings = settings.model_copy(update={"workers": _page_workers})
    _forget_submitted(job_id, settings)
    try:
        with _soft_limit_raises_out_of_time():
            state = jobs.run_check(job_id, settings)
    except (OutOfTime, SoftTimeLimitExceeded):
        # Not transient: the same files would run out of time again. The job fails with the reason; no report.
        log.warning("job ran out of time", extra={"job_id": job_id, "limit_s": settings.task_soft_time_limit_s})
        jobs.fail(job_id, settings, f"stopped: checking took longer than the time limit of "
                                    f"{settings.task_soft_time_limit_s:g} s (EVIDENCE_TASK_SOFT_TIME_LIMIT_S)")
        return "failed"
    except jobs.JobBusy as exc:
        # Another live runner holds the lease (a duplicate delivery). Look again once its lease could have run
        # out: by then the job is done (this delivery is a no-op) or its runner died (this delivery takes over).
        if self.request.retries >= settings.task_max_retries:
            log.info("job %s still busy elsewhere; leaving it to its runner", job_id)
            return "running"
        raise self.retry(exc=exc, countdown=settings.job_lease_s, max_retries=settings.task_max_retries)
    except Exception as exc:
        if is_transient(exc) and self.request.retries < settings.task_max_retries:
            delay = backoff_seconds(self.request.retries, settings)
            log.warning("job %s: transient %s (%s); retry %d in %.0f s", job_id, type(exc).__name__, exc,
                        self.request.retries + 1, delay)
            _mark_submitted(job_id, settings)  # the retry is this job's message: the sweeper need not send another
            raise self.retry(exc=exc, countdown=delay, max_retries=settings.task_max_retries)
        if is_transient(exc):  # retries used up: the job waits, queued, for the API's sweeper
            log.error("job %s: giving up retries after %s; it stays queued", job_id, type(exc).__name__)
        raise
    log.info("task finished", extra={"job_id": job_id, "state": state, "retries": self.request.retries,
                                     "redelivered": bool((self.request.delivery_info or {}).get("redelivered"))})
    return state


@app.task(name=DELIVER_TASK, acks_late=True, ignore_result=True)
def deliver_task(delivery_id: str) -> str:
    """One attempt at one webhook delivery. A failure is recorded on the row (with its next attempt time), never
    retried by Celery: the API's outbox loop hands the row over again when it is due."""
    from .webhooks.delivery import deliver

    return deliver(delivery_id, settings_for_task())


def submit_delivery(delivery_id: str, settings: Settings) -> None:
    """Hand a due webhook delivery to the workers; a broker that cannot be reached leaves it for the next pass."""
    if _settings is None or app.conf.broker_url != settings.broker_url:
        configure(settings)
    try:
        deliver_task.apply_async(args=[delivery_id], queue=WEBHOOK_QUEUE, time_limit=None, soft_time_limit=None)
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.warning("broker unreachable (%s); webhook delivery %s is handed over later", exc, delivery_id)


# --- submitting --------------------------------------------------------------------------------------------------

_redis_clients: dict[str, Any] = {}
_redis_lock = threading.Lock()


def _redis(settings: Settings) -> Any | None:
    url = settings.broker_url or ""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    with _redis_lock:
        if url not in _redis_clients:
            import redis
            from redis.backoff import ExponentialBackoff
            from redis.retry import Retry

            # Two quick retries ride out a blip; redis-py's default (seconds of retrying) would hold an HTTP request.
            _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2,
                                                       retry=Retry(ExponentialBackoff(cap=0.5, base=0.1), 2))
        return _redis_clients[url]


def _mark_submitted(job_id: str, settings: Settings, *, only_new: bool = False) -> bool:
    """Set the job's "message on its way" mark; with only_new, False if it was already set."""
    client = _redis(settings)
    if client is None:
        return True
    ok = client.set(_SUBMITTED_KEY.format(job_id), "1", nx=only_new, ex=int(settings.broker_visibility_timeout_s))
    return bool(ok)


def _forget_submitted(job_id: str, settings: Settings) -> None:
    try:
        client = _redis(settings)
        if client is not None:
            client.delete(_SUBMITTED_KEY.format(job_id))
    except Exception:  # only an optimisation; the store decides who runs the job
        log.debug("could not clear the submitted mark of %s", job_id, exc_info=True)


def submit(job_id: str, settings: Settings) -> bool:
    """Queue a job for the workers (BrokerBackend calls this). Returns False if nothing was sent.

    The API's sweeper re-submits every queued job now and then, in case the broker lost its messages. A short-lived
    mark per job (SET NX, expiring after the visibility timeout) keeps that from piling up copies of jobs that are
    simply waiting their turn in a long queue; the task clears the mark when it starts. A broker that cannot be
    reached is logged, not raised: the job stays queued in the store and the sweeper submits it again later.
    """
    if _settings is None or app.conf.broker_url != settings.broker_url:
        configure(settings)
    try:
        if not _mark_submitted(job_id, settings, only_new=True):
            return False  # a message for this job is already on its way
    except Exception as exc:
        if not is_transient(exc):
            raise
        log.warning("broker unreachable (%s); job %s stays queued and is submitted again later", exc, job_id)
        return False
    try:
        check_task.apply_async(
            args=[job_id], queue=QUEUE,
            # No time limits in the message: Celery would stamp the submitter's (the API's) and they would override
            # the worker's. The worker that runs the claim knows how fast it is; its settings decide.
            time_limit=None, soft_time_limit=None,
            retry=True,
            retry_policy={"max_retries": 3, "interval_start": 0, "interval_step": 0.5, "interval_max": 2},
        )
        return True
    except Exception as exc:
        _forget_submitted(job_id, settings)  # nothing was sent: the next sweep must be free to send it
        if not is_transient(exc):
            raise
        log.warning("broker unreachable (%s); job %s stays queued and is submitted again later", exc, job_id)
        return False


# --- the API's side: a backend that submits ----------------------------------------------------------------------


class BrokerBackend:
    """Jobs go to Celery workers (`evidence worker`); the API process only submits and sweeps.

    The sweeper is the janitor for workers that died holding a job: once the job's lease runs out it goes back to
    the queue and is submitted again. On start, every queued job is submitted once more in case the broker lost
    its messages (a duplicate is harmless: one runner takes the job, the other finds it done).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        configure(self.settings)  # refuse unsafe time limits at start-up, not as a 500 on the first check
        store = open_store(self.settings)
        store.recover_jobs(lambda owner: False, self.settings.job_max_attempts)  # other hosts: the lease decides
        for job_id in store.queued_job_ids():
            self.submit(job_id)
        self._thread = threading.Thread(target=self._sweeper, name="job-sweeper", daemon=True)
        self._thread.start()

    def submit(self, job_id: str) -> None:
        submit(job_id, self.settings)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _sweeper(self) -> None:
        interval = min(30.0, max(1.0, self.settings.job_lease_s / 2))
        while not self._stop.wait(interval):
            try:
                store = open_store(self.settings)
                for job_id in store.recover_jobs(lambda owner: False, self.settings.job_max_attempts):
                    self.submit(job_id)
            except Exception:
                log.warning("job sweep failed", exc_info=True)


# --- the worker --------------------------------------------------------------------------------------------------


def run_worker(settings: Settings, concurrency: int | None = None, *, loglevel: str = "INFO",
               hostname: str | None = None, queues: list[str] | None = None) -> None:
    """Run a Celery worker in this process until it is stopped; `concurrency` claims at once (default: cores).

    The worker consumes the `evidence` (checks) and `webhooks` (deliveries) queues by default, or only `queues`
    (say, a small worker for `webhooks` alone, so deliveries never wait behind long checks), with the prefork pool
    (time limits need it). Stop it with SIGTERM:
    running claims finish first (warm shutdown); a worker that is killed outright loses nothing, because its
    unacknowledged message goes to another worker after the visibility timeout, and its job's lease runs out.
    """
    if not settings.broker_url:
        raise ValueError("run_worker needs settings.broker_url (EVIDENCE_BROKER_URL)")
    configure(settings)
    concurrency = concurrency or settings.workers or os.cpu_count() or 1
    unknown = set(queues or ()) - {QUEUE, WEBHOOK_QUEUE}
    if unknown:
        raise ValueError(f"unknown queue(s): {', '.join(sorted(unknown))} (known: {QUEUE}, {WEBHOOK_QUEUE})")
    queue_list = ",".join(queues or (QUEUE, WEBHOOK_QUEUE))
    argv = ["worker", f"--concurrency={concurrency}", "--pool=prefork", f"--queues={queue_list}",
            f"--loglevel={loglevel}", "--without-gossip", "--without-mingle"]
    # A node name of its own per process, so several workers on one host do not share a control mailbox.
    argv.append(f"--hostname={hostname or f'evidence-{os.getpid()}@%h'}")
    app.worker_main(argv)
