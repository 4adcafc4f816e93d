"""The 函 and 簽 drafted and sent (ISSUE 14 item 4; :mod:`docgen.db.models.correspondence`).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Generated from the models (``alembic.autogenerate``), read and kept as explicit ops.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "correspondence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_key", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("form", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("receiver", sa.String(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("drafted_by", sa.String(), nullable=False),
        sa.Column("drafted_at", sa.DateTime(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("sent_number", sa.String(), nullable=False),
        sa.Column("sent_by", sa.String(), nullable=False),
        sa.Column("sent_recorded_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_correspondence")),
        sa.UniqueConstraint("doc_key", name=op.f("uq_correspondence_doc_key")),
    )
    op.create_index(op.f("ix_correspondence_kind"), "correspondence", ["kind"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_correspondence_kind"), table_name="correspondence")
    op.drop_table("correspondence")
