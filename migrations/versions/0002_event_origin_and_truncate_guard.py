"""events record the OS user, host and database login; TRUNCATE refused on append-only tables

Row-level triggers (0001) never fire for TRUNCATE, so on PostgreSQL one statement could empty
the audit chain and the decisions. A statement-level trigger refuses it. SQLite has no TRUNCATE
(its DELETE without WHERE fires the 0001 row triggers), so there the trigger part is a no-op.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 01:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY_TABLES = ("audit_events", "decisions", "question_messages")
ORIGIN_COLUMNS = (("os_user", 200), ("host", 255), ("db_login", 200))


def upgrade() -> None:
    # Plain ADD/DROP COLUMN (SQLite >= 3.35): a batch copy would drop the table's triggers.
    for name, length in ORIGIN_COLUMNS:
        op.add_column("audit_events", sa.Column(name, sa.String(length), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in APPEND_ONLY_TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ospo_forbid_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    for name, _ in reversed(ORIGIN_COLUMNS):
        op.drop_column("audit_events", name)
