"""Watch mode end to end: the real `evidence watch` as a subprocess on temporary inbox/outbox folders.

Claims are small real PNGs rendered with Pillow (an order ID and a date, so tesseract is quick); the watcher's
JSON log lines tell what it did. Covers: claims appearing and being processed, error.txt for an unprocessable
folder, re-processing of a changed folder and never of an unchanged one, a file written slowly in chunks, `.ready`,
`--move-done`, and kill -9 in the middle of a batch.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parents[1]
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OUTPUTS = {"report.json", "report.txt", "reply.txt", "bundle.pdf", "manifest.json"}


def order_id(n: int) -> str:
    return f"112-{1000000 + n * 7919 % 9000000:07d}-{2000000 + n * 104729 % 8000000:07d}"


def evidence_png(order: str, day: int = 3) -> bytes:
    """A small order-detail screenshot: the order ID and a date, large enough to OCR at once."""
    font = ImageFont.truetype(FONT, 26)
    img = Image.new("RGB", (820, 260), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 820, 50), fill=(35, 47, 62))
    draw.text((20, 10), "Your Orders", fill="white", font=font)
    draw.text((20, 90), f"Order # {order}", fill="black", font=font)
    draw.text((20, 150), f"Delivered November {day}, 2026 at 14:{day:02d}", fill="black", font=font)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def pngs() -> dict[str, bytes]:
    return {order_id(n): evidence_png(order_id(n), 1 + n % 27) for n in range(40)}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def command() -> list[str]:
    script = Path(sys.executable).with_name("evidence")
    return [str(script)] if script.exists() else [sys.executable, "-m", "evidence_svc"]


def env_for(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(EVIDENCE_CACHE_DIR=str(tmp / "cache"), EVIDENCE_DATA_DIR=str(tmp / "data"), PYTHONUNBUFFERED="1",
               WATCH_TEST_TAG=str(tmp))
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def start(tmp: Path, inbox: Path, out: Path, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*command(), "watch", str(inbox), "--out", str(out), *args],
        stdout=open(log, "w"), stderr=open(log.with_suffix(".err"), "w"), cwd=tmp, env=env_for(tmp),
    )


def run_once(tmp: Path, inbox: Path, out: Path, *args: str, log: Path, timeout: float = 120) -> int:
    proc = start(tmp, inbox, out, "--once", *args, log=log)
    return proc.wait(timeout=timeout)


def events(log: Path, kind: str | None = None) -> list[dict]:
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue  # the last line of a killed watcher may be cut
        if kind is None or event["event"] == kind:
            out.append(event)
    return out


def done(log: Path, claim: str | None = None) -> list[dict]:
    return [e for e in events(log, "claim.done") if claim is None or e["claim"] == claim]


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def processes_of(tmp: Path) -> list[int]:
    """Processes started for this test folder: the watcher, its forkserver and workers (tagged by environment)."""
    tag = f"WATCH_TEST_TAG={tmp}".encode()
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if tag in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            pass
    return found


def make_claim(inbox: Path, name: str, files: dict[str, bytes], toml: str | None = None) -> Path:
    folder = inbox / name
    folder.mkdir(parents=True)
    for rel, data in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(data)
    if toml is not None:
        (folder / "claim.toml").write_text(toml, encoding="utf-8")
    return folder


def assert_complete_set(claim_out: Path) -> dict:
    """A complete set: the manifest lists every output with its hash, and every hash matches."""
    manifest = json.loads((claim_out / "manifest.json").read_text(encoding="utf-8"))
    names = {o["name"] for o in manifest["outputs"]}
    assert {p.name for p in claim_out.iterdir()} == names | {"manifest.json"}
    for o in manifest["outputs"]:
        assert sha((claim_out / o["name"]).read_bytes()) == o["sha256"], o["name"]
    if manifest["status"] == "done":
        assert names | {"manifest.json"} == OUTPUTS
    else:
        assert names == {"error.txt"}
    return manifest


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, sha(p.read_bytes()))
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_once_processes_claims_writes_error_txt_and_reprocesses_only_changed_folders(tmp_path, pngs):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    a, b, c = list(pngs)[:3]
    make_claim(inbox, a, {"order.png": pngs[a]})  # named like an order: no claim.toml needed
    make_claim(inbox, "acme-claim", {"shots/order.png": pngs[b]},
               toml=f'order_id = "{b}"\nreason = "not_received"\nreply = "We shipped it, tracking attached."\n')
    make_claim(inbox, "broken", {"order.png": pngs[c]}, toml='order_id = "oops\n')
    make_claim(inbox, "empty", {})
    make_claim(inbox, list(pngs)[11], {"order.png.crdownload": pngs[c][:500]})  # a browser download in progress
    before = snapshot(inbox)

    code = run_once(tmp_path, inbox, out, "--settle", "0.3", log=tmp_path / "1.log")

    assert code == 1  # a folder could not be processed
    assert snapshot(inbox) == before  # the inbox is only read
    assert {e["claim"] for e in done(tmp_path / "1.log")} == {a, "acme-claim"}
    report = json.loads((out / a / "report.json").read_text(encoding="utf-8"))
    assert report["schema"] == "evidence-report/1" and report["claim"]["order_id"] == a
    assert [f["sha256"] for f in report["files"]] == [sha(pngs[a])]
    assert a in report["files"][0]["facts"]["order_ids"]
    assert report["bundle"]["path"] == "bundle.pdf"
    assert (out / a / "bundle.pdf").read_bytes().startswith(b"%PDF")
    text = (out / a / "report.txt").read_text(encoding="utf-8")
    assert "Summary" in text and "汇总" in text
    named = json.loads((out / "acme-claim" / "report.json").read_text(encoding="utf-8"))
    assert named["files"][0]["name"] == "shots/order.png" and named["claim"]["order_id"] == b
    error = (out / "broken" / "error.txt").read_text(encoding="utf-8")
    assert "invalid TOML" in error and "claim.toml" in error and "无法处理" in error
    assert not (out / "empty").exists() and not (out / list(pngs)[11]).exists()
    assert [e["claim"] for e in events(tmp_path / "1.log", "claim.skipped")] == [list(pngs)[11]]
    manifests = {n: assert_complete_set(out / n) for n in (a, "acme-claim", "broken")}
    summary = events(tmp_path / "1.log", "watch.summary")[0]
    assert (summary["claims"], summary["errors"], summary["files"], summary["skipped"]) == (2, 1, 2, 1)

    # Unchanged: nothing is processed again, even after a touch that changes only the mtime.
    os.utime(inbox / a / "order.png")
    assert run_once(tmp_path, inbox, out, "--settle", "0.3", log=tmp_path / "2.log") == 0
    assert done(tmp_path / "2.log") == [] and events(tmp_path / "2.log", "claim.error") == []
    assert {e["claim"] for e in events(tmp_path / "2.log", "claim.unchanged")} == {a, "acme-claim", "broken"}
    assert json.loads((out / a / "manifest.json").read_text())["run"] == manifests[a]["run"]

    # Changed: an edited reply, a replaced file and a fixed claim.toml are each processed again.
    toml = (inbox / "acme-claim" / "claim.toml").read_text(encoding="utf-8")
    (inbox / "acme-claim" / "claim.toml").write_text(toml.replace("We shipped", "We reshipped"), encoding="utf-8")
    (inbox / a / "order.png").write_bytes(pngs[c])
    (inbox / "broken" / "claim.toml").write_text(f'order_id = "{c}"\n', encoding="utf-8")
    assert run_once(tmp_path, inbox, out, "--settle", "0.3", log=tmp_path / "3.log") == 0
    assert {e["claim"] for e in done(tmp_path / "3.log")} == {a, "acme-claim", "broken"}
    assert "We reshipped" in (out / "acme-claim" / "report.json").read_text(encoding="utf-8")
    assert json.loads((out / a / "report.json").read_text())["files"][0]["sha256"] == sha(pngs[c])
    for n in (a, "acme-claim", "broken"):
        assert assert_complete_set(out / n)["status"] == "done"

    # --move-done moves processed folders out of the inbox (the only time the inbox is touched).
    assert run_once(tmp_path, inbox, out, "--settle", "0.3", "--move-done", str(tmp_path / "done"),
                    log=tmp_path / "4.log") == 0
    assert sorted(p.name for p in (tmp_path / "done").iterdir()) == sorted([a, "acme-claim", "broken"])
    assert sorted(p.name for p in inbox.iterdir()) == sorted(["empty", list(pngs)[11]])


def test_watcher_picks_up_new_and_changed_claims_until_stopped(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    inbox.mkdir()
    a, b = list(pngs)[3:5]
    proc = start(tmp_path, inbox, out, "--settle", "0.5", log=log)
    try:
        wait_for(lambda: events(log, "watch.start"), 30, "the watcher to start", proc)
        make_claim(inbox, a, {"order.png": pngs[a]})
        wait_for(lambda: (out / a / "manifest.json").exists(), 60, "the first claim", proc)
        make_claim(inbox, b, {"order.png": pngs[b]})
        wait_for(lambda: (out / b / "manifest.json").exists(), 60, "the second claim", proc)
        (inbox / a / "second.png").write_bytes(pngs[b])  # a new file: the claim is processed again
        wait_for(lambda: len(done(log, a)) == 2, 60, "the changed claim", proc)
        time.sleep(1.5)  # several settle periods: nothing else may happen
        assert len(done(log, a)) == 2 and len(done(log, b)) == 1
        report = json.loads((out / a / "report.json").read_text(encoding="utf-8"))
        assert sorted(f["name"] for f in report["files"]) == ["order.png", "second.png"]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert events(log, "watch.summary")[0]["claims"] == 3
    assert not [p for p in out.iterdir() if p.name.startswith((".stage-", ".old-"))]


WRITER = """
import sys, time
data = open(sys.argv[1], "rb").read()
step = len(data) // 16 + 1
with open(sys.argv[2], "wb") as f:
    for i in range(0, len(data), step):
        f.write(data[i:i + step]); f.flush()
        time.sleep(0.4)
