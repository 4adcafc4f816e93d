"""The half-year audit's findings, tracked to closure
(:class:`docgen.db.models.audit.AuditFinding`, ISSUE 13 item 2).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("half", sa.String(), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("raised_by", sa.String(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("closed_by", sa.String(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_findings")),
    )
    op.create_index(op.f("ix_audit_findings_half"), "audit_findings", ["half"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_findings_half"), table_name="audit_findings")
    op.drop_table("audit_findings")
