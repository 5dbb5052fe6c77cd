"""Highlight annotations over the key facts, on the page where each was found.

Real /Highlight annotations (QuadPoints, an appearance stream with multiply blending, a /Contents note saying what
the mark is) so a reviewer's viewer lists them and they print. Boxes come from the facts in page pixels and are
mapped to the bundle page's user space by its `Frame`. Only facts that support the claim are marked: the claim's
own order ID, its tracking numbers (all of them when the claim lists none), the delivery status/date and refunds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..model import Box, ClaimInfo, FileReport
from .layout import Frame

YELLOW = (1.0, 0.86, 0.2)
GREEN = (0.55, 0.9, 0.45)
PAD_PX = 3


@dataclass
class Mark:
    box: Box
    note: str
    color: tuple[float, float, float]


def _digits(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", s).upper()


def marks_for(fr: FileReport, claim: ClaimInfo) -> dict[int, list[Mark]]:
    """The boxes to highlight in one file, by page index."""
    out: dict[int, list[Mark]] = {}

    def add(page: int | None, box: Box | None, note: str, color: tuple[float, float, float]) -> None:
        if page is None or box is None or box[2] <= box[0] or box[3] <= box[1]:
            return
        marks = out.setdefault(page, [])
        if all(m.box != tuple(box) for m in marks):
            marks.append(Mark(tuple(box), note, color))

    facts = fr.facts
    for hit in facts.order_id_hits:
        if _digits(hit.value) == _digits(claim.order_id):
            add(hit.page, hit.box, f"Order ID {hit.value}", YELLOW)
    wanted = {_digits(t) for t in claim.tracking}
    for t in facts.tracking:
        if not wanted or _digits(t.number) in wanted:
            add(t.page, t.box, f"Tracking {t.number} ({t.carrier})", YELLOW)
    d = facts.delivery
    if d.status:
        add(d.page, d.box, f"{d.status.replace('_', ' ').capitalize()} {d.date or ''}".strip(), GREEN)
    for r in facts.refunds:
        add(r.page, r.box, f"Refund {r.amount} {r.currency} {r.date or ''}".strip(), GREEN)
    return out


def add_highlights(pdf: pikepdf.Pdf, page: pikepdf.Page, frame: Frame, marks: list[Mark], key: str) -> int:
    """Add one highlight per mark to `page`; `key` makes the annotation names unique and stable."""
    if not marks:
        return 0
    if "/Annots" not in page.obj:
        page.obj.Annots = Array()
    annots = page.obj.Annots
    for i, mark in enumerate(marks):
        x0, y0, x1, y1 = frame.user_rect(mark.box, PAD_PX)
        if x1 - x0 < 0.5 or y1 - y0 < 0.5:
            continue
        rect = [round(v, 3) for v in (x0, y0, x1, y1)]
        appearance = pikepdf.Stream(
            pdf,
            f"/EvMul gs {mark.color[0]} {mark.color[1]} {mark.color[2]} rg {rect[0]} {rect[1]} "
            f"{rect[2] - rect[0]:.3f} {rect[3] - rect[1]:.3f} re f\n".encode(),
        )
        appearance.Type = Name.XObject
        appearance.Subtype = Name.Form
        appearance.BBox = Array(rect)
        appearance.Resources = Dictionary(ExtGState=Dictionary(EvMul=Dictionary(Type=Name.ExtGState, BM=Name.Multiply)))
        annot = Dictionary(
            Type=Name.Annot,
            Subtype=Name.Highlight,
            Rect=Array(rect),
            # Acrobat's order: top-left, top-right, bottom-left, bottom-right
            QuadPoints=Array([rect[0], rect[3], rect[2], rect[3], rect[0], rect[1], rect[2], rect[1]]),
            C=Array(list(mark.color)),
            CA=1.0,
            F=4,  # print
            T=pikepdf.String("evidence-svc"),
            Contents=pikepdf.String(mark.note),
            NM=pikepdf.String(f"ev-{key}-{i}"),
            AP=Dictionary(N=pdf.make_indirect(appearance)),
        )
        annots.append(pdf.make_indirect(annot))
    return len(marks)
