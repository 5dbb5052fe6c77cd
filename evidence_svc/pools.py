"""Process pools and process liveness: the one module that decides how work is spread over processes.

It owns the start method (fork while the process has one thread, a clean forkserver once it has more), the
`OMP_THREAD_LIMIT` every OCR process runs with, the patch that lets a Celery (billiard) child start a pool of its
own, and how a process tells whether another one is still alive (job owners, a watcher's workers). A pool is an
object its user owns (`ProcessPool`); `shutdown_all()` stops every pool of this process, for hooks that run
where atexit does not (a billiard child leaving with os._exit). Nothing here knows what the work is.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import multiprocessing
import os
import secrets
import socket
import sys
import threading
import time
import weakref
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Callable, Sequence

OMP_THREAD_LIMIT = "1"  # tesseract's OpenMP threads would fight the other workers for cores


def limit_omp_threads(force: bool = False) -> None:
    """Set OMP_THREAD_LIMIT for this process and its children (kept if the user set it, unless `force`)."""
    if force:
        os.environ["OMP_THREAD_LIMIT"] = OMP_THREAD_LIMIT
    else:
        os.environ.setdefault("OMP_THREAD_LIMIT", OMP_THREAD_LIMIT)


def start_context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """fork is fastest (workers share the parent's imports) but unsafe once the process has threads (uvicorn,
    Celery, watchfiles): there the workers fork from a clean single-threaded forkserver instead."""
    if threading.active_count() == 1 and sys.platform != "win32":
        return multiprocessing.get_context("fork")
    return forkserver_context(preload)


def forkserver_context(preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """A forkserver (spawn on Windows) whose server imports `preload` once, so each worker starts warm."""
    if sys.platform == "win32":
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    if preload:
        ctx.set_forkserver_preload(list(preload))
    return ctx


_LIVE: "weakref.WeakSet[ProcessPool]" = weakref.WeakSet()


class ProcessPool:
    """A process pool started on first use and re-made when its size changes; `map` falls back in-process.

    The owner keeps the object; nothing outside reaches for a module global.
    """

    def __init__(self, preload: Sequence[str] = ()) -> None:
        self.preload = tuple(preload)
        self._executor: ProcessPoolExecutor | None = None
        self._size = 0
        self._lock = threading.Lock()
        _LIVE.add(self)

    def executor(self, workers: int) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None or self._size != workers:
                if self._executor is not None:
                    self._executor.shutdown(wait=True)
                # No max_tasks_per_child: replacing a worker can deadlock the executor in CPython 3.11-3.14
                # (gh-115634); workers bound their memory by giving it back after every page instead.
                self._executor = ProcessPoolExecutor(max_workers=workers, mp_context=start_context(self.preload),
                                                     initializer=_worker_init, initargs=(os.getpid(),))
                self._size = workers
            return self._executor

    def map(self, fn: Callable[[Any], Any], items: list, workers: int) -> list:
        """`fn` over `items` on `workers` processes, in order. One worker or one item: in this process. A dead
        worker (killed, out of memory) stops the pool and the batch is run again in-process, item by item."""
        if workers <= 1 or len(items) <= 1:
            return [fn(i) for i in items]
        try:
            return list(self.executor(workers).map(fn, items))
        except Exception:
            self.shutdown()
            return [fn(i) for i in items]

    def batch(self, workers: int) -> "Batch":
        """A batch whose items are handed in one at a time, as they become known (see `Batch`)."""
        return Batch(self, workers)

    def shutdown(self, wait: bool = False) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=wait, cancel_futures=True)
                self._executor = None


class Batch:
    """Work handed to a pool item by item while the caller is still finding more (files being opened, a file's
    pages all read), and taken back as each item finishes, so the workers start on the first item at once.

    `submit(fn, item, tag)`, then `next_done()` -> (tag, result) until `pending` is 0; new items may be submitted
    between. One worker: each item runs in this process when submitted. A dead worker (killed, out of memory) stops
    the pool, and every unfinished item of the batch runs again in this process, as `ProcessPool.map` does.

    Fair share: a batch keeps at most `workers + 1` items in the pool (enough to keep every worker busy while the
    owner takes a result back) and holds the rest until one of its items finishes. The pool's own queue is first in,
    first out, so without this a 30-page claim submitted first would keep a one-screenshot claim of another request
    waiting for all 30 pages; with it, concurrent batches take turns, a few items each. Of the items a batch holds,
    the heaviest (`weight`, e.g. file size) goes first, so a claim does not end on one long file while the other
    workers have nothing left (longest-processing-time-first; on 20 screenshots 186-188 % -> 189-191 % CPU).
    """

    def __init__(self, pool: ProcessPool, workers: int) -> None:
        self.pool = pool
        self.inline = workers <= 1
        self.workers = workers
        self.in_flight = workers + 1
        self._futures: dict[Future, tuple[Callable[[Any], Any], Any, Any]] = {}
        self._held: list[tuple[float, int, Callable[[Any], Any], Any, Any]] = []  # heap: heaviest first
        self._seq = itertools.count()
        self._ready: deque[tuple[Any, Any]] = deque()

    @property
    def pending(self) -> int:
        return len(self._futures) + len(self._held) + len(self._ready)

    def submit(self, fn: Callable[[Any], Any], item: Any, tag: Any, weight: float = 0.0) -> None:
        """`weight`: how long the item is expected to take, relative to the batch's other items (see the class)."""
        if self.inline:
            self._ready.append((tag, fn(item)))
            return
        heapq.heappush(self._held, (-weight, next(self._seq), fn, item, tag))
        self._take_finished()
        self._refill()

    def next_done(self) -> tuple[Any, Any]:
        """The tag and result of an item that has finished (blocks until one has)."""
        while not self._ready:
            self._refill()
            if self.inline:
                continue  # the pool broke while refilling: what was left ran here
            wait(list(self._futures), return_when=FIRST_COMPLETED)
            self._take_finished()
        self._refill()  # the workers go on while the owner looks at this result
        return self._ready.popleft()

    def _refill(self) -> None:
        while self._held and len(self._futures) < self.in_flight and not self.inline:
            held = heapq.heappop(self._held)
            fn, item, tag = held[2:]
            try:
                self._futures[self.pool.executor(self.workers).submit(fn, item)] = (fn, item, tag)
            except Exception:
                heapq.heappush(self._held, held)
                self._fall_back()

    def _take_finished(self) -> None:
        for fut in [f for f in self._futures if f.done()]:
            if fut not in self._futures:
                continue  # the pool broke and `_fall_back` took the rest of the batch over
            fn, item, tag = self._futures.pop(fut)
            try:
                self._ready.append((tag, fut.result()))
            except Exception:
                self._fall_back()
                self._ready.append((tag, fn(item)))

    def _fall_back(self) -> None:
        """The pool broke: stop it and run what is left of the batch here, item by item."""
        if self.inline:
            return
        self.inline = True
        self.pool.shutdown()
        left, self._futures = self._futures, {}
        for fut, (fn, item, tag) in left.items():
            finished = fut.done() and not fut.cancelled() and fut.exception() is None
            self._ready.append((tag, fut.result() if finished else fn(item)))
        while self._held:
            fn, item, tag = heapq.heappop(self._held)[2:]
            self._ready.append((tag, fn(item)))


