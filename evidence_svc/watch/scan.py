"""Scanning the inbox: which folders are claims, and when a claim folder has settled enough to be picked up.

A folder is picked up when it has been quiet for `--settle` seconds (same names, sizes and mtimes in consecutive
scans, hidden and temporary files included, because a copy in progress often writes to one of those), or as soon
as a `.ready` file newer than every other file in it appears. A folder holding a partial download (`*.part`,
`*.crdownload`, ...) waits until it is gone, unless `.ready` says otherwise. Links to folders, in the inbox or in a
claim folder, are never followed. This module only looks at names, sizes and mtimes: it never reads a file's
content and never writes.
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from ..claim_folder import READY_MARKER, is_ignored, is_partial


@dataclass
class Folder:
    """What the watcher knows about one claim folder between scans."""

    signature: tuple = ()
    quiet_since: float = 0.0
    handled: str = ""  # stat key of the state already handled in this run (done, unchanged or error)
    compared: str = ""  # stat key last compared with the outbox's manifest (and found different)
    waiting_logged: bool = False
    failures: int = 0  # tries in a row whose result set could not be written into the outbox
    retry_at: float = 0.0  # monotonic time before which it is not tried again (inf: --once gave up)


def folder_signature(folder: Path) -> tuple[tuple, bool, bool]:
    """(names, sizes, mtimes of every entry, hidden ones included; a partial download present; a fresh .ready)."""
    entries, partial, newest, ready_mtime = [], False, 0, None
    for dirpath, dirnames, filenames in os.walk(folder):
        rel_dir = Path(dirpath).relative_to(folder)
        for name in filenames + dirnames:
            rel = (rel_dir / name).as_posix()
            path = os.path.join(dirpath, name)
            try:
                lst = os.lstat(path)
                # A link counts as itself, so that swapping a file for a link changes the signature; a dangling
                # link is quiet (it is refused with a reason later), not "still being written" forever.
                st = os.stat(path) if stat.S_ISLNK(lst.st_mode) and os.path.exists(path) else lst
            except OSError:  # deleted while we looked: the folder is not quiet
                return (("<vanished>", rel, time.monotonic()),), True, False
            is_dir = name in dirnames
            entries.append((rel, -1 if is_dir else st.st_size, 0 if is_dir else st.st_mtime_ns,
                            stat.S_ISLNK(lst.st_mode)))
            partial = partial or (is_partial(name) and not any(is_ignored(p) for p in rel_dir.parts))
            if rel == READY_MARKER:
                ready_mtime = st.st_mtime_ns
            elif not is_dir:
                newest = max(newest, st.st_mtime_ns)
    # .ready counts only if it is newer than every file: a later upload into the same folder re-arms the settle.
    return tuple(sorted(entries)), partial, ready_mtime is not None and ready_mtime >= newest


def stat_key(signature: tuple) -> str:
    return hashlib.sha256(repr(signature).encode()).hexdigest()


def claim_dirs(inbox: Path, exclude: list[Path]) -> dict[str, Path]:
    found = {}
    for entry in sorted(inbox.iterdir()):
        if entry.name.startswith(".") or is_ignored(entry.name) or is_partial(entry.name) or not entry.is_dir():
            continue
        if entry.is_symlink():
            continue  # a link to a folder elsewhere is not a claim folder: everything it reaches would be "inside"
        if any(entry.resolve() == x or x.is_relative_to(entry.resolve()) for x in exclude):
            continue  # the outbox or --move-done folder inside the inbox is not a claim
        found[entry.name] = entry
    return found
