"""Blobs: uploaded files and bundles, stored once per sha256 under one directory, written atomically.

`<root>/<sha[:2]>/<sha[2:4]>/<sha>` holds the bytes; a blob is written to `<root>/tmp/` while it streams in (hashed
chunk by chunk, never whole in memory, refused the moment it passes its limit), fsynced, then renamed into place,
so a reader sees a whole file or none. The directory may be shared storage (NFS/SMB) used by several machines:
nothing here locks, since two writers of the same content rename identical bytes onto one name. File names given
by users never reach this module; only hashes make paths.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path
from typing import IO

CHUNK = 1024 * 1024
TMP_MAX_AGE_S = 24 * 3600  # leftovers of a killed upload older than this are removed when a store opens


class BlobError(Exception):
    pass


class BlobTooLarge(BlobError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class BlobEmpty(BlobError):
    def __init__(self) -> None:
        super().__init__("empty file")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def blob_path(root: Path, sha256: str) -> Path:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256")
    return root / sha256[:2] / sha256[2:4] / sha256


class BlobWriter:
    """Receives a blob chunk by chunk (hashing as it goes) into a temp file next to the store, then commits it.

    Never holds more than one chunk in memory. `write` raises BlobTooLarge as soon as the limit is passed, so an
    upload is refused while it streams. Use as a context manager: leaving without `commit` removes the temp file.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        tmp = root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp, prefix="part-", suffix=".tmp")
        self._file: IO[bytes] | None = os.fdopen(fd, "wb")
        self.temp = Path(name)
        self._hash = hashlib.sha256()
        self.size = 0
        self.sha256: str | None = None

    def write(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.max_bytes:
            raise BlobTooLarge(self.max_bytes)
        self._hash.update(data)
        assert self._file is not None
        self._file.write(data)

    def commit(self) -> tuple[str, int]:
        """fsync, then rename into place (or drop the copy if the content is already stored)."""
        if self.size == 0:
            self.abort()
            raise BlobEmpty()
        assert self._file is not None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        sha = self._hash.hexdigest()
        dest = blob_path(self.root, sha)
        if dest.exists():
            self.temp.unlink(missing_ok=True)
        else:
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.temp, dest)
            _fsync_dir(dest.parent)
        self.sha256 = sha
        return sha, self.size

    def close_temp(self) -> Path:
        """Finish writing and return the temp file's path without storing it (a check that keeps nothing)."""
        if self._file is not None:
            self._file.close()
            self._file = None
        return self.temp

    def abort(self) -> None:
        if self.sha256 is not None:  # committed: the temp file is now the blob
            return
        if self._file is not None:
            self._file.close()
            self._file = None
        self.temp.unlink(missing_ok=True)

    def __enter__(self) -> "BlobWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.sha256 is None:
            self.abort()


def put_blob_stream(root: Path, fileobj: IO[bytes], max_bytes: int) -> tuple[str, int]:
    """Store what `fileobj` yields; returns (sha256, size). Raises BlobTooLarge / BlobEmpty."""
    with BlobWriter(root, max_bytes) as writer:
        while chunk := fileobj.read(CHUNK):
            writer.write(chunk)
        return writer.commit()


def clean_tmp(root: Path) -> None:
    tmp = root / "tmp"
    if not tmp.is_dir():
        return
    cutoff = time.time() - TMP_MAX_AGE_S  # younger files may belong to another live process on shared storage
    for p in tmp.iterdir():
        try:
            if p.stat().st_mtime < cutoff:
                p.unlink()
        except OSError:
            pass
