"""The outbox protocol: how a claim's result set is committed so that a reader never sees half of one.

A worker writes a set into a hidden stage folder `outbox/.stage-<token>/`; the watcher writes `manifest.json` into
it last, then renames the folder to `outbox/<claim>/` (a re-processed claim: the old set is first renamed to
`outbox/.old-<token>/`, then deleted). So: a visible `outbox/<claim>/` that holds `manifest.json` is a complete
set; names starting with "." are work in progress, never to be read. After a crash, start-up finishes the job: a
stage with a manifest whose claim has no visible folder (the crash fell between the two renames) is renamed into
place, everything else hidden is deleted. One watcher per outbox, held by a lock file. This module never reads the
inbox and never checks anything.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

from ..errors import UsageError
from ..hashing import sha256_file

MANIFEST = "manifest.json"
MANIFEST_SCHEMA = "evidence-watch/1"
STAGE, OLD, LOCK = ".stage-", ".old-", ".watch.lock"


def write_synced(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(path: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _file_entry(path: Path) -> dict:
    return {"name": path.name, "sha256": sha256_file(path), "bytes": path.stat().st_size}


def commit(stage: Path, target: Path, manifest: dict) -> None:
    """Write the manifest last, then swap the stage folder into place (see the module docstring)."""
    manifest["outputs"] = [_file_entry(p) for p in sorted(stage.iterdir())]
    write_synced(stage / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    _fsync_dir(stage)
    old = None
    if target.exists() or target.is_symlink():
        old = target.with_name(OLD + secrets.token_hex(6))
        os.rename(target, old)
    os.rename(stage, target)
    _fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def read_manifest(claim_out: Path) -> dict | None:
    try:
        data = json.loads((claim_out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("schema") == MANIFEST_SCHEMA else None


def recover(out: Path, log) -> None:
    """Finish what a crash interrupted: roll complete stages forward, delete everything else hidden."""
    for entry in sorted(out.iterdir()):
        if not entry.name.startswith((STAGE, OLD)):
            continue
        manifest = read_manifest(entry) if entry.name.startswith(STAGE) else None
        claim = manifest and manifest.get("claim")
        if claim and "/" not in claim and not claim.startswith(".") and not (out / claim).exists():
            os.rename(entry, out / claim)
            log("recover.rollforward", claim=claim)
        else:
            # A killed worker may still be writing into an old stage: tolerate a failed delete, retry next start.
            shutil.rmtree(entry, ignore_errors=True)
            log("recover.cleanup", path=entry.name)


def lock_outbox(out: Path):
    """One watcher per outbox: two would commit over each other."""
    handle = open(out / LOCK, "a+")  # noqa: SIM115 -- held open for the whole run: the lock lives with it
    try:
        import fcntl

        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # Windows: no flock; documented as one watcher per outbox
        pass
    except OSError:
        handle.close()
        raise UsageError(f"{out}: another `evidence watch` is already writing to this outbox",
                         f"{out}：已有另一个 `evidence watch` 正在写入该输出文件夹") from None
    return handle
