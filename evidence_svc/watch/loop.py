"""The watcher loop: scan the inbox, queue settled claim folders on the pool, commit each result set, and stop cleanly.

The state store is the outbox itself. `manifest.json` records the content fingerprint and a stat key (names,
sizes, mtimes). An unchanged folder (same stat key: nothing to read; or same fingerprint after re-hashing, e.g. a
`touch`) is never processed again; a changed one always is. No database: the record of "done" and the outputs it
describes are renamed into place in one step, so they cannot disagree after a crash, and deleting
`outbox/<claim>/` is all it takes to force a re-run. Only this process writes the outbox's manifests and the reply
history; the checking itself happens in `claim_run` on the pool's workers. An outbox that cannot be written costs
only the claim at hand a retry with backoff; a bad `--out` is a usage error at start.
"""

from __future__ import annotations

import math
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from .. import __version__
from ..claim_folder import CLAIM_TOML, ClaimFolderError
from ..config import Settings
from ..data_dir import tighten_data_dir
from ..errors import UsageError
from .claim_run import (Job, Result, input_fingerprint, inputs_dir, process_claim, read_inputs, stage_inputs,
                        write_error)
from .events import Events
from .outbox import MANIFEST, MANIFEST_SCHEMA, STAGE, commit, lock_outbox, read_manifest, recover
from .pool import new_pool
from .scan import Folder, claim_dirs, folder_signature, stat_key

ONCE_MAX_WAIT_S = 60.0  # --once: how long past --settle to wait for a folder that is still being written
EVENT_RESCAN_S = 30.0  # event mode: rescan this often anyway; inotify drops events when its queue overflows
OUTBOX_RETRY_FIRST_S, OUTBOX_RETRY_MAX_S = 1.0, 60.0  # a claim whose result set could not be written waits this long
ONCE_OUTBOX_TRIES = 3  # --once: writing a claim's set fails this often: an error, so the run ends


@dataclass
class WatchSummary:
    claims: int = 0  # processed to a complete report set
    errors: int = 0  # folders that got error.txt
    unchanged: int = 0  # already processed with the same content: skipped
    skipped: int = 0  # --once: still being written when the run ended; left for the next run
    files: int = 0  # evidence files checked
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return self.errors


@dataclass
class Running:
    future: Future
    job: Job
    signature: tuple  # the folder as it was when it settled
    pool: ProcessPoolExecutor
    alone: bool  # run with nothing else in the pool (a suspect of an earlier crash)


def run_watch(inbox: Path, out: Path, settings: Settings, *, once: bool, settle: float, poll: float | None,
              move_done: Path | None) -> WatchSummary:
    """Process claim folders in `inbox` into `out` until stopped (or, with `once`, until what was there is done)."""
    inbox, out = Path(inbox).resolve(), Path(out).resolve()
    if not inbox.is_dir():
        raise UsageError(f"{inbox}: the inbox is not a folder", f"{inbox}：收件文件夹不存在")
    if out == inbox or inbox.is_relative_to(out):
        raise UsageError(f"{out}: the outbox must not be the inbox or contain it", f"{out}：输出文件夹不能是收件文件夹或包含它")
    _writable_folder(out, "the outbox", "输出文件夹")
    move_done = Path(move_done).resolve() if move_done else None
    if move_done:
        _writable_folder(move_done, "the --move-done folder", "--move-done 文件夹")
    lock = lock_outbox(out)
    run = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"
    log = Events(run, sys.stdout.isatty())
    if said := tighten_data_dir(settings.data_dir):
        log("watch.data-dir-tightened", reason=said[0], reason_zh=said[1])
    watcher = _Watcher(inbox, out, settings, once, max(settle, 0.0), poll, move_done, log)
    try:
        return watcher.run()
    finally:
        log.close()
        lock.close()


