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
        "Order 1121234567 1234567",  # hyphens dropped, split once: the order word vouches for it
        "Order: 11212345671234567",  # no hyphens at all, labelled
        "Bestellnummer 11212345671234567",
        "注文番号：11212345671234567",
        "Commande n° 1121234567 1234567",
        "112 1234567 1234567",  # hyphens read as spaces, at the ID's own boundaries
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


@pytest.mark.parametrize(
    "text",
    [
        "94001 11874970822550856",  # a USPS tracking number split by OCR: 17 of its 22 digits
        "tools.usps.com/go/TrackConfirmAction?tLabels=94001 11874970822550856",  # the URL bar it came from
        "Invoice 11874970822550856",
        "Transaction 4 12345678901234567 paid",  # part of a longer digit run, and a transaction
        "Transaction 12345678901234567 paid",
        "Rechnung Nr. 11212345671234567",
        "https://www.amazon.com/gp/your-account/order-details?orderID=11212345671234567",
        "www.example.com/orders/11212345671234567",
        "Order tracking 11212345671234567",  # the nearest label is the tracking one
        "Order 4 11212345671234567",  # a longer run
        "Order TBA11212345671234567",  # glued to letters: a carrier's number
        "11212345671234567",  # no label at all
        "1121234567 1234567",  # one space, not at both boundaries, no label
    ],
)
def test_hyphenless_runs_need_an_order_word(text: str) -> None:
    assert find_in_text(text) == []


def test_hyphenated_forms_need_no_label() -> None:
    assert find_in_text("Transaction 112-1234567-1234567") == [CLAIM]  # the ID's shape is evidence enough
    assert find_in_text("https://www.amazon.com/gp/css/summary?orderID=112-1234567-1234567") == [CLAIM]
    assert find_in_text("1121234567-1234567") == [CLAIM]  # one hyphen at its place
    assert normalise("11212345671234567") == CLAIM  # a claim's own ID, typed without hyphens


def test_url_bar_line_from_ocr_gives_no_order() -> None:
    words = [
        Word(text="tools.usps.com/go/TrackConfirmAction?tLabels=94001", box=(90, 40, 500, 54), line=0),
        Word(text="11874970822550856", box=(505, 40, 640, 54), line=0),
    ]
    assert find_order_ids(lines_of(Page(index=0, width=1366, height=768, words=words))) == []


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
