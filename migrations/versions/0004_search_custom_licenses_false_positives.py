"""full-text search indexes, custom licenses and copyright false positives

SQLite: one FTS5 trigram table per searched column, with external content and triggers that
keep it in step with its table (filled once here). PostgreSQL: pg_trgm GIN indexes over the
same columns folded to lower-case A-Z, so both backends answer a "contains" search alike.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 02:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ospo_tui.models.search import DEFERRED_TABLE, SEARCHED_COLUMNS, fts_table, trigram_index

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sqlite_index(kind: str, table: str, column: str) -> None:
    """The FTS5 table and its triggers; while an import defers indexing (a row in
    search_deferred), the triggers do nothing and the import indexes its rows at the end."""
    fts = fts_table(kind)
    when = f"WHEN NOT EXISTS (SELECT 1 FROM {DEFERRED_TABLE})"
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({column}, content='{table}', "
        "content_rowid='id', tokenize='trigram')"
    )
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    op.execute(f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} {when} BEGIN {insert} END")
    op.execute(f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} {when} BEGIN {delete} END")
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {column} ON {table} {when} "
        f"BEGIN {delete} {insert} END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def _create_search_indexes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for kind, (table, column) in SEARCHED_COLUMNS.items():
            op.execute(
                f"CREATE INDEX {trigram_index(kind)} ON {table} USING gin "
                f"(translate({column}, '{UPPER}', '{UPPER.lower()}') gin_trgm_ops)"
            )
        return
    op.execute(f"CREATE TABLE {DEFERRED_TABLE} (scan_id INTEGER NOT NULL)")
    for kind, (table, column) in SEARCHED_COLUMNS.items():
        _sqlite_index(kind, table, column)


def _drop_search_indexes() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for kind in SEARCHED_COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS {trigram_index(kind)}")
        return
    for kind in SEARCHED_COLUMNS:
        fts = fts_table(kind)
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
    op.execute(f"DROP TABLE IF EXISTS {DEFERRED_TABLE}")


def upgrade() -> None:
    op.create_table(
        "custom_licenses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("license_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_licenses")),
        sa.UniqueConstraint("license_id", name=op.f("uq_custom_licenses_license_id")),
    )
    op.create_table(
        "copyright_false_positives",
        sa.Column("copyright_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column("marked_at", sa.String(length=32), nullable=False),
        sa.Column("event_seq", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["copyright_id"],
            ["copyrights.id"],
            name=op.f("fk_copyright_false_positives_copyright_id_copyrights"),
        ),
        sa.PrimaryKeyConstraint("copyright_id", name=op.f("pk_copyright_false_positives")),
    )
    _create_search_indexes()


def downgrade() -> None:
    _drop_search_indexes()
    op.drop_table("copyright_false_positives")
    op.drop_table("custom_licenses")
