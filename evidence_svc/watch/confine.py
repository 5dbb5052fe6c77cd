"""Opening a claim folder's files without leaving the folder: one descriptor per file, checked, then hashed and copied.

Deciding "inside" from a path and reading that path later leaves a window: a file swapped for a link (or a
sub-folder swapped for a link to another folder) in between would be read. So a file checked by name (`checked`:
its path inside the folder, links resolved, and its device and inode) is opened once, component by component from
the folder with O_NOFOLLOW (O_NONBLOCK, so a FIFO put in its place cannot hang the worker); the descriptor must be a
regular file with the checked device and inode. Its bytes are hashed and copied from that descriptor into a private
stage folder, and the pipeline reads the copy, never the inbox. This module opens and copies only: it decides
nothing about claims and writes nowhere but the stage folder it is given.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from ..claim_folder import ClaimFolderError

_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
_FILE_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
CHUNK = 1024 * 1024
# What opening a checked name meets when a link (ELOOP; EMLINK on the BSDs) or nothing now stands in its place.
_SWAPPED = {errno.ELOOP, errno.EMLINK, errno.ENOTDIR, errno.ENOENT}


@dataclass(frozen=True)
class Checked:
    """A file accepted by name: `rel` is its place inside the folder with every link resolved."""

    path: Path  # as found in the folder (maybe a link to another file inside it)
    name: str  # its display name, relative to the folder
    rel: tuple[str, ...]
    dev: int
    ino: int


def check(root: Path, path: Path, name: str) -> Checked:
    """`path` (already known to resolve inside `root`) with the identity its open descriptor must have."""
    real = Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    st = os.stat(path)
    return Checked(path=path, name=name, rel=real.parts, dev=st.st_dev, ino=st.st_ino)


def open_inside(root: Path, rel: tuple[str, ...]) -> int:
    """A read descriptor for `root/rel...`, no link followed on the way (OSError ELOOP/ENOTDIR when one is met)."""
    fd = os.open(root, _DIR_FLAGS)
    try:
        for part in rel[:-1]:
            nxt = os.open(part, _DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = nxt
        return os.open(rel[-1], _FILE_FLAGS, dir_fd=fd)
    finally:
        os.close(fd)


def _changed(item: Checked, why: str, why_zh: str) -> ClaimFolderError:
    return ClaimFolderError(item.path, f"the file changed while it was read ({why}); not read",
                            f"读取时文件发生了变化（{why_zh}）；未读取")


def open_checked(root: Path, item: Checked) -> tuple[int, os.stat_result]:
    """Open `item` once and prove the descriptor is the regular file that was checked; raise ClaimFolderError."""
    try:
        fd = open_inside(root, item.rel)
    except OSError as exc:
        if exc.errno not in _SWAPPED:
            raise  # e.g. no read permission: the caller says the file cannot be read
        raise _changed(item, f"now a link or gone: {exc.strerror or exc}", f"已变为链接或已删除：{exc.strerror or exc}")\
            from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _changed(item, "not a regular file", "不是普通文件")
    if (st.st_dev, st.st_ino) != (item.dev, item.ino):
        os.close(fd)
        raise _changed(item, "replaced by another file", "已被替换为另一个文件")
    return fd, st


def read_checked(root: Path, item: Checked, limit: int) -> bytes:
    """The bytes of a small checked file (claim.toml), refused above `limit` from its size before reading."""
    fd, st = open_checked(root, item)
    with os.fdopen(fd, "rb") as f:
        if st.st_size > limit:
            raise ClaimFolderError(item.path, f"the file is too large ({st.st_size:,} bytes; at most {limit:,})",
                                   f"文件过大（{st.st_size:,} 字节；最多 {limit:,}）")
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise ClaimFolderError(item.path, f"the file grew past {limit:,} bytes while it was read",
                               f"读取时文件超过了 {limit:,} 字节")
    return raw


def stage_checked(root: Path, item: Checked, target: Path | None, max_read: int) -> dict:
    """Hash a checked file from its one descriptor and copy it to `target` (when given, created 0600).

    Above `max_read` bytes the content is neither read nor hashed (sha256 ""): the copy is a sparse file of the same
    size, which the pipeline refuses as too large without reading it, as it does any file that large."""
    fd, st = open_checked(root, item)
    digest = hashlib.sha256()
    out = None if target is None else os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        if st.st_size > max_read:
            if out is not None:
                os.ftruncate(out, st.st_size)
            return {"name": item.name, "sha256": "", "bytes": st.st_size}
        size = 0
        while chunk := os.read(fd, CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                _write_all(out, chunk)
        return {"name": item.name, "sha256": digest.hexdigest(), "bytes": size}
    finally:
        os.close(fd)
        if out is not None:
            os.close(out)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
