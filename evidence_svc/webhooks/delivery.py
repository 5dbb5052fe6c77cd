"""Sending the outbox: one attempt at one delivery (`deliver`), the backoff between attempts, and `Outbox`, the
loop that finds what is due.

`deliver(delivery_id, settings)` is a function of IDs, like jobs.run_check, so the server's own loop and a Celery
worker (tasks.py) run the same code. It takes the row with a lease (two runners never send one row at once),
resolves and checks the host again (DNS rebinding), posts the exact stored body, signed, to that checked address
without following redirects, and records the outcome: delivered on any 2xx, otherwise due again after an
exponential backoff, and failed after `webhook_max_attempts`. `Outbox` runs in the server process: it sends due
rows itself (up to `webhook_concurrency` webhooks at once, each webhook's rows one at a time in the order they were
queued, so one slow receiver does not hold up the others), or hands their IDs to Celery when a broker is
configured; it also queues `claim.deadline_near` events, prunes the delivery log and forgets old idempotency keys.
Nothing here decides what an event says.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..config import Settings
from ..store import Store, open_store
from .guard import UnsafeUrl, resolve_checked, split_url
from .signing import SIGNATURE_HEADER, sign

log = logging.getLogger("evidence_svc.webhooks")

DEADLINE_SCAN_S = 60.0
PURGE_S = 3600.0
HANDED_S = 15.0  # a row handed to Celery is not handed again this soon (a duplicate would only find it leased)


def backoff_seconds(attempts: int, settings: Settings) -> float:
    """Delay before the next attempt after `attempts` failed ones: base, 2x base, 4x base ... capped."""
    return float(min(settings.webhook_retry_max_s, settings.webhook_retry_base_s * 2 ** max(0, attempts - 1)))


def _post_pinned(url: str, address: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST to `url` but connect to `address` (already checked), keeping the Host header and TLS name."""
    parts = urlsplit(url)
    scheme, host, port = split_url(url)
    netloc = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    target = urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = host if parts.port is None else f"{host}:{parts.port}"
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        # Streamed and never read: only the status counts, and a receiver's huge answer must not fill our memory.
        with client.stream("POST", target, content=body, headers={**headers, "Host": host_header},
                           extensions=extensions) as response:
            return response.status_code


def deliver(delivery_id: str, settings: Settings, store: Store | None = None) -> str:
    """One attempt at one due delivery; returns its state after it ("pending" if retried later, or "skipped" when
    another runner has it or it is not due)."""
    store = store or open_store(settings)
    taken = store.take_delivery(delivery_id, lease_s=settings.webhook_timeout_s * 3 + 30)
    if taken is None:
        return "skipped"
    row, hook = taken
    status: int | None = None
    try:
        _scheme, host, port = split_url(hook.url)
        address = resolve_checked(host, port, settings.webhook_allow_private)[0]
        body = row.payload.encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "evidence-svc-webhooks/1",
                   SIGNATURE_HEADER: sign(hook.secret, body), "Evidence-Event": row.event,
                   "Evidence-Delivery": row.id}
        status = _post_pinned(hook.url, address, body, headers, settings.webhook_timeout_s)
        error = None if 200 <= status < 300 else f"HTTP {status}"
    except UnsafeUrl as exc:
        error = exc.message
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    if error is None:
        store.record_attempt(row.id, delivered=True, status=status, error=None, retry_in=None)
        log.info("webhook delivered", extra={"delivery_id": row.id, "event": row.event, "status": status})
        return "delivered"
    give_up = row.attempts >= settings.webhook_max_attempts
    retry_in = None if give_up else backoff_seconds(row.attempts, settings)
    store.record_attempt(row.id, delivered=False, status=status, error=error, retry_in=retry_in)
    log.warning("webhook attempt failed", extra={"delivery_id": row.id, "attempt": row.attempts, "error": error})
    return "failed" if give_up else "pending"


