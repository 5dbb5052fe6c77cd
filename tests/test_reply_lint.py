"""Reply lint: the seller's draft reply against the rules (per language) and the evidence."""

from __future__ import annotations

from importlib import resources

import pytest

from evidence_svc.config import Settings
from evidence_svc.messages import catalogue
from evidence_svc.model import Claim, Facts, FileReport, RefundFact, TrackingFact
from evidence_svc.reply_lint import RULE_LANGS, lint_reply, rules_for

S = Settings()
REFUND = FileReport(name="refund.png", sha256="r", bytes=1, kind="refund",
                    facts=Facts(refunds=[RefundFact(amount="12.99", currency="USD")]))
RESHIP = FileReport(name="track.png", sha256="t", bytes=1, kind="delivery",
                    facts=Facts(tracking=[TrackingFact(number="1Z879E930346834440", carrier="UPS", checksum_ok=True)]))
GOOD = ("Hello, we refunded $12.99 on Nov 5, 2026 for order 112-1234567-1234567. "
        "We sent the refund confirmation through Buyer-Seller Messages.")


def lint(reply: str, mk: str = "US", files=(REFUND,), earlier=(), tracking=("1Z5R89390357567127",)):
    claim = Claim(order_id="112-1234567-1234567", marketplace=mk, tracking=list(tracking))
    return lint_reply(reply, claim, list(files), S, list(earlier))


def codes(reply: str, **kw) -> list[str]:
    return [f.code for f in lint(reply, **kw)]


def test_a_concrete_evidenced_reply_passes():
    assert codes(GOOD) == []


@pytest.mark.parametrize("reply,mk", [
    ("Hello, we are very sorry for the inconvenience. Best regards", "US"),
    ("Sehr geehrte Kundin, es tut uns leid für die Unannehmlichkeiten. Mit freundlichen Grüßen", "DE"),
    ("お世話になっております。大変申し訳ございません。よろしくお願いいたします。", "JP"),
    ("您好，非常抱歉给您带来不便。谢谢您的理解。", "CN"),
    ("Bonjour, nous sommes désolés pour la gêne occasionnée. Cordialement", "FR"),
    ("", "US"),
])
def test_only_greetings_and_apologies_is_no_substance(reply, mk):
    assert codes(reply, mk=mk, files=()) == ["reply-no-substance"]


@pytest.mark.parametrize("reply,mk", [
    ("Dear customer, we will check with the carrier and get back to you as soon as possible.", "US"),
    ("Hallo, wir werden das prüfen und melden uns so schnell wie möglich bei Ihnen zurück.", "DE"),
    ("ご連絡ありがとうございます。配送状況を確認いたします。少々お待ちください。", "JP"),
    ("您好，我们会核实物流信息，请耐心等待我们的回复，谢谢。", "CN"),
])
def test_vague_promises_without_a_remedy(reply, mk):
    assert codes(reply, mk=mk, files=()) == ["reply-vague"]


def test_a_remedy_the_files_do_not_show():
    found = lint("We have issued a full refund of $12.99 for your order today.", files=())
    assert [(f.code, f.value) for f in found] == [("remedy-not-evidenced", "refund")]
    assert "退款" in found[0].message_zh
    assert codes("We have reshipped the item with a new tracking number 1Z879E930346834440 via Buyer-Seller Messages.",
                 files=(REFUND,)) == ["remedy-not-evidenced"]
    assert codes("We have reshipped the item; new tracking number 1Z879E930346834440 sent via Buyer-Seller Messages.",
                 files=(RESHIP,)) == []


def test_refund_amount_must_match_the_evidence():
    found = lint(GOOD.replace("$12.99", "$10.00"))
    assert [(f.code, f.value, f.threshold) for f in found] == [("refund-amount-mismatch", "10.00 USD", "12.99 USD")]


