"""Claim checks: the files' facts against the claim — deadlines, the proof the claim reason needs, mismatches.

`check_claim_facts(claim, files, settings, now)` returns the claim as printed in the report (with its deadlines),
the claim-level findings, and per-file findings keyed by the file's sha256 (the pipeline adds those to each
`FileReport`). Proof only counts from files that did not fail their own checks and that are not conversation
screenshots (`kind == "messages"`): what a seller wrote to a buyer is not a record that something happened.
All windows come from `Settings` (Amazon's own pages disagree: 48 hours vs 3 calendar days).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from .config import Settings
from .facts.tracking import normalise as normalise_tracking
from .messages import finding
from .model import Claim, ClaimInfo, FileReport, Finding, Reason, Severity
from .rules import deadlines

MAX_SHOWN = 3  # tracking numbers quoted in one finding


def check_claim_facts(
    claim: Claim, files: list[FileReport], settings: Settings, now: datetime
) -> tuple[ClaimInfo, list[Finding], dict[str, list[Finding]]]:
    info = claim_info(claim, settings)
    findings: list[Finding] = []
    deadline = _respond_by(info, settings, now)
    if deadline:
        findings.append(deadline)
    proof = [f for f in files if f.status != "fail" and f.kind != "messages"]
    if claim.reason == Reason.not_received:
        missing = _delivery_proof(claim, proof)
        if missing:
            findings.append(missing)
    if claim.reason == Reason.refund_not_received and not any(f.facts.refunds for f in proof):
        findings.append(finding("no-refund-proof"))
    per_file: dict[str, list[Finding]] = {}
    if claim.tracking:
        for f in files:
            mismatch = _tracking_mismatch(claim, f)
            if mismatch:
                per_file.setdefault(f.sha256, []).append(mismatch)
    return info, findings, per_file


def claim_info(claim: Claim, settings: Settings) -> ClaimInfo:
    due = deadlines(claim.opened_at, settings)
    return ClaimInfo(
        order_id=claim.order_id, reason=claim.reason, marketplace=claim.marketplace, tracking=list(claim.tracking),
        opened_at=_utc(claim.opened_at), order_total=claim.order_total,
        respond_by=due.respond_by, decision_expected_at=due.decision_expected_at,
    )


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def _span(seconds: float) -> tuple[str, str]:
    hours, minutes = divmod(int(abs(seconds)) // 60, 60)
    return f"{hours} h {minutes:02d} min", f"{hours} 小时 {minutes:02d} 分钟"


def _respond_by(info: ClaimInfo, settings: Settings, now: datetime) -> Finding | None:
    if info.respond_by is None:
        return None
    left = (info.respond_by - _utc(now)).total_seconds()  # type: ignore[operator]
    when = info.respond_by.strftime("%Y-%m-%d %H:%M UTC")
    en, zh = _span(left)
    if left < 0:
        return finding("respond-by", severity=Severity.error, value=round(left / 3600, 1), threshold=0.0,
                       detail=f"the response deadline ({when}) passed {en} ago",
                       detail_zh=f"回复截止时间（{when}）已过去 {zh}")
    if left < settings.respond_warn_hours * 3600:
        return finding("respond-by", severity=Severity.warning, value=round(left / 3600, 1),
                       threshold=settings.respond_warn_hours,
                       detail=f"only {en} left to respond (until {when})",
                       detail_zh=f"距回复截止（{when}）仅剩 {zh}")
    return None


def _delivery_proof(claim: Claim, files: list[FileReport]) -> Finding | None:
    opened = _utc(claim.opened_at)
    delivered = [f for f in files if f.facts.delivery.status == "delivered"]
    dated = [f for f in delivered if f.facts.delivery.date]
    if opened is not None and dated:
        before = [f for f in dated if date.fromisoformat(f.facts.delivery.date or "") <= opened.date()]
        if not before:
            first = dated[0]
            d = first.facts.delivery.date
            o = opened.date().isoformat()
            return finding("no-delivery-proof", page=first.facts.delivery.page, box=first.facts.delivery.box,
                           value=d, threshold=o,
                           detail=f"{first.name} shows delivery on {d}, after the claim was opened ({o})",
                           detail_zh=f"{first.name} 显示的签收日期 {d} 晚于索赔提出日期（{o}）")
        return None
    if dated:
        return None
    if delivered:
        return finding("no-delivery-proof",
                       detail=f"{delivered[0].name} says 'Delivered' but shows no delivery date next to it",
                       detail_zh=f"{delivered[0].name} 显示“已签收”，但旁边没有签收日期")
    others = {f.facts.delivery.status for f in files if f.facts.delivery.status}
    if others:
        status = "exception" if "exception" in others else "in_transit"
        en = {"exception": "a delivery problem", "in_transit": "the parcel still in transit"}[status]
        zh = {"exception": "派送异常", "in_transit": "包裹仍在运输中"}[status]
        return finding("no-delivery-proof", value=status,
                       detail=f"no file shows a delivered scan with a date; the evidence shows {en}",
                       detail_zh=f"没有文件显示带日期的签收记录；证据显示{zh}")
    return finding("no-delivery-proof",
                   detail="no file shows a delivered scan with a date",
                   detail_zh="没有文件显示带日期的签收记录")


def _tracking_mismatch(claim: Claim, f: FileReport) -> Finding | None:
    shown = f.facts.tracking
    if not shown:
        return None
    wanted = {normalise_tracking(t) for t in claim.tracking if t.strip()}
    if not wanted:
        return None
    for t in shown:
        n = normalise_tracking(t.number)
        if n in wanted or any(_misread_of(t.number, w, t.checksum_ok) for w in wanted):
            return None
    numbers = list(dict.fromkeys(t.number for t in shown))
    value = ", ".join(numbers[:MAX_SHOWN]) + (" ..." if len(numbers) > MAX_SHOWN else "")
    return finding("tracking-mismatch", page=shown[0].page, box=shown[0].box, value=value,
                   threshold=", ".join(sorted(wanted)))


def _misread_of(seen: str, wanted: str, checksum_ok: bool | None) -> bool:
    """A number whose check digit failed and that differs from the claim's in one character is the claim's number
    read badly, not another shipment."""
    if checksum_ok is not False or len(seen) != len(wanted):
        return False
    return sum(a != b for a, b in zip(seen, wanted)) <= 1
