"""Running the fact extractors on a file's pages, and naming what kind of evidence the file is.

`extract_facts(pages, claim, settings, barcodes)` reads a file's pages (OCR words or PDF text alike) and returns
its `Facts`: order IDs, tracking numbers (barcode reads first), the delivery status with date and place, refund
amounts, and every visible date/time. Each fact keeps the page and box where it was seen. The extractors live one
per module (`order_ids`, `tracking`, `dates`, `money`, `refunds`, `delivery`, `barcodes`); this module runs them
with the marketplace's language and currency, the day/month order the file itself shows (else the marketplace's),
and a date window around the claim. A list of many orders or parcels (`order_list`) gives no delivery fact; an S10
number's carrier is the one its page shows (`issuer` keeps the postal service). `classify` names what the file
shows. Nothing here judges the claim: `claim_checks` does that; the claim's tracking numbers are used only
to read an S10 number whose service letters OCR confused (`snap_to_claim`).
"""

from __future__ import annotations

import logging
import re
import tomllib
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from ..config import Settings
from ..model import Claim, DeliveryFact, Facts, OrderIdFact, Page, TimestampFact, TrackingFact
from ..text import Line, lines_of
from .barcodes import BarcodeHit, tracking_from_barcodes
from .dates import document_order, find_datetimes
from .delivery import find_delivery
from .order_ids import find_order_ids
from .order_list import is_order_list
from .phrases import phrases_rx
from .refunds import find_refunds
from .tracking import (
    carriers_config, find_tracking, identify, lookalike_letters, normalise, page_context, shown_carrier,
)

__all__ = ["extract_facts", "classify", "date_window", "merge_tracking", "snap_to_claim", "KINDS"]

KINDS = ("delivery", "refund", "messages", "order", "other")
log = logging.getLogger(__name__)
_STATUS_RANK = {"delivered": 3, "exception": 2, "in_transit": 1, None: 0}


def date_window(claim: Claim, settings: Settings) -> tuple[date, date] | None:
    """Dates a fact may plausibly carry: around the claim's opening, if known."""
    if claim.opened_at is None:
        return None
    opened = claim.opened_at.date()
    return (opened - timedelta(days=settings.date_window_days_before),
            opened + timedelta(days=settings.date_window_days_after))


def extract_facts(pages: list[Page], claim: Claim, settings: Settings,
                  barcodes: list[BarcodeHit] | None = None) -> Facts:
    lang, order = settings.locale_for(claim.marketplace)
    order = document_order([ln for p in pages for ln in lines_of(p)], lang, order)  # the file's own day/month order
    window = date_window(claim, settings)
    facts = Facts()
    ocr_tracking: list[TrackingFact] = []
    best_delivery = DeliveryFact()
    seen_refunds: set[tuple[str, str]] = set()
    seen_stamps: set[tuple[int, str, str]] = set()
    context_on: dict[int, tuple[bool, set[str]]] = {}
    for page in pages:
        lines = lines_of(page)
        if not lines:
            continue
        page_ids: set[str] = set()
        for hit in _safe("order IDs", find_order_ids, [], lines):
            page_ids.add(hit.value)
            facts.order_id_hits.append(OrderIdFact(value=hit.value, page=hit.page, box=hit.box))
            if hit.value not in facts.order_ids:
                facts.order_ids.append(hit.value)
        dates = _safe("dates", find_datetimes, [], lines, lang, order, window)
        for d in dates:
            key = (page.index, d.text, d.iso)
            if key not in seen_stamps:
                seen_stamps.add(key)
                facts.timestamps.append(TimestampFact(text=d.text, value=d.iso, page=d.page, box=d.box))
        context_on[page.index] = _safe("tracking context", page_context, (False, set()), lines)
        page_numbers: set[str] = set()
        for t in _safe("tracking", find_tracking, [], lines):
            t.source = "pdf-text" if page.text_source == "pdf-text" else "ocr"
            ocr_tracking.append(t)
            page_numbers.add(t.number)
        if _is_conversation(lines):
            continue  # what buyer and seller wrote to each other is not a delivery scan or a refund record
        # on a list of many orders or parcels, one row's status proves nothing
        if not _safe("order list", is_order_list, False, lines, page_ids, page_numbers):
            delivery = _safe("delivery", find_delivery, DeliveryFact(), lines, lang, order, window, dates=dates)
            if _better(delivery, best_delivery):
                best_delivery = delivery
        for r in _safe("refunds", find_refunds, [], lines, claim.marketplace, lang, order, window):
            if (r.amount, r.currency) not in seen_refunds:
                seen_refunds.add((r.amount, r.currency))
                facts.refunds.append(r)
    facts.delivery = best_delivery
    from_barcodes = []
    min_digits = carriers_config()["rules"]["min_digits_without_context"]
    for t in _safe("barcodes", tracking_from_barcodes, [], barcodes or []):
        context, named = context_on.get(t.page, (False, set()))
        if t.number.isdigit() and len(t.number) < min_digits and not context:
            continue  # a digits-only barcode (an invoice or receipt number's) is a tracking number only on a page
            # with a tracking word or carrier name: a check digit holds by chance one time in 7 to 11
        from_barcodes.append(shown_carrier(t, set(), named))
    facts.tracking = snap_to_claim(merge_tracking(from_barcodes, ocr_tracking, facts.order_ids), claim.tracking)
    return facts


