"""The work on one claim folder, run in a worker process: hash the inputs, check the claim, write its result set.

`process_claim(job)` reads `inbox/<claim>/` (see `claim_folder`), skips it when its content fingerprint (sha256 of
every input and of claim.toml) equals the one in the outbox's manifest, and otherwise writes `report.json`
(evidence-report/1), `report.txt` (English, then Chinese) and `bundle.pdf` into the job's stage folder; or, when the
folder cannot be processed at all, `error.txt` (English and Chinese). Nothing outside the folder is opened: a path
that leads outside (a link, `files = ["../x"]`) is refused by its resolved name before it is read or hashed, and left
out of the inputs the manifest lists. It never writes the manifest, never renames
anything into the outbox (`outbox.commit` does, in the watcher process) and never writes the reply history.
"""

from __future__ import annotations

import errno
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..claim_folder import (
    CLAIM_TOML,
    ClaimFolder,
    ClaimFolderError,
    FolderEntries,
    is_inside,
    load_claim_folder,
    walk_folder,
)
from ..config import Settings
from ..hashing import sha256_file, sha256_json
from ..model import Claim
from .outbox import write_synced


_OUTBOX_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EROFS)  # a full or read-only outbox


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


def input_fingerprint(inputs: list[dict], refused: list[str] = ()) -> str:
    pairs = sorted((i["name"], i["sha256"]) for i in inputs) + sorted(("refused", n) for n in refused)
    return sha256_json(pairs)


def read_inputs(folder: Path) -> tuple[ClaimFolder | None, ClaimFolderError | None, list[dict], list[str]]:
    """The claim folder, or why it cannot be processed; its accepted inputs (claim.toml first) with their hashes;
    and the names refused without being opened.

    A shared inbox must not become a way to read any file on this machine into a report, a bundle or a manifest:
    whether a path (links resolved) stays inside the folder is decided before anything is read or hashed, and links
    to folders are never walked.
    """
    root, toml = folder.resolve(), folder / CLAIM_TOML
    refused: list[str] = []
    claim_folder, problem = None, _outside_problem(folder, root, [(toml, CLAIM_TOML)], refused)
    if problem is None and toml.is_symlink() and not toml.exists():
        problem = ClaimFolderError(toml, "a link to a file that does not exist", "指向不存在文件的链接")
    if problem is None:
        try:
            claim_folder = load_claim_folder(folder)
        except ClaimFolderError as err:
            problem = err
    entries = FolderEntries()
    if claim_folder is None or not claim_folder.listed:  # the folder's own files are the evidence
        try:
            entries = walk_folder(folder)
        except ClaimFolderError as err:
            problem = problem or err
    pairs = list(zip(claim_folder.files, claim_folder.names)) if claim_folder is not None else \
        [(p, p.relative_to(folder).as_posix()) for p in entries.files]  # fixing the folder must change these
    if CLAIM_TOML not in refused and toml.is_file():
        pairs.insert(0, (toml, CLAIM_TOML))
    links = [(p, p.relative_to(folder).as_posix()) for p in entries.dir_links]
    problem = _outside_problem(folder, root, pairs + links, refused) or problem
    if problem is None and entries.dangling:
        names = ", ".join(p.relative_to(folder).as_posix() for p in entries.dangling)
        problem = ClaimFolderError(folder, f"links to files that do not exist: {names}",
                                   f"指向不存在文件的链接：{names}")
    inputs = []
    for path, name in pairs:
        if name in refused:
            continue
        try:
            inputs.append({"name": name, "sha256": sha256_file(path), "bytes": path.stat().st_size})
        except OSError as exc:  # e.g. no read permission: an error.txt, not a retry loop
            inputs.append({"name": name, "sha256": f"unreadable: {exc.strerror}", "bytes": 0})
            problem = problem or ClaimFolderError(path, f"cannot read the file ({exc.strerror})",
                                                  f"无法读取文件（{exc.strerror}）")
    if problem is None and not claim_folder.files:
        problem = ClaimFolderError(folder, "no evidence files in the folder", "文件夹中没有证据文件")
    return claim_folder, problem, inputs, refused


def _outside_problem(folder: Path, root: Path, pairs: list[tuple[Path, str]],
                     refused: list[str]) -> ClaimFolderError | None:
    """Refuse (add to `refused`) every path that leads outside the folder; the error names them, not their targets."""
    outside = [name for path, name in pairs
               if (path.is_symlink() or path.exists()) and not is_inside(root, path) and name not in refused]
    if not outside:
        return None
    refused.extend(outside)
    names = ", ".join(outside)
    return ClaimFolderError(folder, f"files outside the claim folder: {names} (not read)",
                            f"文件不在索赔文件夹内：{names}（未读取）")


def process_claim(job: Job) -> Result:
    """Hash the inputs, check the claim and write its set into `job.stage` (without the manifest)."""
    started = time.perf_counter()
    claim_folder, problem, inputs, refused = read_inputs(job.folder)
    result = Result(name=job.name, status="done", fingerprint=input_fingerprint(inputs, refused), inputs=inputs)
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
        write_error(job, result, err)
    except OSError as exc:
        if exc.errno in _OUTBOX_ERRNOS or str(exc.filename or "").startswith(str(job.stage)):
            raise  # the outbox cannot be written: the watcher retries the claim later instead of recording an error
        write_error(job, result, ClaimFolderError(job.folder, f"internal error: {type(exc).__name__}: {exc}",
                                                   f"内部错误：{type(exc).__name__}: {exc}"))
    except Exception as exc:  # our bug or a broken environment: say so in the outbox and carry on with others
        write_error(job, result, ClaimFolderError(job.folder, f"internal error: {type(exc).__name__}: {exc}",
                                                   f"内部错误：{type(exc).__name__}: {exc}"))
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def write_error(job: Job, result: Result, err: ClaimFolderError) -> None:
    folder = job.folder
    where = err.path.relative_to(folder).as_posix() if err.path.is_relative_to(folder) else str(err.path)
    where = f"{where}: " if where != "." else ""
    result.status, result.reason = "error", f"{where}{err.reason}"
    write_synced(job.stage / "error.txt", _error_text(job.name, result.reason, f"{where}{err.reason_zh}"))


def _check_and_write(claim_folder, job: Job) -> tuple[list[str], dict]:
    from ..replies import JsonlHistory
    from ..runs import run_claim

    settings = job.settings
    # The reply history as `evidence lint` keeps it (reply-reused); the watcher process remembers the reply.
    report = run_claim(claim_folder.claim, claim_folder.files, settings, history=JsonlHistory(settings),
                       names=claim_folder.names, bundle_to=job.stage / "bundle.pdf", remember=False)
    report.bundle = report.bundle.model_copy(update={"path": "bundle.pdf"})  # relative: the folder gets renamed
    write_synced(job.stage / "report.json", report.to_json() + "\n")
    write_synced(job.stage / "report.txt", _report_text(report))
    return [fr.sha256 for fr in report.files], report.summary.model_dump()


def _report_text(report) -> str:
    from ..report_text import render_text

    return render_text(report, "en") + "\n" + "=" * 72 + "\n\n" + render_text(report, "zh")


def _error_text(name: str, reason: str, reason_zh: str) -> str:
    return (f"Claim folder {name!r} could not be processed.\nReason: {reason}\n"
            "Fix the folder: it is processed again automatically when its content changes.\n\n"
            f"无法处理索赔文件夹 {name!r}。\n原因：{reason_zh}\n请修正该文件夹：内容变化后会自动重新处理。\n")
