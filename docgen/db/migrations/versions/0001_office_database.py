"""The office database: every table, and the state an earlier docgen kept in files.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

The tables were generated from the models (``alembic.autogenerate``) and are now
fixed: a change to a model is a new revision. With a take-over function (``docgen db
upgrade``), the workspace's archive index, registry, query logs' facts, samples and
results move in within this same transaction (:mod:`docgen.services.takeover`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("source_sha256", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index(
        op.f("ix_account_events_account_id"), "account_events", ["account_id"], unique=False
    )
    op.create_table(
        "account_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("counts_json", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_reviews")),
    )
    op.create_index(op.f("ix_account_reviews_as_of"), "account_reviews", ["as_of"], unique=False)
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("national_id", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("opened", sa.Date(), nullable=False),
        sa.Column("last_used", sa.Date(), nullable=True),
        sa.Column("suspended_on", sa.Date(), nullable=True),
        sa.Column("cancelled_on", sa.Date(), nullable=True),
        sa.Column("departure_on", sa.Date(), nullable=True),
        sa.Column("cancellation_requested_on", sa.Date(), nullable=True),
        sa.Column("application_on", sa.Date(), nullable=True),
        sa.Column("pledge_on", sa.Date(), nullable=True),
        sa.Column("phone", sa.String(), nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_accounts")),
    )
    op.create_table(
        "disposal_plans",
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("approval", sa.String(), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("disposed_by", sa.String(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_disposal_plans")),
    )
    op.create_table(
        "draws",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(), nullable=False),
        sa.Column("seed_given", sa.Boolean(), nullable=False),
        sa.Column("population", sa.Integer(), nullable=False),
        sa.Column("population_sha256", sa.String(), nullable=False),
        sa.Column("outside_period", sa.Integer(), nullable=False),
        sa.Column("sample_size", sa.Integer(), nullable=False),
        sa.Column("algorithm", sa.String(), nullable=False),
        sa.Column("algorithm_text", sa.Text(), nullable=False),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("rule_en", sa.Text(), nullable=False),
        sa.Column("sheet_check", sa.String(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("drawn_by", sa.String(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("superseded_by", sa.Integer(), nullable=True),
        sa.Column("superseded_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["superseded_by"], ["draws.id"], name=op.f("fk_draws_superseded_by_draws")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draws")),
        sa.UniqueConstraint("period", "unit", "number", name=op.f("uq_draws_period")),
    )
    op.create_index(op.f("ix_draws_period"), "draws", ["period"], unique=False)
    op.create_table(
        "forms_issued",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("form", sa.String(), nullable=False),
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_forms_issued")),
    )
    op.create_table(
        "intents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("sidecar_source", sa.String(), nullable=False),
        sa.Column("sidecar_target", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_intents")),
    )
    op.create_table(
        "query_logs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("months", sa.Text(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=True),
        sa.Column("last_at", sa.DateTime(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("bad_rows", sa.Integer(), nullable=False),
        sa.Column("taken_in_at", sa.DateTime(), nullable=False),
        sa.Column("taken_in_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_logs")),
        sa.UniqueConstraint("sha256", name=op.f("uq_query_logs_sha256")),
    )
    op.create_table(
        "record_reviews",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("reviewed_by", sa.String(), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_record_reviews")),
    )
    op.create_table(
        "records",
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("form", sa.String(), nullable=False),
        sa.Column("variant", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("trigger", sa.Date(), nullable=True),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("record_ids", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("first_filed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_records")),
    )
    op.create_table(
        "disposal_plan_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["disposal_plans.plan_id"],
            name=op.f("fk_disposal_plan_items_plan_id_disposal_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"],
            ["records.record_id"],
            name=op.f("fk_disposal_plan_items_record_id_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposal_plan_items")),
    )
    op.create_index(
        op.f("ix_disposal_plan_items_plan_id"), "disposal_plan_items", ["plan_id"], unique=False
    )
    op.create_index(
        op.f("ix_disposal_plan_items_record_id"), "disposal_plan_items", ["record_id"], unique=False
    )
    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("files_json", sa.Text(), nullable=False),
        sa.Column("metadata_json", sa.Text(), nullable=False),
        sa.Column("approval", sa.String(), nullable=False),
        sa.Column("disposed_by", sa.String(), nullable=False),
        sa.Column("disposed_at", sa.DateTime(), nullable=False),
        sa.Column("tombstone_path", sa.String(), nullable=False),
        sa.Column("approved_by", sa.String(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.record_id"], name=op.f("fk_disposals_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposals")),
    )
    op.create_index(op.f("ix_disposals_record_id"), "disposals", ["record_id"], unique=False)
    op.create_table(
        "draw_anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("anomaly", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("queried_at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("subject_name", sa.String(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_draw_anomalies_draw_id_draws")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_anomalies")),
    )
    op.create_index(op.f("ix_draw_anomalies_draw_id"), "draw_anomalies", ["draw_id"], unique=False)
    op.create_table(
        "draw_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("case_key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("queried_at", sa.DateTime(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("subject_name", sa.String(), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_draw_cases_draw_id_draws")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draw_cases")),
        sa.UniqueConstraint("draw_id", "position", name=op.f("uq_draw_cases_draw_id")),
    )
    op.create_index(op.f("ix_draw_cases_draw_id"), "draw_cases", ["draw_id"], unique=False)
    op.create_table(
        "files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("mtime_ns", sa.BigInteger(), nullable=False),
        sa.Column("inode", sa.BigInteger(), nullable=False),
        sa.Column("duplicate_of", sa.Integer(), nullable=True),
        sa.Column("original_name", sa.String(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(), nullable=True),
        sa.Column("filed_at", sa.DateTime(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_of"], ["files.id"], name=op.f("fk_files_duplicate_of_files")
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.record_id"], name=op.f("fk_files_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("path", name=op.f("uq_files_path")),
    )
    op.create_index(op.f("ix_files_record_id"), "files", ["record_id"], unique=False)
    op.create_index(op.f("ix_files_sha256"), "files", ["sha256"], unique=False)
    op.create_table(
        "holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(), nullable=False),
        sa.Column("placed_at", sa.DateTime(), nullable=False),
        sa.Column("released_by", sa.String(), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.record_id"], name=op.f("fk_holds_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holds")),
    )
    op.create_index(op.f("ix_holds_record_id"), "holds", ["record_id"], unique=False)
    op.create_table(
        "query_anomalies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("queried_at", sa.DateTime(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("subject_id", sa.String(), nullable=False),
        sa.Column("subject_name", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"], ["query_logs.id"], name=op.f("fk_query_anomalies_log_id_query_logs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_anomalies")),
    )
    op.create_index(op.f("ix_query_anomalies_log_id"), "query_anomalies", ["log_id"], unique=False)
    op.create_index(op.f("ix_query_anomalies_month"), "query_anomalies", ["month"], unique=False)
    op.create_table(
        "query_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("account", sa.String(), nullable=False),
        sa.Column("queries", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["log_id"], ["query_logs.id"], name=op.f("fk_query_counts_log_id_query_logs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_query_counts")),
        sa.UniqueConstraint(
            "log_id", "month", "unit", "account", name=op.f("uq_query_counts_log_id")
        ),
    )
    op.create_index(op.f("ix_query_counts_log_id"), "query_counts", ["log_id"], unique=False)
    op.create_index(op.f("ix_query_counts_month"), "query_counts", ["month"], unique=False)
    op.create_table(
        "result_sheets",
        sa.Column("draw_id", sa.Integer(), nullable=False),
        sa.Column("sheet_path", sa.String(), nullable=False),
        sa.Column("sheet_sha256", sa.String(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("referred", sa.Integer(), nullable=False),
        sa.Column("read_by", sa.String(), nullable=False),
        sa.Column("read_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_id"], ["draws.id"], name=op.f("fk_result_sheets_draw_id_draws")
        ),
        sa.PrimaryKeyConstraint("draw_id", name=op.f("pk_result_sheets")),
    )
    op.create_table(
        "case_results",
        sa.Column("draw_case_id", sa.Integer(), nullable=False),
        sa.Column("consistent", sa.String(), nullable=False),
        sa.Column("remark", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["draw_case_id"],
            ["draw_cases.id"],
            name=op.f("fk_case_results_draw_case_id_draw_cases"),
        ),
        sa.PrimaryKeyConstraint("draw_case_id", name=op.f("pk_case_results")),
    )
    take_over = context.config.attributes.get("take_over")
    if take_over is not None:
        function, workspace = take_over
        function(op.get_bind(), workspace)


def downgrade() -> None:
    raise NotImplementedError("the office database cannot be taken back to files")
