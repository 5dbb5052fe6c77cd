"""Does the file visibly belong to this claim? `order-mismatch` and `order-missing`, from the file's text.

`order-mismatch` (error): another order's ID is visible and the claim's is not. `order-missing` (warning): the file
has readable text but shows neither the claim's order ID nor one of its tracking numbers. Files that legitimately
show no order ID are left alone: a carrier page showing the claim's tracking number, a page showing a tracking
number when the claim lists none (nothing to compare it with; the claim checks judge tracking), and photos or
files with almost no text (a photo of a damaged item carries no order ID, and an unreadable file gets its own
finding). This module compares; finding IDs in text is `evidence_svc.facts.order_ids`.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from evidence_svc.facts.order_ids import OrderIdHit, find_order_ids, normalise, same_order
from evidence_svc.messages import finding
from evidence_svc.model import Finding
from evidence_svc.text import lines_of

from .base import BaseValidator, CheckContext, FileInput

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
_DIGITS_ONLY = re.compile(r"[^0-9]")
FUZZY_MIN_LEN = 10  # tracking numbers at least this long may differ from the claim's by one character


def _compact(s: str) -> str:
    return _NOT_ALNUM.sub("", s.upper())


def _contains(text: str, number: str) -> bool:
    if number in text:
        return True
    n = len(number)
    if n < FUZZY_MIN_LEN:
        return False
    for size in (n - 1, n, n + 1):
        for i in range(0, len(text) - size + 1):
            if Levenshtein.distance(text[i : i + size], number, score_cutoff=1) <= 1:
                return True
    return False


class OrderMatch(BaseValidator):
    name = "order_match"
    codes = ("order-mismatch", "order-missing")

    def check_file(self, file: FileInput, ctx: CheckContext) -> list[Finding]:
        claim_id = normalise(ctx.claim.order_id) or ctx.claim.order_id
        sim = ctx.settings.order_match_min_similarity
        hits = self._hits(file)
        if any(same_order(h.value, claim_id, sim) for h in hits) or self._shows_claim_tail(file, claim_id):
            return []
        others = [h for h in hits if not same_order(h.value, claim_id, sim)]
        if others:
            first = others[0]
            return [finding("order-mismatch", page=first.page, value=first.value, threshold=claim_id, box=first.box)]
        if self._shows_tracking(file, ctx) or self._too_little_text(file, ctx):
            return []
        return [finding("order-missing", value=None, threshold=claim_id)]

    @staticmethod
    def _hits(file: FileInput) -> list[OrderIdHit]:
        hits = [h for page in file.pages for h in find_order_ids(lines_of(page))]
        seen = {h.value for h in hits}
        # IDs the facts stage found by other means (e.g. a barcode) count too.
        for fact in file.facts.order_id_hits:
            if fact.value not in seen:
                hits.append(OrderIdHit(fact.value, fact.page or 0, fact.box or (0, 0, 0, 0), fact.value))
                seen.add(fact.value)
        for value in file.facts.order_ids:
            if value not in seen:
                hits.append(OrderIdHit(value, 0, (0, 0, 0, 0), value))
                seen.add(value)
        return hits

    @staticmethod
    def _shows_claim_tail(file: FileInput, claim_id: str) -> bool:
        """The claim's ID with its first digits lost (OCR dropping the "2" of "250-..." at a text edge): its
        last 14 digits, in 7-7 groups, are as good as the whole ID and match no other order."""
        digits = claim_id.replace("-", "")
        if len(digits) != 17:
            return False
        tail = digits[3:]
        for page in file.pages:
            for line in lines_of(page):
                if tail in _DIGITS_ONLY.sub("", line.text):
                    return True
        return False

    @staticmethod
    def _shows_tracking(file: FileInput, ctx: CheckContext) -> bool:
        wanted = {_compact(t) for t in ctx.claim.tracking if _compact(t)}
        if not wanted:
            # Nothing to compare with: a visible tracking number still ties the file to a shipment.
            return bool(file.facts.tracking)
        if any(_compact(t.number) in wanted for t in file.facts.tracking):
            return True
        # Tesseract splits long numbers into groups: look in each line with the spaces taken out, allowing one
        # misread, dropped or extra character (CX/CK, 1Z9/1Z29) in numbers long enough not to match by chance.
        for page in file.pages:
            for line in lines_of(page):
                flat = _compact(line.text)
                if any(_contains(flat, w) for w in wanted):
                    return True
        return False

    @staticmethod
    def _too_little_text(file: FileInput, ctx: CheckContext) -> bool:
        readable = sum(
            1
            for page in file.pages
            for w in page.words
            if w.conf >= 50 and sum(c.isalnum() for c in w.text) >= 2
        )
        return readable < ctx.settings.order_missing_min_words
