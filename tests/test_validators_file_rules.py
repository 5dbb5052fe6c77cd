"""duplicate-file within one claim: same bytes, or a near-identical picture whose text agrees."""

from __future__ import annotations

import imagehash
import numpy as np
from PIL import Image

from evidence_svc.config import Settings
from evidence_svc.model import Claim, Facts, Page, Word
from validators import codes
from validators.base import CheckContext, FileInput
from validators.file_rules import INGEST_CODES, FileRules, image_phash, phash_distance


def file(name: str, sha: str, text: str = "", phash: str | None = None, source: str = "image") -> FileInput:
    words = [Word(text=t, box=(10 * i, 0, 10 * i + 8, 10), line=0) for i, t in enumerate(text.split())]
    return FileInput(name=name, sha256=sha, media_type="image/png", bytes=1, facts=Facts(), phash=phash,
                     pages=[Page(index=0, width=100, height=20, words=words)], source=source)


def check(f: FileInput, *earlier: FileInput) -> list:
    return FileRules().check_file(f, CheckContext(claim=Claim(order_id="112-1234567-1234567"),
                                                  settings=Settings(), earlier_files=list(earlier)))


def test_same_bytes_is_a_duplicate_naming_the_earlier_file() -> None:
    found = check(file("copy.png", "a" * 64), file("a.png", "b" * 64), file("orig.png", "a" * 64))
    assert [(f.code, f.value, f.severity) for f in found] == [("duplicate-file", "orig.png", "warning")]


def test_near_identical_picture_with_the_same_text_is_a_duplicate() -> None:
    text = "Order 112-1234567-1234567 Delivered Nov 3, 2026 $23.45"
    found = check(file("b.jpg", "b" * 64, text, phash="ffd8e0c0c0e0f0f0"), file("a.png", "a" * 64, text,
                                                                              phash="ffd8e0c0c0e0f0f1"))
    assert [f.value for f in found] == ["a.png"]


def test_same_template_other_order_is_not_a_duplicate() -> None:
    a = file("a.png", "a" * 64, "Order 112-1234567-1234567 Delivered Nov 3, 2026 $23.45", phash="ffd8e0c0c0e0f0f0")
    b = file("b.png", "b" * 64, "Order 113-7654321-7654321 Delivered Nov 3, 2026 $23.45", phash="ffd8e0c0c0e0f0f0")
    assert check(b, a) == []


def test_far_phash_or_bad_hash_is_not_a_duplicate() -> None:
    a = file("a.png", "a" * 64, phash="0000000000000000")
    assert check(file("b.png", "b" * 64, phash="ffffffffffffffff"), a) == []
    assert check(file("c.png", "c" * 64, phash="not-hex"), a) == []
    assert phash_distance("abc", "0000000000000000") is None


def test_image_phash_matches_imagehash_on_a_real_image() -> None:
    rng = np.random.default_rng(0)
    im = Image.fromarray(rng.integers(0, 255, (64, 64, 3), dtype=np.uint8))
    assert image_phash(im) == str(imagehash.phash(im))
    assert phash_distance(image_phash(im), image_phash(im.resize((128, 128)))) <= 4


def test_ingest_codes_are_listed_not_rechecked() -> None:
    assert set(INGEST_CODES) <= set(codes())
    assert check(file("a.png", "a" * 64)) == []
