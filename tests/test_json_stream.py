"""The streaming reader gives what json.load gives, whatever the chunk boundaries."""

from __future__ import annotations

import io
import json

import pytest

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.json_stream import JsonSyntaxError, stream_document
from tests.conftest import SCANCODE_FIXTURES

WANTED = frozenset({"headers", "todo"})


def read(data: bytes, chunk: int) -> list[tuple[str, object]]:
    return list(stream_document(io.BytesIO(data), WANTED, chunk=chunk))


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_same_entries_as_json_load(chunk: int) -> None:
    data = (SCANCODE_FIXTURES / "ort-format-4.0.0_mime-types-2.1.18.json").read_bytes()
    expected = json.loads(data)
    got = read(data, chunk)
    assert [v for k, v in got if k == "file"] == expected["files"]
    assert dict((k, v) for k, v in got if k != "file") == {"headers": expected["headers"]}


@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_numbers_and_multibyte_text_split_across_chunks(chunk: int) -> None:
    doc = {
        "files": [
            {"path": "é/ß/日本.c", "size": 1234567, "score": 99.25},
            {"path": "x", "size": 0},
        ],
        "todo": [1],
    }
    assert read(json.dumps(doc, ensure_ascii=False).encode(), chunk) == [
        ("file", doc["files"][0]),
        ("file", doc["files"][1]),
        ("todo", [1]),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"files": [{"score": NaN}]}', "NaN is not valid JSON"),
        (b'{"files": []} trailing', "unexpected data after the document"),
        (b'{"files": [{"path": "a"}', "expected ',' or ']' in a list"),
        (b'{"files": [{"path": "a"', "invalid JSON near byte"),
        (b'{"files": [1] "x": 2}', "expected ',' or '}'"),
        (b'{"files": [], "a": "\xff"}', "invalid UTF-8 near byte 20"),
        (b"nonsense", "invalid JSON near byte 0"),
    ],
)
def test_bad_json_names_the_problem(data: bytes, message: str) -> None:
    with pytest.raises(JsonSyntaxError, match=message):
        read(data, 3)


def test_shapes_that_are_json_but_not_scancode() -> None:
    with pytest.raises(InputError, match="not a JSON object"):
        read(b"[1, 2]", 64)
    with pytest.raises(InputError, match="no 'files' list"):
        read(b'{"headers": [], "packages": [{"a": 1}]}', 64)
    with pytest.raises(InputError, match="'files' must be a list"):
        read(b'{"files": {"path": "a"}}', 64)
    with pytest.raises(InputError, match="empty"):
        read(b"   \n", 64)
