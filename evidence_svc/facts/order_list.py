"""Order lists: a page that lists many orders or parcels (an order-history export, Seller Central's "Manage
Orders", a parcel-tracking app's list of shipments).

Such a page shows several order IDs or tracking numbers, dates and statuses side by side; a "Delivered" on one row
is that row's parcel, not proof that the claim's order arrived, so the page gives no delivery fact (`extract_facts`)
and is an `order` file (`classify`). A page is a list when it shows at least `MIN_IDS` different order IDs or
tracking numbers (words of a tracking number's unmistakable shape count too, valid or not; numbers a character or
two apart count once: a misread copy), or two order IDs and delivery statuses on several lines (two tracking
numbers are not enough: a carrier page may show one number twice), or the per-order header of an order history
(`[order_list] headers` in `data/facts/kinds.toml`: "Order placed", "Bestellung aufgegeben" ...) more than once.
This module only reads lines; it decides nothing about the claim.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources

from ..text import Line
from .delivery import status_hits
from .order_ids import find_order_ids
from .phrases import FoldedPattern, phrases_rx
from .tracking import number_shapes

MIN_IDS = 3  # different order IDs (or tracking numbers) that make a list by themselves


@lru_cache(maxsize=1)
def _headers() -> FoldedPattern:
    text = resources.files("evidence_svc").joinpath("data/facts/kinds.toml").read_text(encoding="utf-8")
    return phrases_rx(tomllib.loads(text)["order_list"]["headers"])


def is_order_list(lines: list[Line], order_ids: set[str] | None = None, tracking: set[str] | None = None) -> bool:
    """Whether `lines` (one page) list many orders or parcels. `order_ids` and `tracking` may pass the page's order
    IDs and tracking numbers if already read (tracking numbers are then counted too)."""
    ids = order_ids if order_ids is not None else {h.value for h in find_order_ids(lines)}
    if len(ids) >= MIN_IDS or _parcels((tracking or set()) | number_shapes(lines)) >= MIN_IDS:
        return True
    if sum(1 for ln in lines if _headers().search(ln.text)) >= 2:
        return True
    if len(ids) >= 2:
        return len({h.line for h in status_hits(lines)}) >= 2
    return False


def _parcels(numbers: set[str]) -> int:
    """How many different parcels the numbers stand for: a number one or two characters away from another of the
    same length (OCR's misread copy of it, "CP937685499JP" beside "CP937085499JP") is the same parcel."""
    kept: list[str] = []
    for n in sorted(numbers):
        if not any(len(n) == len(k) and sum(a != b for a, b in zip(n, k)) <= 2 for k in kept):
            kept.append(n)
    return len(kept)
