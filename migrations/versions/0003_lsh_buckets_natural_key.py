"""lsh_buckets keyed by (complaint_id, band): no surrogate id, one index fewer per bucket row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A complaint's bands were always written whole and once, so (complaint_id, band) is already unique.
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lsh_buckets_complaint_id"))
        batch_op.drop_constraint("pk_lsh_buckets", type_="primary")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_lsh_buckets", ["complaint_id", "band"])


def downgrade() -> None:
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.drop_constraint("pk_lsh_buckets", type_="primary")
        batch_op.add_column(sa.Column("id", sa.Integer(), sa.Identity(), nullable=False))
        batch_op.create_primary_key("pk_lsh_buckets", ["id"])
        batch_op.create_index(batch_op.f("ix_lsh_buckets_complaint_id"), ["complaint_id"], unique=False)
