"""Watch mode: claim folders dropped into an inbox come out as a report and a bundle in an outbox.

    evidence watch ./inbox --out ./outbox [--once] [--settle 5] [--poll 2] [--move-done ./done]

Everything about files arriving lives here; the checking itself is `pipeline.check_claim` and `bundle.build_bundle`.

Layout. `inbox/<claim>/` holds the evidence files and optionally `claim.toml` (see `claim_folder`). The result is
`outbox/<claim>/` with `report.json` (evidence-report/1), `report.txt` (English, then Chinese) and `bundle.pdf`;
or, when the folder cannot be processed at all, `error.txt` (English and Chinese). Each set also has
`manifest.json`, written last. The inbox is only read, unless `--move-done DIR` is given.

When a folder is picked up. When it has been quiet for `--settle` seconds (same names, sizes and mtimes in
consecutive scans, hidden and temporary files included, because a copy in progress often writes to one of those),
or as soon as a `.ready` file newer than every other file in it appears. A folder holding a partial download
(`*.part`, `*.crdownload`, ...) waits until it is gone, unless `.ready` says otherwise.

How a reader knows a set is complete (the output protocol). A worker writes a set into a hidden stage folder
`outbox/.stage-<token>/`; the watcher writes `manifest.json` into it last, then renames the folder to
`outbox/<claim>/` (a re-processed claim: the old set is first renamed to `outbox/.old-<token>/`, then deleted).
So: a visible `outbox/<claim>/` that holds `manifest.json` is a complete set; names starting with "." are work in
progress, never to be read. After a crash, start-up finishes the job: a stage with a manifest whose claim has no
visible folder (the crash fell between the two renames) is renamed into place, everything else hidden is deleted.

The state store is the outbox itself. `manifest.json` records the content fingerprint (sha256 of every input and
of claim.toml) and a stat key (names, sizes, mtimes). An unchanged folder (same stat key: nothing to read; or
same fingerprint after re-hashing, e.g. a `touch`) is never processed again; a changed one always is. No
database: the record of "done" and the outputs it describes are renamed into place in one step, so they cannot
disagree after a crash, and deleting `outbox/<claim>/` is all it takes to force a re-run.

Parallelism. Whole claims run in a process pool sized to the cores (the pipeline runs each claim's pages in-process
there): a batch of small claims keeps every core busy, including facts, claim checks and bundle building, which
would otherwise queue behind one parent process.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import secrets
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .claim_folder import (
    CLAIM_TOML,
    READY_MARKER,
    ClaimFolder,
    ClaimFolderError,
    is_ignored,
    is_partial,
    list_evidence,
    load_claim_folder,
)
from .config import Settings
from .errors import UsageError
from .model import Claim

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "evidence-watch/1"
STAGE, OLD, LOCK = ".stage-", ".old-", ".watch.lock"
ONCE_MAX_WAIT_S = 60.0  # --once: how long past --settle to wait for a folder that is still being written
EVENT_RESCAN_S = 30.0  # event mode: rescan this often anyway; inotify drops events when its queue overflows


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


# --- the work for one claim: runs in a worker process ----------------------------------------------------------


@dataclass
class Job:
    name: str
    folder: Path
    stage: Path
    stat_key: str
    settings: Settings
    previous: dict | None  # the manifest of the set already in the outbox, if any


@dataclass
class Result:
    name: str
    status: str  # done | error | unchanged
    fingerprint: str = ""
    inputs: list[dict] = field(default_factory=list)  # name, sha256, bytes
    read_sha256: list[str] = field(default_factory=list)  # what the pipeline saw: must equal the inputs' hashes
    reason: str = ""
    summary: dict | None = None
    seconds: float = 0.0
    claim: Claim | None = None  # for the reply history, which only the watcher process writes (no lost updates)


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _fingerprint(inputs: list[dict]) -> str:
    pairs = sorted((i["name"], i["sha256"]) for i in inputs)
    return hashlib.sha256(json.dumps(pairs).encode()).hexdigest()


def read_inputs(folder: Path) -> tuple[ClaimFolder | None, ClaimFolderError | None, list[dict]]:
    """The claim folder, or why it cannot be read, and its inputs (claim.toml first) with their hashes."""
    try:
        claim_folder, problem = load_claim_folder(folder), None
        paths, names = claim_folder.files, claim_folder.names
        if claim_folder.toml:
            paths, names = [claim_folder.toml, *paths], [CLAIM_TOML, *names]
    except ClaimFolderError as err:
        # Fingerprint what is there anyway, so that fixing the folder makes it count as changed.
        claim_folder, problem = None, err
        paths = [p for p in [folder / CLAIM_TOML] if p.is_file()]
        try:
            paths += list_evidence(folder)
        except ClaimFolderError:
            pass
        names = [p.relative_to(folder).as_posix() for p in paths]
    inputs = []
    for path, name in zip(paths, names):
        try:
            inputs.append({"name": name, "sha256": _sha256(path), "bytes": path.stat().st_size})
        except OSError as exc:  # e.g. no read permission: an error.txt, not a retry loop
            inputs.append({"name": name, "sha256": f"unreadable: {exc.strerror}", "bytes": 0})
            problem = problem or ClaimFolderError(path, f"cannot read the file ({exc.strerror})",
                                                  f"无法读取文件（{exc.strerror}）")
    if problem is None:
        # A shared inbox must not become a way to read any file on this machine into a bundle.
        root = folder.resolve()
        outside = [n for p, n in zip(claim_folder.files, claim_folder.names) if not p.resolve().is_relative_to(root)]
        if outside:
            problem = ClaimFolderError(folder / CLAIM_TOML, f"files outside the claim folder: {', '.join(outside)}",
                                       f"文件不在索赔文件夹内：{', '.join(outside)}")
        elif not claim_folder.files:
            problem = ClaimFolderError(folder, "no evidence files in the folder", "文件夹中没有证据文件")
    return claim_folder, problem, inputs


def process_claim(job: Job) -> Result:
    """Hash the inputs, check the claim and write its set into `job.stage` (without the manifest)."""
    started = time.perf_counter()
    claim_folder, problem, inputs = read_inputs(job.folder)
    result = Result(name=job.name, status="done", fingerprint=_fingerprint(inputs), inputs=inputs)
    prev = job.previous or {}
    if prev.get("fingerprint") == result.fingerprint and (prev.get("status") == "done" or
                                                         prev.get("version") == __version__):
        result.status = "unchanged"  # same bytes (a touch, a copy over itself); a failed set is retried on upgrade
        return result
    job.stage.mkdir(parents=True)
    try:
        if problem is not None:
            raise problem
        result.read_sha256, result.summary = _check_and_write(claim_folder, job)
        result.claim = claim_folder.claim
    except ClaimFolderError as err:
        _write_error(job, result, err)
    except Exception as exc:  # our bug or a broken environment: say so in the outbox and carry on with others
        _write_error(job, result, ClaimFolderError(job.folder, f"internal error: {type(exc).__name__}: {exc}",
                                                   f"内部错误：{type(exc).__name__}: {exc}"))
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _write_error(job: Job, result: Result, err: ClaimFolderError) -> None:
    folder = job.folder
    where = err.path.relative_to(folder).as_posix() if err.path.is_relative_to(folder) else str(err.path)
    where = f"{where}: " if where != "." else ""
    result.status, result.reason = "error", f"{where}{err.reason}"
    _write(job.stage / "error.txt", _error_text(job.name, result.reason, f"{where}{err.reason_zh}"))


def _check_and_write(claim_folder, job: Job) -> tuple[list[str], dict]:
    from .pipeline import bundle_claim, check_claim
    from .replies import earlier_replies

    settings, claim = job.settings, claim_folder.claim
    earlier = earlier_replies(settings, claim) if claim.reply else []  # as `evidence lint` does: reply-reused
    report = check_claim(claim, claim_folder.files, settings, names=claim_folder.names, earlier_replies=earlier)
    report = bundle_claim(report, claim_folder.files, job.stage / "bundle.pdf", settings)
    report.bundle = report.bundle.model_copy(update={"path": "bundle.pdf"})  # relative: the folder gets renamed
    _write(job.stage / "report.json", report.to_json() + "\n")
    _write(job.stage / "report.txt", _report_text(report))
    return [fr.sha256 for fr in report.files], report.summary.model_dump()


def _report_text(report) -> str:
    from .report_text import render_text

    return render_text(report, "en") + "\n" + "=" * 72 + "\n\n" + render_text(report, "zh")


def _error_text(name: str, reason: str, reason_zh: str) -> str:
    return (f"Claim folder {name!r} could not be processed.\nReason: {reason}\n"
            "Fix the folder: it is processed again automatically when its content changes.\n\n"
            f"无法处理索赔文件夹 {name!r}。\n原因：{reason_zh}\n请修正该文件夹：内容变化后会自动重新处理。\n")


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _worker_init(watcher_pid: int) -> None:
    os.environ["OMP_THREAD_LIMIT"] = "1"  # tesseract's OpenMP threads would fight the other workers for cores
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the watcher's to handle, not each worker's
    # A ProcessPoolExecutor worker outlives a watcher killed with -9: it holds the write end of its own job queue,
    # so it never sees EOF and waits forever (and keeps the forkserver alive, which holds its pipes). Worse, one
    # mid-claim would go on writing into a stage folder the next start is cleaning up. So each worker watches
    # the watcher and exits at once when it is gone.
    threading.Thread(target=_exit_with, args=(watcher_pid,), daemon=True).start()


def _exit_with(pid: int) -> None:
    while True:
        time.sleep(0.5)
        if not _alive(pid):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # Linux: a killed watcher not yet reaped by its parent is a zombie, as good as gone
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


# --- the outbox: commit, recovery, lock ------------------------------------------------------------------------


def _fsync_dir(path: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _file_entry(path: Path) -> dict:
    return {"name": path.name, "sha256": _sha256(path), "bytes": path.stat().st_size}


def _commit(stage: Path, target: Path, manifest: dict) -> None:
    """Write the manifest last, then swap the stage folder into place (see the module docstring)."""
    manifest["outputs"] = [_file_entry(p) for p in sorted(stage.iterdir())]
    _write(stage / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    _fsync_dir(stage)
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(OLD + secrets.token_hex(6))
        os.rename(target, old)
    os.rename(stage, target)
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(claim_out: Path) -> dict | None:
    try:
        data = json.loads((claim_out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == MANIFEST_SCHEMA else None


def _recover(out: Path, log) -> None:
    """Finish what a crash interrupted: roll complete stages forward, delete everything else hidden."""
    for entry in sorted(out.iterdir()):
        if not entry.name.startswith((STAGE, OLD)):
            continue
        manifest = read_manifest(entry) if entry.name.startswith(STAGE) else None
        claim = manifest and manifest.get("claim")
        if claim and "/" not in claim and not claim.startswith(".") and not (out / claim).exists():
            os.rename(entry, out / claim)
            log("recover.rollforward", claim=claim)
        else:
            # A killed worker may still be writing into an old stage: tolerate a failed delete, retry next start.
            shutil.rmtree(entry, ignore_errors=True)
            log("recover.cleanup", path=entry.name)


def _lock(out: Path):
    """One watcher per outbox: two would commit over each other."""
    handle = open(out / LOCK, "a+")  # noqa: SIM115 -- held open for the whole run: the lock lives with it
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # Windows: no flock; documented as one watcher per outbox
        pass
    except OSError:
        handle.close()
        raise UsageError(f"{out}: another `evidence watch` is already writing to this outbox",
                         f"{out}：已有另一个 `evidence watch` 正在写入该输出文件夹") from None
    return handle


@dataclass
class Running:
    future: Future
    job: Job
    signature: tuple  # the folder as it was when it settled
    pool: ProcessPoolExecutor
    alone: bool  # run with nothing else in the pool (a suspect of an earlier crash)


# --- scanning the inbox ----------------------------------------------------------------------------------------


@dataclass
class Folder:
    """What the watcher knows about one claim folder between scans."""

    signature: tuple = ()
    quiet_since: float = 0.0
    handled: str = ""  # stat key of the state already handled in this run (done, unchanged or error)
    compared: str = ""  # stat key last compared with the outbox's manifest (and found different)
    waiting_logged: bool = False


def _signature(folder: Path) -> tuple[tuple, bool, bool]:
    """(names, sizes, mtimes of every entry, hidden ones included; a partial download present; a fresh .ready)."""
    entries, partial, newest, ready_mtime = [], False, 0, None
    for dirpath, dirnames, filenames in os.walk(folder):
        rel_dir = Path(dirpath).relative_to(folder)
        for name in filenames + dirnames:
            rel = (rel_dir / name).as_posix()
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:  # deleted while we looked: the folder is not quiet
                return (("<vanished>", rel, time.monotonic()),), True, False
            is_dir = name in dirnames
            entries.append((rel, -1 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns))
            partial = partial or (is_partial(name) and not any(is_ignored(p) for p in rel_dir.parts))
            if rel == READY_MARKER:
                ready_mtime = st.st_mtime_ns
            elif not is_dir:
                newest = max(newest, st.st_mtime_ns)
    # .ready counts only if it is newer than every file: a later upload into the same folder re-arms the settle.
    return tuple(sorted(entries)), partial, ready_mtime is not None and ready_mtime >= newest


def _stat_key(signature: tuple) -> str:
    return hashlib.sha256(repr(signature).encode()).hexdigest()


def _claim_dirs(inbox: Path, exclude: list[Path]) -> dict[str, Path]:
    found = {}
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith(".") or is_ignored(entry.name) or is_partial(entry.name) or not entry.is_dir():
            continue
        if any(entry.resolve() == x or x.is_relative_to(entry.resolve()) for x in exclude):
            continue  # the outbox or --move-done folder inside the inbox is not a claim
        found[entry.name] = entry
    return found


# --- events: JSON lines for logs, rich for people --------------------------------------------------------------


class Events:
    def __init__(self, run: str, tty: bool) -> None:
        self.run, self.tty, self.progress, self.task = run, tty, None, None
        self._lock = threading.Lock()
        if tty:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TimeElapsedColumn

            self.progress = Progress(SpinnerColumn(), "[progress.description]{task.description}", BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn())
            self.task = self.progress.add_task("claims", total=0)
            self.progress.start()

    def __call__(self, event: str, **fields) -> None:
        with self._lock:
            if not self.tty:
                line = {"ts": datetime.now(UTC).isoformat(timespec="milliseconds"), "event": event,
                        "run": self.run, **fields}
                sys.stdout.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
                sys.stdout.flush()  # one line per event, so a killed watcher's log ends on a whole line
                return
            if event == "claim.queued":
                self.progress.update(self.task, total=self.progress.tasks[0].total + 1)
            elif event in ("claim.done", "claim.error", "claim.unchanged", "claim.changed"):
                self.progress.update(self.task, advance=1, description=fields.get("claim", ""))
            if event == "watch.summary":
                f = fields
                self.progress.console.print(
                    f"[bold]{f['claims']} claims, {f['files']} files, {f['errors']} errors, {f['unchanged']} unchanged,"
                    f" {f['skipped']} still arriving — {f['seconds']:.1f} s[/]\n"
                    f"{f['claims']} 个索赔，{f['files']} 个文件，{f['errors']} 个错误，{f['unchanged']} 个未变化，"
                    f"{f['skipped']} 个仍在写入 — {f['seconds']:.1f} 秒")
            elif event not in ("claim.queued", "claim.unchanged"):
                text = " ".join(f"{k}={v}" for k, v in fields.items() if k not in ("fingerprint",))
                from rich.markup import escape

                self.progress.console.print(f"[dim]{datetime.now():%H:%M:%S}[/] {event} {escape(text)}",
                                            highlight=False)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# --- the loop --------------------------------------------------------------------------------------------------


def run_watch(inbox: Path, out: Path, settings: Settings, *, once: bool, settle: float, poll: float | None,
              move_done: Path | None) -> WatchSummary:
    """Process claim folders in `inbox` into `out` until stopped (or, with `once`, until what was there is done)."""
    inbox, out = Path(inbox).resolve(), Path(out).resolve()
    if not inbox.is_dir():
        raise UsageError(f"{inbox}: the inbox is not a folder", f"{inbox}：收件文件夹不存在")
    if out == inbox or inbox.is_relative_to(out):
        raise UsageError(f"{out}: the outbox must not be the inbox or contain it", f"{out}：输出文件夹不能是收件文件夹或包含它")
    out.mkdir(parents=True, exist_ok=True)
    move_done = Path(move_done).resolve() if move_done else None
    if move_done:
        move_done.mkdir(parents=True, exist_ok=True)
    lock = _lock(out)
    run = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}"
    log = Events(run, sys.stdout.isatty())
    watcher = _Watcher(inbox, out, settings, once, max(settle, 0.0), poll, move_done, log)
    try:
        return watcher.run()
    finally:
        log.close()
        lock.close()


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
        _recover(self.out, self.log)
        mode = "once" if self.once else "poll" if self.poll else "events"
        self.log("watch.start", inbox=str(self.inbox), out=str(self.out), mode=mode, settle=self.settle,
                 workers=self.workers, version=__version__)
        previous_handlers = self._install_signals()
        self.pool = self._new_pool()
        thread = None if self.once else threading.Thread(target=self._watch_files, daemon=True)
        try:
            if thread:
                thread.start()
            pending = set(_claim_dirs(self.inbox, self._excluded())) if self.once else set()
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
        ctx = multiprocessing.get_context("forkserver" if sys.platform != "win32" else "spawn")
        if sys.platform != "win32":
            # Workers fork from a clean single-threaded server (this process runs a watcher thread, and fork()
            # with threads can deadlock); the server imports the pipeline once, so a worker starts warm.
            ctx.set_forkserver_preload(["evidence_svc.watch", "evidence_svc.pipeline", "evidence_svc.bundle"])
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=ctx, initializer=_worker_init,
                                   initargs=(os.getpid(),))

    # -- scanning and settling

    def _excluded(self) -> list[Path]:
        return [p for p in (self.out, self.move_done) if p is not None]

    def _scan(self, now: float) -> list[str]:
        """Update every folder's settle state; return the names ready to be processed, oldest quiet first."""
        try:
            dirs = _claim_dirs(self.inbox, self._excluded())
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
            signature, partial, fresh_ready = _signature(path)
            state = self.folders.setdefault(name, Folder(signature, now))
            if signature != state.signature:
                state.signature, state.quiet_since, state.waiting_logged = signature, now, False
            if name in self.inflight or not signature:
                continue
            key = _stat_key(signature)
            if state.handled == key and (self.out / name / MANIFEST).exists():
                continue  # (a deleted outbox set makes the folder count as new: the way to force a re-run)
            state.handled = ""
            if state.compared != key:
                manifest = read_manifest(self.out / name)
                if manifest and manifest.get("stat_key") == key and self._final(manifest):
                    self._unchanged(name, path, key)  # nothing read: names, sizes and mtimes are as processed
                    continue
                state.compared = key
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
        if not state.signature or state.handled == _stat_key(state.signature):
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
        settling = [s.quiet_since + self.settle - now for s in self.folders.values()
                    if s.signature and s.handled != _stat_key(s.signature) and not s.waiting_logged]
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
        key = _stat_key(state.signature)
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
            except Exception as exc:  # the worker died (killed, out of memory, a crash in a native library)
                self._worker_died(running, exc)
                continue
            self._finish(running.job, result, running.signature)

    def _worker_died(self, running: Running, exc: Exception) -> None:
        """A dead worker breaks the pool and every claim in it. Each of those runs again, a suspect alone; a
        suspect that kills a worker while running alone gets error.txt instead of a retry loop."""
        job, reason = running.job, f"{type(exc).__name__}: {exc}"
        shutil.rmtree(job.stage, ignore_errors=True)
        if running.pool is self.pool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
        key = (job.name, job.stat_key)
        if not running.alone:
            self.suspects.add(key)
            self.log("claim.retry", claim=job.name, reason=reason)
            return
        self.suspects.discard(key)
        _, _, inputs = read_inputs(job.folder)
        result = Result(name=job.name, status="done", fingerprint=_fingerprint(inputs), inputs=inputs)
        job.stage.mkdir(parents=True)
        _write_error(job, result, ClaimFolderError(
            job.folder, f"the checker process died on this folder twice ({reason})",
            f"检查进程在处理该文件夹时两次异常退出（{reason}）"))
        self._finish(job, result, running.signature)

    def _finish(self, job: Job, result: Result, signature: tuple) -> None:
        name = job.name
        state = self.folders.get(name)
        if result.status == "unchanged":
            self._unchanged(name, job.folder, job.stat_key)
            return
        # Files still being written are never reported: the folder must look exactly as it did when it settled,
        # and the pipeline must have read the very bytes that were fingerprinted.
        now_signature = _signature(job.folder)[0] if job.folder.is_dir() else ()
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
        _commit(job.stage, self.out / name, manifest)
        self.suspects.discard((name, job.stat_key))
        if state is not None:
            state.handled = job.stat_key
        files = sum(i["name"] != CLAIM_TOML for i in result.inputs)
        if result.status == "done":
            if result.claim is not None and result.claim.reply:
                from .replies import remember_reply

                remember_reply(self.settings, result.claim)
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
        if self.move_done is None or _signature(path)[0] != signature:
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
