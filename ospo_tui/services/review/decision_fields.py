"""What a reviewer concludes on a file, in the reviewer's words, checked before anything is written.

The decision types are FOSSology's, the reasons ORT's curation reasons. Validation runs before any
transaction, so a typing mistake never costs a lock; the private comment is audited only as its
SHA-256, so the chain proves it without disclosing it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ospo_tui.errors import InputError
from ospo_tui.services.licenses.spdx_validation import normalise_spdx

# In the reviewer's words, as the form and reports show them.
DECISION_TYPES: dict[str, str] = {
    "identified": "Identified",
    "to_discuss": "To be discussed",
    "irrelevant": "Irrelevant (not shipped)",
    "do_not_use": "Do not use",
    "non_functional": "Non-functional (build or test only)",
}
# ORT's curation reasons, spelled the way reviewers type them.
REASONS: dict[str, str] = {
    "code": "Code",
    "data_of": "Data of",
    "documentation_of": "Documentation of",
    "incorrect_detection": "Incorrect detection",
    "not_detected": "Not detected",
    "reference": "Reference",
}
CLEARED = "cleared"  # decision_type of an undo that returns a file to the open queue
MAX_NOTE = 10_000


@dataclass(frozen=True)
class DecisionFields:
    """What a reviewer concludes; ``concluded_expression`` is None only for a cleared file."""

    concluded_expression: str | None
    decision_type: str
    reason: str | None = None
    public_note: str | None = None
    private_comment: str | None = None

    def as_columns(self) -> dict[str, Any]:
        """The values of a decision row."""
        return {
            "concluded_expression": self.concluded_expression,
            "decision_type": self.decision_type,
            "reason": self.reason,
            "public_note": self.public_note,
            "private_comment": self.private_comment,
        }

    def as_payload(self) -> dict[str, Any]:
        """The values an audit event records: the private comment only as its digest."""
        values = self.as_columns()
        comment = values.pop("private_comment")
        return {**values, "private_comment_sha256": private_comment_digest(comment)}


def private_comment_digest(comment: str | None) -> str | None:
    """Hex SHA-256 of the comment's UTF-8 text, as audit events record it; None for none."""
    return None if comment is None else hashlib.sha256(comment.encode("utf-8")).hexdigest()


def _text(value: str | None, what: str) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > MAX_NOTE:
        raise InputError(f"the {what} is longer than {MAX_NOTE} characters")
    if "\x00" in value:
        raise InputError(f"the {what} contains a NUL character")
    return value or None


def validate_fields(
    concluded: str | None,
    decision_type: str,
    reason: str | None = None,
    public_note: str | None = None,
    private_comment: str | None = None,
    custom: Collection[str] = (),
) -> DecisionFields:
    """Checked and normalised input, or InputError naming the first problem. ``custom``: the
    custom license ids registered, which the concluded license may name."""
    kind = (decision_type or "").strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in DECISION_TYPES:
        raise InputError(
            f"unknown decision type {decision_type!r}: use one of {', '.join(DECISION_TYPES)}"
        )
    why = (reason or "").strip().lower().replace("-", "_").replace(" ", "_") or None
    if why is not None and why not in REASONS:
        raise InputError(f"unknown reason {reason!r}: use one of {', '.join(REASONS)}")
    return DecisionFields(
        concluded_expression=normalise_spdx(concluded, custom),
        decision_type=kind,
        reason=why,
        public_note=_text(public_note, "public note"),
        private_comment=_text(private_comment, "private comment"),
    )
