"""Tracking numbers on a page: candidates from OCR'd runs, judged by their check digit and the words around them.

`find_tracking(lines)` reports each number once with its carrier, check-digit result, page and box; a candidate
whose check digit validates wins over a misread one. All-digit numbers (a phone number, an order ID) are reported
only with a valid check digit and, unless very long, a tracking word or carrier name on the same or the previous
line; a few formats (Yamato's 12 digits) need one of their own words there. An S10 number (LX...CN) names the
postal service that issued it; on a page that shows a carrier known to ship under such numbers (Yanwen, 4PX,
YunExpress: `rules.s10_carried_by`) that carrier is reported and the postal service kept as `issuer`.
`from_barcode` judges a decoded barcode the same way. The formats themselves are `spec`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import regex

from ...model import Box, TrackingFact
from ...text import Line
from ..phrases import phrases_rx
from .reading import MAX_RUN, Chunk, fix_confusions, repaired, runs
from .spec import Identified, carriers_config, fits, identify, service_known

@dataclass
class _Candidate:
    ident: Identified
    span: tuple[int, int]  # in line text
    fixed: bool  # came from the OCR-confusion variant
    context: bool


def _context_at(lines: list[Line], i: int) -> tuple[bool, set[str], frozenset[str]]:
    """Tracking context on line i or the line above: any tracking word or carrier name, the carriers named, and
    the entries (`rules.needs_words`) whose own words are there."""
    text = " ".join(lines[j].text for j in (i - 1, i) if j >= 0).lower()
    context, named = _context_of(text)
    return context, named, frozenset(key for key, pat in _needs_words() if pat.search(text))


@lru_cache(maxsize=1)
def _context_patterns() -> tuple[Any, list[tuple[str, Any]]]:
    cfg = carriers_config()["context"]

    carriers = [(name, phrases_rx(ws)) for name, ws in cfg["carriers"].items()]
    return phrases_rx(cfg["words"]), carriers


@lru_cache(maxsize=1)
def _needs_words() -> tuple[tuple[str, Any], ...]:
    return tuple((key, phrases_rx(ws)) for key, ws in carriers_config()["rules"].get("needs_words", {}).items())


def _context_of(text: str) -> tuple[bool, set[str]]:
    words, carriers = _context_patterns()
    named = {name for name, pat in carriers if pat.search(text)}
    return bool(named) or bool(words.search(text)), named


def _accept(ident: Identified, context: bool, from_barcode: bool = False,
            own_words: frozenset[str] = frozenset()) -> bool:
    rules = carriers_config()["rules"]
    e = ident.entry
    if e.key in rules.get("needs_words", {}) and e.key not in own_words:
        return False
    if ident.checksum_ok is False:
        # A misread check digit on an unmistakable shape (1Z..., two letters + 9 digits + YP/country) is still worth
        # showing, marked invalid; everything else with a wrong check digit is noise.
        strong = unmistakable(ident)
        lookups_ok = all(n in ident.lookups for n in (e.validation.get("additional") or {}).get("exists") or [])
        return strong and lookups_ok and (context or from_barcode)
    if not ident.valid:
        return False
    if e.key in rules["text_never"] and not from_barcode:
        return False
    if e.all_digits:
        if ident.checksum_ok is None:
            return from_barcode and context
        if len(ident.number) >= rules["min_digits_without_context"]:
            return True
        return context or from_barcode
    if e.key in rules["needs_context"]:
        return context
    return True


def unmistakable(ident: Identified) -> bool:
    """A shape no other kind of number has (1Z..., two letters + 9 digits + YP/country), even with a wrong check
    digit."""
    return ident.entry.courier_code in ("ups", "s10", "yanwen") and ident.entry.key != "UPS Waybill"


def number_shapes(lines: list[Line]) -> set[str]:
    """Words that have an unmistakable tracking-number shape, whatever their check digit says (a tracking app's
    demo numbers, misreads): to count how many parcels a page lists, not to report them."""
    out: set[str] = set()
    for ln in lines:
        for word in ln.text.split():
            token = word.strip(".,:;()[]#").upper()
            if 10 <= len(token) <= MAX_RUN and token.isalnum() and not token.isdigit() and not token.isalpha():
                if any(unmistakable(h) for h in fits(token)):
                    out.add(token)
    return out


def _rank(c: _Candidate, named: set[str]) -> tuple:
    order = {n: i for i, n in enumerate(carriers_config()["rules"]["priority"])}
    return (
        c.ident.checksum_ok is not False,  # validated (or no check digit) before misread
        c.ident.checksum_ok is True,
        c.span[1] - c.span[0],  # longer numbers cover the shorter ones inside them
        service_known(c.ident) is not False,  # an S10 service indicator the standard allocates
        c.ident.carrier in named,
        not c.fixed,
        -order.get(c.ident.carrier, 99),
    )


def _candidates_in_run(run: list[Chunk], line_text: str, context: bool, named: set[str],
                       own_words: frozenset[str] = frozenset()) -> list[_Candidate]:
    out: list[_Candidate] = []
    variants = [("raw", [c.text for c in run])]
    fixed = [fix_confusions(c.text) for c in run]
    if fixed != [c.text for c in run]:
        variants.append(("fixed", fixed))
    n = len(run)

    def digit_chunk(k: int) -> bool:
        return 0 <= k < n and len(run[k].text) >= 2 and run[k].text.isdigit()

    for kind, texts in variants:
        # every window of whole chunks: a number starts and ends at a word (or punctuation) boundary
        for i in range(n):
            joined = ""
            for j in range(i, n):
                joined += texts[j].upper()
                if len(joined) > MAX_RUN:
                    break
                if len(joined) < 8:
                    continue
                idents = fits(joined)
                if not any(h.valid for h in idents) and context:
                    # a repaired reading is a guess: only next to a tracking word or carrier name
                    idents = idents + repaired(joined)
                for ident in idents:
                    if ident.entry.all_digits and (digit_chunk(i - 1) or digit_chunk(j + 1)):
                        continue  # part of a longer digit string that did not validate as a whole
                    if _accept(ident, context, own_words=own_words):
                        out.append(_Candidate(ident, (run[i].start, run[j].end), kind == "fixed", context))
    return out


def find_tracking(lines: list[Line]) -> list[TrackingFact]:
    """Tracking numbers in page lines, each once, with carrier, check-digit result, page and box."""
    facts: list[TrackingFact] = []
    seen: set[str] = set()
    on_page = page_carriers(lines)
    for i, line in enumerate(lines):
        line_runs = runs(line.text)
        if not line_runs:
            continue
        context, named, own_words = _context_at(lines, i)
        cands: list[_Candidate] = []
        for run in line_runs:
            cands += _candidates_in_run(run, line.text, context, named, own_words)
        taken: list[tuple[int, int]] = []
        for c in sorted(cands, key=lambda c: _rank(c, named), reverse=True):
            if any(c.span[0] < e and c.span[1] > s for s, e in taken):
                continue
            taken.append(c.span)
            if c.ident.number in seen:
                continue
            seen.add(c.ident.number)
            fact = TrackingFact(number=c.ident.number, carrier=c.ident.carrier, checksum_ok=c.ident.checksum_ok,
                                page=line.page, box=line.box_of(*c.span), source="ocr", issuer=_issuer(c.ident))
            facts.append(shown_carrier(fact, named, on_page))
    return facts


def from_barcode(text: str, page: int, box: Box | None) -> TrackingFact | None:
    """A decoded barcode's content as a tracking number, if it is one (GS1 separators and spaces ignored). The
    carrier of an S10 number is its issuer here; `shown_carrier` applies the page's carrier."""
    compact = regex.sub(r"[^A-Za-z0-9]", "", text).upper()
    if not 8 <= len(compact) <= MAX_RUN:
        return None
    for ident in identify(compact):
        if _accept(ident, context=True, from_barcode=True):
            return TrackingFact(number=ident.number, carrier=ident.carrier, checksum_ok=ident.checksum_ok,
                                page=page, box=box, source="barcode", issuer=_issuer(ident))
    return None


