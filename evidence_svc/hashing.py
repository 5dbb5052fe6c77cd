"""sha256 helpers: the one way the service names content (files, blobs, fingerprints, cache keys) by its hash.

Hex digests only. A fingerprint here is a hash of a JSON document with sorted keys, so equal inputs give equal
fingerprints across processes and versions of Python. Nothing here reads settings or decides what goes into a
fingerprint; callers choose the inputs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    return sha256_bytes(text.encode("utf-8"))


def sha256_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def sha256_json(payload: Any) -> str:
    """The hash of `payload` as JSON with sorted keys (anything JSON cannot hold is written as its str())."""
    return sha256_text(json.dumps(payload, sort_keys=True, default=str))
