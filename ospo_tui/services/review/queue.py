"""The review queue as pages of plain rows: filtered in SQL and paged by keyset, never loaded whole.

Order is (priority, path, id); a page continues after the last key of the previous one, so the
100,000th row costs the same as the first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Select,
    and_,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.models import ReviewItem
from ospo_tui.models.review import REVIEW_STATES as REVIEW_STATES  # for the CLI and screens
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.expressions import key_to_spdx
from ospo_tui.services.review.directory_filter import under_directory
from ospo_tui.services.review.queue_text import glob_narrowed, glob_to_like, holding_text
from ospo_tui.services.review.review_scope import SCOPE_FINDINGS, in_scope

QueueKey = tuple[int, str, int]  # (priority, path, review item id)


@dataclass(frozen=True)
class QueueFilter:
    scan_id: int
    states: tuple[str, ...] = ()
    license: str | None = None  # ScanCode key or SPDX id, matched as a substring, any case
    path_glob: str | None = None  # shell-style: * ? (matched against the whole path)
    text: str | None = None  # free text in path or expressions
    policy_alert: str | None = None
    # Exactly this license or exception (ScanCode key), as one key of the expression: the
    # dashboard's license bars. ``license`` above is a looser substring search.
    license_key: str | None = None
    scope: str = SCOPE_FINDINGS  # files with findings, without (none) or all of them
    directory: str | None = None  # only files at or under this directory ("" = the top)

    def with_changes(self, **changes: Any) -> QueueFilter:
        return replace(self, **changes)


@dataclass(frozen=True)
class QueueRow:
    id: int
    file_id: int
    path: str
    state: str
    priority: int
    priority_reason: str | None
    detected_expression: str | None
    detected_spdx: str | None
    best_score: float | None
    concluded_expression: str | None
    policy_alert: str | None
    has_todo: bool
    version: int

    @property
    def key(self) -> QueueKey:
        return (self.priority, self.path, self.id)


_COLUMNS = (
    ReviewItem.id,
    ReviewItem.file_id,
    ReviewItem.path,
    ReviewItem.state,
    ReviewItem.priority,
    ReviewItem.priority_reason,
    ReviewItem.detected_expression,
    ReviewItem.detected_spdx,
    ReviewItem.best_score,
    ReviewItem.concluded_expression,
    ReviewItem.policy_alert,
    ReviewItem.has_todo,
    ReviewItem.version,
)


_KEY = tuple_(ReviewItem.priority, ReviewItem.path, ReviewItem.id)


class PathGlob(FunctionElement[bool]):
    """A path matches a shell glob (``*`` and ``?``, over the whole path), case and all.

    Globs pick the files a bulk decision covers, so they mean the same on every backend:
    PostgreSQL's LIKE already tells case apart, SQLite's does not, so there it is GLOB (with
    ``[`` made literal). Not cached: the pattern is rewritten per backend as it is compiled.
    """

    type = Boolean()
    name = "path_glob"
    inherit_cache = False

    def __init__(self, column: Any, pattern: str) -> None:
        self.pattern = pattern
        super().__init__(column)


@compiles(PathGlob)
def _path_glob(element: PathGlob, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    pattern = compiler.process(literal(glob_to_like(element.pattern)), **kw)
    return f"({column} LIKE {pattern} ESCAPE '\\')"


@compiles(PathGlob, "sqlite")
def _path_glob_sqlite(element: PathGlob, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    pattern = compiler.process(literal(element.pattern.replace("[", "[[]")), **kw)
    return f"({column} GLOB {pattern})"


def _names_license(key: str) -> ColumnElement[bool]:
    """The detected expression names ``key`` as a whole token (so gpl-2.0 never matches
    lgpl-2.0 or gpl-2.0-plus), in ScanCode keys or as its SPDX id."""

    def token_in(column: Any, token: str) -> ColumnElement[bool]:
        spaced = func.replace(func.replace(func.coalesce(column, ""), "(", " "), ")", " ")
        return (literal(" ") + spaced + literal(" ")).like(
            "% " + glob_to_like(token) + " %", escape="\\"
        )

    return or_(
        token_in(ReviewItem.detected_expression, key),
        token_in(ReviewItem.detected_spdx, key_to_spdx(key)),
    )


# Any columns: the same filters narrow the queue's rows and its counts.
AnySelect = Select[*tuple[Any, ...]]


def _filtered(query: AnySelect, flt: QueueFilter, session: Session | None = None) -> AnySelect:
    """The filter's rows; with a ``session``, text is found through indexes (``queue_text``)."""
    query = query.where(ReviewItem.scan_id == flt.scan_id)
    query = query.where(in_scope(flt.scope))
    if flt.directory:
        query = query.where(under_directory(flt.directory))
    if flt.states:
        query = query.where(ReviewItem.state.in_(flt.states))
    if flt.policy_alert:
        query = query.where(ReviewItem.policy_alert == flt.policy_alert)
    if flt.license:
        query = query.where(holding_text(session, flt.scan_id, flt.license.strip(), False, _NAMED))
    if flt.license_key:
        query = query.where(_names_license(flt.license_key))
    if flt.path_glob:
        query = query.where(PathGlob(ReviewItem.path, flt.path_glob))
        if session is not None:
            query = query.where(glob_narrowed(session, flt.path_glob))
    if flt.text:
        query = query.where(holding_text(session, flt.scan_id, flt.text, True, _TEXT))
    return query


# The expressions each text looks in (besides the path, for free text and search).
_NAMED = (ReviewItem.detected_spdx, ReviewItem.detected_expression, ReviewItem.concluded_expression)
_TEXT = (ReviewItem.detected_spdx, ReviewItem.concluded_expression)
_SEARCHED = (ReviewItem.detected_spdx, ReviewItem.detected_expression)


def queue_page(
    reading: Reading,
    flt: QueueFilter,
    *,
    after: QueueKey | None = None,
    start: QueueKey | None = None,
    limit: int = 100,
) -> list[QueueRow]:
    """Rows after ``after`` (exclusive) or from ``start`` (inclusive), in queue order."""
    query = _filtered(select(*_COLUMNS), flt, reading.session)
    if after is not None:
        query = query.where(_KEY > tuple_(*after))
    if start is not None:
        query = query.where(_KEY >= tuple_(*start))
    query = query.order_by(ReviewItem.priority, ReviewItem.path, ReviewItem.id).limit(limit)
    return [QueueRow(*row) for row in reading.session.execute(query)]


def queue_page_before(
    reading: Reading, flt: QueueFilter, *, before: QueueKey | None, limit: int = 100
) -> list[QueueRow]:
    """The page that ends just before ``before`` (or the last page), in queue order."""
    query = _filtered(select(*_COLUMNS), flt, reading.session)
    if before is not None:
        query = query.where(_KEY < tuple_(*before))
    query = query.order_by(
        ReviewItem.priority.desc(), ReviewItem.path.desc(), ReviewItem.id.desc()
    ).limit(limit)
    return [QueueRow(*row) for row in reversed(reading.session.execute(query).all())]


def queue_count(reading: Reading, flt: QueueFilter) -> int:
    counted = _filtered(select(func.count()).select_from(ReviewItem), flt, reading.session)
    return reading.session.scalar(counted) or 0


def queue_position(reading: Reading, flt: QueueFilter, key: QueueKey) -> int:
    """How many rows come before ``key``: the "rows N–M of T" label needs it."""
    query = _filtered(select(func.count()).select_from(ReviewItem), flt, reading.session).where(
        and_(_KEY < tuple_(*key))
    )
    return reading.session.scalar(query) or 0


@dataclass(frozen=True)
class QueueWindow:
    """A slice of the queue, and whether it touches either end of it."""

    rows: list[QueueRow]
    at_start: bool
    at_end: bool


def queue_window(
    reading: Reading, flt: QueueFilter, *, around: QueueKey | None, size: int = 150
) -> QueueWindow:
    """About ``size`` rows with ``around`` (or the first row at or after it) a third of the way in.

    Near either end of the queue the window shifts so it stays full when it can. Each end is
    found by asking for one row more than needed, so no count is required.
    """
    if around is None:
        rows = queue_page(reading, flt, limit=size + 1)
        return QueueWindow(rows[:size], True, len(rows) <= size)
    want_before = size // 3
    before = queue_page_before(reading, flt, before=around, limit=want_before + 1)
    at_start = len(before) <= want_before
    before = before[-want_before:] if want_before else []
    want_after = size - len(before)
    after = queue_page(reading, flt, start=around, limit=want_after + 1)
    at_end = len(after) <= want_after
    after = after[:want_after]
    missing = size - len(before) - len(after)
    if missing > 0 and not at_start and before:
        more = queue_page_before(reading, flt, before=before[0].key, limit=missing + 1)
        at_start = len(more) <= missing
        before = more[-missing:] + before
    return QueueWindow(before + after, at_start, at_end)


def queue_neighbour(
    reading: Reading, flt: QueueFilter, key: QueueKey, *, forward: bool = True
) -> QueueRow | None:
    """The row just after (or before) ``key`` in queue order: "next file" from the inspector."""
    if forward:
        rows = queue_page(reading, flt, after=key, limit=1)
    else:
        rows = queue_page_before(reading, flt, before=key, limit=1)
    return rows[0] if rows else None


def queue_search(
    reading: Reading,
    flt: QueueFilter,
    text: str,
    *,
    start: QueueKey | None,
    forward: bool = True,
    inclusive: bool = False,
) -> QueueRow | None:
    """The next (or previous) row from ``start`` whose path or expression contains ``text``.

    Wraps around the end of the queue, as a pager's search does. ``inclusive`` also accepts the
    row at ``start`` itself (incremental search while typing keeps the current match).
    """
    if not text:
        return None
    session = reading.session
    bound: Any = None
    if start is not None:
        if forward:
            bound = _KEY >= tuple_(*start) if inclusive else _KEY > tuple_(*start)
        else:
            bound = _KEY <= tuple_(*start) if inclusive else _KEY < tuple_(*start)
        near = _nearby(session, flt, text, bound, forward)
        if near is not None:
            return near
    held = _filtered(select(*_COLUMNS), flt, session).where(
        holding_text(session, flt.scan_id, text, True, _SEARCHED, first_only=True)
    )
    if start is None:
        return _first_held(session, held, forward)
    row = _first_held(session, held, forward, start, bound)
    if row is not None:
        return row
    # Wrap: only the rows on the other side of start are left to look at.
    wrapped = _KEY <= tuple_(*start) if forward else _KEY >= tuple_(*start)
    return _first_held(session, held, forward, start, wrapped, wrap=True)


def _first_held(
    session: Session,
    held: AnySelect,
    forward: bool,
    start: QueueKey | None = None,
    bound: Any = None,
    *,
    wrap: bool = False,
) -> QueueRow | None:
    """The first row of ``held`` in queue order (or reversed) past ``start`` (with ``wrap``:
    from the queue's other end up to ``start``), ``bound`` saying how it compares to ``start``.

    On PostgreSQL the walk to it reads the queue's index alone: it looks for the (priority, path) of the
    first match, then reads that row by one index seek. A text common in the scan but absent
    from the first tens of thousands of rows is walked to, and reading each row's table page
    on the way took 110-300 ms at 1,000,000 files on PostgreSQL; the index alone, a third of
    that. Rows sharing one (priority, path) are told apart by ``bound`` (by their ids).
    """
    order = _in_order(forward)
    if session.get_bind().dialect.name == "sqlite":
        # One statement: SQLite reads it faster (12-20 ms at 1,000,000 files, the three
        # steps 45 ms), its FTS5 table having narrowed a rare text to a list of ids already.
        query = held.where(bound) if bound is not None else held
        first = session.execute(query.order_by(*order).limit(1)).first()
        return QueueRow(*first) if first is not None else None

    def at_first_key(condition: Any, within: Any = None) -> tuple[Any, QueueRow | None]:
        """The first (priority, path) that ``condition`` keeps, and its first row ``within``."""
        keys = held.with_only_columns(ReviewItem.priority, ReviewItem.path).where(condition)
        found = session.execute(keys.order_by(*order[:2]).limit(1)).first()
        if found is None:
            return None, None
        at_key = held.where(ReviewItem.priority == found[0], ReviewItem.path == found[1])
        if within is not None:
            at_key = at_key.where(within)
        row = session.execute(at_key.order_by(*order).limit(1)).first()
        return tuple(found), QueueRow(*row) if row is not None else None

    if start is None:
        return at_first_key(true())[1]
    pair, here = tuple_(ReviewItem.priority, ReviewItem.path), tuple_(*start[:2])
    if wrap:
        return at_first_key(pair <= here if forward else pair >= here, bound)[1]
    found, row = at_first_key(pair >= here if forward else pair <= here, bound)
    if row is None and found == start[:2]:
        # Only start's own (priority, path) so far, and none of its rows past start.
        row = at_first_key(pair > here if forward else pair < here)[1]
    return row


NEARBY = 500  # rows after the cursor that a search reads before it asks the indexes


def _in_order(forward: bool, keys: tuple[Any, ...] | None = None) -> tuple[Any, ...]:
    """Queue order (priority, path, id), or its reverse; of ``keys`` (a subquery's) if given."""
    keys = keys or (ReviewItem.priority, ReviewItem.path, ReviewItem.id)
    return keys if forward else tuple(key.desc() for key in keys)


def _nearby(
    session: Session, flt: QueueFilter, text: str, bound: Any, forward: bool
) -> QueueRow | None:
    """The match among the next ``NEARBY`` rows, read in queue order: while typing, the text is
    usually close by, and finding it there needs no index lookups (on PostgreSQL a common
    trigram costs tens of milliseconds)."""
    rows = (
        _filtered(select(*_COLUMNS), flt, session)
        .where(bound)
        .order_by(*_in_order(forward))
        .limit(NEARBY)
        .subquery()
    )
    held = holding_text(None, flt.scan_id, text, True, _SEARCHED, table=rows)
    order = _in_order(forward, (rows.c.priority, rows.c.path, rows.c.id))
    row = session.execute(select(rows).where(held).order_by(*order).limit(1)).first()
    return QueueRow(*row) if row is not None else None


def queue_row(reading: Reading, review_item_id: int) -> QueueRow | None:
    """One row as the queue shows it, whatever the filter (after a decision, say)."""
    row = reading.session.execute(select(*_COLUMNS).where(ReviewItem.id == review_item_id)).first()
    return QueueRow(*tuple(row)) if row is not None else None


def queue_selection(flt: QueueFilter) -> Select[Any]:
    """The ids of every item the filter shows, as a subquery: a bulk decision over "what the
    queue shows" selects exactly these."""
    return _filtered(select(ReviewItem.id), flt)