def _safe(what: str, fn: Any, default: Any, *args: Any, **kwargs: Any) -> Any:
    """One extractor's result, or `default` if it breaks on odd text: a file's other facts and its findings
    still matter more than one fact kind. The error is logged with its traceback."""
    try:
        return fn(*args, **kwargs)
    except Exception:
        log.exception("fact extraction (%s) failed", what)
        return default


def _better(a: DeliveryFact, b: DeliveryFact) -> bool:
    return (_STATUS_RANK[a.status], a.date is not None) > (_STATUS_RANK[b.status], b.date is not None)


def merge_tracking(from_barcodes: list[TrackingFact], from_text: list[TrackingFact],
                   order_ids: list[str]) -> list[TrackingFact]:
    """Barcode reads first; a text read of the same number (or a near-identical misread of it) is dropped, and so
    is any all-digit number that is a piece of an order ID."""
    out = list(from_barcodes)
    order_digits = [o.replace("-", "") for o in order_ids]
    for t in from_text:
        if any(_same_number(t.number, b.number) for b in out):
            continue
        if t.number.isdigit() and any(t.number in d for d in order_digits):
            continue
        out.append(t)
    return out


def snap_to_claim(found: list[TrackingFact], claim_tracking: list[str]) -> list[TrackingFact]:
    """A number read from text that is one of the claim's numbers but for an OCR misreading is the claim's number:
    - an S10 number that differs only by look-alike letters in its service indicator (CK161506558JP for
      CX161506558JP): the check digit does not cover those two letters, and serial, check digit and country agree;
    - a number whose check digit fails and that is one character away from a claim number whose check digit holds
      (CP937685499JP for CP937085499JP): the reading is wrong for certain, and the claim names what it was.
    Barcode reads are taken as decoded."""
    wanted = [(w, identify(w)) for w in dict.fromkeys(normalise(t) for t in claim_tracking if t.strip())]
    out: list[TrackingFact] = []
    for t in found:
        if t.source != "barcode" and t.number not in (w for w, _ in wanted):
            for w, ids in wanted:
                if len(w) != len(t.number):
                    continue
                s10_letters = len(w) == 13 and w[2:] == t.number[2:] and w[:2].isalpha()
                if s10_letters and lookalike_letters(t.number[:2], w[:2]):
                    t = t.model_copy(update={"number": w})
                    break
                one_off = sum(a != b for a, b in zip(w, t.number)) == 1
                if t.checksum_ok is False and one_off and ids and ids[0].valid and ids[0].checksum_ok:
                    s10 = ids[0].entry.courier_code == "s10"
                    shown = t.carrier if s10 and t.issuer and t.carrier != t.issuer else ids[0].carrier  # Yanwen ...
                    t = t.model_copy(update={"number": w, "checksum_ok": True, "carrier": shown,
                                             "issuer": ids[0].carrier if s10 else None})
                    break
        if all(o.number != t.number for o in out):
            out.append(t)
    return out


def _same_number(a: str, b: str) -> bool:
    if a == b or a in b or b in a:
        return True
    return len(a) == len(b) and sum(x != y for x, y in zip(a, b)) <= 2


# ---------------------------------------------------------------------------------------------- classify


@lru_cache(maxsize=1)
def _kind_words() -> dict[str, Any]:
    text = resources.files("evidence_svc").joinpath("data/facts/kinds.toml").read_text(encoding="utf-8")
    cfg = tomllib.loads(text)
    out: dict[str, Any] = {}
    for kind, spec in cfg.items():
        if "words" not in spec:
            continue  # [order_list] is order_list.py's
        out[kind] = (phrases_rx(spec["words"]), int(spec.get("min_words", 1)))
    titles = cfg["messages"].get("title_lines", [])
    out["message_titles"] = {re.sub(r"\s+", "", t.lower()) for t in titles}
    return out


def _is_conversation(lines: list[Line]) -> bool:
    words = _kind_words()
    msg_rx, msg_min = words["messages"]
    if any(re.sub(r"\s+", "", ln.text.lower()) in words["message_titles"] for ln in lines):
        return True
    text = "\n".join(ln.text for ln in lines)
    return len({m.group(0).lower() for m in msg_rx.finditer(text)}) >= msg_min


def classify(facts: Facts, pages: list[Page]) -> str:
    """What the file shows: delivery | refund | messages | order | other. A conversation screenshot is `messages`
    even when it mentions a refund or a delivery (what a seller writes is not a record of it); an order page, and
    a list of many orders (`order_list`), is `order` even though it shows delivery statuses."""
    all_lines = [ln for p in pages for ln in lines_of(p)]
    text = "\n".join(ln.text for ln in all_lines)
    words = _kind_words()
    if _is_conversation(all_lines):
        return "messages"
    if any(is_order_list(lines_of(p), tracking={t.number for t in facts.tracking if t.page == p.index})
           for p in pages):
        return "order"  # an order list: many orders' rows, no delivery proof
    if facts.refunds:
        return "refund"
    order_rx, _ = words["order"]
    if order_rx.search(text):
        return "order"
    if facts.delivery.status or facts.tracking:
        return "delivery"
    if facts.order_ids:
        return "order"
    return "other"
