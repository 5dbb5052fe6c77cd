"""order-mismatch / order-missing decisions on a file's words and facts (OCR-level input; the rendered-file cases
are in test_validators_pixels.py)."""

from __future__ import annotations

from evidence_svc.config import Settings
from evidence_svc.model import Claim, Facts, Page, TrackingFact, Word
from validators.base import CheckContext, FileInput
from validators.order_match import OrderMatch

CLAIM = Claim(order_id="112-1234567-1234567", tracking=["1Z 999 AA1 01 2345 6784"])


def page(*lines: str, index: int = 0) -> Page:
    words = []
    for li, text in enumerate(lines):
        x = 10
        for t in text.split():
            words.append(Word(text=t, box=(x, 20 + 30 * li, x + 10 * len(t), 36 + 30 * li), conf=95, line=li))
            x += 10 * len(t) + 8
    return Page(index=index, width=800, height=600, words=words)


def check(*pages: Page, claim: Claim = CLAIM, facts: Facts | None = None) -> list:
    f = FileInput(name="f.png", sha256="0" * 64, media_type="image/png", bytes=1, pages=list(pages),
                  facts=facts or Facts())
    return OrderMatch().check_file(f, CheckContext(claim=claim, settings=Settings()))


FILLER = ("Your package was delivered to the front door", "Thank you for shopping with us today")


def test_claim_id_read_with_ocr_confusions_matches() -> None:
    assert check(page("Order # ll2-l234567- 1234S67", *FILLER)) == []


def test_other_order_only_is_a_mismatch_with_page_and_box() -> None:
    found = check(page(*FILLER), page("Order number 113-9876543-7654321", *FILLER, index=1))
    assert [(f.code, f.value, f.threshold, f.page) for f in found] == [
        ("order-mismatch", "113-9876543-7654321", "112-1234567-1234567", 1)]
    assert found[0].box is not None and found[0].severity == "error"


def test_page_listing_several_orders_including_the_claims_is_fine() -> None:
    assert check(page("113-9876543-7654321 Delivered", "112-1234567-1234567 Delivered", *FILLER)) == []


def test_carrier_page_with_the_claims_tracking_number_split_by_ocr_is_fine() -> None:
    assert check(page("Tracking Number: 1Z999AA1 0123456784", *FILLER)) == []


def test_tracking_from_facts_counts() -> None:
    facts = Facts(tracking=[TrackingFact(number="1Z999AA10123456784", carrier="UPS")])
    assert check(page(*FILLER), facts=facts) == []


def test_order_missing_is_a_warning_naming_the_claims_id() -> None:
    found = check(page(*FILLER, "Shipped with UPS Ground on Monday morning"))
    assert [(f.code, f.severity, f.threshold) for f in found] == [("order-missing", "warning", CLAIM.order_id)]


def test_photo_without_text_gets_no_order_warning() -> None:
    assert check(page("ll", "|")) == []


def test_claim_without_tracking_accepts_a_visible_tracking_number() -> None:
    claim = Claim(order_id="112-1234567-1234567")
    facts = Facts(tracking=[TrackingFact(number="9400111899223344556677", carrier="USPS")])
    assert check(page(*FILLER), claim=claim, facts=facts) == []


def test_other_tracking_number_alone_is_still_order_missing() -> None:
    facts = Facts(tracking=[TrackingFact(number="9400111899223344556677", carrier="USPS")])
    assert [f.code for f in check(page(*FILLER), facts=facts)] == ["order-missing"]


def test_claim_id_with_first_digits_lost_by_ocr_still_matches() -> None:
    assert check(page("注文番号 50- 1234567-1234567", *FILLER)) == []


def test_tracking_number_with_one_misread_character_matches() -> None:
    claim = Claim(order_id="250-8221362-0206520", tracking=["CX161506558JP"])
    assert check(page("お問い合わせ番号: CK161506558JP", *FILLER), claim=claim) == []
    assert check(page("Tracking Number: 1Z29G77WW0118480727", *FILLER),
                 claim=Claim(order_id="112-1146006-5475609", tracking=["1Z9G77WW0118480727"])) == []
    # two characters off is another parcel
    assert [f.code for f in check(page("Tracking: CK16150655BJP", *FILLER), claim=claim)] == ["order-missing"]


def test_usps_tracking_number_in_the_url_bar_is_no_other_order() -> None:
    """A 22-digit USPS number that OCR split as 5 + 17 digits in the address bar once read as an order ID."""
    usps = Claim(order_id="113-2609154-0613364", tracking=["9400111874970822550856"])
    url = "tools.usps.com/go/TrackConfirmAction?tLabels=94001 11874970822550856"
    found = check(page(url, "Tracking Number: 9400 1118 7497 0822 5508 56", *FILLER), claim=usps)
    assert [f.code for f in found] == []


def test_unlabelled_or_invoice_numbers_are_no_other_order() -> None:
    found = check(page("Invoice 11874970822550856", "Transaction 4 12345678901234567 paid", *FILLER))
    assert "order-mismatch" not in [f.code for f in found]
    labelled = check(page("Order number 11398765437654321", *FILLER))  # hyphens lost, but labelled
    assert [(f.code, f.value) for f in labelled] == [("order-mismatch", "113-9876543-7654321")]
