"""Claim checks: response deadlines, the proof each claim reason needs, and tracking numbers of other shipments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from evidence_svc.claim_checks import check_claim_facts
from evidence_svc.config import Settings
from evidence_svc.model import (Claim, DeliveryFact, Facts, FileReport, Reason, RefundFact, Severity,
                                TrackingFact)

OPENED = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
S = Settings()


def claim(reason=Reason.not_received, tracking=("1Z5R89390357567127",), **kw) -> Claim:
    return Claim(order_id="112-1234567-1234567", reason=reason, tracking=list(tracking), opened_at=OPENED, **kw)


def file(name="f.png", kind="delivery", status="pass", **facts) -> FileReport:
    return FileReport(name=name, sha256=name + "-sha", bytes=1, kind=kind, status=status, facts=Facts(**facts))


def delivered(d="2026-11-05") -> DeliveryFact:
    return DeliveryFact(status="delivered", date=d, page=0, box=(1, 2, 3, 4))


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def test_deadlines_are_derived_from_settings():
    info, found, _ = check_claim_facts(claim(), [], S, OPENED + timedelta(hours=1))
    assert info.respond_by == OPENED + timedelta(hours=48)
    assert info.decision_expected_at == OPENED + timedelta(days=10)
    assert "respond-by" not in codes(found)
    info, _, _ = check_claim_facts(claim(), [], Settings(respond_within_hours=72), OPENED)
    assert info.respond_by == OPENED + timedelta(hours=72)


def test_respond_by_warns_when_few_hours_are_left_and_errs_when_past():
    _, found, _ = check_claim_facts(claim(), [], S, OPENED + timedelta(hours=40))
    (f,) = [f for f in found if f.code == "respond-by"]
    assert f.severity == Severity.warning and "8 h 00 min" in f.message and "8 小时" in f.message_zh
    _, found, _ = check_claim_facts(claim(), [], S, OPENED + timedelta(hours=50))
    (f,) = [f for f in found if f.code == "respond-by"]
    assert f.severity == Severity.error and "passed 2 h 00 min ago" in f.message


def test_naive_opened_at_is_utc_and_no_opened_at_means_no_deadline():
    naive = Claim(order_id="112-1234567-1234567", opened_at=datetime(2026, 11, 24, 9, 0))
    info, _, _ = check_claim_facts(naive, [], S, OPENED)
    assert info.respond_by == OPENED + timedelta(hours=48)
    info, found, _ = check_claim_facts(Claim(order_id="112-1234567-1234567"), [], S, OPENED)
    assert info.respond_by is None and "respond-by" not in codes(found)


def test_not_received_needs_a_dated_delivered_scan():
    now = OPENED
    assert "no-delivery-proof" not in codes(check_claim_facts(claim(), [file(delivery=delivered())], S, now)[1])
    _, found, _ = check_claim_facts(claim(), [file(delivery=DeliveryFact(status="delivered"))], S, now)
    assert "no delivery date" in next(f for f in found if f.code == "no-delivery-proof").message
    _, found, _ = check_claim_facts(claim(), [file(delivery=DeliveryFact(status="in_transit"))], S, now)
    assert "in transit" in next(f for f in found if f.code == "no-delivery-proof").message
    assert "no-delivery-proof" in codes(check_claim_facts(claim(), [], S, now)[1])


def test_delivery_after_the_claim_was_opened_is_no_proof():
    _, found, _ = check_claim_facts(claim(), [file(delivery=delivered("2026-11-26"))], S, OPENED)
    f = next(f for f in found if f.code == "no-delivery-proof")
    assert f.value == "2026-11-26" and f.threshold == "2026-11-24" and f.box == (1, 2, 3, 4)


def test_messages_and_failed_files_do_not_prove_anything():
    msg = file("chat.png", kind="messages", delivery=delivered(), refunds=[RefundFact(amount="9.99", currency="USD")])
    bad = file("blurry.png", status="fail", delivery=delivered())
    assert "no-delivery-proof" in codes(check_claim_facts(claim(), [msg, bad], S, OPENED)[1])
    assert "no-refund-proof" in codes(check_claim_facts(claim(Reason.refund_not_received), [msg], S, OPENED)[1])


def test_refund_claims_need_a_refund_record_and_other_reasons_do_not():
    refund = file("r.png", kind="refund", refunds=[RefundFact(amount="9.99", currency="USD")])
    assert "no-refund-proof" not in codes(check_claim_facts(claim(Reason.refund_not_received), [refund], S, OPENED)[1])
    assert "no-refund-proof" in codes(check_claim_facts(claim(Reason.refund_not_received), [], S, OPENED)[1])
    found = check_claim_facts(claim(Reason.damaged), [], S, OPENED)[1]
    assert not {"no-refund-proof", "no-delivery-proof"} & set(codes(found))


def test_tracking_mismatch_is_reported_per_file():
    ours = file("ours.png", tracking=[TrackingFact(number="1Z5R89390357567127", carrier="UPS", checksum_ok=True)])
    other = file("other.png", tracking=[TrackingFact(number="RB123456785GB", carrier="RoyalMail", checksum_ok=True,
                                                     page=0, box=(5, 6, 7, 8))])
    none = file("none.png")
    _, claim_found, per_file = check_claim_facts(claim(), [ours, other, none], S, OPENED)
    assert set(per_file) == {"other.png-sha"} and "tracking-mismatch" not in codes(claim_found)
    (f,) = per_file["other.png-sha"]
    assert f.code == "tracking-mismatch" and f.value == "RB123456785GB" and f.box == (5, 6, 7, 8)
    assert check_claim_facts(claim(tracking=()), [other], S, OPENED)[2] == {}


def test_a_misread_of_the_claims_number_and_usps_routing_are_not_mismatches():
    misread = file("m.png", tracking=[TrackingFact(number="1Z5R89390357567128", carrier="UPS", checksum_ok=False)])
    assert check_claim_facts(claim(), [misread], S, OPENED)[2] == {}
    usps = file("u.png", tracking=[TrackingFact(number="9400111206206406260787", carrier="USPS", checksum_ok=True)])
    routed = claim(tracking=("420 78745 9400 1112 0620 6406 2607 87",))
    assert check_claim_facts(routed, [usps], S, OPENED)[2] == {}
