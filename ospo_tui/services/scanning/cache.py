"""Per-file scan results keyed by content, ScanCode version and options: reuse and resume state.

A result is stored as soon as its batch arrives, in its own short transaction, so a killed scan
loses at most one batch and a rescan of a mostly unchanged tree scans only what changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from ospo_tui.clock import utc_now
from ospo_tui.db import Database
from ospo_tui.models import ScanResultCache
from ospo_tui.services.licenses.license_db import scancode_version
from ospo_tui.services.scanning.engine import REFERENCES_KEY, RESULT_LAYOUT_VERSION, SCAN_OPTIONS
from ospo_tui.services.trail.chain import canonical_json

LOOKUP_BATCH = 500


def _dumps(value: dict[str, Any]) -> str:
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # text with lone surrogates (undecodable bytes): escape it instead
        return json.dumps(value, ensure_ascii=True)


def _loads(text: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = orjson.loads(text)
    except orjson.JSONDecodeError:
        result = json.loads(text)
    return result


def options_fingerprint(options: dict[str, Any] | None = None) -> str:
    """What besides content decides a result: ScanCode version, options, our result layout."""
    return canonical_json(
        {
            "scancode": scancode_version(),
            "options": options if options is not None else SCAN_OPTIONS,
            "layout": RESULT_LAYOUT_VERSION,
        }
    )


def cache_key(content_sha256: str, fingerprint: str) -> str:
    return hashlib.sha256(f"{content_sha256}\n{fingerprint}".encode()).hexdigest()


def derived_key(kind: str, parts: Iterable[str]) -> str:
    """A key for a result computed from other results (e.g. resolved license references)."""
    return hashlib.sha256("\n".join([kind, *parts]).encode()).hexdigest()


class ResultCache:
    """The ``scan_result_cache`` table, read and written in batches."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def known(self, keys: list[str]) -> dict[str, bool]:
        """Which keys are cached, each with whether its result still has references to follow."""
        found: dict[str, bool] = {}
        has_references = ScanResultCache.result_json.contains(
            f'"{REFERENCES_KEY}"', autoescape=True
        )
        with self.db.session() as session:
            for start in range(0, len(keys), LOOKUP_BATCH):
                chunk = list(set(keys[start : start + LOOKUP_BATCH]))
                rows = session.execute(
                    select(ScanResultCache.cache_key, has_references).where(
                        ScanResultCache.cache_key.in_(chunk)
                    )
                )
                found.update({key: bool(flag) for key, flag in rows})
        return found

    def load(self, session: Any, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Results for ``keys`` (missing keys are absent), read inside the caller's session."""
        results: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), LOOKUP_BATCH):
            chunk = list(set(keys[start : start + LOOKUP_BATCH]))
            rows = session.execute(
                select(ScanResultCache.cache_key, ScanResultCache.result_json).where(
                    ScanResultCache.cache_key.in_(chunk)
                )
            )
            for key, text in rows:
                results[key] = _loads(text)
        return results

    def store(self, results: dict[str, dict[str, Any]]) -> None:
        """Insert new results in one transaction; a key already there is left as it is."""
        if not results:
            return
        now = utc_now()
        rows = [
            {"cache_key": key, "result_json": _dumps(value), "created_at": now}
            for key, value in results.items()
        ]
        with self.db.session() as session:
            dialect = session.get_bind().dialect.name
            insert_ = postgresql.insert if dialect == "postgresql" else sqlite.insert
            statement = insert_(ScanResultCache).on_conflict_do_nothing(
                index_elements=["cache_key"]
            )
            session.execute(statement, rows)
