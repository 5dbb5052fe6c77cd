"""Delivery status from carrier wording, with the date and place of the delivered event.

The wording is data (`data/facts/delivery.toml`): phrases for delivered / in transit / exception in en, de, fr,
it, es, ja, zh, and phrases to ignore (estimates, headers). Overlapping phrases resolve to the longest one, so
"Not delivered", "Out for delivery" or "Expected delivery" never count as "delivered". Latin phrases also match
without their accents (OCR drops them). Exception wording that also means money or goods going back ("退回",
"Rücksendung") does not count on a line about a refund or a customer return (`[exception_context]`).

The page's status is `delivered` if any line shows a delivered event, else `exception`, else `in_transit`. The
delivery date is the date on the delivered event's line (the one nearest the phrase), else on the nearest line
directly above or below (carrier timelines stack date, time, event and place); the location is what follows the
phrase on the line, a known drop-off place, or a "CITY, ST ZIP" line next to the event.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import DeliveryFact
from ..text import Line, union
from .dates import NAMED_MONTH_LANGS, DateHit, find_datetimes, names
from .money import rules as money_rules
from .phrases import FoldedPattern, fold, phrase_rx, phrases_rx

STATUS_ORDER = ("delivered", "exception", "in_transit")
NEAR_LINES = 2  # how many lines above/below an event may hold its date


@dataclass(frozen=True)
class StatusHit:
    status: str  # delivered | in_transit | exception
    line: int
    start: int
    end: int
    phrase: str


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    text = resources.files("evidence_svc").joinpath("data/facts/delivery.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _rx(phrase: str) -> str:
    return phrase_rx(phrase)


@lru_cache(maxsize=1)
def _exact() -> frozenset[str]:
    return frozenset(_norm(p) for p in rules()["status"].get("exact", []))


@lru_cache(maxsize=1)
def _matcher() -> tuple[FoldedPattern, dict[str, str]]:
    """One alternation of every phrase, longest first (so the longest overlapping phrase wins at a position), run
    on folded text. The labels are keyed by the phrase's folded form, except for the `exact` phrases, which a
    match only gets with its diacritics (`_label_of` looks the original text up)."""
    cfg = rules()["status"]
    label: dict[str, str] = {}
    for status in ("ignore", *STATUS_ORDER):
        for p in cfg[status]:
            label.setdefault(_key(_norm(p)), status)
    phrases = {fold(_norm(p)) for status in ("ignore", *STATUS_ORDER) for p in cfg[status]}
    alts = "|".join(phrase_rx(p) for p in sorted(phrases, key=len, reverse=True))
    return FoldedPattern(re.compile(alts, re.I)), label


def _norm(s: str) -> str:
    """Lower case, single spaces between Latin words, none between CJK characters (OCR spacing undone)."""
    s = re.sub(r"\s+", " ", s.strip().lower())
    return re.sub(r"(?<=[^\x00-\u2fff]) | (?=[^\x00-\u2fff])", "", s)


def _key(normed: str) -> str:
    return normed if normed in _exact() else fold(normed)


def _label_of(text: str) -> str | None:
    """The status of a matched span of the original text (its diacritics decide for `exact` phrases)."""
    label = _matcher()[1]
    normed = _norm(text)
    if normed in label:
        return label[normed]
    folded = fold(normed)
    return None if folded in _exact_folded() else label.get(folded)


@lru_cache(maxsize=1)
def _exact_folded() -> frozenset[str]:
    return frozenset(fold(p) for p in _exact())


@lru_cache(maxsize=1)
def _money_context() -> FoldedPattern:
    words = list(rules().get("exception_context", {}).get("not_with", [])) + list(money_rules()["refund"]["words"])
    return phrases_rx(words, prefix=True)


def _line_hits(text: str) -> list[tuple[str, int, int, str]]:
    pat, _ = _matcher()
    out = []
    for m in pat.finditer(text):
        span = text[m.start():m.end()]
        status = _label_of(span)
        if status and status != "ignore":
            out.append((status, m.start(), m.end(), span))
    return out


def _about_money(text: str, hits: list[tuple[str, int, int, str]]) -> bool:
    """A refund or payment word on the line that is not part of a status phrase ("已退" inside "已退回")."""
    return any(not any(m.start() < e and s < m.end() for _, s, e, _ in hits) for m in _money_context().finditer(text))


def status_hits(lines: list[Line]) -> list[StatusHit]:
    out: list[StatusHit] = []
    hits = [_line_hits(ln.text) for ln in lines]
    for i, ln in enumerate(lines):
        about_money: bool | None = None  # looked up only for a line with an exception phrase
        for status, s, e, phrase in hits[i]:
            if status == "exception":
                if about_money is None:
                    about_money = _about_money(ln.text, hits[i]) or (i > 0 and _about_money(lines[i - 1].text,
                                                                                              hits[i - 1]))
                if about_money:
                    continue  # a refund or a customer return, not a failed delivery
            out.append(StatusHit(status, i, s, e, phrase))
    return out


def find_delivery(lines: list[Line], lang: str, date_order: str,
                  window: tuple[date, date] | None = None,
                  dates: list[DateHit] | None = None) -> DeliveryFact:
    """The page's delivery status, with the delivered event's date, location and box. `dates` may pass the
    page's `find_datetimes` result to avoid parsing twice."""
    hits = status_hits(lines)
    if not hits:
        return DeliveryFact()
    if dates is None:
        dates = find_datetimes(lines, lang, date_order, window)
    dated = [d for d in dates if d.has_date]
    by_line: dict[int, list[DateHit]] = {}
    for d in dated:
        by_line.setdefault(d.line, []).append(d)
    for status in STATUS_ORDER:
        events = [h for h in hits if h.status == status]
        if not events:
            continue
        best: tuple[StatusHit, DateHit | None] | None = None
        for ev in events:
            if ev.line not in by_line and _dated_outside_window(lines[ev.line], lang, date_order):
                d = None  # the event's own date is not the claim's ("delivered on September 12, 2010")
            else:
                d = _date_for(ev, lines, by_line)
            if d is not None:
                best = (ev, d)
                break
            if best is None:
                best = (ev, None)
        assert best is not None
        ev, d = best
        ln = lines[ev.line]
        box = ln.box_of(ev.start, ev.end)
        when = None
        if d is not None:
            v = d.value
            when = (v.date() if isinstance(v, datetime) else v).isoformat()
            if d.page == ln.page:
                box = union([box, d.box])
        location = _location(ev, lines, dated) if status == "delivered" else None
        return DeliveryFact(status=status, date=when, location=location, page=ln.page, box=box)
    return DeliveryFact()


