"""The pipeline: the one place that knows the order of the stages.

    open_source (triage, limits; image headers only) -> per file, in a process pool: per page render_page -> OCR
    -> barcodes -> page validators, then facts -> file validators (file_stage.py) -> in this process: claim-wide
    file validators (duplicates) -> claim checks -> reply lint -> report

Adapters (CLI, HTTP jobs, watch mode, task-engine workers) call `check_claim` or `check_file`; stages never call
back into an adapter. Files are handed to the pool as they are opened, and the pages of all files of a claim are
spread over one pool, so a claim with one big PDF and a claim with many screenshots both keep every core busy while
this process only opens files and assembles reports. A file checked before with the same bytes, name, claim and
settings is read back from the cache whole (pages, facts, file findings) without opening it again; the imaging and
OCR stack is imported only when some file has to be read.
"""

from __future__ import annotations

import copy
import hashlib
import importlib.util
import pickle
from dataclasses import replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from . import __version__, cache, claim_checks
from .config import Settings
from .hashing import sha256_file
from .model import Claim, ClaimReport, FileReport
from .outcomes import FileOutcome, PageOutcome, Triaged, file_input_of
from .pools import ProcessPool
from .stats import STATS

# The pipeline's own pool; pools.shutdown_all() stops it where atexit does not run (a Celery child).
_PAGES = ProcessPool(preload=["evidence_svc.file_stage"])


# --- the cache ------------------------------------------------------------------------------------------------
# Re-checking an unchanged file skips triage, rendering, OCR, facts and the file's own checks ("files"); a file
# whose pages were read for another claim skips rendering, OCR and the page checks ("pages"). Keys cover
# everything an outcome depends on: the file's bytes and name, every setting, the OCR languages, the code version
# and, for "files", the claim (facts and file checks read its order ID, tracking, marketplace and dates).


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A hash of the code that makes outcomes, so an edited validator never reads a stale entry."""
    validators = importlib.util.find_spec("validators")  # its location only: running its __init__ is not cheap
    h = hashlib.sha256(__version__.encode())
    for pkg in (Path(__file__).parent, Path(validators.origin).parent):
        for f in sorted(pkg.rglob("*.py")):
            h.update(f.read_bytes())
    return h.hexdigest()


def _outcome_key(sha256: str, name: str, claim: Claim, settings: Settings) -> str:
    h = hashlib.sha256(f"pages|{_code_version()}|{sha256}|{name}|".encode())
    h.update(settings.model_dump_json(exclude={"workers", "cache_dir", "data_dir", "database_url",
                                               "broker_url", "blob_dir"}).encode())
    h.update(settings.ocr_langs_for(claim.marketplace).encode())
    return h.hexdigest()


def _file_key(sha256: str, name: str, claim: Claim, settings: Settings) -> str:
    # The reply is left out: no fact or file check reads it, and a seller editing a draft re-lints the same files.
    return hashlib.sha256(f"files|{_outcome_key(sha256, name, claim, settings)}|".encode()
                          + claim.model_dump_json(exclude={"reply"}).encode()).hexdigest()


def _load(settings: Settings, namespace: str, key: str):
    raw = cache.read(settings, namespace, key, ".pickle")
    try:
        # Only this process's own cache directory is read; entries are written by `_remember` below.
        return pickle.loads(raw) if raw else None
    except Exception:
        return None


def _remember(source, out: FileOutcome, claim: Claim, settings: Settings) -> None:
    if out.fatal is not None or any(f.code == "unreadable" for o in out.pages for f in o.findings):
        return  # an OCR timeout may not happen next time: do not remember it
    cache.write(settings, "pages", _outcome_key(source.sha256, source.name, claim, settings), ".pickle",
                pickle.dumps(out.pages))
    cache.write(settings, "files", _file_key(source.sha256, source.name, claim, settings), ".pickle",
                pickle.dumps((_triaged(source), out)))


def _triaged(source) -> Triaged:
    return Triaged(name=source.name, sha256=source.sha256, bytes=source.bytes, media_type=source.media_type,
                   kind=source.kind, findings=list(source.findings), readable=source.readable)


def _quick_sha(path: Path, settings: Settings) -> str | None:
    """The file's sha256 for a cache look-up, when triage would hash it (readable, not empty, within the limit)."""
    try:
        size = path.stat().st_size
        return sha256_file(path) if 0 < size <= settings.max_file_bytes else None
    except OSError:
        return None


