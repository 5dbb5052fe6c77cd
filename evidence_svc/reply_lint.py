"""Reply lint: the seller's draft reply to an A-to-z claim, checked against the rules and the evidence.

`lint_reply(reply, claim, files, settings, earlier_replies)` returns findings: a reply that only greets or
apologises, vague promises, a remedy the files do not show, a refund amount that differs from the evidence,
personal-data requests to EU/UK buyers, a near-copy of an earlier reply, files the reply does not say went through
Buyer-Seller Messages (the A-to-z box takes no attachments; `files_not_mentioned` says where they go, with an
example sentence in the reply's language from `data/messages.toml`), and
forbidden content (email addresses, HTML, links other than carriers' tracking pages).

Phrases are data: `data/reply_rules/{lang}.toml` (regular expressions per language) and `common.toml`; they
match on the diacritic-folded text (a seller without umlauts on the keyboard writes "zuruckerstattet"). The rules
of the marketplace's language and of English always apply; a reply written in Chinese or Japanese script is also
linted with those rules and, if the marketplace reads another language, flagged (`reply-language`).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from rapidfuzz import fuzz

from .config import EU_UK_MARKETPLACES, Settings
from .facts.dates import find_datetimes
from .facts.money import AmountHit, find_amounts
from .facts.order_ids import find_in_text
from .facts.phrases import fold
from .facts.refunds import refund_word_at
from .facts.tracking import find_tracking, normalise as normalise_tracking
from .labels import labels_for
from .messages import catalogue as message_catalogue, finding
from .model import Claim, FileReport, Finding, Word
from .text import Line

RULE_LANGS = ("en", "de", "fr", "ja", "zh")
ASK_WINDOW = {"latin": 40, "cjk": 12}  # characters between an asking verb and the personal-data word
MIN_REUSE_CHARS = 40  # shorter replies are too generic to call a reuse
EXAMPLE_ROLES = ("delivery", "refund", "photos", "order")  # what the example sentence says was sent, in this order
REASON_ROLE = {"not_received": "delivery", "refund_not_received": "refund", "damaged": "photos",
               "not_as_described": "photos"}  # the proof a claim reason needs, when no file's role is known

# The commonest short words of each language (diacritics folded), enough to tell an English reply from the
# marketplace's language where the script does not.
FUNCTION_WORDS = {
    "en": frozenset("the and we you your was were is are of to on for with has have this that it our".split()),
    "de": frozenset("der die das und wir sie ihr ihre ist war den dem des mit fur auf haben wurde nicht ein eine "
                    "uber".split()),
    "fr": frozenset("le la les et nous vous votre est a ete de du des pour avec sur une un ce qui pas".split()),
    "it": frozenset("il lo la le gli e abbiamo lei suo sua di del della per con su una un che non e stato".split()),
    "es": frozenset("el la los las y hemos usted su es de del para con en una un que no fue ha".split()),
}

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>|&(?:nbsp|amp|lt|gt|quot|#\d+);")
_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'）)]+", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*|\n+")


@dataclass(frozen=True)
class Rules:
    lang: str
    greetings: list[re.Pattern[str]]
    apologies: list[re.Pattern[str]]
    vague: list[re.Pattern[str]]
    remedies: dict[str, list[re.Pattern[str]]]
    asks: list[re.Pattern[str]]
    personal_data: list[re.Pattern[str]]
    bsm: list[re.Pattern[str]]
    asks_after_data: bool


def _read(name: str) -> dict[str, Any]:
    text = resources.files("evidence_svc").joinpath(f"data/reply_rules/{name}.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=None)
def rules_for(lang: str) -> Rules:
    raw = _read(lang)

    def comp(xs: list[str]) -> list[re.Pattern[str]]:
        return [re.compile(fold(x), re.I) for x in xs]  # folding keeps regex syntax: only accented letters change

    return Rules(
        lang=lang, greetings=comp(raw["greetings"]), apologies=comp(raw["apologies"]), vague=comp(raw["vague"]),
        remedies={k: comp(v) for k, v in raw["remedies"].items()}, asks=comp(raw["asks"]),
        personal_data=comp(raw["personal_data"]), bsm=comp(raw["bsm"]),
        asks_after_data=bool(raw.get("asks_after_data", False)),
    )


@lru_cache(maxsize=1)
def common() -> dict[str, Any]:
    return _read("common")


def script_language(text: str) -> str | None:
    """ja for kana, zh for Han without kana, None for Latin (and anything else) script."""
    kana = len(re.findall(r"[\u3040-\u30ff]", text))
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    latin = len(re.findall(r"[A-Za-zÀ-ÿ]", text))
    if kana >= 2:
        return "ja"
    if han >= 4 and han * 2 >= latin:
        return "zh"
    return None


def _as_lines(sentences: list[str]) -> list[Line]:
    lines = []
    for s in sentences:
        words, x = [], 0
        for tok in s.split():
            words.append(Word(text=tok, box=(x, 0, x + len(tok), 1)))
            x += len(tok) + 1
        if words:
            lines.append(Line(0, tuple(words)))
    return lines


def lint_reply(reply: str, claim: Claim, files: list[FileReport], settings: Settings,
               earlier_replies: list[str]) -> list[Finding]:
    text = (reply or "").strip()
    if not text:
        return [finding("reply-no-substance")]
    mk = claim.marketplace.upper()
    mk_lang, order = settings.locale_for(mk)
    script = script_language(text)
    langs = list(dict.fromkeys(lg for lg in (script, mk_lang, "en") if lg in RULE_LANGS))
    rules = [rules_for(lg) for lg in langs]
    parse_lang = script or mk_lang
    out: list[Finding] = []

    if script and script not in (mk_lang, "en"):
        names = common()["language_names"]
        got, want = names.get(script, [script, script]), names.get(mk_lang, [mk_lang, mk_lang])
        out.append(finding("reply-language", value=got[0], value_zh=got[1], threshold=mk,
                           detail=want[0], detail_zh=want[1]))

    sentences = [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]
    lines = _as_lines(sentences)
    refund_sentences = {i for i, s in enumerate(sentences)
                        if refund_word_at(s) is not None or _any(rules, "refund", s) or re.search(r"refund", s, re.I)}
    amounts = find_amounts(lines, mk, parse_lang, bare_lines=refund_sentences)
    dates = [d for d in find_datetimes(lines, parse_lang, order) if d.has_date]
    tracking = find_tracking(lines)
    order_ids = find_in_text(text)
    remedies = [kind for kind in ("refund", "reshipment") if _any(rules, kind, text)]
    concrete = bool(amounts or dates or tracking or order_ids or remedies)

    # reply-no-substance: nothing left once greetings and apologies are taken out
    rest = fold(text)
    for r in rules:
        for p in r.greetings + r.apologies:
            rest = p.sub(" ", rest)
    if _word_count(rest) < settings.reply_min_substance_words and not concrete:
        out.append(finding("reply-no-substance"))
    else:
        vague = _first(rules, "vague", text)
        if vague and not (amounts or dates or tracking or remedies):
            out.append(finding("reply-vague", value=vague))

    proof = [f for f in files if f.status != "fail" and f.kind != "messages"]
    names = common()["remedy_names"]
    for kind in remedies:
        if not _evidenced(kind, claim, proof, tracking):
            out.append(finding("remedy-not-evidenced", value=names[kind]["en"], value_zh=names[kind]["zh"]))

    mismatch = _refund_mismatch([a for a in amounts if a.line in refund_sentences], proof)
    if mismatch:
        out.append(mismatch)

    if mk in EU_UK_MARKETPLACES:
        asked = _personal_data_asks(rules, sentences)
        if asked:
            out.append(finding("asks-personal-data", value=", ".join(asked)))

    reused = _reuse(text, earlier_replies)
    if reused is not None and reused >= settings.reply_reuse_min_ratio:
        out.append(finding("reply-reused", value=round(reused), threshold=settings.reply_reuse_min_ratio))

    if files and not _any(rules, "bsm", text) and not _names_the_service(text):
        out.append(files_not_mentioned(claim, files, reply_language(text, mk_lang)))

    out.extend(_forbidden(text))
    return out


def files_not_mentioned(claim: Claim, files: list[FileReport], lang: str = "en") -> Finding:
    """`reply-attachment-not-mentioned`: where files go (the catalogue's `where_files_go`, said the same way by the
    web page and `bundle --help`) and an example sentence in the reply's language `lang`, naming only what the
    accepted files are (or, with none, the proof the claim's reason needs), with its meaning in English and Chinese
    when the reply is in another language."""
    roles = [r for r in EXAMPLE_ROLES if any(f.kind == r and f.status != "fail" for f in files)]
    if not roles and claim.reason.value in REASON_ROLE:
        roles = [REASON_ROLE[claim.reason.value]]
    entry = message_catalogue()["reply-attachment-not-mentioned"]
    lang = lang if lang in entry["examples"] else "en"
    said = {lg: _example(entry["examples"][lg], roles) for lg in dict.fromkeys((lang, "en", "zh"))}
    gloss = "" if lang == "en" else entry["gloss_en"].format(text=said["en"])
    gloss_zh = "" if lang == "zh" else entry["gloss_zh"].format(text=said["zh"])
    return finding("reply-attachment-not-mentioned", where=labels_for("en")["report"]["where_files_go"],
                   where_zh=labels_for("zh")["report"]["where_files_go"], example=said[lang], gloss=gloss,
                   gloss_zh=gloss_zh)


def _names_the_service(text: str) -> bool:
    """Whether the reply names Buyer-Seller Messages as one of the example sentences does (Italian and Spanish
    replies have no rules of their own)."""
    folded = fold(text).lower()
    examples = message_catalogue()["reply-attachment-not-mentioned"]["examples"].values()
    return any(fold(words["service"]).lower() in folded for words in examples)


def _example(words: dict[str, Any], roles: list[str]) -> str:
    names = [words["items"][r] for r in roles]
    what = (words["comma"].join(names[:-1]) + words["and"] + names[-1]) if len(names) > 1 else \
        names[0] if names else words["any"]
    return words["sent"].format(what=what)


def reply_language(text: str, mk_lang: str) -> str:
    """The language a reply is written in: Japanese or Chinese by script; otherwise the marketplace's language,
    unless English function words outnumber that language's (an English reply on amazon.de)."""
    script = script_language(text)
    if script:
        return script
    words = re.findall(r"[^\W\d_]+", fold(text).lower())
    counts = {lg: sum(w in FUNCTION_WORDS.get(lg, ()) for w in words) for lg in (mk_lang, "en")}
    return "en" if counts["en"] > counts[mk_lang] else mk_lang


def _patterns(r: Rules, kind: str) -> list[re.Pattern[str]]:
    if kind in r.remedies:
        return r.remedies[kind]
    return getattr(r, kind)


def _first(rules: list[Rules], kind: str, text: str) -> str | None:
    folded = fold(text)  # same length: offsets are the text's
    for r in rules:
        for p in _patterns(r, kind):
            m = p.search(folded)
            if m:
                return text[m.start():m.end()].strip()
    return None


def _any(rules: list[Rules], kind: str, text: str) -> bool:
    return _first(rules, kind, text) is not None


def _word_count(text: str) -> int:
    latin = re.findall(r"[^\W\d_]{2,}", re.sub(r"[\u3040-\u30ff\u4e00-\u9fff]", " ", text))
    cjk = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", text))
    return len(latin) + cjk // 2


def _evidenced(kind: str, claim: Claim, proof: list[FileReport], reply_tracking: list) -> bool:
    if kind == "refund":
        return any(f.facts.refunds for f in proof)
    original = {normalise_tracking(t) for t in claim.tracking}
    shown = {t.number for f in proof for t in f.facts.tracking}
    if any(t.number in shown for t in reply_tracking):
        return True
    return bool(shown - original)


def _refund_mismatch(said: list[AmountHit], proof: list[FileReport]) -> Finding | None:
    evidence = [(Decimal(r.amount), r.currency) for f in proof for r in f.facts.refunds]
    if not said or not evidence:
        return None
    for a in said:
        for amount, cur in evidence:
            if abs(a.amount) == amount and (cur == a.currency or not a.explicit_currency):
                return None
    first = said[0]
    shown = ", ".join(dict.fromkeys(f"{amount} {cur}" for amount, cur in evidence))
    return finding("refund-amount-mismatch", value=f"{abs(first.amount)} {first.currency}", threshold=shown)


def _personal_data_asks(rules: list[Rules], sentences: list[str]) -> list[str]:
    found: list[str] = []
    for s in sentences:
        cjk = bool(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", s))
        window = ASK_WINDOW["cjk" if cjk else "latin"]
        folded = fold(s)
        for r in rules:
            asks = [m for p in r.asks for m in p.finditer(folded)]
            if not asks:
                continue
            for p in r.personal_data:
                for m in p.finditer(folded):
                    if r.asks_after_data:
                        near = any(0 <= a.start() - m.end() <= window for a in asks)
                    else:
                        near = any(0 <= m.start() - a.end() <= window for a in asks)
                    if near:
                        item = s[m.start():m.end()].strip().lower()
                        if item not in found:
                            found.append(item)
    return found


def _normalise_for_reuse(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\d", "#", text.lower())).strip()


def _reuse(text: str, earlier: list[str]) -> float | None:
    mine = _normalise_for_reuse(text)
    if len(mine) < MIN_REUSE_CHARS:
        return None
    scores = [fuzz.ratio(mine, _normalise_for_reuse(e)) for e in earlier if e and e.strip()]
    return max(scores) if scores else None


def _forbidden(text: str) -> list[Finding]:
    names = common()["forbidden_names"]
    out: list[Finding] = []
    if _EMAIL.search(text):
        out.append(finding("reply-forbidden-content", value=names["email"][0], value_zh=names["email"][1]))
    if _HTML.search(text):
        out.append(finding("reply-forbidden-content", value=names["html"][0], value_zh=names["html"][1]))
    allowed = common()["carrier_domains"]
    for m in _URL.finditer(text):
        url = m.group(0)
        host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").lower()
        host = host[4:] if host.startswith("www.") else host
        if not any(host == d or host.endswith("." + d) for d in allowed):
            en, zh = names["link"]
            out.append(finding("reply-forbidden-content", value=en.format(domain=host), value_zh=zh.format(domain=host)))
    return out
