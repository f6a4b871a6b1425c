"""Global search: which files' paths, matched text, copyrights, or which license texts hold a phrase.

A hit is a case-insensitive "contains" over A-Z (other letters match as typed), the same rule on
both backends: SQLite narrows the rows with its FTS5 trigram tables and checks them with
``lower`` (which folds A-Z only); PostgreSQL asks a regular expression with A-Z in either case
(``[rR][eE]...``), served by pg_trgm GIN indexes. The two return the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Select, and_, column, func, null, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from ospo_tui.errors import InputError
from ospo_tui.models import (
    CopyrightStatement,
    LicenseMatch,
    LicenseReference,
    Project,
    ReviewItem,
    Scan,
)
from ospo_tui.models.search import SEARCHED_COLUMNS, fts_table
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.catalog import resolve_scan

SEARCH_KINDS = ("path", "matched", "copyright", "license")
MAX_PHRASE = 200
# The trigram indexes on both backends work on three-character pieces: a shorter phrase could
# only be found by reading every row (over a second at 100,000 files), and says little anyway.
MIN_PHRASE = 3
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FOLD = str.maketrans(_UPPER, _UPPER.lower())
_REGEX_SPECIAL = frozenset("\\^$.|?*+()[]{}")  # escaped, they stand for themselves
_SNIPPET = 100
_RARE = 2000  # PostgreSQL: fewer rows holding a phrase are read through the trigram index
# Short texts, where the probe is cheap. Matched text is long (a probe of a common license
# phrase costs more than it saves) and license texts are few.
_PROBED = frozenset({"path", "copyright"})
# (scan id, path or license key, the text searched, review item id or None)
_HitQuery = Select[Any, Any, Any, Any]
_TEXT_COLUMNS = {kind: column for kind, (_, column) in SEARCHED_COLUMNS.items()}


@dataclass(frozen=True)
class SearchHit:
    kind: str  # path / matched / copyright / license
    project: str
    scan_id: int
    path: str  # the file's path, or the license key for a license text
    snippet: str  # the matching line, cut around the phrase
    review_item_id: int | None  # the file to open (None for a license text)


def fold(phrase: str) -> str:
    """The phrase as the search compares it: A-Z folded, other letters as typed."""
    return phrase.translate(_FOLD)


def check_phrase(phrase: str) -> str:
    value = phrase.strip()
    if not value:
        raise InputError("type something to search for")
    if len(value) < MIN_PHRASE:
        raise InputError(f"type at least {MIN_PHRASE} characters to search for")
    if len(value) > MAX_PHRASE:
        raise InputError(f"the search text is longer than {MAX_PHRASE} characters")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InputError("the search text contains control characters")
    return value


class Contains(FunctionElement[bool]):
    """The text column of search ``kind`` holds ``phrase`` (A-Z folded); ``row_id`` is its
    row's id, which the SQLite FTS5 table is keyed on. Compiled per backend, so a bulk
    selection can hold it without knowing which backend it will run on."""

    type = Boolean()
    name = "contains_phrase"
    inherit_cache = False

    def __init__(self, kind: str, target: Any, row_id: Any, phrase: str) -> None:
        self.kind = kind
        self.needle = fold(phrase)
        super().__init__(target, row_id)


def contains(kind: str, target: Any, row_id: Any, phrase: str) -> ColumnElement[bool]:
    return Contains(kind, target, row_id, phrase)


def _fts_phrase(needle: str) -> str:
    """An FTS5 phrase query: with the trigram tokenizer, any text that holds ``needle``."""
    return '"' + needle.replace('"', '""') + '"'


def case_blind_pattern(needle: str) -> str:
    """A PostgreSQL regular expression that finds ``needle`` (folded) with A-Z in either case
    and every other character as typed: ``retry`` -> ``[rR][eE][tT][rR][yY]``."""
    return "".join(
        f"[{ch}{ch.upper()}]" if "a" <= ch <= "z" else "\\" + ch if ch in _REGEX_SPECIAL else ch
        for ch in needle
    )


@compiles(Contains)
def _contains_postgresql(element: Contains, compiler: Any, **kw: Any) -> str:
    # pg_trgm's GIN index on the column serves the expression, and checking a row against
    # it is about twenty times faster than folding the row with translate() (migration 0006).
    target = list(element.clauses)[0]
    return str(compiler.process(target.op("~")(case_blind_pattern(element.needle)), **kw))


@compiles(Contains, "sqlite")
def _contains_sqlite(element: Contains, compiler: Any, **kw: Any) -> str:
    target, row_id = list(element.clauses)
    exact = func.instr(func.lower(target), element.needle) > 0
    fts = fts_table(element.kind)
    narrowed: Select[Any] = (
        select(column("rowid"))
        .select_from(table(fts))
        .where(text(f"{fts} MATCH :phrase").bindparams(phrase=_fts_phrase(element.needle)))
    )
    return str(compiler.process(and_(row_id.in_(narrowed), exact), **kw))


def search_scans(reading: Reading, project: str | None, scan_id: int | None) -> list[int]:
    """The scans a search covers: the one named, else the latest of the project, else the
    latest complete scan of every project."""
    session = reading.session
    if scan_id is not None or project is not None:
        return [resolve_scan(session, project, scan_id).id]
    latest = select(func.max(Scan.id)).where(Scan.state == "complete").group_by(Scan.project_id)
    return sorted(session.scalars(latest))


def search(
    reading: Reading,
    phrase: str,
    *,
    project: str | None = None,
    scan_id: int | None = None,
    kinds: Sequence[str] = SEARCH_KINDS,
    limit: int = 200,
) -> list[SearchHit]:
    """Hits in kind order (paths, matched text, copyrights, license texts), each kind in row
    order, at most ``limit`` per kind."""
    value = check_phrase(phrase)
    unknown = [k for k in kinds if k not in SEARCH_KINDS]
    if unknown:
        raise InputError(f"unknown search field {unknown[0]!r}: use {', '.join(SEARCH_KINDS)}")
    scans = search_scans(reading, project, scan_id)
    session = reading.session
    names = dict(session.execute(select(Scan.id, Project.name).join(Project)).all())
    sqlite = session.get_bind().dialect.name == "sqlite"
    hits: list[SearchHit] = []
    for kind in SEARCH_KINDS:
        if kind in kinds and scans:
            plan = "sqlite" if sqlite else "rare" if _rare(session, kind, value) else "rows"
            query = _hits_query(kind, value, scans, plan).limit(limit)
            for scan, path, body, item in session.execute(query):
                snippet = path if kind == "path" else _snippet(body or "", value)
                hits.append(SearchHit(kind, names[scan], scan, path, snippet, item))
    return hits


# kind -> (the model holding the text, whether its rows belong to files)
_SOURCES: dict[str, tuple[Any, bool]] = {
    "path": (ReviewItem, False),
    "matched": (LicenseMatch, True),
    "copyright": (CopyrightStatement, True),
    "license": (LicenseReference, False),
}


def _columns(kind: str) -> tuple[Any, ...]:
    """(scan id, path or license key, the text shown, review item id or NULL) of a hit."""
    if kind == "path":
        return ReviewItem.scan_id, ReviewItem.path, ReviewItem.path, ReviewItem.id
    if kind == "license":
        ref = LicenseReference
        return ref.scan_id, ref.key, ref.text, null().label("item")
    body = (
        CopyrightStatement.kind + ": " + CopyrightStatement.value
        if kind == "copyright"
        else LicenseMatch.matched_text
    )
    return ReviewItem.scan_id, ReviewItem.path, body, ReviewItem.id


def _rare(session: Session, kind: str, phrase: str) -> bool:
    """PostgreSQL: whether fewer than ``_RARE`` rows hold the phrase (a probe the trigram index
    answers). Then the hits are read through the index and sorted; a common phrase is read in
    row order instead, which stops at the limit. Left to itself the planner walks the rows in
    order for both, seconds for a phrase whose rows cluster at the end of a big table."""
    if kind not in _PROBED:
        return False
    model, _ = _SOURCES[kind]
    target = getattr(model, _TEXT_COLUMNS[kind])
    probe = select(model.id).where(contains(kind, target, model.id, phrase)).limit(_RARE)
    return (session.scalar(select(func.count()).select_from(probe.subquery())) or 0) < _RARE


def _hits_query(kind: str, phrase: str, scans: list[int], plan: str) -> _HitQuery:
    """The hits of one kind in row order. On SQLite the FTS5 table drives the loop in row
    order, so a common phrase stops at the limit instead of collecting every candidate; on
    PostgreSQL ``plan`` says whether to read a rare phrase's rows through the trigram index."""
    sqlite = plan == "sqlite"
    model, per_file = _SOURCES[kind]
    target = getattr(model, _TEXT_COLUMNS[kind])
    columns = _columns(kind)
    query: _HitQuery = select(*columns)
    needle = fold(phrase)
    if sqlite:
        fts = table(fts_table(kind), column("rowid"))
        query = query.select_from(fts).join(model, model.id == fts.c.rowid)
        match = text(f"{fts_table(kind)} MATCH :phrase").bindparams(phrase=_fts_phrase(needle))
        query = query.where(match, func.instr(func.lower(target), needle) > 0)
        order: Any = fts.c.rowid
    else:
        query = query.select_from(model).where(contains(kind, target, model.id, phrase))
        order = model.id + 0 if plan == "rare" else model.id  # + 0: no walk in id order
    if per_file:
        query = query.join(ReviewItem, ReviewItem.file_id == model.file_id)
    return query.where(columns[0].in_(scans)).order_by(order)