# --- files and claims -----------------------------------------------------------------------------------------


def check_claim(
    claim: Claim,
    paths: Iterable[Path],
    settings: Settings,
    *,
    names: list[str] | None = None,
    earlier_replies: list[str] | None = None,
    now: datetime | None = None,
) -> ClaimReport:
    """Check every file of a claim, the claim as a whole and the seller's draft reply."""
    paths = [Path(p) for p in paths]
    names = names or [p.name for p in paths]
    files = _check_files(paths, names, claim, settings)
    info, claim_findings, per_file = claim_checks.check_claim_facts(
        claim, files, settings, now or datetime.now(timezone.utc)
    )
    for report in files:
        report.findings.extend(per_file.get(report.sha256, []))
        report.derive_status()
    report = ClaimReport(claim=info, files=files, claim_findings=claim_findings, generated_at=now)
    if claim.reply:
        from . import reply_lint

        report.reply.text = claim.reply
        report.reply.findings = reply_lint.lint_reply(claim.reply, claim, files, settings, earlier_replies or [])
    return report.summarise()


def bundle_claim(
    report: ClaimReport, paths: Iterable[Path], out: Path, settings: Settings, *, target: str = "amazon",
    include_failed: bool = False, lang: str = "en",
) -> ClaimReport:
    """Write the claim's bundle to `out` and record it, and any bundle findings, in the report."""
    from .bundle import build_bundle  # imported here: only adapters that bundle pay for reportlab and fonts

    by_sha = {fr.sha256: Path(p) for fr, p in zip(report.files, paths)}
    result = build_bundle(report, by_sha, out, settings, target=target, include_failed=include_failed, lang=lang)
    report.bundle = result.info
    report.claim_findings.extend(result.findings)
    return report.summarise()


def check_file(path: Path, claim: Claim, settings: Settings, *, name: str | None = None) -> FileReport:
    """One file against a claim: readability, facts and whether it belongs to the claim."""
    return _check_files([Path(path)], [name or Path(path).name], claim, settings)[0].derive_status()


def _check_files(paths: list[Path], names: list[str], claim: Claim, settings: Settings) -> list[FileReport]:
    """Every file's report, in order: cached files read back, the others opened one by one and handed to the pool
    at once (a one-page file as one task; a longer file page by page, then its facts and checks as one more)."""
    files: list[tuple[Triaged, FileOutcome | None]] = []
    by_sha: dict[str, int] = {}  # same bytes: read once, for the first file that has them
    batch = None
    pages_left: dict[int, dict[int, PageOutcome]] = {}
    computed = 0
    for i, (path, name) in enumerate(zip(paths, names)):
        sha = _quick_sha(path, settings)
        if sha in by_sha:
            files.append((replace(files[by_sha[sha]][0], name=name), None))
            continue
        hit = _load(settings, "files", _file_key(sha, name, claim, settings)) if sha else None
        if hit is not None:
            files.append((replace(hit[0], name=name), hit[1]))
            by_sha[sha] = i
            continue
        batch, ctx, stage = batch or _start(settings), _ctx(claim, settings), _stage()
        source = stage.open_source(path, settings, name=name, decode=False)
        files.append((_triaged(source), None))
        if not source.readable:
            continue
        by_sha.setdefault(source.sha256, i)
        if by_sha[source.sha256] != i:
            continue
        pages = _load(settings, "pages", _outcome_key(source.sha256, name, claim, settings))
        if pages is not None or source.page_count == 1:
            computed += 0 if pages is not None else 1
            batch.submit(stage.run_file, (source, [0], pages, ctx, True), (i, None, source), source.bytes)
        else:
            computed += source.page_count
            pages_left[i] = {}
            for p in range(source.page_count):
                batch.submit(stage.run_page, (source, p, ctx, True), (i, p, source), source.bytes / source.page_count)
    while batch is not None and batch.pending:
        (i, page, source), result = batch.next_done()
        if page is None:
            files[i] = (_triaged(source), result)
            _remember(source, result, claim, settings)
            continue
        pages_left[i][page] = result
        if len(pages_left[i]) == source.page_count:
            got = pages_left.pop(i)
            done = [got[p] for p in range(source.page_count)]
            batch.submit(_stage().run_file, (source, [], done, _ctx(claim, settings), False), (i, None, source),
                         float("inf"))  # a file's facts: short, and its report waits for them
    reports = _reports(files, by_sha, claim, settings)
    STATS.files += len(paths)
    STATS.pages += computed
    return reports


