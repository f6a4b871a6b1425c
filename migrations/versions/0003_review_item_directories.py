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
    # Plain ALTER TABLE, not a batch copy: recreating review_items would trip the foreign keys
    # that decisions and questions hold on it.
    op.add_column(
        "review_items", sa.Column("dir_path", sa.Text(), server_default="", nullable=False)
    )
    # rtrim(path, <every character but "/">) keeps the path up to its last "/": the same
    # expression on SQLite and PostgreSQL, so existing scans need no pass in Python.
    op.execute("UPDATE review_items SET dir_path = rtrim(rtrim(path, replace(path, '/', '')), '/')")
    op.create_index("ix_review_items_all", "review_items", ["scan_id", "priority", "path"])
    op.create_index(
        "ix_review_items_dir",
        "review_items",
        ["scan_id", "dir_path", "needs_review", "state", "policy_alert"],
    )


def downgrade() -> None:
    op.drop_index("ix_review_items_dir", table_name="review_items")
    op.drop_index("ix_review_items_all", table_name="review_items")
    op.drop_column("review_items", "dir_path")  # SQLite 3.35 or later, as 0002's downgrade