def files_with_matched_text(phrase: str) -> Select[Any]:
    """The ids of the files whose matched license text holds ``phrase`` (bulk by phrase)."""
    value = check_phrase(phrase)
    return select(LicenseMatch.file_id).where(
        contains("matched", LicenseMatch.matched_text, LicenseMatch.id, value)
    )


def first_file_with_license(reading: Reading, scan_id: int, key: str) -> int | None:
    """The review item of the first file of the scan matched to license ``key``: where the
    search screen opens a license text hit. Read only when the hit is opened, not per search."""
    return reading.session.scalar(
        select(ReviewItem.id)
        .join(LicenseMatch, LicenseMatch.file_id == ReviewItem.file_id)
        .where(ReviewItem.scan_id == scan_id, LicenseMatch.license_expression == key)
        .order_by(LicenseMatch.id)
        .limit(1)
    )


def _snippet(body: str, phrase: str) -> str:
    """The line that holds the phrase, cut to about 100 characters around it."""
    at = fold(body).find(fold(phrase))
    if at < 0:
        return body.splitlines()[0][:_SNIPPET] if body else ""
    start = body.rfind("\n", 0, at) + 1
    end = body.find("\n", at + len(phrase))
    line = body[start : end if end >= 0 else len(body)]
    offset = at - start
    left = max(0, offset - (_SNIPPET - len(phrase)) // 2)
    return line[left : left + max(_SNIPPET, len(phrase))].strip()
