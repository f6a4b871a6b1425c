"""The nesting guard agrees with the real depth of JSON split at any byte, strings included."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.json_nesting import NestingGuard

TRICKY = st.sampled_from(['a"[{\\', '\\\\"}', "", "[[[", '"\\"', "é[\u202e", "]]}}", "x"])
JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.integers(), TRICKY, st.text(max_size=5)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=40,
)


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def fits(data: bytes, cuts: list[int], limit: int) -> bool:
    guard = NestingGuard(limit)
    edges = [0, *sorted(c % (len(data) + 1) for c in cuts), len(data)]
    try:
        for start, end in zip(edges, edges[1:], strict=False):
            guard.feed(data[start:end])
    except InputError:
        return False
    return True


@settings(max_examples=600, deadline=None)
@given(JSON_VALUES, st.lists(st.integers(0, 10_000), max_size=6), st.booleans())
def test_guard_matches_the_true_depth(value: Any, cuts: list[int], ascii_only: bool) -> None:
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    true_depth = depth(value)
    assert fits(data, cuts, max(true_depth, 1))
    if true_depth > 1:
        assert not fits(data, cuts, true_depth - 1)


@pytest.mark.parametrize("levels", [101, 10_000, 1_000_000])
def test_deep_documents_are_refused_early(levels: int) -> None:
    data = b'{"files": [{"path": "a", "x": ' + b"[" * levels + b"]" * levels + b"}]}"
    with pytest.raises(InputError, match="nests deeper than 100 levels"):
        fits_all = NestingGuard()
        for start in range(0, len(data), 1 << 16):
            fits_all.feed(data[start : start + (1 << 16)])