def _writable_folder(path: Path, what: str, what_zh: str) -> None:
    """Create `path` if needed and prove it writable, or say so as a usage error (exit 2), not a traceback."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError as exc:
        why = why_zh = exc.strerror or type(exc).__name__
        if isinstance(exc, FileExistsError):
            why, why_zh = "a file, not a folder", "这是文件而不是文件夹"
        raise UsageError(f"{path}: cannot create or write {what} ({why}); give a folder you can write to",
                         f"{path}：无法创建或写入{what_zh}（{why_zh}）；请指定一个可写入的文件夹") from None


def _backoff(failures: int) -> float:
    return min(OUTBOX_RETRY_MAX_S, OUTBOX_RETRY_FIRST_S * 2 ** (failures - 1))


class _Watcher:
    def __init__(self, inbox, out, settings, once, settle, poll, move_done, log) -> None:
        self.inbox, self.out, self.once, self.settle, self.poll = inbox, out, once, settle, poll
        self.move_done, self.log = move_done, log
        self.settings = settings.model_copy(update={"workers": 1})  # one claim per worker, its pages in-process
        self.workers = max(1, settings.workers)
        self.folders: dict[str, Folder] = {}
        self.inflight: dict[str, Running] = {}
        self.suspects: set[tuple[str, str]] = set()  # (name, stat key) of folders running when a worker died
        self.inbox_lost = False
        self.summary = WatchSummary()
        self.wake, self.stop = threading.Event(), threading.Event()
        self.started = time.monotonic()

    def run(self) -> WatchSummary:
        recover(self.out, self.log)
        mode = "once" if self.once else "poll" if self.poll else "events"
        self.log("watch.start", inbox=str(self.inbox), out=str(self.out), mode=mode, settle=self.settle,
                 workers=self.workers, version=__version__)
        previous_handlers = self._install_signals()
        self.pool = self._new_pool()
        thread = None if self.once else threading.Thread(target=self._watch_files, daemon=True)
        try:
            if thread:
                thread.start()
            pending = set(claim_dirs(self.inbox, self._excluded())) if self.once else set()
            stopping = False
            while True:
                now = time.monotonic()
                ready = [] if self.stop.is_set() else self._scan(now)
                for name in ready:
                    if not self._submit_next(name):
                        break
                self._collect()
                if self.once:
                    pending = {n for n in pending if n in self.folders and not self._resolved(n, now)}
                    if not pending and not self.inflight:
                        break
                if self.stop.is_set():
                    if not stopping:
                        stopping = True
                        self._cancel_queued()
                        self.log("watch.stopping", in_progress=len(self.inflight), hint="Ctrl-C again to quit now")
                    if not self.inflight:
                        break
                self.wake.wait(self._tick())
                self.wake.clear()
        finally:
            self.stop.set()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self._restore_signals(previous_handlers)
        self.summary.seconds = round(time.monotonic() - self.started, 3)
        self.log("watch.summary", **asdict(self.summary))
        return self.summary

    def _new_pool(self) -> ProcessPoolExecutor:
        return new_pool(self.workers)

    # -- scanning and settling

    def _excluded(self) -> list[Path]:
        return [p for p in (self.out, self.move_done) if p is not None]

    def _scan(self, now: float) -> list[str]:
        """Update every folder's settle state; return the names ready to be processed, oldest quiet first."""
        try:
            dirs = claim_dirs(self.inbox, self._excluded())
        except OSError as exc:  # a network share that went away: keep what we know and wait for it to return
            if not self.inbox_lost:
                self.log("watch.inbox-unavailable", reason=str(exc))
            self.inbox_lost = True
            return []
        self.inbox_lost = False
        for gone in set(self.folders) - set(dirs):
            del self.folders[gone]
        ready = []
        for name, path in dirs.items():
            signature, partial, fresh_ready = folder_signature(path)
            state = self.folders.setdefault(name, Folder(signature, now))
            if signature != state.signature:
                state.signature, state.quiet_since, state.waiting_logged = signature, now, False
            if name in self.inflight or not signature:
                continue
            key = stat_key(signature)
            if state.handled == key and (self.out / name / MANIFEST).exists():
                continue  # (a deleted outbox set makes the folder count as new: the way to force a re-run)
            state.handled = ""
            if state.compared != key:
                manifest = read_manifest(self.out / name)
                if manifest and manifest.get("stat_key") == key and self._final(manifest):
                    self._unchanged(name, path, key)  # nothing read: names, sizes and mtimes are as processed
                    continue
                state.compared = key
            if now < state.retry_at:
                continue  # its set could not be written into the outbox: wait out the backoff
            quiet = now - state.quiet_since >= self.settle
            if partial and not fresh_ready:
                if quiet and not state.waiting_logged:
                    self.log("claim.waiting", claim=name, reason="partial download present")
                    state.waiting_logged = True
                continue
            if quiet or fresh_ready:
                ready.append((state.quiet_since, name))
        return [name for _, name in sorted(ready)]

    @staticmethod
    def _final(manifest: dict) -> bool:
        return manifest.get("status") == "done" or manifest.get("version") == __version__

    def _resolved(self, name: str, now: float) -> bool:
        """--once: is there nothing more to wait for in this folder?"""
        state = self.folders[name]
        if name in self.inflight:
            return False
        if not state.signature or state.handled == stat_key(state.signature) or state.retry_at == math.inf:
            return True
        still_written = now - state.quiet_since < self.settle and now - self.started > self.settle + ONCE_MAX_WAIT_S
        if state.waiting_logged or still_written:
            self.log("claim.skipped", claim=name, reason="still being written; left for the next run")
            self.summary.skipped += 1
            return True
        return False

    def _tick(self) -> float:
        if self.inflight or self.once:
            return min(0.25, max(self.settle / 4, 0.05))
        now = time.monotonic()
        settling = [max(s.quiet_since + self.settle, s.retry_at) - now for s in self.folders.values()
                    if s.signature and s.handled != stat_key(s.signature) and not s.waiting_logged]
        return max(0.05, min([*settling, self.poll or EVENT_RESCAN_S]) + 0.01)

    def _watch_files(self) -> None:
        """Wake the loop on any change in the inbox; the scan decides what it means (events can be lost)."""
        import watchfiles

        try:
            for _ in watchfiles.watch(self.inbox, watch_filter=None, debounce=200, step=50, stop_event=self.stop,
                                      raise_interrupt=False, force_polling=self.poll is not None,
                                      poll_delay_ms=int((self.poll or 0.3) * 1000), ignore_permission_denied=True):
                self.wake.set()
        except Exception as exc:  # e.g. inotify watch limit reached: fall back to rescanning on a timer
            self.log("watch.events-unavailable", reason=f"{type(exc).__name__}: {exc}")
            self.poll = self.poll or 2.0

    # -- running claims

    def _submit_next(self, name: str) -> bool:
        """Queue one ready folder; False when nothing more may be queued now."""
        if any(r.alone for r in self.inflight.values()):
            return False  # a suspect runs alone, so that a second crash can be pinned on it
        if len(self.inflight) >= self.workers * 2:
            return False  # keep the queue short: folders stay in the scan, so later changes are seen first
        state = self.folders[name]
        key = stat_key(state.signature)
        alone = (name, key) in self.suspects
        if alone and self.inflight:
            return True  # wait for the pool to empty; others may go first
        job = Job(name=name, folder=self.inbox / name, stage=self.out / (STAGE + secrets.token_hex(6)),
                  stat_key=key, settings=self.settings, previous=read_manifest(self.out / name))
        future = self.pool.submit(process_claim, job)
        future.add_done_callback(lambda _: self.wake.set())
        self.inflight[name] = Running(future, job, state.signature, self.pool, alone)
        self.log("claim.queued", claim=name)
        return not alone

    def _cancel_queued(self) -> None:
        for name, running in list(self.inflight.items()):
            if running.future.cancel():  # not started: nothing was written
                del self.inflight[name]

    def _collect(self) -> None:
        for name, running in list(self.inflight.items()):
            if not running.future.done():
                continue
            del self.inflight[name]
            try:
                result = running.future.result()
            except OSError as exc:  # the worker could not write its stage folder: the outbox, not the claim
                self._outbox_failed(running.job, exc)
                continue
            except Exception as exc:  # BrokenProcessPool: the worker died (killed, out of memory, a native crash)
                self._worker_died(running, exc)
                continue
            self._finish(running.job, result, running.signature)

    def _worker_died(self, running: Running, exc: Exception) -> None:
        """A dead worker breaks the pool and every claim in it. Each of those runs again, a suspect alone; a
        suspect that kills a worker while running alone gets error.txt instead of a retry loop."""
        job, reason = running.job, f"{type(exc).__name__}: {exc}"
        shutil.rmtree(job.stage, ignore_errors=True)
        shutil.rmtree(inputs_dir(job), ignore_errors=True)
        if running.pool is self.pool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
        key = (job.name, job.stat_key)
        if not running.alone:
            self.suspects.add(key)
            self.log("claim.retry", claim=job.name, reason=reason)
            return
        self.suspects.discard(key)
        inputs = read_inputs(job.folder)
        entries, _ = stage_inputs(inputs, None, 8 * self.settings.max_file_bytes)  # hashed, not copied
        result = Result(name=job.name, status="done", fingerprint=input_fingerprint(entries, inputs.refused),
                        inputs=entries)
        try:
            job.stage.mkdir(parents=True)
            write_error(job, result, ClaimFolderError(
                job.folder, f"the checker process died on this folder twice ({reason})",
                f"检查进程在处理该文件夹时两次异常退出（{reason}）"))
        except OSError as exc:
            self._outbox_failed(job, exc)
            return
        self._finish(job, result, running.signature)

    def _outbox_failed(self, job: Job, exc: OSError) -> None:
        """The claim's set could not be written (outbox read-only, disk full, share gone): try that claim again
        later, waiting longer each time, and keep watching the others. --once gives up after a few tries."""
        shutil.rmtree(job.stage, ignore_errors=True)
        reason = f"cannot write to the outbox: {type(exc).__name__}: {exc}"
        state = self.folders.get(job.name)
        if state is None:
            return
        state.failures += 1
        if self.once and state.failures >= ONCE_OUTBOX_TRIES:
            state.retry_at = math.inf
            self.summary.errors += 1
            self.log("claim.error", claim=job.name, reason=reason, tries=state.failures)
            return
        delay = _backoff(state.failures)
        state.retry_at = time.monotonic() + delay
        self.log("claim.outbox-error", claim=job.name, reason=reason, tries=state.failures, retry_in=delay)

    def _finish(self, job: Job, result: Result, signature: tuple) -> None:
        name = job.name
        state = self.folders.get(name)
        if result.status == "unchanged":
            self._unchanged(name, job.folder, job.stat_key)
            return
        # Files still being written are never reported: the folder must look exactly as it did when it settled,
        # and the pipeline must have read the very bytes that were fingerprinted.
        now_signature = folder_signature(job.folder)[0] if job.folder.is_dir() else ()
        hashed = sorted(i["sha256"] for i in result.inputs if i["name"] != CLAIM_TOML)
        if now_signature != signature or (result.status == "done" and sorted(result.read_sha256) != hashed):
            shutil.rmtree(job.stage, ignore_errors=True)
            self.log("claim.changed", claim=name, reason="the folder changed while it was read; waiting to settle")
            if state is not None:
                state.quiet_since = time.monotonic()
            return
        manifest = {"schema": MANIFEST_SCHEMA, "claim": name, "status": result.status,
                    "fingerprint": result.fingerprint, "stat_key": job.stat_key, "inputs": result.inputs,
                    "run": self.log.run, "version": __version__,
                    "processed_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "seconds": result.seconds, "summary": result.summary, "reason": result.reason or None}
        try:
            commit(job.stage, self.out / name, manifest)
        except OSError as exc:
            self._outbox_failed(job, exc)
            return
        self.suspects.discard((name, job.stat_key))
        if state is not None:
            state.handled, state.failures, state.retry_at = job.stat_key, 0, 0.0
        files = sum(i["name"] != CLAIM_TOML for i in result.inputs)
        if result.status == "done":
            if result.claim is not None and result.claim.reply:
                from ..replies import JsonlHistory

                JsonlHistory(self.settings).remember(result.claim)
            self.summary.claims += 1
            self.summary.files += files
            self.log("claim.done", claim=name, files=files, seconds=result.seconds, fingerprint=result.fingerprint,
                     **(result.summary or {}))
            self._move_done(name, job.folder, signature)
        else:
            self.summary.errors += 1
            self.log("claim.error", claim=name, reason=result.reason, seconds=result.seconds)

    def _unchanged(self, name: str, path: Path, key: str) -> None:
        state = self.folders.get(name)
        if state is None:
            return
        state.handled = key
        self.summary.unchanged += 1
        self.log("claim.unchanged", claim=name)
        manifest = read_manifest(self.out / name)
        if manifest and manifest.get("status") == "done":
            self._move_done(name, path, state.signature)

    def _move_done(self, name: str, path: Path, signature: tuple) -> None:
        if self.move_done is None or folder_signature(path)[0] != signature:
            return  # never move a folder someone is still writing to
        target = self.move_done / name
        if target.exists():
            target = self.move_done / f"{name}-{datetime.now():%Y%m%d-%H%M%S}"
        shutil.move(str(path), str(target))
        self.folders.pop(name, None)
        self.log("claim.moved", claim=name, to=str(target))

    # -- stopping

    def _install_signals(self):
        if threading.current_thread() is not threading.main_thread():
            return None

        def handler(signum, frame):  # no logging here: the log lock may be held by the interrupted code
            if self.stop.is_set():
                os._exit(130)  # second Ctrl-C: leave now; the next start cleans up the stage folders
            self.stop.set()
            self.wake.set()

        return {s: signal.signal(s, handler) for s in (signal.SIGINT, signal.SIGTERM)}

    @staticmethod
    def _restore_signals(previous) -> None:
        for sig, handler in (previous or {}).items():
            signal.signal(sig, handler)
