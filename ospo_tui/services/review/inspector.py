"""Everything the file inspector shows about one review item, as plain dataclasses.

The source is read from the scanned tree only when the resolved real path stays inside the
resolved scan root: ``..``, absolute paths and symlinks pointing outside are refused, large and
binary files are not loaded. Nothing here formats for display; the screens do that safely.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from sqlalchemy import select
from sqlalchemy.orm import Session

from ospo_tui.errors import NotFoundError
from ospo_tui.models import (
    CopyrightFalsePositive,
    CopyrightStatement,
    LicenseDetection,
    LicenseMatch,
    ReviewItem,
    Scan,
    ScannedFile,
    TodoItem,
)
from ospo_tui.services.access.reading import Reading
from ospo_tui.services.licenses.expressions import license_keys
from ospo_tui.services.policy.versions import alert_caption
from ospo_tui.services.review.reference_texts import LicenseReferenceText, license_texts

MAX_SOURCE_BYTES = 2 * 1024 * 1024
_BINARY_SNIFF = 8192


@dataclass(frozen=True)
class ItemInfo:
    id: int
    scan_id: int
    path: str
    state: str
    priority: int
    priority_reason: str | None
    policy_alert: str | None
    detected_expression: str | None
    detected_spdx: str | None
    concluded_expression: str | None
    current_decision_id: int | None
    version: int
    # The alert with its deciding license and the policy version that judged it:
    # "error: gpl-2.0 (Copyleft) · policy v1".
    policy_caption: str | None = None


@dataclass(frozen=True)
class FileInfo:
    id: int
    path: str
    size: int | None
    sha1: str | None
    sha256: str | None
    mime_type: str | None
    file_type: str | None
    programming_language: str | None
    is_binary: bool
    percentage_of_license_text: float | None
    scan_errors: tuple[str, ...]


@dataclass(frozen=True)
class MatchInfo:
    detection_identifier: str | None
    is_clue: bool
    expression: str | None
    spdx: str | None
    rule_identifier: str | None
    rule_url: str | None
    matcher: str | None
    score: float | None
    coverage: float | None
    start_line: int | None
    end_line: int | None
    matched_text: str | None

    @property
    def lines(self) -> str:
        if self.start_line is None:
            return ""
        if self.end_line is None or self.end_line == self.start_line:
            return str(self.start_line)
        return f"{self.start_line}-{self.end_line}"


@dataclass(frozen=True)
class CopyrightInfo:
    kind: str  # copyright / holder / author
    value: str
    start_line: int | None
    end_line: int | None
    id: int = 0
    false_positive: bool = False  # a reviewer marked it as not a copyright


@dataclass(frozen=True)
class TodoInfo:
    detection_identifier: str | None
    review_comments: tuple[tuple[str, str], ...]  # (code, comment) as ScanCode wrote them


@dataclass(frozen=True)
class SourceText:
    """The scanned file as read from disk, or why it is not shown."""

    text: str | None
    reason: str | None = None  # why text is None
    differs: bool = False  # the file on disk is not the one that was scanned
    truncated: bool = False


@dataclass(frozen=True)
class FileReview:
    item: ItemInfo
    file: FileInfo
    matches: tuple[MatchInfo, ...]
    copyrights: tuple[CopyrightInfo, ...]
    todos: tuple[TodoInfo, ...]
    licenses: tuple[LicenseReferenceText, ...]
    source: SourceText

    @property
    def matched_ranges(self) -> tuple[tuple[int, int], ...]:
        """Sorted, distinct (start, end) line ranges of all matches, for highlighting."""
        ranges = {
            (m.start_line, m.end_line if m.end_line is not None else m.start_line)
            for m in self.matches
            if m.start_line is not None
        }
        return tuple(sorted(ranges))


def load_file_review(
    reading: Reading, review_item_id: int, *, read_source: bool = True
) -> FileReview:
    """Everything the inspector shows about one item; the source only if ``read_source``."""
    session = reading.session
    item = session.get(ReviewItem, review_item_id)
    if item is None:
        raise NotFoundError(f"no review item {review_item_id}")
    scanned = session.get(ScannedFile, item.file_id)
    scan = session.get(Scan, item.scan_id)
    if scanned is None or scan is None:
        raise NotFoundError(f"review item {review_item_id} has no scanned file")
    matches = _matches(session, scanned.id)
    keys: set[str] = set(license_keys(scanned.detected_license_expression))
    for m in matches:
        keys |= license_keys(m.expression)
    source = (
        read_scanned_source(scan.root, scanned.path, sha256=scanned.sha256, sha1=scanned.sha1)
        if read_source
        else SourceText(None, "not loaded")
    )
    return FileReview(
        item=_item_info(session, item),
        file=_file_info(scanned),
        matches=matches,
        copyrights=_copyrights(session, scanned.id),
        todos=_todos(session, scanned.id),
        licenses=license_texts(session, scan.id, sorted(keys), item.concluded_expression),
        source=source,
    )


def _matches(session: Session, file_id: int) -> tuple[MatchInfo, ...]:
    return tuple(
        MatchInfo(
            detection_identifier=det.identifier,
            is_clue=det.is_clue,
            expression=m.license_expression,
            spdx=m.license_expression_spdx,
            rule_identifier=m.rule_identifier,
            rule_url=m.rule_url,
            matcher=m.matcher,
            score=m.score,
            coverage=m.match_coverage,
            start_line=m.start_line,
            end_line=m.end_line,
            matched_text=m.matched_text,
        )
        for m, det in session.execute(
            select(LicenseMatch, LicenseDetection)
            .join(LicenseDetection, LicenseDetection.id == LicenseMatch.detection_id)
            .where(LicenseMatch.file_id == file_id)
            .order_by(LicenseDetection.position, LicenseMatch.position, LicenseMatch.id)
        ).all()
    )


def _copyrights(session: Session, file_id: int) -> tuple[CopyrightInfo, ...]:
    rejected = CopyrightFalsePositive.copyright_id.is_not(None)
    return tuple(
        CopyrightInfo(c.kind, c.value, c.start_line, c.end_line, c.id, bool(marked))
        for c, marked in session.execute(
            select(CopyrightStatement, rejected)
            .outerjoin(
                CopyrightFalsePositive,
                CopyrightFalsePositive.copyright_id == CopyrightStatement.id,
            )
            .where(CopyrightStatement.file_id == file_id)
            .order_by(CopyrightStatement.start_line, CopyrightStatement.id)
        ).all()
    )


def _todos(session: Session, file_id: int) -> tuple[TodoInfo, ...]:
    return tuple(
        TodoInfo(t.detection_identifier, _review_comments(t.review_comments_json))
        for t in session.scalars(
            select(TodoItem).where(TodoItem.file_id == file_id).order_by(TodoItem.id)
        )
    )


def _item_info(session: Session, item: ReviewItem) -> ItemInfo:
    detected = (
        item.detected_expression if item.detected_expression is not None else item.detected_spdx
    )
    return ItemInfo(
        id=item.id,
        scan_id=item.scan_id,
        path=item.path,
        state=item.state,
        priority=item.priority,
        priority_reason=item.priority_reason,
        policy_alert=item.policy_alert,
        detected_expression=item.detected_expression,
        detected_spdx=item.detected_spdx,
        concluded_expression=item.concluded_expression,
        current_decision_id=item.current_decision_id,
        version=item.version,
        policy_caption=alert_caption(session, detected, item.policy_version),
    )


def _file_info(scanned: ScannedFile) -> FileInfo:
    return FileInfo(
        id=scanned.id,
        path=scanned.path,
        size=scanned.size,
        sha1=scanned.sha1,
        sha256=scanned.sha256,
        mime_type=scanned.mime_type,
        file_type=scanned.file_type,
        programming_language=scanned.programming_language,
        is_binary=scanned.is_binary,
        percentage_of_license_text=scanned.percentage_of_license_text,
        scan_errors=_errors(scanned.scan_errors_json),
    )


def _review_comments(raw: str | None) -> tuple[tuple[str, str], ...]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return ()
    if isinstance(value, dict):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple(("", str(v)) for v in value)
    return ()


def _errors(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        value = json.loads(raw)
    except ValueError:
        return (raw,)
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def resolve_inside_root(root: str, path: str) -> Path | None:
    """The real path of ``path`` under ``root``, or None if it would leave the root.

    ScanCode often names the scanned directory as the first segment (``zlib-1.2.11/zlib.h`` for
    root ``/x/zlib-1.2.11``), so both ``root/path`` and ``root/<path minus that segment>`` are
    tried; each must still resolve inside the root after symlinks.
    """
    if not path or "\x00" in path or "\\" in path:
        return None
    rel = PurePosixPath(path)
    if rel.is_absolute() or any(part in ("..", "") for part in rel.parts):
        return None
    try:
        real_root = Path(os.path.realpath(root))
    except (OSError, ValueError):
        return None
    candidates = [rel]
    if len(rel.parts) > 1 and rel.parts[0] == real_root.name:
        candidates.append(PurePosixPath(*rel.parts[1:]))
    elif len(rel.parts) > 1 and rel.parts[0] == Path(root).name:
        candidates.append(PurePosixPath(*rel.parts[1:]))
    for candidate in candidates:
        try:
            real = Path(os.path.realpath(real_root.joinpath(*candidate.parts)))
        except (OSError, ValueError):
            continue
        if real != real_root and real.is_relative_to(real_root) and real.is_file():
            return real
    return None


def read_scanned_source(
    root: str | None,
    path: str,
    *,
    sha256: str | None = None,
    sha1: str | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
) -> SourceText:
    """The file's text from the scanned tree, never from outside the scan root."""
    if not root:
        return SourceText(None, "the scanned tree is not known (the scan has no root)")
    if not os.path.isdir(root):
        return SourceText(None, "the scanned tree is not on this machine")
    real = resolve_inside_root(root, path)
    if real is None:
        return SourceText(None, "not found inside the scan root (or the path leaves it)")
    try:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(real, flags)  # real is already resolved: a swapped-in symlink fails here
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        return SourceText(None, f"cannot read: {exc.strerror}")
    truncated = len(data) > max_bytes
    if truncated:
        return SourceText(None, f"larger than {max_bytes // (1024 * 1024)} MB, not shown")
    if b"\x00" in data[:_BINARY_SNIFF]:
        return SourceText(None, "binary file, not shown")
    differs = False
    if sha256:
        differs = hashlib.sha256(data).hexdigest() != sha256
    elif sha1:
        differs = hashlib.sha1(data).hexdigest() != sha1  # noqa: S324 - ScanCode's own digest
    return SourceText(data.decode("utf-8", errors="replace"), differs=differs)
