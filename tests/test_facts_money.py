"""Amounts with ISO currencies, decimal comma vs point, OCR noise, and which amounts are refunds."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from evidence_svc.facts.money import find_amounts, parse_amount
from evidence_svc.facts.refunds import find_refunds
from evidence_svc.model import Word
from evidence_svc.text import Line

WINDOW = (date(2026, 7, 1), date(2026, 12, 31))


def line(text: str, y: int = 0, x0: int = 0) -> Line:
    words, x = [], x0
    for tok in text.split():
        words.append(Word(text=tok, box=(x, y, x + 10 * len(tok), y + 20)))
        x += 10 * len(tok) + 6
    return Line(0, tuple(words))


def amounts(text: str, mk: str = "US", lang: str = "en") -> list[tuple[str, str]]:
    return [(str(a.amount), a.currency) for a in find_amounts([line(text)], mk, lang)]


def refunds(texts: list[str], mk: str = "US", lang: str = "en", order: str = "MDY") -> list[tuple]:
    lines = [line(t, 30 * i) for i, t in enumerate(texts)]
    return [(r.amount, r.currency, r.date) for r in find_refunds(lines, mk, lang, order, WINDOW)]


@pytest.mark.parametrize("text,mk,lang,want", [
    ("$12.99", "US", "en", ("12.99", "USD")),
    ("US$1,234.56", "DE", "de", ("1234.56", "USD")),
    ("CA$ 15.00", "US", "en", ("15.00", "CAD")),
    ("CDN$ 15.00", "CA", "en", ("15.00", "CAD")),
    ("$15.00", "CA", "en", ("15.00", "CAD")),
    ("£8.50", "UK", "en", ("8.50", "GBP")),
    ("12,99 €", "DE", "de", ("12.99", "EUR")),
    ("EUR 1.234,56", "DE", "de", ("1234.56", "EUR")),
    ("€12.99", "DE", "de", ("12.99", "EUR")),  # point decimal on a comma-decimal marketplace
    ("1 234,56 €", "FR", "fr", ("1234.56", "EUR")),
    ("¥3,480", "JP", "ja", ("3480", "JPY")),
    ("3,480円", "US", "en", ("3480", "JPY")),
    ("￥12.99", "CN", "zh", ("12.99", "CNY")),
    ("12.99元", "US", "zh", ("12.99", "CNY")),
    ("-$12.99", "US", "en", ("-12.99", "USD")),
    ("($12.99)", "US", "en", ("-12.99", "USD")),
    ("返金 額 \\3.480", "JP", "ja", ("3480", "JPY")),  # OCR: yen sign as backslash, comma as point
])
def test_amount_and_currency(text, mk, lang, want):
    assert amounts(text, mk, lang) == [want]


@pytest.mark.parametrize("text", ["$l2.99", "$12.99abc", "23,45", "Order 12.99", "C:\\123"])
def test_ocr_noise_and_bare_numbers_are_not_amounts(text):
    assert amounts(text) == []


def test_more_decimals_than_the_currency_has_is_another_reading():
    assert parse_amount("3.480", "JPY", "ja") == Decimal("3480")
    assert parse_amount("1.234", "USD", "en") == Decimal("1234")
    assert parse_amount("12,3,4", "USD", "en") is None


@pytest.mark.parametrize("texts,mk,lang,want", [
    (["Refund issued: $12.99 on Nov 5, 2026"], "US", "en", [("12.99", "USD", "2026-11-05")]),
    (["Order total $25.00 Refund total -$12.99"], "US", "en", [("12.99", "USD", None)]),
    (["Rückerstattung 12,99 € am 05.11.2026"], "DE", "de", [("12.99", "EUR", "2026-11-05")]),
    (["Riickerstattung: 25,98 € am 07.11.2026"], "DE", "de", [("25.98", "EUR", "2026-11-07")]),
    (["Erstatteter Betrag 25,98 €"], "DE", "de", [("25.98", "EUR", None)]),
    (["Remboursement : 23,45 € le 31 octobre 2026"], "FR", "fr", [("23.45", "EUR", "2026-10-31")]),
    (["返金 額 ¥3,480 (2026 年 11 月 1 日 )"], "JP", "ja", [("3480", "JPY", "2026-11-01")]),
    (["退款 金额 ￥12.99 2026-11-05"], "CN", "zh", [("12.99", "CNY", "2026-11-05")]),
    (["Rimborso 12,99€"], "IT", "it", [("12.99", "EUR", None)]),
    (["Reembolso: 1.234,56 €"], "ES", "es", [("1234.56", "EUR", None)]),
    (["Refund 12.99"], "US", "en", [("12.99", "USD", None)]),  # bare decimal next to a refund word
])
def test_refunds(texts, mk, lang, want):
    order = "MDY" if mk == "US" else "YMD" if mk in ("JP", "CN") else "DMY"
    assert refunds(texts, mk, lang, order) == want


@pytest.mark.parametrize("text", ["Refund requested $12.99", "No refund was issued for $12.99",
                                  "Items eligible for a refund: $12.99", "Order total $12.99", "返金申請 ¥3,480",
                                  "申请退款 ￥12.99"])
def test_requests_and_other_amounts_are_not_refunds(text):
    assert refunds([text], "US" if text.isascii() else "JP") == []


def test_label_above_value_and_date_beside_it():
    assert refunds(["Refund amount      Date", "$12.99     Nov 5, 2026"]) == [("12.99", "USD", "2026-11-05")]


def test_an_amount_that_lost_its_decimal_comma_is_dropped_next_to_the_real_one():
    got = refunds(["Remboursement : 23,45 € le 31 octobre 2026", "Montant remboursé 2345 €"], "FR", "fr", "DMY")
    assert got == [("23.45", "EUR", "2026-10-31")]


@pytest.mark.parametrize("texts,mk,lang,want", [
    # PayPal Germany calls a refund to the buyer "Rückzahlung"; OCR drops the umlaut
    (["Rückzahlung gesendet", "-23,45 € EUR"], "DE", "de", [("23.45", "EUR", None)]),
    (["Ruckzahlungsbetrag 23,45 € EUR"], "DE", "de", [("23.45", "EUR", None)]),
    (["Empfanger Sabine Kruger", "Ruckerstattung: 12,99 €"], "DE", "de", [("12.99", "EUR", None)]),
    (["Gutschrift 12,99 € am 05.11.2026"], "DE", "de", [("12.99", "EUR", "2026-11-05")]),
    (["Der Betrag von 12,99 € wurde Ihrem Konto gutgeschrieben"], "DE", "de", [("12.99", "EUR", None)]),
    (["Refund issued $12.99"], "US", "en", [("12.99", "USD", None)]),
    (["Refunded $12.99 Nov 5, 2026"], "US", "en", [("12.99", "USD", "2026-11-05")]),
    (["Montant rembourse : 23,45 €"], "FR", "fr", [("23.45", "EUR", None)]),  # accent dropped
    (["Importo rimborsato 12,99 €"], "IT", "it", [("12.99", "EUR", None)]),
    (["Riaccredito di 12,99 € sulla carta"], "IT", "it", [("12.99", "EUR", None)]),
    (["Importe reembolsado: 12,99 €"], "ES", "es", [("12.99", "EUR", None)]),
    (["返金済み ¥3,480"], "JP", "ja", [("3480", "JPY", None)]),
    (["已退款 ￥89.00"], "CN", "zh", [("89.00", "CNY", None)]),
])
def test_refund_wording_of_payment_services_and_marketplaces(texts, mk, lang, want):
    order = "MDY" if mk == "US" else "YMD" if mk in ("JP", "CN") else "DMY"
    assert refunds(texts, mk, lang, order) == want


@pytest.mark.parametrize("text,mk", [
    ("Refund pending $12.99", "US"), ("Refund failed $12.99", "US"), ("Erstattung ausstehend 12,99 €", "DE"),
    ("Remboursement en attente 23,45 €", "FR"), ("Reembolso pendiente 12,99 €", "ES"), ("返金処理中 ¥3,480", "JP"),
    ("退款审核中 ￥12.99", "CN"), ("退款失败 ￥12.99", "CN"),
])
def test_pending_and_failed_refunds_are_not_refunds(text, mk):
    lang = {"US": "en", "DE": "de", "FR": "fr", "ES": "es", "JP": "ja", "CN": "zh"}[mk]
    assert refunds([text], mk, lang, "DMY") == []
