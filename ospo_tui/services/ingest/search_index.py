"""Indexing an imported scan for search in one statement per table (SQLite's FTS5 tables).

A trigger per inserted row made imports 60-100% slower; while an import runs, a row in
``search_deferred`` (in the import's own transaction, so nobody else ever sees it) turns the
triggers off, and ``index_scan`` then indexes the scan's rows in bulk. Even a trigger that does
nothing costs SQLite ~20 µs a row (2 s of a 100k-file import, issue 19), so the insert triggers
are also dropped for the import and created again, from their own stored SQL, before it
commits: the schema any other connection can see never changes, and a failed import rolls the
drop back with everything else. PostgreSQL's trigram indexes are ordinary indexes and need
nothing.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from ospo_tui.models.search import DEFERRED_TABLE, SEARCHED_COLUMNS, fts_table

# kind -> the (rowid, text) rows of one scan, bound to :scan
_SCAN_ROWS = {
    "path": "SELECT id, path FROM review_items WHERE scan_id = :scan",
    "matched": (
        "SELECT m.id, m.matched_text FROM license_matches m "
        "JOIN files f ON f.id = m.file_id WHERE f.scan_id = :scan"
    ),
    "copyright": (
        "SELECT c.id, c.value FROM copyrights c JOIN files f ON f.id = c.file_id "
        "WHERE f.scan_id = :scan"
    ),
    "license": "SELECT id, text FROM license_references WHERE scan_id = :scan",
}


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


_INSERT_TRIGGERS = tuple(f"{fts_table(kind)}_ai" for kind in SEARCHED_COLUMNS)


def defer_indexing(session: Session, scan_id: int) -> list[str]:
    """Stop the per-row triggers until ``index_scan`` (same transaction); the SQL of the triggers
    dropped meanwhile, for ``index_scan`` to create again."""
    if not _sqlite(session):
        return []
    session.execute(
        text(f"INSERT INTO {DEFERRED_TABLE} (scan_id) VALUES (:scan)"), {"scan": scan_id}
    )
    names = ", ".join(f"'{name}'" for name in _INSERT_TRIGGERS)
    triggers = session.execute(
        text(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({names})")
    ).all()
    for name, _ in triggers:
        session.execute(text(f'DROP TRIGGER "{name}"'))
    return [sql for _, sql in triggers]


def index_scan(session: Session, scan_id: int, dropped_triggers: list[str]) -> None:
    """Index every searched row of ``scan_id`` and turn the triggers back on."""
    if not _sqlite(session):
        return
    session.flush()
    for kind, rows in _SCAN_ROWS.items():
        fts, (_, column) = fts_table(kind), SEARCHED_COLUMNS[kind]
        session.execute(text(f"INSERT INTO {fts} (rowid, {column}) {rows}"), {"scan": scan_id})
    session.execute(text(f"DELETE FROM {DEFERRED_TABLE} WHERE scan_id = :scan"), {"scan": scan_id})
    for sql in dropped_triggers:
        session.connection().exec_driver_sql(sql)
