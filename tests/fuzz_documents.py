"""Hypothesis strategies that mutate real ScanCode documents the way broken tools and hostile
files do: dropped keys, wrong types, huge strings, deep nesting, NaN, duplicated paths, invalid
UTF-8 and truncation. Each example is the bytes of one file to import."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from hypothesis import strategies as st

from tests.conftest import SCANCODE_FIXTURES

FILES_PER_DOCUMENT = 6
_DEEP = "\u0000deep\u0000"
_NUMBER = "\u0000number\u0000"
_NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")


@cache
def seed_documents() -> tuple[dict[str, Any], ...]:
    """Every fixture (formats 1.0 to 4.1), cut to a few files so thousands of imports stay fast."""
    documents = []
    for path in sorted(SCANCODE_FIXTURES.glob("*.json")):
        doc = json.loads(path.read_text())
        # Keep files that carry findings so mutations hit detections, matches and copyrights.
        files = sorted(
            doc["files"],
            key=lambda f: -len(json.dumps(f.get("license_detections") or f.get("licenses") or [])),
        )
        doc["files"] = files[:FILES_PER_DOCUMENT]
        documents.append(doc)
    return tuple(documents)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every location inside the document (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found.extend(_paths(item, (*prefix, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_paths(item, (*prefix, index)))
    return found


def _parent(doc: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        doc = doc[step]
    return doc


hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)),
    st.sampled_from(
        [
            "",
            "\x00",
            "a\x00b",
            "\ud800",
            "../../etc/passwd",
            "/etc/passwd",
            "[bold red]x[/]",
            "\x1b]52;c;SGVsbG8=\x07",
            "\u202eevil",
            "a" * 70_000,
            "é" * 300_000,
        ]
    ),
)

wrong_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.just(_NUMBER),
    st.just(_DEEP),
    hostile_text,
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=4),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
)


@st.composite
def mutated_document(draw: st.DrawFn) -> bytes:
    doc = json.loads(json.dumps(draw(st.sampled_from(seed_documents()))))
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        kind = draw(st.sampled_from(["drop", "retype", "retype", "duplicate_file", "path"]))
        if kind == "drop":
            del parent[path[-1]]
        elif kind == "retype":
            parent[path[-1]] = draw(wrong_values)
        elif kind == "duplicate_file" and isinstance(doc.get("files"), list) and doc["files"]:
            doc["files"].append(draw(st.sampled_from(doc["files"])))
        elif kind == "path" and isinstance(doc.get("files"), list) and doc["files"]:
            entry = draw(st.sampled_from(doc["files"]))
            if isinstance(entry, dict):
                entry["path"] = draw(hostile_text)
    as_lines = draw(st.booleans()) and isinstance(doc, dict)
    if as_lines:
        rest = {k: v for k, v in doc.items() if k != "headers"}
        body = json.dumps({"headers": doc.get("headers", [])}) + "\n" + json.dumps(rest) + "\n"
    else:
        body = json.dumps(doc)
    depth = draw(st.sampled_from([2, 64, 1_000, 100_000]))
    body = body.replace(json.dumps(_DEEP), "[" * depth + "]" * depth)
    while json.dumps(_NUMBER) in body:
        body = body.replace(json.dumps(_NUMBER), draw(st.sampled_from(_NON_FINITE)), 1)
    data = body.encode("utf-8", "surrogatepass")
    tail = draw(st.sampled_from(["keep", "keep", "invalid_utf8", "truncate"]))
    if tail == "invalid_utf8":
        at = draw(st.integers(0, len(data)))
        junk = draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80"]))
        data = data[:at] + junk + data[at:]
    elif tail == "truncate":
        data = data[: draw(st.integers(0, max(0, len(data) - 1)))]
    return data
