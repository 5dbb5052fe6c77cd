"""The repository stands alone: no tracked file reaches outside it.

A user's clone has nothing beside it, so no code, test, benchmark or document may read or point at a parent
folder's `shared/` (the reference material the project was started from). The container's own `/shared/blobs`
mount is an absolute path inside the image and is allowed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# A sibling folder named by a relative path (dot-dot, slash or backslash, then the name) or by pathlib (a parent,
# or parents[N], joined with the name). The name is kept out of this file's text so the file does not match itself.
SIBLING = "sha" + "red"
OUTSIDE = re.compile(r"\.\.[/\\]" + SIBLING + r"|parents?(\[\d+\])?\s*/\s*[\"']" + SIBLING + r"[\"']")


def _tracked_text_files() -> list[Path]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an sdist or a copied tree): nothing says which files are tracked")
    names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [ROOT / n for n in names.decode().split("\0") if n]


def test_no_tracked_file_points_outside_the_repository() -> None:
    offenders = []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary (PDFs, PNGs) or deleted in the working tree
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not offenders, "files that point outside the repository:\n" + "\n".join(offenders)


def test_the_pattern_catches_the_ways_of_pointing_outside() -> None:
    up, name = "..", SIBLING
    for line in (f'CORPUS = ROOT / "{up}/{name}/corpus"', f'ROOT.parent / "{name}" / "corpus"',
                 f"see {up}\\{name}\\DOMAIN.md", f'Path(__file__).parents[2] / "{name}"'):
        assert OUTSIDE.search(line), line
    assert not OUTSIDE.search(f"EVIDENCE_BLOB_DIR=/{name}/blobs")
