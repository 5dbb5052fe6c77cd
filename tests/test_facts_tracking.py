"""Tracking numbers in page text: OCR-split and misread numbers are recovered, and nothing is invented from
phone numbers, order IDs, prices or random digits (the precision target is 0.99)."""

from __future__ import annotations

import random

import pytest

from evidence_svc.facts import merge_tracking, snap_to_claim
from evidence_svc.facts.tracking import check, entries, find_tracking, from_barcode
from evidence_svc.model import TrackingFact, Word
from evidence_svc.text import Line


def line(text: str, y: int = 0) -> Line:
    words, x = [], 0
    for tok in text.split():
        words.append(Word(text=tok, box=(x, y, x + 10 * len(tok), y + 20)))
        x += 10 * len(tok) + 6
    return Line(0, tuple(words))


def found(*texts: str) -> list[tuple[str, str, bool | None]]:
    return [(t.number, t.carrier, t.checksum_ok) for t in find_tracking([line(s, 30 * i) for i, s in enumerate(texts)])]


@pytest.mark.parametrize("text,number,carrier", [
    ("Tracking number: 1Z5R89390357567127", "1Z5R89390357567127", "UPS"),
    ("UPS 1Z 5R8 939 03 5756 712 7", "1Z5R89390357567127", "UPS"),
    ("USPS Tracking # 9400 1112 0108 0805 4830 16", "9400111201080805483016", "USPS"),
    ("9400111206206406260787", "9400111206206406260787", "USPS"),
    ("FedEx tracking 9865 7878 8855", "986578788855", "FedEx"),
    ("Waybill 3318810025", "3318810025", "DHL"),
    ("Tracking ID: TBA000000000000", "TBA000000000000", "AmazonLogistics"),
    ("Sendungsnummer RB123456785DE", "RB123456785DE", "DeutschePost"),
    ("お問い合わせ番号 : LX615065503JP", "LX615065503JP", "JapanPost"),
    ("运单 号 : YT2613984544340863", "YT2613984544340863", "YunExpress"),
    ("UG123456785YP", "UG123456785YP", "Yanwen"),
    ("4PX3000617645711CN", "4PX3000617645711CN", "4PX"),
    ("物流单号 LP00123456789012", "LP00123456789012", "Cainiao"),
])
def test_numbers_found_with_carrier(text, number, carrier):
    assert found(text) == [(number, carrier, check(_entry_of(number, carrier), number).checksum_ok)]


def _entry_of(number: str, carrier: str):
    from evidence_svc.facts.tracking import identify

    return identify(number)[0].entry


@pytest.mark.parametrize("text,number", [
    ("Tracking 94OO 1112 0108 0805 4830 16", "9400111201080805483016"),  # O read for 0
    ("tracking: 1Z5R8939O357567127", "1Z5R89390357567127"),  # O in the digit part of a UPS number
    ("tracking 125R89390357567127", "1Z5R89390357567127"),  # Z read as 2
    ("Royal Mail R8123456785GB", "RB123456785GB"),  # B read as 8 in the S10 prefix
    ("Tracking RB12345678SGB", "RB123456785GB"),  # 5 read as S in the check digit
])
def test_ocr_confusions_are_repaired_when_the_check_digit_then_validates(text, number):
    got = found(text)
    assert [(n, ok) for n, _, ok in got] == [(number, True)]


def test_unrepairable_misread_of_a_strong_shape_is_kept_marked_invalid():
    assert found("Track 1Z5R89390357567128") == [("1Z5R89390357567128", "UPS", False)]


def test_a_longer_valid_number_wins_over_valid_pieces_inside_it():
    assert [n for n, _, _ in found("USPS 9400 1112 0108 0805 4830 16")] == ["9400111201080805483016"]


@pytest.mark.parametrize("text", [
    "Call us 986578788855",  # valid FedEx check digit, but no tracking context
    "Order # 112-1234567-1234567", "Order 112 1234567 1234567", "Phone: +1 206 555 0100",
    "Total $1,234.56 qty 12 SKU ABC-12345", "Tracking 1Z5R8939", "Shipped 11/05/2026 10:32",
    "Tracking 3318810026",  # DHL with a wrong check digit
    "Tracking 94OO 1112 0108 0805 4830 17",  # nothing validates, and no piece may stand in for it
])
def test_no_tracking_number_is_invented(text):
    assert found(text) == []


def test_random_digit_strings_are_not_reported_without_context():
    rng = random.Random(7)
    reported = 0
    for _ in range(2000):
        n = rng.choice([10, 11, 12, 14, 15, 16, 18, 20])
        digits = "".join(rng.choice("0123456789") for _ in range(n))
        reported += len(found(f"Customer reference {digits} printed"))
    assert reported == 0


def test_random_digit_strings_next_to_tracking_words_need_a_valid_check_digit():
    rng = random.Random(11)
    total = invalid = 0
    for _ in range(1000):
        digits = "".join(rng.choice("0123456789") for _ in range(12))
        for n, _, ok in found(f"Tracking number {digits}"):
            total += 1
            invalid += ok is not True
    assert invalid == 0 and total < 250  # about one in ten has a valid FedEx/Purolator check digit by chance


