"""One place that says what "now" is, as the fixed-width UTC text stored in every table."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """UTC time as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``: sortable as text and stable across backends."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
