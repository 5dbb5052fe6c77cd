"""Which files become exhibits, what role each plays, in which order, and how each one's pages are opened.

A file's role is what the reviewer is told it is: `delivery` (a carrier or order-status page showing a delivery
status), `order`, `refund`, `messages`, `photos` (a camera photo of the parcel, the damage or the label) or `other`.
Only a carrier/order-status page is delivery proof: a message thread that mentions a delivery is `messages`, a
photo of a label is `photos`. Order: delivery, refund, messages, order, photos, other (photos first on a damaged
or not-as-described claim); within a role by the date the file shows, then as the seller listed them.

Left out, with the reason (for the seller's report only; the bundle never lists them): files whose bytes are
missing, files showing another order (`order-mismatch`, even with `include_failed`), all but one copy of a
duplicate (the copy kept is the one `copies.best_copy` picks, as the report says), files that failed the checks unless
`include_failed`, and files that cannot be opened (never a traceback). PDFs are opened with pikepdf, made inert
(sanitize.py) and their page rotation baked in; images are opened lazily frame by frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pikepdf

from ..copies import best_copy, copy_groups
from ..model import FileReport, Page, Severity
from . import images
from .labels import Labels
from .sanitize import sanitize

ROLE_ORDER = ("delivery", "refund", "messages", "order", "photos", "other")
PHOTOS_FIRST = ("damaged", "not_as_described")  # claim reasons where the photos are the main evidence
DOCUMENT_WORDS = 60  # a photo with more words than this is a photographed document, not a condition photo
NEVER_INCLUDED = ("order-mismatch",)  # another order's file helps no claim, whatever `include_failed` says


@dataclass
class Exhibit:
    number: int
    file: FileReport
    path: Path
    role: str
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


def role_of(fr: FileReport, photo: bool) -> str:
    """What the file is to the reviewer (see the module docstring)."""
    kind = fr.kind
    if kind == "messages":
        return "messages"
    if kind == "refund" or (kind is None and fr.facts.refunds):
        return "refund"
    if photo:
        words = sum(len(p.words) for p in fr.pages)
        return "photos" if words <= DOCUMENT_WORDS else "other"
    if kind == "order":
        return "order"
    if kind in ("delivery", None) and fr.facts.delivery.status:
        return "delivery"
    return "other"


def date_of(fr: FileReport, role: str) -> str:
    """The date a file is sorted by ('' sorts last): its delivery or refund date, else its earliest timestamp."""
    if role == "delivery" and fr.facts.delivery.date:
        return fr.facts.delivery.date
    if role == "refund":
        dated = sorted(r.date for r in fr.facts.refunds if r.date)
        if dated:
            return dated[0]
    stamps = sorted(t.value[:10] for t in fr.facts.timestamps if t.value)
    return stamps[0] if stamps else ""


def failure_reason(fr: FileReport, lang: str) -> str:
    """Why a file failed, for the seller (the first error's message)."""
    errors = [f for f in fr.findings if f.severity == Severity.error] or fr.findings
    if not errors:
        return fr.status
    pick = errors[0]
    return pick.message_zh if lang == "zh" else pick.message


def _dedupe(frs: list[FileReport]) -> tuple[list[FileReport], list[tuple[FileReport, FileReport]]]:
    """One file per group of copies, the one `copies.best_copy` keeps (as the report says).
    Returns (kept in list order, [(dropped, kept)])."""
    keep: dict[int, int] = {}
    for members in copy_groups(frs):
        best = best_copy(frs, members)
        keep.update({i: best for i in members})
    kept = [fr for i, fr in enumerate(frs) if keep[i] == i]
    dropped = [(fr, frs[keep[i]]) for i, fr in enumerate(frs) if keep[i] != i]
    return kept, dropped


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
         labels: Labels, reason: str = "") -> tuple[list[Exhibit], list[LeftOut]]:
    """The exhibits in bundle order (numbered, opened) and the files left out with the reason why."""
    left: list[LeftOut] = []
    present: list[FileReport] = []
    for fr in report_files:
        path = files.get(fr.sha256)
        if path is None or not Path(path).is_file():
            left.append(LeftOut(fr, labels["missing_bytes"]))
        elif any(f.code in NEVER_INCLUDED for f in fr.findings):
            left.append(LeftOut(fr, labels["other_order"]))
        else:
            present.append(fr)
    kept, dropped = _dedupe(present)
    left += [LeftOut(fr, labels.fmt("duplicate", name=twin.name)) for fr, twin in dropped]
    order = ROLE_ORDER if reason not in PHOTOS_FIRST else ("photos", *(r for r in ROLE_ORDER if r != "photos"))
    chosen: list[tuple[int, str, int, Exhibit]] = []
    for pos, fr in enumerate(kept):
        failed = failure_reason(fr, labels.lang) if fr.status == "fail" else None
        if failed and not include_failed:
            left.append(LeftOut(fr, failed))
            continue
        ex = Exhibit(0, fr, Path(files[fr.sha256]), "other", "image", failed)
        problem = _open(ex)
        if problem:
            left.append(LeftOut(fr, labels.fmt("unreadable", detail=problem)))
            if ex.pdf is not None:
                ex.pdf.close()
            continue
        if ex.page_count == 0:
            left.append(LeftOut(fr, labels["no_pages"]))
            continue
        photo = ex.source == "image" and _photo(ex)
        ex.role = role_of(fr, photo)
        chosen.append((order.index(ex.role), date_of(fr, ex.role) or "9999", pos, ex))
    chosen.sort(key=lambda c: c[:3])
    exhibits = [c[3] for c in chosen]
    for i, ex in enumerate(exhibits):
        ex.number = i + 1
    return exhibits, left


def _photo(ex: Exhibit) -> bool:
    try:
        return images.looks_like_photo(ex.frames[0])
    except Exception:  # an image that opens but cannot be sampled is simply not called a photo
        return False


def _open(ex: Exhibit) -> str | None:
    """Open the exhibit's pages; a short reason when it cannot be read."""
    try:
        ex.source = source_kind(ex.file, ex.path) or "image"
        if ex.source == "pdf":
            pdf = pikepdf.open(ex.path)
            ex.pdf = pdf
            ex.removed = sanitize(pdf)
            for page in pdf.pages:
                page.flatten_rotation()
        else:
            ex.frames = images.open_frames(ex.path)
    except pikepdf.PasswordError:
        return "password-protected"
    except Exception as exc:  # any decoder error means the same thing to the reader: it could not be opened
        return f"{type(exc).__name__}: {str(exc)[:120]}".rstrip(": ")
    return None
