"""Files at or under one directory of a scan, as a condition both backends read the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, String, and_, func, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.models import ReviewItem


class Bytewise(FunctionElement[str]):
    """A text column compared byte by byte: as it is on SQLite, in the "C" collation on
    PostgreSQL, so a range of paths means the same on both."""

    type = String()
    name = "bytewise"
    inherit_cache = True


@compiles(Bytewise)
def _bytewise(element: Bytewise, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(Bytewise, "postgresql")
def _bytewise_postgresql(element: Bytewise, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)} COLLATE "C")'


def under_directory(directory: str) -> ColumnElement[bool]:
    """Files in ``directory`` or anywhere below it.

    The range ["dir", "dir0") ("0" follows "/") is a seek on the (scan_id, dir_path) index, so a
    subtree costs its own rows only; it also holds siblings such as "dir-2" or "dir.old", which
    the exact test (the directory itself, or a prefix of "dir/") leaves out. Not LIKE: paths
    may hold ``%`` or ``_``.
    """
    directory = directory.strip("/")
    column = ReviewItem.dir_path
    prefix = directory + "/"
    return and_(
        Bytewise(column) >= directory,
        Bytewise(column) < directory + "0",
        or_(column == directory, func.substr(column, 1, len(prefix)) == prefix),
    )
