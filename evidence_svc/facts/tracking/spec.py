"""The tracking_number_data specification, interpreted: which courier entries a whole number fits, and why.

The formats are data (`data/tracking/`): the vendored public specification (`couriers/*.json`, MIT) plus our own
entries in the same shape (`local/*.json`: Yanwen, 4PX, Cainiao, Yamato, Sagawa) and `carriers.toml` (carrier
names, context words, the words some entries need next to them). This module only interprets them: it compiles each
entry's regex (the `regex` module accepts the specification's `(?<Name>...)` groups as written), runs the
check-digit algorithms (`checksums.py`) and the `additional` lookups (an S10 number is valid only if its country
suffix names a postal service; its service indicator is checked against the specification's allocation). It reads
no page text: finding numbers among OCR words is `finder`'s job. Hand-written because no maintained Python package
interprets the current specification.
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

from ..checksums import CHECKSUMS


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
def fits(compact: str) -> tuple[Identified, ...]:
    """`_checks` without the readings the data says another entry's format overrides (`shadowed_by`)."""
    hits = _checks(compact)
    shadow = carriers_config()["rules"]["shadowed_by"]
    keys = {h.entry.key for h in hits}
    return tuple(h for h in hits if not (set(shadow.get(h.entry.key, ())) & keys))


def identify(text: str) -> list[Identified]:
    """Every entry whose format the whole of `text` fits, valid ones first."""
    hits = list(fits(regex.sub(r"\s+", "", text).upper()))
    order = {c: i for i, c in enumerate(carriers_config()["rules"]["priority"])}
    return sorted(hits, key=lambda h: (not h.valid, order.get(h.carrier, 99)))


def normalise(number: str) -> str:
    """The comparable form of a tracking number: no spaces or dashes, upper case, no USPS routing prefix."""
    compact = regex.sub(r"[\s\-]+", "", number).upper()
    for h in identify(compact):
        if h.valid:
            return h.number
    return compact


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
