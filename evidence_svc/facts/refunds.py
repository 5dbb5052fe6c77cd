"""Refunds on a page: an amount next to a refund word that is used as a refund, and never a sales document's total.

A refund word (`data/facts/money.toml`, `[refund]`, en/de/fr/it/es/nl/sv/pl/ja/zh) counts only where the line
does not negate it ("no refund", "refund pending"), does not use it for something else (cash on delivery: French
"contre-remboursement", Spanish "contra reembolso"; fees; "non-refundable", a refund policy: `not_as_refund`), and
where the document is not a sales document: a packing slip never records a refund, and on an invoice or a receipt
(not a credit note) the amount must stand on the refund word's own line, so that the order total under a heading is
never taken (`[refund.documents]`). Amounts are `money.find_amounts`'s; this module must not read amounts itself.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache

from babel.numbers import get_currency_precision

from ..model import RefundFact
from ..text import Line
from .dates import DateHit, find_datetimes
from .money import AmountHit, find_amounts, rules
from .phrases import FoldedPattern, phrases_rx

__all__ = ["find_refunds", "refund_word_at", "sales_document"]


@lru_cache(maxsize=1)
def _refund_patterns() -> tuple[FoldedPattern, FoldedPattern, FoldedPattern]:
    cfg = rules()["refund"]
    # refund words and `not_as_refund` match word starts ("refund" finds "refunded"); negations whole phrases
    return (phrases_rx(cfg["words"], prefix=True), phrases_rx(cfg["negations"]),
            phrases_rx(cfg["not_as_refund"], prefix=True))


def refund_word_at(text: str) -> int | None:
    """Where a refund word used as a refund starts in `text`; None if there is none, or the line negates it (refund
    requested, no refund ...) or uses it for something else (cash on delivery, a fee, a refund policy)."""
    words, negations, other_use = _refund_patterns()
    if negations.search(text) or other_use.search(text):
        return None
    m = words.search(text)
    return m.start() if m else None


@lru_cache(maxsize=1)
def _document_patterns() -> dict[str, FoldedPattern]:
    cfg = rules()["refund"]["documents"]
    return {k: phrases_rx(v) for k, v in cfg.items()}


def sales_document(lines: list[Line]) -> str | None:
    """"packing_slip" or "sales" (invoice, receipt) when a title line says so and the page is no refund document
    (a credit note anywhere; a refund word on the title line or the two lines around it: "Refund receipt",
    "Refund from Northwind" above "Receipt #1583"); else None. A title line starts with the title and has at most
    a few more words ("INVOICE No. 2026-118", "Packing slip for order #..."), so a "Print packing slip" button on
    an order page is no title."""
    pats = _document_patterns()
    found: str | None = None
    for i, ln in enumerate(lines):
        text = ln.text.strip(" *#|:-_=")
        if pats["refund_documents"].search(text):
            return None
        for kind in ("packing_slip", "sales"):
            m = pats[kind].match(text)
            if m and len(text[m.end():].split()) <= 4:
                if any(refund_word_at(lines[k].text) is not None for k in range(max(0, i - 2), i + 3)
                       if k < len(lines)):
                    return None
                found = found or kind
    return found


def _total_line(text: str) -> bool:
    return bool(_document_patterns()["totals"].search(text))


def find_refunds(
    lines: list[Line], marketplace: str, lang: str, date_order: str, window: tuple[date, date] | None = None
) -> list[RefundFact]:
    """Refund records: an amount on a line with a refund word (the nearest amount after the word, else before it),
    or, for a label line without an amount, the first amount on the next line (not on a sales document, and not
    a total: an order total under a "Refund" heading is no refund). The date comes from the same line, else the
    nearest dated line directly above or below."""
    doc = sales_document(lines)
    if doc == "packing_slip":
        return []
    word_at = {i: p for i, ln in enumerate(lines) if (p := refund_word_at(ln.text)) is not None}
    if not word_at:
        return []
    bare_lines = set(word_at) | {i + 1 for i in word_at}
    amounts = find_amounts(lines, marketplace, lang, bare_lines=bare_lines)
    by_line: dict[int, list[AmountHit]] = {}
    for a in amounts:
        by_line.setdefault(a.line, []).append(a)
    dated: dict[int, list[DateHit]] = {}
    for h in find_datetimes(lines, lang, date_order, window):
        if h.has_date:
            dated.setdefault(h.line, []).append(h)
    picked: list[AmountHit] = []
    out: list[RefundFact] = []
    seen: set[tuple[str, str, int]] = set()
    for i, pos in sorted(word_at.items()):
        chosen: AmountHit | None = None
        here = by_line.get(i, [])
        after = [a for a in here if a.start >= pos]
        if after:
            chosen = after[0]
        elif here:
            chosen = here[-1]
        elif (doc is None and i + 1 < len(lines) and i + 1 not in word_at and by_line.get(i + 1)
              and _overlaps_x(lines[i], lines[i + 1]) and not _total_line(lines[i + 1].text)):
            chosen = by_line[i + 1][0]
        if chosen is None or chosen.amount == 0:
            continue
        key = (str(abs(chosen.amount)), chosen.currency, chosen.page)
        if key in seen:
            continue
        seen.add(key)
        picked.append(chosen)
        out.append(RefundFact(amount=_fmt(abs(chosen.amount), chosen.currency), currency=chosen.currency,
                              date=_date_near(dated, i, chosen.line), page=chosen.page, box=chosen.box))
    return [r for r, hit in zip(out, picked) if not _lost_separator(hit, picked)]


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _lost_separator(hit: AmountHit, others: list[AmountHit]) -> bool:
    """"2345 €" next to "23,45 €" on the same page is the same amount with the comma lost to OCR."""
    if re.search(r"\d[.,]\d{1,2}(?!\d)", hit.text):
        return False
    return any(o is not hit and o.currency == hit.currency and o.page == hit.page and _digits(o.text) == _digits(hit.text)
               and o.amount != hit.amount for o in others)


def _fmt(value: Decimal, currency: str) -> str:
    try:
        places = get_currency_precision(currency)
    except Exception:
        places = 2
    return str(value.quantize(Decimal(1).scaleb(-places)))


def _overlaps_x(a: Line, b: Line) -> bool:
    return a.box[0] <= b.box[2] and b.box[0] <= a.box[2]


def _date_near(dated: dict[int, list[DateHit]], i: int, j: int) -> str | None:
    for k in dict.fromkeys((i, j, i - 1, j + 1, i + 1, i - 2, j + 2)):
        if dated.get(k):
            v = dated[k][0].value
            return (v.date() if isinstance(v, datetime) else v).isoformat()
    return None
