"""Tracking numbers: the specification's formats (`spec`), OCR'd number runs (`reading`), and the finder (`finder`).

`identify(text)` says which courier entries a whole number fits; `find_tracking(lines)` finds numbers in page text;
`from_barcode(text, ...)` judges a decoded barcode. This package reads words and data files only; it never judges a
claim (`claim_checks` does) and never runs OCR.
"""

from __future__ import annotations

from .finder import find_tracking, from_barcode, number_shapes, page_carriers, page_context, shown_carrier
from .spec import (
    Entry, Identified, carrier_of, carriers_config, check, entries, identify, lookalike_letters, normalise,
    service_known,
)

__all__ = ["Entry", "Identified", "carrier_of", "carriers_config", "check", "entries", "find_tracking", "from_barcode",
           "number_shapes",
           "identify", "lookalike_letters", "normalise", "page_carriers", "page_context", "service_known",
           "shown_carrier"]
