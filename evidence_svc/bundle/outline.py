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
    created = None
    if claim.opened_at is not None:
        t = claim.opened_at if claim.opened_at.tzinfo else claim.opened_at.replace(tzinfo=timezone.utc)
        created = t.astimezone(timezone.utc)
        info.CreationDate = pikepdf.String(created.strftime("D:%Y%m%d%H%M%SZ"))
    pdf.trailer.Info = pdf.make_indirect(info)
    # XMP mirrors the info dictionary; pikepdf would stamp the clock in as the editing time unless told not to
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
        xmp["dc:title"] = str(info.Title)
        xmp["dc:description"] = str(info.Subject)
        xmp["pdf:Keywords"] = str(info.Keywords)
        xmp["pdf:Producer"] = str(info.Producer)
        xmp["xmp:CreatorTool"] = str(info.Creator)
        if created is not None:
            xmp["xmp:CreateDate"] = created.isoformat()
    pdf.Root.Lang = pikepdf.String({"zh": "zh-CN", "ja": "ja-JP", "de": "de-DE", "fr": "fr-FR"}.get(lang, "en-US"))
    pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
