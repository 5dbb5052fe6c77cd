"""Which files become exhibits, in which order, and how each one's pages are opened.

Order: delivery proof, refund proof, messages, order details, other; within a kind by the date the file shows, then
as the seller listed them. Files that failed the checks are left out (with the reason, for the cover page) unless
`include_failed`; files that cannot be opened at all are always left out, never a traceback. PDFs are opened with
pikepdf, made inert (sanitize.py) and their page rotation baked in; images are opened lazily frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pikepdf

from ..model import FileReport, Page, Severity
from . import images
from .labels import Labels
from .sanitize import sanitize

KIND_ORDER = ("delivery", "refund", "messages", "order", "other")


@dataclass
class Exhibit:
    number: int
    file: FileReport
    path: Path
    kind: str
    source: Literal["image", "pdf"]
    failed_reason: str | None = None  # set when included although the file failed the checks
    frames: list[images.SourceImage] = field(default_factory=list)  # image exhibits
    pdf: pikepdf.Pdf | None = None  # PDF exhibits, sanitized, rotation flattened
    removed: list[str] = field(default_factory=list)  # active content stripped from the PDF

    @property
    def page_count(self) -> int:
        return len(self.pdf.pages) if self.pdf is not None else len(self.frames)

    def page_data(self, index: int) -> Page | None:
        """What ingest saw on this page (words, size), when the report has it."""
        for page in self.file.pages:
            if page.index == index:
                return page
        return None


@dataclass
class LeftOut:
    file: FileReport
    reason: str


def kind_of(fr: FileReport) -> str:
    if fr.kind in KIND_ORDER:
        return fr.kind
    if fr.facts.delivery.status:
        return "delivery"
    if fr.facts.refunds:
        return "refund"
    return "other"


def date_of(fr: FileReport, kind: str) -> str:
    """The date a file is sorted by ('' sorts last): its delivery or refund date, else its earliest timestamp."""
    if kind == "delivery" and fr.facts.delivery.date:
        return fr.facts.delivery.date
    if kind == "refund":
        dated = sorted(r.date for r in fr.facts.refunds if r.date)
        if dated:
            return dated[0]
    stamps = sorted(t.value[:10] for t in fr.facts.timestamps if t.value)
    return stamps[0] if stamps else ""


def failure_reason(fr: FileReport, lang: str) -> str:
    errors = [f for f in fr.findings if f.severity == Severity.error] or fr.findings
    if not errors:
        return fr.status
    pick = errors[0]
    text = pick.message_zh if lang == "zh" else pick.message
    return f"{text} ({pick.code})"


def source_kind(fr: FileReport, path: Path) -> Literal["image", "pdf"] | None:
    media = fr.media_type or ""
    if media == "application/pdf":
        return "pdf"
    if media.startswith("image/"):
        return "image"
    with open(path, "rb") as fh:  # no media type in the report: judge by content, as ingest does
        head = fh.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    return "image"


def plan(report_files: list[FileReport], files: dict[str, Path], include_failed: bool,
         labels: Labels) -> tuple[list[Exhibit], list[LeftOut]]:
    """The exhibits in bundle order (numbered, opened) and the files left out with the reason why."""
    chosen: list[tuple[int, str, str, FileReport, Path, str | None]] = []
    left: list[LeftOut] = []
    for pos, fr in enumerate(report_files):
        path = files.get(fr.sha256)
        if path is None or not Path(path).is_file():
            left.append(LeftOut(fr, labels["missing_bytes"]))
            continue
        failed = failure_reason(fr, labels.lang) if fr.status == "fail" else None
        if failed and not include_failed:
            left.append(LeftOut(fr, failed))
            continue
        kind = kind_of(fr)
        chosen.append((KIND_ORDER.index(kind), date_of(fr, kind) or "9999", f"{pos:06d}", fr, Path(path), failed))
    chosen.sort(key=lambda c: (c[0], c[1], c[2]))
    exhibits: list[Exhibit] = []
    for _order, _date, _pos, fr, path, failed in chosen:
        ex = Exhibit(len(exhibits) + 1, fr, path, kind_of(fr), "image", failed)
        problem = _open(ex)
        if problem:
            left.append(LeftOut(fr, labels.fmt("unreadable", detail=problem)))
            continue
        if ex.page_count == 0:
            left.append(LeftOut(fr, labels["no_pages"]))
            continue
        exhibits.append(ex)
    for i, ex in enumerate(exhibits):  # renumber after dropping unreadable files
        ex.number = i + 1
    return exhibits, left


def _open(ex: Exhibit) -> str | None:
    """Open the exhibit's pages; a short reason when it cannot be read."""
    try:
        ex.source = source_kind(ex.file, ex.path) or "image"
        if ex.source == "pdf":
            pdf = pikepdf.open(ex.path)
            ex.removed = sanitize(pdf)
            for page in pdf.pages:
                page.flatten_rotation()
            ex.pdf = pdf
        else:
            ex.frames = images.open_frames(ex.path)
    except pikepdf.PasswordError:
        return "password-protected"
    except Exception as exc:  # any decoder error means the same thing to the reader: it could not be opened
        return f"{type(exc).__name__}: {str(exc)[:120]}".rstrip(": ")
    return None
