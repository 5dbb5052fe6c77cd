"""The pipeline: the one place that knows the order of the stages.

    open_source (triage, limits) -> per page, in a process pool: render_page -> OCR -> barcodes -> page validators
    -> facts -> file validators -> claim checks -> reply lint -> report

Adapters (CLI, HTTP jobs, watch mode, task-engine workers) call `check_claim` or `check_file`; stages never call
back into an adapter. Pages of all files of a claim are spread over one pool, so a claim with one big PDF and a
claim with many screenshots both keep every core busy.
"""

from __future__ import annotations

import copy
import hashlib
import pickle
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import validators
from validators import VALIDATORS
from validators.base import CheckContext, FileInput, PageInput

from . import __version__, cache, claim_checks, facts, reply_lint
from .config import Settings
from .facts.barcodes import read_barcodes
from .ingest import Source, open_source, render_page
from .messages import finding
from .model import Claim, ClaimReport, FileReport, Finding, Page
from .ocr import read_line, read_words
from .pools import ProcessPool
from .stats import STATS


@dataclass
class PageOutcome:
    """What a worker sends back for one page: no pixels, only what later stages need."""

    page: Page
    findings: list[Finding] = field(default_factory=list)
    barcodes: list = field(default_factory=list)
    phash: str | None = None
    ocr_seconds: float = 0.0


def check_page(source: Source, index: int, ctx: CheckContext) -> PageOutcome:
    """Render one page, read its words, and run the page validators. Runs in a worker process."""
    settings = ctx.settings
    rendered = render_page(source, index, settings)
    page, image = rendered.page, rendered.image
    out = PageOutcome(page=page, findings=list(rendered.findings))
    if rendered.needs_ocr and image is not None:
        result = read_words(image, settings.ocr_langs_for(ctx.claim.marketplace), settings)
        out.ocr_seconds = result.seconds
        page.words, page.ocr_confidence, page.text_source = result.words, result.confidence, "ocr"
        if result.error:
            out.findings.append(finding("unreadable", page=index, detail=result.error))
    gray = None
    if image is not None:
        out.barcodes = read_barcodes(image, index)
        gray = _gray(image)
        if index == 0 and source.kind == "image":
            out.phash = _phash(image)
    subject = PageInput(page=page, gray=gray, source=source.kind or "image", name=source.name)
    for validator in VALIDATORS:
        out.findings.extend(validator.check_page(subject, ctx))
    return out


def _gray(image):
    import numpy as np

    return np.asarray(image.convert("L"))


def _phash(image) -> str:
    import imagehash

    return str(imagehash.phash(image))


def _run_page(args: tuple[Source, int, CheckContext]) -> PageOutcome:
    source, index, ctx = args
    try:
        return check_page(source, index, ctx)
    except Exception as exc:  # a page that breaks a library must not take the claim down with it
        return PageOutcome(
            page=Page(index=index, width=0, height=0),
            findings=[finding("corrupt-file", page=index,
                              detail=f"page {index + 1} could not be processed: {type(exc).__name__}: {exc}")],
        )


# --- the pool -------------------------------------------------------------------------------------------------

# The pipeline's own page pool; pools.shutdown_all() stops it where atexit does not run (a Celery child).
_PAGES = ProcessPool(preload=["evidence_svc.pipeline"])


