"""The pipeline's file cache and streaming pool: a re-check gives the same report as a fresh one, reads nothing but
the cache for an unchanged file, and a pool that loses a worker still finishes the claim.

Real tesseract, real Pillow/pikepdf files and a real process pool; no timing here (benchmarks: bench/bench_speed.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import imagehash
import pytest
from PIL import Image, ImageDraw, ImageFont

from evidence_svc.config import load_settings
from evidence_svc.model import Claim
from evidence_svc.pipeline import check_claim
from evidence_svc.pools import ProcessPool
from support.paths import CORPUS, REPO
from validators.file_rules import image_phash, phash_distance

ORDER = "112-1234567-1234567"
NOW = datetime(2026, 11, 20, tzinfo=timezone.utc)


def screenshot(lines: list[str]) -> Image.Image:
    im = Image.new("RGB", (900, 60 + 50 * len(lines)), "white")
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default(size=30)
    for i, text in enumerate(lines):
        draw.text((30, 30 + 50 * i), text, fill="black", font=font)
    return im


@pytest.fixture(scope="module")
def claim_files(tmp_path_factory) -> list[Path]:
    """A screenshot, a re-encoded copy and a byte-for-byte copy of it, a two-page scanned PDF and a truncated PNG."""
    d = tmp_path_factory.mktemp("claim")
    shot = screenshot([f"Order # {ORDER}", "Delivered November 3, 2026 at 10:42 AM", "Total $23.45"])
    shot.save(d / "order.png")
    shot.save(d / "order-copy.jpg", quality=92)
    pages = [screenshot(["Tracking 1Z999AA10123456784", "Delivered Nov 3, 2026"]),
             screenshot(["Refund issued $23.45", "Nov 5, 2026"])]
    pages[0].save(d / "scan.pdf", save_all=True, append_images=pages[1:], resolution=150.0)
    full = (d / "order.png").read_bytes()
    (d / "again.png").write_bytes(full)
    (d / "truncated.png").write_bytes(full[: len(full) // 2])
    return [d / "order.png", d / "order-copy.jpg", d / "scan.pdf", d / "again.png", d / "truncated.png"]


def report_of(files: list[Path], cache: Path, workers: int = 2, **claim) -> dict:
    settings = load_settings(cache_dir=cache, workers=workers)
    return check_claim(Claim(order_id=ORDER, **claim), files, settings, now=NOW).model_dump(mode="json")


def test_cached_report_equals_a_fresh_one_on_any_number_of_workers(claim_files, tmp_path):
    fresh = report_of(claim_files, tmp_path / "c2")
    assert report_of(claim_files, tmp_path / "c2") == fresh  # every file a cache hit
    assert report_of(claim_files, tmp_path / "c1", workers=1) == fresh  # in-process, no pool
    by_name = {f["name"]: f for f in fresh["files"]}
    assert "duplicate-file" in [x["code"] for x in by_name["again.png"]["findings"]]
    assert len(by_name["scan.pdf"]["pages"]) == 2
    truncated = by_name["truncated.png"]
    # decoded in a worker, still reported as triage reports it: the whole file, no pages, not remembered
    assert [(x["code"], x["page"]) for x in truncated["findings"]] == [("corrupt-file", None)]
    assert truncated["pages"] == [] and truncated["status"] == "fail"


def test_a_reply_edit_reuses_the_cached_file_and_another_order_does_not(claim_files, tmp_path):
    cache = tmp_path / "cache"
    first = report_of(claim_files[:1], cache, reply="Hello, the parcel was delivered.")
    entries = sorted((cache / "files").rglob("*.pickle"))
    assert len(entries) == 1
    again = report_of(claim_files[:1], cache, reply="Hello again: delivered on Nov 3.")
    assert sorted((cache / "files").rglob("*.pickle")) == entries
    assert again["files"] == first["files"]
    other = load_settings(cache_dir=cache, workers=2)
    report = check_claim(Claim(order_id="113-7654321-7654321"), claim_files[:1], other, now=NOW)
    assert len(list((cache / "files").rglob("*.pickle"))) == 2
    assert "order-mismatch" in [x.code for x in report.files[0].findings]


def test_a_cached_file_is_reported_without_the_imaging_and_ocr_stack(claim_files, tmp_path):
    cache = tmp_path / "cache"
    expected = report_of(claim_files[:1], cache)
    script = textwrap.dedent(f"""
        import json, sys
        from datetime import datetime, timezone
        from evidence_svc.config import load_settings
        from evidence_svc.model import Claim
        from evidence_svc.pipeline import check_claim
        settings = load_settings(cache_dir={str(cache)!r}, workers=2)
        now = datetime(2026, 11, 20, tzinfo=timezone.utc)
        report = check_claim(Claim(order_id={ORDER!r}), [{str(claim_files[0])!r}], settings, now=now)
        heavy = [m for m in ("evidence_svc.file_stage", "evidence_svc.ocr", "validators", "cv2", "tesserocr",
                             "pypdfium2", "pikepdf") if m in sys.modules]
        print(json.dumps({{"heavy": heavy, "report": report.model_dump(mode="json")}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=True)
    import json

    got = json.loads(out.stdout)
    assert got["heavy"] == []
    assert got["report"] == expected


def double_outside_parent(item: tuple[int, int]) -> int:
    """Kills the pool worker that runs it (as the kernel's OOM killer would); works in the parent process."""
    parent, x = item
    if os.getpid() != parent:
        os._exit(1)
    return 2 * x


def test_a_batch_finishes_in_process_when_a_worker_dies():
    pool = ProcessPool()
    try:
        batch = pool.batch(2)
        for x in range(4):
            batch.submit(double_outside_parent, (os.getpid(), x), x)
        got = {}
        while batch.pending:
            tag, result = batch.next_done()
            got[tag] = result
        assert got == {0: 0, 1: 2, 2: 4, 3: 6}
    finally:
        pool.shutdown(wait=True)


def finish_after(seconds: float) -> float:
    """A pool item: waits, and says when it finished (CLOCK_MONOTONIC is one clock for every process here)."""
    time.sleep(seconds)
    return time.monotonic()


def test_a_small_batch_is_not_queued_behind_a_big_one():
    """Two requests share the pool: the one-item claim that arrives after a 12-item claim finishes long before it,
    instead of waiting for all 12 (the pool's own queue is first in, first out)."""
    pool = ProcessPool()
    big_submitted = threading.Event()
    finished: dict[str, list[float]] = {"big": [], "small": []}

    def claim(name: str, items: int) -> None:
        batch = pool.batch(2)
        for i in range(items):
            batch.submit(finish_after, 0.15, i)
        if name == "big":
            big_submitted.set()
        while batch.pending:
            finished[name].append(batch.next_done()[1])

    try:
        pool.executor(2)
        big = threading.Thread(target=claim, args=("big", 12))
        big.start()
        assert big_submitted.wait(30)
        claim("small", 1)
        big.join(60)
        assert len(finished["big"]) == 12 and len(finished["small"]) == 1
        after_small = [t for t in finished["big"] if t > finished["small"][0]]
        assert len(after_small) >= 6, f"the small claim waited for {12 - len(after_small)} of the big one's 12 items"
    finally:
        pool.shutdown(wait=True)


def started_at(seconds: float) -> float:
    """A pool item: says when it started, then takes `seconds`."""
    now = time.monotonic()
    time.sleep(seconds)
    return now


def test_a_batch_hands_its_heaviest_waiting_item_to_the_pool_first():
    """Longest first: a claim does not end on one big file while the other worker has nothing left to do."""
    pool = ProcessPool()
    try:
        batch = pool.batch(2)
        for i in range(3):  # fill the pool (workers + 1 items in flight)
            batch.submit(started_at, 0.2, f"first{i}")
        for i in range(4):
            batch.submit(started_at, 0.05, f"light{i}", weight=1.0)
        batch.submit(started_at, 0.05, "heavy", weight=10.0)
        started = {}
        while batch.pending:
            tag, at = batch.next_done()
            started[tag] = at
        assert all(started["heavy"] < started[f"light{i}"] for i in range(4)), started
    finally:
        pool.shutdown(wait=True)


def test_phash_matches_imagehash_on_real_images():
    images = [CORPUS / "ocrmypdf" / n for n in ("baiona_alpha.png", "baiona_colormapped.png", "crom.png", "linn.png")]
    images += [CORPUS / "paperless" / n for n in ("simple-alpha.png", "simple-no-dpi.png", "no-text-alpha.png")]
    for path in images:
        with Image.open(path) as im:
            assert image_phash(im) == str(imagehash.phash(im)), path.name
            assert image_phash(im.convert("RGB")) == str(imagehash.phash(im.convert("RGB"))), path.name
    flat = Image.new("RGB", (300, 200), (200, 200, 200))  # all frequencies but the first are exactly zero
    assert image_phash(flat) == str(imagehash.phash(flat)) == "8000000000000000"
    a, b = "ffd8e0c0c0e0f0f0", "0fd8e0c0c0e0f0f1"
    assert phash_distance(a, b) == imagehash.hex_to_hash(a) - imagehash.hex_to_hash(b) == 5