def test_barcode_reads_validate_without_context_and_strip_gs1_routing():
    fact = from_barcode("420787459400111206206406260787", 0, (1, 2, 3, 4))
    assert fact and fact.number == "9400111206206406260787" and fact.source == "barcode" and fact.carrier == "USPS"
    assert from_barcode("0012345678905", 0, None) is None  # EAN-like product code: no format validates
    assert from_barcode("https://example.com/?q=1", 0, None) is None


def test_a_barcode_read_beats_the_ocr_read_of_the_same_number():
    bar = TrackingFact(number="1Z5R89390357567127", carrier="UPS", checksum_ok=True, source="barcode")
    ocr_misread = TrackingFact(number="1Z5R89390357567128", carrier="UPS", checksum_ok=False)
    other = TrackingFact(number="RB123456785GB", carrier="RoyalMail", checksum_ok=True)
    order_piece = TrackingFact(number="3318810025", carrier="DHL", checksum_ok=True)
    merged = merge_tracking([bar], [ocr_misread, other, order_piece], ["111-3318810025-1234567"])
    assert [t.number for t in merged] == ["1Z5R89390357567127", "RB123456785GB"]


def test_every_entry_compiles_and_has_a_length_range():
    for e in entries():
        assert 8 <= e.min_len <= e.max_len <= 64, e.key


def test_repairs_are_only_tried_next_to_tracking_words():
    assert found("R8123456785GB") == []
    assert found("Ref 126632628728399578") == []  # would read as a valid 1Z... once "12" becomes "1Z"


@pytest.mark.parametrize("texts,number", [
    (["クロ ネコ ヤマ ト", "お 問い 合わ せ 番号 : 318068665552"], "318068665552"),  # OCR spaces CJK characters
    (["伝票番号 3180-6866-5552"], "318068665552"),  # printed 4-4-4 with hyphens
    (["送り状番号 1234 5678 9013"], "123456789013"),  # the public worked example: 12345678901 mod 7 = 3
    (["佐川急便 お問い合わせ番号", "2009-6118-5434"], "200961185434"),
    (["Yamato Transport tracking 526018159085"], "526018159085"),
])
def test_yamato_and_sagawa_numbers_next_to_their_words(texts, number):
    assert found(*texts) == [(number, "Other", True)]


@pytest.mark.parametrize("texts", [
    ["Tracking number: 318068665552"],  # valid mod 7, but a generic tracking word is not enough
    ["お問い合わせ番号 318068665553"],  # wrong check digit
    ["電話 0120-01-9625"],  # a phone number printed with hyphens
    ["ヤマト運輸", "お問い合わせ番号 3180-6866-55529"],
])
def test_twelve_digit_numbers_need_a_yamato_word_and_a_valid_check_digit(texts):
    assert found(*texts) == []


def test_random_twelve_digit_strings_next_to_generic_tracking_words_are_never_yamato():
    from evidence_svc.facts.tracking import identify

    rng = random.Random(5)
    mod7_only = reported = 0
    for _ in range(500):
        digits = "".join(rng.choice("0123456789") for _ in range(12))
        valid = {h.entry.key for h in identify(digits) if h.valid}
        if valid and valid <= {"yamato", "sagawa"}:
            mod7_only += 1
            reported += len(found(f"Tracking number {digits}"))
    assert mod7_only > 40 and reported == 0


def test_a_fedex_number_on_a_page_naming_fedex_stays_fedex_even_if_it_passes_mod_7():
    assert found("FedEx tracking 505635204501") == [("505635204501", "FedEx", True)]


def test_a_claim_number_differing_only_in_look_alike_service_letters_is_the_number_shown():
    read = [TrackingFact(number="CK161506558JP", carrier="JapanPost", checksum_ok=True),
            TrackingFact(number="RR161506558JP", carrier="JapanPost", checksum_ok=True)]
    snapped = snap_to_claim(read, ["CX 161 506 558 JP"])
    assert [t.number for t in snapped] == ["CX161506558JP", "RR161506558JP"]  # R/C are not look-alikes
    assert snap_to_claim(read, ["CX161506559JP"])[0].number == "CK161506558JP"  # other serial: left as read
    bar = TrackingFact(number="CK161506558JP", carrier="JapanPost", checksum_ok=True, source="barcode")
    assert snap_to_claim([bar], ["CX161506558JP"])[0].number == "CK161506558JP"  # a barcode read is exact


def test_a_repaired_s10_reading_needs_a_service_indicator_the_standard_allocates():
    assert found("Tracking RB12345678SGB") == [("RB123456785GB", "RoyalMail", True)]
    assert found("Tracking 0B12345678SGB") == []  # "OB": O is no S10 service letter; the repair is refused


def test_a_misread_number_one_character_from_a_claim_number_is_that_number():
    misread = TrackingFact(number="CP937685499JP", carrier="JapanPost", checksum_ok=False)
    assert [(t.number, t.checksum_ok) for t in snap_to_claim([misread], ["CP937085499JP"])] == [
        ("CP937085499JP", True)]
    # a reading whose check digit holds is another number, however close to the claim's
    other = TrackingFact(number="RB123456785GB", carrier="RoyalMail", checksum_ok=True)
    assert snap_to_claim([other], ["RB123456790GB"])[0].number == "RB123456785GB"
    # two characters away: not ours to guess
    assert snap_to_claim([misread], ["CP937085409JP"])[0].number == "CP937685499JP"
