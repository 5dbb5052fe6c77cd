"""Facts that real evidence tempted the extractors to invent (issue 12), on OCR-like words: cash-on-delivery fees
and totals read as refunds, implausible or mis-ordered dates, one row of an order list taken as delivery proof, a
weekday as a place, and S10 numbers credited to the postal service on a Yanwen or 4PX page. Real refund receipts
and real dates beside them must keep working."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from evidence_svc.config import Settings
from evidence_svc.facts import classify, extract_facts
from evidence_svc.facts.dates import find_datetimes
from evidence_svc.facts.delivery import find_delivery
from evidence_svc.facts.refunds import find_refunds, sales_document
from evidence_svc.facts.tracking import find_tracking, from_barcode
from evidence_svc.model import Claim, Page, Word
from evidence_svc.text import Line

S = Settings()
OPENED = datetime(2026, 11, 24, tzinfo=timezone.utc)


def lines(texts: list[str], page: int = 0) -> list[Line]:
    out = []
    for i, text in enumerate(texts):
        words, x = [], 0
        for tok in text.split():
            words.append(Word(text=tok, box=(x, 30 * i, x + 10 * len(tok), 30 * i + 20)))
            x += 10 * len(tok) + 6
        out.append(Line(page, tuple(words)))
    return out


def page(texts: list[str]) -> Page:
    words = [w for i, ln in enumerate(lines(texts)) for w in (x.model_copy(update={"line": i}) for x in ln.words)]
    return Page(index=0, width=1200, height=30 * len(texts) + 10, words=words)


def facts_and_kind(texts: list[str], marketplace: str = "US", opened: datetime | None = OPENED):
    p = page(texts)
    claim = Claim(order_id="112-1234567-1234567", marketplace=marketplace, opened_at=opened)
    facts = extract_facts([p], claim, S)
    return facts, classify(facts, [p])


def refunds(texts: list[str], mk: str = "US", lang: str = "en", order: str = "MDY"):
    return [(r.amount, r.currency) for r in find_refunds(lines(texts), mk, lang, order, None)]


# ---------------------------------------------------------------------------------------------- refunds

DUTCH_INVOICE = [
    "FACTUUR", "Factuurnummer: 2026-0117", "Factuurdatum: 12-11-2026", "Bestelnummer 302-1234567-1234567",
    "Omschrijving Aantal Bedrag", "USB-C kabel 2 m 1 € 12,99", "Verzendkosten € 4,95", "Rembours € 9,32",
    "Totaal € 27,26", "Betaalwijze: Rembours",
]


def test_dutch_rembours_is_cash_on_delivery_not_a_refund():
    assert refunds(DUTCH_INVOICE, "NL", "nl", "DMY") == []
    facts, kind = facts_and_kind(DUTCH_INVOICE, "NL")
    assert facts.refunds == [] and kind != "refund"


@pytest.mark.parametrize("text,mk,lang", [
    ("Envoi contre-remboursement : 9,32 €", "FR", "fr"),
    ("Frais de contre remboursement 9,32 €", "FR", "fr"),
    ("Gastos de envío contra reembolso 3,50 €", "ES", "es"),
    ("Pago contrarreembolso 3,50 €", "ES", "es"),
    ("Nachnahmegebühr 6,90 €", "DE", "de"),
    ("COD fee $3.00", "US", "en"),
    ("Cash on delivery $3.00", "US", "en"),
])
def test_cash_on_delivery_wording_is_not_a_refund(text, mk, lang):
    assert refunds([text], mk, lang, "DMY") == []


@pytest.mark.parametrize("text", [
    "NO REFUND NO EXCHANGE TOTAL 45.60", "Goods sold are not refundable. Total: $45.60",
    "Non-refundable booking fee $12.00", "Refund policy: 30 days. Order total $45.60",
    "Returns & refunds within 30 days $45.60", "Exchange or refund within 7 days with receipt 45.60",
])
def test_refund_policy_wording_on_a_receipt_is_not_a_refund(text):
    assert refunds([text]) == []


def test_a_packing_slips_order_total_is_never_a_refund():
    slip = ["Packing Slip for order 112-1234567-1234567", "Qty Item", "1 USB-C cable",
            "Returns and refunds: visit amazon.com/returns", "Refund", "Order Total: $24.99"]
    assert sales_document(lines(slip)) == "packing_slip"
    assert refunds(slip) == []


def test_an_invoices_total_under_a_refund_heading_is_not_a_refund():
    invoice = ["INVOICE No. 2026-118", "Item Amount", "USB-C cable $24.99", "Refund", "Total $24.99"]
    assert sales_document(lines(invoice)) == "sales"
    assert refunds(invoice) == []


def test_an_order_total_under_a_refund_label_is_not_a_refund():
    assert refunds(["Refund", "Order Total: $24.99"]) == []
    assert refunds(["Refund amount", "$24.99"]) == [("24.99", "USD")]


def test_a_payment_services_refund_receipt_keeps_its_label_above_value_refund():
    stripe = ["Refund from Northwind Goods", "Receipt #1583-7108", "AMOUNT REFUNDED DATE REFUNDED PAYMENT METHOD",
              "$47.98 Nov 17, 2026 VISA 4242", "Order total $62.98", "Refunded $47.98"]
    assert sales_document(lines(stripe)) is None
    got = find_refunds(lines(stripe), "US", "en", "MDY", None)
    assert [(r.amount, r.date) for r in got] == [("47.98", "2026-11-17")]


def test_a_refund_line_on_a_receipt_still_counts():
    receipt = ["RECEIPT", "Date: 11/20/2026", "USB-C cable 24.99", "REFUND -24.99", "TOTAL 0.00"]
    assert refunds(receipt) == [("24.99", "USD")]


@pytest.mark.parametrize("texts,mk,lang,want", [
    (["Credit Note / Refund Receipt", "Total refunded", "$24.99"], "US", "en", [("24.99", "USD")]),
    (["Gutschrift / Erstattungsbeleg", "Erstattungsbetrag", "25,98 €"], "DE", "de", [("25.98", "EUR")]),
    (["Reçu de remboursement", "Montant remboursé : 23,45 €"], "FR", "fr", [("23.45", "EUR")]),
    (["返金明細書", "返金合計 ¥1,480"], "JP", "ja", [("1480", "JPY")]),
    (["退款凭证", "退款金额 ￥321.00"], "CN", "zh", [("321.00", "CNY")]),
])
def test_refund_receipts_and_credit_notes_keep_their_refund(texts, mk, lang, want):
    order = "MDY" if mk == "US" else "YMD" if mk in ("JP", "CN") else "DMY"
    assert refunds(texts, mk, lang, order) == want


# ---------------------------------------------------------------------------------------------- dates


def dates(texts: list[str], order: str = "MDY", window=None) -> list[str]:
    return [h.iso for h in find_datetimes(lines(texts), "en", order, window) if h.has_date]


def test_an_ocr_year_decades_ahead_is_no_date():
    assert dates(["Date: 22/03/2078"], "DMY") == []
    assert dates(["Date: 22/03/2018"], "DMY", (date(2018, 1, 1), date(2018, 12, 31))) == ["2018-03-22"]


def test_a_date_outside_the_claim_window_is_dropped():
    assert dates(["Date: 22/03/2018"], "DMY", (date(2026, 7, 1), date(2026, 12, 31))) == []


@pytest.mark.parametrize("text,want", [
    ("Date: 13/01/2018", "2018-01-13"), ("Date:13/01/2018", "2018-01-13"), ("Date :17/04/18", "2018-04-17"),
    ("Printed on-17/06/25", "2025-06-17"), ("Printed on:14/06/25 2", "2025-06-14"),
])
def test_a_label_glued_to_a_date_does_not_hide_it(text, want):
    assert dates([text], "DMY") == [want]


def test_two_digit_year_last_with_a_day_over_twelve_is_day_first():
    assert dates(["19-04-18"], "MDY") == ["2018-04-19"]
    assert dates(["19-04-18"], "YMD") == ["2018-04-19"]


def test_a_day_over_twelve_elsewhere_fixes_the_documents_order_on_a_us_claim():
    assert dates(["Date: 11/03/2018", "Due: 13/01/2018"], "MDY") == ["2018-03-11", "2018-01-13"]
    assert dates(["Date: 11/03/2018"], "MDY") == ["2018-11-03"]  # nothing on the document says otherwise
    assert dates(["Date: 11/03/2018", "Due: 12/25/2018"], "DMY") == ["2018-11-03", "2018-12-25"]


def test_both_ends_of_a_service_period_are_dates():
    window = (date(2014, 1, 1), date(2014, 12, 31))
    assert dates(["01.05.14-31.05.14"], "DMY", window) == ["2014-05-01", "2014-05-31"]
    assert dates(["01/05/2014-31/05/2014"], "DMY", window) == ["2014-05-01", "2014-05-31"]


def test_a_comma_without_its_space_still_ends_a_named_date():
    assert dates(["Sep 12,2010 11:57 AM"], "MDY", (date(2010, 6, 1), date(2010, 12, 31))) == ["2010-09-12T11:57:00"]


def test_the_files_order_carries_across_its_pages():
    p1, p2 = page(["Receipt date 11/03/2026"]), page(["Printed 13/03/2026"]).model_copy(update={"index": 1})
    claim = Claim(order_id="112-1234567-1234567", marketplace="US",
                  opened_at=datetime(2026, 3, 20, tzinfo=timezone.utc))
    facts = extract_facts([p1, p2], claim, S)
    assert [t.value for t in facts.timestamps] == ["2026-03-11", "2026-03-13"]


# ---------------------------------------------------------------------------------------------- order lists

ORDER_HISTORY = [
    "Your Orders", "ORDER PLACED TOTAL SHIP TO ORDER # 112-1234567-1234567", "November 2, 2026 $24.99 J. Doe",
    "Delivered Saturday", "ORDER PLACED TOTAL SHIP TO ORDER # 113-7654321-7654321", "October 28, 2026 $12.50 J. Doe",
    "Delivered Oct 31", "ORDER PLACED TOTAL SHIP TO ORDER # 114-1111111-2222222", "October 20, 2026 $8.00 J. Doe",
    "Arriving Monday",
]


def test_an_order_history_page_is_an_order_list_not_delivery_proof():
    facts, kind = facts_and_kind(ORDER_HISTORY)
    assert kind == "order"
    assert facts.delivery.status is None and facts.delivery.date is None and facts.delivery.location is None
    assert len(facts.order_ids) == 3


def test_two_orders_with_their_statuses_are_a_list_too():
    facts, kind = facts_and_kind(ORDER_HISTORY[:7])
    assert kind == "order" and facts.delivery.status is None


def test_a_tracking_apps_list_of_parcels_is_a_list_too():
    parcels = ["My parcels", "Laptop 1Z5R89390357567127", "Delivered Saturday", "Books 1Z12345E6205277936",
               "Delivered Oct 31", "Shoes 1Z12345E0305271640", "In transit"]
    facts, kind = facts_and_kind(parcels)
    assert len(facts.tracking) == 3
    assert kind == "order" and facts.delivery.status is None and facts.delivery.location is None


def test_a_carrier_page_with_a_misread_copy_of_its_number_is_no_list():
    page_text = ["services/search?reqCodeNo1=CP937085499JP", "お問い合わせ番号: CP937685499JP",
                 "2026/11/10 10:46 お届け先にお届け済み 世田谷郵便局", "2026/11/09 21:13 到着 大阪国際郵便局",
                 "Tracking LX123456785JP"]
    facts, kind = facts_and_kind(page_text, "JP")
    assert facts.delivery.status == "delivered" and facts.delivery.date == "2026-11-10"


def test_a_parcel_list_of_demo_numbers_with_wrong_check_digits_is_a_list():
    parcels = ["Active Archive", "1Z648616E192760718", "Info received", "October 2012", "1Z12345E6205277936",
               "Delivered", "September 2010", "1Z12345E6605272234", "Delivered", "May 2010", "1Z12345E1305277940",
               "In transit", "1Z12345E0305271640"]
    facts, kind = facts_and_kind(parcels)
    assert kind == "order" and facts.delivery.status is None


def test_prose_and_trade_terms_on_an_invoice_are_no_delivery():
    invoice = ["Invoice INV/2023/03/0008", "Olive Oil 1.00 L $ 0.90",
               "Our Olive Oil is delivered in a re-usable glass container",
               "Incoterm: DPU - DELIVERED AT PLACE UNLOADED"]
    facts, _ = facts_and_kind(invoice)
    assert facts.delivery.status is None and facts.delivery.location is None


def test_one_order_page_keeps_its_delivery():
    facts, kind = facts_and_kind(["Order Details", "Order# 112-1234567-1234567", "Delivered Nov 5, 2026"])
    assert kind == "order" and facts.delivery.date == "2026-11-05"


@pytest.mark.parametrize("when", ["Saturday", "Sat", "today", "Samstag", "November 5"])
def test_a_weekday_or_day_after_delivered_is_no_place(when):
    f = find_delivery(lines(["Package status", f"Delivered {when}", "Nov 5, 2026"]), "en", "MDY")
    assert f.status == "delivered" and f.location is None


def test_a_delivered_event_outside_the_window_does_not_borrow_the_apps_date():
    texts = ["1Z12345E6205277936", "Tracking started: Jun 4, 2021 12:40 PM",
             "Package delivered on September 12, 2010"]
    f = find_delivery(lines(texts), "en", "MDY", (date(2021, 2, 1), date(2021, 7, 31)))
    assert (f.status, f.date) == ("delivered", None)


def test_a_place_after_delivered_is_still_a_place():
    f = find_delivery(lines(["Delivered, Left with individual", "Nov 5, 2026"]), "en", "MDY")
    assert f.location == "Left with individual"


# ---------------------------------------------------------------------------------------------- S10 carriers


def carriers(texts: list[str]) -> list[tuple[str, str, str | None]]:
    return [(t.number, t.carrier, t.issuer) for t in find_tracking(lines(texts))]


@pytest.mark.parametrize("brand,carrier", [("Yanwen Logistics", "Yanwen"), ("燕文物流", "Yanwen"),
                                           ("4PX Express", "4PX"), ("YunExpress", "YunExpress")])
def test_an_s10_number_on_a_forwarders_page_is_that_forwarders(brand, carrier):
    page_text = [brand, "Shipment details", "Tracking number: LX123456785CN", "Delivered"]
    assert carriers(page_text) == [("LX123456785CN", carrier, "ChinaPost")]


def test_an_s10_number_on_a_postal_page_stays_the_postal_service():
    assert carriers(["China Post", "Tracking number: LZ123456785CN"]) == [("LZ123456785CN", "ChinaPost", "ChinaPost")]
    assert carriers(["Tracking number: LZ123456785CN"]) == [("LZ123456785CN", "ChinaPost", "ChinaPost")]


def test_two_forwarders_far_from_the_number_leave_the_issuer():
    assert carriers(["Yanwen", "4PX", "", "Tracking: LX123456785CN"]) == [("LX123456785CN", "ChinaPost", "ChinaPost")]


def test_other_numbers_have_no_issuer():
    assert carriers(["Yanwen", "Tracking: 1Z5R89390357567127"]) == [("1Z5R89390357567127", "UPS", None)]


def test_a_barcode_s10_number_takes_the_carrier_its_page_shows():
    hit = from_barcode("LX123456785CN", 0, None)
    assert (hit.carrier, hit.issuer) == ("ChinaPost", "ChinaPost")
    from evidence_svc.facts.barcodes import BarcodeHit

    p = page(["燕文 Yanwen", "Order 112-1234567-1234567"])
    facts = extract_facts([p], Claim(order_id="112-1234567-1234567"), S,
                          barcodes=[BarcodeHit(text="LX123456785CN", format="Code128", page=0, box=(0, 0, 10, 10))])
    assert [(t.number, t.carrier, t.issuer, t.source) for t in facts.tracking] == [
        ("LX123456785CN", "Yanwen", "ChinaPost", "barcode")]


def test_a_receipts_invoice_number_barcode_is_no_tracking_number():
    from evidence_svc.facts.barcodes import BarcodeHit

    p = page(["SWC ENTERPRISE SDN BHD", "Tax Invoice No : 00518087100028", "Total 30.00",
              "GOODS SOLD ARE NOT REFUNDABLE"])
    hit = BarcodeHit(text="00518087100028", format="Code128", page=0, box=(0, 0, 10, 10))
    assert extract_facts([p], Claim(order_id="112-1234567-1234567"), S, barcodes=[hit]).tracking == []
    labelled = page(["DHL eCommerce", "Tracking"])
    got = extract_facts([labelled], Claim(order_id="112-1234567-1234567"), S, barcodes=[hit]).tracking
    assert [(t.number, t.carrier) for t in got] == [("00518087100028", "DHL")]


def test_an_invoice_codes_barcode_that_passes_a_check_digit_by_chance_is_no_tracking_number():
    from evidence_svc.facts.barcodes import BarcodeHit

    hit = BarcodeHit(text="012001800311", format="Code128", page=0, box=(0, 0, 10, 10))
    assert from_barcode("012001800311", 0, None).carrier == "FedEx"  # a valid FedEx check digit, by chance
    p = page(["开票日期: 2019 05 08", "订单号: 94859303935", "价税合计 ¥52.70"])
    assert extract_facts([p], Claim(order_id="112-1234567-1234567", marketplace="CN"), S, barcodes=[hit]).tracking == []

