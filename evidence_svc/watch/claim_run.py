"""The work on one claim folder, run in a worker process: hash the inputs, check the claim, write its result set.

`process_claim(job)` reads `inbox/<claim>/` (see `claim_folder`), skips it when its content fingerprint (sha256 of
every input and of claim.toml) equals the one in the outbox's manifest, and otherwise writes `report.json`
(evidence-report/1), `report.txt` (English, then Chinese), `reply.txt` (the reply draft in the buyer's language, then
Chinese, then what is missing) and `bundle.pdf` into the job's stage folder; or, when the
folder cannot be processed at all, `error.txt` (English and Chinese). Nothing outside the folder is opened: a path
that leads outside (a link, `files = ["../x"]`) is refused by its resolved name before it is read or hashed, and left
out of the inputs the manifest lists; what is accepted is opened once as the very file checked, hashed and copied
into a private folder, and the pipeline reads only those copies (`confine`). The seller's notes (.txt, .md, ...) are
reported as not evidence, as `evidence lint FOLDER` reports them. It never writes the manifest, never renames
anything into the outbox (`outbox.commit` does, in the watcher process) and never writes the reply history.
"""

from __future__ import annotations

import errno
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..claim_folder import (
    CLAIM_TOML,
    ClaimFolder,
    MAX_CLAIM_TOML_BYTES,
    ClaimFolderError,
    FolderEntries,
    display_name,
    is_inside,
    load_claim_folder,
    note_findings,
    walk_folder,
)
from ..config import Settings
from ..hashing import sha256_bytes, sha256_json
from ..model import Claim
from .confine import Checked, check, read_checked, stage_checked
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
    # A file too large to read has no hash: its size stands in, so that a change of size still counts as a change.
    pairs = sorted((i["name"], i["sha256"] or f"{i['bytes']} bytes") for i in inputs) + \
        sorted(("refused", n) for n in refused)
    return sha256_json(pairs)


@dataclass
class Inputs:
    """A claim folder checked by name: nothing but claim.toml has been opened yet."""

    folder: Path
    claim_folder: ClaimFolder | None
    problem: ClaimFolderError | None
    accepted: list[Checked]  # the evidence files, to be opened once each by `stage_inputs`
    refused: list[str]  # names refused without being opened
    toml: dict | None = None  # claim.toml's entry (name, sha256, bytes), hashed from the bytes that were parsed


def read_inputs(folder: Path) -> Inputs:
    """The claim folder, or why it cannot be processed; its accepted evidence files; the names refused unopened.

    A shared inbox must not become a way to read any file on this machine into a report, a bundle or a manifest:
    whether a path (links resolved) stays inside the folder is decided before anything is read, links to folders
    are never walked, and what is accepted is opened later only as the very file that was checked (`confine`).
    claim.toml is read here, once, from such a descriptor.
    """
    root, toml = folder.resolve(), folder / CLAIM_TOML
    refused: list[str] = []
    claim_folder, toml_entry = None, None
    problem = _outside_problem(folder, root, [(toml, CLAIM_TOML)], refused)
    if problem is None and folder.is_symlink():
        problem = ClaimFolderError(folder, "a link to a folder, not a claim folder", "是指向文件夹的链接，不是索赔文件夹")
    if problem is None and toml.is_symlink() and not toml.exists():
        problem = ClaimFolderError(toml, "a link to a file that does not exist", "指向不存在文件的链接")
    if problem is None:
        try:
            raw = None
            if toml.is_file():
                raw = read_checked(folder, check(folder, toml, CLAIM_TOML), MAX_CLAIM_TOML_BYTES)
                toml_entry = {"name": CLAIM_TOML, "sha256": sha256_bytes(raw), "bytes": len(raw)}
            claim_folder = load_claim_folder(folder, raw)
        except ClaimFolderError as err:
            problem = err
        except OSError as exc:  # e.g. no read permission: an error.txt, not a retry loop
            problem = ClaimFolderError(toml, f"cannot read the file ({exc.strerror})", f"无法读取文件（{exc.strerror}）")
    entries = FolderEntries()
    if claim_folder is None or not claim_folder.listed:  # the folder's own files are the evidence
        try:
            entries = walk_folder(folder)
        except ClaimFolderError as err:
            problem = problem or err
    pairs = list(zip(claim_folder.files, claim_folder.names)) if claim_folder is not None else \
        [(p, p.relative_to(folder).as_posix()) for p in entries.files]  # fixing the folder must change these
    links = [(p, p.relative_to(folder).as_posix()) for p in entries.dir_links]
    problem = _outside_problem(folder, root, pairs + links, refused) or problem
    if problem is None and entries.dangling:
        names = ", ".join(p.relative_to(folder).as_posix() for p in entries.dangling)
        problem = ClaimFolderError(folder, f"links to files that do not exist: {names}",
                                   f"指向不存在文件的链接：{names}")
    accepted = []
    for path, name in pairs:
        if name in refused:
            continue
        try:
            accepted.append(check(folder, path, name))
        except (OSError, ValueError):  # gone, or moved outside, since it was listed: the folder is still changing
            problem = problem or ClaimFolderError(path, "the file changed while it was read; not read",
                                                  "读取时文件发生了变化；未读取")
    if problem is None and not claim_folder.files:
        problem = ClaimFolderError(folder, "no evidence files in the folder", "文件夹中没有证据文件")
    return Inputs(folder, claim_folder, problem, accepted, refused, toml_entry)