def _start(settings: Settings):
    _stage()  # imported before the pool forks, so the workers share the imaging and OCR stack instead of each
    return _PAGES.batch(settings.workers)  # importing it on its first page


def _stage():
    from . import file_stage

    return file_stage


def _ctx(claim: Claim, settings: Settings):
    from validators.base import CheckContext

    return CheckContext(claim=claim, settings=settings)


def _reports(files: list[tuple[Triaged, FileOutcome | None]], by_sha: dict[str, int], claim: Claim,
             settings: Settings) -> list[FileReport]:
    """Reports in the files' order; claim-wide checks see the files before each one."""
    reports: list[FileReport] = []
    earlier: list = []
    for i, (head, out) in enumerate(files):
        first = by_sha.get(head.sha256)
        if out is None and first is not None and first != i:
            out = copy.deepcopy(files[first][1])
        if out is not None and out.fatal is not None:
            head = replace(head, findings=head.findings + [out.fatal], readable=False)
        report, file_input = _file_report(head, out if head.readable else None, claim, settings, earlier,
                                          need_input=i + 1 < len(files))
        reports.append(report)
        earlier.append(file_input)
    return reports


def _file_report(head: Triaged, out: FileOutcome | None, claim: Claim, settings: Settings, earlier: list,
                 need_input: bool) -> tuple[FileReport, object]:
    if out is None:  # unreadable: its findings say why
        from .facts.extract import extract_facts

        out = FileOutcome(pages=[], facts=extract_facts([], claim, settings, barcodes=[]))
    pages = [o.page for o in out.pages]
    STATS.ocr_seconds += sum(o.ocr_seconds for o in out.pages)
    findings = list(head.findings) + [f for o in out.pages for f in o.findings]
    # Only a later file's claim-wide checks, or this file's own, look at it as a FileInput (which costs the
    # validators' imports): a single cached file is reported without them.
    file_input = file_input_of(head, out, out.facts) if need_input or (earlier and head.readable) else None
    if head.readable:
        for _, found in out.checks:
            findings.extend(found if found is not None else _claim_wide(file_input, claim, settings, earlier))
    report = FileReport(
        name=head.name, sha256=head.sha256, media_type=head.media_type, bytes=head.bytes, pages=pages,
        findings=findings, facts=out.facts, kind=out.kind if head.readable else None,
    )
    return report.derive_status(), file_input


def _claim_wide(file_input, claim: Claim, settings: Settings, earlier: list) -> list:
    if not earlier:
        return []  # nothing to compare with (see outcomes.CLAIM_WIDE)
    from validators.base import CheckContext
    from validators.file_rules import FileRules  # CLAIM_WIDE's one validator; the package's list would load OpenCV

    return FileRules().check_file(file_input, CheckContext(claim=claim, settings=settings, earlier_files=list(earlier)))
