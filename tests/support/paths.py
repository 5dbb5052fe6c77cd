"""Where the tests find the data they read: every path lies inside this repository, so a fresh clone with nothing
beside it runs the whole suite. One home for these constants; tests never build a path to a folder outside the
repository, and nothing here reads or writes a file."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
# Public malformed/odd files from other projects' test suites, with their licence notices (see its SOURCES.md).
CORPUS = DATA / "corpus"
# The courier specs with their test numbers, shipped with the product (MIT, see its LICENSE and SOURCE.md).
TRACKING_SPEC = REPO / "evidence_svc" / "data" / "tracking" / "couriers"

_NOTICES = {".md", ".txt"}  # SOURCES.md, LICENSE.md and licence texts sit beside the files


def corpus_files() -> list[Path]:
    """Every evidence file of the corpus (licence notices left out), sorted."""
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix not in _NOTICES)
