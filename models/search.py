"""The full-text search indexes, which live beside the models but are not mapped tables.

SQLite keeps one FTS5 trigram table per searched column (external content, filled by
triggers); PostgreSQL keeps a pg_trgm GIN index on the same columns (migration 0006).
Migrations create them; ``db copy`` and the model comparison must know to leave them alone.
"""

from __future__ import annotations

# search kind -> (table, text column)
SEARCHED_COLUMNS: dict[str, tuple[str, str]] = {
    "path": ("review_items", "path"),
    "matched": ("license_matches", "matched_text"),
    "copyright": ("copyrights", "value"),
    "license": ("license_references", "text"),
}

# SQLite only: while it holds a row (inside an import's transaction), the insert triggers leave
# the FTS5 tables alone and the import indexes its rows in one statement per table at the end,
# several times faster than a trigger per row.
DEFERRED_TABLE = "search_deferred"

# What SQLite's FTS5 makes for each virtual table.
_FTS5_SHADOWS = ("", "_data", "_idx", "_docsize", "_config", "_content")


def fts_table(kind: str) -> str:
    """The SQLite FTS5 table that indexes ``kind``."""
    return f"search_{kind}"


def trigram_index(kind: str) -> str:
    """The PostgreSQL pg_trgm index that serves ``kind``."""
    return f"ix_search_{kind}_trgm"


def is_search_table(name: str) -> bool:
    """Whether ``name`` is one of the FTS5 tables, their shadow tables or the deferral flag."""
    return name == DEFERRED_TABLE or any(
        name == fts_table(kind) + suffix for kind in SEARCHED_COLUMNS for suffix in _FTS5_SHADOWS
    )


def is_search_index(name: str) -> bool:
    """Whether ``name`` is one of the PostgreSQL trigram indexes."""
    return any(name == trigram_index(kind) for kind in SEARCHED_COLUMNS)
