"""Settings taken from the environment, named and read in this one place.

Each is read when asked for, not at import, so a test or a wrapper script that sets a
variable is seen at once. Command-line flags win over these; the defaults live with the code
that uses them (the user data dir for the database, the OS user for the name).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "OSPO_TUI_"


@dataclass(frozen=True)
class Settings:
    db_url: str | None
    """``OSPO_TUI_DB``: a database URL, or a path to a SQLite file."""
    user: str | None
    """``OSPO_TUI_USER``: the acting user name (self-declared on SQLite)."""
    license_catalog: Path | None
    """``OSPO_TUI_LICENSE_CATALOG``: where the cached license catalog is kept."""

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def value(name: str) -> str | None:
            return env.get(PREFIX + name) or None

        catalog = value("LICENSE_CATALOG")
        return cls(
            db_url=value("DB"),
            user=value("USER"),
            license_catalog=Path(catalog) if catalog else None,
        )


def current_settings() -> Settings:
    return Settings.from_environment()
