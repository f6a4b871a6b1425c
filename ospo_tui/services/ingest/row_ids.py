"""Primary keys handed out ahead of a bulk insert, so child rows can point at parents at once.

``INSERT ... RETURNING`` over executemany costs more than the insert itself at 100k rows. On
SQLite the writer holds the database lock for the whole transaction (BEGIN IMMEDIATE), so ids
after ``max(id)`` are ours; on PostgreSQL a block is reserved from the table's sequence.
"""

from __future__ import annotations

from sqlalchemy import Table, func, select, text
from sqlalchemy.orm import Session


class RowIds:
    """Consecutive ids for one table, valid for the rest of the caller's transaction."""

    def __init__(self, session: Session, table: Table) -> None:
        self.session = session
        self.table = table
        self.postgres = session.get_bind().dialect.name == "postgresql"
        self._next = 0
        if not self.postgres:
            self._next = (session.scalar(select(func.max(table.c.id))) or 0) + 1

    def take(self, count: int) -> list[int]:
        if count == 0:
            return []
        if self.postgres:
            sequence = f"{self.table.name}_id_seq"
            rows = self.session.execute(
                text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
                {"seq": sequence, "n": count},
            )
            return [row[0] for row in rows]
        first, self._next = self._next, self._next + count
        return list(range(first, first + count))
