"""Bookmarks and document information: one bookmark per exhibit (pages below it when it has several), the cover
first; title, subject and keywords from the claim; the viewer opens with the bookmarks shown.

Dates come from the claim, never from the clock, so the same inputs give the same bytes.
"""

from __future__ import annotations

from datetime import timezone

import pikepdf
from pikepdf import Dictionary, Name, OutlineItem

from ..model import ClaimInfo
from .labels import Labels


def add_outline(pdf: pikepdf.Pdf, entries: list[tuple[str, int, int]], cover_title: str) -> None:
    """`entries`: (title, first page index, page count) per exhibit."""
    with pdf.open_outline() as outline:
        outline.root.append(OutlineItem(cover_title, 0))
        for title, first, count in entries:
            item = OutlineItem(title, first)
            if count > 1:
                item.children.extend(OutlineItem(f"{i + 1}/{count}", first + i) for i in range(count))
            outline.root.append(item)
    pdf.Root.PageMode = Name.UseOutlines


def set_info(pdf: pikepdf.Pdf, claim: ClaimInfo, labels: Labels, lang: str) -> None:
    info = Dictionary(
        Title=pikepdf.String(labels.fmt("title", order_id=claim.order_id)),
        Subject=pikepdf.String(labels.fmt("subject", reason=labels.reason(claim.reason.value),
                                          marketplace=claim.marketplace)),
        Keywords=pikepdf.String(", ".join([claim.order_id, *claim.tracking, "A-to-z", claim.marketplace])),
        Creator=pikepdf.String("evidence-svc"),
        Producer=pikepdf.String("evidence-svc bundle (reportlab, pikepdf)"),
    )
    if claim.opened_at is not None:
        t = claim.opened_at if claim.opened_at.tzinfo else claim.opened_at.replace(tzinfo=timezone.utc)
        info.CreationDate = pikepdf.String(t.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%SZ"))
    pdf.trailer.Info = pdf.make_indirect(info)
    pdf.Root.Lang = pikepdf.String({"zh": "zh-CN", "ja": "ja-JP", "de": "de-DE", "fr": "fr-FR"}.get(lang, "en-US"))
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
