"""The supervisors' marks entered in the browser before they are submitted
(:class:`docgen.db.models.audit.CaseMark`, ISSUE 13 item 1).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("consistent", sa.String(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("marked_by", sa.String(), nullable=False),
        sa.Column("marked_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_case_marks_draw_id_draws")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_marks")),
        sa.UniqueConstraint("draw_id", "position", name=op.f("uq_case_marks_draw_id")),
    )
    op.create_index(op.f("ix_case_marks_draw_id"), "case_marks", ["draw_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_case_marks_draw_id"), table_name="case_marks")
    op.drop_table("case_marks")
