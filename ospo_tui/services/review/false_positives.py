"""Copyright, holder and author detections a reviewer found not to be one (a false positive).

ScanCode reads "Copyright (c) <year> <name>" templates, changelog lines and variable names as
copyrights. A reviewer marks such a detection (reviewers and admins, audited); it then leaves
the attribution notice, SPDX ``copyrightText`` and CycloneDX evidence. Restoring it undoes the
mark, also audited; the chain keeps both.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import InputError, NotFoundError
from ospo_tui.models import CopyrightFalsePositive, CopyrightStatement, ReviewItem
from ospo_tui.services.access.roles import require
from ospo_tui.services.trail.chain import Actor, append_event


@dataclass(frozen=True)
class CopyrightMark:
    copyright_id: int
    kind: str
    value: str
    path: str
    false_positive: bool  # after the change


def mark_false_positive(db: Database, actor: Actor, copyright_id: int) -> CopyrightMark:
    """Mark detection ``copyright_id`` as not a copyright; refused if it already is marked."""
    return _change(db, actor, copyright_id, mark=True)


def restore_copyright(db: Database, actor: Actor, copyright_id: int) -> CopyrightMark:
    """Undo the mark: the detection counts as a copyright again."""
    return _change(db, actor, copyright_id, mark=False)


def _change(db: Database, actor: Actor, copyright_id: int, *, mark: bool) -> CopyrightMark:
    verb = "mark" if mark else "restore"
    require(db, actor, "mark_copyright", f"detection {copyright_id}")
    with db.session() as session:
        found = session.execute(
            select(CopyrightStatement, ReviewItem.path, ReviewItem.project_id)
            .join(ReviewItem, ReviewItem.file_id == CopyrightStatement.file_id)
            .where(CopyrightStatement.id == copyright_id)
        ).first()
        if found is None:
            raise NotFoundError(f"no copyright detection {copyright_id}")
        statement, path, project_id = found
        marked = session.get(CopyrightFalsePositive, copyright_id) is not None
        if marked == mark:
            state = "already marked as a false positive" if mark else "not marked"
            raise InputError(f"copyright detection {copyright_id} is {state}: nothing to {verb}")
        payload = {
            "copyright_id": copyright_id,
            "kind": statement.kind,
            "value": statement.value,
            "path": path,
        }
        action = "copyright.false_positive" if mark else "copyright.restore"
        seq = append_event(session, actor, action, "copyright", copyright_id, payload, project_id)
        if mark:
            session.add(
                CopyrightFalsePositive(
                    copyright_id=copyright_id,
                    marked_by=actor.name,
                    marked_at=utc_now(),
                    event_seq=seq,
                )
            )
        else:
            session.execute(
                delete(CopyrightFalsePositive).where(
                    CopyrightFalsePositive.copyright_id == copyright_id
                )
            )
        return CopyrightMark(copyright_id, statement.kind, statement.value, path, mark)
