"""an index the dashboard's GROUP BY reads alone: scope, state, alert, policy version, expression

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_review_items_figures",
        "review_items",
        [
            "scan_id",
            "needs_review",
            "state",
            "policy_alert",
            "policy_version",
            "detected_expression",
            "detected_spdx",
        ],
    )


def downgrade() -> None:
    op.drop_index("ix_review_items_figures", table_name="review_items")
