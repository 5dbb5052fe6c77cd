"""Facts from real OCR: pages rendered with Pillow (and a text PDF with reportlab), read by tesseract through
`evidence_svc.ocr`, then `extract_facts` and `classify` — the path the pipeline takes. Fixtures render and OCR
once per session."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw, ImageFont

from evidence_svc.config import Settings
from evidence_svc.facts import classify, extract_facts
from evidence_svc.facts.barcodes import read_barcodes
from evidence_svc.ingest import open_source, render_page
from evidence_svc.model import Claim, Page
from evidence_svc.ocr import read_words

LATIN = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
OPENED = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)

PAGES = {
    "en_tracking": ("US", LATIN, [
        "Tracking Details", "Tracking number: 1Z 5R8 939 03 5756 712 7", "Delivered",
        "Thursday, November 5, 2026 at 10:32 AM", "SEATTLE, WA 98101", "Order # 112-1234567-1234567",
        "Call us: 1 206 555 0100"]),
    "de_refund": ("DE", LATIN, [
        "Ihre Rückerstattung wurde veranlasst", "Rückerstattung: 25,98 € am 07.11.2026",
        "Bestellnr. 304-1117754-9846453", "Erstattet auf Mastercard mit Endziffern 2291"]),
    "ja_tracking": ("JP", CJK, [
        "配送状況", "お問い合わせ番号：LX615065503JP", "配達完了", "2026年10月31日 07:34", "取扱局：名古屋中郵便局"]),
    "zh_tracking": ("CN", CJK, [
        "物流进度", "运单号：YT2613984544340863", "已签收", "2026-11-03 15:06:00 上海市 已签收",
        "2026-11-03 12:52:00 上海市 派送中"]),
    "en_messages": ("US", LATIN, [
        "Buyer-Seller Messages", "Message to buyer  Nov 20, 2026 3:14 PM",
        "We have refunded $12.99 for order 112-1234567-1234567.", "Thank you."]),
    # issue 12: what real evidence tempted the extractors to invent
    "nl_invoice": ("NL", LATIN, [
        "FACTUUR", "Factuurdatum: 12-11-2026", "Bestelnummer 302-1234567-1234567", "USB-C kabel 2 m   € 12,99",
        "Verzendkosten   € 4,95", "Rembours   € 9,32", "Totaal   € 27,26"]),
    "en_receipt": ("US", LATIN, [
        "SYARIKAT PERNIAGAAN GIN KEE", "Date: 11/03/2018", "Printed on:13/01/2018", "Expiry: 22/03/2078",
        "CEMENT 50KG   2   45.60", "TOTAL   45.60", "GOODS SOLD ARE NOT RETURNABLE OR REFUNDABLE"]),
    "en_yanwen": ("US", LATIN, [
        "Yanwen Logistics", "Shipment details", "Tracking number: LX123456785CN", "In transit",
        "2026-11-03 15:06 Departed from sorting center"]),
    "en_order_history": ("US", LATIN, [
        "Your Orders", "ORDER PLACED  November 2, 2026   ORDER # 112-1234567-1234567", "Delivered Saturday",
        "ORDER PLACED  October 28, 2026   ORDER # 113-7654321-7654321", "Delivered Oct 31",
        "ORDER PLACED  October 20, 2026   ORDER # 114-1111111-2222222", "Arriving Monday"]),
}


def _render(lines: list[str], font_path: str, size: int = 30) -> Image.Image:
    font = ImageFont.truetype(font_path, size)
    img = Image.new("RGB", (1500, 80 + 60 * len(lines)), "white")
    d = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        d.text((40, 40 + 60 * i), text, font=font, fill=(20, 20, 20))
    return img


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=1)


@pytest.fixture(scope="session")
def ocr_pages(settings) -> dict[str, tuple[str, Page, Image.Image]]:
    out = {}
    for name, (mk, font, lines) in PAGES.items():
        img = _render(lines, font)
        res = read_words(img, settings.ocr_langs_for(mk), settings)
        assert res.error is None, res.error
        out[name] = (mk, Page(index=0, width=img.width, height=img.height, words=res.words), img)
    return out


def facts_of(ocr_pages, settings, name: str, tracking=(), opened=OPENED):
    mk, page, img = ocr_pages[name]
    claim = Claim(order_id="112-1234567-1234567", marketplace=mk, tracking=list(tracking), opened_at=opened)
    facts = extract_facts([page], claim, settings, barcodes=read_barcodes(img, 0))
    return facts, classify(facts, [page])


def test_english_tracking_page(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "en_tracking")
    assert [(t.number, t.carrier, t.checksum_ok, t.source) for t in facts.tracking] == [
        ("1Z5R89390357567127", "UPS", True, "ocr")]
    assert (facts.delivery.status, facts.delivery.date, facts.delivery.location) == (
        "delivered", "2026-11-05", "SEATTLE, WA 98101")
    assert facts.order_ids == ["112-1234567-1234567"]
    assert "2026-11-05T10:32:00" in [t.value for t in facts.timestamps]
    assert kind == "delivery"
    box = facts.tracking[0].box
    assert box is not None and box[2] - box[0] > 200  # the joined words' box, not one fragment's


def test_german_refund_page(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "de_refund")
    assert [(r.amount, r.currency, r.date) for r in facts.refunds] == [("25.98", "EUR", "2026-11-07")]
    assert facts.order_ids == ["304-1117754-9846453"] and facts.tracking == [] and kind == "refund"


def test_japanese_tracking_page(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "ja_tracking")
    assert [(t.number, t.carrier) for t in facts.tracking] == [("LX615065503JP", "JapanPost")]
    assert (facts.delivery.status, facts.delivery.date) == ("delivered", "2026-10-31")
    assert kind == "delivery"


def test_chinese_tracking_page(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "zh_tracking")
    assert [(t.number, t.carrier) for t in facts.tracking] == [("YT2613984544340863", "YunExpress")]
    assert (facts.delivery.status, facts.delivery.date) == ("delivered", "2026-11-03")


def test_a_conversation_is_messages_even_when_it_mentions_a_refund(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "en_messages")
    assert kind == "messages"


def test_barcode_on_a_label_beats_a_misread_ocr_number(settings):
    img = _render(["UPS GROUND", "TRACKING #: 1Z 5R8 939 03 5756 712 8"], LATIN)  # printed text has a typo
    code = zxingcpp.create_barcode("1Z5R89390357567127", zxingcpp.BarcodeFormat.Code128).to_image(scale=3)
    bar = Image.fromarray(np.array(code)).convert("RGB")
    page_img = Image.new("RGB", (1500, 500), "white")
    page_img.paste(img, (0, 0))
    page_img.paste(bar.resize((bar.width, 140)), (60, 240))
    res = read_words(page_img, "eng", settings)
    page = Page(index=0, width=page_img.width, height=page_img.height, words=res.words)
    hits = read_barcodes(page_img, 0)
    assert [h.text for h in hits] == ["1Z5R89390357567127"]
    facts = extract_facts([page], Claim(order_id="112-1234567-1234567"), settings, barcodes=hits)
    assert [(t.number, t.source, t.checksum_ok) for t in facts.tracking] == [("1Z5R89390357567127", "barcode", True)]


def test_text_pdf_facts_come_from_its_text_layer(tmp_path, settings):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = Path(tmp_path) / "refund.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("Helvetica", 12)
    for i, text in enumerate(["Refund confirmation", "Order # 112-1234567-1234567",
                              "Refund issued: $12.99 on November 12, 2026", "Tracking: 1Z5R89390357567127"]):
        c.drawString(72, 760 - 24 * i, text)
    c.save()
    src = open_source(path, settings)
    rp = render_page(src, 0, settings)
    assert rp.page.text_source == "pdf-text" and rp.page.words
    claim = Claim(order_id="112-1234567-1234567", marketplace="US", opened_at=OPENED)
    facts = extract_facts([rp.page], claim, settings)
    assert [(r.amount, r.currency, r.date) for r in facts.refunds] == [("12.99", "USD", "2026-11-12")]
    assert [(t.number, t.source) for t in facts.tracking] == [("1Z5R89390357567127", "pdf-text")]
    assert classify(facts, [rp.page]) == "refund"


def test_dutch_rembours_on_a_rendered_invoice_is_no_refund(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "nl_invoice")
    assert facts.refunds == [] and kind != "refund"
    assert facts.order_ids == ["302-1234567-1234567"]


def test_rendered_receipt_dates_day_first_plausible_and_no_refund(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "en_receipt", opened=None)
    assert [t.value for t in facts.timestamps] == ["2018-03-11", "2018-01-13"]  # 2078 dropped, US claim day-first
    assert facts.refunds == [] and kind != "refund"


def test_rendered_s10_number_on_a_yanwen_page_is_yanwens(ocr_pages, settings):
    facts, _ = facts_of(ocr_pages, settings, "en_yanwen")
    assert [(t.number, t.carrier, t.issuer) for t in facts.tracking] == [("LX123456785CN", "Yanwen", "ChinaPost")]


def test_rendered_order_history_is_an_order_list(ocr_pages, settings):
    facts, kind = facts_of(ocr_pages, settings, "en_order_history")
    assert kind == "order" and facts.delivery.status is None and facts.delivery.location is None
    assert len(facts.order_ids) == 3

