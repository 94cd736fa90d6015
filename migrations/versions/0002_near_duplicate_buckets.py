"""Near-duplicate detection: MinHash LSH buckets in the archive, similarity next to duplicate_of_id.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lsh_buckets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f("fk_lsh_buckets_complaint_id_complaints"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lsh_buckets")),
    )
    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lsh_buckets_bucket"), ["bucket"], unique=False)
        batch_op.create_index(batch_op.f("ix_lsh_buckets_complaint_id"), ["complaint_id"], unique=False)

    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duplicate_similarity", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("duplicate_similarity")

    with op.batch_alter_table("lsh_buckets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lsh_buckets_complaint_id"))
        batch_op.drop_index(batch_op.f("ix_lsh_buckets_bucket"))

    op.drop_table("lsh_buckets")
