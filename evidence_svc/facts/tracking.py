"""Tracking numbers: an interpreter for the tracking_number_data specification, and a finder over OCR lines.

The formats are data (`data/tracking/`): the vendored public specification (`couriers/*.json`, MIT) plus our own
entries in the same shape (`local/*.json`: Yanwen, 4PX, Cainiao, Yamato, Sagawa) and `carriers.toml` (carrier
names, context words, the words some entries need next to them). This module only interprets them: it compiles each
entry's regex (the `regex` module accepts the specification's `(?<Name>...)` groups as written), runs the
check-digit algorithms (`checksums.py`), and the `additional` lookups (an S10 number is valid only if its country
suffix names a postal service; its service indicator is checked against the specification's allocation).

`identify(text)` says which entries a whole number fits. `find_tracking(lines)` finds numbers in page text: OCR
splits long numbers into several words and confuses O/0, l/1, S/5..., so adjacent number-like words are joined,
confusable letters inside digit groups get a digit variant, and a candidate whose check digit validates wins.
All-digit numbers (a phone number, an order ID) are reported only with a valid check digit and, unless very long,
a tracking word or carrier name on the same or the previous line; a few formats (Yamato's 12 digits) need one of
their own words there. The hand-written parts (checksums, OCR joining)
exist because no maintained Python package interprets the current specification.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import regex

try:
    from re import _parser as sre_parse  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_parse  # type: ignore[no-redef]

from ..model import Box, TrackingFact
from ..text import Line
from .checksums import CHECKSUMS
from .phrases import phrases_rx

# ---------------------------------------------------------------------------------------------- the specification


@dataclass(frozen=True)
class Entry:
    """One `tracking_numbers` entry of a courier file."""

    key: str  # the entry's id, or its name when it has none
    courier_code: str
    courier_name: str
    name: str
    pattern: Any  # compiled `regex` pattern, anchored (fullmatch on a number without spaces)
    validation: dict[str, Any]
    additional: tuple[dict[str, Any], ...]
    test_numbers: dict[str, list[str]]
    all_digits: bool  # the entry's numbers are digits only (judged from its valid test numbers)
    local: bool  # one of our additions, not the public specification
    min_len: int  # length range of a matching number without spaces
    max_len: int


@dataclass(frozen=True)
class Identified:
    """A whole number checked against one entry."""

    entry: Entry
    number: str  # as reported: no spaces, upper case, without a USPS 420+ZIP routing prefix
    carrier: str  # our carrier name
    checksum_ok: bool | None  # None: the entry has no check digit
    valid: bool  # format, checksum and `additional` checks all pass
    lookups: dict[str, dict[str, Any]] = field(default_factory=dict)


def _data() -> Any:
    return resources.files("evidence_svc").joinpath("data/tracking")


@lru_cache(maxsize=1)
def carriers_config() -> dict[str, Any]:
    return tomllib.loads(_data().joinpath("carriers.toml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    out: list[Entry] = []
    for folder, local in (("couriers", False), ("local", True)):
        for f in sorted(_data().joinpath(folder).iterdir(), key=lambda p: p.name):
            if not f.name.endswith(".json"):
                continue
            doc = json.loads(f.read_text(encoding="utf-8"))
            for tn in doc["tracking_numbers"]:
                src = tn["regex"] if isinstance(tn["regex"], str) else "".join(tn["regex"])
                lo, hi = _width(src)
                valid = [regex.sub(r"\s", "", v) for v in (tn.get("test_numbers") or {}).get("valid", [])]
                out.append(Entry(
                    key=tn.get("id") or tn["name"],
                    courier_code=doc["courier_code"],
                    courier_name=doc["name"],
                    name=tn["name"],
                    pattern=regex.compile(src),
                    validation=tn.get("validation") or {},
                    additional=tuple(tn.get("additional") or ()),
                    test_numbers=tn.get("test_numbers") or {},
                    all_digits=bool(valid) and all(v.isdigit() for v in valid),
                    local=local,
                    min_len=lo,
                    max_len=hi,
                ))
    return tuple(out)


def _width(src: str) -> tuple[int, int]:
    """Shortest and longest match of a specification regex once spaces are removed (a cheap pre-filter)."""
    py = re.sub(r"\(\?<(\w+)>", r"(?P<\1>", src).replace("\\s*", "")
    try:
        return sre_parse.parse(py).getwidth()
    except Exception:  # a construct Python's parser lacks: no pre-filter for this entry
        return 0, 10**6


def _group(m: Any, name: str) -> str | None:
    try:
        v = m.group(name)
    except IndexError:
        return None
    return regex.sub(r"\s", "", v) if v is not None else None


def _serial(entry: Entry, m: Any) -> str:
    raw = _group(m, "SerialNumber") or ""
    prepend = (entry.validation.get("serial_number_format") or {}).get("prepend_if")
    if prepend and regex.search(prepend["matches_regex"], raw):
        return prepend["content"] + raw
    return raw


def _lookups(entry: Entry, m: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for info in entry.additional:
        value = _group(m, info["regex_group_name"])
        if value is None:
            continue
        for item in info["lookup"]:
            if ("matches" in item and value == item["matches"]) or (
                "matches_regex" in item and regex.search(item["matches_regex"], value)
            ):
                found[info["name"]] = item
                break
    return found


def carrier_of(entry: Entry, lookups: dict[str, dict[str, Any]], number: str) -> str:
    cfg = carriers_config()
    if entry.courier_code == "s10":
        return cfg["s10_country"].get(number[-2:], "Other")
    return cfg["names"].get(entry.key) or cfg["names"].get(entry.courier_code) or "Other"


def check(entry: Entry, text: str) -> Identified | None:
    """`text` (spaces allowed) checked against one entry; None if it does not have the entry's format."""
    compact = regex.sub(r"\s+", "", text).upper()
    m = entry.pattern.fullmatch(compact)
    if m is None:
        return None
    checksum_ok: bool | None = None
    spec = entry.validation.get("checksum")
    if spec:
        fn = CHECKSUMS.get(spec["name"])
        checksum_ok = bool(fn and fn(_serial(entry, m), _group(m, "CheckDigit") or "", spec))
    lookups = _lookups(entry, m)
    exists = (entry.validation.get("additional") or {}).get("exists") or []
    valid = checksum_ok is not False and all(name in lookups for name in exists)
    number = compact
    routing = _group(m, "RoutingApplicationId")
    if routing:  # USPS: 420 + ZIP (+4) is routing for the sorting machine, not part of the tracking number
        number = compact[m.start("SerialNumber"):]
    return Identified(entry, number, carrier_of(entry, lookups, number), checksum_ok, valid, lookups)


