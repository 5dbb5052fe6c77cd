"""Watch mode reads each evidence file once, as the very file it checked, and the pipeline reads only private copies.

The race between "checked by name" and "read" is made deterministic by driving the two halves directly
(`read_inputs`, then a swap, then `process_inputs`): a file swapped for a link to a secret, a sub-folder swapped for
a link to a folder of secrets, a file replaced by another, a FIFO, and claim.toml swapped for a link. The secret's
bytes must reach neither the outbox nor the manifest's inputs. The notes and data-directory tests run the real
`evidence watch --once` (and `evidence serve`) as a user does.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import time
from pathlib import Path

import pytest
from test_watch import (  # noqa: F401 -- pngs is a fixture
    assert_complete_set,
    command,
    env_for,
    events,
    make_claim,
    order_id,
    pngs,
    run_once,
    sha,
)

from evidence_svc.claim_folder import ClaimFolderError
from evidence_svc.config import load_settings
from evidence_svc.watch import Job, process_inputs, read_inputs
from evidence_svc.watch.claim_run import inputs_dir
from evidence_svc.watch.confine import check, read_checked

SECRET = b"TOP-SECRET-4711 another client's data " * 50


@pytest.fixture()
def setup(tmp_path, pngs):
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.png").write_bytes(SECRET)
    (outside / "dir" / "order.png").write_bytes(SECRET)
    (outside / "secret.toml").write_bytes(b'order_id = "' + order_id(5).encode() + b'"\nreply = "TOP-SECRET-4711"\n')
    folder = make_claim(tmp_path / "inbox", order_id(1), {"order.png": pngs[order_id(1)],
                                                          "sub/order.png": pngs[order_id(1)]})
    settings = load_settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", workers=1)
    job = Job(name=order_id(1), folder=folder, stage=out / ".stage-test", stat_key="k", settings=settings,
              previous=None)
    return {"folder": folder, "out": out, "outside": outside, "job": job, "tmp": tmp_path}


def _outbox_bytes(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


def _assert_refused_unread(s: dict, result) -> None:
    assert result.status == "error" and "changed while it was read" in result.reason, result.reason
    assert sha(SECRET) not in {i["sha256"] for i in result.inputs}
    assert b"TOP-SECRET-4711" not in _outbox_bytes(s["out"])
    assert not inputs_dir(s["job"]).exists()  # the private copies are gone once the claim is done


def test_a_file_swapped_for_a_link_to_a_secret_after_the_check_is_never_read(setup):
    inputs = read_inputs(setup["folder"])
    target = setup["folder"] / "order.png"
    target.unlink()
    target.symlink_to(setup["outside"] / "secret.png")
    _assert_refused_unread(setup, process_inputs(setup["job"], inputs))


def test_a_sub_folder_swapped_for_a_link_to_a_folder_of_secrets_is_never_read(setup):
    inputs = read_inputs(setup["folder"])
    sub = setup["folder"] / "sub"
    sub.rename(setup["tmp"] / "moved-sub")
    sub.symlink_to(setup["outside"] / "dir", target_is_directory=True)
    _assert_refused_unread(setup, process_inputs(setup["job"], inputs))


def test_a_file_replaced_by_another_after_the_check_is_not_read(setup):
    inputs = read_inputs(setup["folder"])
    (setup["tmp"] / "swap.png").write_bytes(SECRET)
    os.replace(setup["tmp"] / "swap.png", setup["folder"] / "order.png")
    _assert_refused_unread(setup, process_inputs(setup["job"], inputs))


def test_a_fifo_put_in_place_of_a_file_is_refused_without_hanging(setup):
    inputs = read_inputs(setup["folder"])
    (setup["folder"] / "order.png").unlink()
    os.mkfifo(setup["folder"] / "order.png")
    started = time.monotonic()
    result = process_inputs(setup["job"], inputs)
    assert time.monotonic() - started < 30
    assert result.status == "error" and "not a regular file" in result.reason


def test_a_claim_toml_swapped_for_a_link_after_the_check_is_never_read(setup):
    toml = setup["folder"] / "claim.toml"
    toml.write_text(f'order_id = "{order_id(1)}"\n', encoding="utf-8")
    item = check(setup["folder"], toml, "claim.toml")
    toml.unlink()
    toml.symlink_to(setup["outside"] / "secret.toml")
    with pytest.raises(ClaimFolderError, match="changed while it was read"):
        read_checked(setup["folder"], item, 1024 * 1024)


def test_the_pipeline_reads_private_copies_under_the_sellers_names(setup, pngs):
    """Nothing swapped: the claim is checked from the copies; a file too large to read is sized, not read."""
    folder = setup["folder"]
    (folder / "sub" / "order.png").unlink()
    with open(folder / "huge.png", "wb") as f:  # sparse: over 8x the limit below, never read
        f.truncate(8 * 1024 * 1024)
    job = setup["job"]
    job.settings = job.settings.model_copy(update={"max_file_bytes": 512 * 1024})
    inputs = read_inputs(folder)
    result = process_inputs(job, inputs)
    assert result.status == "done", result.reason
    by_name = {i["name"]: i for i in result.inputs}
    assert by_name["order.png"]["sha256"] == sha(pngs[order_id(1)])
    assert by_name["huge.png"] == {"name": "huge.png", "sha256": "", "bytes": 8 * 1024 * 1024}
    assert sorted(result.read_sha256) == sorted(i["sha256"] for i in result.inputs)  # what the loop compares
    report = json.loads((job.stage / "report.json").read_text(encoding="utf-8"))
    files = {f["name"]: f for f in report["files"]}
    assert set(files) == {"order.png", "huge.png"}
    assert [x["code"] for x in files["huge.png"]["findings"]] == ["file-too-large"]
    assert str(inputs_dir(job)) not in (job.stage / "report.json").read_text(encoding="utf-8")
    assert not inputs_dir(job).exists()


# --- notes, as `evidence lint FOLDER` reports them ------------------------------------------------------------------

def test_watch_reports_the_sellers_notes_as_not_evidence(tmp_path, pngs):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    make_claim(inbox, order_id(2), {"order.png": pngs[order_id(2)], "buyer said.txt": b"he called twice",
                                    "notes/draft.md": b"# draft"})
    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=tmp_path / "once.log", timeout=240) == 0
    claim_out = out / order_id(2)
    assert assert_complete_set(claim_out)["status"] == "done"
    report = json.loads((claim_out / "report.json").read_text(encoding="utf-8"))
    notes = [f for f in report["claim_findings"] if f["code"] == "not-evidence"]
    assert sorted(f["message"] for f in notes) == [
        "buyer said.txt: a note, not evidence; left out of the checks and the bundle",
        "notes/draft.md: a note, not evidence; left out of the checks and the bundle"]
    assert {f["severity"] for f in notes} == {"info"} and [f["name"] for f in report["files"]] == ["order.png"]
    text = (claim_out / "report.txt").read_text(encoding="utf-8")
    assert "buyer said.txt: a note, not evidence" in text and "buyer said.txt：这是备注，不是证据" in text


# --- the data directory made loose by an older version --------------------------------------------------------------

def test_watch_tightens_its_own_loose_data_dir_and_says_so(tmp_path, pngs):
    inbox, out, data = tmp_path / "inbox", tmp_path / "out", tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "evidence.db").write_bytes(b"")
    make_claim(inbox, order_id(3), {"order.png": pngs[order_id(3)]})
    log = tmp_path / "once.log"
    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=log, timeout=240) == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    (said,) = events(log, "watch.data-dir-tightened")
    assert "0755" in said["reason"] and "0700" in said["reason"] and "已收紧为 0700" in said["reason_zh"]
    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=log, timeout=240) == 0
    assert events(log, "watch.data-dir-tightened") == []  # already private: nothing to say


@pytest.mark.skipif(os.getuid() != 0, reason="giving the data directory to another user needs root")
def test_a_data_dir_owned_by_someone_else_is_left_alone(tmp_path, pngs):
    inbox, out, data = tmp_path / "inbox", tmp_path / "out", tmp_path / "data"
    data.mkdir()
    data.chmod(0o755)
    os.chown(data, 65534, 65534)
    make_claim(inbox, order_id(4), {"order.png": pngs[order_id(4)]})
    log = tmp_path / "once.log"
    assert run_once(tmp_path, inbox, out, "--settle", "0.2", log=log, timeout=240) == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o755 and events(log, "watch.data-dir-tightened") == []


def test_serve_tightens_a_loose_data_dir_on_start_and_logs_it(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o775)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    err = tmp_path / "serve.err"
    proc = subprocess.Popen([*command(), "serve", "--port", str(port), "--data-dir", str(data)], cwd=tmp_path,
                            env=env_for(tmp_path), stdout=subprocess.DEVNULL, stderr=open(err, "w"))
    try:
        end = time.monotonic() + 60
        while "tightened to 0700" not in err.read_text(encoding="utf-8") and time.monotonic() < end:
            assert proc.poll() is None, err.read_text(encoding="utf-8")
            time.sleep(0.1)
        log = err.read_text(encoding="utf-8")
        assert "mode 0775" in log and "已收紧为 0700" in log, log
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
    finally:
        proc.terminate()
        proc.wait(timeout=30)