@pytest.mark.parametrize("reply,mk,flagged", [
    ("Please provide your phone number and home address so we can contact the carrier.", "UK", True),
    ("Bitte teilen Sie uns Ihre Telefonnummer mit, damit wir den Versand prüfen können.", "DE", True),
    ("Pourriez-vous nous communiquer votre numéro de téléphone ?", "FR", True),
    ("Please provide your phone number and home address so we can contact the carrier.", "US", False),
    ("We shipped the parcel to the address on the order on Nov 2, 2026 (tracking 1Z5R89390357567127).", "UK", False),
])
def test_personal_data_requests_on_eu_uk_marketplaces(reply, mk, flagged):
    assert ("asks-personal-data" in codes(reply, mk=mk, files=())) is flagged


def test_reused_reply_is_flagged_even_with_other_numbers():
    earlier = ["Hello, we refunded $19.99 on Oct 2, 2026 for order 113-7654321-7654321. "
               "We sent the refund confirmation through Buyer-Seller Messages."]
    found = [f for f in lint(GOOD, earlier=earlier) if f.code == "reply-reused"]
    assert found and found[0].value >= S.reply_reuse_min_ratio
    assert "reply-reused" not in codes(GOOD, earlier=["Thanks for your order, it ships tomorrow from our warehouse."])


def test_attached_files_must_be_said_to_go_through_buyer_seller_messages():
    assert codes("We refunded $12.99 on Nov 5, 2026.") == ["reply-attachment-not-mentioned"]
    assert codes("We refunded $12.99 on Nov 5, 2026.", files=()) == ["remedy-not-evidenced"]
    assert codes("返金いたしました（¥1,980）。返金の記録は購入者とのメッセージでお送りしました。", mk="JP",
                 files=(FileReport(name="r", sha256="r", bytes=1, kind="refund",
                                   facts=Facts(refunds=[RefundFact(amount="1980", currency="JPY")])),)) == []


@pytest.mark.parametrize("extra,what", [
    (" Contact us at help@example.com.", "an email address"),
    (" <b>Thank you</b>", "HTML markup"),
    (" See https://shop.example.com/returns", "a link to shop.example.com"),
])
def test_forbidden_content(extra, what):
    found = [f for f in lint(GOOD + extra) if f.code == "reply-forbidden-content"]
    assert [f.value for f in found] == [what]


def test_links_to_carrier_tracking_pages_are_allowed():
    assert codes(GOOD + " Track it at https://www.ups.com/track?tracknum=1Z5R89390357567127") == []


def test_a_chinese_reply_on_the_us_marketplace_is_linted_in_chinese_and_flagged():
    found = lint("您好，我们已全额退款12.99美元，退款凭证已通过买家与卖家消息发送。")
    assert [f.code for f in found] == ["reply-language"]
    assert found[0].value == "Chinese" and "中文" in found[0].message_zh and "English" in found[0].message


def test_rules_are_data_per_language_and_every_code_has_texts():
    folder = resources.files("evidence_svc").joinpath("data/reply_rules")
    for lang in ("en", "de", "ja", "zh", "fr"):
        assert folder.joinpath(f"{lang}.toml").is_file()
        r = rules_for(lang)
        assert r.greetings and r.apologies and r.vague and r.remedies["refund"] and r.personal_data and r.bsm
    assert set(RULE_LANGS) >= {"en", "de", "ja", "zh", "fr"}
    for code in ("reply-no-substance", "reply-vague", "remedy-not-evidenced", "refund-amount-mismatch",
                 "asks-personal-data", "reply-reused", "reply-attachment-not-mentioned", "reply-forbidden-content",
                 "reply-language"):
        entry = catalogue()[code]
        assert all(entry.get(k) for k in ("en", "zh", "fix_en", "fix_zh", "severity"))


def test_rules_match_a_reply_typed_without_diacritics():
    eur = FileReport(name="refund.png", sha256="r", bytes=1, kind="refund",
                     facts=Facts(refunds=[RefundFact(amount="12.99", currency="EUR")]))
    typed = "Hallo, wir haben Ihnen den Betrag zuruckerstattet: 12,99 EUR am 05.11.2026. Mit freundlichen Grussen"
    # the remedy is read (and backed by the refund file), the closing is still only a closing
    assert codes(typed, mk="DE", files=(eur,)) == ["reply-attachment-not-mentioned"]
    assert codes("Hallo, wir haben Ihnen den Betrag zuruckerstattet (12,99 EUR).", mk="DE", files=()) == [
        "remedy-not-evidenced"]
