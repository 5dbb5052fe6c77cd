"""Reply drafts: built from real pipeline reports of the sample claims (and from hand-built reports for the cases
the samples lack), checked with the product's own reply lint in every language, for the facts they state and the
facts they must not state."""

from __future__ import annotations

import itertools
import os
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from evidence_svc.claim_folder import load_claim_toml
from evidence_svc.config import Settings, load_settings
from evidence_svc.model import (Claim, ClaimInfo, ClaimReport, DeliveryFact, Facts, FileReport, Finding,
                                RefundFact, Severity, TrackingFact)
from evidence_svc.pipeline import check_claim
from evidence_svc.reply_draft import LANGS, draft_reply, language_for
from evidence_svc.reply_draft.templates import templates
from evidence_svc.reply_lint import _reuse, lint_reply

S = Settings()
NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)
HOME = {"en": "US", "de": "DE", "fr": "FR", "it": "IT", "es": "ES", "ja": "JP", "zh": "CN"}
LOCALE = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "it": "it_IT", "es": "es_ES", "ja": "ja_JP", "zh": "zh_CN"}


# --------------------------------------------------------------------------------------------- helpers


def lint(text: str, claim: Claim, report: ClaimReport, lang: str, earlier: list[str] | None = None) -> list[Finding]:
    """The reply lint as the marketplace that reads `lang` would run it (a German draft is for amazon.de)."""
    home = claim.model_copy(update={"marketplace": HOME[lang], "reply": text})
    return lint_reply(text, home, report.files, S, earlier or [])


def problems(found: list[Finding]) -> list[tuple[str, object]]:
    return [(f.code, f.value) for f in found if f.severity != Severity.info]


def long_date(iso: str, lang: str) -> str:
    return format_date(date.fromisoformat(iso[:10]), "long", locale=LOCALE[lang]).replace("\u00a0", " ")


def money(amount: str, currency: str, lang: str) -> str:
    text = format_currency(Decimal(amount), currency, locale=LOCALE[lang])
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def usable(report: ClaimReport) -> list[FileReport]:
    return [f for f in report.files if f.status != "fail" and f.kind != "messages"]


# --------------------------------------------------------------------------------------------- sample claims


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> dict[str, tuple[Claim, ClaimReport]]:
    from samples.claims import generate_claims

    root = tmp_path_factory.mktemp("claims")
    generate_claims(root, seed=7)
    settings = load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=min(2, os.cpu_count() or 1))
    out = {}
    for toml in sorted(root.glob("*/claim.toml")):
        claim, files = load_claim_toml(toml)
        out[toml.parent.name] = (claim, check_claim(claim, files, settings, now=NOW))
    assert len(out) >= 4 and {"us_not_received", "jp_not_received", "us_bad_evidence"} <= out.keys()
    return out