class Outbox:
    """The loop that empties the outbox, in the server process. Without `send` it delivers due rows itself on a
    small thread pool, one webhook per thread; with `send` (a Celery submit) it hands their IDs over. Either way a
    row is sent by whoever takes its lease."""

    def __init__(self, settings: Settings, send: Callable[[str], object] | None = None) -> None:
        self.settings = settings
        self.hands_over = send is not None  # to Celery: the row is sent later, elsewhere
        self.send = send or (lambda delivery_id: deliver(delivery_id, settings))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._handed: dict[str, float] = {}  # IDs handed to Celery recently
        self._bound = max(1, settings.webhook_concurrency)
        self._busy: set[str] = set()  # webhooks being sent to now, by this process
        self._busy_lock = threading.Lock()
        self._pool = None if self.hands_over else ThreadPoolExecutor(self._bound, thread_name_prefix="webhook-send")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="webhook-outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.settings.webhook_timeout_s + 5)
        if self._pool is not None:  # a send under way ends within its timeout; its lease covers it meanwhile
            self._pool.shutdown(wait=False, cancel_futures=True)

    def tick(self, store: Store) -> int:
        """Send (or hand over) what is due now; returns how many rows were started (sending runs in the background
        and never blocks the loop)."""
        if not self.hands_over:
            return self._start_sends(store)
        now = time.monotonic()
        self._handed = {k: v for k, v in self._handed.items() if v > now}
        due = [d for d in store.due_deliveries() if d not in self._handed]
        for delivery_id in due:
            if self._stop.is_set():
                break
            self.send(delivery_id)
            self._handed[delivery_id] = now + HANDED_S
        return len(due)

    def _start_sends(self, store: Store) -> int:
        assert self._pool is not None
        with self._busy_lock:
            busy = frozenset(self._busy)
        if len(busy) >= self._bound:
            return 0
        count = 0
        for webhook_id, delivery_ids in store.due_by_webhook(exclude=busy).items():
            with self._busy_lock:
                if len(self._busy) >= self._bound or self._stop.is_set():
                    break
                self._busy.add(webhook_id)
            self._pool.submit(self._send_in_order, webhook_id, delivery_ids)
            count += len(delivery_ids)
        return count

    def _send_in_order(self, webhook_id: str, delivery_ids: list[str]) -> None:
        """One webhook's due rows, oldest first, one at a time; the first that is not delivered ends the run (the
        receiver is likely down, and a later event must not overtake it in this pass)."""
        try:
            for delivery_id in delivery_ids:
                if self._stop.is_set() or self.send(delivery_id) != "delivered":
                    break
        except Exception:
            log.warning("webhook sending failed", exc_info=True, extra={"webhook_id": webhook_id})
        finally:
            with self._busy_lock:
                self._busy.discard(webhook_id)

    def _run(self) -> None:
        last_scan = last_purge = float("-inf")  # both at the first pass (monotonic time may start near 0)
        while not self._stop.is_set():
            try:
                store = open_store(self.settings)
                if time.monotonic() - last_scan >= DEADLINE_SCAN_S:
                    store.add_deadline_events(timedelta(hours=self.settings.respond_warn_hours))
                    last_scan = time.monotonic()
                if time.monotonic() - last_purge >= PURGE_S:
                    store.purge_idempotency()
                    store.prune_deliveries(timedelta(days=self.settings.webhook_log_days))
                    last_purge = time.monotonic()
                self.tick(store)
            except Exception:
                log.warning("webhook outbox pass failed", exc_info=True)
            self._stop.wait(self.settings.webhook_poll_s)


class WithOutbox:
    """A job backend (jobs.Backend) that also runs the webhook outbox while it runs: what `create_app` starts."""

    def __init__(self, backend: object, settings: Settings) -> None:
        self.backend = backend
        send = None
        if settings.broker_url:
            from ..tasks import submit_delivery  # only a brokered service loads Celery

            send = lambda delivery_id: submit_delivery(delivery_id, settings)  # noqa: E731
        self.outbox = Outbox(settings, send)

    def start(self) -> None:
        self.backend.start()  # type: ignore[attr-defined]
        self.outbox.start()

    def submit(self, job_id: str) -> None:
        self.backend.submit(job_id)  # type: ignore[attr-defined]

    def stop(self) -> None:
        self.outbox.stop()
        self.backend.stop()  # type: ignore[attr-defined]