# ---------------------------------------------------------------------------------------------- S10: who carries it


def _issuer(ident: Identified) -> str | None:
    return ident.carrier if ident.entry.courier_code == "s10" else None


def page_carriers(lines: list[Line]) -> set[str]:
    """The carriers a page names anywhere (logo text, headings, "Carrier: ..." fields)."""
    return page_context(lines)[1]


def page_context(lines: list[Line]) -> tuple[bool, set[str]]:
    """Whether a page has any tracking word or carrier name, and the carriers it names."""
    return _context_of(" ".join(ln.text for ln in lines).lower())


def shown_carrier(fact: TrackingFact, near: set[str], on_page: set[str]) -> TrackingFact:
    """An S10 number as the carrier the page shows: a carrier that ships under postal S10 numbers
    (`rules.s10_carried_by`: Yanwen, 4PX, YunExpress ...) named next to the number, or else the only one named
    on the page, unless the issuing postal service itself is named next to the number. The issuer stays in
    `issuer`; other numbers are returned as they are."""
    if fact.issuer is None:
        return fact
    carried_by = carriers_config()["rules"].get("s10_carried_by", [])
    close = [c for c in carried_by if c in near]
    anywhere = [c for c in carried_by if c in on_page]
    if len(close) == 1:
        shown = close[0]
    elif not close and len(anywhere) == 1 and fact.issuer not in near:
        shown = anywhere[0]
    else:
        shown = fact.issuer
    return fact if shown == fact.carrier else fact.model_copy(update={"carrier": shown})
