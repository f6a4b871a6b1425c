"""The review as a spreadsheet (XLSX), for lawyers and auditors who work in one.

Sheets: files (path, detected, concluded, state, alert, decider, date), decisions, open
questions, todo items and licenses. openpyxl's write-only mode streams each row to disk, so a
100k-file report stays within flat memory; rows are read in pages by path or id.

Every value is untrusted: a string is always stored as a string (never a formula, whatever it
starts with), characters XML cannot hold are replaced, and over-long cells are cut.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.models import (
    Decision,
    Question,
    QuestionMessage,
    ReviewItem,
    ScannedFile,
    TodoItem,
)
from ospo_tui.safe_text import clean
from ospo_tui.services.export.embedded_head import head_note
from ospo_tui.services.export.output import Progress, reporting
from ospo_tui.services.export.records import count_files, iter_decisions
from ospo_tui.services.export.scope import ExportScope
from ospo_tui.services.licenses.exceptions import attach_exceptions
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.licenses.license_db import license_catalog

PAGE = 5000
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
FILE_COLUMNS = ("path", "detected", "concluded", "state", "alert", "decider", "date")


def _cell(sheet: WriteOnlyWorksheet, value: object) -> Any:
    if not isinstance(value, str):
        return value
    text = clean(value)[:MAX_CELL]  # control and bidi characters: XML or a reader would act on them
    if not text.startswith("="):
        return text  # openpyxl stores it as a string, reusing one cell object per row
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula, even when it starts with "="
    return cell


def _append(sheet: WriteOnlyWorksheet, row: Sequence[object]) -> None:
    sheet.append([_cell(sheet, value) for value in row])


def _file_rows(session: Session, scan_id: int) -> Iterator[tuple[Any, ...]]:
    last = ""
    while True:
        rows = session.execute(
            select(
                ScannedFile.path,
                ScannedFile.detected_license_expression_spdx,
                ReviewItem.concluded_expression,
                ReviewItem.state,
                ReviewItem.policy_alert,
                Decision.actor,
                Decision.created_at,
            )
            .outerjoin(ReviewItem, ReviewItem.file_id == ScannedFile.id)
            .outerjoin(Decision, Decision.id == ReviewItem.current_decision_id)
            .where(
                ScannedFile.scan_id == scan_id,
                ScannedFile.type == "file",
                ScannedFile.path > last,
            )
            .order_by(ScannedFile.path)
            .limit(PAGE)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _write_files(
    session: Session, scope: ExportScope, sheet: WriteOnlyWorksheet, progress: Progress | None
) -> tuple[int, Counter[str]]:
    _append(sheet, FILE_COLUMNS)
    keys: Counter[str] = Counter()
    total = count_files(session, scope.scan_id)
    written = 0
    for path, detected, *rest in reporting(_file_rows(session, scope.scan_id), total, progress):
        corrected = attach_exceptions(detected) if detected else None
        keys.update(license_keys(corrected))
        _append(sheet, (path, corrected, *rest))
        written += 1
    return written, keys


DECISION_COLUMNS = (
    "id",
    "path",
    "concluded_expression",
    "decision_type",
    "reason",
    "public_note",
    "origin",
    "bulk_id",
    "actor",
    "role",
    "created_at",
    "event_seq",
    "supersedes_id",
)


def _write_decisions(session: Session, scope: ExportScope, sheet: WriteOnlyWorksheet) -> None:
    """Every decision event, oldest first; private comments never."""
    _append(sheet, DECISION_COLUMNS)
    for page in iter_decisions(session, scope, page=PAGE):
        ids = {d.file_id for d in page}
        query = select(ScannedFile.id, ScannedFile.path).where(ScannedFile.id.in_(ids))
        paths: dict[int, str] = {file_id: path for file_id, path in session.execute(query)}
        for d in page:
            row = {**{c: getattr(d, c, None) for c in DECISION_COLUMNS}, "path": paths[d.file_id]}
            _append(sheet, [row[c] for c in DECISION_COLUMNS])


def _write_questions(session: Session, scan_id: int, sheet: WriteOnlyWorksheet) -> None:
    _append(sheet, ("id", "path", "state", "asked_by", "assigned_to", "asked", "updated", "text"))
    first = (
        select(QuestionMessage.body)
        .where(QuestionMessage.question_id == Question.id)
        .order_by(QuestionMessage.id)
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Question.id,
            ReviewItem.path,
            Question.state,
            Question.asked_by,
            Question.assigned_to,
            Question.created_at,
            Question.updated_at,
            first,
        )
        .join(ReviewItem, ReviewItem.id == Question.review_item_id)
        .where(ReviewItem.scan_id == scan_id, Question.state != "resolved")
        .order_by(Question.id)
    )
    for row in rows:
        _append(sheet, tuple(row))


def _comments(raw: str | None) -> str:
    try:
        comments = json.loads(raw) if raw else []
    except ValueError:
        return raw or ""
    if not isinstance(comments, list):
        return str(comments)
    texts = [str(c.get("message", c)) if isinstance(c, dict) else str(c) for c in comments]
    return "\n".join(texts)


def _write_todos(session: Session, scan_id: int, sheet: WriteOnlyWorksheet) -> None:
    _append(sheet, ("path", "detection", "review comments"))
    rows = session.execute(
        select(ScannedFile.path, TodoItem.detection_identifier, TodoItem.review_comments_json)
        .outerjoin(ScannedFile, ScannedFile.id == TodoItem.file_id)
        .where(TodoItem.scan_id == scan_id)
        .order_by(TodoItem.id)
    )
    for path, identifier, comments in rows:
        _append(sheet, (path, identifier, _comments(comments)))


def _write_licenses(keys: Counter[str], sheet: WriteOnlyWorksheet) -> None:
    _append(sheet, ("license", "SPDX id", "name", "category", "files"))
    catalog = license_catalog()
    for key, count in sorted(keys.items(), key=lambda kv: (-kv[1], kv[0].lower())):
        info = catalog.get(key)
        if info is None:
            _append(sheet, (key, None, None, None, count))
        else:
            _append(sheet, (info.key, info.spdx_license_key, info.name, info.category, count))


def write_report(
    session: Session, scope: ExportScope, out: IO[bytes], *, progress: Progress | None = None
) -> int:
    """Write the XLSX workbook; returns the number of file rows."""
    book = Workbook(write_only=True)
    book.properties.description = head_note(session)
    files, keys = _write_files(session, scope, book.create_sheet("files"), progress)
    _write_decisions(session, scope, book.create_sheet("decisions"))
    _write_questions(session, scope.scan_id, book.create_sheet("open questions"))
    _write_todos(session, scope.scan_id, book.create_sheet("todo items"))
    _write_licenses(keys, book.create_sheet("licenses"))
    book.save(out)
    return files
