"""The on-disk cache under `settings.cache_dir`: whole entries or none, safe across processes.

Entries are addressed by (namespace, key); the key is a content hash chosen by the caller, so an entry never
goes stale — a change of input, setting or format version gives a new key. A damaged or unreadable entry reads
as a miss and is recomputed; a cache that cannot be written is skipped, never an error.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from .config import Settings

log = logging.getLogger(__name__)


def entry_path(settings: Settings, namespace: str, key: str, suffix: str) -> Path:
    return Path(settings.cache_dir) / namespace / key[:2] / f"{key}{suffix}"


def read(settings: Settings, namespace: str, key: str, suffix: str) -> bytes | None:
    try:
        return entry_path(settings, namespace, key, suffix).read_bytes()
    except OSError:
        return None


def write(settings: Settings, namespace: str, key: str, suffix: str, data: bytes) -> None:
    """Write-then-rename in the same directory: readers in other processes see a whole entry or none."""
    p = entry_path(settings, namespace, key, suffix)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".tmp-", suffix=suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, p)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        log.debug("cannot write cache entry %s", p, exc_info=True)
