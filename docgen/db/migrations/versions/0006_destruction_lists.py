"""The draft destruction lists the web application proposes, approves and disposes
(:class:`docgen.db.models.archive.DestructionList`, ISSUE 13 item 4).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "destruction_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("proposed_by", sa.String(), nullable=False),
        sa.Column("proposed_name", sa.String(), nullable=False),
        sa.Column("proposed_at", sa.DateTime(), nullable=False),
        sa.Column("approval", sa.String(), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("approved_name", sa.String(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("disposed_by", sa.String(), nullable=False),
        sa.Column("disposed_at", sa.DateTime(), nullable=True),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_lists")),
    )


def downgrade() -> None:
    op.drop_table("destruction_lists")
