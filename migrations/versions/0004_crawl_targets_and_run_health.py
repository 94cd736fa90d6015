"""Crawl targets (what incremental runs remember) and, per run, its target, mode, owner, requests and health.

Runs recorded before this revision get their responses received as their request count: the closest figure
they kept.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("spider", sa.String(length=64), nullable=False),
        sa.Column("target_key", sa.String(length=512), nullable=False),
        sa.Column("company", sa.Text(), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("listing_url", sa.Text(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_full_sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_targets")),
        sa.UniqueConstraint("spider", "target_key", name=op.f("uq_crawl_targets_spider_target_key")),
    )
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mode", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("worker", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("requests", sa.Integer(), nullable=False, server_default=sa.text("0")))
        batch_op.add_column(sa.Column("health", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_crawl_runs_target_id"), ["target_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_crawl_runs_target_id_crawl_targets"), "crawl_targets", ["target_id"], ["id"]
        )
    op.execute("UPDATE crawl_runs SET requests = pages")


def downgrade() -> None:
    with op.batch_alter_table("crawl_runs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_crawl_runs_target_id_crawl_targets"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_crawl_runs_target_id"))
        batch_op.drop_column("health")
        batch_op.drop_column("requests")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("worker")
        batch_op.drop_column("pid")
        batch_op.drop_column("host")
        batch_op.drop_column("mode")
        batch_op.drop_column("target_id")

    op.drop_table("crawl_targets")
