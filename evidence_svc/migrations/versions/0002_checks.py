"""Checks: jobs, reports, bundles and the reply history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reports",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("claim_revision", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("warnings", sa.Integer(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("claim_id", "fingerprint", name="uq_reports_claim_fingerprint"),
    )
    op.create_index("ix_reports_claim_id", "reports", ["claim_id"])
    op.create_table(
        "bundles",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id", ondelete="CASCADE"), nullable=False,
                  unique=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_bundles_claim_id", "bundles", ["claim_id"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("target", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(), nullable=True),
        sa.Column("claim_revision", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.String(40), nullable=True),
        sa.Column("reused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
    )
    for col in ("tenant_id", "claim_id", "state"):
        op.create_index(f"ix_jobs_{col}", "jobs", [col])
    op.create_table(
        "replies",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("tenant_id", sa.String(40), sa.ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False),
        sa.Column("claim_id", sa.String(40), sa.ForeignKey("claims.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_replies_tenant_id", "replies", ["tenant_id"])
    op.create_index("ix_replies_claim_id", "replies", ["claim_id"])


def downgrade() -> None:
    op.drop_table("replies")
    op.drop_table("jobs")
    op.drop_table("bundles")
    op.drop_table("reports")
