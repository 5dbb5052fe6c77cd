"""Watch mode's process pool: whole claims run in a pool sized to the cores (start method and liveness: pools.py).

The pipeline runs each claim's pages in-process in its worker, so a batch of small claims keeps every core busy,
including facts, claim checks and bundle building, which would otherwise queue behind one parent process. Each
worker exits when the watcher is gone. This module knows nothing about claims or the outbox.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor

from ..pools import forkserver_context, limit_omp_threads, watch_parent


def new_pool(workers: int) -> ProcessPoolExecutor:
    # Workers fork from a clean single-threaded server (this process runs a watcher thread, and fork() with
    # threads can deadlock); the server imports the pipeline once, so a worker starts warm.
    ctx = forkserver_context(["evidence_svc.watch", "evidence_svc.pipeline", "evidence_svc.bundle"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init,
                               initargs=(os.getpid(),))


def _worker_init(watcher_pid: int) -> None:
    limit_omp_threads(force=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the watcher's to handle, not each worker's
    # A ProcessPoolExecutor worker outlives a watcher killed with -9: it holds the write end of its own job queue,
    # so it never sees EOF and waits forever (and keeps the forkserver alive, which holds its pipes). Worse, one
    # mid-claim would go on writing into a stage folder the next start is cleaning up. So each worker watches
    # the watcher and exits at once when it is gone.
    watch_parent(watcher_pid)
