"""review items know their parent directory, for the directory tree; an index for the all-files scope

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dir_path", sa.Text(), server_default="", nullable=False))
    # rtrim(path, <every character but "/">) keeps the path up to its last "/": the same
    # expression on SQLite and PostgreSQL, so existing scans need no pass in Python.
    op.execute("UPDATE review_items SET dir_path = rtrim(rtrim(path, replace(path, '/', '')), '/')")
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.create_index("ix_review_items_all", ["scan_id", "priority", "path"], unique=False)
        batch_op.create_index(
            "ix_review_items_dir",
            ["scan_id", "dir_path", "needs_review", "state", "policy_alert"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("review_items", schema=None) as batch_op:
        batch_op.drop_index("ix_review_items_dir")
        batch_op.drop_index("ix_review_items_all")
        batch_op.drop_column("dir_path")
