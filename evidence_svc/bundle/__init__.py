"""The claim bundle: one annotated, searchable PDF per claim, within the destination's limits.

    result = build_bundle(report, {file.sha256: path, ...}, Path("bundle.pdf"), settings, target="amazon")

reads top-down: choose and order the exhibits, lay out their pages, cut the fonts, draw the cover/stamps/text
layers (reportlab), join them with the exhibits' own pages (pikepdf), highlight the facts, add bookmarks and
document information, strip and verify active content, then walk the recompression ladder until the bundle fits
the target. The same inputs and settings always give the same bytes. Nothing is OCR'd here: the words come from
the report. The marketplace's reviewer reads the bundle, so it holds only what helps the claim: files that failed,
copies and other orders' files are left out and reported to the caller (`BundleResult.left_out`, for the seller's
report), never listed in the bundle; exhibits are named by role and number, never by the seller's file names. A
bundle that cannot fit is still written whole, with a `bundle-too-large` finding saying what to send separately.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from ..config import Settings
from ..model import BundleInfo, ClaimInfo, ClaimReport, Finding
from . import assemble, budget, cover
from .exhibits import Exhibit, LeftOut, plan
from .fonts import FontMissing, FontSet, fontset_for
from .highlights import add_highlights, marks_for
from .labels import LANGS, Labels
from .layout import PagePlan, image_frame, paper_size, pdf_frame
from .outline import add_outline, set_info
from .sanitize import active_content
from .stamps import stamp_text

__all__ = ["build_bundle", "BundleResult", "ExhibitEntry", "FontMissing", "LANGS"]


@dataclass
class ExhibitEntry:
    number: int
    name: str  # the seller's file name: for the seller's report, never printed in the bundle
    sha256: str
    role: str  # delivery | refund | messages | order | photos | other
    first_page: int  # 1-based page of the bundle
    pages: int
    failed: bool = False


@dataclass
class BundleResult:
    info: BundleInfo
    findings: list[Finding] = field(default_factory=list)
    exhibits: list[ExhibitEntry] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason): for the seller only
    step: int = 0  # ladder step used: 0 = images as they came
    removed: dict[str, list[str]] = field(default_factory=dict)  # file name -> active content stripped


def _region(lang: str, marketplace: str) -> str:
    if lang == "ja" or (lang != "zh" and marketplace.upper() == "JP"):
        return "JP"
    return "SC"


def _layout(exhibits: list[Exhibit], paper: str, cover_pages: int) -> list[PagePlan]:
    plans: list[PagePlan] = []
    for ex in exhibits:
        for i in range(ex.page_count):
            data = ex.page_data(i)
            if ex.pdf is not None:
                box = [float(v) for v in ex.pdf.pages[i].cropbox]
                media = [float(v) for v in ex.pdf.pages[i].mediabox]
                x0, x1 = sorted(box[0::2])
                y0, y1 = sorted(box[1::2])
                mx0, mx1 = sorted(media[0::2])
                my0, my1 = sorted(media[1::2])
                visible = (max(x0, mx0), max(y0, my0), min(x1, mx1), min(y1, my1))
                if visible[2] - visible[0] < 1 or visible[3] - visible[1] < 1:
                    visible = (mx0, my0, mx1, my1)
                frame = pdf_frame(visible, data)
                plans.append(PagePlan(ex, i, cover_pages + len(plans), frame, data))
            else:
                src = ex.frames[i]
                plans.append(PagePlan(ex, i, cover_pages + len(plans), image_frame(src, data, paper), data, src))
    return plans


def build_bundle(report: ClaimReport, files: dict[str, Path], out: Path, settings: Settings, *,
                 target: str = "amazon", include_failed: bool = False, lang: str = "en") -> BundleResult:
    """Write the claim's bundle to `out`; `files` maps each FileReport.sha256 to the path of its original bytes."""
    dest = budget.destination(target, settings)
    labels = Labels(lang)
    claim = report.claim
    paper = budget.paper_for(claim.marketplace, settings)
    exhibits, left = plan(report.files, files, include_failed, labels, claim.reason.value)
    try:
        return _build(report, exhibits, left, Path(out), settings, dest, labels, paper)
    finally:
        for ex in exhibits:
            if ex.pdf is not None:
                ex.pdf.close()


