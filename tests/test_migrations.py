"""The schema migrates from empty to head and back on both backends, and matches the models."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, inspect, select, text

from ospo_tui.db import Database
from ospo_tui.migrate import (
    alembic_config,
    current_revision,
    downgrade_to,
    head_revision,
    include_object,
    upgrade_to_head,
)
from ospo_tui.models import Base, ReviewItem
from ospo_tui.models.indexed_text import LONG_TEXT_INDEX, long_text_sql
from ospo_tui.services.review.directory_filter import under_directory


def test_upgrade_downgrade_round_trip(db_url: str) -> None:
    db = Database(db_url)
    downgrade_to(db.engine, "base")  # the PostgreSQL test database starts migrated
    assert not set(Base.metadata.tables) & set(inspect(db.engine).get_table_names())
    upgrade_to_head(db.engine)
    assert current_revision(db.engine) == head_revision(db.engine)
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables

    downgrade_to(db.engine, "base")
    assert current_revision(db.engine) is None
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}

    upgrade_to_head(db.engine)
    assert current_revision(db.engine) == head_revision(db.engine)
    db.dispose()


def test_models_match_migrations(db_url: str) -> None:
    db = Database(db_url)
    upgrade_to_head(db.engine)
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn, opts={"compare_type": True, "include_object": include_object}
            ),
            Base.metadata,
        )
    assert diff == []
    db.dispose()


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_single_head_and_every_step_goes_up_and_down(db_url: str) -> None:
    """Each revision upgrades and downgrades on its own, so any version can be rolled back."""
    db = Database(db_url)
    downgrade_to(db.engine, "base")
    config = alembic_config(db.engine)
    script = ScriptDirectory.from_config(config)
    assert len(script.get_heads()) == 1
    revisions = list(reversed(list(script.walk_revisions())))
    for revision in revisions:
        command.upgrade(config, revision.revision)
        assert current_revision(db.engine) == revision.revision
        command.downgrade(config, revision.down_revision or "base")
        command.upgrade(config, revision.revision)
    assert current_revision(db.engine) == head_revision(db.engine)
    db.dispose()


def _predicate(sql: object) -> str | None:
    return None if sql is None else str(sql).replace("(", "").replace(")", "").replace(" ", "")


def test_partial_indexes_match_the_models(db_url: str) -> None:
    """Alembic's comparison does not see an index's WHERE: each index's predicate is the
    model's on PostgreSQL (see models.indexed_text), and SQLite's indexes are whole."""
    db = Database(db_url)
    upgrade_to_head(db.engine)
    postgresql = db.engine.dialect.name == "postgresql"
    inspector = inspect(db.engine)
    for table in Base.metadata.tables.values():
        found = {ix["name"]: ix for ix in inspector.get_indexes(table.name)}
        for index in table.indexes:
            reflected = found[str(index.name)].get("dialect_options", {}).get("postgresql_where")
            wanted = index.dialect_options["postgresql"].get("where") if postgresql else None
            assert _predicate(reflected) == _predicate(wanted), index.name
    indexes = {ix["name"]: ix for ix in inspector.get_indexes("review_items")}
    assert (LONG_TEXT_INDEX in indexes) == postgresql
    if postgresql:
        where = indexes[LONG_TEXT_INDEX]["dialect_options"]["postgresql_where"]
        assert _predicate(where) == _predicate(long_text_sql())
    db.dispose()


def test_a_subtree_is_a_range_of_the_directory_index(db_url: str) -> None:
    """The directory tree opens a directory by a byte-order range of ``dir_path``: a seek in
    the directory index on both backends (migration 0010 on PostgreSQL), not a filter over
    every entry of the scan."""
    db = Database(db_url)
    upgrade_to_head(db.engine)
    query = select(func.count()).where(ReviewItem.scan_id == 1, under_directory("src/lib"))
    sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET enable_seqscan = off")  # an empty table is read whole
            plan = [row[0] for row in conn.exec_driver_sql("EXPLAIN " + sql)]
            seeks = [line for line in plan if "Index Cond" in line]
        else:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
            seeks = [line for line in plan if "ix_review_items_dir" in line]
    assert any("dir_path" in line for line in seeks), plan
    db.dispose()
