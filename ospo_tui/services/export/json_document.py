"""JSON exports written as a stream: one object member at a time, large arrays item by item.

A 100k-file SPDX document, CycloneDX BOM or decision log never sits in memory whole: the
writer puts out the head members, then each array item as it is built. Every export's JSON
also goes through ``InertJson``, so that no character in it acts on a terminal or editor.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

import orjson


class JsonArray:
    """The items of one array member, one per line; ``count`` says how many were written."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.count = 0

    def add(self, value: Any) -> None:
        self.add_encoded(orjson.dumps(value).decode())

    def add_encoded(self, text: str) -> None:
        """An item already encoded as JSON text."""
        self._out.write(("\n  " if self.count == 0 else ",\n  ") + text)
        self.count += 1


class JsonObjectWriter:
    """The members of the document's top-level object, in the order they are given.

    ``indent``: members are written as ``json.dumps(..., indent=indent)`` would lay them out
    inside the whole document; without it, each member takes one line.
    """

    def __init__(self, out: TextIO, *, indent: int | None = None) -> None:
        self._out = out
        self._indent = indent
        self._members = 0

    def _key(self, key: str) -> None:
        self._out.write((",\n " if self._members else " ") + json.dumps(key) + ": ")
        self._members += 1

    def member(self, key: str, value: Any) -> None:
        text = json.dumps(value, ensure_ascii=False, indent=self._indent)
        if self._indent is not None:
            text = text.replace("\n", "\n" + " " * self._indent)
        self._key(key)
        self._out.write(text)

    def members(self, values: Mapping[str, Any]) -> None:
        for key, value in values.items():
            self.member(key, value)

    @contextmanager
    def array(self, key: str) -> Iterator[JsonArray]:
        """An array member whose items are added while it is open."""
        self._key(key)
        self._out.write("[")
        yield JsonArray(self._out)
        self._out.write("\n ]")


@contextmanager
def json_object(out: TextIO, *, indent: int | None = None) -> Iterator[JsonObjectWriter]:
    """The document's top-level object; it is closed once the block completes."""
    out.write("{\n")
    yield JsonObjectWriter(out, indent=indent)
    out.write("\n}\n")


# Raw in JSON strings but acted on by terminals and editors: DEL, C1 controls, line and
# paragraph separators, bidi marks. JSON encoders already escape the C0 controls.
_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


class InertJson:
    """Writes JSON text with those characters as \\uXXXX escapes: the same JSON value (hashes
    over parsed values still match), but a file nothing can act on when it is shown."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def write(self, text: str) -> int:
        return self._out.write(_RAW_IN_JSON.sub(_json_escape, text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._out, name)