def _build(report: ClaimReport, exhibits: list[Exhibit], left: list[LeftOut], out: Path, settings: Settings,
           dest: budget.Destination, labels: Labels, paper: str) -> BundleResult:
    claim = report.claim
    page = paper_size(paper, landscape=False)
    cover_pages, plans, content, fonts = _settle_cover(claim, exhibits, labels, paper, page)
    first = {ex.number: next(p.bundle_index for p in plans if p.exhibit is ex) for ex in exhibits}
    total = cover_pages + len(plans)
    rl_bytes, _ = assemble.render_layers(content, plans, fonts, page, _stamps(plans, labels, claim.order_id),
                                         [labels.role(p.exhibit.role) for p in plans], total)

    pdf, managed, rl = assemble.compose(rl_bytes, cover_pages, plans, settings.bundle_min_text_px)
    try:
        marks = {ex.number: marks_for(ex.file, claim, labels) for ex in exhibits}
        for p in plans:
            add_highlights(pdf, pdf.pages[p.bundle_index], p.frame, marks[p.exhibit.number].get(p.index, []),
                           f"{p.exhibit.number}-{p.index}")
        add_outline(pdf, [(f"{labels['exhibit']} {ex.number} · {labels.role(ex.role)}", first[ex.number],
                           ex.page_count) for ex in exhibits], labels["cover"])
        set_info(pdf, claim, labels, labels.lang)
        leftover = active_content(pdf)
        if leftover:  # a bug in sanitize, never an input problem: refuse to write an unsafe bundle
            raise RuntimeError(f"bundle still has active content: {leftover[:5]}")
        data, step = _fit(pdf, plans, managed, dest, settings)
        findings: list[Finding] = []
        pages_of = {ex.number: [p.bundle_index for p in plans if p.exhibit is ex] for ex in exhibits}
        if (dest.max_bytes and len(data) > dest.max_bytes) or (dest.max_pages and total > dest.max_pages):
            spans = {n: (idx[0], idx[-1]) for n, idx in pages_of.items()}
            findings = budget.too_large(dest, len(data), total, budget.exhibit_bytes(pdf, pages_of),
                                        {ex.number: ex.file.name for ex in exhibits}, spans)
    finally:
        pdf.close()
        rl.close()

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.writing")  # hidden: watch mode ignores it while it is written
    tmp.write_bytes(data)
    os.replace(tmp, out)
    info = BundleInfo(path=str(out), pages=total, bytes=len(data), sha256=hashlib.sha256(data).hexdigest(),
                      target=dest.name, exhibits=len(exhibits))
    entries = [ExhibitEntry(ex.number, ex.file.name, ex.file.sha256, ex.role, first[ex.number] + 1, ex.page_count,
                            ex.failed_reason is not None) for ex in exhibits]
    return BundleResult(info, findings, entries, [(lo.file.name, lo.reason) for lo in left], step,
                        {ex.file.name: ex.removed for ex in exhibits if ex.removed})


def _stamps(plans: list[PagePlan], labels: Labels, order_id: str) -> list[str]:
    return [stamp_text(labels, p.exhibit.number, p.exhibit.role, p.index, p.exhibit.page_count, order_id)
            for p in plans]


def _settle_cover(claim: ClaimInfo, exhibits: list[Exhibit], labels: Labels, paper: str,
                  page: tuple[float, float]) -> tuple[int, list[PagePlan], cover.CoverContent, FontSet]:
    """Lay out the pages and the cover. They depend on each other only through the cover's page count (it lists
    each exhibit's bundle pages), so lay out, count, and redo in the rare case the cover runs over a page."""
    cover_pages, fonts = 1, None
    for _ in range(3):
        plans = _layout(exhibits, paper, cover_pages)
        first = {ex.number: next(p.bundle_index for p in plans if p.exhibit is ex) for ex in exhibits}
        content = cover.content(claim, exhibits, labels, first)
        if fonts is None:  # the cover's characters do not depend on the page numbers
            words = [w.text for p in plans if assemble.text_layer_wanted(p) for w in p.data.words]
            fonts = fontset_for(content.texts() + _stamps(plans, labels, claim.order_id) + words,
                                _region(labels.lang, claim.marketplace), bold_texts=content.bold_texts())
        counted = assemble.count_cover_pages(content, fonts, page)
        if counted == cover_pages:
            break
        cover_pages = counted
    return cover_pages, plans, content, fonts


def _fit(pdf: pikepdf.Pdf, plans: list[PagePlan], managed: list[assemble.ManagedImage], dest: budget.Destination,
         settings: Settings) -> tuple[bytes, int]:
    """The bundle's bytes, walking the recompression ladder only while over the byte budget; and the step used."""
    data, step = assemble.save(pdf), 0
    limit = dest.max_bytes
    if not limit or len(data) <= limit:
        return data, step
    managed = managed + assemble.managed_pdf_images(pdf, plans, settings.bundle_min_text_px)
    for number, rung in enumerate(budget.ladder(settings), start=1):
        if assemble.apply_step(managed, rung, settings.workers):
            data, step = assemble.save(pdf), number
        if len(data) <= limit:
            break
    return data, step
