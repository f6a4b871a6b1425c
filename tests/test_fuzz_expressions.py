"""Concluded-license input under fuzzing: every string a reviewer (or a script) can type is
either normalised to a canonical SPDX expression or refused with one clear line. Never a
traceback; normalising the result again changes nothing."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ospo_tui.errors import InputError
from ospo_tui.services.licenses.spdx_validation import completion_names, normalise_spdx
from ospo_tui.services.review.decision_fields import validate_fields

OUTCOMES: Counter[str] = Counter()
# The last test reads what the fuzzers before it counted: under xdist they share one worker.
pytestmark = pytest.mark.xdist_group("fuzz_expressions")

_names = completion_names()
license_names = st.sampled_from(_names[:: max(1, len(_names) // 400)] + ("MIT", "Apache-2.0"))
exceptions = st.sampled_from(["Classpath-exception-2.0", "LLVM-exception", "GCC-exception-3.1"])
operators = st.sampled_from(
    ["AND", "OR", "WITH", "and", "or", "with", "(", ")", "()", "+", "NONE", "NOASSERTION"]
)
noise = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "\n",
        "\x00",
        "\x1b[31m",
        "\x85",
        "\u00a0",
        "\u202e",
        "\u2066",
        "[bold]",
        "LicenseRef-",
        "LicenseRef-scancode-",
        "DocumentRef-x:",
        "\ud800",
        "ﬁ",
        "MIT" * 700,
    ]
)
tokens = st.one_of(license_names, license_names, exceptions, operators, noise, st.text(max_size=8))


expressions = st.recursive(
    st.one_of(license_names, st.tuples(license_names, exceptions).map(" WITH ".join)),
    lambda inner: st.tuples(inner, st.sampled_from([" AND ", " OR ", " and ", " or "]), inner).map(
        lambda t: f"({''.join(t)})"
    ),
    max_leaves=8,
)


@st.composite
def typed_expressions(draw: st.DrawFn) -> str:
    """A well-formed expression, then a few edits: drop, insert or swap tokens."""
    parts = draw(expressions).replace("(", " ( ").replace(")", " ) ").split()
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(parts)))
        edit = draw(st.sampled_from(["insert", "drop", "swap"]))
        if edit == "insert" or not parts:
            parts.insert(at, draw(tokens))
        elif edit == "drop":
            del parts[min(at, len(parts) - 1)]
        else:
            parts[min(at, len(parts) - 1)] = draw(tokens)
    text = draw(st.sampled_from([" ", "", "  ", "\t"])).join(parts)
    if draw(st.integers(0, 39)) == 0:  # deep parentheses (each one takes the parser ~0.2 s)
        depth = draw(st.sampled_from([1, 2, 60, 990, 1200]))
        text = "(" * depth + text + ")" * draw(st.integers(depth - 1, depth + 1))
    return text


def _check(text: str) -> None:
    try:
        result = normalise_spdx(text)
    except InputError as err:
        message = str(err)
        assert message and "\n" not in message
        OUTCOMES["refused"] += 1
        return
    assert result == normalise_spdx(result), (text, result)  # canonical form is a fixed point
    assert result.strip() == result and "\x00" not in result
    OUTCOMES["normalised"] += 1


@settings(max_examples=1200, deadline=None, database=None)
@given(typed_expressions())
def test_typed_expressions(text: str) -> None:
    _check(text)


@settings(max_examples=800, deadline=None, database=None)
@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, database=None)
@given(typed_expressions(), st.sampled_from(["identified", "to_discuss", "bogus"]))
def test_the_decision_validator(text: str, decision_type: str) -> None:
    """What the decision service runs before anything is written."""
    try:
        fields = validate_fields(text, decision_type, None, None, None)
    except InputError as err:
        assert "\n" not in str(err)
        return
    assert fields.concluded_expression == normalise_spdx(fields.concluded_expression)


def test_both_outcomes_happened() -> None:
    """Runs after the fuzzers above (file order): print the counts for the record."""
    print(f"\nfuzz expressions: {dict(OUTCOMES)}")
    assert OUTCOMES["normalised"] > 100 and OUTCOMES["refused"] > 100
