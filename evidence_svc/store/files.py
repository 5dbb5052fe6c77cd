"""Files: the evidence of a claim, as rows that point at content-addressed blobs by sha256.

A file row's name is for display only and never becomes a path; the bytes live in the blob directory
(`store/blobs.py`). Adding or removing a file changes the claim's inputs (`claims.touch_claim`). Deleting a file
never deletes its blob: other claims may share it.
"""

from __future__ import annotations

from sqlalchemy import func, select

from .claims import touch_claim
from .db import Sessions
from .rows import ClaimRow, FileRow, new_id, utcnow


class FileRepo(Sessions):
    """The files of a claim."""

    def add_files(self, tenant_id: str, claim_id: str, blobs: list[tuple[str, str, int]]) -> list[FileRow] | None:
        """Record uploaded blobs (name, sha256, size) as files of the claim; None if the claim is not the tenant's."""
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            if claim is None:
                return None
            last = s.scalar(select(func.max(FileRow.position)).where(FileRow.claim_id == claim_id)) or 0
            now = utcnow()
            rows = [
                FileRow(id=new_id("fil"), claim_id=claim_id, position=last + i + 1, name=name, sha256=sha,
                        bytes=size, created_at=now)
                for i, (name, sha, size) in enumerate(blobs)
            ]
            s.add_all(rows)
            touch_claim(claim)
            return rows

    def list_files(self, claim_id: str) -> list[FileRow]:
        with self._read() as s:
            return list(s.scalars(
                select(FileRow).where(FileRow.claim_id == claim_id).order_by(FileRow.position, FileRow.id)
            ))

    def get_file(self, tenant_id: str, claim_id: str, file_id: str) -> FileRow | None:
        with self._read() as s:
            return s.scalar(
                select(FileRow).join(ClaimRow, ClaimRow.id == FileRow.claim_id)
                .where(FileRow.id == file_id, FileRow.claim_id == claim_id, ClaimRow.tenant_id == tenant_id)
            )

    def delete_file(self, tenant_id: str, claim_id: str, file_id: str) -> bool:
        """Remove a file from a claim. The blob stays: other claims may share it (content-addressed)."""
        with self._write() as s:
            claim = s.scalar(select(ClaimRow).where(ClaimRow.id == claim_id, ClaimRow.tenant_id == tenant_id))
            row = claim and s.scalar(select(FileRow).where(FileRow.id == file_id, FileRow.claim_id == claim_id))
            if not row:
                return False
            s.delete(row)
            touch_claim(claim)
            return True