@lru_cache(maxsize=8192)
def _checks(compact: str) -> tuple[Identified, ...]:
    n = len(compact)
    return tuple(h for e in entries() if e.min_len <= n <= e.max_len and (h := check(e, compact)) is not None)


@lru_cache(maxsize=8192)
def _fits(compact: str) -> tuple[Identified, ...]:
    """`_checks` without the readings the data says another entry's format overrides (`shadowed_by`)."""
    hits = _checks(compact)
    shadow = carriers_config()["rules"]["shadowed_by"]
    keys = {h.entry.key for h in hits}
    return tuple(h for h in hits if not (set(shadow.get(h.entry.key, ())) & keys))


def identify(text: str) -> list[Identified]:
    """Every entry whose format the whole of `text` fits, valid ones first."""
    hits = list(_fits(regex.sub(r"\s+", "", text).upper()))
    order = {c: i for i, c in enumerate(carriers_config()["rules"]["priority"])}
    return sorted(hits, key=lambda h: (not h.valid, order.get(h.carrier, 99)))


def normalise(number: str) -> str:
    """The comparable form of a tracking number: no spaces or dashes, upper case, no USPS routing prefix."""
    compact = regex.sub(r"[\s\-]+", "", number).upper()
    for h in identify(compact):
        if h.valid:
            return h.number
    return compact


