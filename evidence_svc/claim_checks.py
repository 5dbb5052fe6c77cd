"""Claim checks: the files' facts against the claim — deadlines, the proof the claim reason needs, mismatches.

`check_claim_facts(claim, files, settings, now)` returns the claim as printed in the report (with its deadlines),
the claim-level findings, and per-file findings keyed by the file's sha256 (the pipeline adds those to each
`FileReport`). Proof only counts from files that did not fail their own checks and that are not conversation
screenshots (`kind == "messages"`): what a seller wrote to a buyer is not a record that something happened.
All windows come from `Settings` (Amazon's own pages disagree: 48 hours vs 3 calendar days). Deadlines are shown
in the seller's zone (`claim.timezone`, else the system's). When no accepted file proves delivery but a failed one
shows the delivered scan, the finding names that file, why it failed and how to fix it. `settle_duplicates` is the
one step that changes its input: it moves each `duplicate-file` finding onto the copy to remove and says which copy
to keep (`copies.best_copy`: the one that passed, then the higher resolution, then not a JPEG re-save, then the
larger file - as the bundle keeps it). It does not read files or render text.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from .config import Settings
from .copies import DUPLICATE, best_copy, copy_groups, lossless, passes, pixels
from .facts.tracking import normalise as normalise_tracking
from .labels import labels_for
from .messages import finding
from .model import Claim, ClaimInfo, FileReport, Finding, Reason, Severity
from .rules import deadlines, local_time, seller_zone

MAX_SHOWN = 3  # tracking numbers quoted in one finding
OTHER_SHIPMENT = ("order-mismatch", "tracking-mismatch")  # a failed file about another order proves nothing here


def check_claim_facts(
    claim: Claim, files: list[FileReport], settings: Settings, now: datetime
) -> tuple[ClaimInfo, list[Finding], dict[str, list[Finding]]]:
    info = claim_info(claim, settings)
    settle_duplicates(files)
    findings: list[Finding] = []
    deadline = _respond_by(info, settings, now)
    if deadline:
        findings.append(deadline)
    proof = [f for f in files if f.status != "fail" and f.kind != "messages"]
    if claim.reason == Reason.not_received:
        missing = _delivery_proof(claim, proof) or None
        if missing is not None and not any(f.facts.delivery.status == "delivered" for f in proof):
            missing = _delivered_in_failed(files) or missing
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
        timezone=seller_zone(claim.timezone).key,
    )


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def span(seconds: float, lang: str) -> str:
    """A length of time as the report says it: "25 h 00 min", "25 小时 00 分钟"."""
    hours, minutes = divmod(int(abs(seconds)) // 60, 60)
    return labels_for(lang)["report"]["hours_minutes"].format(h=hours, m=minutes)


def _respond_by(info: ClaimInfo, settings: Settings, now: datetime) -> Finding | None:
    if info.respond_by is None:
        return None
    left = (info.respond_by - _utc(now)).total_seconds()  # type: ignore[operator]
    when, when_zh = local_time(info.respond_by, info.timezone, "en"), local_time(info.respond_by, info.timezone, "zh")
    en, zh = span(left, "en"), span(left, "zh")
    if left < 0:
        return finding("respond-by", severity=Severity.error, value=round(left / 3600, 1), threshold=0.0,
                       fix="late", detail=f"the response deadline ({when}) passed {en} ago",
                       detail_zh=f"回复截止时间（{when_zh}）已过去 {zh}")
    if left < settings.respond_warn_hours * 3600:
        return finding("respond-by", severity=Severity.warning, value=round(left / 3600, 1),
                       threshold=settings.respond_warn_hours,
                       detail=f"only {en} left to respond (until {when})",
                       detail_zh=f"距回复截止（{when_zh}）仅剩 {zh}")
    return None


def _delivered_in_failed(files: list[FileReport]) -> Finding | None:
    """No accepted file proves delivery, but a failed one shows the delivered scan: say which, why, and the fix."""
    for f in files:
        if f.status != "fail" or f.kind == "messages" or f.facts.delivery.status != "delivered":
            continue
        errors = [x for x in f.findings if x.severity == Severity.error and x.code != DUPLICATE]
        if not errors or any(x.code in OTHER_SHIPMENT for x in errors):
            continue
        why = errors[0]
        en = labels_for("en")["report"]["delivered_in_failed"].format(file=f.name, why=why.message)
        zh = labels_for("zh")["report"]["delivered_in_failed"].format(file=f.name, why=why.message_zh)
        return finding("no-delivery-proof", value=f.name,
                       fix="failed", file=f.name, file_fix=why.hint, file_fix_zh=why.hint_zh,
                       detail=f"no accepted file shows a delivered scan: {en}",
                       detail_zh=f"没有通过检查的文件显示签收记录：{zh}")
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


def settle_duplicates(files: list[FileReport]) -> None:
    """Say which copy of a duplicate to keep: the `duplicate-file` finding goes on every other copy, naming the kept
    one and why. Copies are the same bytes or files a `duplicate-file` finding links (the validator's pHash match)."""
    groups = copy_groups(files)
    for members in groups:
        if len(members) < 2:
            continue
        best = best_copy(files, members)
        old = [x for i in members for x in files[i].findings if x.code == DUPLICATE]
        threshold = next((x.threshold for x in old if x.threshold is not None), None)
        for i in members:
            files[i].findings = [x for x in files[i].findings if x.code != DUPLICATE]
            if i == best:
                continue
            en, zh = _why_kept(files[best], files[i])
            files[i].findings.append(finding(DUPLICATE, value=files[best].name, threshold=threshold, fix="keep",
                                             text="later" if best > i else None, keep=files[best].name,
                                             drop=files[i].name, why=en, why_zh=zh))


def _why_kept(kept: FileReport, dropped: FileReport) -> tuple[str, str]:
    en, zh = labels_for("en")["report"], labels_for("zh")["report"]
    if passes(kept) and not passes(dropped):
        key, values = "keep_passed", {}
    elif pixels(kept) > pixels(dropped):
        first = kept.pages[0] if kept.pages else None
        key, values = "keep_pixels", {"w": first.width if first else 0, "h": first.height if first else 0}
    elif lossless(kept) and not lossless(dropped):
        key, values = "keep_lossless", {}
    elif kept.bytes > dropped.bytes:
        key, values = "keep_bytes", {}
    else:
        key, values = "keep_first", {}
    return en[key].format(**values), zh[key].format(**values)
