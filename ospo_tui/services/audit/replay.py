"""Replaying the audit chain: the state the events say the tables should hold.

Every change writes an event with the values it set, so walking the chain from the first event
rebuilds what each decision, review item, question, message, member and policy version must be.
``state_check`` compares that with the tables. The replay runs inside the chain walk, on events
whose hash was just checked, so it reads the chain once.

Events written before a payload key existed are replayed for what they hold: a key an old
event lacks is not compared (``UNCHECKED``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from ospo_tui.models import STATE_OPEN
from ospo_tui.services.trail.chain import EventRow

UNCHECKED = object()  # a value an older event did not record, so replay cannot compare it

# Decision columns replay derives from a decision event, in this order.
DECISION_COLUMNS = (
    "project_id",
    "review_item_id",
    "file_id",
    "sha256",
    "concluded_expression",
    "decision_type",
    "reason",
    "public_note",
    "origin",
    "bulk_id",
    "reused_from_id",
    "supersedes_id",
    "findings_hash",
    "actor",
    "role",
    "created_at",
    "event_seq",
)
ITEM_COLUMNS = ("state", "concluded_expression", "current_decision_id", "version")
ITEM_INITIAL = (STATE_OPEN, None, None, 1)  # as an import writes every review item
# A package's review state, as an import writes it until a package decision moves it.
PACKAGE_INITIAL = {
    "state": STATE_OPEN,
    "concluded_expression": None,
    "current_decision_id": None,
    "version_counter": 1,
}


@dataclass
class ReplayedState:
    """What the tables must hold, keyed like the tables, each with the event that last set it."""

    decisions: dict[int, tuple[tuple[Any, ...], str | None, int]] = field(default_factory=dict)
    # Review items: their ITEM_COLUMNS values, and for each the event that last set it.
    items: dict[int, tuple[tuple[Any, ...], tuple[int, ...]]] = field(default_factory=dict)
    questions: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    messages: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    members: dict[str, tuple[dict[str, Any], int]] = field(default_factory=dict)
    policies: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    scans: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    # Packages a decision touched (PACKAGE_COLUMNS) and the package decisions, like the above.
    packages: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    package_decisions: dict[int, tuple[dict[str, Any], int]] = field(default_factory=dict)
    reuses: Counter[int] = field(default_factory=Counter)
    # The first event whose payload lacks what replay needs (hashed, so written that way).
    unreadable: str | None = None

    def visit(self, row: EventRow) -> None:
        """One verified event (``trail.chain.EVENT_COLUMNS``): fold it into the state."""
        action = row[4]
        handler = _HANDLERS.get(action)
        if handler is None:
            return
        try:
            handler(self, row, action)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            if self.unreadable is None:
                self.unreadable = f"event {row[0]} ({action}) does not hold what its action records"


def _decision(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    new, seq = payload["new"], row[0]
    modern = "findings_hash" in payload
    item_id = int(row[6])
    expected = (
        row[7],
        item_id,
        payload["file_id"],
        payload["sha256"],
        new["concluded_expression"],
        new["decision_type"],
        new["reason"],
        new["public_note"],
        payload["origin"],
        payload["bulk_id"],
        payload.get("reused_from_id", payload.get("reused_from_decision_id")),
        payload.get("supersedes_id", payload["old"]["decision_id"]),
        payload["findings_hash"] if modern else UNCHECKED,
        row[2],
        row[3],
        row[1] if modern else UNCHECKED,
        seq,
    )
    state.decisions[payload["decision_id"]] = (expected, new["private_comment_sha256"], seq)
    item = (new["state"], new["concluded_expression"], new["decision_id"], new["version"])
    state.items[item_id] = (item, (seq,) * len(ITEM_COLUMNS))
    if action == "decision.reuse":
        state.reuses[payload["scan_id"]] += 1


def _question(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    seq, question_id, kind = row[0], payload["question_id"], action.split(".", 1)[1]
    modern = "version" in payload
    before = state.questions.get(question_id)
    created = before[0]["created_at"] if before else (row[1] if modern else UNCHECKED)
    state.questions[question_id] = (
        {
            "project_id": row[7],
            "review_item_id": payload["review_item_id"],
            "detection_id": payload["detection_id"],
            "asked_by": payload["asked_by"],
            "assigned_to": payload["assigned_to"],
            "state": payload["question_state"]["new"],
            "created_at": created,
            "updated_at": row[1] if modern else UNCHECKED,
            "version": (before[0]["version"] + 1) if before else 1,
        },
        seq,
    )
    state.messages[payload["message_id"]] = (
        {
            "question_id": question_id,
            "author": row[2],
            "role": row[3],
            "kind": kind,
            "body": payload["text"],
            "created_at": row[1] if modern else UNCHECKED,
        },
        seq,
    )
    moved = payload["item_state"]
    if moved["old"] != moved["new"]:
        item_id = payload["review_item_id"]
        values, seqs = state.items.get(item_id, (ITEM_INITIAL, (0,) * len(ITEM_COLUMNS)))
        state.items[item_id] = (
            (moved["new"], values[1], values[2], values[3] + 1),
            (seq, seqs[1], seqs[2], seq),
        )


def _member(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    name, seq = payload["name"], row[0]
    if action == "member.add":
        state.members[name] = ({"role": payload["role"], "added_by": row[2]}, seq)
    elif action == "member.role":
        state.members[name] = ({**state.members[name][0], "role": payload["new"]}, seq)
    else:
        state.members.pop(name, None)


def _policy(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    modern = "rules_sha256" in payload
    state.policies[payload["version"]] = (
        {
            "name": payload["name"],
            "source_sha256": payload["source_sha256"],
            "is_default": payload["is_default"],
            "loaded_by": row[2],
            "loaded_at": row[1] if modern else UNCHECKED,
            "rules": payload["rules"],
            "rules_sha256": payload["rules_sha256"] if modern else UNCHECKED,
        },
        row[0],
    )


def _scan(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    recorded = {"project_id": row[7], "digest": payload.get("digest", UNCHECKED)}
    state.scans[int(row[6])] = (recorded, row[0])


_Handler = Callable[[ReplayedState, EventRow, str], None]


# Every action that changes a table replay checks, and who folds it in.
def _package_decision(state: ReplayedState, row: EventRow, action: str) -> None:
    payload = orjson.loads(row[8])
    new, seq, decision_id = payload["new"], row[0], payload["decision_id"]
    package_id = int(row[6])
    state.packages[package_id] = (
        {
            "state": new["state"],
            "concluded_expression": new["concluded_expression"],
            "current_decision_id": decision_id,
            "version_counter": new["version"],
        },
        seq,
    )
    state.package_decisions[decision_id] = (
        {
            "project_id": row[7],
            "package_id": package_id,
            "purl": payload["purl"],
            "concluded_expression": new["concluded_expression"],
            "decision_type": new["decision_type"],
            "reason": new["reason"],
            "public_note": new["public_note"],
            "private_comment_sha256": new["private_comment_sha256"],
            "origin": payload["origin"],
            "reused_from_id": payload["reused_from_id"],
            "supersedes_id": payload["old"]["decision_id"],
            "actor": row[2],
            "role": row[3],
        },
        seq,
    )


_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(
        ("decision.record", "decision.bulk", "decision.undo", "decision.reuse"), _decision
    ),
    **{f"question.{kind}": _question for kind in ("ask", "answer", "comment", "resolve", "reopen")},
    **dict.fromkeys(("member.add", "member.role", "member.remove"), _member),
    "policy.load": _policy,
    **dict.fromkeys(("scan.import", "scan.scan"), _scan),
    **dict.fromkeys(("package_decision.record", "package_decision.reuse"), _package_decision),
}
