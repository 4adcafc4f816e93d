"""The people of the web application: users, their roles, password history and reset
tokens (ISSUE 12 item 2; :mod:`docgen.db.models.users`).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Generated from the models (``alembic.autogenerate``), read and kept as explicit ops.
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
        "web_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(), nullable=False),
        sa.Column("display_name", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("disabled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("username", name=op.f("uq_web_users_username")),
    )
    op.create_table(
        "web_password_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["web_users.id"],
            name=op.f("fk_web_password_history_user_id_web_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_password_history")),
    )
    op.create_index(
        op.f("ix_web_password_history_user_id"), "web_password_history", ["user_id"], unique=False
    )
    op.create_table(
        "web_reset_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_web_reset_tokens_user_id_web_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_reset_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_web_reset_tokens_token_sha256")),
    )
    op.create_index(
        op.f("ix_web_reset_tokens_user_id"), "web_reset_tokens", ["user_id"], unique=False
    )
    op.create_table(
        "web_user_roles",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_web_user_roles_user_id_web_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_web_user_roles")),
    )


def downgrade() -> None:
    op.drop_table("web_user_roles")
    op.drop_index(op.f("ix_web_reset_tokens_user_id"), table_name="web_reset_tokens")
    op.drop_table("web_reset_tokens")
    op.drop_index(op.f("ix_web_password_history_user_id"), table_name="web_password_history")
    op.drop_table("web_password_history")
    op.drop_table("web_users")