# ---------------------------------------------------------------------------------------------- finding in text

_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "i": "1", "|": "1",
                             "L": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6", "g": "9"})
_CHUNK = regex.compile(r"[A-Za-z0-9|]+")
# Japanese domestic numbers are printed 4-4-4 with hyphens ("3180-6866-5552"): read as one spaced number.
_HYPHEN_444 = regex.compile(r"(?<![\d-])\d{4}(?P<h1>-)\d{4}(?P<h2>-)\d{4}(?![\d-])")
# Spans that are never part of a tracking number: order IDs, dates, clock times.
_MASK = regex.compile(
    r"(?<!\d)\d{3}\s?-\s?\d{7}\s?-\s?\d{7}(?!\d)"
    r"|(?<!\d)(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"
    r"|(?<!\d)\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)?\d\d(?!\d)"
    r"|(?<![\d:])\d{1,2}:\d\d(?::\d\d)?(?![\d:])"
)
MAX_RUN = 48  # characters: longer runs are not one number


@dataclass
class _Chunk:
    text: str
    start: int  # in line text
    end: int


def _numberish(chunk: str) -> bool:
    if any(c.isdigit() for c in chunk):
        return True
    return chunk.isupper() and len(chunk) <= 4  # "1 Z", "TBA", "CN", "YP", "JVGL": parts of a number


def _runs(text: str) -> list[list[_Chunk]]:
    """Sequences of number-like chunks separated only by spaces (punctuation inside a word ends a run)."""
    masked = _MASK.sub(lambda m: "#" * len(m.group(0)), text)
    masked = _HYPHEN_444.sub(lambda m: m.group(0).replace("-", " "), masked)
    runs: list[list[_Chunk]] = []
    cur: list[_Chunk] = []
    prev_end = -1
    for m in _CHUNK.finditer(masked):
        s, e = m.span()
        chunk = _Chunk(text[s:e], s, e)
        if not _numberish(chunk.text):
            if cur:
                runs.append(cur)
            cur, prev_end = [], -1
            continue
        if cur and not (masked[prev_end:s].isspace() and s - prev_end <= 3):
            runs.append(cur)
            cur = []
        cur.append(chunk)
        prev_end = e
    if cur:
        runs.append(cur)
    return runs


def _fix_confusions(chunk: str) -> str:
    """Letters OCR reads for digits, replaced when a chunk is otherwise digits (at most two such letters)."""
    letters = [c for c in chunk if not c.isdigit()]
    digits = len(chunk) - len(letters)
    if not letters or len(letters) > 2 or digits < 2 or len(letters) > digits:
        return chunk
    fixed = chunk.translate(_CONFUSABLE)
    return fixed if fixed.isdigit() else chunk


_TO_LETTER = str.maketrans({"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"})
_SWAPS = {"O": "0", "0": "O", "I": "1", "1": "I", "S": "5", "5": "S", "B": "8", "8": "B", "Z": "2", "2": "Z",
          "D": "0", "G": "6", "6": "G", "L": "1"}


@lru_cache(maxsize=4096)
def _repaired(joined: str) -> tuple[Identified, ...]:
    """Readings of a misread S10 (13 characters) or UPS (1Z..., 18) number whose check digit then validates.
    Only a unique single repair counts: two different repairs that both validate mean we cannot tell."""
    if len(joined) == 13:
        fixed = joined[:2].translate(_TO_LETTER) + joined[2:11].translate(_CONFUSABLE) + joined[11:].translate(_TO_LETTER)
        if fixed != joined:  # a guess already: its service indicator must be one the S10 standard allocates
            return tuple(h for h in _fits(fixed) if h.valid and service_known(h) is not False)
        return ()
    if len(joined) == 18 and joined[:2] in ("1Z", "12", "IZ", "I2", "lZ"):
        # UPS: 1Z, a 6-character shipper, then service and package digits: letters there are misread digits
        base = "1Z" + joined[2:8] + joined[8:].translate(_CONFUSABLE)
        found = {h.number: h for h in _fits(base) if h.valid}
        if not found:
            for k in range(2, 18):
                alt = _SWAPS.get(base[k])
                if alt:
                    for h in _fits(base[:k] + alt + base[k + 1:]):
                        if h.valid:
                            found[h.number] = h
        return tuple(found.values()) if len(found) == 1 else ()
    return ()