def stage_inputs(inputs: Inputs, into: Path | None, max_read: int) -> tuple[list[dict], list[Path]]:
    """Open each accepted file once, hash it and (with `into`, a private folder) copy it there; return the
    inputs as the manifest lists them (claim.toml first) and the copies, in the claim's order. A file that is not
    the one checked, or cannot be read, sets `inputs.problem` and is neither hashed nor copied."""
    entries = [inputs.toml] if inputs.toml else []
    copies = []
    for i, item in enumerate(inputs.accepted):
        target = None
        if into is not None:
            (into / str(i)).mkdir(mode=0o700)
            target = into / str(i) / item.rel[-1]  # the name (and so the suffix) the pipeline may look at
        try:
            entries.append(stage_checked(inputs.folder, item, target, max_read))
        except ClaimFolderError as err:
            inputs.problem = inputs.problem or err
            continue
        except OSError as exc:  # e.g. no read permission: an error.txt, not a retry loop
            if exc.errno in _OUTBOX_ERRNOS:
                raise  # the copy could not be written: the outbox's problem, retried later by the watcher
            entries.append({"name": item.name, "sha256": f"unreadable: {exc.strerror}", "bytes": 0})
            inputs.problem = inputs.problem or ClaimFolderError(item.path, f"cannot read the file ({exc.strerror})",
                                                                f"无法读取文件（{exc.strerror}）")
            continue
        if target is not None:
            copies.append(target)
    return entries, copies


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


def inputs_dir(job: Job) -> Path:
    """The private folder the claim's evidence is copied into: hidden beside the stage, so that start-up cleans it
    after a crash (`outbox.recover`)."""
    return job.stage.with_name(job.stage.name + "-inputs")


def process_claim(job: Job) -> Result:
    """Hash the inputs, check the claim and write its set into `job.stage` (without the manifest)."""
    return process_inputs(job, read_inputs(job.folder))


def process_inputs(job: Job, inputs: Inputs) -> Result:
    """`process_claim` after the folder was read by name: copy, check from the copies, write the set."""
    started = time.perf_counter()
    private = inputs_dir(job)
    private.mkdir(mode=0o700)
    try:
        entries, copies = stage_inputs(inputs, private, 8 * job.settings.max_file_bytes)
        result = Result(name=job.name, status="done", fingerprint=input_fingerprint(entries, inputs.refused),
                        inputs=entries)
        prev = job.previous or {}
        if prev.get("fingerprint") == result.fingerprint and (prev.get("status") == "done" or
                                                             prev.get("version") == __version__):
            result.status = "unchanged"  # same bytes (a touch, a copy over itself); a failed set is retried on upgrade
            return result
        job.stage.mkdir(parents=True)
        _check_into_stage(job, inputs, copies, result)
    finally:
        shutil.rmtree(private, ignore_errors=True)
    result.seconds = round(time.perf_counter() - started, 3)
    return result


def _check_into_stage(job: Job, inputs: Inputs, copies: list[Path], result: Result) -> None:
    try:
        if inputs.problem is not None:
            raise inputs.problem
        claim_folder = inputs.claim_folder
        names = [item.name for item in inputs.accepted]
        result.read_sha256, result.summary = _check_and_write(claim_folder, copies, names, job)
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


def write_error(job: Job, result: Result, err: ClaimFolderError) -> None:
    folder = job.folder
    where = err.path.relative_to(folder).as_posix() if err.path.is_relative_to(folder) else str(err.path)
    where = f"{where}: " if where != "." else ""
    result.status, result.reason = "error", f"{where}{err.reason}"
    write_synced(job.stage / "error.txt", _error_text(job.name, result.reason, f"{where}{err.reason_zh}"))


def _check_and_write(claim_folder: ClaimFolder, copies: list[Path], names: list[str], job: Job) -> tuple[list[str],
                                                                                                         dict]:
    from ..replies import JsonlHistory
    from ..reply_draft.render import reply_txt
    from ..runs import run_claim

    settings = job.settings
    # The reply history as `evidence lint` keeps it (reply-reused); the watcher process remembers the reply.
    # The pipeline reads the private copies, under the names the seller gave the files.
    report = run_claim(claim_folder.claim, copies, settings, history=JsonlHistory(settings),
                       names=names, bundle_to=job.stage / "bundle.pdf", remember=False)
    if claim_folder.notes:  # as `evidence lint FOLDER` says it: the seller's notes are not evidence, left out
        report.claim_findings.extend(note_findings([display_name(p, job.folder) for p in claim_folder.notes]))
        report.summarise()
    report.bundle = report.bundle.model_copy(update={"path": "bundle.pdf"})  # relative: the folder gets renamed
    write_synced(job.stage / "report.json", report.to_json() + "\n")
    write_synced(job.stage / "report.txt", _report_text(report))
    write_synced(job.stage / "reply.txt", reply_txt(report, claim_folder.claim,  # the draft (issue 16)
                                                    JsonlHistory(settings).earlier(claim_folder.claim), settings))
    return [fr.sha256 for fr in report.files], report.summary.model_dump()


def _report_text(report) -> str:
    from ..report_text import render_text

    return render_text(report, "en") + "\n" + "=" * 72 + "\n\n" + render_text(report, "zh")


def _error_text(name: str, reason: str, reason_zh: str) -> str:
    return (f"Claim folder {name!r} could not be processed.\nReason: {reason}\n"
            "Fix the folder: it is processed again automatically when its content changes.\n\n"
            f"无法处理索赔文件夹 {name!r}。\n原因：{reason_zh}\n请修正该文件夹：内容变化后会自动重新处理。\n")
