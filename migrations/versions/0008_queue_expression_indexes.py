"""review items: an index per expression column, so the queue lists a scan's expressions

A text or license filter asked LIKE of every row of the scan (400 ms at 1,000,000 files for a
text no file holds). An expression column has few distinct values per scan: with a
(scan_id, column) index the queue walks from value to value, one seek each, lets LIKE pick the
matching values, and then matches rows by ``column IN (values)`` (``services/review/queue_text``).
``detected_spdx`` already has its index (``ix_review_items_spdx``).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_review_items_expression", "review_items", ["scan_id", "detected_expression"]
    )
    op.create_index(
        "ix_review_items_concluded", "review_items", ["scan_id", "concluded_expression"]
    )


def downgrade() -> None:
    op.drop_index("ix_review_items_concluded", table_name="review_items")
    op.drop_index("ix_review_items_expression", table_name="review_items")
