"""The office database: every table, and the state an earlier docgen kept in files.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import context, op

import docgen.db.models  # noqa: F401
from docgen.db.base import Base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    Base.metadata.create_all(bind)  # replaced by explicit operations before release
    take_over = context.config.attributes.get("take_over")
    if take_over is not None:
        function, workspace = take_over
        function(bind, workspace)


def downgrade() -> None:
    raise NotImplementedError("the office database cannot be taken back to files")
