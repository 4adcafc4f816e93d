"""Each web user's e-mail address, and the reminders sent to them
(:class:`docgen.db.models.reminders.SentReminder`, ISSUE 13 item 6).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_users") as batch:
        batch.add_column(sa.Column("email", sa.String(), server_default="", nullable=False))
    op.create_table(
        "sent_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_sent_reminders_user_id_web_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_reminders")),
        sa.UniqueConstraint("user_id", "item", "kind", name=op.f("uq_sent_reminders_user_id")),
    )
    op.create_index(op.f("ix_sent_reminders_user_id"), "sent_reminders", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_reminders_user_id"), table_name="sent_reminders")
    op.drop_table("sent_reminders")
    with op.batch_alter_table("web_users") as batch:
        batch.drop_column("email")