"""


def ts(event: dict) -> float:
    return datetime.fromisoformat(event["ts"]).timestamp()


def test_file_written_slowly_in_chunks_is_read_only_when_complete(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    order = list(pngs)[5]
    folder = make_claim(inbox, order, {"first.png": pngs[order]})
    source = tmp_path / "big.png"
    source.write_bytes(evidence_png(order, 9) + os.urandom(300_000))  # bytes after IEND: a valid, larger PNG
    # The writer pauses less than --settle between chunks, for about 6 s in all; polling mode (network shares).
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(source), str(folder / "slow.png")])
    proc = start(tmp_path, inbox, out, "--settle", "1.0", "--poll", "0.2", log=log)
    try:
        assert writer.wait(timeout=30) == 0
        finished = time.time()
        wait_for(lambda: (out / order / "manifest.json").exists(), 60, "the claim", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert ts(events(log, "watch.start")[0]) < finished - 2, "the watcher must be up while the file grows"
    runs = done(log, order)
    assert len(runs) == 1, runs  # never processed while the file grew
    report = json.loads((out / order / "report.json").read_text(encoding="utf-8"))
    assert {f["name"]: f["sha256"] for f in report["files"]}["slow.png"] == sha(source.read_bytes())
    assert all(ts(e) > finished - 0.3 for e in events(log, "claim.queued"))


def test_ready_marker_skips_the_settle_time(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    order = list(pngs)[6]
    folder = make_claim(inbox, order, {"order.png": pngs[order]})
    (folder / ".ready").touch()
    started = time.monotonic()
    assert run_once(tmp_path, inbox, out, "--settle", "120", log=log) == 0  # would wait 2 minutes without .ready
    assert time.monotonic() - started < 60
    assert len(done(log, order)) == 1


def test_kill_9_mid_batch_leaves_every_claim_with_exactly_one_complete_set(tmp_path, pngs):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    orders = list(pngs)[10:40]
    for order in orders:
        make_claim(inbox, order, {"order.png": pngs[order]})
    first, second = tmp_path / "1.log", tmp_path / "2.log"
    proc = start(tmp_path, inbox, out, "--once", "--settle", "0.2", log=first)
    wait_for(lambda: len(done(first)) >= 6, 120, "a few claims to finish", proc)
    assert len(processes_of(tmp_path)) >= 3  # the watcher, the forkserver, workers
    proc.kill()  # SIGKILL: no cleanup of any kind
    proc.wait(timeout=10)
    # Its workers notice and exit too (they would otherwise wait forever, or write into stages being cleaned).
    wait_for(lambda: not processes_of(tmp_path), 10, "the killed watcher's workers to exit")
    finished_first = {e["claim"] for e in done(first)}
    assert 6 <= len(finished_first) < len(orders), "the kill must fall in the middle of the batch"

    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=second) == 0

    runs = {e["run"] for e in events(first, "watch.start")} | {e["run"] for e in events(second, "watch.start")}
    first_run = events(first, "watch.start")[0]["run"]
    for order in orders:
        manifest = assert_complete_set(out / order)
        assert manifest["status"] == "done" and manifest["run"] in runs
        completions = done(first, order) + done(second, order)
        assert len(completions) <= 1, f"{order} processed to completion twice"
        if not completions:  # killed between the commit and its log line: the manifest tells
            assert manifest["run"] == first_run
        else:
            assert completions[0]["run"] == manifest["run"]
        report = json.loads((out / order / "report.json").read_text(encoding="utf-8"))
        assert report["claim"]["order_id"] == order
    assert {e["claim"] for e in events(second, "claim.unchanged")} >= finished_first
    assert not [p for p in out.iterdir() if p.name.startswith((".stage-", ".old-"))]
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == sorted(orders)


def children_of(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            pass
    return out


def test_a_killed_worker_costs_a_retry_not_the_claim(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    orders = list(pngs)[7:10]
    for order in orders:
        make_claim(inbox, order, {"order.png": pngs[order]})
    proc = start(tmp_path, inbox, out, "--settle", "0.2", log=log)
    try:
        wait_for(lambda: events(log, "claim.queued"), 30, "work to start", proc)
        workers = [w for server in children_of(proc.pid) for w in children_of(server)]
        assert workers
        for pid in workers:  # as the out-of-memory killer would
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: all((out / o / "manifest.json").exists() for o in orders), 90, "every claim", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert events(log, "claim.retry")
    for order in orders:
        assert len(done(log, order)) == 1
        assert assert_complete_set(out / order)["status"] == "done"


def test_a_claim_toml_cannot_pull_in_files_from_outside_its_folder(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    order = list(pngs)[12]
    (tmp_path / "secret.png").write_bytes(pngs[order])
    make_claim(inbox, "escape", {}, toml=f'order_id = "{order}"\nfiles = ["../../secret.png"]\n')
    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=log) == 1
    assert "files outside the claim folder: ../../secret.png" in (out / "escape" / "error.txt").read_text("utf-8")
    assert assert_complete_set(out / "escape")["status"] == "error"
