"""Alembic, driven from code: the migrations ship inside the package as ``ospo_tui:migrations``."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

SCRIPT_LOCATION = "ospo_tui:migrations"


def script_location() -> str:
    """The migrations folder, found through the package itself.

    ``ospo_tui:migrations`` resolves inside the ``ospo_tui`` folder, which holds the migrations in
    a wheel but not in an editable install (where ``package-dir`` maps them from the repo root);
    asking for the ``ospo_tui.migrations`` package works in both.
    """
    return str(files("ospo_tui.migrations"))


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", script_location())
    cfg.set_main_option("url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    if current_revision(engine) == head_revision(engine):
        return
    command.upgrade(alembic_config(engine), "head")


def downgrade_to(engine: Engine, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)
