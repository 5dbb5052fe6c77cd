"""The cover page: the claim, one short statement of what the evidence shows, and the table of exhibits.

The cover is read by the marketplace's reviewer, so it says only what helps the claim and what the bundle proves:
facts from exhibits whose role can prove them ("Delivered 2026-11-03 by UPS, tracking number 1Z…" only from a
tracking or order-status page; a delivery place only from that page's carrier location field), each citing its
exhibit; each exhibit by number, role and pages. It never names the seller's files, files left out or why, finding
codes, or any order but the claim's. `CoverContent` holds every string first (so the font subset can be cut to
exactly those characters); `draw_cover` lays them out with reportlab and returns how many pages the cover took.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, HRFlowable, KeepInFrame, Paragraph, Spacer, Table, TableStyle

from ..model import ClaimInfo
from .exhibits import Exhibit
from .fonts import FontSet
from .labels import Labels, when
from .layout import BAND_PT
from .stamps import draw_band

NAVY = colors.HexColor("#13263F")
SLATE = colors.HexColor("#5B6B7F")
LINE = colors.HexColor("#D5DBE3")
HEAD_BG = colors.HexColor("#EEF2F6")
MARGIN = 54.0


@dataclass
class CoverContent:
    kicker: str
    title: str
    claim_rows: list[tuple[str, str]]
    statements: list[str]
    shows_heading: str
    exhibits_heading: str
    exhibit_header: tuple[str, str, str, str]
    exhibit_rows: list[tuple[str, str, str, str]]
    footer: str
    band_left: str
    claim_heading: str = ""
    extra: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        out = [self.kicker, self.title, self.shows_heading, self.exhibits_heading, self.footer, self.band_left,
               self.claim_heading, "0123456789 /–·…•"]
        out += [c for row in self.claim_rows for c in row] + self.statements + list(self.exhibit_header)
        out += [c for row in self.exhibit_rows for c in row]
        return out

    def bold_texts(self) -> list[str]:
        return [self.kicker, self.title, self.claim_heading, self.shows_heading, self.exhibits_heading,
                *self.exhibit_header, *(label for label, _ in self.claim_rows)]


def carrier_name(carrier: str, labels: Labels) -> str:
    named = labels.carriers.get(carrier)
    if named:
        return named
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", carrier)


def _pages(first: int, count: int) -> str:
    return f"{first + 1}" if count == 1 else f"{first + 1}–{first + count}"


DELIVERY_ROLES = ("delivery", "order")  # a carrier's tracking page or the marketplace's order status
REFUND_ROLES = ("refund", "order")


def _delivery(exhibits: list[Exhibit]):
    """The exhibit to cite for the delivery status: a tracking page before an order page, delivered first."""
    best = None
    for ex in exhibits:
        d = ex.file.facts.delivery
        if not d.status or ex.role not in DELIVERY_ROLES:
            continue
        rank = (d.status == "delivered", ex.role == "delivery")
        if best is None or rank > best[0]:
            best = (rank, ex, d)
    return best[1:] if best else None


def statements(claim: ClaimInfo, exhibits: list[Exhibit], labels: Labels) -> list[str]:
    """What the evidence shows, one sentence per fact, from the facts of exhibits whose role proves them."""
    out: list[str] = []
    delivery = _delivery(exhibits)
    if delivery:
        ex, d = delivery
        wanted = {t.upper() for t in claim.tracking}
        tracks = ex.file.facts.tracking
        # the claim's own number; any number only when the claim lists none (never another shipment's)
        track = next((t for t in tracks if t.number.upper() in wanted), None if wanted else
                     (tracks[0] if tracks else None))
        known = track is not None and track.carrier != "Other"
        carrier = carrier_name(track.carrier, labels) if known else labels["carrier_unknown"]
        if d.status == "delivered":
            text = labels.fmt("said_delivered", date=d.date, carrier=carrier) if d.date else \
                labels.fmt("said_delivered_nodate", carrier=carrier)
        else:
            text = labels.fmt("said_in_transit" if d.status == "in_transit" else "said_exception", carrier=carrier)
        if track:  # only a number this exhibit shows
            text += labels.fmt("tracking_part", tracking=track.number)
        if d.location and ex.role == "delivery":
            text += labels.fmt("location_part", location=d.location)
        out.append(text + labels.fmt("exhibit_ref", n=ex.number))
    # one sentence per refund: the same amount shown by several files is one refund, cited with each exhibit
    refunds: dict[tuple[str, str], tuple[str | None, list[int]]] = {}
    for ex in exhibits:
        if ex.role not in REFUND_ROLES:
            continue
        for r in ex.file.facts.refunds:
            key = (r.amount, r.currency.upper())
            date, where = refunds.get(key, (None, []))
            if ex.number not in where:
                where.append(ex.number)
            refunds[key] = (date or r.date, where)
    for (amount, currency), (date, where) in refunds.items():
        full = _same_amount(claim, amount, currency)
        name = ("said_refund_full" if full else "said_refund") + ("" if date else "_nodate")
        out.append(labels.fmt(name, amount=labels.money(amount, currency), date=date)
                   + labels.fmt("exhibit_ref", n=", ".join(str(n) for n in where)))
    return out


def _norm(s: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", s).upper()


def exhibit_facts(ex: Exhibit, claim: ClaimInfo, labels: Labels) -> str:
    """The facts one exhibit shows that help the claim: the claim's order ID and tracking number, the delivery
    status (tracking and order pages) and refunds (refund and order pages). Never another order's ID."""
    f = ex.file.facts
    parts: list[str] = []
    if any(_norm(h.value) == _norm(claim.order_id) for h in f.order_id_hits) or \
            any(_norm(v) == _norm(claim.order_id) for v in f.order_ids):
        parts.append(f"{labels['order_id']} {claim.order_id}")
    wanted = {_norm(t) for t in claim.tracking}
    numbers = dict.fromkeys(t.number for t in f.tracking if not wanted or _norm(t.number) in wanted)
    parts += [f"{labels['tracking']} {n}" for n in numbers]
    d = f.delivery
    if d.status and ex.role in DELIVERY_ROLES:
        parts.append(f"{labels[d.status]} {d.date or ''}".strip())
    if ex.role in REFUND_ROLES:
        refunds = dict.fromkeys(f"{labels['refund']} {labels.money(r.amount, r.currency)} {r.date or ''}".strip()
                                for r in f.refunds)
        parts += list(refunds)
    return labels["fact_sep"].join(parts)


