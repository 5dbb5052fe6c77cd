"""What the evidence proves, for a reply draft: the facts a reply may state, each with the file that shows it.

`proven_facts(report, claim)` reads only files that did not fail their checks and are not conversation
screenshots (the same rule as the claim checks and the reply lint), prefers facts that belong to the claim (its
tracking number, its order ID), and returns one `Proven`: carrier and tracking number, delivery status, date,
place and signature, the refund (amount, currency, date) and a replacement's tracking number. It also classifies
the delivery place (neighbour, front desk, PO Box, parcel locker, pickup point, handed to a resident) from the
carrier's wording. It never guesses: a fact no usable file shows stays None. No text is written here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from ..facts.phrases import FoldedPattern, phrases_rx
from ..facts.tracking import normalise as normalise_tracking
from ..model import Claim, ClaimReport, FileReport, RefundFact

STATUS_RANK = {"delivered": 3, "exception": 2, "in_transit": 1}


@dataclass(frozen=True)
class UsedFact:
    """One fact a draft states and the file it comes from."""

    name: str  # carrier | tracking | delivered_date | place | signature | refund | refund_date | reship_tracking
    value: str
    file: str


@dataclass
class Proven:
    order_id: str
    carrier: str | None = None
    tracking: str | None = None
    status: str | None = None  # delivered | in_transit | exception
    delivered_date: date | None = None
    place: str | None = None
    place_kind: str | None = None  # a key of [places] in common.toml
    signed: bool = False
    refund: RefundFact | None = None
    refund_date: date | None = None
    reship_carrier: str | None = None
    reship_tracking: str | None = None
    kinds: dict[str, str] = field(default_factory=dict)  # usable file name -> what the draft calls it, file order
    used: list[UsedFact] = field(default_factory=list)
    failed: list[FileReport] = field(default_factory=list)


@lru_cache(maxsize=1)
def common() -> dict[str, Any]:
    path = resources.files("evidence_svc").joinpath("data/reply_templates/common.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _place_patterns() -> dict[str, FoldedPattern]:
    return {kind: phrases_rx(words, prefix=True) for kind, words in common()["places"].items()}


def place_kind(text: str | None) -> str | None:
    """The risky kind of delivery place the carrier's wording names, or "signed" / None."""
    if not text:
        return None
    for kind, rx in _place_patterns().items():  # TOML order: the riskier kinds first
        if rx.search(text):
            return kind
    return None


def usable(report: ClaimReport) -> list[FileReport]:
    return [f for f in report.files if f.status != "fail" and f.kind != "messages"]


def proven_facts(report: ClaimReport, claim: Claim) -> Proven:
    files = usable(report)
    out = Proven(order_id=claim.order_id, failed=[f for f in report.files if f.status == "fail"])
    out.kinds = {f.name: _proof_kind(f) for f in files}
    claim_tracking = [normalise_tracking(t) for t in claim.tracking if t.strip()]
    _tracking(out, files, claim_tracking)
    _delivery(out, files, claim.order_id)
    _refund(out, files, claim.order_id)
    return out


def proofs_for(p: Proven, stated: set[str]) -> list[str]:
    """The usable files behind the facts a draft states (names of `UsedFact`s), in file order; every usable file
    when it states none."""
    behind = {u.file for u in p.used if u.name in stated}
    return [n for n in p.kinds if n in behind] or list(p.kinds)


def _proof_kind(f: FileReport) -> str:
    """What a usable file is called in the draft: a tracking page is "with the delivery scan" only if it shows one."""
    if f.kind == "delivery" and f.facts.delivery.status != "delivered":
        return "tracking"
    return f.kind or "other"


def _tracking(out: Proven, files: list[FileReport], claim_tracking: list[str]) -> None:
    """The claim's first tracking number is the original shipment; a later one of the claim's, or one shown that
    is not the claim's, is a replacement. Without tracking numbers on the claim, the first one shown is the
    original (nothing tells a replacement apart)."""
    shown = [(normalise_tracking(t.number), t.carrier, t.checksum_ok, f.name) for f in files for t in f.facts.tracking]
    original = claim_tracking[:1]
    for number, carrier, checksum_ok, name in shown:
        if out.tracking is None and (number in original or not original):
            out.tracking, out.carrier = number, carrier
            out.used += [UsedFact("tracking", number, name), UsedFact("carrier", carrier, name)]
        elif out.reship_tracking is None and original and number not in original and checksum_ok is not False:
            out.reship_tracking, out.reship_carrier = number, carrier
            out.used += [UsedFact("reship_tracking", number, name)]
            out.kinds[name] = "reship"


def _delivery(out: Proven, files: list[FileReport], order_id: str) -> None:
    def rank(f: FileReport) -> tuple:
        d = f.facts.delivery
        numbers = {normalise_tracking(t.number) for t in f.facts.tracking}
        return (STATUS_RANK.get(d.status or "", 0), bool(d.date), out.tracking in numbers,
                order_id in f.facts.order_ids, f.kind == "delivery", bool(d.location))

    replacement_only = {f.name for f in files if f.facts.tracking and out.reship_tracking
                        and out.tracking not in {normalise_tracking(t.number) for t in f.facts.tracking}}
    candidates = [f for f in files if f.facts.delivery.status and f.name not in replacement_only]
    if not candidates:
        return
    best = max(candidates, key=rank)  # max keeps the first of equals: file order breaks ties
    d = best.facts.delivery
    out.status = d.status
    if d.status != "delivered":
        return
    if d.date:
        out.delivered_date = date.fromisoformat(d.date[:10])
        out.used.append(UsedFact("delivered_date", d.date[:10], best.name))
    if d.location:
        out.place = d.location.strip()
        out.used.append(UsedFact("place", out.place, best.name))
        kind = place_kind(out.place)
        out.signed = kind == "signed"
        out.place_kind = None if kind == "signed" else kind
        if out.signed:
            out.used.append(UsedFact("signature", out.place, best.name))


def _refund(out: Proven, files: list[FileReport], order_id: str) -> None:
    found = [(order_id in f.facts.order_ids, f.name, r) for f in files for r in f.facts.refunds]
    if not found:
        return
    found.sort(key=lambda x: not x[0])  # the claim's order first; stable otherwise
    _, name, refund = found[0]
    out.refund = refund
    out.used.append(UsedFact("refund", f"{refund.amount} {refund.currency}", name))
    # The same refund seen on another file (a receipt and its scan) may carry the date this one lacks.
    for _, other, r in found:
        if r.amount == refund.amount and r.currency == refund.currency and r.date:
            out.refund_date = date.fromisoformat(r.date[:10])
            out.used.append(UsedFact("refund_date", r.date[:10], other))
            break