def _dated_outside_window(line: Line, lang: str, date_order: str) -> bool:
    """The line shows a date that the window (or plausibility) dropped: its event must not borrow a neighbour's."""
    return any(h.has_date for h in find_datetimes([line], lang, date_order, plausible_only=False))


def _date_for(ev: StatusHit, lines: list[Line], by_line: dict[int, list[DateHit]]) -> DateHit | None:
    same = by_line.get(ev.line)
    if same:
        return min(same, key=lambda d: min(abs(d.start - ev.end), abs(d.end - ev.start)))
    ln = lines[ev.line]
    cands: list[tuple[float, DateHit]] = []
    for k in range(ev.line - NEAR_LINES, ev.line + NEAR_LINES + 1):
        if k == ev.line or not (0 <= k < len(lines)) or k not in by_line or lines[k].page != ln.page:
            continue
        other = lines[k]
        same_row = other.box[1] < ln.box[3] and ln.box[1] < other.box[3]  # a table row split into column lines
        # off the row, a date in another column (no horizontal overlap) belongs to another event
        far = other.box[0] > ln.box[2] + ln_height(ln) * 4 or ln.box[0] > other.box[2] + ln_height(ln) * 4
        if far and not same_row:
            continue
        if _has_other_event(k, ev, lines):
            continue
        dy = 0.0 if same_row else abs((other.box[1] + other.box[3]) / 2 - (ln.box[1] + ln.box[3]) / 2)
        cands.append((dy + (0.5 if k > ev.line else 0), by_line[k][0]))
    return min(cands, key=lambda c: c[0])[1] if cands else None


def ln_height(ln: Line) -> int:
    return max(1, ln.box[3] - ln.box[1])