@pytest.mark.parametrize("appeal", [False, True], ids=["reply", "appeal"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_sample_draft_passes_the_reply_lint_in_every_language(samples, lang, appeal):
    for name, (claim, report) in samples.items():
        draft = draft_reply(report, claim, lang=lang, appeal=appeal)
        assert draft.lang == lang
        assert problems(lint(draft.text, claim, report, lang)) == [], (name, draft.text)
        assert problems(lint(draft.text_zh, claim, report, "zh")) == [], (name, draft.text_zh)
        assert claim.order_id in draft.text and claim.order_id in draft.text_zh


@pytest.mark.parametrize("lang", LANGS)
def test_sample_drafts_state_every_proven_fact_in_the_languages_format(samples, lang):
    for name, (claim, report) in samples.items():
        draft = draft_reply(report, claim, lang=lang)
        good = usable(report)
        shown = {t.number for f in good for t in f.facts.tracking}
        for number in claim.tracking:
            assert (number in draft.text) == (number in shown), (name, number, draft.text)
        delivered = [f.facts.delivery.date for f in good if f.facts.delivery.status == "delivered" and
                     f.facts.delivery.date]
        if claim.reason.value == "not_received" and delivered:
            assert long_date(delivered[0], lang) in draft.text, (name, draft.text)
        for refund in (r for f in good for r in f.facts.refunds):
            assert money(refund.amount, refund.currency, lang) in draft.text, (name, draft.text)
        assert {u.name for u in draft.facts_used} >= ({"tracking"} if shown else set())


def test_the_german_refund_sample_states_amount_and_date_from_the_receipts(samples):
    claim, report = samples["de_refund_not_received"]
    draft = draft_reply(report, claim)
    assert draft.lang == "de" and draft.remedy == "refund"
    assert "71,47 €" in draft.text and "31. Oktober 2026" in draft.text
    assert "2026年10月31日" in draft.text_zh and "71.47" in draft.text_zh
    assert "Käufer-Verkäufer-Nachrichten" in draft.text and draft.missing == []
    stored = ClaimReport.model_validate_json(report.to_json())  # what the store hands back
    assert draft_reply(stored).text == draft.text


@pytest.mark.parametrize("lang", LANGS)
def test_facts_seen_only_on_failed_files_are_never_written(samples, lang):
    for name, (claim, report) in samples.items():
        good = usable(report)
        proven_text = " ".join(
            [t.number for f in good for t in f.facts.tracking] + [o for f in good for o in f.facts.order_ids]
            + [claim.order_id])
        proven_dates = {f.facts.delivery.date for f in good} | {r.date for f in good for r in f.facts.refunds}
        proven_dates |= {t.value[:10] for f in good for t in f.facts.timestamps}
        draft = draft_reply(report, claim, lang=lang)
        for bad in (f for f in report.files if f.status == "fail"):
            for number in [t.number for t in bad.facts.tracking] + bad.facts.order_ids:
                if number not in proven_text:
                    assert number not in draft.text, (name, number)
            d = bad.facts.delivery.date
            if d and d not in proven_dates:
                assert long_date(d, lang) not in draft.text, (name, d)


def test_the_bad_evidence_sample_states_nothing_unproven_and_lists_what_to_add(samples):
    claim, report = samples["us_bad_evidence"]
    draft = draft_reply(report, claim)
    assert claim.tracking[0] not in draft.text and "November 5, 2026" not in draft.text
    codes = [n.code for n in draft.missing]
    assert "delivery" in codes and codes.count("failed") == 3
    assert all(n.message and n.message_zh and n.message != n.message_zh for n in draft.missing)
    assert draft.facts_used == []


@pytest.mark.parametrize("lang", LANGS)
def test_two_sample_claims_of_the_same_kind_read_differently(samples, lang):
    same_kind = [samples[n] for n in ("us_not_received", "jp_not_received", "us_bad_evidence")]
    for (ca, ra), (cb, rb) in itertools.combinations(same_kind, 2):
        a, b = draft_reply(ra, ca, lang=lang).text, draft_reply(rb, cb, lang=lang).text
        assert a != b
        assert "reply-reused" not in [f.code for f in lint(b, cb, rb, lang, earlier=[a])]


# --------------------------------------------------------------------------------------------- hand-built reports

ORDER = "112-6518054-2727530"
UPS = "1ZDDWH540111788166"


def delivery_file(location: str | None = "RALEIGH, NC, US (Front Door)", *, number: str = UPS, carrier: str = "UPS",
                  status: str = "delivered", day: str | None = "2026-11-01", name: str = "tracking.png") -> FileReport:
    return FileReport(name=name, sha256=name, bytes=1, kind="delivery", facts=Facts(
        tracking=[TrackingFact(number=number, carrier=carrier, checksum_ok=True)],
        delivery=DeliveryFact(status=status, date=day, location=location)))


def refund_file(amount: str = "23.45", currency: str = "USD", day: str | None = "2026-11-03") -> FileReport:
    return FileReport(name="refund.pdf", sha256="refund", bytes=1, kind="refund", facts=Facts(
        order_ids=[ORDER], refunds=[RefundFact(amount=amount, currency=currency, date=day)]))


def case(*files: FileReport, reason: str = "not_received", marketplace: str = "US",
         tracking: tuple[str, ...] = (UPS,), order_id: str = ORDER) -> tuple[Claim, ClaimReport]:
    claim = Claim(order_id=order_id, reason=reason, marketplace=marketplace, tracking=list(tracking))
    info = ClaimInfo(order_id=order_id, reason=claim.reason, marketplace=marketplace, tracking=list(tracking))
    return claim, ClaimReport(claim=info, files=list(files))


REFUND_WORDS = {"en": "refund", "de": "erstatt", "fr": "rembours", "it": "rimbors", "es": "reembols", "ja": "返金",
                "zh": "退款"}


@pytest.mark.parametrize("lang", LANGS)
def test_refund_remedy_without_refund_evidence_is_not_stated_and_missing_says_so(lang):
    claim, report = case(delivery_file(), reason="damaged", marketplace=HOME[lang])
    draft = draft_reply(report, claim, remedy="refund")
    assert draft.remedy == "refund"
    assert REFUND_WORDS[lang] not in draft.text.lower()
    assert "退款" not in draft.text_zh
    note = next(n for n in draft.missing if n.code == "refund")
    assert "refund receipt" in note.message and "退款凭证" in note.message_zh
    assert problems(lint(draft.text, claim, report, lang)) == []


def test_a_proven_refund_is_stated_with_amount_and_date_and_passes_the_amount_check():
    claim, report = case(delivery_file(), refund_file(), reason="damaged")
    draft = draft_reply(report, claim)
    assert draft.remedy == "refund" and "$23.45" in draft.text and "November 3, 2026" in draft.text
    assert problems(lint(draft.text, claim, report, "en")) == []
    assert {u.name for u in draft.facts_used} >= {"refund", "refund_date"}


@pytest.mark.parametrize("lang,word", [("en", "neighbour"), ("de", "Nachbar"), ("fr", "voisin"), ("it", "vicin"),
                                       ("es", "vecino"), ("ja", "近隣"), ("zh", "邻居")])
def test_neighbour_delivery_is_named_in_the_draft_and_next_steps_suggest_asking(lang, word):
    claim, report = case(delivery_file("Delivered to neighbour (No. 14)"), marketplace=HOME[lang])
    draft = draft_reply(report, claim)
    assert word in draft.text and "No. 14" in draft.text and "邻居" in draft.text_zh
    step = next(n for n in draft.next_steps if n.code == "neighbour")
    assert "neighbour" in step.message and "GPS" in step.message and "邻居" in step.message_zh
    assert problems(lint(draft.text, claim, report, lang)) == []


@pytest.mark.parametrize("location,kind", [
    ("Front Desk/Reception", "reception"), ("PO BOX 1234, SEATTLE, WA", "po_box"), ("Packstation 117", "locker"),
    ("UPS Access Point, Main St", "pickup_point"), ("Delivered, Left with Individual", "resident"),
    ("zugestellt an Nachbar Müller", "neighbour"), ("宅配ボックス", "locker"),
])
def test_risky_delivery_places_are_named_with_a_next_step(location, kind):
    claim, report = case(delivery_file(location))
    draft = draft_reply(report, claim)
    assert kind in [n.code for n in draft.next_steps]
    assert "pod" not in [n.code for n in draft.next_steps]
    where = templates("en")["risk"][kind]["where"]
    assert where in draft.text
    assert (location in draft.text) == (location != "宅配ボックス")  # kana only in a Japanese draft
    assert problems(lint(draft.text, claim, report, "en")) == []
    assert location in draft_reply(report, claim, lang="ja").text


def test_a_signature_is_stated_and_a_plain_front_door_scan_suggests_carrier_proof():
    claim, report = case(delivery_file("Signed by: JSMITH"))
    signed = draft_reply(report, claim)
    assert "signature" in [u.name for u in signed.facts_used] and "sign" in signed.text.lower()
    claim, report = case(delivery_file())
    plain = draft_reply(report, claim)
    assert "pod" in [n.code for n in plain.next_steps] and "RALEIGH, NC, US (Front Door)" in plain.text


def test_a_parcel_in_transit_is_stated_as_shipped_only():
    claim, report = case(delivery_file(None, status="in_transit", day=None))
    draft = draft_reply(report, claim)
    assert UPS in draft.text and "deliver" not in draft.text.lower()
    assert "delivery" in [n.code for n in draft.missing]
    assert "not_delivered" in [n.code for n in draft.next_steps]
    assert problems(lint(draft.text, claim, report, "en")) == []


def test_a_replacement_tracking_number_is_stated_as_the_reshipment():
    new = "1Z999AA10123456784"
    reship = delivery_file(None, number=new, status="in_transit", day=None, name="replacement.png")
    claim, report = case(delivery_file(), reship, reason="damaged", tracking=(UPS, new))
    draft = draft_reply(report, claim)
    assert draft.remedy == "reship" and new in draft.text and "replacement" in draft.text
    assert problems(lint(draft.text, claim, report, "en")) == []
    claim, report = case(delivery_file(), reason="damaged")
    assert "reship" in [n.code for n in draft_reply(report, claim, remedy="reship").missing]


@pytest.mark.parametrize("lang,root,steps", [("en", "Root cause", "Corrective steps"), ("de", "Ursache", "Abhilfe"),
                                             ("ja", "原因", "改善策"), ("zh", "根本原因", "改进措施")])
def test_the_appeal_has_root_cause_and_corrective_steps_and_differs_from_the_reply(lang, root, steps):
    claim, report = case(delivery_file("Delivered to neighbour"), marketplace=HOME[lang])
    reply = draft_reply(report, claim)
    appeal = draft_reply(report, claim, appeal=True)
    assert appeal.appeal and root in appeal.text and steps in appeal.text
    assert root not in reply.text and appeal.text != reply.text
    assert _reuse(appeal.text, [reply.text]) < S.reply_reuse_min_ratio
    assert "appeal" in [n.code for n in appeal.next_steps]
    assert problems(lint(appeal.text, claim, report, lang)) == []


def test_earlier_replies_steer_the_phrasing_away_from_a_reuse():
    claim, report = case(delivery_file())
    first = draft_reply(report, claim).text
    ids = (f"113-{n:07d}-{n * 7 % 9999999:07d}" for n in range(1000, 2000))
    twin = next(c for c in (case(delivery_file(), order_id=i)[0] for i in ids)
                if _reuse(draft_reply(report, c).text, [first]) >= S.reply_reuse_min_ratio)
    steered = draft_reply(report, twin, earlier_replies=[first], settings=S)
    assert "reply-reused" not in [f.code for f in lint(steered.text, twin, report, "en", earlier=[first])]
    assert draft_reply(report, twin, earlier_replies=[first]).text == steered.text  # still deterministic


def test_the_language_follows_the_marketplace_unless_asked():
    assert [language_for(m) for m in ("US", "UK", "DE", "FR", "IT", "ES", "MX", "JP", "NL", "SE", "PL")] == \
        ["en", "en", "de", "fr", "it", "es", "es", "ja", "en", "en", "en"]
    claim, report = case(delivery_file(), marketplace="UK")
    assert "1 November 2026" in draft_reply(report, claim).text
    assert draft_reply(report, claim, lang="ja").lang == "ja"
    with pytest.raises(ValueError):
        draft_reply(report, claim, lang="xx")


def test_the_brief_tone_keeps_the_facts_and_the_messages_sentence():
    claim, report = case(delivery_file(), refund_file(), reason="refund_not_received")
    full, brief = draft_reply(report, claim), draft_reply(report, claim, tone="brief")
    assert len(brief.text) < len(full.text) and "$23.45" in brief.text and "Buyer-Seller Messages" in brief.text
    assert problems(lint(brief.text, claim, report, "en")) == []


def test_every_language_file_has_every_slot_with_at_least_three_variants():
    def slots(node, path=""):
        for key, value in node.items():
            if isinstance(value, dict):
                yield from slots(value, f"{path}{key}.")
            elif isinstance(value, list):
                yield f"{path}{key}", value

    reference = dict(slots(templates("en")))
    for lang in LANGS:
        own = dict(slots(templates(lang)))
        assert own.keys() == reference.keys(), lang
        for path, variants in own.items():
            assert len(variants) >= 3, (lang, path)
            assert len(set(variants)) == len(variants), (lang, path)
        for kind in ("neighbour", "reception", "po_box", "locker", "pickup_point", "resident"):
            assert templates(lang)["risk"][kind]["where"] and templates(lang)["risk"][kind]["ask"]


@pytest.mark.parametrize("appeal", [False, True], ids=["reply", "appeal"])
@pytest.mark.parametrize("lang", LANGS)
def test_every_reason_and_remedy_passes_the_lint_with_full_evidence_and_with_none(lang, appeal):
    new = "1Z999AA10123456784"
    full = (delivery_file("Delivered to neighbour"), refund_file(),
            delivery_file(None, number=new, status="in_transit", day=None, name="replacement.png"))
    for reason, remedy, files in itertools.product(
            ("not_received", "damaged", "not_as_described", "refund_not_received", "promise_not_kept"),
            ("refund", "reship", "none"), (full, ())):
        for tone in ("full", "brief"):
            claim, report = case(*files, reason=reason, marketplace=HOME[lang], tracking=(UPS, new))
            draft = draft_reply(report, claim, remedy=remedy, tone=tone, appeal=appeal)
            assert problems(lint(draft.text, claim, report, lang)) == [], (reason, remedy, tone, draft.text)
            assert problems(lint(draft.text_zh, claim, report, "zh")) == [], (reason, remedy, tone, draft.text_zh)
            if files and remedy == "refund":
                assert money("23.45", "USD", lang) in draft.text
            if files and remedy == "reship":
                assert new in draft.text


@pytest.mark.parametrize("amount,currency", [("23.45", "USD"), ("71.47", "EUR"), ("4460", "JPY"), ("12.00", "GBP"),
                                             ("1299.00", "EUR")])
@pytest.mark.parametrize("lang", LANGS)
def test_refund_amounts_in_every_currency_match_the_evidence_for_the_lint(lang, amount, currency):
    claim, report = case(refund_file(amount, currency), reason="refund_not_received", marketplace=HOME[lang])
    draft = draft_reply(report, claim)
    assert money(amount, currency, lang) in draft.text
    assert problems(lint(draft.text, claim, report, lang)) == [], draft.text
