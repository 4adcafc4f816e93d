"""The records browser's search indexes (:class:`docgen.db.models.archive.Record`):
one per combination of the filters it offers, ``record_id`` last, so that a page of a
search over 100,000 records is one index range (benchmarks/bench_web.py).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

#: Index name → its columns, as the model declares them.
INDEXES = {
    "ix_records_category": ["category", "record_id"],
    "ix_records_unit": ["unit", "record_id"],
    "ix_records_status": ["status", "record_id"],
    "ix_records_category_unit": ["category", "unit", "record_id"],
    "ix_records_category_period": ["category", "period", "record_id"],
    "ix_records_unit_period": ["unit", "period", "record_id"],
    "ix_records_period": ["period", "category", "unit", "record_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "records", columns, unique=False)


def downgrade() -> None:
    for name in reversed(INDEXES):
        op.drop_index(name, table_name="records")
