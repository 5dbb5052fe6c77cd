"""What a file shows, and that conversations do not yield delivery or refund facts."""

from __future__ import annotations

from datetime import datetime, timezone

from evidence_svc.config import Settings
from evidence_svc.facts import classify, extract_facts
from evidence_svc.model import Claim, Page, Word

S = Settings()
CLAIM = Claim(order_id="112-1234567-1234567", marketplace="US", opened_at=datetime(2026, 11, 24, tzinfo=timezone.utc))


def page(texts: list[str]) -> Page:
    words = []
    for i, text in enumerate(texts):
        x = 0
        for tok in text.split():
            words.append(Word(text=tok, box=(x, 30 * i, x + 10 * len(tok), 30 * i + 20), line=i))
            x += 10 * len(tok) + 6
    return Page(index=0, width=1200, height=30 * len(texts) + 10, words=words)


def kind_and_facts(texts: list[str]):
    p = page(texts)
    facts = extract_facts([p], CLAIM, S)
    return classify(facts, [p]), facts


def test_tracking_page_is_delivery():
    kind, facts = kind_and_facts(["Tracking number: 1Z5R89390357567127", "Delivered", "November 5, 2026 10:32 AM"])
    assert kind == "delivery" and facts.delivery.status == "delivered"


def test_order_page_is_order_even_with_a_delivery_status():
    kind, facts = kind_and_facts(["Order Details", "Ordered on October 30, 2026 Order# 112-1234567-1234567",
                                  "Delivered Nov 5, 2026"])
    assert kind == "order" and facts.delivery.date == "2026-11-05"


def test_refund_page_is_refund():
    kind, _ = kind_and_facts(["Your refund has been issued", "Refund issued: $12.99 on Nov 12, 2026"])
    assert kind == "refund"


def test_conversation_is_messages_and_proves_nothing():
    for title in (["Buyer-Seller Messages"], ["Messages"], ["Kaufer-Verkaufer-Nachrichten"]):
        kind, facts = kind_and_facts(title + ["Order: 112-1234567-1234567", "Nov 2, 2026",
                                              "Your parcel was delivered on Nov 2, 2026 to the front door.",
                                              "We have refunded $12.99 today.", "7:47 PM"])
        assert kind == "messages"
        assert facts.delivery.status is None and facts.refunds == []
        assert facts.order_ids == ["112-1234567-1234567"] and facts.timestamps  # still shown


def test_nothing_recognisable_is_other():
    assert kind_and_facts(["A photo of a cat"])[0] == "other"