def service_known(ident: Identified) -> bool | None:
    """Whether an S10-shaped number's service indicator is one the S10 standard allocates (the specification's
    `Service Type` lookup: E* EMS, C*/H* parcels, R* registered, L*, U*, V*, M*, Q[A-M], domestic B/D/N/P/Z ...);
    None for other formats. The two letters are not covered by the check digit, so OCR misreads there pass it."""
    if not any(a.get("regex_group_name") == "ServiceType" for a in ident.entry.additional):
        return None
    return any(a.get("regex_group_name") == "ServiceType" and a["name"] in ident.lookups
               for a in ident.entry.additional)


@lru_cache(maxsize=1)
def _lookalikes() -> dict[str, set[str]]:
    pairs = carriers_config()["rules"].get("service_lookalikes", [])
    out: dict[str, set[str]] = {}
    for a, b in pairs:
        out.setdefault(a, set()).add(b)
        out.setdefault(b, set()).add(a)
    return out


def lookalike_letters(a: str, b: str) -> bool:
    """Same letters, or letters OCR confuses (data: `rules.service_lookalikes`), position by position."""
    return len(a) == len(b) and all(x == y or y in _lookalikes().get(x, ()) for x, y in zip(a, b))


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
        strong = e.courier_code in ("ups", "s10", "yanwen") and e.key != "UPS Waybill"
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


def _candidates_in_run(run: list[_Chunk], line_text: str, context: bool, named: set[str],
                       own_words: frozenset[str] = frozenset()) -> list[_Candidate]:
    out: list[_Candidate] = []
    variants = [("raw", [c.text for c in run])]
    fixed = [_fix_confusions(c.text) for c in run]
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
                idents = _fits(joined)
                if not any(h.valid for h in idents) and context:
                    # a repaired reading is a guess: only next to a tracking word or carrier name
                    idents = idents + _repaired(joined)
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
    for i, line in enumerate(lines):
        runs = _runs(line.text)
        if not runs:
            continue
        context, named, own_words = _context_at(lines, i)
        cands: list[_Candidate] = []
        for run in runs:
            cands += _candidates_in_run(run, line.text, context, named, own_words)
        taken: list[tuple[int, int]] = []
        for c in sorted(cands, key=lambda c: _rank(c, named), reverse=True):
            if any(c.span[0] < e and c.span[1] > s for s, e in taken):
                continue
            taken.append(c.span)
            if c.ident.number in seen:
                continue
            seen.add(c.ident.number)
            facts.append(TrackingFact(number=c.ident.number, carrier=c.ident.carrier, checksum_ok=c.ident.checksum_ok,
                                      page=line.page, box=line.box_of(*c.span),
                                      source="ocr"))
    return facts


def from_barcode(text: str, page: int, box: Box | None) -> TrackingFact | None:
    """A decoded barcode's content as a tracking number, if it is one (GS1 separators and spaces ignored)."""
    compact = regex.sub(r"[^A-Za-z0-9]", "", text).upper()
    if not 8 <= len(compact) <= MAX_RUN:
        return None
    for ident in identify(compact):
        if _accept(ident, context=True, from_barcode=True):
            return TrackingFact(number=ident.number, carrier=ident.carrier, checksum_ok=ident.checksum_ok,
                                page=page, box=box, source="barcode")
    return None