# --- the page cache -------------------------------------------------------------------------------------------
# Re-checking an unchanged file skips rendering, OCR and the page validators. The key covers everything a page
# outcome depends on: the file's bytes, the OCR languages, every setting and the code version.


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A hash of the code that makes page outcomes, so an edited validator never reads a stale entry."""
    h = hashlib.sha256(__version__.encode())
    for pkg in (Path(__file__).parent, Path(validators.__file__).parent):
        for f in sorted(pkg.rglob("*.py")):
            h.update(f.read_bytes())
    return h.hexdigest()


def _outcome_key(source: Source, ctx: CheckContext) -> str:
    h = hashlib.sha256(f"pages|{_code_version()}|{source.sha256}|{source.name}|".encode())
    h.update(ctx.settings.model_dump_json(exclude={"workers", "cache_dir", "data_dir", "database_url",
                                                   "broker_url", "blob_dir"}).encode())
    h.update(ctx.settings.ocr_langs_for(ctx.claim.marketplace).encode())
    return h.hexdigest()


def _cached_outcomes(source: Source, ctx: CheckContext) -> list[PageOutcome] | None:
    raw = cache.read(ctx.settings, "pages", _outcome_key(source, ctx), ".pickle")
    try:
        # Only this process's own cache directory is read; entries are written by `_store_outcomes` below.
        return pickle.loads(raw) if raw else None
    except Exception:
        return None


def _store_outcomes(source: Source, ctx: CheckContext, outcomes: list[PageOutcome]) -> None:
    if any(f.code == "unreadable" for o in outcomes for f in o.findings):
        return  # an OCR timeout may not happen next time: do not remember it
    cache.write(ctx.settings, "pages", _outcome_key(source, ctx), ".pickle", pickle.dumps(outcomes))


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
    sources = [open_source(p, settings, name=n) for p, n in zip(paths, names)]
    files = _check_sources(sources, claim, settings)
    info, claim_findings, per_file = claim_checks.check_claim_facts(
        claim, files, settings, now or datetime.now(timezone.utc)
    )
    for report in files:
        report.findings.extend(per_file.get(report.sha256, []))
        report.derive_status()
    report = ClaimReport(claim=info, files=files, claim_findings=claim_findings, generated_at=now)
    if claim.reply:
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
    source = open_source(Path(path), settings, name=name or Path(path).name)
    return _check_sources([source], claim, settings)[0].derive_status()


def _check_sources(sources: list[Source], claim: Claim, settings: Settings) -> list[FileReport]:
    ctx = CheckContext(claim=claim, settings=settings, read_line=read_line)
    known = {s.sha256: _cached_outcomes(s, ctx) for s in sources if s.readable}
    todo = {s.sha256: s for s in sources if s.readable and known.get(s.sha256) is None}  # same bytes: once
    tasks = [(s, i, ctx) for s in todo.values() for i in range(s.page_count)]
    fresh = iter(_PAGES.map(_run_page, tasks, settings.workers))
    for source in todo.values():
        known[source.sha256] = [next(fresh) for _ in range(source.page_count)]
        _store_outcomes(source, ctx, known[source.sha256])
    reports: list[FileReport] = []
    earlier: list[FileInput] = []
    for source in sources:
        pages = copy.deepcopy(known[source.sha256]) if source.readable else []
        report, file_input = _file_report(source, pages, claim, settings, earlier)
        reports.append(report)
        earlier.append(file_input)
    STATS.files += len(sources)
    STATS.pages += len(tasks)
    return reports


def _file_report(
    source: Source, outcomes: list[PageOutcome], claim: Claim, settings: Settings, earlier: list[FileInput]
) -> tuple[FileReport, FileInput]:
    pages = [o.page for o in outcomes]
    barcodes = [b for o in outcomes for b in o.barcodes]
    found = facts.extract_facts(pages, claim, settings, barcodes=barcodes)
    STATS.ocr_seconds += sum(o.ocr_seconds for o in outcomes)
    findings = list(source.findings) + [f for o in outcomes for f in o.findings]
    file_input = FileInput(
        name=source.name, sha256=source.sha256, media_type=source.media_type, bytes=source.bytes, pages=pages,
        facts=found, phash=outcomes[0].phash if outcomes else None, source=source.kind or "image",
        findings=list(findings),
    )
    if source.readable:
        ctx = CheckContext(claim=claim, settings=settings, earlier_files=list(earlier))
        for validator in VALIDATORS:
            findings.extend(validator.check_file(file_input, ctx))
    report = FileReport(
        name=source.name, sha256=source.sha256, media_type=source.media_type, bytes=source.bytes, pages=pages,
        findings=findings, facts=found, kind=facts.classify(found, pages) if source.readable else None,
    )
    return report.derive_status(), file_input

