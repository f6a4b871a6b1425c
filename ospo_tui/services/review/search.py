"""Global search: which files' paths, matched text, copyrights, or which license texts hold a phrase.

A hit is a case-insensitive "contains" over A-Z (other letters match as typed), the same rule on
both backends: SQLite narrows the rows with its FTS5 trigram tables, PostgreSQL with pg_trgm GIN
indexes over the folded text, and both then check the exact rule (SQLite's ``lower`` folds A-Z
only; PostgreSQL folds with ``translate``), so the two return the same rows in the same order.
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
from ospo_tui.models.search import fts_table
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.review.catalog import resolve_scan

SEARCH_KINDS = ("path", "matched", "copyright", "license")
MAX_PHRASE = 200
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FOLD = str.maketrans(_UPPER, _UPPER.lower())
_SNIPPET = 100
# (scan id, path or license key, the text searched, review item id or None)
_HitQuery = Select[Any, Any, Any, Any]


@dataclass(frozen=True)
class SearchHit:
    kind: str  # path / matched / copyright / license
    project: str
    scan_id: int
    path: str  # the file's path, or the license key for a license text
    snippet: str  # the matching line, cut around the phrase
    review_item_id: int | None  # the file to open (for a license: the first file naming it)


def fold(phrase: str) -> str:
    """The phrase as the search compares it: A-Z folded, other letters as typed."""
    return phrase.translate(_FOLD)


def check_phrase(phrase: str) -> str:
    value = phrase.strip()
    if not value:
        raise InputError("type something to search for")
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


@compiles(Contains)
def _contains_postgresql(element: Contains, compiler: Any, **kw: Any) -> str:
    target = list(element.clauses)[0]
    escaped = element.needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    folded = func.translate(target, _UPPER, _UPPER.lower())
    return str(compiler.process(folded.op("LIKE")(f"%{escaped}%"), **kw))


@compiles(Contains, "sqlite")
def _contains_sqlite(element: Contains, compiler: Any, **kw: Any) -> str:
    target, row_id = list(element.clauses)
    exact = func.instr(func.lower(target), element.needle) > 0
    if len(element.needle) < 3:
        return str(compiler.process(exact, **kw))  # the trigram index needs three characters
    fts = fts_table(element.kind)
    quoted = '"' + element.needle.replace('"', '""') + '"'
    narrowed: Select[Any] = (
        select(column("rowid"))
        .select_from(table(fts))
        .where(text(f"{fts} MATCH :phrase").bindparams(phrase=quoted))
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
    hits: list[SearchHit] = []
    for kind in SEARCH_KINDS:
        if kind in kinds and scans:
            query = _QUERIES[kind](session, value, scans).limit(limit)
            for scan, path, body, item in session.execute(query):
                snippet = path if kind == "path" else _snippet(body or "", value)
                hits.append(SearchHit(kind, names[scan], scan, path, snippet, item))
    return [_with_file(session, hit) for hit in hits]


def _paths(session: Session, phrase: str, scans: list[int]) -> _HitQuery:
    return (
        select(ReviewItem.scan_id, ReviewItem.path, ReviewItem.path, ReviewItem.id)
        .where(
            ReviewItem.scan_id.in_(scans),
            contains("path", ReviewItem.path, ReviewItem.id, phrase),
        )
        .order_by(ReviewItem.id)
    )


def _matched(session: Session, phrase: str, scans: list[int]) -> _HitQuery:
    hit = contains("matched", LicenseMatch.matched_text, LicenseMatch.id, phrase)
    return (
        select(ReviewItem.scan_id, ReviewItem.path, LicenseMatch.matched_text, ReviewItem.id)
        .join(ReviewItem, ReviewItem.file_id == LicenseMatch.file_id)
        .where(ReviewItem.scan_id.in_(scans), hit)
        .order_by(LicenseMatch.id)
    )


def _copyrights(session: Session, phrase: str, scans: list[int]) -> _HitQuery:
    hit = contains("copyright", CopyrightStatement.value, CopyrightStatement.id, phrase)
    return (
        select(
            ReviewItem.scan_id,
            ReviewItem.path,
            CopyrightStatement.kind + ": " + CopyrightStatement.value,
            ReviewItem.id,
        )
        .join(ReviewItem, ReviewItem.file_id == CopyrightStatement.file_id)
        .where(ReviewItem.scan_id.in_(scans), hit)
        .order_by(CopyrightStatement.id)
    )


def _licenses(session: Session, phrase: str, scans: list[int]) -> _HitQuery:
    hit = contains("license", LicenseReference.text, LicenseReference.id, phrase)
    return (
        select(
            LicenseReference.scan_id,
            LicenseReference.key,
            LicenseReference.text,
            null().label("item"),
        )
        .where(LicenseReference.scan_id.in_(scans), hit)
        .order_by(LicenseReference.id)
    )


def files_with_matched_text(phrase: str) -> Select[Any]:
    """The ids of the files whose matched license text holds ``phrase`` (bulk by phrase)."""
    value = check_phrase(phrase)
    return select(LicenseMatch.file_id).where(
        contains("matched", LicenseMatch.matched_text, LicenseMatch.id, value)
    )


_QUERIES = {"path": _paths, "matched": _matched, "copyright": _copyrights, "license": _licenses}


def _with_file(session: Session, hit: SearchHit) -> SearchHit:
    """A license text hit opens the first file of its scan matched to that license."""
    if hit.review_item_id is not None:
        return hit
    item = session.scalar(
        select(ReviewItem.id)
        .join(LicenseMatch, LicenseMatch.file_id == ReviewItem.file_id)
        .where(ReviewItem.scan_id == hit.scan_id, LicenseMatch.license_expression == hit.path)
        .order_by(ReviewItem.id)
        .limit(1)
    )
    if item is None:
        return hit
    return SearchHit(hit.kind, hit.project, hit.scan_id, hit.path, hit.snippet, item)


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