def _has_other_event(k: int, ev: StatusHit, lines: list[Line]) -> bool:
    """A line with a different status event carries its own date (timeline rows)."""
    pat, _ = _matcher()
    text = lines[k].text
    for m in pat.finditer(text):
        st = _label_of(text[m.start():m.end()])
        if st and st not in ("ignore", ev.status):
            return True
    return False


@lru_cache(maxsize=1)
def _location_patterns() -> tuple[re.Pattern[str], re.Pattern[str], FoldedPattern, FoldedPattern]:
    cfg = rules()["location"]
    places = phrases_rx(cfg["places"], prefix=True)  # "nachbar" also finds "Nachbarn"
    labels = re.compile(rf"(?:{'|'.join(_rx(p) for p in sorted(cfg['labels'], key=len, reverse=True))})\s*[:：]\s*"
                        r"(?P<val>.+)", re.I)
    return re.compile(cfg["after_status"], re.I), re.compile(cfg["place"]), places, FoldedPattern(labels)


def _location(ev: StatusHit, lines: list[Line], dated: list[DateHit]) -> str | None:
    """Where the parcel was delivered: the town (a labelled place, or a "CITY, ST ZIP" near the event) and the
    drop-off spot (front door, mailbox, parcel locker ...), whichever the page shows; both when it shows both."""
    after_rx, place_rx, places_rx, label_rx = _location_patterns()
    ln = lines[ev.line]
    tail = ln.text[ev.end:]
    for d in dated:  # dates and times are not places
        if d.line == ev.line and d.start >= ev.end:
            tail = tail.replace(ln.text[d.start:d.end], " ")
    tail = re.sub(r"\b\d{1,2}:\d{2}(?:\s*[AaPp]\.?[Mm]\.?)?", " ", tail).strip()
    near = [k for k in (ev.line, ev.line + 1, ev.line - 1, ev.line + 2, ev.line + 3)
            if 0 <= k < len(lines) and lines[k].page == ln.page and not (k != ev.line and _has_other_event(k, ev, lines))]
    town = None
    for k in near:
        m = label_rx.search(lines[k].text)
        if m:
            val = lines[k].text[m.start("val"):m.end("val")]  # the original text, accents kept
            town = (place_rx.search(val) or re.match(r"[^_@®|©<>]{2,40}", val))
            town = _clean(town.group(0)) if town else None
            if town:
                break
    if town is None:
        for text in [tail] + [lines[k].text for k in near if k != ev.line]:
            m = place_rx.search(text)
            if m:
                town = _clean(m.group(0))
                break
    spot = None
    for text in [tail] + [lines[k].text for k in near if k != ev.line]:
        m = places_rx.search(text)
        if m:
            end = m.end()
            latin = ord(text[m.start()]) < 0x2000
            while latin and end < len(text) and text[end].isalpha() and ord(text[end]) < 0x2000:
                end += 1  # the whole word: "Nachbarn" for the stem "nachbar"
            spot = _clean(text[m.start():end])
            break
    if town and spot:
        return f"{town} ({spot})"
    if town or spot:
        return town or spot
    m = after_rx.match(tail.lstrip("，、。,;: "))
    if m and re.search(r"[^\W\d_]{3}", m["loc"]) and not re.search(r"[:：]", m["loc"]) and not _when_word(m["loc"]):
        return _clean(m["loc"])
    return None


@lru_cache(maxsize=1)
def _when_words() -> FoldedPattern:
    """Weekday and month names (CLDR, via the dates module's tables) and relative days: "Delivered Saturday" says
    when, not where."""
    words = list(rules()["location"].get("not_places", []))
    for lang in NAMED_MONTH_LANGS:
        months, days = names(lang)
        words += list(months) + days
    return phrases_rx([w for w in words if len(w) >= 3])


def _when_word(text: str) -> bool:
    return bool(_when_words().search(text))


def _clean(s: str) -> str:
    s = re.sub(r"(?<=[^\x00-\u2fff]) +(?=[^\x00-\u2fff])", "", s.strip())  # OCR spaces between CJK characters
    return re.sub(r"\s+", " ", s).strip(" ,;:-–|，、。：")