def _same_amount(claim: ClaimInfo, amount: str, currency: str) -> bool:
    total = claim.order_total
    if total is None or total.currency.upper() != currency.upper():
        return False
    try:
        return Decimal(total.amount) == Decimal(amount)
    except InvalidOperation:
        return False


def content(claim: ClaimInfo, exhibits: list[Exhibit], labels: Labels, first_page: dict[int, int]) -> CoverContent:
    total = labels.money(claim.order_total.amount, claim.order_total.currency) if claim.order_total else "—"
    rows = [
        (labels["order_id"], claim.order_id),
        (labels["reason"], labels.reason(claim.reason.value)),
        (labels["marketplace"], labels.marketplace(claim.marketplace)),
        (labels["opened"], when(claim.opened_at)),
        (labels["respond_by"], when(claim.respond_by)),
        (labels["decision"], when(claim.decision_expected_at)),
        (labels["order_total"], total),
        (labels["tracking"], ", ".join(claim.tracking) or "—"),
    ]
    ex_rows = [(str(ex.number), labels.role(ex.role), exhibit_facts(ex, claim, labels),
                _pages(first_page[ex.number], ex.page_count)) for ex in exhibits] or [("—", "—", "—", "—")]
    return CoverContent(
        kicker=labels["kicker"],
        title=labels.fmt("title", order_id=claim.order_id),
        claim_heading=labels["claim"],
        claim_rows=rows,
        statements=statements(claim, exhibits, labels),
        shows_heading=labels["shows"],
        exhibits_heading=labels["exhibits"],
        exhibit_header=(labels["col_no"], labels["col_shows"], labels["col_facts"], labels["col_pages"]),
        exhibit_rows=ex_rows,
        footer=labels["footer"],
        band_left=f"{labels['cover']} · {labels['order']} {claim.order_id}",
    )


