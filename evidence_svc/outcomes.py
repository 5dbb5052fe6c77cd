"""What the pool workers hand back for a page and for a file, and what the cache keeps of a file: words, facts and
findings, never pixels.

A module of its own, importing only the model, so that the process that starts a claim can read a cached outcome
without importing the imaging and OCR stack (that is `file_stage.py`, which fills these in inside the workers).
Data only: nothing here reads a file, runs a check or touches the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Facts, Finding, Page

# File checks that compare a file with the claim's earlier files (duplicates): the pipeline runs them in the claim's
# own process, the one place that sees every file; with no earlier file they have nothing to compare and find nothing.
CLAIM_WIDE = frozenset({"file_rules"})


@dataclass
class PageOutcome:
    """One page: no pixels, only what later stages need."""

    page: Page
    findings: list[Finding] = field(default_factory=list)
    barcodes: list = field(default_factory=list)
    phash: str | None = None
    ocr_seconds: float = 0.0
    fatal: Finding | None = None  # the file's pixels cannot be decoded: the whole file is unreadable, for this reason


@dataclass
class FileOutcome:
    """One file once its pages are read: pages, facts, kind, and each validator's file findings in registry order
    as (validator name, findings); a claim-wide validator's findings are None here (the pipeline runs it)."""

    pages: list[PageOutcome]
    facts: Facts | None = None
    kind: str | None = None
    checks: list[tuple[str, list[Finding] | None]] = field(default_factory=list)

    @property
    def fatal(self) -> Finding | None:
        """The lowest page's decode failure, if any (triage stops at the first frame that fails)."""
        return next((o.fatal for o in self.pages if o.fatal is not None), None)


@dataclass
class Triaged:
    """What a report needs of a triaged file (a cached file needs no triage, so no `ingest.Source`)."""

    name: str
    sha256: str
    bytes: int
    media_type: str | None
    kind: str | None
    findings: list[Finding]
    readable: bool


def file_input_of(source, out: FileOutcome, found: Facts | None):
    """What the file checks see of a file (`source`: an `ingest.Source` or a `Triaged`): its pages, facts,
    first-page pHash and the findings so far."""
    from validators.base import FileInput  # imported here: the validators pull in the imaging stack

    return FileInput(
        name=source.name, sha256=source.sha256, media_type=source.media_type, bytes=source.bytes,
        pages=[o.page for o in out.pages], facts=found, phash=out.pages[0].phash if out.pages else None,
        source=source.kind or "image", findings=list(source.findings) + [f for o in out.pages for f in o.findings],
    )
