"""Text in a path or an expression, as the queue's filters and search ask it, served by indexes.

The rule is LIKE's: ``%text%`` with A-Z folded (``Folded``). Asked as it is, it reads every row
of the scan until enough match: 400 ms at 1,000,000 files for a text no file holds. So the same
rule is asked where it costs little, and the rows still answer it exactly:

- an expression column has few distinct values per scan (a dozen here, a few hundred in a large
  real scan): LIKE picks the matching values, found by walking the (scan, column) index from
  value to value, and the rows are matched by ``column IN (values)`` (no value: no row);
- a path text of three characters or more is narrowed by the trigram index: on SQLite, when
  few paths hold it, the FTS5 table lists them and only those rows are checked by LIKE; on
  PostgreSQL the pg_trgm condition goes beside LIKE and the planner weighs index against walk.

A common or short text, or a column with too many values to list, is asked by LIKE as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    column,
    false,
    func,
    literal,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.models import ReviewItem
from ospo_tui.models.search import fts_table
from ospo_tui.services.review.indexed_text import FitsIndex, among, long_values
from ospo_tui.services.review.search import MIN_PHRASE, contains, fold

RARE_PATHS = 300  # SQLite: fewer paths than this holding a text are read through FTS5
MANY_VALUES = 2000  # more distinct values than this in a column: LIKE reads the rows instead


def glob_to_like(pattern: str) -> str:
    """``src/*.c`` → ``src/%.c`` with LIKE's own wildcards escaped (escape char ``\\``)."""
    out = []
    for ch in pattern:
        if ch in "%_\\":
            out.append("\\" + ch)
        elif ch == "*":
            out.append("%")
        elif ch == "?":
            out.append("_")
        else:
            out.append(ch)
    return "".join(out)


def contains_pattern(text: str) -> str:
    """The LIKE pattern (escape ``\\``) of a text held anywhere, A-Z folded.

    Both backends fold only ASCII letters (see ``Folded``), as the search screen's ``fold``
    does: "ÄNDERUNGEN" still finds itself and never depends on the backend."""
    return "%" + glob_to_like(fold(text)) + "%"


class Folded(FunctionElement[str]):
    """A column in lower case, for a LIKE with a lower-case pattern.

    SQLite's LIKE already ignores case, and exactly as far as its ``lower()`` does (ASCII
    letters), so there the column is left as it is: a text filter's scan of every queue row
    costs a third less without a ``lower()`` per row. PostgreSQL folds the column in the "C"
    collation: the same ASCII-only folding as SQLite, so both backends find the same rows, and
    about a third faster than a locale's ``lower()`` (a text filter matching nothing scans
    every row: 21 ms instead of 31 ms on 100,000 files). Elsewhere it is ``lower(column)``.
    """

    type = String()
    name = "lower"
    inherit_cache = True


@compiles(Folded)
def _folded(element: Folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(Folded, "postgresql")
def _folded_postgresql(element: Folded, compiler: Any, **kw: Any) -> str:
    return f'lower({compiler.process(element.clauses, **kw)} COLLATE "C")'


@compiles(Folded, "sqlite")
def _folded_sqlite(element: Folded, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


def _value_steps(scan_id: int, target: Any) -> Any:
    """The distinct non-null values of ``target`` in the scan, in index order, one index seek
    per value (a loose index scan, which neither backend plans by itself)."""
    # On PostgreSQL the index holds the values that fit it (``indexed_text``); ``_listed``
    # adds the others.
    fits = FitsIndex(target)
    first = select(func.min(target).label("value")).where(ReviewItem.scan_id == scan_id, fits)
    values = first.cte("queue_values", recursive=True)
    following = (
        select(func.min(target))
        .where(ReviewItem.scan_id == scan_id, target > values.c.value, fits)
        .scalar_subquery()
    )
    return values.union_all(select(following).where(values.c.value.is_not(None)))


def values_holding(
    session: Session, scan_id: int, target: Any, needle: str
) -> ColumnElement[bool] | None:
    """``target IN (the scan's values LIKE ``needle``)``; None when no value matches; LIKE on
    every row when the column holds more than ``MANY_VALUES`` distinct values."""
    # The database's own LIKE says which values match, so the rows match exactly as LIKE says.
    rows = _listed(session, scan_id, target, lambda value: Folded(value).like(needle, escape="\\"))
    if rows is None:
        return Folded(target).like(needle, escape="\\")
    matching = [value for value, holds in rows if holds]
    return among(target, matching) if matching else None


def _listed(
    session: Session, scan_id: int, target: Any, condition: Callable[[Any], Any]
) -> list[tuple[Any, Any]] | None:
    """(value, ``condition`` of it) for each distinct value of ``target`` in the scan; None
    when there are more than ``MANY_VALUES``."""
    value = _value_steps(scan_id, target).c.value
    query = select(value, condition(value)).where(value.is_not(None)).limit(MANY_VALUES + 1)
    rows = [(found, holds) for found, holds in session.execute(query)]
    rows += long_values(session, scan_id, target, condition, MANY_VALUES + 1 - len(rows))
    return rows if len(rows) <= MANY_VALUES else None


def distinct_values(session: Session, scan_id: int, target: Any) -> list[Any] | None:
    """The distinct non-null values of ``target`` in the scan (None: too many to list)."""
    rows = _listed(session, scan_id, target, lambda value: literal(True))
    return None if rows is None else [found for found, _ in rows]


def rare_path_ids(session: Session, scan_id: int, phrase: str) -> list[int] | None:
    """SQLite: the ids of the scan's rows whose path may hold ``phrase`` (the FTS5 trigram
    table's answer, a superset of LIKE's), or None when the phrase is short or many paths
    hold it (then walking the rows in queue order finds the first ones sooner)."""
    if len(phrase) < MIN_PHRASE:
        return None
    # The FTS5 table drives the loop, so a common phrase stops at the limit.
    fts = table(fts_table("path"), column("rowid"))
    quoted = '"' + fold(phrase).replace('"', '""') + '"'
    match = text(f"{fts_table('path')} MATCH :phrase").bindparams(phrase=quoted)
    query = (
        select(ReviewItem.id)
        .select_from(fts)
        .join(ReviewItem, ReviewItem.id == fts.c.rowid)
        # + 0: no index on scan_id, or SQLite would loop over the scan's rows outside and
        # ask the FTS5 table once per row.
        .where(match, ReviewItem.scan_id + 0 == scan_id)
    )
    ids = list(session.scalars(query.limit(RARE_PATHS)))
    return ids if len(ids) < RARE_PATHS else None


def _path_holding(
    session: Session, scan_id: int, phrase: str, like: Any, first_only: bool = False
) -> Any:
    """The path term: LIKE, narrowed by the trigram index when the phrase is long enough."""
    if session.get_bind().dialect.name != "sqlite":
        # PostgreSQL weighs the pg_trgm index against walking in queue order by itself:
        # "inflate", in 2% of the paths and late in the queue, took 178 ms walked and 45 ms
        # through the index; "zlib" is walked.
        if len(phrase) < MIN_PHRASE:
            return like
        trigrams = contains("path", ReviewItem.path, ReviewItem.id, phrase)
        if first_only:
            # The search's first match, walked to on the queue's index alone (no table page
            # read per row): the trigram condition is exact by itself, and alone its row
            # estimate is near the truth. Beside LIKE the two estimates multiply to a row or
            # two, and the planner then reads and sorts every match ("inflate": 23,718 rows,
            # 60-300 ms) where the index walk takes 30-60 ms.
            return trigrams
        return and_(trigrams, like)
    ids = rare_path_ids(session, scan_id, phrase)
    if ids is None:
        return like
    return and_(ReviewItem.id.in_(ids), like) if ids else None


def holding_text(
    session: Session | None,
    scan_id: int,
    phrase: str,
    path: bool,
    targets: tuple[Any, ...],
    *,
    table: Any = None,
    first_only: bool = False,
) -> ColumnElement[bool]:
    """Rows whose path (with ``path``) or one of ``targets`` holds ``phrase`` (A-Z folded):
    the rows LIKE finds on each column. With a ``session`` they are found through indexes;
    without one it is LIKE on every row (of ``table``'s columns of the same names, if given).
    ``first_only``: only the first of them in queue order is wanted (the search)."""
    needle = contains_pattern(phrase)
    columns = ((ReviewItem.path,) if path else ()) + targets
    if session is None:
        if table is not None:
            columns = tuple(table.c[target.key] for target in columns)
        return or_(*(Folded(target).like(needle, escape="\\") for target in columns))
    # A window is read in up to three statements and counted in two more: the plan is made
    # once per snapshot (and stays true in it).
    plans = session.info.setdefault("queue_text_plans", {})
    key = (scan_id, phrase, path, tuple(str(target) for target in targets), first_only)
    if key not in plans:
        plans[key] = _planned(session, scan_id, phrase, needle, path, targets, first_only)
    return plans[key]


def _planned(
    session: Session,
    scan_id: int,
    phrase: str,
    needle: str,
    path: bool,
    targets: tuple[Any, ...],
    first_only: bool,
) -> ColumnElement[bool]:
    terms: list[Any] = []
    if path:
        like = Folded(ReviewItem.path).like(needle, escape="\\")
        term = _path_holding(session, scan_id, phrase, like, first_only)
        if term is not None:
            terms.append(term)
    for target in targets:
        term = values_holding(session, scan_id, target, needle)
        if term is not None:
            terms.append(term)
    return or_(*terms) if terms else false()


def glob_narrowed(session: Session, pattern: str) -> ColumnElement[bool]:
    """PostgreSQL: a path glob's longest literal part (3 characters or more) as a pg_trgm
    condition beside the glob, which the planner may serve from the index: "copy0042*" read
    1,020 rows that way instead of walking the queue (71 ms at 1,000,000 files). Case-blind,
    so it holds for every path the glob keeps. SQLite's GLOB walk is quick enough as it is."""
    literal_part = max(re.split(r"[*?]", pattern), key=len)
    if session.get_bind().dialect.name == "sqlite" or len(literal_part) < MIN_PHRASE:
        return true()
    return contains("path", ReviewItem.path, ReviewItem.id, literal_part)
