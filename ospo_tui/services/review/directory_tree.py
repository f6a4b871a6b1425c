"""The directory tree of one scan: per directory, its files, how many are open or decided, its
questions and its worst policy alert, counted in SQL.

Review items carry their parent directory (``dir_path``). A level of the tree is two GROUP BYs
in one query: the scan's items under the directory grouped by parent directory (an index
range: thousands of groups at most), then those groups rolled up into the directory's children
by their first path segment. Nothing walks rows in Python, so it is as fast at 100,000 files as
the index is.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock
from typing import Any

from sqlalchemy import ColumnElement, Engine, Integer, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.models import (
    STATE_DECIDED,
    STATE_OPEN,
    STATE_QUESTION,
    STATE_STALE,
    STATE_TO_DISCUSS,
    AuditEvent,
    ReviewItem,
)
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.policy.rules import ALERT_LEVEL, ALERTS
from ospo_tui.services.review.directory_filter import under_directory
from ospo_tui.services.review.review_scope import SCOPE_FINDINGS, in_scope

FILES_HERE = ""  # the child that stands for the files directly in the directory


@dataclass(frozen=True)
class DirectoryCounts:
    """One directory (or the files directly in the one shown) and what its subtree holds."""

    name: str  # last path segment; FILES_HERE for the directory's own files
    path: str  # full directory path ("" = the top of the scan)
    files: int
    open: int  # open or stale: nobody has decided them (again)
    decided: int
    to_discuss: int
    questions: int
    worst_alert: str | None  # error / warning / missing / ok; None when no file has one

    @property
    def is_files_here(self) -> bool:
        return self.name == FILES_HERE


@dataclass(frozen=True)
class DirectoryLevel:
    """One directory of the tree: its own totals and its children, directories first."""

    scan_id: int
    scope: str
    path: str
    total: DirectoryCounts
    children: tuple[DirectoryCounts, ...]

    @property
    def parent(self) -> str | None:
        return None if not self.path else self.path.rpartition("/")[0]


class FirstSegment(FunctionElement[str]):
    """The text up to the first ``/`` (all of it when there is none)."""

    type = ReviewItem.dir_path.type
    name = "first_segment"
    inherit_cache = True


@compiles(FirstSegment)
def _first_segment(element: FirstSegment, compiler: Any, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"split_part({text}, '/', 1)"


@compiles(FirstSegment, "sqlite")
def _first_segment_sqlite(element: FirstSegment, compiler: Any, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return (
        f"(CASE WHEN instr({text}, '/') > 0 THEN substr({text}, 1, instr({text}, '/') - 1)"
        f" ELSE {text} END)"
    )


def _count_state(*states: str) -> Any:
    return func.sum(case((ReviewItem.state.in_(states), 1), else_=0))


def _alert_rank() -> ColumnElement[int]:
    """Worse alerts rank higher, so MAX picks the worst (0: no alert)."""
    worst_first = len(ALERTS) + 1
    ranks = {alert: worst_first - level for alert, level in ALERT_LEVEL.items()}
    return case(
        *((ReviewItem.policy_alert == alert, rank) for alert, rank in ranks.items()),
        else_=0,
    )


_RANK_ALERT = {len(ALERTS) + 1 - level: alert for alert, level in ALERT_LEVEL.items()}


# Levels already counted, by database, scan, scope, path and the audit chain's head (its hash). Every change
# to a review item (decision, bulk, undo, question, policy, import) appends an audit event in the
# same transaction, so a level counted at the same head is still exact: the top of a 100,000-file
# scan (a pass over every item) is counted once per change, not on every visit.
_LEVELS: OrderedDict[tuple[str, int, str, str, str], DirectoryLevel] = OrderedDict()
_LEVELS_KEPT = 64
_LEVELS_LOCK = Lock()


def directory_level(
    reading: Reading, scan_id: int, path: str = "", scope: str = SCOPE_FINDINGS
) -> DirectoryLevel:
    """The directory ``path`` of the scan (files in ``scope``), with its children's counts."""
    path = path.strip("/")
    # The head's hash, not only its number: it tells apart two databases at the same URL.
    head = reading.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1))
    bind = reading.session.get_bind()
    url = bind.url if isinstance(bind, Engine) else bind.engine.url
    key = (str(url), scan_id, scope, path, head or "")
    with _LEVELS_LOCK:
        if key in _LEVELS:
            _LEVELS.move_to_end(key)
            return _LEVELS[key]
    level = _count_level(reading, scan_id, path, scope)
    with _LEVELS_LOCK:
        _LEVELS[key] = level
        while len(_LEVELS) > _LEVELS_KEPT:
            _LEVELS.popitem(last=False)
    return level


def _count_level(reading: Reading, scan_id: int, path: str, scope: str) -> DirectoryLevel:
    where = [ReviewItem.scan_id == scan_id, in_scope(scope)]
    if path:
        where.append(under_directory(path))
    groups = (
        select(
            ReviewItem.dir_path.label("dir_path"),
            func.count().label("files"),
            _count_state(STATE_OPEN, STATE_STALE).label("open"),
            _count_state(STATE_DECIDED).label("decided"),
            _count_state(STATE_TO_DISCUSS).label("to_discuss"),
            _count_state(STATE_QUESTION).label("questions"),
            func.max(_alert_rank()).label("alert"),
        )
        .where(*where)
        .group_by(ReviewItem.dir_path)
        .subquery()
    )
    rest = groups.c.dir_path if not path else func.substr(groups.c.dir_path, len(path) + 2)
    child = case((groups.c.dir_path == path, literal(FILES_HERE)), else_=FirstSegment(rest))
    columns = [groups.c[name] for name in ("files", "open", "decided", "to_discuss", "questions")]
    query = select(
        child.label("child"),
        *(func.sum(column).cast(Integer) for column in columns),
        func.max(groups.c.alert),
    ).group_by(child)
    children = [_counts(path, *row) for row in reading.session.execute(query)]
    # Directories by name, then the directory's own files.
    children.sort(key=lambda c: (c.is_files_here, c.name))
    return DirectoryLevel(scan_id, scope, path, _total(path, children), tuple(children))


def _counts(parent: str, name: str, *figures: Any) -> DirectoryCounts:
    *counts, rank = figures
    files, open_, decided, to_discuss, questions = (int(c or 0) for c in counts)
    if name == FILES_HERE:
        path = parent
    else:
        path = f"{parent}/{name}" if parent else name
    return DirectoryCounts(
        name, path, files, open_, decided, to_discuss, questions, _RANK_ALERT.get(int(rank or 0))
    )


def _total(path: str, children: list[DirectoryCounts]) -> DirectoryCounts:
    ranks = [ALERT_LEVEL[c.worst_alert] for c in children if c.worst_alert]
    return DirectoryCounts(
        path.rpartition("/")[2],
        path,
        sum(c.files for c in children),
        sum(c.open for c in children),
        sum(c.decided for c in children),
        sum(c.to_discuss for c in children),
        sum(c.questions for c in children),
        ALERTS[min(ranks) - 1] if ranks else None,
    )
