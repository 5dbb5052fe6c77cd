"""Watch mode reads nothing outside a claim folder, refuses oversized input, and survives an unwritable outbox.

The real `evidence watch` as a subprocess on real symlinks (to a secret claim.toml, to /etc/shadow, to a folder
elsewhere, to nothing), oversized claim.toml and reply, and an outbox made read-only while it runs (a read-only
bind mount when the tests run as root, since root writes through any mode bits). One `--once` run covers the inbox of
refused folders; each test asserts one promise on its outcome.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_watch import (  # noqa: F401 -- pngs is a fixture
    assert_complete_set,
    command,
    done,
    env_for,
    events,
    make_claim,
    order_id,
    pngs,
    run_once,
    start,
    wait_for,
)

LEAK = "LEAKED-REPLY-4711 a reply written for another client"
SHADOW = Path("/etc/shadow")


@pytest.fixture(scope="module")
def refused_run(tmp_path_factory, pngs):
    """One --once run over an inbox full of folders that try to reach outside themselves."""
    tmp = tmp_path_factory.mktemp("refused")
    inbox, out, outside = tmp / "inbox", tmp / "out", tmp / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.toml").write_text(f'order_id = "{order_id(30)}"\nreply = "{LEAK}"\n', encoding="utf-8")
    (outside / "dir" / "secret.png").write_bytes(pngs[order_id(31)])
    (outside / order_id(32)).mkdir()
    (outside / order_id(32) / "order.png").write_bytes(pngs[order_id(32)])
    (outside / order_id(32) / "claim.toml").write_text(f'order_id = "{order_id(32)}"\nreply = "{LEAK}"\n')

    linked = make_claim(inbox, "toml-link", {"order.png": pngs[order_id(30)]})
    (linked / "claim.toml").symlink_to(outside / "secret.toml")
    escapes = make_claim(inbox, order_id(20), {"order.png": pngs[order_id(20)]})
    (escapes / "shadow.png").symlink_to(SHADOW)
    (escapes / "elsewhere").symlink_to(outside / "dir", target_is_directory=True)
    dangling = make_claim(inbox, order_id(21), {"order.png": pngs[order_id(21)]})
    (dangling / "gone.png").symlink_to(tmp / "no-such-file.png")
    make_claim(inbox, order_id(29), {"order.png": pngs[order_id(29)]})
    (inbox / order_id(29) / "claim.toml").symlink_to("moved-away.toml")  # would otherwise run without its claim.toml
    (inbox / "linked-claim").symlink_to(outside / order_id(32), target_is_directory=True)
    big = "# padding\n" * (110 * 1024)  # 1.1 MiB of comments
    make_claim(inbox, "big-toml", {"order.png": pngs[order_id(22)]}, toml=f'order_id = "{order_id(22)}"\n{big}')
    make_claim(inbox, "long-reply", {"order.png": pngs[order_id(23)]},
               toml=f'order_id = "{order_id(23)}"\nreply = "{"x" * 10_001}"\n')
    control = make_claim(inbox, order_id(24), {"order.png": pngs[order_id(24)]})
    (control / "same-order.png").symlink_to("order.png")  # a link that stays inside is evidence like any file

    log = tmp / "once.log"
    code = run_once(tmp, inbox, out, "--settle", "0.2", log=log, timeout=240)
    return {"tmp": tmp, "out": out, "log": log, "code": code}


def _error(run: dict, claim: str) -> str:
    assert assert_complete_set(run["out"] / claim)["status"] == "error"
    return (run["out"] / claim / "error.txt").read_text(encoding="utf-8")


def _bytes_under(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_a_claim_toml_linked_from_outside_the_folder_is_refused_unread(refused_run):
    error = _error(refused_run, "toml-link")
    assert "files outside the claim folder: claim.toml" in error and "文件不在索赔文件夹内" in error
    assert b"LEAKED-REPLY" not in _bytes_under(refused_run["out"])  # not in any report, error or manifest
    assert b"LEAKED-REPLY" not in _bytes_under(refused_run["tmp"] / "data")  # nor in the reply history
    assert "secret.toml" not in error  # the link's target is not told either


def test_links_out_of_the_folder_are_refused_before_hashing_and_left_out_of_the_manifest(refused_run):
    claim = order_id(20)
    error = _error(refused_run, claim)
    assert "files outside the claim folder: " in error and "shadow.png" in error and "elsewhere" in error
    manifest_text = (refused_run["out"] / claim / "manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(manifest_text)
    assert [i["name"] for i in manifest["inputs"]] == ["order.png"]  # only accepted paths
    assert "secret.png" not in manifest_text and "/etc/shadow" not in manifest_text
    if os.access(SHADOW, os.R_OK):
        assert hashlib.sha256(SHADOW.read_bytes()).hexdigest() not in manifest_text
    secret = (refused_run["tmp"] / "outside" / "dir" / "secret.png").read_bytes()
    assert hashlib.sha256(secret).hexdigest() not in manifest_text  # the linked folder was not walked


def test_a_dangling_link_gets_a_reason_instead_of_waiting_forever(refused_run):
    error = _error(refused_run, order_id(21))
    assert "links to files that do not exist: gone.png" in error and "指向不存在文件的链接：gone.png" in error
    assert order_id(21) not in {e["claim"] for e in events(refused_run["log"], "claim.skipped")}
    error = _error(refused_run, order_id(29))
    assert "claim.toml: a link to a file that does not exist" in error and "指向不存在文件的链接" in error


def test_a_linked_folder_in_the_inbox_is_not_a_claim(refused_run):
    assert not (refused_run["out"] / "linked-claim").exists()
    assert "linked-claim" not in {e.get("claim") for e in events(refused_run["log"])}


def test_an_oversized_claim_toml_is_refused_with_its_name_before_parsing(refused_run):
    error = _error(refused_run, "big-toml")
    assert "claim.toml: the file is too large (1,126,4" in error and "at most 1,048,576" in error
    assert "文件过大" in error


def test_a_reply_over_the_api_limit_is_refused(refused_run):
    error = _error(refused_run, "long-reply")
    assert "claim.toml: the reply is 10,001 characters long; at most 10,000" in error and "最多 10,000 个" in error


def test_a_link_that_stays_inside_the_folder_is_evidence(refused_run):
    claim = order_id(24)
    assert assert_complete_set(refused_run["out"] / claim)["status"] == "done"
    report = json.loads((refused_run["out"] / claim / "report.json").read_text(encoding="utf-8"))
    assert sorted(f["name"] for f in report["files"]) == ["order.png", "same-order.png"]
    assert refused_run["code"] == 1  # the refused folders count as errors


# --- the outbox --------------------------------------------------------------------------------------------------


@contextmanager
def read_only(folder: Path):
    """`folder` made unwritable: a read-only bind mount when the tests run as root (root writes through any mode
    bits), a chmod otherwise."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a folder read-only: running as root without the right to mount")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True, capture_output=True)
        yield
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_an_outbox_that_becomes_unwritable_is_retried_with_backoff_while_the_watcher_runs(tmp_path, pngs):
    inbox, out, log = tmp_path / "inbox", tmp_path / "out", tmp_path / "w.log"
    inbox.mkdir()
    a, b = order_id(25), order_id(26)
    proc = start(tmp_path, inbox, out, "--settle", "0.2", log=log)
    try:
        wait_for(lambda: events(log, "watch.start"), 30, "the watcher to start", proc)
        make_claim(inbox, a, {"order.png": pngs[a]})
        wait_for(lambda: done(log, a), 90, "the first claim", proc)
        with read_only(out):  # the share turns read-only
            make_claim(inbox, b, {"order.png": pngs[b]})
            wait_for(lambda: len(events(log, "claim.outbox-error")) >= 2, 60, "two failed tries", proc)
            assert proc.poll() is None, "the watcher must keep running"
            tries = events(log, "claim.outbox-error")
            assert [t["claim"] for t in tries[:2]] == [b, b]
            assert "cannot write to the outbox" in tries[0]["reason"]
            assert tries[1]["retry_in"] > tries[0]["retry_in"]  # backing off
        # writable again: the claim goes through on its next try
        wait_for(lambda: done(log, b), 90, "the second claim after the outbox recovered", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    assert assert_complete_set(out / b)["status"] == "done"
    assert not [p for p in out.iterdir() if p.name.startswith((".stage-", ".old-"))]


def test_a_bad_out_is_a_usage_error_with_a_sentence(tmp_path):
    inbox, not_a_folder = tmp_path / "inbox", tmp_path / "file.txt"
    inbox.mkdir()
    not_a_folder.write_text("x")
    for out, why in ((not_a_folder, "a file, not a folder"), (not_a_folder / "outbox", "Not a directory"),
                     (Path("/proc/outbox"), "No such file or directory")):
        proc = subprocess.run([*command(), "watch", str(inbox), "--out", str(out), "--once"], capture_output=True,
                              text=True, cwd=tmp_path, env=env_for(tmp_path), timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert f"{out}: cannot create or write the outbox ({why}); give a folder you can write to" in proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


# --- the same limits on the command line ---------------------------------------------------------------------------


def _cli(tmp: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*command(), *args], capture_output=True, text=True, cwd=tmp, env=env_for(tmp), timeout=60)


def test_the_cli_refuses_an_oversized_reply_file_and_claim_toml_naming_the_file(tmp_path, pngs):
    evidence = tmp_path / "order.png"
    evidence.write_bytes(pngs[order_id(27)])
    reply = tmp_path / "reply.txt"
    with open(reply, "wb") as f:  # 5 MB (sparse): refused from its size, never read into memory
        f.write(b"We refunded the order.")
        f.truncate(5 * 1024 * 1024)
    proc = _cli(tmp_path, "lint", "--order", order_id(27), "--reply-file", str(reply), str(evidence))
    assert proc.returncode == 2, proc.stderr
    assert f"{reply}: the file is too large (5,242,880 bytes; at most 40,000)" in proc.stderr
    reply.write_text("y" * 10_001, encoding="utf-8")
    proc = _cli(tmp_path, "lint", "--order", order_id(27), "--reply-file", str(reply), "--lang", "zh", str(evidence))
    assert proc.returncode == 2 and f"{reply}：回复长度为 10,001 个字符；最多 10,000 个" in proc.stderr

    toml = tmp_path / "claim.toml"
    with open(toml, "wb") as f:
        f.write(f'order_id = "{order_id(27)}"\n'.encode())
        f.truncate(50 * 1024 * 1024)
    proc = _cli(tmp_path, "lint", "--claim", str(toml), str(evidence))
    assert proc.returncode == 2 and f"{toml}: the file is too large (52,428,800 bytes" in proc.stderr


def test_a_bad_bundle_out_is_a_usage_error_before_any_work(tmp_path, pngs):
    evidence = tmp_path / "order.png"
    evidence.write_bytes(pngs[order_id(28)])
    (tmp_path / "file.txt").write_text("x")
    for out, says in ((tmp_path / "file.txt" / "bundle.pdf", "cannot write the bundle there (File exists)"),
                      (Path("/proc/nope/bundle.pdf"), "cannot write the bundle there (No such file or directory)"),
                      (tmp_path, "--out is a folder")):
        proc = _cli(tmp_path, "bundle", "--order", order_id(28), "-o", str(out), str(evidence))
        assert proc.returncode == 2, proc.stderr
        assert f"evidence: {out}: " in proc.stderr and says in proc.stderr
        assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr
