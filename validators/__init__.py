"""The validators, registered in the order they run, and every finding code they (or ingest) may emit.

Each validator looks at one kind of defect (see `validators/base.py` for the protocol): file rules first (cheap,
and a duplicate needs no further reading), then readability (resolution, blur), then what the file shows
(timestamp, order). The pipeline runs `check_page` of each in this order in the page worker and `check_file` of
each after the facts are extracted.

The rule validators follow: they may use the ground floor - `evidence_svc.model`, `config`, `text`, `messages`
and `facts` (pure functions over words) - and libraries; never the pipeline, the stages that do I/O (ingest, OCR,
store, bundle) or the adapters (CLI, API, watch, workers). The one OCR call a page check needs (re-reading a strip
cut by the edge) comes in as `CheckContext.read_line`, handed over by the pipeline
(tests/test_validators_package.py checks the imports).

This package is ours; PyPI has an unrelated `validators` package, and nothing here may depend on it
(tests/test_validators_package.py checks `import validators` resolves to this folder).
"""

from __future__ import annotations

from functools import lru_cache

from .base import BaseValidator, CheckContext, FileInput, PageInput, Validator


def __getattr__(name: str) -> list[Validator]:
    """`VALIDATORS`, made on first use: the pixel validators import numpy and OpenCV (0.15 s), which a report read
    back from the cache, or a bundle of one, never needs (PEP 562 module attribute)."""
    if name != "VALIDATORS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _validators()


@lru_cache(maxsize=1)
def _validators() -> list[Validator]:
    from .blur import Blur
    from .file_rules import FileRules
    from .order_match import OrderMatch
    from .resolution import Resolution
    from .timestamp import Timestamp

    return [FileRules(), Resolution(), Blur(), Timestamp(), OrderMatch()]


def codes() -> list[str]:
    """Every finding code the validators (and the ingest checks file_rules lists) can produce, in run order."""
    return list(dict.fromkeys(code for v in _validators() for code in v.codes))


__all__ = ["VALIDATORS", "codes", "BaseValidator", "CheckContext", "FileInput", "PageInput", "Validator"]