def _styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=fonts.regular, fontSize=9.5, leading=13, textColor=colors.black)
    return {
        "kicker": ParagraphStyle("kicker", base, fontName=fonts.bold, fontSize=8, leading=10, textColor=SLATE),
        "title": ParagraphStyle("title", base, fontName=fonts.bold, fontSize=17, leading=22, textColor=NAVY,
                                spaceBefore=3, spaceAfter=8),
        "h2": ParagraphStyle("h2", base, fontName=fonts.bold, fontSize=11, leading=14, textColor=NAVY,
                             spaceBefore=14, spaceAfter=6),
        "body": base,
        "bullet": ParagraphStyle("bullet", base, leftIndent=12, bulletIndent=0, spaceAfter=3,
                                 bulletFontName=fonts.regular),
        "cell": ParagraphStyle("cell", base, fontSize=9, leading=11.5),
        "cellhead": ParagraphStyle("cellhead", base, fontName=fonts.bold, fontSize=8.5, leading=11, textColor=NAVY),
        "label": ParagraphStyle("label", base, fontName=fonts.bold, fontSize=9, leading=11.5, textColor=SLATE),
        "note": ParagraphStyle("note", base, fontSize=7.5, leading=10, textColor=SLATE, spaceBefore=16),
    }


def story(cc: CoverContent, fonts: FontSet, width: float) -> list[Flowable]:
    st = _styles(fonts)

    def p(text: str, style: str, bold: bool = False) -> Paragraph:
        return Paragraph(fonts.markup(text, bold or st[style].fontName == fonts.bold), st[style])

    def table(header: tuple[str, ...] | None, rows: list[tuple[str, ...]], widths: list[float],
              label_col: bool = False) -> Table:
        data = []
        if header:
            data.append([p(h, "cellhead", True) for h in header])
        for row in rows:
            data.append([p(c, "label" if label_col and i == 0 else "cell") for i, c in enumerate(row)])
        t = Table(data, colWidths=[w * width for w in widths], hAlign="LEFT", repeatRows=1 if header else 0)
        style = [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ]
        if header:
            style += [("BACKGROUND", (0, 0), (-1, 0), HEAD_BG), ("LINEBELOW", (0, 0), (-1, 0), 0.8, NAVY)]
        t.setStyle(TableStyle(style))
        return t

    flow: list[Flowable] = [
        p(cc.kicker, "kicker", True),
        p(cc.title, "title", True),
        HRFlowable(width="100%", thickness=1.4, color=NAVY, spaceBefore=0, spaceAfter=10),
        p(cc.claim_heading, "h2", True),
        table(None, cc.claim_rows, [0.28, 0.72], label_col=True),
        p(cc.shows_heading, "h2", True),
    ]
    for s in cc.statements:
        flow.append(Paragraph(fonts.markup(s), st["bullet"], bulletText="•"))
    if not cc.statements:  # nothing to state: no heading over an empty list
        flow.pop()
    flow += [p(cc.exhibits_heading, "h2", True),
             table(cc.exhibit_header, cc.exhibit_rows, [0.08, 0.25, 0.55, 0.12])]
    flow += [Spacer(1, 4), p(cc.footer, "note")]
    return flow


def draw_cover(c: Canvas, cc: CoverContent, fonts: FontSet, page_size: tuple[float, float],
               first_bundle_page: int, total_pages: int) -> int:
    """Lay the cover out on `c`, page after page, splitting long tables (header row repeated); returns the page
    count. Nothing is ever dropped: a block taller than a whole page is shrunk to fit it."""
    w, h = page_size
    flow = story(cc, fonts, w - 2 * MARGIN)
    pages = 0
    while flow:
        c.setPageSize(page_size)
        frame = Frame(MARGIN, BAND_PT + 24, w - 2 * MARGIN, h - MARGIN - BAND_PT - 24, 0, 0, 0, 0, showBoundary=0)
        placed = _fill(frame, flow, c)
        if not placed and flow:  # on an empty page and still too big to place or split
            flow[0] = KeepInFrame(frame._aW, frame._aH, [flow[0]], mode="shrink")
            _fill(frame, flow, c)
        draw_band(c, fonts, w, BAND_PT, cc.band_left, f"{first_bundle_page + pages + 1} / {total_pages}")
        c.showPage()
        pages += 1
    return pages


def _fill(frame: Frame, flow: list[Flowable], c: Canvas) -> int:
    """Put flowables from the front of `flow` into `frame` until it is full, splitting the one that straddles the
    page end; returns how many pieces were placed (reportlab's Frame.addFromList never splits)."""
    placed = 0
    while flow:
        if frame.add(flow[0], c, trySplit=0):
            flow.pop(0)
            placed += 1
            continue
        parts = frame.split(flow[0], c)
        if len(parts) < 2 or not frame.add(parts[0], c, trySplit=0):
            break
        flow[0:1] = parts[1:]
        placed += 1
    return placed
