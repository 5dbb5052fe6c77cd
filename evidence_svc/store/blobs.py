"""Blobs: uploaded files, thumbnails and bundles, stored once per sha256 under one directory, written atomically.

The path rules live here and nowhere else: `<root>/<sha[:2]>/<sha[2:4]>/<sha>` holds the bytes,
`<root>/thumbs/<sha[:2]>/<sha>.png` a file's thumbnail, and `<root>/tmp/` what is still being written. A blob is
written to `<root>/tmp/` while it streams in (hashed chunk by chunk, never whole in memory, refused the moment it
passes its limit), fsynced, then renamed into place, so a reader sees a whole file or none. The directory may be
shared storage (NFS/SMB) used by several machines: nothing here locks, since two writers of the same content
rename identical bytes onto one name. File names given by users never reach this module; only hashes make paths.
Tenants' evidence is private: directories are created 0700 and blobs written 0600. Scratch entries in `tmp/` carry
their owner (host, pid, start token), so a store opening on the same host removes those of a killed process at
once; others' leftovers go after a day.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import IO

from ..pools import owner_is_dead, process_owner

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


def private_dir(path: Path) -> Path:
    """`path` as a directory; every component this call creates is 0700 (an existing one is left as it is)."""
    path = Path(path)
    missing = []
    while not path.is_dir() and path != path.parent:
        missing.append(path)
        path = path.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
            part.chmod(0o700)  # whatever the umask
        except FileExistsError:
            if not part.is_dir():
                raise  # a file in the way: let the caller say so
    return Path(missing[0]) if missing else path


def scratch_prefix(kind: str) -> str:
    """A name prefix for scratch work in `tmp/` that names its owner: `<kind>-<pid>+<token>+<host>+`."""
    host, pid, token = process_owner().rsplit(":", 2)
    return f"{kind}-{pid}+{token}+{host}+"


def _scratch_owner(name: str) -> str | None:
    """The owner (host:pid:token) a scratch entry's name carries, or None for an untagged one."""
    parts = name.split("+")
    if len(parts) < 4 or "-" not in parts[0]:
        return None
    pid = parts[0].rsplit("-", 1)[1]
    return f"{parts[2]}:{pid}:{parts[1]}" if pid.isdigit() else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_sha256(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256")
    return sha256


def blob_path(root: Path, sha256: str) -> Path:
    sha256 = _check_sha256(sha256)
    return root / sha256[:2] / sha256[2:4] / sha256


def thumb_path(root: Path, sha256: str) -> Path:
    sha256 = _check_sha256(sha256)
    return root / "thumbs" / sha256[:2] / f"{sha256}.png"


def tmp_dir(root: Path) -> Path:
    """Blobs still streaming in, and scratch work (a bundle being built): on the blobs' filesystem, so the final
    rename into place is atomic."""
    return root / "tmp"


class BlobWriter:
    """Receives a blob chunk by chunk (hashing as it goes) into a temp file next to the store, then commits it.

    Never holds more than one chunk in memory. `write` raises BlobTooLarge as soon as the limit is passed, so an
    upload is refused while it streams. Use as a context manager: leaving without `commit` removes the temp file.
    """

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        tmp = private_dir(tmp_dir(root))
        fd, name = tempfile.mkstemp(dir=tmp, prefix=scratch_prefix("part"), suffix=".tmp")  # 0600
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
            private_dir(dest.parent)
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
    """Remove what killed processes left in `tmp/`: an upload's part file, a bundle's scratch folder."""
    tmp = tmp_dir(root)
    if not tmp.is_dir():
        return
    cutoff = time.time() - TMP_MAX_AGE_S  # younger untagged entries may belong to a live process elsewhere
    for p in tmp.iterdir():
        owner = _scratch_owner(p.name)
        try:
            if (owner is not None and owner_is_dead(owner)) or p.lstat().st_mtime < cutoff:
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
        except OSError:
            pass


class BlobRepo:
    """The blob directory of a store: streaming writes, and the paths of blobs, thumbnails and scratch space."""

    def __init__(self, blobs: Path) -> None:
        self.blobs = Path(blobs)
        private_dir(self.blobs)
        clean_tmp(self.blobs)

    def blob_writer(self, max_bytes: int) -> BlobWriter:
        return BlobWriter(self.blobs, max_bytes)

    def put_blob_stream(self, fileobj: IO[bytes], max_bytes: int) -> tuple[str, int]:
        return put_blob_stream(self.blobs, fileobj, max_bytes)

    def put_blob_file(self, path: Path, max_bytes: int = 1 << 40) -> tuple[str, int]:
        with open(path, "rb") as f:
            return self.put_blob_stream(f, max_bytes)

    def blob_path(self, sha256: str) -> Path:
        return blob_path(self.blobs, sha256)

    def thumb_path(self, sha256: str) -> Path:
        return thumb_path(self.blobs, sha256)

    def remove_blob(self, sha256: str) -> None:
        """Unlink a blob and its thumbnail; call only for a sha256 no row refers to any more."""
        for path in (self.blob_path(sha256), self.thumb_path(sha256)):
            path.unlink(missing_ok=True)

    def tmp_dir(self) -> Path:
        """The scratch folder next to the blobs (created if missing). Name what you make in it with
        `scratch_prefix`, so that it is removed at the next start should this process be killed."""
        return private_dir(tmp_dir(self.blobs))

    @staticmethod
    def scratch_prefix(kind: str) -> str:
        return scratch_prefix(kind)
