"""Every public malformed/odd file in tests/data/corpus goes through the whole pipeline to a clean verdict.

A report with findings, never an exception, a hang, or a page that broke a library (the pipeline's last-resort
`corrupt-file` for a crashed page counts as a failure here: each such crash is a bug to fix at its source).
"""

from __future__ import annotations

import os

import pytest

from evidence_svc.config import load_settings
from evidence_svc.model import Claim
from evidence_svc.pipeline import check_claim
from support.paths import CORPUS, corpus_files

FILES = corpus_files()

# What the corpus's own projects know about these files (tests/data/corpus/SOURCES.md).
EXPECTED = {
    "pikepdf/graph-encrypted.pdf": "encrypted-pdf",
    "pdfplumber/password-example.pdf": "encrypted-pdf",
    "paperless/password-is-test.pdf": "encrypted-pdf",
    "paperless/encrypted.pdf": "encrypted-pdf",
    "pdfplumber/empty.pdf": "corrupt-file",
    "ocrmypdf/invalid.pdf": "corrupt-file",
    "pikepdf/newline-buffer-test.pdf": "corrupt-file",
    "ocrmypdf/hugemono.pdf": "image-too-large",
    "ocrmypdf/acroform.pdf": "active-content",
    "paperless/with-form.pdf": "active-content",
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    assert FILES, f"the robustness corpus is missing at {CORPUS} (it is part of the repository)"
    settings = load_settings(cache_dir=tmp_path_factory.mktemp("ocr-cache"), workers=os.cpu_count() or 2)
    names = [str(p.relative_to(CORPUS)) for p in FILES]
    return check_claim(Claim(order_id="112-1234567-1234567"), FILES, settings, names=names)


def test_every_corpus_file_gets_a_verdict(report):
    assert len(report.files) == len(FILES)
    for f in report.files:
        assert f.status in {"pass", "warn", "fail"}
        for x in f.findings:
            assert x.message and x.message_zh, (f.name, x.code)
            assert "could not be processed" not in x.message, f"{f.name}: a page crashed a library: {x.message}"


@pytest.mark.parametrize("name, code", sorted(EXPECTED.items()))
def test_known_odd_files_get_their_finding(report, name, code):
    by_name = {f.name: f for f in report.files}
    assert name in by_name, f"{name} is missing from {CORPUS}"
    assert code in [x.code for x in by_name[name].findings], by_name[name].findings


def test_unreadable_files_have_no_pages_and_readable_ones_do(report):
    fatal = {"encrypted-pdf", "corrupt-file", "image-too-large", "unsupported-format", "file-too-large"}
    for f in report.files:
        codes = {x.code for x in f.findings}
        if codes & fatal:
            assert f.status == "fail"
        else:
            assert f.pages, f"{f.name}: readable but no pages"
