"""Indexing an imported scan for search in one statement per table (SQLite's FTS5 tables).

A trigger per inserted row made imports 60-100% slower; while an import runs, a row in
``search_deferred`` (in the import's own transaction, so nobody else ever sees it) turns the
triggers off, and ``index_scan`` then indexes the scan's rows in bulk. PostgreSQL's trigram
indexes are ordinary indexes and need nothing.
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


def defer_indexing(session: Session, scan_id: int) -> None:
    """Stop the per-row triggers until ``index_scan`` (same transaction)."""
    if _sqlite(session):
        session.execute(
            text(f"INSERT INTO {DEFERRED_TABLE} (scan_id) VALUES (:scan)"), {"scan": scan_id}
        )


def index_scan(session: Session, scan_id: int) -> None:
    """Index every searched row of ``scan_id`` and turn the triggers back on."""
    if not _sqlite(session):
        return
    session.flush()
    for kind, rows in _SCAN_ROWS.items():
        fts, (_, column) = fts_table(kind), SEARCHED_COLUMNS[kind]
        session.execute(text(f"INSERT INTO {fts} (rowid, {column}) {rows}"), {"scan": scan_id})
    session.execute(text(f"DELETE FROM {DEFERRED_TABLE} WHERE scan_id = :scan"), {"scan": scan_id})