def _worker_init(parent: int) -> None:
    """A worker ends with the process that started the pool, however that one ended (kill -9 runs no handler):
    otherwise it waits forever on a queue whose write end it holds itself, under PID 1, with its forkserver."""
    watch_parent(parent)


@atexit.register
def shutdown_all(wait: bool = False) -> None:
    """Stop every pool this process started (atexit, a Celery child's shutdown hook, a server's shutdown). `wait`
    until the workers are gone: a server that then re-raises SIGTERM (uvicorn does) never reaches atexit."""
    for pool in list(_LIVE):
        pool.shutdown(wait=wait)


def allow_children_in_daemon() -> None:
    """Let a Celery prefork child start a process pool.

    billiard marks its children daemonic and gives them an authkey of its own type, so the standard library refuses
    to start a process pool inside a task ("daemonic processes are not allowed to have children") and cannot pickle
    the key. The pool's processes end with the child.
    """
    from multiprocessing import process

    current = process.current_process()
    current._config.pop("daemon", None)  # type: ignore[attr-defined]
    current._config["authkey"] = process.AuthenticationString(os.urandom(32))  # type: ignore[attr-defined]


# --- liveness ----------------------------------------------------------------------------------------------------

_TOKEN = secrets.token_hex(4)


def process_owner() -> str:
    """host:pid:token names this process as a job's runner; the token tells a restarted pid 1 from its past self."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


def owner_is_dead(owner: str) -> bool:
    """Whether the process that took a job is known to be gone. Unknown (another host): False; the lease decides."""
    try:
        host, pid_text, token = owner.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return True
    if host != socket.gethostname():
        return False
    if pid == os.getpid():
        return token != _TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def pid_alive(pid: int) -> bool:
    """Whether process `pid` on this host is running (a zombie, killed but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # Linux: a killed process not yet reaped by its parent is a zombie, as good as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def exit_with(pid: int, interval: float = 0.5) -> None:
    """Block, and end this process at once (os._exit) when process `pid` is gone. Run it in a daemon thread."""
    while True:
        time.sleep(interval)
        if not pid_alive(pid):
            os._exit(1)


def watch_parent(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process when `pid` is gone (a pool worker whose parent was killed)."""
    thread = threading.Thread(target=exit_with, args=(pid,), daemon=True)
    thread.start()
    return thread
