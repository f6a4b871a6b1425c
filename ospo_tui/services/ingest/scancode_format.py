"""One ScanCode ``files[]`` entry, of any output format 1.0 to 4.1, as plain rows for our tables.

The formats drift: 1.x/2.x list per-key ``licenses`` with a ``matched_rule``; 3.x/4.x have
``license_detections`` with ``matches``; SPDX keys are ``spdx_license_expression`` in some
versions and ``license_expression_spdx`` in others, or missing (then derived from the catalog).
Every field is type-checked so a wrong-shaped document is refused with a message naming the field.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

from ospo_tui.errors import InputError
from ospo_tui.services.ingest.file_flags import FILE_FLAGS
from ospo_tui.services.ingest.path_limits import path_problem
from ospo_tui.services.licenses.expressions import combine_and, license_keys, scancode_to_spdx

if TYPE_CHECKING:
    from ospo_tui.services.ingest.file_findings import FindingsSummary
    from ospo_tui.services.ingest.package_format import ManifestRecord

_HEX = re.compile("[0-9a-fA-F]+")


@dataclass
class MatchRow:
    license_expression: str | None
    license_expression_spdx: str | None
    rule_identifier: str | None
    rule_url: str | None
    matcher: str | None
    score: float | None
    match_coverage: float | None
    rule_relevance: float | None
    matched_length: int | None
    rule_length: int | None
    start_line: int | None
    end_line: int | None
    from_file: str | None
    matched_text: str | None


@dataclass
class DetectionRow:
    identifier: str | None
    license_expression: str | None
    license_expression_spdx: str | None
    is_clue: bool
    matches: list[MatchRow] = field(default_factory=list)


@dataclass
class FileRecord:
    """A normalised file entry plus what the queue needs to rank it."""

    columns: dict[str, Any]
    detections: list[DetectionRow]
    copyrights: list[tuple[str, str, int | None, int | None]]  # (kind, value, start, end)
    todo_ids: list[str]
    scan_errors: list[str]
    for_packages: list[str] = field(default_factory=list)  # package uids it belongs to
    manifests: list[ManifestRecord] = field(default_factory=list)  # package_data it holds
    summary: FindingsSummary | None = field(default=None, compare=False)  # if worked out ahead

    @property
    def path(self) -> str:
        return str(self.columns["path"])

    @property
    def is_file(self) -> bool:
        return self.columns["type"] == "file"

    def all_matches(self) -> list[MatchRow]:
        return [m for d in self.detections for m in d.matches]


class Field:
    """Type-checked access to one record, so errors name the record and the field."""

    def __init__(self, raw: dict[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def fail(self, name: str, expected: str, value: Any) -> InputError:
        return InputError(
            f"{self.where}: field '{name}' must be {expected}, got {type(value).__name__}"
        )

    def text(self, name: str, value: Any = ..., *, required: bool = False) -> str | None:
        value = self.raw.get(name) if value is ... else value
        if type(value) is str and value.isascii() and "\x00" not in value:
            return value  # the common case, checked at C speed
        if value is None:
            if required:
                raise InputError(f"{self.where}: missing required field '{name}'")
            return None
        if not isinstance(value, str):
            raise self.fail(name, "a string", value)
        return clean_text(value)

    def digest(self, name: str, length: int) -> str | None:
        value = self.text(name)
        if value is None or value == "":
            return None
        if len(value) != length or _HEX.fullmatch(value) is None:
            raise InputError(f"{self.where}: field '{name}' must be {length} hex digits")
        return value.lower()

    def number(self, name: str, value: Any = ...) -> float | None:
        value = self.raw.get(name) if value is ... else value
        if type(value) is float and math.isfinite(value):
            return value + 0.0  # -0.0 becomes 0.0, as SQLite stores it (the digests agree)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(name, "a number", value)
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"{self.where}: field '{name}' is not a finite number")
        return number

    def integer(self, name: str, value: Any = ...) -> int | None:
        value = self.raw.get(name) if value is ... else value
        if type(value) is int and abs(value) <= 2**62:
            return value
        number = self.number(name, value)
        if number is None:
            return None
        if number != int(number) or abs(number) > 2**62:
            raise InputError(f"{self.where}: field '{name}' must be a whole number")
        return int(number)

    def flag(self, name: str) -> bool:
        value = self.raw.get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(name, "true or false", value)
        return value

    def items(self, name: str, value: Any = ...) -> list[Any]:
        value = self.raw.get(name) if value is ... else value
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(name, "a list", value)
        return value

    def mapping(self, name: str, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(name, "an object", value)
        return value


def clean_text(value: str) -> str:
    """Text every backend can store: NUL and lone surrogates become U+FFFD (the rest is kept)."""
    if value.isascii():
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def normalise_path(raw_path: str, where: str) -> str:
    """``raw_path`` with "/" separators, or InputError if it breaks a limit (path_limits)."""
    problem = path_problem(raw_path)
    if problem is not None:
        shown = raw_path[:80].replace("\x00", "\\0") + ("..." if len(raw_path) > 80 else "")
        raise InputError(f"{where}: {problem}: {shown!r}")
    path = clean_text(raw_path).replace("\\", "/")
    while "//" in path:
        path = path.replace("//", "/")
    path = path.rstrip("/") if path not in ("/", "") else path
    if not path:
        raise InputError(f"{where}: empty path")
    return path


def parse_file(raw: Any, index: int) -> FileRecord:
    """Normalise ``files[index]``; raise InputError naming the record on anything malformed."""
    if not isinstance(raw, dict):
        raise InputError(f"files[{index}]: expected an object, got {type(raw).__name__}")
    f = Field(raw, f"files[{index}]")
    raw_path = raw.get("path")
    if not isinstance(raw_path, str):
        raise InputError(f"files[{index}]: missing or non-string 'path'")
    path = normalise_path(raw_path, f"files[{index}]")
    f.where = f"files[{index}] ({path})"
    file_type = f.text("type") or "file"
    if file_type not in ("file", "directory"):
        raise InputError(
            f"{f.where}: field 'type' must be 'file' or 'directory', got {file_type!r}"
        )

    detections = _detections(f)
    clues = _clues(f)
    expression = f.text("detected_license_expression")
    if expression is None and raw.get("license_expressions") is not None:
        expression = combine_and(
            [str(e) for e in f.items("license_expressions") if isinstance(e, str)]
        )
    if expression is None and detections:
        expression = combine_and([d.license_expression or "" for d in detections])
    spdx = f.text("detected_license_expression_spdx") or f.text("spdx_license_expression")
    if spdx is None and expression:
        spdx = scancode_to_spdx(expression)

    copyrights = _copyrights(f)
    scan_errors = [
        clean_text(e) if isinstance(e, str) else json.dumps(e) for e in f.items("scan_errors")
    ]
    todo_ids = [str(t) for t in f.items("for_todo")]
    columns: dict[str, Any] = {
        "path": path,
        "name": f.text("name") or path.rsplit("/", 1)[-1],
        "type": file_type,
        "is_synthetic": False,
        "sha1": f.digest("sha1", 40),
        "sha256": f.digest("sha256", 64),
        "md5": f.digest("md5", 32),
        "size": f.integer("size"),
        "mime_type": f.text("mime_type"),
        "file_type": f.text("file_type"),
        "programming_language": f.text("programming_language"),
        "detected_license_expression": expression,
        "detected_license_expression_spdx": spdx,
        "percentage_of_license_text": f.number("percentage_of_license_text"),
        "scan_errors_json": json.dumps(scan_errors) if scan_errors else None,
    }
    for flag in FILE_FLAGS:
        columns[flag] = f.flag(flag)
    record = FileRecord(columns, detections + clues, copyrights, todo_ids, scan_errors)
    columns["findings_hash"] = findings_hash(record) if detections or clues else None
    return record


def _match(f: Field, raw: Any, name: str) -> MatchRow:
    m = Field(f.mapping(name, raw), f.where)
    expression = m.text("license_expression")
    return MatchRow(
        license_expression=expression,
        license_expression_spdx=m.text("license_expression_spdx")
        or m.text("spdx_license_expression")
        or scancode_to_spdx(expression),
        rule_identifier=m.text("rule_identifier"),
        rule_url=m.text("rule_url"),
        matcher=m.text("matcher"),
        score=m.number("score"),
        match_coverage=m.number("match_coverage"),
        rule_relevance=m.number("rule_relevance"),
        matched_length=m.integer("matched_length"),
        rule_length=m.integer("rule_length"),
        start_line=m.integer("start_line"),
        end_line=m.integer("end_line"),
        from_file=m.text("from_file"),
        matched_text=m.text("matched_text"),
    )


def _detections(f: Field) -> list[DetectionRow]:
    if "license_detections" in f.raw:
        rows = []
        for raw in f.items("license_detections"):
            d = Field(f.mapping("license_detections", raw), f.where)
            matches = [_match(f, m, "matches") for m in d.items("matches")]
            expression = d.text("license_expression")
            rows.append(
                DetectionRow(
                    identifier=d.text("identifier"),
                    license_expression=expression,
                    license_expression_spdx=d.text("license_expression_spdx")
                    or d.text("spdx_license_expression")
                    or scancode_to_spdx(expression),
                    is_clue=False,
                    matches=matches,
                )
            )
        return rows
    return _legacy_licenses(f)


def _legacy_licenses(f: Field) -> list[DetectionRow]:
    """Formats 1.x/2.x: one ``licenses`` entry per key; entries of one rule match are grouped."""
    groups: dict[tuple[Any, ...], DetectionRow] = {}
    for raw in f.items("licenses"):
        lic = Field(f.mapping("licenses", raw), f.where)
        rule = Field(lic.mapping("matched_rule", lic.raw.get("matched_rule") or {}), f.where)
        key = lic.text("key")
        expression = rule.text("license_expression") or key
        start, end = lic.integer("start_line"), lic.integer("end_line")
        group_key = (rule.text("identifier"), start, end, expression)
        if group_key in groups:
            continue
        match = MatchRow(
            license_expression=expression,
            license_expression_spdx=scancode_to_spdx(expression),
            rule_identifier=rule.text("identifier"),
            rule_url=None,
            matcher=rule.text("matcher"),
            score=lic.number("score"),
            match_coverage=rule.number("match_coverage"),
            rule_relevance=rule.number("rule_relevance"),
            matched_length=rule.integer("matched_length"),
            rule_length=rule.integer("rule_length"),
            start_line=start,
            end_line=end,
            from_file=None,
            matched_text=lic.text("matched_text"),
        )
        groups[group_key] = DetectionRow(
            identifier=None,
            license_expression=expression,
            license_expression_spdx=match.license_expression_spdx,
            is_clue=False,
            matches=[match],
        )
    return list(groups.values())


def _clues(f: Field) -> list[DetectionRow]:
    rows = []
    for raw in f.items("license_clues"):
        match = _match(f, raw, "license_clues")
        rows.append(
            DetectionRow(
                identifier=None,
                license_expression=match.license_expression,
                license_expression_spdx=match.license_expression_spdx,
                is_clue=True,
                matches=[match],
            )
        )
    return rows


def _copyrights(f: Field) -> list[tuple[str, str, int | None, int | None]]:
    rows: list[tuple[str, str, int | None, int | None]] = []
    for kind, list_name, value_key in (
        ("copyright", "copyrights", "copyright"),
        ("holder", "holders", "holder"),
        ("author", "authors", "author"),
    ):
        for raw in f.items(list_name):
            if isinstance(raw, str):  # some very old formats list bare strings
                rows.append((kind, clean_text(raw), None, None))
                continue
            c = Field(f.mapping(list_name, raw), f.where)
            value = c.text(value_key) or c.text("value")  # "value" in formats 1.x (30.x)
            if value is None:
                # format 1.x: {"statements"/"holders"/"authors": [...], "start_line", "end_line"}
                for legacy in c.items("statements" if kind == "copyright" else list_name):
                    if isinstance(legacy, str):
                        rows.append(
                            (
                                kind,
                                clean_text(legacy),
                                c.integer("start_line"),
                                c.integer("end_line"),
                            )
                        )
                continue
            rows.append((kind, value, c.integer("start_line"), c.integer("end_line")))
    return rows


def findings_hash(record: FileRecord) -> str:
    """What a decision was made on: the expression and each match's rule and lines.

    A reused decision whose file now hashes differently is stale and goes back to the queue.
    """
    matches = sorted(
        (m.license_expression or "", m.rule_identifier or "", m.start_line or 0, m.end_line or 0)
        for d in record.detections
        for m in d.matches
    )
    body = orjson.dumps([record.columns["detected_license_expression"], matches])
    return hashlib.sha256(body).hexdigest()


def record_license_keys(record: FileRecord) -> frozenset[str]:
    keys: set[str] = set(license_keys(record.columns["detected_license_expression"]))
    for detection in record.detections:
        keys |= license_keys(detection.license_expression)
    return frozenset(keys)
