"""Order IDs found in OCR'd lines despite the ways tesseract garbles them, and compared tolerantly."""

from __future__ import annotations

import pytest

from evidence_svc.facts.order_ids import find_in_text, find_order_ids, normalise, same_order
from evidence_svc.model import Page, Word
from evidence_svc.text import lines_of

CLAIM = "112-1234567-1234567"


@pytest.mark.parametrize(
    "text",
    [
        "Order # 112-1234567-1234567",
        "Order ID: 112-1234567- 1234567",  # tesseract split after a hyphen
        "1121234567 1234567",  # hyphens dropped, split once
        "112--1234567--1234567",  # doubled hyphens
        "112 - 1234567 - 1234567",
        "1l2-l234567-1234S67",  # l/1 and S/5
        "1lZ-I234567-I234567",  # l/1, Z/2, I/1
        "112-1234567-1234B67",  # B/8 read for a 6: one misread digit, tolerated
        "订单号：１１２－１２３４５６７－１２３４５６７",  # full-width digits on a Chinese page
        "112—1234567—1234567.",  # em dashes, a full stop after it
    ],
)
def test_finds_claim_id_through_ocr_noise(text: str) -> None:
    found = find_in_text(text)
    assert len(found) == 1
    assert same_order(found[0], CLAIM)


def test_lookalike_letters_map_to_digits() -> None:
    assert find_in_text("O12-3456789-0123456") == ["012-3456789-0123456"]
    assert find_in_text("112-B234567-12345G7") == ["112-8234567-1234567"]


@pytest.mark.parametrize(
    "text",
    [
        "USPS 9400 1118 9922 3344 5566 77",  # a tracking number in 4-digit groups
        "9400111899223344556677",  # 22 digits
        "1Z999AA10123456784",  # UPS
        "112-123456-1234567",  # a group too short
        "Order Status Shipped",  # words full of look-alike letters
        "Total $23.45 on 11/03/2026 at 2:41 PM",
    ],
)
def test_ignores_things_that_are_not_order_ids(text: str) -> None:
    assert find_in_text(text) == []


def test_two_orders_on_one_line() -> None:
    assert find_in_text("112-1234567-1234567 and 113-9876543-1234567") == [CLAIM, "113-9876543-1234567"]


def test_hit_carries_page_and_box_of_the_words() -> None:
    words = [
        Word(text="Order", box=(10, 10, 60, 24), line=1),
        Word(text="#", box=(65, 10, 72, 24), line=1),
        Word(text="112-1234567-", box=(80, 10, 190, 24), line=1),
        Word(text="1234567", box=(195, 10, 260, 24), line=1),
        Word(text="Delivered", box=(10, 40, 90, 54), line=2),
    ]
    hits = find_order_ids(lines_of(Page(index=2, width=300, height=100, words=words)))
    assert [(h.value, h.page, h.box) for h in hits] == [(CLAIM, 2, (80, 10, 260, 24))]
    assert hits[0].raw == "112-1234567- 1234567"


def test_same_order_allows_one_misread_digit_not_another_order() -> None:
    assert same_order(CLAIM, "112-1234567-1234568")  # one digit misread
    assert not same_order(CLAIM, "112-1234567-1234588")  # two differ: another order
    assert not same_order(CLAIM, "113-9876543-1234567")
    assert same_order(CLAIM, "112-1234567-1234568", min_similarity=100) is False


def test_normalise() -> None:
    assert normalise(" 112 1234567 1234567 ") == CLAIM
    assert normalise("not an order") is None
