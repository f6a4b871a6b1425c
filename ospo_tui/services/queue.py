"""The review queue as pages of plain rows: filtered in SQL and paged by keyset, never loaded whole.

Order is (priority, path, id); a page continues after the last key of the previous one, so the
100,000th row costs the same as the first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Select, and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from ospo_tui.models import ReviewItem

QueueKey = tuple[int, str, int]  # (priority, path, review item id)


@dataclass(frozen=True)
class QueueFilter:
    scan_id: int
    states: tuple[str, ...] = ()
    license: str | None = None  # ScanCode key or SPDX id, matched as a substring, any case
    path_glob: str | None = None  # shell-style: * ? (matched against the whole path)
    text: str | None = None  # free text in path or expressions
    policy_alert: str | None = None
    include_all: bool = False  # also files without findings

    def with_changes(self, **changes: object) -> QueueFilter:
        return replace(self, **changes)  # type: ignore[arg-type]


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


def _contains(text: str) -> str:
    return "%" + glob_to_like(text.lower()) + "%"


def _filtered(query: Select, flt: QueueFilter) -> Select:  # type: ignore[type-arg]
    query = query.where(ReviewItem.scan_id == flt.scan_id)
    if not flt.include_all:
        query = query.where(ReviewItem.needs_review.is_(True))
    if flt.states:
        query = query.where(ReviewItem.state.in_(flt.states))
    if flt.policy_alert:
        query = query.where(ReviewItem.policy_alert == flt.policy_alert)
    if flt.license:
        needle = _contains(flt.license.strip())
        query = query.where(
            or_(
                func.lower(ReviewItem.detected_spdx).like(needle, escape="\\"),
                func.lower(ReviewItem.detected_expression).like(needle, escape="\\"),
                func.lower(ReviewItem.concluded_expression).like(needle, escape="\\"),
            )
        )
    if flt.path_glob:
        query = query.where(ReviewItem.path.like(glob_to_like(flt.path_glob), escape="\\"))
    if flt.text:
        needle = _contains(flt.text)
        query = query.where(
            or_(
                func.lower(ReviewItem.path).like(needle, escape="\\"),
                func.lower(ReviewItem.detected_spdx).like(needle, escape="\\"),
                func.lower(ReviewItem.concluded_expression).like(needle, escape="\\"),
            )
        )
    return query


def queue_page(
    session: Session, flt: QueueFilter, *, after: QueueKey | None = None, limit: int = 100
) -> list[QueueRow]:
    query = _filtered(select(*_COLUMNS), flt)
    if after is not None:
        query = query.where(
            tuple_(ReviewItem.priority, ReviewItem.path, ReviewItem.id) > tuple_(*after)
        )
    query = query.order_by(ReviewItem.priority, ReviewItem.path, ReviewItem.id).limit(limit)
    return [QueueRow(*row) for row in session.execute(query)]


def queue_page_before(
    session: Session, flt: QueueFilter, *, before: QueueKey, limit: int = 100
) -> list[QueueRow]:
    """The page that ends just before ``before``, in queue order (for scrolling back)."""
    query = _filtered(select(*_COLUMNS), flt).where(
        tuple_(ReviewItem.priority, ReviewItem.path, ReviewItem.id) < tuple_(*before)
    )
    query = query.order_by(
        ReviewItem.priority.desc(), ReviewItem.path.desc(), ReviewItem.id.desc()
    ).limit(limit)
    return [QueueRow(*row) for row in reversed(session.execute(query).all())]


def queue_count(session: Session, flt: QueueFilter) -> int:
    return session.scalar(_filtered(select(func.count()).select_from(ReviewItem), flt)) or 0


def queue_position(session: Session, flt: QueueFilter, key: QueueKey) -> int:
    """How many rows come before ``key``: the "rows N–M of T" label needs it."""
    query = _filtered(select(func.count()).select_from(ReviewItem), flt).where(
        and_(tuple_(ReviewItem.priority, ReviewItem.path, ReviewItem.id) < tuple_(*key))
    )
    return session.scalar(query) or 0
