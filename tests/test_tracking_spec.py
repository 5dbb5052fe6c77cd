"""The vendored tracking_number_data specification's own test numbers, through our interpreter.

Every `valid` number of every entry must validate with that entry (format, check digit, `additional` lookups),
and every `invalid` one must not. Our own entries (`data/tracking/local/`) follow the same rule.
"""

from __future__ import annotations

from importlib import resources

import pytest

from evidence_svc.facts.tracking import carriers_config, check, entries, identify, normalise

CASES_VALID = [(e.key, n) for e in entries() for n in e.test_numbers.get("valid", [])]
CASES_INVALID = [(e.key, n) for e in entries() for n in e.test_numbers.get("invalid", [])]
BY_KEY = {e.key: e for e in entries()}


def test_every_courier_file_of_the_specification_is_loaded():
    folder = resources.files("evidence_svc").joinpath("data/tracking/couriers")
    files = {f.name[:-5] for f in folder.iterdir() if f.name.endswith(".json")}
    loaded = {e.courier_code for e in entries() if not e.local}
    assert files, "the specification's couriers/*.json are missing"
    assert {"ups", "usps", "fedex", "dhl", "s10", "amazon", "yunexpress", "canada_post"} <= loaded
    assert len(CASES_VALID) > 150 and len(CASES_INVALID) > 60


def test_licence_notice_sits_beside_the_vendored_data():
    folder = resources.files("evidence_svc").joinpath("data/tracking")
    assert "MIT License" in folder.joinpath("LICENSE").read_text(encoding="utf-8")
    assert "jkeen/tracking_number_data" in folder.joinpath("SOURCE.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("key,number", CASES_VALID)
def test_valid_test_number_validates_with_its_entry(key, number):
    got = check(BY_KEY[key], number)
    assert got is not None, f"{number!r} does not have the format of {key}"
    assert got.valid, f"{number!r} fails {key}: checksum_ok={got.checksum_ok}, lookups={list(got.lookups)}"


@pytest.mark.parametrize("key,number", CASES_INVALID)
def test_invalid_test_number_does_not_validate_with_its_entry(key, number):
    got = check(BY_KEY[key], number)
    assert got is None or not got.valid


@pytest.mark.parametrize("number,carrier", [
    ("RB123456785CN", "ChinaPost"), ("RB123456785JP", "JapanPost"), ("RB123456785DE", "DeutschePost"),
    ("RB123456785GB", "RoyalMail"), ("RB123456785CA", "CanadaPost"), ("RB123456785US", "USPS"),
    ("RB123456785FR", "Other"), ("1Z5R89390357567127", "UPS"), ("9400111206206406260787", "USPS"),
    ("986578788855", "FedEx"), ("3318810025", "DHL"), ("TBA000000000000", "AmazonLogistics"),
    ("YT2229521272164446", "YunExpress"), ("UG123456785YP", "Yanwen"), ("4PX3000617645711CN", "4PX"),
    ("LP00123456789012", "Cainiao"), ("0073938000549297", "CanadaPost"), ("123456789013", "Other"),
])
def test_carrier_names_are_ours(number, carrier):
    best = identify(number)[0]
    assert best.valid and best.carrier == carrier


def test_s10_with_an_unknown_country_suffix_is_not_valid():
    assert not any(h.valid and h.entry.courier_code == "s10" for h in identify("RB123456785XX"))


def test_usps_routing_prefix_is_not_part_of_the_reported_number():
    assert normalise("420 78745 9400111206206406260787") == "9400111206206406260787"
    assert normalise("9400 1112 0620 6406 2607 87") == "9400111206206406260787"


def test_our_additions_say_what_they_assume():
    for e in entries():
        if e.local:
            import json

            doc = json.loads(resources.files("evidence_svc").joinpath(f"data/tracking/local/{e.courier_code}.json")
                             .read_text(encoding="utf-8"))
            assert all("ASSUMED" in tn["description"] for tn in doc["tracking_numbers"])
    assert set(carriers_config()["s10_country"]) >= {"CN", "JP", "DE", "GB", "CA", "US"}
