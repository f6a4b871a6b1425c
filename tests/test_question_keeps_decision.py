"""Questions on a decided file: once answered or resolved, the file keeps its decision's state."""

from __future__ import annotations

import pytest

from ospo_tui.db import Database
from ospo_tui.models import ReviewItem
from ospo_tui.services.review import questions as q
from ospo_tui.services.review.decisions import decide
from tests.team_support import ENGINEER, REVIEWER, Team, make_team


@pytest.fixture
def team(db: Database) -> Team:
    return make_team(db)


def _state(db: Database, item_id: int) -> tuple[str, str | None]:
    with db.session() as session:
        item = session.get(ReviewItem, item_id)
        assert item is not None
        return item.state, item.concluded_expression


@pytest.mark.parametrize(
    ("decision_type", "kept"), [("identified", "decided"), ("to_discuss", "to_discuss")]
)
def test_decide_ask_answer_resolve_keeps_the_decision_state(
    db: Database, team: Team, decision_type: str, kept: str
) -> None:
    decide(db, REVIEWER, team.item_id, None, "Zlib", decision_type)
    assert _state(db, team.item_id) == (kept, "Zlib")
    asked = q.ask(db, REVIEWER, team.item_id, "ed", "Shipped unchanged?")
    assert _state(db, team.item_id) == ("question", "Zlib")
    q.answer(db, ENGINEER, asked.id, "Yes.")
    assert _state(db, team.item_id) == (kept, "Zlib")
    q.reopen(db, REVIEWER, asked.id, "one more thing")
    assert _state(db, team.item_id)[0] == "question"
    q.resolve(db, REVIEWER, asked.id, "settled")
    assert _state(db, team.item_id) == (kept, "Zlib")


def test_an_undecided_file_still_goes_back_to_open(db: Database, team: Team) -> None:
    asked = q.ask(db, REVIEWER, team.item_id, "ed", "Shipped?")
    q.resolve(db, REVIEWER, asked.id, "found out")
    assert _state(db, team.item_id) == ("open", None)
