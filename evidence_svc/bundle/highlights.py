"""Highlight annotations over the key facts, on the page where each was found.

Real /Highlight annotations (QuadPoints, an appearance stream with multiply blending, a /Contents note in the
bundle's language saying what the mark is) so a reviewer's viewer lists them and they print. Boxes come from the
facts in page pixels, cut to the words inside them: one box per run of words on a line, so a fact read across two
panels or columns never gets a band over the gap between them. They are mapped to the bundle page's user space by
its `Frame`. Only facts that support the claim are marked: the claim's own order ID, its tracking numbers (all of
them when the claim lists none) wherever the page shows them as words of their own (a table cell, not only inside
a URL), the delivery status/date and refunds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

import pikepdf
from pikepdf import Array, Dictionary, Name

from ..model import Box, ClaimInfo, FileReport, Page, Word
from ..text import lines_of, union
from .labels import Labels
from .layout import Frame

YELLOW = (1.0, 0.86, 0.2)
GREEN = (0.55, 0.9, 0.45)
PAD_PX = 3
GAP_LINE_HEIGHTS = 1.5  # a gap between two words wider than this many line heights separates two panels


@dataclass
class Mark:
    box: Box
    note: str
    color: tuple[float, float, float]


def _digits(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", s).upper()


def _runs(words: list[Word]) -> list[Box]:
    """One box per run of words on a line: `words` grouped by line, split where the gap is too wide."""
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    out: list[Box] = []
    for line in by_line.values():
        line.sort(key=lambda w: w.box[0])
        height = median(w.box[3] - w.box[1] for w in line) or 1
        run = [line[0]]
        for w in line[1:]:
            if w.box[0] - run[-1].box[2] > GAP_LINE_HEIGHTS * height:
                out.append(union([x.box for x in run]))
                run = []
            run.append(w)
        out.append(union([x.box for x in run]))
    return _merge_overlaps(out)


def _merge_overlaps(boxes: list[Box]) -> list[Box]:
    """Boxes that overlap become one (OCR can give one printed line two line ids; two highlights over the same
    spot would blend darker)."""
    merged: list[Box] = []
    for box in sorted(boxes, key=lambda b: (b[1], b[0])):
        for i, m in enumerate(merged):
            if box[0] < m[2] and m[0] < box[2] and box[1] < m[3] and m[1] < box[3]:
                merged[i] = union([m, box])
                break
        else:
            merged.append(box)
    return merged


def word_boxes(page: Page | None, box: Box) -> list[Box]:
    """A fact's box cut to the words mostly inside it (one box per run of words on a line); the box itself when
    the page has no words there."""
    if page is None or not page.words:
        return [box]
    inside = []
    for w in page.words:
        x0, y0 = max(w.box[0], box[0]), max(w.box[1], box[1])
        x1, y1 = min(w.box[2], box[2]), min(w.box[3], box[3])
        area = (w.box[2] - w.box[0]) * (w.box[3] - w.box[1])
        if w.text.strip() and x1 > x0 and y1 > y0 and (x1 - x0) * (y1 - y0) >= 0.5 * area > 0:
            inside.append(w)
    return _runs(inside) if inside else [box]


def shown_at(page: Page, wanted: str) -> list[Box]:
    """Where a page shows `wanted` (compared as letters and digits only) as words of their own, one word or
    several on a line ("1Z 999 AA1 …"). A word that only contains it (a URL) does not count."""
    out: list[Box] = []
    for line in lines_of(page):
        words = line.words
        for i in range(len(words)):
            joined = ""
            for j in range(i, len(words)):
                joined += _digits(words[j].text)
                if not joined or not wanted.startswith(joined):
                    break
                if joined == wanted:
                    out.extend(_runs(list(words[i:j + 1])))
                    break
    return out


def _note(labels: Labels, key: str, value: str) -> str:
    return f"{labels[key]} {value}".strip()


def marks_for(fr: FileReport, claim: ClaimInfo, labels: Labels) -> dict[int, list[Mark]]:
    """The boxes to highlight in one file, by page index."""
    out: dict[int, list[Mark]] = {}
    pages = {p.index: p for p in fr.pages}

    def add(page: int | None, box: Box | None, note: str, color: tuple[float, float, float],
            exact: bool = False) -> None:
        if page is None or box is None or box[2] <= box[0] or box[3] <= box[1]:
            return
        marks = out.setdefault(page, [])
        for b in ([box] if exact else word_boxes(pages.get(page), box)):
            if all(m.box != tuple(b) for m in marks):
                marks.append(Mark(tuple(b), note, color))

    facts = fr.facts
    for hit in facts.order_id_hits:
        if _digits(hit.value) == _digits(claim.order_id):
            add(hit.page, hit.box, _note(labels, "order_id", claim.order_id), YELLOW)
    wanted = {_digits(t) for t in claim.tracking}
    for t in facts.tracking:
        number = _digits(t.number)
        if wanted and number not in wanted:
            continue
        note = _note(labels, "tracking", t.number)
        seen = [(i, b) for i, p in pages.items() for b in shown_at(p, number)]
        for i, b in seen:
            add(i, b, note, YELLOW, exact=True)
        if not seen:  # read only inside a longer word (a URL) or from a barcode: mark where it was read
            add(t.page, t.box, note, YELLOW)
    d = facts.delivery
    if d.status:
        add(d.page, d.box, _note(labels, d.status, d.date or ""), GREEN)
    for r in facts.refunds:
        add(r.page, r.box, _note(labels, "refund", f"{labels.money(r.amount, r.currency)} {r.date or ''}"), GREEN)
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
