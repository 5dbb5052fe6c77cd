"""Every finding code has a message and a hint in English and Chinese, and placeholders are filled."""

import re

import pytest

from evidence_svc.messages import catalogue, finding

# The codes of the report contract (ARCHITECTURE.md): the product must be able to explain each one.
CONTRACT_CODES = """unsupported-format corrupt-file encrypted-pdf image-too-large file-too-large active-content
low-resolution blurry timestamp-missing timestamp-cropped order-mismatch order-missing tracking-mismatch
duplicate-file no-delivery-proof no-refund-proof respond-by bundle-too-large reply-no-substance reply-vague
remedy-not-evidenced refund-amount-mismatch asks-personal-data reply-reused reply-attachment-not-mentioned
reply-forbidden-content""".split()

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("code", CONTRACT_CODES)
def test_every_contract_code_is_explained_in_both_languages(code):
    entry = catalogue()[code]
    assert entry["severity"] in {"error", "warning", "info"}
    for key in ("en", "zh", "fix_en", "fix_zh"):
        assert entry[key].strip(), f"{code}: {key} is empty"
    assert CJK.search(entry["fix_zh"]), f"{code}: fix_zh has no Chinese"


def test_catalogue_codes_all_have_both_languages():
    for code, entry in catalogue().items():
        assert {"severity", "en", "zh", "fix_en", "fix_zh"} <= entry.keys(), code


def test_finding_fills_value_threshold_and_edge():
    f = finding("blurry", page=0, value=31.0, threshold=60.0)
    assert f.message == "the text is blurry (sharpness 31, needs 60)"
    assert "31" in f.message_zh and "60" in f.message_zh
    g = finding("timestamp-cropped", page=2, edge="bottom")
    assert "bottom" in g.message and "下" in g.message_zh
    assert g.page == 2 and g.severity.value == "error"


def test_validators_codes_are_in_the_catalogue():
    import validators

    missing = set(validators.codes()) - set(catalogue())
    assert not missing, f"validators emit codes without texts: {missing}"
