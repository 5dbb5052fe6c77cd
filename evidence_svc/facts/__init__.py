"""Facts: what a file's words prove, and what kind of evidence the file is.

The extractors live one per module (`order_ids`, `tracking`, `dates`, `money`, `refunds`, `delivery`, `barcodes`);
`extract.py` runs them on a file's pages (`extract_facts`) and names what the file shows (`classify`). The names
below are loaded on first use, so a module that needs one small piece (e.g. `facts.tracking.normalise` for the
claim checks) does not pay for babel's calendar data and the barcode reader: a cached `evidence lint` never reads a
fact.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = ["extract_facts", "classify", "date_window", "merge_tracking", "snap_to_claim", "KINDS"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".extract", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
