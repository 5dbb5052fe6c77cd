"""Every file of the robustness corpus in tests/data/corpus (other projects' test files) through open_source and
render_page.

Each must end as findings or pages within a time limit, never an exception; the known odd files listed in
tests/data/corpus/SOURCES.md must get the specific outcome named below. Pages are rendered, not OCR'd (too slow).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from evidence_svc.config import load_settings
from evidence_svc.ingest import open_source, render_page
from support.paths import CORPUS, corpus_files

PER_FILE_SECONDS = 20.0

FILES = corpus_files()

# file -> the file-level finding codes it must get (and nothing else fatal)
EXPECTED_CODES = {
    "pdfplumber/empty.pdf": ["corrupt-file"],
    "ocrmypdf/invalid.pdf": ["corrupt-file"],
    "pikepdf/newline-buffer-test.pdf": ["corrupt-file"],  # 0 pages
    "pikepdf/graph-encrypted.pdf": ["encrypted-pdf"],
    "pdfplumber/password-example.pdf": ["encrypted-pdf"],
    "paperless/password-is-test.pdf": ["encrypted-pdf"],
    "paperless/encrypted.pdf": ["encrypted-pdf"],
    "ocrmypdf/hugemono.pdf": ["image-too-large"],  # 35000 x 35000 1-bit: refused before any decoding
    "ocrmypdf/acroform.pdf": ["active-content"],
    "paperless/with-form.pdf": ["active-content"],
}


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return load_settings(cache_dir=tmp_path_factory.mktemp("corpus-cache"))


def run(path: Path, settings):
    t0 = time.perf_counter()
    src = open_source(path, settings)
    pages = [render_page(src, i, settings) for i in range(src.page_count)] if src.readable else []
    return src, pages, time.perf_counter() - t0


@pytest.fixture(scope="module")
def outcomes(settings):
    return {str(p.relative_to(CORPUS)): run(p, settings) for p in FILES}


@pytest.mark.parametrize("rel", [str(p.relative_to(CORPUS)) for p in FILES])
def test_every_corpus_file_gives_findings_or_pages(outcomes, rel):
    src, pages, seconds = outcomes[rel]
    assert seconds < PER_FILE_SECONDS, f"{rel} took {seconds:.1f} s"
    if not src.readable:
        assert src.findings, f"{rel}: unreadable without saying why"
        return
    assert pages and len(pages) == src.page_count
    for rp in pages:
        if rp.findings:  # a page that could not be drawn says why and carries no raster
            assert rp.image is None
            continue
        assert rp.page.width > 0 and rp.page.height > 0
        if rp.needs_ocr:
            assert rp.image is not None and rp.image.mode == "RGB"
            assert rp.image.size == (rp.page.width, rp.page.height)
            assert rp.image.width * rp.image.height <= 50_000_000
        else:
            assert rp.page.text_source == "pdf-text" and rp.page.words


@pytest.mark.parametrize("rel,codes", sorted(EXPECTED_CODES.items()))
def test_known_odd_files_get_the_expected_codes(outcomes, rel, codes):
    src, _, _ = outcomes[rel]
    assert [f.code for f in src.findings] == codes
    fatal = {"corrupt-file", "encrypted-pdf", "image-too-large", "file-too-large", "unsupported-format"}
    assert src.readable == (not set(codes) & fatal)


def test_junk_before_the_pdf_header_is_still_a_pdf(outcomes):
    src, pages, _ = outcomes["paperless/invalid_pdf.pdf"]  # four bytes before %PDF
    assert src.media_type == "application/pdf" and src.readable and src.page_count == 2
    assert any(w.text == "Invoice" for w in pages[1].page.words)


def test_text_layers_without_unicode_mapping_are_ocrd(outcomes):
    for rel in ("ocrmypdf/truetype_font_nomapping.pdf", "ocrmypdf/type3_font_nomapping.pdf"):
        _, pages, _ = outcomes[rel]
        assert pages[0].needs_ocr and pages[0].page.text_source == "ocr", rel


def test_real_text_layers_are_read_without_ocr(outcomes):
    _, pages, _ = outcomes["pdfplumber/issue-461-example.pdf"]  # Chinese lab report on a rotated page
    assert not pages[0].needs_ocr and "性别:" in [w.text for w in pages[0].page.words]
    _, pages, _ = outcomes["pdfplumber/nics-background-checks-2015-11-rotated.pdf"]
    assert not pages[0].needs_ocr and len(pages[0].page.words) > 1000


def test_embedded_image_resolution_is_recorded(outcomes):
    _, pages, _ = outcomes["ocrmypdf/poster.pdf"]  # 2550 x 3300 px drawn 25 x 32.4 inches: 102 dpi both ways
    assert pages[0].page.images[0].dpi == pytest.approx(102, abs=1) and pages[0].page.dpi == 102
    _, pages, _ = outcomes["ocrmypdf/aspect.pdf"]  # 200 x 100 dpi: the smaller axis counts
    assert pages[0].page.images[0].dpi == pytest.approx(100, abs=2)
    _, pages, _ = outcomes["ocrmypdf/c02-22.pdf"]
    assert pages[0].page.images[0].dpi == pytest.approx(150, abs=2) and pages[0].page.dpi == 150


def test_image_modes_and_heic_become_rgb_pages(outcomes):
    for rel in ("ocrmypdf/baiona_alpha.png", "ocrmypdf/baiona_colormapped.png", "paperless/simple.heic",
                "paperless/simple-no-dpi.png", "ocrmypdf/crom.png"):
        src, pages, _ = outcomes[rel]
        assert src.readable and pages[0].image.mode == "RGB", rel
    assert outcomes["paperless/simple.heic"][0].media_type == "image/heic"
    assert outcomes["ocrmypdf/crom.png"][1][0].page.dpi is None
