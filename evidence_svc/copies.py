"""Copies of one piece of evidence in a claim, and which copy to keep: one rule for the report and the bundle.

Copies are files with the same bytes, or files a `duplicate-file` finding links (the validator's perceptual-hash
match names the earlier copy). The copy kept is the one that passed its checks, then the one with more pixels (a
re-saved smaller copy can still have more bytes), then a lossless one (a PNG screenshot re-saved as JPEG grows in
bytes but loses detail), then the larger file, then the first listed. Pure functions over
`FileReport`s; nothing here writes a finding or a message.
"""

from __future__ import annotations

from .model import FileReport, Severity

DUPLICATE = "duplicate-file"


def passes(f: FileReport) -> bool:
    """Passed its checks, a duplicate finding aside (a later copy always carries one)."""
    return not any(x.severity == Severity.error for x in f.findings if x.code != DUPLICATE)


def pixels(f: FileReport) -> int:
    return sum(p.width * p.height for p in f.pages)


def lossless(f: FileReport) -> bool:
    """Not a JPEG: the same pixels as a JPEG are a lossy copy, however many bytes it has."""
    return (f.media_type or "") != "image/jpeg"


def copy_groups(files: list[FileReport]) -> list[list[int]]:
    """Indexes of `files` grouped by copy (union-find over same sha256 and duplicate-file links), in list order."""
    parent = list(range(len(files)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    by_sha: dict[str, int] = {}
    by_name = {f.name: i for i, f in reversed(list(enumerate(files)))}
    for i, f in enumerate(files):
        twins = [by_sha.setdefault(f.sha256, i)] if f.sha256 else []
        twins += [by_name[x.value] for x in f.findings if x.code == DUPLICATE and x.value in by_name]
        for j in twins:
            parent[root(i)] = root(j)
    groups: dict[int, list[int]] = {}
    for i in range(len(files)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def best_copy(files: list[FileReport], members: list[int]) -> int:
    """The index (among `members`) of the copy to keep."""
    return max(members, key=lambda i: (passes(files[i]), pixels(files[i]), lossless(files[i]), files[i].bytes, -i))
