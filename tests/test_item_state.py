"""Review-item state: decisions and questions move a file through one version-checked write."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.errors import ConflictError
from ospo_tui.models import AuditEvent, Question, ReviewItem
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.item_state import (
    ItemChange,
    ItemSnapshot,
    StaleVersions,
    load_snapshots,
    state_after_decision,
    write_item_changes,
)
from tests.team_support import REVIEWER, make_team


def snapshot(db: Database, item_id: int) -> ItemSnapshot:
    with db.session() as session:
        return load_snapshots(session, ReviewItem.id == item_id)[0]


@pytest.mark.parametrize(
    ("decision_type", "state"),
    [("identified", "decided"), ("to_discuss", "to_discuss"), ("cleared", "open")],
)
def test_a_decision_sets_the_state_its_type_names(decision_type: str, state: str) -> None:
    assert state_after_decision(decision_type) == state


def test_a_change_computed_from_an_outdated_read_is_refused(db: Database) -> None:
    team = make_team(db)
    before = snapshot(db, team.item_id)
    q.ask(db, REVIEWER, team.item_id, "ed", "Shipped?")  # the question moves the file
    moved = snapshot(db, team.item_id)
    assert (moved.state, moved.version) == ("question", before.version + 1)

    with pytest.raises(StaleVersions), db.session() as session:
        write_item_changes(session, [ItemChange.state_only(before, "open")], utc_now())
    assert snapshot(db, team.item_id) == moved


def test_asking_refuses_when_the_file_moves_between_its_read_and_its_write(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer commits after the question read the file: the question path, like a
    decision, writes nothing rather than overwrite that change."""
    team = make_team(db)
    before = snapshot(db, team.item_id)

    def read_then_someone_else_writes(
        session: Session, condition: ColumnElement[bool], **options: Any
    ) -> list[ItemSnapshot]:
        found = load_snapshots(session, condition, **options)
        session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == team.item_id)
            .values(version=ReviewItem.version + 1)
        )
        return found

    monkeypatch.setattr(q, "load_snapshots", read_then_someone_else_writes)
    with pytest.raises(ConflictError, match="changed while the question was being saved"):
        q.ask(db, REVIEWER, team.item_id, "ed", "Shipped?")

    assert snapshot(db, team.item_id) == before
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Question)) == 0
        assert not session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "question.ask")
        )
