"""Composing a reply draft: which sentences a claim needs, in which order, filled with proven facts only.

`draft_reply(report, claim, ...)` plans the sentences from the claim reason, the remedy and what `evidence.py`
found proven (opening, delivery or shipment, delivery place and its risk, signature, refund or replacement,
the Buyer-Seller Messages sentence, closing; for an appeal the root cause and corrective steps), renders the plan
in the buyer's language and in Chinese for the seller, and lists what is missing and what to do next. It never
writes a fact no usable file shows and never reads files, the store or the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from ..config import Settings
from ..model import Claim, ClaimReport, Reason
from ..reply_lint import _reuse  # the lint's own similarity measure, so a draft it accepts is one the lint accepts
from .evidence import Proven, common, proofs_for, proven_facts
from .templates import carrier_name, fmt_date, fmt_money, language_for, pick, slot

Remedy = Literal["refund", "reship", "none"]
Tone = Literal["full", "brief"]
DELIVERY_REASONS = (Reason.not_received, Reason.promise_not_kept)
ITEM_REASONS = (Reason.damaged, Reason.not_as_described)
APPEAL_GROUP = {Reason.not_received: "delivery", Reason.promise_not_kept: "delivery", Reason.damaged: "item",
                Reason.not_as_described: "item", Reason.refund_not_received: "refund"}
_CJK_GAP = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")
_KANA = re.compile(r"[\u3040-\u30ff]")
MAX_VARIANT_TRIES = 12  # other phrasings tried when the first is too close to an earlier reply
STATES = {"facts.delivered": {"tracking", "carrier", "delivered_date"}, "facts.shipped": {"tracking", "carrier"},
          "facts.place": {"place"}, "risk.frames": {"place"}, "facts.signed": {"signature"},
          "facts.refund": {"refund", "refund_date"}, "appeal.refund": {"refund", "refund_date"},
          "facts.reship": {"reship_tracking"}}  # the facts each sentence states


class Note(BaseModel):
    """A bilingual note for the seller: what to add, or what to do next."""

    code: str
    message: str
    message_zh: str


class FactUsed(BaseModel):
    name: str
    value: str
    file: str


class ReplyDraft(BaseModel):
    lang: str
    text: str
    text_zh: str = Field(description="the same sentences in Chinese, for the seller to read what is sent")
    facts_used: list[FactUsed] = Field(default_factory=list)
    missing: list[Note] = Field(default_factory=list)
    next_steps: list[Note] = Field(default_factory=list)
    template_id: str
    remedy: Remedy = "none"
    appeal: bool = False


@dataclass(frozen=True)
class Sentence:
    path: str  # slot in the language file, e.g. "facts.delivered"
    paragraph: bool = False  # starts a new paragraph
    extra: str | None = None  # a second slot appended to the same sentence (a risk frame's question)


PARAGRAPH = Sentence("", paragraph=True)  # a paragraph break, no sentence


def draft_reply(report: ClaimReport, claim: Claim | None = None, *, lang: str | None = None, remedy: Remedy | None = None,
                tone: Tone = "full", appeal: bool = False, earlier_replies: Sequence[str] = (),
                settings: Settings | None = None) -> ReplyDraft:
    """A reply to the claim in the buyer's language (the marketplace's unless `lang` says otherwise), stating only
    what the report's usable files prove, with a Chinese rendering and notes for the seller. Without `claim`, the
    claim printed in the report is used (a stored report is enough)."""
    if claim is None:
        c = report.claim
        claim = Claim(order_id=c.order_id, reason=c.reason, marketplace=c.marketplace, tracking=list(c.tracking))
    threshold = (settings.reply_reuse_min_ratio if settings
                 else Settings.model_fields["reply_reuse_min_ratio"].default)
    lang = lang or language_for(claim.marketplace)
    proven = proven_facts(report, claim)
    chosen = _remedy(remedy, proven, claim.reason)
    plan = _plan(proven, claim, chosen, tone, appeal)
    stated = {name for s in plan for name in STATES.get(s.path, ())}
    proofs = proofs_for(proven, stated)
    salt = 0
    text, ids = _render(plan, proven, claim, proofs, lang, salt, appeal)
    while earlier_replies and salt < MAX_VARIANT_TRIES and \
            (_reuse(text, list(earlier_replies)) or 0) >= threshold:
        salt += 1
        text, ids = _render(plan, proven, claim, proofs, lang, salt, appeal)
    text_zh = text if lang == "zh" else _render(plan, proven, claim, proofs, "zh", salt, appeal)[0]
    kind = "appeal" if appeal else "reply"
    return ReplyDraft(
        lang=lang, text=text, text_zh=text_zh, remedy=chosen, appeal=appeal,
        facts_used=[FactUsed(name=u.name, value=u.value, file=u.file) for u in proven.used if u.name in stated],
        missing=_missing(proven, claim, chosen), next_steps=_next_steps(proven, claim, chosen, proofs, appeal),
        template_id=f"{lang}/{claim.reason.value}/{chosen}/{kind}/{tone}:{ids}",
    )


def _remedy(asked: str | None, p: Proven, reason: Reason) -> Remedy:
    if asked in ("refund", "reship", "none"):
        return asked  # type: ignore[return-value]
    if p.refund or reason == Reason.refund_not_received:
        return "refund"
    return "reship" if p.reship_tracking else "none"


def _plan(p: Proven, claim: Claim, remedy: Remedy, tone: Tone, appeal: bool) -> list[Sentence]:
    full = tone == "full"
    reason = claim.reason
    out = [Sentence("appeal.opening" if appeal else f"opening.{reason.value}")]
    if appeal:
        out.append(Sentence(f"appeal.root_cause.{APPEAL_GROUP[reason]}", paragraph=True))
    out.append(PARAGRAPH)  # the facts start a paragraph of their own
    if reason in DELIVERY_REASONS or (reason in ITEM_REASONS and full):
        if p.status == "delivered":
            out.append(Sentence("facts.delivered"))
        elif p.tracking:
            out.append(Sentence("facts.shipped"))
        if reason in DELIVERY_REASONS and p.status == "delivered":
            if p.place_kind:  # an appeal speaks to Amazon, not to the buyer: no question to the buyer there
                ask = None if appeal else f"risk.{p.place_kind}.ask"
                out.append(Sentence("risk.frames", extra=ask))
            elif p.place and full:
                out.append(Sentence("facts.place"))
            if p.signed:
                out.append(Sentence("facts.signed"))
    if remedy == "refund" and p.refund:
        out.append(Sentence("appeal.refund" if appeal else "facts.refund"))
        if reason == Reason.refund_not_received and full and not appeal:
            out.append(Sentence("facts.refund_note"))
    if remedy == "reship" and p.reship_tracking:
        out.append(Sentence("facts.reship"))
    if appeal:
        out.append(Sentence(f"appeal.corrective.{APPEAL_GROUP[reason]}", paragraph=True))
    bsm = "appeal.bsm" if appeal else "bsm"
    out.append(Sentence(f"{bsm}.sent" if p.kinds else f"{bsm}.none"))
    if full:
        out.append(Sentence("appeal.closing" if appeal else "closing", paragraph=True))
    return out


def _values(s: Sentence, p: Proven, claim: Claim, proofs: list[str], lang: str) -> dict[str, str]:
    mk = claim.marketplace
    v: dict[str, str] = {"order_id": claim.order_id}
    if s.path in ("facts.delivered", "facts.shipped"):
        v.update({k: x for k, x in (("carrier", carrier_name(p.carrier, lang)), ("tracking", p.tracking)) if x})
        if p.delivered_date:
            v["date"] = fmt_date(p.delivered_date, lang, mk)
    elif s.path in ("facts.place", "risk.frames") and p.place:
        if lang == "ja" or not _KANA.search(p.place):  # kana in a non-Japanese draft reads as the wrong language
            v["place"] = p.place
        if p.place_kind:
            v["where"] = slot(lang, f"risk.{p.place_kind}.where")
    elif s.path in ("facts.refund", "appeal.refund") and p.refund:
        v["amount"] = fmt_money(p.refund.amount, p.refund.currency, lang, mk)
        if p.refund_date:
            v["date"] = fmt_date(p.refund_date, lang, mk)
    elif s.path == "facts.reship":
        v.update({k: x for k, x in (("carrier", carrier_name(p.reship_carrier, lang)),
                                     ("tracking", p.reship_tracking)) if x})
    elif s.path in ("bsm.sent", "appeal.bsm.sent"):
        v["proofs"] = _proofs([p.kinds[n] for n in proofs], lang)
    return v


def _proofs(kinds: list[str], lang: str) -> str:
    names = slot(lang, "proofs")
    items = list(dict.fromkeys(names.get(k) or names["other"] for k in kinds))
    if len(items) == 1:
        return items[0]
    return names["sep"].join(items[:-1]) + names["and"] + items[-1]


def _render(plan: list[Sentence], p: Proven, claim: Claim, proofs: list[str], lang: str, salt: int,
            appeal: bool) -> tuple[str, str]:
    key = f"{claim.order_id}|{'appeal' if appeal else 'reply'}|{salt}"
    joiner = slot(lang, "joiner")
    paragraphs: list[list[str]] = [[]]
    ids: list[str] = []
    for s in plan:
        if s.paragraph and paragraphs[-1]:
            paragraphs.append([])
        variants = slot(lang, s.path) if s.path else None
        got = pick(variants, _values(s, p, claim, proofs, lang), f"{key}|{s.path}") if variants else None
        if got is None:
            continue
        i, text = got
        paragraphs[-1].append(f"{text}{joiner}{slot(lang, s.extra)}" if s.extra else text)
        ids.append(f"{s.path.rsplit('.', 1)[-1]}{i}")
    text = "\n\n".join(joiner.join(para) for para in paragraphs if para)
    if lang in ("ja", "zh"):  # placeholders sit between spaces for Latin values; none between two CJK characters
        text = _CJK_GAP.sub("", text)
    return text, ".".join(ids)


def _note(code: str, table: str, **values: str) -> Note:
    en, zh = common()[table][code]
    return Note(code=code, message=en.format(**values), message_zh=zh.format(**values))


def _missing(p: Proven, claim: Claim, remedy: Remedy) -> list[Note]:
    out: list[Note] = []
    if claim.reason in DELIVERY_REASONS:
        if p.status != "delivered":
            out.append(_note("delivery", "missing"))
        elif not p.delivered_date:
            out.append(_note("delivery_date", "missing"))
        if not p.tracking:
            out.append(_note("tracking", "missing", tracking=claim.tracking[0]) if claim.tracking
                       else _note("tracking_unknown", "missing"))
    if remedy == "refund" and not p.refund:
        out.append(_note("refund", "missing"))
    elif remedy == "refund" and not p.refund_date:
        out.append(_note("refund_date", "missing"))
    if remedy == "reship" and not p.reship_tracking:
        out.append(_note("reship", "missing"))
    for f in p.failed:
        codes = ", ".join(dict.fromkeys(x.code for x in f.findings if x.severity == "error"))
        out.append(_note("failed", "missing", name=f.name, codes=codes))
    return out


def _next_steps(p: Proven, claim: Claim, remedy: Remedy, proofs: list[str], appeal: bool) -> list[Note]:
    out: list[Note] = []
    if claim.reason in DELIVERY_REASONS:
        if p.place_kind:
            out.append(_note(p.place_kind, "next_steps"))
        elif p.status == "delivered" and not p.signed:
            out.append(_note("pod", "next_steps"))
        if p.status in ("in_transit", "exception") or (p.status is None and p.tracking):
            out.append(_note("not_delivered", "next_steps"))
    if claim.reason in ITEM_REASONS and remedy == "none":
        out.append(_note("remedy", "next_steps"))
    if proofs:
        out.append(_note("send", "next_steps", files=", ".join(proofs)))
    if appeal:
        out.append(_note("appeal", "next_steps"))
    return out
