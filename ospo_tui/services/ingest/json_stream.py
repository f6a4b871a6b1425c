"""A ScanCode JSON document read as a stream of top-level values and ``files`` entries.

The document is walked at the top level by hand and each value (or, for lists, each item) is
decoded by the standard library's C scanner (``JSONDecoder.raw_decode``) from a sliding text
buffer. That is as fast as ``json.load`` while holding only one entry at a time, where an
event-driven parser costs twice as much. Lists other than the ones asked for are decoded item by
item and dropped, so a large ``packages`` section does not pile up either.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator, Mapping
from typing import Any, Protocol

from ospo_tui.errors import InputError

_WHITESPACE = " \t\r\n"
MAX_ENTRY_CHARS = 64 * 1024 * 1024  # one value larger than this is refused, not buffered


class ByteSource(Protocol):
    def read(self, size: int = -1, /) -> bytes | None: ...


class JsonSyntaxError(InputError):
    """Invalid or truncated JSON; the message names the byte offset."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _TextWindow:
    """Decoded text of the stream from the current value on; refilled as values are consumed."""

    def __init__(self, stream: ByteSource, chunk: int) -> None:
        self.stream = stream
        self.chunk = chunk
        self.utf8 = codecs.getincrementaldecoder("utf-8")("strict")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.bytes_before_text = 0  # stream bytes consumed before text[0]
        self.decoder = json.JSONDecoder(parse_constant=_refuse_constant)

    def fill(self) -> bool:
        if self.eof:
            return False
        data = self.stream.read(self.chunk) or b""
        consumed = self.text[: self.pos]
        self.bytes_before_text += len(consumed.encode("utf-8", "surrogatepass"))
        try:
            fresh = self.utf8.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise JsonSyntaxError(
                "invalid UTF-8 near byte "
                f"{self.bytes_before_text + len(self.text[self.pos :].encode('utf-8', 'surrogatepass')) + exc.start}"
            ) from None
        self.text = self.text[self.pos :] + fresh
        self.pos = 0
        self.eof = not data
        return bool(data)

    def byte_offset(self, index: int) -> int:
        """Where text[index] is in the stream, in bytes (for error messages only)."""
        return self.bytes_before_text + len(self.text[:index].encode("utf-8", "surrogatepass"))

    def peek(self) -> str:
        """The next non-blank character ("" at the end of the stream)."""
        while True:
            text, pos = self.text, self.pos
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            self.pos = pos
            if pos < len(text) or not self.fill():
                return text[pos] if pos < len(text) else ""

    def expect(self, char: str, what: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise JsonSyntaxError(
                f"expected {what} near byte {self.byte_offset(self.pos)}, found {shown}"
            )
        self.pos += 1

    def value(self) -> Any:
        """Decode one JSON value, reading more of the stream while it is incomplete."""
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.text) - self.pos > MAX_ENTRY_CHARS:
                    raise JsonSyntaxError(
                        f"invalid JSON or a value over {MAX_ENTRY_CHARS >> 20} MB near byte "
                        f"{self.byte_offset(self.pos)}"
                    ) from None
                if self.fill():
                    continue
                raise JsonSyntaxError(
                    f"invalid JSON near byte {self.byte_offset(exc.pos)}: {exc.msg}"
                ) from None
            except ValueError as exc:  # NaN / Infinity
                raise JsonSyntaxError(
                    f"invalid JSON near byte {self.byte_offset(self.pos)}: {exc}"
                ) from None
            except RecursionError:
                raise JsonSyntaxError(
                    f"JSON nested too deeply near byte {self.byte_offset(self.pos)}"
                ) from None
            # A number at the very end of the window may continue in the next chunk.
            if end == len(self.text) and not self.eof and not isinstance(value, (dict, list, str)):
                self.fill()
                continue
            self.pos = end
            return value


def stream_document(
    stream: ByteSource,
    wanted: frozenset[str],
    chunk: int = 1 << 18,
    itemised: Mapping[str, str] | None = None,
) -> Iterator[tuple[str, Any]]:
    """Yield (key, value) for each wanted top-level key, and ("file", entry) per ``files`` entry.

    A list named in ``itemised`` (e.g. ``{"packages": "package"}``) is yielded item by item
    under the given kind, like ``files``, so it never sits whole in memory.

    Raises InputError (JsonSyntaxError for bad JSON) naming the byte offset.
    """
    window = _TextWindow(stream, chunk)
    if window.peek() == "":
        raise InputError("the file is empty")
    if window.peek() != "{":
        window.value()  # raises JsonSyntaxError if it is not JSON at all
        raise InputError("the document is not a JSON object (not a ScanCode output)")
    window.pos += 1
    saw_files = False
    first = True
    while True:
        if window.peek() == "}":
            window.pos += 1
            break
        if not first:
            window.expect(",", "',' or '}' between top-level values")
        first = False
        if window.peek() != '"':
            window.expect('"', "a key")
        key = window.value()
        window.expect(":", "':' after a key")
        if key == "files":
            saw_files = True
            if window.peek() != "[":
                raise InputError("'files' must be a list")
            for entry in _list_items(window):
                yield "file", entry
        elif itemised and key in itemised and window.peek() == "[":
            kind = itemised[key]
            for entry in _list_items(window):
                yield kind, entry
        elif window.peek() == "[" and key not in wanted:
            for _ in _list_items(window):
                pass
        else:
            value = window.value()
            if key in wanted:
                yield key, value
    if window.peek() != "":
        raise JsonSyntaxError(
            f"unexpected data after the document near byte {window.byte_offset(window.pos)}"
        )
    if not saw_files:
        raise InputError("no 'files' list: this is not a ScanCode JSON output")


def _list_items(window: _TextWindow) -> Iterator[Any]:
    window.expect("[", "'['")
    if window.peek() == "]":
        window.pos += 1
        return
    while True:
        yield window.value()
        if window.peek() == "]":
            window.pos += 1
            return
        window.expect(",", "',' or ']' in a list")
